package k8s.security

import rego.v1

pods contains pod if {
	input.kind == "Pod"
	pod := input
}

pods contains pod if {
	input.kind == "List"
	some item in input.items
	item.kind == "Pod"
	pod := item
}

deny contains msg if {
	some pod in pods
	some c in pod.spec.containers
	some cap in c.securityContext.capabilities.add
	upper(cap) in {"SYS_ADMIN", "NET_ADMIN"}
	msg := sprintf("pod %s container %s adds %s", [pod.metadata.name, c.name, cap])
}

warn_host_path contains msg if {
	some pod in pods
	some v in pod.spec.volumes
	v.hostPath
	print("hostPath volume", v.name, "in", pod.metadata.name)
	msg := sprintf("pod %s mounts host path %s", [pod.metadata.name, v.hostPath.path])
}
