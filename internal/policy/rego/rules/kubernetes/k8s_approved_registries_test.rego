package paved.rules.k8s_approved_registries_test

import data.paved.rules.k8s_approved_registries as rule
import data.paved.test.deployment
import data.paved.test.manifests

pod(images) := deployment("web", {"containers": [{"name": sprintf("c%d", [i]), "image": img} | some i, img in images]})

test_fail_docker_hub_and_lookalikes if {
	fs := rule.deny with input as manifests([pod([
		"someuser/web:1.0",
		"nginx:1.27",
		"ghcr.io/paved-dev-evil/web:1",
		"evil.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1",
	])])
	count(fs) == 4
}

test_fail_docker_hub_short_name_counts_as_docker_io if {
	fs := rule.deny with input as manifests([pod(["redis:7"])])
		with data.paved.params.k8s_approved_registries as {"approved": ["quay.io"]}
	some f in fs
	contains(f.msg, "docker.io")
}

test_pass_approved if {
	count(rule.deny) == 0 with input as manifests([pod([
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2",
		"public.ecr.aws/nginx/nginx:1.27",
		"registry.k8s.io/pause:3.9",
		"ghcr.io/paved-dev/paved:0.1.0",
	])])
	count(rule.deny) == 0 with input as manifests([pod(["nginx:1.27", "docker.io/library/redis:7", "index.docker.io/library/busybox:1"])])
		with data.paved.params.k8s_approved_registries as {"approved": ["docker.io/library"]}
}

test_fail_substituted_registry_is_undetermined if {
	fs := rule.deny with input as manifests([pod(["${REGISTRY}/acme/web:1.2.0"])])
	[f.undetermined | some f in fs] == [true]
}
