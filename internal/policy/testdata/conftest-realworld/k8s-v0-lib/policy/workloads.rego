package main

import data.lib.k8s

name = input.metadata.name

deny[msg] {
	input.kind == "Deployment"
	input.spec.replicas > 10
	msg := sprintf("%s: %v replicas is more than 10 (%v)", [name, input.spec.replicas, input.spec])
}

deny[msg] {
	k8s.kind == "Service"
	input.spec.type == "NodePort"
	port := input.spec.ports[_]
	msg := sprintf("Service %s exposes node port %d (%s)", [name, port.nodePort, port.protocol])
}

warn_deprecated_api[msg] {
	deprecated := {"extensions/v1beta1", "apps/v1beta1", "apps/v1beta2", "batch/v1beta1"}
	deprecated[input.apiVersion]
	msg := sprintf("%s %s uses the deprecated API %s", [input.kind, name, input.apiVersion])
}

# Not a conftest rule name: never reported.
denied[msg] {
	msg := "not a rule"
}

deny_[msg] {
	msg := "not a rule either"
}
