# METADATA
# title: Container without resource requests and limits
# description: |
#   The scheduler places pods by their requests: a container without them can land on a full
#   node and be the first evicted, and its real usage is invisible to capacity planning and
#   cost allocation. A memory limit stops one leaking container from taking the node down.
#   CPU limits are left out of the default list on purpose: they throttle a container even
#   when the node has idle CPU, which hurts latency more than it protects neighbours; add
#   limits.cpu to the parameter if the organisation wants them. A request left out next to a
#   limit of the same resource defaults to that limit (Kubernetes semantics), so limits alone
#   satisfy requests. Regular and init containers (including native sidecars) are checked
#   (ephemeral debug containers cannot have resources).
#   A request or limit left to substitution before apply (${MEMORY_LIMIT}) counts as given.
# custom:
#   id: k8s-resources
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_10, CKV_K8S_12, CKV_K8S_13]
#   trivy: [KSV-0015, KSV-0016, KSV-0018]
#   security: false
#   remediation: Set resources.requests.cpu and resources.requests.memory from observed usage, and resources.limits.memory at the level the container must never exceed.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     required:
#       default: [requests.cpu, requests.memory, limits.memory]
#       description: Resource settings every container must have, as requests.<resource> or limits.<resource>.
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web}
#       spec:
#         template:
#           spec:
#             containers:
#               - name: web
#                 image: ghcr.io/acme/web:1.4.2
#     pass: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web}
#       spec:
#         template:
#           spec:
#             containers:
#               - name: web
#                 image: ghcr.io/acme/web:1.4.2
#                 resources:
#                   requests: {cpu: 250m, memory: 256Mi}
#                   limits: {memory: 512Mi}
package paved.rules.k8s_resources

import data.paved.lib

params := data.paved.params.k8s_resources

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	x.field != "ephemeralContainers"
	missing := [s | some s in params.required; not _set(x.c, s)]
	count(missing) > 0
	f := lib.finding(w.r, sprintf("%s: container %s has no resources %s", [lib.workload_name(w.r), x.name, concat(", ", missing)]), sprintf("%s.resources", [x.path]), missing)
}

_set(c, setting) if {
	[kind, res] := split(setting, ".")
	_given(c.resources[kind][res])
}

# Kubernetes defaults a missing request to the limit of the same resource:
# limits: {cpu: 100m, memory: 128Mi} alone means requests of 100m and 128Mi.
_set(c, setting) if {
	[kind, res] := split(setting, ".")
	kind == "requests"
	_given(c.resources.limits[res])
}

_given(v) if not v in {null, ""}
