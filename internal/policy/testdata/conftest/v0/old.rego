package main

deny[msg] {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("v0: %s must set runAsNonRoot", [input.metadata.name])
}

warn[{"msg": msg}] {
	input.kind == "Service"
	msg := "v0: a service"
}
