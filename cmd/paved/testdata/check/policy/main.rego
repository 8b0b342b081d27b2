package main

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("Containers must not run as root in Deployment %s", [input.metadata.name])
}

warn contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < 3
	msg := sprintf("Deployment %s has fewer than 3 replicas", [input.metadata.name])
}
