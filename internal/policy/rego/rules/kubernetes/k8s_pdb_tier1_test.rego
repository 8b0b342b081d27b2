package paved.rules.k8s_pdb_tier1_test

import data.paved.rules.k8s_pdb_tier1 as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

tier1(rs) := object.union(manifests(rs), {"service": {"tier": 1}})

pdb(name, ns, selector) := object.union(k8s("PodDisruptionBudget", name, {"spec": {"minAvailable": 1, "selector": selector}}), {"after": {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": ns}, "spec": {"minAvailable": 1, "selector": selector}}})

test_fail_no_pdb if {
	fs := rule.deny with input as tier1([deployment("checkout", {"containers": []})])
	some f in fs
	f.address == "Deployment/default/checkout"
}

test_fail_pdb_other_namespace_or_selector if {
	count(rule.deny) == 1 with input as tier1([
		deployment("checkout", {"containers": []}),
		pdb("a", "other", {"matchLabels": {"app": "checkout"}}),
		pdb("b", "default", {"matchLabels": {"app": "cart"}}),
		pdb("c", "default", {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["checkout"]}]}),
	])
}

test_fail_tier_label if {
	d := json.patch(deployment("checkout", {"containers": []}), [{"op": "add", "path": "/after/metadata/labels", "value": {"tier": "1"}}])
	count(rule.deny) == 1 with input as manifests([d])
}

test_pass_matching_pdbs if {
	count(rule.deny) == 0 with input as tier1([deployment("checkout", {"containers": []}), pdb("a", "default", {"matchLabels": {"app": "checkout"}})])
	count(rule.deny) == 0 with input as tier1([deployment("checkout", {"containers": []}), pdb("a", "default", {"matchExpressions": [{"key": "app", "operator": "In", "values": ["checkout", "cart"]}, {"key": "canary", "operator": "DoesNotExist"}]})])
	count(rule.deny) == 0 with input as tier1([deployment("checkout", {"containers": []}), pdb("a", "default", {})])
}

test_pass_not_tier1 if {
	count(rule.deny) == 0 with input as manifests([deployment("checkout", {"containers": []})])
	count(rule.deny) == 0 with input as object.union(manifests([deployment("checkout", {"containers": []})]), {"service": {"tier": 2}})
	d := json.patch(deployment("web", {"containers": []}), [{"op": "add", "path": "/after/metadata/labels", "value": {"tier": "frontend"}}])
	count(rule.deny) == 0 with input as manifests([d])
}

# Helm output often puts metadata.namespace on the workload but not on the
# PDB (or the other way round): both then land in the release's namespace.
test_pass_pdb_without_namespace if {
	p := json.remove(pdb("a", "default", {"matchLabels": {"app": "checkout"}}), ["after/metadata/namespace"])
	d := json.patch(deployment("checkout", {"containers": []}), [{"op": "replace", "path": "/after/metadata/namespace", "value": "shop"}])
	count(rule.deny) == 0 with input as tier1([d, p])
	p2 := json.remove(pdb("b", "default", {"matchLabels": {"app": "cart"}}), ["after/metadata/namespace"])
	count(rule.deny) == 1 with input as tier1([d, p2])
}

# A PDB without a selector (or with a null one) selects no pods; an empty
# selector selects every pod in policy/v1 but none in policy/v1beta1.
test_fail_pdb_without_selector if {
	p := json.remove(pdb("a", "default", {}), ["after/spec/selector"])
	count(rule.deny) == 1 with input as tier1([deployment("checkout", {"containers": []}), p])
	count(rule.deny) == 1 with input as tier1([deployment("checkout", {"containers": []}), pdb("b", "default", null)])
	v1beta1 := json.patch(pdb("c", "default", {}), [{"op": "replace", "path": "/after/apiVersion", "value": "policy/v1beta1"}])
	count(rule.deny) == 1 with input as tier1([deployment("checkout", {"containers": []}), v1beta1])
}

test_pass_v1beta1_pdb_with_selector if {
	p := json.patch(pdb("a", "default", {"matchLabels": {"app": "checkout"}}), [{"op": "replace", "path": "/after/apiVersion", "value": "policy/v1beta1"}])
	count(rule.deny) == 0 with input as tier1([deployment("checkout", {"containers": []}), p])
}

test_fail_substituted_tier_is_undetermined if {
	d := deployment("web", {"containers": [{"name": "web", "image": "web:1"}]})
	fs := rule.deny with input as manifests([object.union(d, {"after": {"metadata": {"labels": {"tier": "${TIER}"}}}})])
	[f.undetermined | some f in fs] == [true]
}
