# METADATA
# title: Workload that no NetworkPolicy selects
# description: |
#   Without a NetworkPolicy, every pod in the cluster can reach the workload's pods and they can
#   reach everything: one compromised pod anywhere can then talk to the database, the
#   metadata service and every other service. A workload is reported when no NetworkPolicy in
#   its namespace in the checked manifests selects its pods (an empty podSelector selects
#   every pod of the namespace; matchLabels and matchExpressions are evaluated). A
#   CiliumNetworkPolicy in the namespace, and a CiliumClusterwideNetworkPolicy or Calico
#   GlobalNetworkPolicy anywhere, count as covering the pods (their selectors are not
#   evaluated). Policies the platform applies itself (a default-deny baseline in every
#   namespace) are not in a service's manifests: list those namespaces in the parameter, or
#   set it to ["*"]. A manifest without a namespace may sit in the same namespace as a policy
#   without one. A selector left to substitution before apply (${APP}) is reported as
#   undetermined.
# custom:
#   id: k8s-network-policy
#   severity: warn
#   category: kubernetes
#   checkov: [CKV2_K8S_6]
#   trivy: []
#   security: true
#   remediation: Add a NetworkPolicy in the workload's namespace (a default-deny policy with an empty podSelector, and policies allowing only the traffic the service needs).
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   context_types: [NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy]
#   scope: resource
#   parameters:
#     covered_namespaces:
#       default: []
#       description: Namespaces that get NetworkPolicies from the platform, outside the service's manifests ("*" for every namespace).
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web, namespace: storefront}
#       spec:
#         template:
#           metadata: {labels: {app: web}}
#           spec:
#             containers: [{name: web, image: "ghcr.io/acme/web:2.4.1"}]
#     pass: |
#       apiVersion: networking.k8s.io/v1
#       kind: NetworkPolicy
#       metadata: {name: default-deny, namespace: storefront}
#       spec:
#         podSelector: {}
#         policyTypes: [Ingress, Egress]
package paved.rules.k8s_network_policy

import data.paved.lib

params := data.paved.params.k8s_network_policy

warn contains f if {
	count(object.get(input.by_type, "CiliumClusterwideNetworkPolicy", [])) + count(object.get(input.by_type, "GlobalNetworkPolicy", [])) == 0
	not "*" in params.covered_namespaces
	some w in lib.workloads
	ns := _namespace(w.r)
	not ns in params.covered_namespaces
	labels := lib.pod_labels(w.r)
	not _covered(ns, labels)
	not _unsure(ns, labels)
	f := lib.finding(w.r, sprintf("%s: no NetworkPolicy in namespace %s selects its pods", [lib.workload_name(w.r), _shown(ns)]), "metadata.namespace", ns)
}

warn contains f if {
	count(object.get(input.by_type, "CiliumClusterwideNetworkPolicy", [])) + count(object.get(input.by_type, "GlobalNetworkPolicy", [])) == 0
	not "*" in params.covered_namespaces
	some w in lib.workloads
	ns := _namespace(w.r)
	not ns in params.covered_namespaces
	labels := lib.pod_labels(w.r)
	not _covered(ns, labels)
	_unsure(ns, labels)
	f := lib.substituted(w.r, "spec.template.metadata.labels", labels, "a NetworkPolicy selects its pods")
}

_shown(ns) := ns if ns != ""

else := "(left to the deploying tool)"

_covered(ns, labels) if {
	some p in object.get(input.by_type, "NetworkPolicy", [])
	lib.judged(p)
	_same_namespace(_namespace(p), ns)
	_selects(p, labels)
}

_covered(ns, _) if {
	some p in object.get(input.by_type, "CiliumNetworkPolicy", [])
	lib.judged(p)
	_same_namespace(_namespace(p), ns)
}

# Calico's namespaced NetworkPolicy (projectcalico.org) has a string selector.
_selects(p, _) if not startswith(object.get(p.after, "apiVersion", ""), "networking.k8s.io/")

_selects(p, labels) if {
	startswith(object.get(p.after, "apiVersion", ""), "networking.k8s.io/")
	sel := object.get(p.after, ["spec", "podSelector"], {})
	is_object(sel)
	every k, v in object.get(sel, "matchLabels", {}) {
		labels[k] == v
	}
	every e in object.get(sel, "matchExpressions", []) {
		_expr(e, labels)
	}
}

_unsure(ns, _) if {
	some p in object.get(input.by_type, "NetworkPolicy", [])
	lib.judged(p)
	_same_namespace(_namespace(p), ns)
	some _, v in object.get(p.after, ["spec", "podSelector", "matchLabels"], {})
	lib.placeholder(v)
}

_unsure(_, labels) if {
	some _, v in labels
	lib.placeholder(v)
}

_expr(e, labels) if {
	e.operator == "In"
	labels[e.key] in e.values
}

_expr(e, labels) if {
	e.operator == "NotIn"
	not labels[e.key] in e.values
}

_expr(e, labels) if {
	e.operator == "Exists"
	_ := labels[e.key]
}

_expr(e, labels) if {
	e.operator == "DoesNotExist"
	not labels[e.key]
}

_namespace(r) := object.get(r.after, ["metadata", "namespace"], "")

_same_namespace(a, b) if a == b

_same_namespace(a, _) if a in {"", null}

_same_namespace(_, b) if b in {"", null}
