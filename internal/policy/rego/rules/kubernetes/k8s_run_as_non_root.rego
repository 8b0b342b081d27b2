# METADATA
# title: Container may run as root
# description: |
#   A process running as root inside a container is root on the node's kernel too; combined
#   with any container escape or a writable host mount it owns the node. Kubernetes enforces
#   runAsNonRoot at start-up: the kubelet refuses to start an image whose user is root. A
#   container passes when runAsNonRoot is true or runAsUser is a non-zero user, set on the
#   container or inherited from the pod (the container's own setting wins); runAsUser 0 always
#   fails. Windows pods are skipped.
#   A value left to substitution before apply (${VAR}, Flux or envsubst) is reported as
#   undetermined.
# custom:
#   id: k8s-run-as-non-root
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_23]
#   trivy: [KSV-0012, KSV-0105]
#   security: true
#   remediation: Set securityContext.runAsNonRoot = true on the pod (and a numeric runAsUser if the image's USER is a name), and build the image with a non-root USER.
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
#         securityContext: {runAsNonRoot: true, runAsUser: 10001}
#         containers:
#           - name: web
#             image: ghcr.io/acme/web:1.4.2
package paved.rules.k8s_run_as_non_root

import data.paved.lib

deny contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	_root_user(w, x)
	f := lib.finding(w.r, sprintf("%s: container %s runs as root (runAsUser 0)", [lib.workload_name(w.r), x.name]), lib.security_path(w, x, "runAsUser"), 0)
}

deny contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	not _root_user(w, x)
	not _non_root(w, x)
	not _non_zero_user(w, x)
	not _substituted(w, x)
	f := lib.finding(w.r, sprintf("%s: container %s may run as root (runAsNonRoot is not true)", [lib.workload_name(w.r), x.name]), sprintf("%s.securityContext.runAsNonRoot", [x.path]), object.get(x.c, ["securityContext", "runAsNonRoot"], null))
}

_non_zero_user(w, x) if {
	u := lib.security_value(w, x, "runAsUser")
	is_number(u)
	u > 0
}

# Helpers rather than `not f(x) == v`: a negated comparison on a function
# call that is undefined does not evaluate to true in Rego.
_root_user(w, x) if lib.security_value(w, x, "runAsUser") == 0

_non_root(w, x) if lib.security_value(w, x, "runAsNonRoot") == true

deny contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	not _root_user(w, x)
	not _non_root(w, x)
	not _non_zero_user(w, x)
	some key in ["runAsNonRoot", "runAsUser"]
	v := lib.security_value(w, x, key)
	lib.placeholder(v)
	f := lib.substituted(w.r, lib.security_path(w, x, key), v, "the container runs as a non-root user")
}

_substituted(w, x) if {
	some key in ["runAsNonRoot", "runAsUser"]
	lib.placeholder(lib.security_value(w, x, key))
}
