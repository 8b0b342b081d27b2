package main

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s must set runAsNonRoot", [input.metadata.name])
}

deny_run_as_root contains msg if {
	some c in input.spec.template.spec.containers
	c.securityContext.runAsUser == 0
	msg := sprintf("%s: container %s runs as uid 0", [input.metadata.name, c.name])
}

violation_host_network contains {"msg": msg, "details": {"kind": input.kind}} if {
	input.spec.template.spec.hostNetwork
	msg := sprintf("%s uses the host network", [input.metadata.name])
}

warn_image_pull contains msg if {
	some c in input.spec.template.spec.containers
	c.imagePullPolicy != "Always"
	msg := sprintf("%s/%s: imagePullPolicy %v", [input.metadata.name, c.name, object.get(c, "imagePullPolicy", "<unset>")])
}

warn_file contains msg if {
	endswith(data.conftest.file.name, ".json")
	msg := sprintf("%s comes from a JSON file (%s)", [input.metadata.name, data.conftest.file.name])
}
