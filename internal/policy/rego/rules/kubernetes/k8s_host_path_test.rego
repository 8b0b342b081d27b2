package paved.rules.k8s_host_path_test

import data.paved.rules.k8s_host_path as rule
import data.paved.test.deployment
import data.paved.test.manifests

test_fail_docker_socket if {
	fs := rule.deny with input as manifests([deployment("web", {"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]})])
	some f in fs
	f.path == "spec.template.spec.volumes[1].hostPath.path"
	f.value == "/var/run/docker.sock"
}

test_fail_prefix_is_not_a_string_prefix if {
	count(rule.deny) == 1 with input as manifests([deployment("web", {"volumes": [{"name": "x", "hostPath": {"path": "/var/logs-secret"}}]})])
		with data.paved.params.k8s_host_path as {"allowed_paths": ["/var/log"]}
}

test_pass_allowed_prefix_and_no_host_path if {
	count(rule.deny) == 0 with input as manifests([deployment("agent", {"volumes": [{"name": "logs", "hostPath": {"path": "/var/log/pods"}}]})])
		with data.paved.params.k8s_host_path as {"allowed_paths": ["/var/log/"]}
	count(rule.deny) == 0 with input as manifests([deployment("web", {"volumes": [{"name": "tmp", "emptyDir": {}}]})])
}

test_fail_substituted_is_undetermined if {
	fs := rule.deny with input as manifests([deployment("web", {"volumes": [{"name": "data", "hostPath": {"path": "${DATA_DIR}"}}], "containers": [{"name": "web", "image": "web:1"}]})])
	[f.undetermined | some f in fs] == [true]
}
