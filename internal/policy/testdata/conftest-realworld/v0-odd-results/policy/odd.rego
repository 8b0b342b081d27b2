package main

# A boolean deny (v0 allows it): conftest counts it as a success.
deny {
	input.kind == "Deployment"
}

# Non-string, non-object members are ignored; an empty message too.
deny_numbers[x] {
	x := [1, 2][_]
}

deny_empty[msg] {
	msg := ""
}

deny_objects[{"msg": m, "severity": "high", "n": 1}] {
	m := sprintf("object result for %s", [input.metadata.name])
}

# A partial object rule is not a set: conftest ignores it.
deny_map[k] = v {
	k := "key"
	v := "value"
}

# A v0 exception written the old way, silencing deny_objects on one input.
exception[rules] {
	input.metadata.name == "skip-me"
	rules = ["objects"]
}

warn[msg] {
	allowed := data.allowed_registries[_]
	not startswith(input.spec.template.spec.containers[0].image, allowed)
	msg := sprintf("%s: image not from %s (of %v, env %v)", [input.metadata.name, allowed, data.allowed_registries, data.nested.settings.env])
}

warn_set[msg] {
	s := {"b", "a", "c"}
	msg := sprintf("set %v array %v object %v null %v float %v", [s, ["x", 1, true], {"z": 1, "a": [2]}, null, 0.1])
}
