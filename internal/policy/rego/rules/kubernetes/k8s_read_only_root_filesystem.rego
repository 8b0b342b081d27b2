# METADATA
# title: Container root filesystem is writable
# description: |
#   With a read-only root filesystem an attacker who gets code execution cannot drop tools or
#   modify binaries, and the container cannot quietly accumulate state that disappears on the
#   next restart. Writable paths the application needs (/tmp, caches) are mounted as emptyDir
#   volumes. The setting exists only on containers, not on the pod.
#   A value left to substitution before apply (${VAR}, Flux or envsubst) is reported as
#   undetermined.
# custom:
#   id: k8s-read-only-root-filesystem
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_22]
#   trivy: [KSV-0014]
#   security: true
#   remediation: Set securityContext.readOnlyRootFilesystem = true on each container and mount emptyDir volumes where it must write.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   examples:
#     fail: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers:
#           - name: web
#             image: ghcr.io/acme/web:1.4.2
#     pass: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers:
#           - name: web
#             image: ghcr.io/acme/web:1.4.2
#             securityContext: {readOnlyRootFilesystem: true}
#             volumeMounts: [{name: tmp, mountPath: /tmp}]
#         volumes: [{name: tmp, emptyDir: {}}]
package paved.rules.k8s_read_only_root_filesystem

import data.paved.lib

deny contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	v := object.get(x.c, ["securityContext", "readOnlyRootFilesystem"], false)
	v != true
	not lib.placeholder(v)
	f := lib.finding(w.r, sprintf("%s: container %s has a writable root filesystem", [lib.workload_name(w.r), x.name]), sprintf("%s.securityContext.readOnlyRootFilesystem", [x.path]), object.get(x.c, ["securityContext", "readOnlyRootFilesystem"], null))
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	v := x.c.securityContext.readOnlyRootFilesystem
	lib.placeholder(v)
	f := lib.substituted(w.r, sprintf("%s.securityContext.readOnlyRootFilesystem", [x.path]), v, "the root filesystem is read-only")
}
