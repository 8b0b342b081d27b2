package main

# opa test / conftest verify run this; paved check does not load *_test.rego.
test_root_denied if {
	deny["Deployment web must set runAsNonRoot"] with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {}}}}
}
