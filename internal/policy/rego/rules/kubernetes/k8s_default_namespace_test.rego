package paved.rules.k8s_default_namespace_test

import data.paved.rules.k8s_default_namespace as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

params := {"left_out_is_default": true}

in_ns(ns) := object.union(deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0"}]}), {"after": {"metadata": {"name": "web", "namespace": ns}}})

left_out := json.remove(deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0"}]}), ["after/metadata/namespace"])

test_fail_default_namespace if {
	fs := rule.warn with input as manifests([in_ns("default"), k8s("Service", "web", {"apiVersion": "v1"})]) with data.paved.params.k8s_default_namespace as params
	count(fs) == 2
}

test_fail_left_out if {
	fs := rule.warn with input as manifests([left_out]) with data.paved.params.k8s_default_namespace as params
	count(fs) == 1
}

test_pass_own_namespace_or_left_to_the_tool if {
	count(rule.warn) == 0 with input as manifests([in_ns("storefront")]) with data.paved.params.k8s_default_namespace as params
	count(rule.warn) == 0 with input as manifests([left_out]) with data.paved.params.k8s_default_namespace as {"left_out_is_default": false}
}

test_fail_substituted_undetermined if {
	fs := rule.warn with input as manifests([in_ns("${NAMESPACE}")]) with data.paved.params.k8s_default_namespace as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
