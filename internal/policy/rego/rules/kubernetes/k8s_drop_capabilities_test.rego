package paved.rules.k8s_drop_capabilities_test

import data.paved.rules.k8s_drop_capabilities as rule
import data.paved.test.deployment
import data.paved.test.manifests

params := {"must_drop": ["NET_RAW"], "require_drop_all": false}

drop(d) := deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0", "securityContext": {"capabilities": {"drop": d}}}]})

test_fail_not_dropped if {
	count(rule.warn) == 1 with input as manifests([deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0"}]})]) with data.paved.params.k8s_drop_capabilities as params
	count(rule.warn) == 1 with input as manifests([drop(["CHOWN"])]) with data.paved.params.k8s_drop_capabilities as params
	count(rule.warn) == 1 with input as manifests([drop(["NET_RAW"])]) with data.paved.params.k8s_drop_capabilities as {"must_drop": ["NET_RAW"], "require_drop_all": true}
}

test_pass_dropped if {
	count(rule.warn) == 0 with input as manifests([drop(["ALL"])]) with data.paved.params.k8s_drop_capabilities as params
	count(rule.warn) == 0 with input as manifests([drop(["all"])]) with data.paved.params.k8s_drop_capabilities as params
	count(rule.warn) == 0 with input as manifests([drop(["CAP_NET_RAW"])]) with data.paved.params.k8s_drop_capabilities as params
}

test_fail_substituted_undetermined if {
	fs := rule.warn with input as manifests([drop(["${DROP}"])]) with data.paved.params.k8s_drop_capabilities as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
