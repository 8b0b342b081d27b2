package paved.rules.k8s_host_namespaces_test

import data.paved.rules.k8s_host_namespaces as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

test_fail_host_network_and_pid if {
	fs := rule.deny with input as manifests([k8s("Pod", "p", {"spec": {"hostNetwork": true, "hostPID": true, "containers": []}})])
	{f.path | some f in fs} == {"spec.hostNetwork", "spec.hostPID"}
}

test_fail_replicaset_host_ipc if {
	count(rule.deny) == 1 with input as manifests([k8s("ReplicaSet", "rs", {"spec": {"template": {"spec": {"hostIPC": true}}}})])
}

test_pass_isolated if {
	count(rule.deny) == 0 with input as manifests([deployment("web", {"hostNetwork": false, "containers": []})])
}

test_fail_substituted_is_undetermined if {
	fs := rule.deny with input as manifests([deployment("web", {"hostNetwork": "${HOST_NETWORK}", "containers": [{"name": "web", "image": "web:1"}]})])
	[f.undetermined | some f in fs] == [true]
}
