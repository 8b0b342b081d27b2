package main

import rego.v1

# The legacy workload is allowed to run as root and on the host network.
exception contains rules if {
	input.metadata.name == "legacy"
	rules := ["run_as_root", "host_network"]
}

# Batch jobs are exempt from every bare `deny`.
exception contains rules if {
	input.metadata.labels.tier == "batch"
	rules := [""]
}

# Warnings can be excepted too.
exception contains rules if {
	input.metadata.annotations["policy.example.com/pull"] == "ignore"
	rules := ["image_pull"]
}

# An exception listing a rule that matches nothing changes nothing.
exception contains ["no_such_rule"] if {
	input.kind == "Deployment"
}
