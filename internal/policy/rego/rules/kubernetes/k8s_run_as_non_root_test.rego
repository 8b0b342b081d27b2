package paved.rules.k8s_run_as_non_root_test

import data.paved.rules.k8s_run_as_non_root as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

test_fail_unset if {
	fs := rule.deny with input as manifests([k8s("Pod", "p", {"spec": {"containers": [{"name": "a", "image": "x:1"}]}})])
	some f in fs
	f.path == "spec.containers[0].securityContext.runAsNonRoot"
}

test_fail_container_overrides_pod if {
	fs := rule.deny with input as manifests([deployment("web", {
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "ok", "image": "x:1"}, {"name": "bad", "image": "x:1", "securityContext": {"runAsNonRoot": false}}],
		"initContainers": [{"name": "root", "image": "x:1", "securityContext": {"runAsUser": 0}}],
	})])
	{f.path | some f in fs} == {"spec.template.spec.containers[1].securityContext.runAsNonRoot", "spec.template.spec.initContainers[0].securityContext.runAsUser"}
}

test_pass_pod_level_non_root_user_and_windows if {
	count(rule.deny) == 0 with input as manifests([
		deployment("a", {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "image": "x:1"}]}),
		deployment("b", {"containers": [{"name": "b", "image": "x:1", "securityContext": {"runAsUser": 1000}}]}),
		deployment("c", {"os": {"name": "windows"}, "containers": [{"name": "c", "image": "x:1"}]}),
	])
}

# Pods from before spec.os pick Windows nodes with a node selector only.
test_pass_windows_node_selector if {
	count(rule.deny) == 0 with input as manifests([deployment("iis", {"nodeSelector": {"kubernetes.io/os": "windows"}, "containers": [{"name": "iis", "image": "x:1"}]})])
	count(rule.deny) == 1 with input as manifests([deployment("web", {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "web", "image": "x:1"}]})])
}

test_pass_windows_beta_label_and_affinity if {
	c := [{"name": "iis", "image": "x:1"}]
	aff := {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["windows"]}]}]}}}
	count(rule.deny) == 0 with input as manifests([
		deployment("a", {"nodeSelector": {"beta.kubernetes.io/os": "windows"}, "containers": c}),
		deployment("b", {"affinity": aff, "containers": c}),
	])
}

# Affinity that also admits Linux nodes is not a Windows pod.
test_fail_affinity_admitting_linux if {
	c := [{"name": "app", "image": "x:1"}]
	terms := [
		{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["windows"]}]},
		{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]},
	]
	aff := {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}
	count(rule.deny) == 1 with input as manifests([deployment("a", {"affinity": aff, "containers": c})])
	aff2 := {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux", "windows"]}]}]}}}
	count(rule.deny) == 1 with input as manifests([deployment("b", {"affinity": aff2, "containers": c})])
}

test_fail_substituted_is_undetermined if {
	fs := rule.deny with input as manifests([deployment("web", {"securityContext": {"runAsUser": "${UID}"}, "containers": [{"name": "web", "image": "web:1"}]})])
	[[f.path, f.undetermined] | some f in fs] == [["spec.template.spec.securityContext.runAsUser", true]]
}
