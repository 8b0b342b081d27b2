package paved.rules.k8s_network_policy_test

import data.paved.rules.k8s_network_policy as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

params := {"covered_namespaces": []}

web := deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0"}]})

np(sel) := k8s("NetworkPolicy", "np", {"apiVersion": "networking.k8s.io/v1", "spec": {"podSelector": sel}})

test_fail_no_policy if {
	count(rule.warn) == 1 with input as manifests([web]) with data.paved.params.k8s_network_policy as params
	count(rule.warn) == 1 with input as manifests([web, np({"matchLabels": {"app": "api"}})]) with data.paved.params.k8s_network_policy as params
	other := object.union(np({}), {"after": {"metadata": {"namespace": "other"}}})
	count(rule.warn) == 1 with input as manifests([web, other]) with data.paved.params.k8s_network_policy as params
}

test_pass_selected if {
	count(rule.warn) == 0 with input as manifests([web, np({})]) with data.paved.params.k8s_network_policy as params
	count(rule.warn) == 0 with input as manifests([web, np({"matchLabels": {"app": "web"}})]) with data.paved.params.k8s_network_policy as params
	count(rule.warn) == 0 with input as manifests([web, np({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]})]) with data.paved.params.k8s_network_policy as params
	count(rule.warn) == 0 with input as manifests([web]) with data.paved.params.k8s_network_policy as {"covered_namespaces": ["default"]}
	count(rule.warn) == 0 with input as manifests([web, k8s("CiliumClusterwideNetworkPolicy", "baseline", {"apiVersion": "cilium.io/v2"})]) with data.paved.params.k8s_network_policy as params
}

test_fail_substituted_undetermined if {
	fs := rule.warn with input as manifests([web, np({"matchLabels": {"app": "${APP}"}})]) with data.paved.params.k8s_network_policy as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
