# METADATA
# title: Container allows privilege escalation
# description: |
#   Unless allowPrivilegeEscalation is false, a process in the container can gain more
#   privileges than its parent through setuid binaries or file capabilities, turning a
#   foothold as an unprivileged user into root. Kubernetes allows it by default; the setting
#   exists only on containers. Windows pods are skipped.
#   A value left to substitution before apply (${VAR}, Flux or envsubst) is reported as
#   undetermined.
# custom:
#   id: k8s-no-privilege-escalation
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_20]
#   trivy: [KSV-0001]
#   security: true
#   remediation: Set securityContext.allowPrivilegeEscalation = false on each container (and drop all capabilities).
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   examples:
#     fail: |
#       apiVersion: batch/v1
#       kind: CronJob
#       metadata: {name: report}
#       spec:
#         schedule: "0 3 * * *"
#         jobTemplate:
#           spec:
#             template:
#               spec:
#                 containers:
#                   - name: report
#                     image: ghcr.io/acme/report:2.0.1
#     pass: |
#       apiVersion: batch/v1
#       kind: CronJob
#       metadata: {name: report}
#       spec:
#         schedule: "0 3 * * *"
#         jobTemplate:
#           spec:
#             template:
#               spec:
#                 containers:
#                   - name: report
#                     image: ghcr.io/acme/report:2.0.1
#                     securityContext:
#                       allowPrivilegeEscalation: false
#                       capabilities: {drop: [ALL]}
package paved.rules.k8s_no_privilege_escalation

import data.paved.lib

deny contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	v := object.get(x.c, ["securityContext", "allowPrivilegeEscalation"], true)
	v != false
	not lib.placeholder(v)
	f := lib.finding(w.r, sprintf("%s: container %s allows privilege escalation", [lib.workload_name(w.r), x.name]), sprintf("%s.securityContext.allowPrivilegeEscalation", [x.path]), object.get(x.c, ["securityContext", "allowPrivilegeEscalation"], null))
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	v := x.c.securityContext.allowPrivilegeEscalation
	lib.placeholder(v)
	f := lib.substituted(w.r, sprintf("%s.securityContext.allowPrivilegeEscalation", [x.path]), v, "privilege escalation is off")
}
