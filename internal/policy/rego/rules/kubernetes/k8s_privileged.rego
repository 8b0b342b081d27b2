# METADATA
# title: Privileged container
# description: |
#   A privileged container has every capability and access to all host devices: it is, for
#   practical purposes, root on the node, and so is anyone who compromises it. Adding the
#   SYS_ADMIN capability or ALL capabilities comes close to the same, and so do the other
#   capabilities listed by default (NET_ADMIN rewrites the node's network, SYS_PTRACE reads
#   other processes, SYS_MODULE and BPF load kernel code, DAC_READ_SEARCH and SYS_RAWIO read
#   host files and devices, SYS_BOOT reboots the node); other added capabilities are advice
#   (k8s-added-capabilities). Node agents that truly need them (CNI, storage drivers) belong to
#   the platform team and go through a sign-off.
#   A value left to substitution before apply (${VAR}, Flux or envsubst) is reported as
#   undetermined.
# custom:
#   id: k8s-privileged
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_16, CKV_K8S_39]
#   trivy: [KSV-0017, KSV-0005, KSV-0120]
#   security: true
#   remediation: Remove securityContext.privileged and the added capabilities; add only the specific capability the process needs (for example NET_BIND_SERVICE).
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     forbidden_capabilities:
#       default: [ALL, SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, BPF, DAC_READ_SEARCH, SYS_RAWIO, SYS_BOOT]
#       description: Capabilities that may not be added (compared without the CAP_ prefix, case-insensitively).
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: DaemonSet
#       metadata: {name: agent}
#       spec:
#         template:
#           spec:
#             containers:
#               - name: agent
#                 image: ghcr.io/acme/agent:3.1.0
#                 securityContext: {privileged: true}
#     pass: |
#       apiVersion: apps/v1
#       kind: DaemonSet
#       metadata: {name: agent}
#       spec:
#         template:
#           spec:
#             containers:
#               - name: agent
#                 image: ghcr.io/acme/agent:3.1.0
#                 securityContext: {privileged: false, capabilities: {drop: [ALL]}}
package paved.rules.k8s_privileged

import data.paved.lib

params := data.paved.params.k8s_privileged

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	object.get(x.c, ["securityContext", "privileged"], false) == true
	f := lib.finding(w.r, sprintf("%s: container %s is privileged", [lib.workload_name(w.r), x.name]), sprintf("%s.securityContext.privileged", [x.path]), true)
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	some i, cap in object.get(x.c, ["securityContext", "capabilities", "add"], [])
	is_string(cap)
	not lib.placeholder(cap)
	upper(trim_prefix(upper(cap), "CAP_")) in {upper(c) | some c in params.forbidden_capabilities}
	f := lib.finding(w.r, sprintf("%s: container %s adds the capability %s", [lib.workload_name(w.r), x.name, cap]), sprintf("%s.securityContext.capabilities.add[%d]", [x.path, i]), cap)
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	v := x.c.securityContext.privileged
	lib.placeholder(v)
	f := lib.substituted(w.r, sprintf("%s.securityContext.privileged", [x.path]), v, "the container is privileged")
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	some i, cap in object.get(x.c, ["securityContext", "capabilities", "add"], [])
	lib.placeholder(cap)
	f := lib.substituted(w.r, sprintf("%s.securityContext.capabilities.add[%d]", [x.path, i]), cap, "the capability is allowed")
}
