# METADATA
# title: Database without deletion protection
# description: |
#   Deletion protection makes AWS refuse to delete a database until the flag is turned off
#   in a separate, deliberate change. It is the cheapest insurance against a mistaken
#   terraform destroy, a renamed resource or a module refactoring that plans a delete. All
#   these AWS databases default to no protection. On Google Cloud, Cloud SQL instances, Spanner
#   databases and Bigtable instances are protected by the provider's deletion_protection,
#   which defaults to true: they are reported only when it is switched off (Cloud SQL's
#   API-level settings.deletion_protection_enabled is not required). Azure has no such flag
#   on its databases (a management lock does that job) and is not checked here. Playground
#   services are skipped by default, where databases come and go. A flag set from a value
#   known only after apply is reported as undetermined.
# custom:
#   id: deletion-protection
#   severity: deny
#   category: stateful
#   checkov: [CKV_AWS_293, CKV_AWS_139, CKV2_AWS_58, CKV_GCP_119, CKV_GCP_122]
#   trivy: [AWS-0177, AWS-0343]
#   security: false
#   remediation: Set deletion_protection = true (deletion_protection_enabled = true for DynamoDB tables; on Cloud SQL, Spanner and Bigtable remove deletion_protection = false).
#   resource_types: [aws_db_instance, aws_rds_cluster, aws_docdb_cluster, aws_neptune_cluster, aws_dynamodb_table, google_sql_database_instance, google_spanner_database, google_bigtable_instance]
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
#       resource "google_sql_database_instance" "main" {
#         database_version    = "POSTGRES_16"
#         deletion_protection = false
#         settings {
#           tier = "db-custom-2-7680"
#         }
#       }
#     pass: |
#       resource "aws_rds_cluster" "main" {
#         engine              = "aurora-postgresql"
#         deletion_protection = true
#       }
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#         }
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

deny contains f if {
	not object.get(input, ["service", "phase"], "") in params.skip_phases
	some t, attr in object.union(attribute, google_attribute)
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[attr]
	object.get(r.after, attr, null) == null
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "the database is protected from deletion")
}

google_attribute := {
	"google_sql_database_instance": "deletion_protection",
	"google_spanner_database": "deletion_protection",
	"google_bigtable_instance": "deletion_protection",
}

# Google Cloud: the provider defaults deletion_protection to true, so only an
# explicit false is reported.
deny contains f if {
	not object.get(input, ["service", "phase"], "") in params.skip_phases
	some r in lib.candidates(["google_sql_database_instance", "google_spanner_database", "google_bigtable_instance"])
	r.after.deletion_protection == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s can be deleted by any plan: deletion_protection is false", [r.address]), "deletion_protection", false)
}
