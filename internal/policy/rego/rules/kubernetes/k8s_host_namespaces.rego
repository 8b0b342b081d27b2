# METADATA
# title: Pod shares the host's namespaces
# description: |
#   hostNetwork puts the pod on the node's network stack (it can bind node ports and sniff
#   or reach services listening on localhost), hostPID lets it see and signal every process
#   on the node, and hostIPC shares the node's shared memory. Each breaks the isolation that
#   makes running many teams' pods on one node safe.
#   A value left to substitution before apply (${VAR}, Flux or envsubst) is reported as
#   undetermined.
# custom:
#   id: k8s-host-namespaces
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_17, CKV_K8S_18, CKV_K8S_19]
#   trivy: [KSV-0010, KSV-0008, KSV-0009]
#   security: true
#   remediation: Remove hostNetwork, hostPID and hostIPC; expose ports through a Service instead of the host network.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   examples:
#     fail: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: debug}
#       spec:
#         hostNetwork: true
#         hostPID: true
#         containers: [{name: debug, image: "busybox:1.36"}]
#     pass: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: debug}
#       spec:
#         containers: [{name: debug, image: "busybox:1.36"}]
package paved.rules.k8s_host_namespaces

import data.paved.lib

deny contains f if {
	some w in lib.workloads
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	object.get(w.spec, field, false) == true
	f := lib.finding(w.r, sprintf("%s shares the host's namespace (%s: true)", [lib.workload_name(w.r), field]), sprintf("%s.%s", [w.path, field]), true)
}

deny contains f if {
	some w in lib.workloads
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	v := object.get(w.spec, field, false)
	lib.placeholder(v)
	f := lib.substituted(w.r, sprintf("%s.%s", [w.path, field]), v, "the pod shares the host's namespaces")
}
