package paved.rules.k8s_seccomp_test

import data.paved.rules.k8s_seccomp as rule
import data.paved.test.deployment
import data.paved.test.manifests

pod(pod_sc, c_sc) := deployment("web", {"securityContext": pod_sc, "containers": [{"name": "web", "image": "web:1.0.0", "securityContext": c_sc}]})

test_fail_none_or_unconfined if {
	count(rule.warn) == 1 with input as manifests([pod({}, {})])
	count(rule.warn) == 1 with input as manifests([pod({"seccompProfile": {"type": "RuntimeDefault"}}, {"seccompProfile": {"type": "Unconfined"}})])
}

test_pass_pod_or_container_level if {
	count(rule.warn) == 0 with input as manifests([pod({"seccompProfile": {"type": "RuntimeDefault"}}, {})])
	count(rule.warn) == 0 with input as manifests([pod({}, {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/web.json"}})])
	count(rule.warn) == 0 with input as manifests([deployment("win", {"os": {"name": "windows"}, "containers": [{"name": "web", "image": "web:1.0.0"}]})])
}

test_fail_substituted_undetermined if {
	fs := rule.warn with input as manifests([pod({"seccompProfile": {"type": "${SECCOMP}"}}, {})])
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
