# METADATA
# title: Container adds Linux capabilities
# description: |
#   Containers start with a reduced set of Linux capabilities; every capability added back
#   widens what a compromised process can do to the node and its neighbours (NET_RAW forges
#   packets, SYS_TIME changes the node's clock, CHOWN and FOWNER bypass file ownership). Most
#   workloads need none, and the few that do should say why. The dangerous ones (SYS_ADMIN,
#   NET_ADMIN, ALL and the others k8s-privileged forbids) are denied there; this advice names
#   every other capability that is added, except those allowed by the parameter. A capability
#   left to substitution before apply (${CAP}) is reported by k8s-privileged.
# custom:
#   id: k8s-added-capabilities
#   severity: warn
#   category: kubernetes
#   checkov: [CKV_K8S_25]
#   trivy: [KSV-0022]
#   security: true
#   remediation: Drop ALL capabilities and add back only what the process needs (NET_BIND_SERVICE to bind ports below 1024); most processes need none when they run as a non-root user on ports above 1024.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     allowed_capabilities:
#       default: [NET_BIND_SERVICE]
#       description: Capabilities that may be added without advice (compared without the CAP_ prefix, case-insensitively).
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: clock}
#       spec:
#         template:
#           spec:
#             containers:
#               - name: clock
#                 image: ghcr.io/acme/clock:1.0.3
#                 securityContext:
#                   capabilities: {add: [SYS_TIME]}
#     pass: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web}
#       spec:
#         template:
#           spec:
#             containers:
#               - name: web
#                 image: ghcr.io/acme/web:2.4.1
#                 securityContext:
#                   capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
package paved.rules.k8s_added_capabilities

import data.paved.lib

params := data.paved.params.k8s_added_capabilities

# Allowed here, or denied by k8s-privileged (one finding per capability).
quiet := {_name(c) | some c in params.allowed_capabilities} | {_name(c) | some c in data.paved.params.k8s_privileged.forbidden_capabilities}

warn contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	some i, cap in object.get(x.c, ["securityContext", "capabilities", "add"], [])
	is_string(cap)
	not lib.placeholder(cap)
	not _name(cap) in quiet
	f := lib.finding(w.r, sprintf("%s: container %s adds the capability %s", [lib.workload_name(w.r), x.name, cap]), sprintf("%s.securityContext.capabilities.add[%d]", [x.path, i]), cap)
}

_name(c) := trim_prefix(upper(trim_space(c)), "CAP_")
