package main

# Cross-document checks, the reason --combine exists: every Service must
# select the pods of some Deployment among all the files checked.
deny contains msg if {
	some svc in input
	svc.contents.kind == "Service"
	not _selected(svc.contents.spec.selector)
	msg := sprintf("%s: Service %s selects no Deployment's pods", [svc.path, svc.contents.metadata.name])
}

_selected(sel) if {
	some d in input
	d.contents.kind == "Deployment"
	labels := d.contents.spec.template.metadata.labels
	every k, v in sel {
		labels[k] == v
	}
}

warn contains msg if {
	msg := sprintf("checked %d documents: %s", [count(input), concat(", ", [sprintf("%s:%s", [x.path, x.contents.kind]) | some x in input])])
}
