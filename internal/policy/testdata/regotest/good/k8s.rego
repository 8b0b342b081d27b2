package main

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s must run as non-root", [input.metadata.name])
}

warn contains msg if {
	input.kind == "Deployment"
	input.spec.replicas < data.limits.min_replicas
	msg := sprintf("%s runs %d replicas, fewer than %d", [input.metadata.name, input.spec.replicas, data.limits.min_replicas])
}
