# METADATA
# title: Container does not drop its Linux capabilities
# description: |
#   The container runtime gives every container a default set of capabilities (NET_RAW, CHOWN,
#   SETUID, SETGID, DAC_OVERRIDE, ...). NET_RAW alone lets a compromised process forge packets
#   and spoof other pods on the node's network (ARP and DNS spoofing). A container passes when
#   securityContext.capabilities.drop holds ALL, or every capability of must_drop (by default
#   NET_RAW); with require_drop_all (set it per tier or phase) only ALL passes. Capabilities
#   added back are judged by k8s-added-capabilities and k8s-privileged. Windows pods are
#   skipped. A drop list left to substitution before apply (${DROP}) is reported as
#   undetermined.
# custom:
#   id: k8s-drop-capabilities
#   severity: warn
#   category: kubernetes
#   checkov: [CKV_K8S_28, CKV_K8S_37]
#   trivy: [KSV-0004, KSV-0003]
#   security: true
#   remediation: 'Set securityContext.capabilities.drop: [ALL] on every container and add back only what the process needs.'
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     must_drop:
#       default: [NET_RAW]
#       description: Capabilities every container must drop when it does not drop ALL (compared without the CAP_ prefix, case-insensitively).
#     require_drop_all:
#       default: false
#       description: Whether only drop [ALL] passes.
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
#             containers:
#               - name: web
#                 image: ghcr.io/acme/web:2.4.1
#                 securityContext:
#                   capabilities: {drop: [ALL]}
package paved.rules.k8s_drop_capabilities

import data.paved.lib

params := data.paved.params.k8s_drop_capabilities

warn contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	drops := _drops(x)
	not "ALL" in drops
	not _substituted(x)
	missing := _missing(drops)
	count(missing) > 0
	f := lib.finding(w.r, sprintf("%s: container %s does not drop %s", [lib.workload_name(w.r), x.name, concat(", ", sort(missing))]), sprintf("%s.securityContext.capabilities.drop", [x.path]), object.get(x.c, ["securityContext", "capabilities", "drop"], null))
}

warn contains f if {
	some w in lib.workloads
	not lib.is_windows(w)
	some x in lib.containers(w)
	not "ALL" in _drops(x)
	_substituted(x)
	v := object.get(x.c, ["securityContext", "capabilities", "drop"], null)
	f := lib.substituted(w.r, sprintf("%s.securityContext.capabilities.drop", [x.path]), v, "the container drops its capabilities")
}

_drops(x) := {_name(c) | some c in _list(object.get(x.c, ["securityContext", "capabilities", "drop"], []))}

_missing(drops) := {"ALL"} if params.require_drop_all == true

else := {c | some m in params.must_drop; c := _name(m)} - drops

_list(v) := v if is_array(v)

else := [v] if is_string(v)

else := []

_substituted(x) if lib.placeholder(object.get(x.c, ["securityContext", "capabilities", "drop"], null))

_substituted(x) if {
	some c in _list(object.get(x.c, ["securityContext", "capabilities", "drop"], []))
	lib.placeholder(c)
}

_name(c) := trim_prefix(upper(trim_space(c)), "CAP_") if is_string(c)
