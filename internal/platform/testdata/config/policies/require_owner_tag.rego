# METADATA
# title: Resources carry an owner tag
# description: Every taggable resource names the team that owns it in an owner tag.
# custom:
#   id: require-owner-tag
#   severity: deny
#   category: tagging
#   owner: cloud
#   remediation: Add an owner tag (the team's name) to the resource or the provider's default_tags.
#   resource_types: [aws_s3_bucket, aws_db_instance]
package paved.rules.require_owner_tag

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket", "aws_db_instance"])
	not r.tags.owner
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no owner tag", [r.address]), "tags", null)
}
