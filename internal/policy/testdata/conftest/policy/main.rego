# conftest-style policy written for the engine tests.
package main

import data.registries

# A plain string result.
deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("Deployment %s must set runAsNonRoot", [input.metadata.name])
}

# An object result: msg plus details that are kept.
violation contains {"msg": msg, "resource": addr, "severity": "high"} if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	not approved(c.image)
	addr := sprintf("Deployment/%s", [input.metadata.name])
	msg := sprintf("image %s is not from an approved registry", [c.image])
}

approved(image) if {
	some prefix in registries.allowed
	startswith(image, prefix)
}

# A prefixed rule that the exception below silences for "legacy" apps.
deny_run_as_root contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	c.securityContext.runAsUser == 0
	msg := sprintf("container %s runs as root", [c.name])
}

exception contains rules if {
	input.metadata.labels.app == "legacy"
	rules := ["run_as_root"]
}

warn_replicas contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < 2
	print("replicas of", input.metadata.name, "=", input.spec.replicas)
	msg := sprintf("%s has %d replica(s); use at least 2", [input.metadata.name, input.spec.replicas])
}

warn contains msg if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	msg := sprintf("Service %s in %s is exposed by a load balancer", [input.metadata.name, data.conftest.file.name])
}

# Not a conftest rule name: never reported.
denyall contains "never reported" if true

# An empty message counts as a success in conftest.
warn_empty contains "" if input.kind == "Service"
