# METADATA
# title: Container without liveness and readiness probes
# description: |
#   Without a readiness probe, a pod receives traffic the moment its process starts, before
#   it can serve, and keeps receiving it when it cannot; rolling updates then drop requests.
#   Without a liveness probe, a deadlocked process is never restarted. Jobs and CronJobs run
#   to completion and are skipped, as are ephemeral containers, which cannot have these
#   probes, and init containers, including native sidecars (restartPolicy: Always), which may
#   have them but, as with kube-linter and Polaris, are not required to. A startup probe does
#   not replace either.
#   Only whether a probe is there is judged, so values left to substitution before apply
#   (${PORT}) do not change the verdict.
# custom:
#   id: k8s-probes
#   severity: warn
#   category: kubernetes
#   checkov: [CKV_K8S_8, CKV_K8S_9]
#   trivy: []
#   security: false
#   remediation: Add a readinessProbe that checks the container can serve (an HTTP health endpoint) and a livenessProbe that only fails when a restart would help.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController]
#   scope: resource
#   parameters:
#     probes:
#       default: [livenessProbe, readinessProbe]
#       description: Probes every long-running container must define.
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
#                 readinessProbe: {httpGet: {path: /ready, port: 8080}}
#                 livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 10}
package paved.rules.k8s_probes

import data.paved.lib

params := data.paved.params.k8s_probes

warn contains f if {
	some w in lib.workloads
	not w.r.type in {"Job", "CronJob"}
	not _runs_to_completion(w)
	some x in lib.containers(w)
	x.field == "containers"
	missing := [p | some p in params.probes; not is_object(object.get(x.c, p, null))]
	count(missing) > 0
	f := lib.finding(w.r, sprintf("%s: container %s has no %s", [lib.workload_name(w.r), x.name, concat(" or ", missing)]), x.path, missing)
}

# A bare Pod with restartPolicy Never or OnFailure runs to completion, like a
# Job (helm test hooks, one-off tasks): probes do not apply to it.
_runs_to_completion(w) if {
	w.r.type == "Pod"
	w.spec.restartPolicy in {"Never", "OnFailure"}
}
