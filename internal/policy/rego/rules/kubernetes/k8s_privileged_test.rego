package paved.rules.k8s_privileged_test

import data.paved.rules.k8s_privileged as rule
import data.paved.test.k8s
import data.paved.test.manifests

ds(c) := k8s("DaemonSet", "agent", {"spec": {"template": {"spec": {"containers": [c]}}}})

test_fail_privileged if {
	fs := rule.deny with input as manifests([ds({"name": "a", "image": "x:1", "securityContext": {"privileged": true}})])
	some f in fs
	f.path == "spec.template.spec.containers[0].securityContext.privileged"
}

test_fail_sys_admin_capability if {
	fs := rule.deny with input as manifests([ds({"name": "a", "image": "x:1", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "CAP_SYS_ADMIN"]}}})])
	{f.value | some f in fs} == {"CAP_SYS_ADMIN"}
}

test_pass_unprivileged if {
	count(rule.deny) == 0 with input as manifests([ds({"name": "a", "image": "x:1", "securityContext": {"privileged": false, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}}})])
}

test_fail_substituted_is_undetermined if {
	fs := rule.deny with input as manifests([ds({"name": "a", "image": "a:1", "securityContext": {"privileged": "${PRIVILEGED}", "capabilities": {"add": ["${CAP}"]}}})])
	{[f.path, f.undetermined] | some f in fs} == {["spec.template.spec.containers[0].securityContext.privileged", true], ["spec.template.spec.containers[0].securityContext.capabilities.add[0]", true]}
}
