# METADATA
# title: Backups kept for too short a time
# description: |
#   Automated backups are the way back from a bad migration, a deleted table or ransomware;
#   problems are often noticed days later, so a day or two of backups is not enough. RDS,
#   Aurora, DocumentDB and Neptune keep one day unless told otherwise (an RDS instance left
#   unset is reported as that default); DynamoDB keeps no continuous backups until
#   point-in-time recovery is switched on. Read replicas are skipped: the source holds the
#   backups.
# custom:
#   id: backup-retention
#   severity: deny
#   category: stateful
#   security: false
#   remediation: Set backup_retention_period to at least the minimum (and a preferred_backup_window); enable point_in_time_recovery on DynamoDB tables.
#   resource_types: [aws_db_instance, aws_rds_cluster, aws_docdb_cluster, aws_neptune_cluster, aws_dynamodb_table]
#   scope: resource
#   parameters:
#     min_days:
#       default: 7
#       description: Fewest days of automated backups.
#     skip_phases:
#       default: [playground]
#       description: Service phases in which the rule does not apply.
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         instance_class          = "db.t4g.medium"
#         backup_retention_period = 1
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class          = "db.t4g.medium"
#         backup_retention_period = 14
#       }
package paved.rules.backup_retention

import data.paved.lib

params := data.paved.params.backup_retention

applies if not object.get(input, ["service", "phase"], "") in params.skip_phases

deny contains f if {
	applies
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"])
	not _enough(object.get(r.after, "backup_retention_period", null))
	days := _days(r)
	days < params.min_days
	lib.get(r, ["replicate_source_db"], "") in {"", null}
	lib.get(r, ["replication_source_identifier"], "") in {"", null}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s keeps automated backups for %v day(s), fewer than the required %v", [r.address, days, params.min_days]), "backup_retention_period", days)
}

deny contains f if {
	applies
	some r in lib.candidates(["aws_dynamodb_table"])
	not _pitr_on(object.get(r.after, "point_in_time_recovery", null))
	not lib.unknown(r, ["point_in_time_recovery"])
	not _pitr(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no point-in-time recovery, so it has no continuous backups", [r.address]), "point_in_time_recovery[0].enabled", false)
}

_days(r) := d if {
	d := lib.get(r, ["backup_retention_period"], null)
	is_number(d)
} else := 1 if {
	# Unset: the AWS default of one day.
	not lib.set_and_known(r, ["backup_retention_period"])
	lib.get(r, ["snapshot_identifier"], "") == ""
}

_pitr(r) if {
	some [i, _] in lib.blocks(r, "point_in_time_recovery")
	lib.get(r, ["point_in_time_recovery", i, "enabled"], false) != false
}

# Cheap prefilters on the attribute alone, so that compliant databases never
# reach the helpers that take the whole resource.
_enough(d) if {
	is_number(d)
	d >= params.min_days
}

_pitr_on(blocks) if blocks[0].enabled == true
