package main

import rego.v1

# Kubernetes is not the only input: conftest is used on any YAML or JSON.
deny contains msg if {
	some name, job in input.jobs
	not job["timeout-minutes"]
	msg := sprintf("job %s has no timeout-minutes", [name])
}

warn contains msg if {
	some k, v in input
	msg := sprintf("%s top-level key %v (%s) = %v", [data.conftest.file.name, k, type_name(k), v])
	not k in {"jobs", "services", "x-common"}
}

warn_types contains msg if {
	some k, v in input.values
	msg := sprintf("values.%v: %s %v", [k, type_name(v), v])
}

deny_compose contains msg if {
	some name, svc in input.services
	svc.privileged
	msg := sprintf("compose service %s is privileged (restart %v, env %v)", [name, svc.restart, svc.environment])
}
