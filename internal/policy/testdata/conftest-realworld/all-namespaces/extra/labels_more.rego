package k8s.labels

import rego.v1

warn_name_format contains msg if {
	some o in objects
	not regex.match(`^[a-z][a-z0-9-]{1,30}$`, o.metadata.name)
	msg := sprintf("%s name %q does not match the naming convention", [o.kind, o.metadata.name])
}
