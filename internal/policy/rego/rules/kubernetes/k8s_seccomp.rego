# METADATA
# title: Container without a seccomp profile
# description: |
#   A seccomp profile limits the system calls a container can make; without one (Unconfined,
#   the kubelet's default unless the cluster turns on SeccompDefault) a process that is taken
#   over can use every system call of the node's kernel, including those behind most container
#   escapes. Every container needs seccompProfile type RuntimeDefault or Localhost, set on the
#   container or inherited from the pod's securityContext (the container's setting wins).
#   Unconfined, or no profile at all, is reported; the seccomp annotations removed in
#   Kubernetes 1.27 do not count. Windows pods are skipped. A profile left to substitution
#   before apply (${SECCOMP}) is reported as undetermined.
# custom:
#   id: k8s-seccomp
#   severity: warn
#   category: kubernetes
#   checkov: [CKV_K8S_31]
#   trivy: [KSV-0030, KSV-0104]
#   security: true
#   remediation: Set securityContext.seccompProfile.type RuntimeDefault on the pod spec (or Localhost with a profile the nodes have).
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web, namespace: storefront}
#       spec:
#         template:
#           spec:
#             containers: [{name: web, image: "ghcr.io/acme/web:2.4.1"}]
#     pass: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web, namespace: storefront}
#       spec:
#         template:
#           spec:
#             securityContext:
#               seccompProfile: {type: RuntimeDefault}
#             containers: [{name: web, image: "ghcr.io/acme/web:2.4.1"}]
package paved.rules.k8s_seccomp

import data.paved.lib

confined := {"RuntimeDefault", "Localhost"}

warn contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	t := _type(w, x)
	not t in confined
	not lib.placeholder(t)
	f := lib.finding(w.r, sprintf("%s: container %s runs without a seccomp profile (%s)", [lib.workload_name(w.r), x.name, _shown(t)]), _path(w, x), t)
}

warn contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	t := _type(w, x)
	lib.placeholder(t)
	f := lib.substituted(w.r, _path(w, x), t, "the container has a seccomp profile")
}

# _type(w, x): the effective profile type, "" when neither level sets one.
_type(w, x) := t if {
	p := lib.security_value(w, x, "seccompProfile")
	t := object.get(p, "type", "")
} else := ""

_path(w, x) := concat("", [lib.security_path(w, x, "seccompProfile"), ".type"])

_shown("") := "no seccompProfile set"

_shown(t) := sprintf("type %s", [t]) if t != ""
