package lib.k8s

# Helpers in the style of the public conftest/konstraint libraries.

default is_admission = false

is_admission {
	input.request.object
}

obj = input.request.object {
	is_admission
}

obj = input {
	not is_admission
}

kind = obj.kind

name = obj.metadata.name

workload_kinds = {"Deployment", "StatefulSet", "DaemonSet", "Job"}

is_workload {
	workload_kinds[kind]
}

pod_spec = obj.spec.template.spec {
	is_workload
}

pod_spec = obj.spec.jobTemplate.spec.template.spec {
	kind == "CronJob"
}

pod_spec = obj.spec {
	kind == "Pod"
}

containers[c] {
	c := pod_spec.containers[_]
}

containers[c] {
	c := pod_spec.initContainers[_]
}

split_image(image) = [image, "latest"] {
	not contains(image, ":")
}

split_image(image) = [repo, tag] {
	[repo, tag] = split(image, ":")
}

has_field(o, f) {
	not object.get(o, f, "__missing__") == "__missing__"
}

format(msg) = sprintf("%s/%s: %s", [kind, name, msg])
