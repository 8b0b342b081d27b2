# METADATA
# title: Cost-allocation tags are present
# description: Untagged resources cannot be allocated to a team.
# custom:
#   id: test-required-tags
#   severity: warn
#   category: tagging
#   resource_types: [aws_db_instance, aws_ebs_volume]
#   parameters:
#     keys:
#       default: [team]
#       description: Tag keys every resource must carry.
package paved.rules.test_required_tags

import data.paved.lib

warn contains f if {
	some r in lib.managed(["aws_db_instance", "aws_ebs_volume"])
	some key in data.paved.params.test_required_tags.keys
	not object.get(r, "tags", {})[key]
	f := {
		"address": r.address,
		"msg": sprintf("missing tag %q", [key]),
		"path": sprintf("tags.%s", [key]),
		"remediation": sprintf("Add the tag %q.", [key]),
	}
}
