package paved.rules.k8s_read_only_root_filesystem_test

import data.paved.rules.k8s_read_only_root_filesystem as rule
import data.paved.test.deployment
import data.paved.test.manifests

test_fail_writable if {
	fs := rule.deny with input as manifests([deployment("web", {"containers": [
		{"name": "a", "image": "x:1"},
		{"name": "b", "image": "x:1", "securityContext": {"readOnlyRootFilesystem": false}},
		{"name": "c", "image": "x:1", "securityContext": {"readOnlyRootFilesystem": true}},
	]})])
	{f.path | some f in fs} == {"spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem", "spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem"}
}

test_pass_read_only if {
	count(rule.deny) == 0 with input as manifests([deployment("web", {"containers": [{"name": "a", "image": "x:1", "securityContext": {"readOnlyRootFilesystem": true}}]})])
}

test_fail_substituted_is_undetermined if {
	fs := rule.deny with input as manifests([deployment("web", {"containers": [{"name": "web", "image": "web:1", "securityContext": {"readOnlyRootFilesystem": "${READ_ONLY}"}}]})])
	[f.undetermined | some f in fs] == [true]
}
