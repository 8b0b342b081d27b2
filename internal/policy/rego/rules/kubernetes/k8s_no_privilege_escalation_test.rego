package paved.rules.k8s_no_privilege_escalation_test

import data.paved.rules.k8s_no_privilege_escalation as rule
import data.paved.test.k8s
import data.paved.test.manifests

cronjob(c) := k8s("CronJob", "report", {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [c]}}}}}})

test_fail_default_allows if {
	fs := rule.deny with input as manifests([cronjob({"name": "r", "image": "x:1"})])
	some f in fs
	f.path == "spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"
}

test_fail_pod_level_is_not_enough if {
	# allowPrivilegeEscalation does not exist on the pod securityContext
	p := k8s("Pod", "p", {"spec": {"securityContext": {"allowPrivilegeEscalation": false}, "containers": [{"name": "a", "image": "x:1"}]}})
	count(rule.deny) == 1 with input as manifests([p])
}

test_pass_false if {
	count(rule.deny) == 0 with input as manifests([cronjob({"name": "r", "image": "x:1", "securityContext": {"allowPrivilegeEscalation": false}})])
}

test_fail_substituted_is_undetermined if {
	fs := rule.deny with input as manifests([cronjob({"name": "c", "image": "c:1", "securityContext": {"allowPrivilegeEscalation": "${ESCALATE}"}})])
	[f.undetermined | some f in fs] == [true]
}
