package paved.rules.k8s_resources_test

import data.paved.rules.k8s_resources as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

full := {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}

test_fail_missing_in_container_and_init if {
	fs := rule.deny with input as manifests([deployment("web", {
		"initContainers": [{"name": "migrate", "image": "x:1"}],
		"containers": [{"name": "web", "image": "x:1", "resources": {"requests": {"cpu": "100m"}}}],
	})])
	{[f.path, f.value] | some f in fs} == {
		["spec.template.spec.initContainers[0].resources", ["requests.cpu", "requests.memory", "limits.memory"]],
		["spec.template.spec.containers[0].resources", ["requests.memory", "limits.memory"]],
	}
}

test_fail_cronjob_with_cpu_limits_required if {
	cj := k8s("CronJob", "report", {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "r", "image": "x:1", "resources": full}]}}}}}})
	fs := rule.deny with input as manifests([cj])
		with data.paved.params.k8s_resources as {"required": ["limits.cpu"]}
	some f in fs
	f.path == "spec.jobTemplate.spec.template.spec.containers[0].resources"
}

test_pass_complete_and_ephemeral if {
	count(rule.deny) == 0 with input as manifests([
		deployment("web", {"containers": [{"name": "web", "image": "x:1", "resources": full}], "ephemeralContainers": [{"name": "debug", "image": "busybox:1"}]}),
		k8s("Service", "web", {"spec": {}}),
	])
}

# A request left out defaults to the limit of the same resource.
test_pass_limits_imply_requests if {
	c := {"name": "web", "image": "x:1", "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}}}
	count(rule.deny) == 0 with input as manifests([deployment("web", {"containers": [c]})])
}

test_fail_limits_imply_only_their_own_requests if {
	c := {"name": "web", "image": "x:1", "resources": {"limits": {"memory": "128Mi"}, "requests": {"memory": null}}}
	fs := rule.deny with input as manifests([deployment("web", {"containers": [c]})])
	{f.value | some f in fs} == {["requests.cpu"]}
}
