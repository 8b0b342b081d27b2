# METADATA
# title: Pod mounts a host path
# description: |
#   A hostPath volume gives the pod the node's own files: the container runtime socket, the
#   kubelet's credentials, other pods' logs and secrets. Writable, it is a direct route to
#   taking over the node; even read-only it leaks data. Application state belongs in
#   persistent volumes, scratch space in emptyDir. Prefixes of node-agent paths can be allowed.
#   A value left to substitution before apply (${VAR}, Flux or envsubst) is reported as
#   undetermined.
# custom:
#   id: k8s-host-path
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_27]
#   trivy: [KSV-0023, KSV-0006]
#   security: true
#   remediation: Use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     allowed_paths:
#       default: []
#       description: Host path prefixes that may be mounted (for example /var/log for a log agent).
#   examples:
#     fail: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers: [{name: web, image: "ghcr.io/acme/web:1.4.2"}]
#         volumes:
#           - name: docker
#             hostPath: {path: /var/run/docker.sock}
#     pass: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers: [{name: web, image: "ghcr.io/acme/web:1.4.2"}]
#         volumes:
#           - name: scratch
#             emptyDir: {}
package paved.rules.k8s_host_path

import data.paved.lib

params := data.paved.params.k8s_host_path

deny contains f if {
	some w in lib.workloads
	some i, v in object.get(w.spec, "volumes", [])
	is_object(v.hostPath)
	p := object.get(v.hostPath, "path", "")
	not lib.placeholder(p)
	not _allowed(p)
	f := lib.finding(w.r, sprintf("%s mounts the host path %s (volume %s)", [lib.workload_name(w.r), p, object.get(v, "name", i)]), sprintf("%s.volumes[%d].hostPath.path", [w.path, i]), p)
}

_allowed(p) if {
	some a in params.allowed_paths
	_under(p, a)
}

_under(p, a) if p == a

_under(p, a) if startswith(p, concat("", [trim_suffix(a, "/"), "/"]))

deny contains f if {
	some w in lib.workloads
	some i, v in object.get(w.spec, "volumes", [])
	p := v.hostPath.path
	lib.placeholder(p)
	f := lib.substituted(w.r, sprintf("%s.volumes[%d].hostPath.path", [w.path, i]), p, "the host path is allowed")
}
