package k8s.labels

import rego.v1

required := {"app.kubernetes.io/name", "app.kubernetes.io/owner"}

objects contains o if {
	input.kind != "List"
	o := input
}

objects contains o if {
	some o in input.items
}

violation contains {"msg": msg, "details": {"missing": sort(missing)}} if {
	some o in objects
	provided := {k | some k, _ in object.get(o.metadata, "labels", {})}
	missing := required - provided
	count(missing) > 0
	msg := sprintf("%s/%s lacks labels %s", [o.kind, o.metadata.name, concat(", ", sort(missing))])
}
