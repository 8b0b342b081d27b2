package terraform.tags

import rego.v1

violation contains {"msg": msg, "details": {"missing": missing}} if {
	some rc in input.resource_changes
	rc.mode == "managed"
	rc.change.after != null
	tags := object.get(rc.change.after, "tags", {})
	provided := {k | some k, _ in tags}
	missing := {t | some t in data.tags.required} - provided
	count(missing) > 0
	msg := sprintf("%s is missing tags %v", [rc.address, sort(missing)])
}

# Numbers in tags print as JSON numbers.
warn contains msg if {
	some rc in input.resource_changes
	cc := rc.change.after.tags["cost-center"]
	is_number(cc)
	msg := sprintf("%s: cost-center is a number (%v), before %v", [rc.address, cc, rc.change.before.tags["cost-center"]])
}
