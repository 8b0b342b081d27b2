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
