package lib.k8s

test_split_image_default_tag {
	split_image("nginx") == ["nginx", "latest"]
}

# A broken test never runs in `conftest test`.
deny[msg] {
	msg := "from a _test.rego file"
}
