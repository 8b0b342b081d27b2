package main

test_root_denied if {
	deny["web must run as non-root"] with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {}}}}
}

test_few_replicas_warned if {
	print("min replicas from --data:", data.limits.min_replicas)
	warn["web runs 1 replicas, fewer than 2"] with input as {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1, "template": {"spec": {"securityContext": {"runAsNonRoot": true}}}}}
}
