package lib.tf

import rego.v1

changes contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
}

creates(rc) if "create" in rc.change.actions

updates(rc) if "update" in rc.change.actions

deletes(rc) if "delete" in rc.change.actions

replaces(rc) if {
	deletes(rc)
	creates(rc)
}

action_text(rc) := concat("/", rc.change.actions)
