package main

import rego.v1

warn contains msg if {
	some k, v in input.data
	msg := sprintf("%s data.%v: %s %v", [input.metadata.name, k, type_name(v), v])
}

deny contains msg if {
	input.kind == "Widget"
	some k, _ in input
	msg := sprintf("Widget top-level key %v", [k])
}

deny_merged contains msg if {
	some name, svc in input.spec.services
	svc.privileged
	msg := sprintf("service %s is privileged (restart %v, env %v)", [name, svc.restart, svc.environment])
}
