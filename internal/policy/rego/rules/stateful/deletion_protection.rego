# METADATA
# title: Database without deletion protection
# description: |
#   Deletion protection makes AWS refuse to delete a database until the flag is turned off
#   in a separate, deliberate change. It is the cheapest insurance against a mistaken
#   terraform destroy, a renamed resource or a module refactoring that plans a delete. All
#   these databases default to no protection. Playground services are skipped by default,
#   where databases come and go.
# custom:
#   id: deletion-protection
#   severity: deny
#   category: stateful
#   security: false
#   remediation: Set deletion_protection = true (deletion_protection_enabled = true for DynamoDB tables).
#   resource_types: [aws_db_instance, aws_rds_cluster, aws_docdb_cluster, aws_neptune_cluster, aws_dynamodb_table]
#   scope: resource
#   parameters:
#     skip_phases:
#       default: [playground]
#       description: Service phases in which the rule does not apply.
#   examples:
#     fail: |
#       resource "aws_rds_cluster" "main" {
#         engine = "aurora-postgresql"
#       }
#     pass: |
#       resource "aws_rds_cluster" "main" {
#         engine              = "aurora-postgresql"
#         deletion_protection = true
#       }
package paved.rules.deletion_protection

import data.paved.lib

params := data.paved.params.deletion_protection

attribute := {
	"aws_db_instance": "deletion_protection",
	"aws_rds_cluster": "deletion_protection",
	"aws_docdb_cluster": "deletion_protection",
	"aws_neptune_cluster": "deletion_protection",
	"aws_dynamodb_table": "deletion_protection_enabled",
}

deny contains f if {
	not object.get(input, ["service", "phase"], "") in params.skip_phases
	some t, attr in attribute
	some r in object.get(input.by_type, t, [])
	object.get(r.after, attr, null) != true
	lib.get(r, [attr], false) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s can be deleted by any plan: %s is not true", [r.address, attr]), attr, object.get(r.after, attr, null))
}
