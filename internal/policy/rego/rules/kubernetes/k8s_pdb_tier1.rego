# METADATA
# title: Tier 1 workload without a PodDisruptionBudget
# description: |
#   Node upgrades, autoscaler scale-downs and spot interruptions evict pods. Without a
#   PodDisruptionBudget, a drain may evict every replica of a business-critical service at
#   once. A tier 1 Deployment or StatefulSet needs a PDB in the same namespace whose selector
#   matches its pod labels (matchLabels and matchExpressions are both evaluated; in policy/v1
#   an empty selector matches every pod of the namespace, while a missing selector, or an
#   empty one in policy/v1beta1, matches none). The tier is the service's, or the workload's tier label.
#   PDBs anywhere in the checked manifests count.
#   A tier label or a PDB selector left to substitution before apply (${TIER}) is reported as
#   undetermined.
# custom:
#   id: k8s-pdb-tier1
#   severity: deny
#   category: kubernetes
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Add a policy/v1 PodDisruptionBudget with a selector matching the pod labels and minAvailable (or maxUnavailable) that keeps the service up during a drain.
#   resource_types: [Deployment, StatefulSet, PodDisruptionBudget]
#   scope: plan
#   parameters:
#     tiers:
#       default: [1]
#       description: Service tiers whose workloads need a PodDisruptionBudget.
#   examples:
#     fail: |
#       # service tier 1
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: checkout, namespace: shop}
#       spec:
#         replicas: 3
#         selector: {matchLabels: {app: checkout}}
#         template:
#           metadata: {labels: {app: checkout}}
#           spec:
#             containers: [{name: checkout, image: "ghcr.io/acme/checkout:5.2.0"}]
#     pass: |
#       apiVersion: policy/v1
#       kind: PodDisruptionBudget
#       metadata: {name: checkout, namespace: shop}
#       spec:
#         minAvailable: 2
#         selector: {matchLabels: {app: checkout}}
package paved.rules.k8s_pdb_tier1

import data.paved.lib

params := data.paved.params.k8s_pdb_tier1

deny contains f if {
	some kind in ["Deployment", "StatefulSet"]
	some r in object.get(input.by_type, kind, [])
	lib.judged(r)
	lib.tier(r) in params.tiers
	labels := lib.pod_labels(r)
	not _covered(r, labels)
	not _unsure(r)
	f := lib.finding(r, sprintf("%s is tier %v but no PodDisruptionBudget selects its pods", [lib.workload_name(r), lib.tier(r)]), "spec.template.metadata.labels", labels)
}

# The tier label is a substitution variable, and the check has no service tier.
deny contains f if {
	some kind in ["Deployment", "StatefulSet"]
	some r in object.get(input.by_type, kind, [])
	lib.judged(r)
	not is_number(object.get(input, ["service", "tier"], null))
	v := object.get(r.after, ["metadata", "labels", "tier"], "")
	lib.placeholder(v)
	f := lib.substituted(r, "metadata.labels.tier", v, "the workload is tier 1")
}

# A PDB that may select the pods once substituted.
deny contains f if {
	some kind in ["Deployment", "StatefulSet"]
	some r in object.get(input.by_type, kind, [])
	lib.judged(r)
	lib.tier(r) in params.tiers
	not _covered(r, lib.pod_labels(r))
	_unsure(r)
	f := lib.substituted(r, "spec.template.metadata.labels", lib.pod_labels(r), "a PodDisruptionBudget selects its pods")
}

_unsure(r) if {
	some pdb in object.get(input.by_type, "PodDisruptionBudget", [])
	lib.judged(pdb)
	_same_namespace(_namespace(pdb), _namespace(r))
	some _, v in object.get(pdb.after, ["spec", "selector", "matchLabels"], {})
	lib.placeholder(v)
}

_unsure(r) if {
	some _, v in lib.pod_labels(r)
	lib.placeholder(v)
}

_covered(r, labels) if {
	some pdb in object.get(input.by_type, "PodDisruptionBudget", [])
	lib.judged(pdb)
	_same_namespace(_namespace(pdb), _namespace(r))
	sel := pdb.after.spec.selector
	not _selects_nothing(pdb.after.apiVersion, sel)
	_selects(sel, labels)
}

# policy/v1beta1 read an empty selector as selecting no pods; policy/v1
# (Kubernetes 1.21) as selecting every pod of the namespace.
_selects_nothing("policy/v1beta1", sel) if {
	count(object.get(sel, "matchLabels", {})) == 0
	count(object.get(sel, "matchExpressions", [])) == 0
}

_namespace(r) := object.get(r.after, ["metadata", "namespace"], "")

# A manifest without metadata.namespace goes to the namespace chosen at apply
# time (kubectl -n, helm --namespace): Helm charts often render the
# namespace on some objects and not on others. Such a PDB may well sit next
# to the workload, so it counts; two different explicit namespaces do not.
_same_namespace(a, b) if a == b

_same_namespace(a, _) if a in {"", null}

_same_namespace(_, b) if b in {"", null}

_selects(sel, labels) if {
	is_object(sel)
	every k, v in object.get(sel, "matchLabels", {}) {
		labels[k] == v
	}
	every e in object.get(sel, "matchExpressions", []) {
		_expr(e, labels)
	}
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
