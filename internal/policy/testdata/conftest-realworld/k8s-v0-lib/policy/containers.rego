package main

import data.lib.k8s

deny[msg] {
	c := k8s.containers[_]
	[_, tag] := k8s.split_image(c.image)
	tag == "latest"
	msg := k8s.format(sprintf("container %s uses the latest tag", [c.name]))
}

deny_privileged[msg] {
	c := k8s.containers[_]
	c.securityContext.privileged
	msg := k8s.format(sprintf("container %s is privileged", [c.name]))
}

violation[{"msg": msg, "details": {"container": c.name}}] {
	c := k8s.containers[_]
	not k8s.has_field(c, "resources")
	msg := k8s.format(sprintf("container %s has no resources", [c.name]))
}

warn_probes[msg] {
	c := k8s.containers[_]
	not c.readinessProbe
	msg = k8s.format(sprintf("container %v has no readiness probe", [c.name]))
}

# The same message from several documents is reported once per document.
warn[msg] {
	k8s.is_workload
	not input.metadata.labels.team
	msg := "a workload has no team label"
}
