package k8s

deny contains msg if {
	input.kind == "Service"
	not input.metadata.namespace
	msg := sprintf("Service %s has no namespace", [input.metadata.name])
}
