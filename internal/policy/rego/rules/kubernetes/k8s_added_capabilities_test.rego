package paved.rules.k8s_added_capabilities_test

import data.paved.rules.k8s_added_capabilities as rule
import data.paved.test.deployment
import data.paved.test.manifests

caps(add) := deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0", "securityContext": {"capabilities": {"drop": ["ALL"], "add": add}}}]})

test_fail_added_capabilities if {
	fs := rule.warn with input as manifests([caps(["SYS_TIME", "cap_chown", "NET_BIND_SERVICE"])])
	{f.value | some f in fs} == {"SYS_TIME", "cap_chown"}
}

test_pass_allowed_forbidden_elsewhere_or_substituted if {
	count(rule.warn) == 0 with input as manifests([caps(["NET_BIND_SERVICE", "SYS_ADMIN", "${CAP}"])])
	count(rule.warn) == 0 with input as manifests([deployment("web", {"containers": [{"name": "web", "image": "web:1.0.0"}]})])
}

test_pass_allowed_by_params if {
	count(rule.warn) == 0 with input as manifests([caps(["SYS_TIME"])])
		with data.paved.params.k8s_added_capabilities as {"allowed_capabilities": ["sys_time"]}
}
