package paved.rules.k8s_image_tag_test

import data.paved.rules.k8s_image_tag as rule
import data.paved.test.deployment
import data.paved.test.manifests

pod(images) := deployment("web", {"containers": [{"name": sprintf("c%d", [i]), "image": img} | some i, img in images]})

test_fail_latest_untagged_and_moving if {
	fs := rule.deny with input as manifests([pod(["nginx", "nginx:latest", "localhost:5000/app", "ghcr.io/acme/web:main", "nginx:1.27"])])
	{f.value | some f in fs} == {"nginx", "nginx:latest", "localhost:5000/app", "ghcr.io/acme/web:main"}
}

test_pass_versions_and_digests if {
	count(rule.deny) == 0 with input as manifests([pod([
		"nginx:1.27.2",
		"registry.example.com:5000/team/app:2.0",
		"ghcr.io/acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	])])
}

test_fail_versionless_tags if {
	fs := rule.deny with input as manifests([pod(["redis:alpine", "node:lts", "debian:bookworm-slim", "redis:7.4-alpine"])])
	{f.value | some f in fs} == {"redis:alpine", "node:lts", "debian:bookworm-slim"}
}

test_pass_versionless_allowed_by_params if {
	count(rule.deny) == 0 with input as manifests([pod(["redis:alpine"])])
		with data.paved.params.k8s_image_tag as {"floating_tags": ["latest"], "versionless_tags_float": false}
}

test_fail_substituted_tag_is_undetermined if {
	fs := rule.deny with input as manifests([pod(["ghcr.io/acme/web:${TAG}", "${IMAGE}", "ghcr.io/acme/api:1.2.0"])])
	{[f.value, f.undetermined] | some f in fs} == {["ghcr.io/acme/web:${TAG}", true], ["${IMAGE}", true]}
}
