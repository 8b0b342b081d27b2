# METADATA
# title: Backups kept for too short a time
# description: |
#   Automated backups are the way back from a bad migration, a deleted table or ransomware;
#   problems are often noticed days later, so a day or two of backups is not enough. RDS,
#   Aurora, DocumentDB and Neptune keep one day unless told otherwise (an RDS instance left
#   unset is reported as that default); DynamoDB keeps no continuous backups until
#   point-in-time recovery is switched on. Cloud SQL takes no automated backups unless
#   settings.backup_configuration.enabled is true (an instance without the block, which the
#   plan shows as known after apply, is reported: the API default is off), and keeps 7 daily
#   backups by default (retained_backups, counted as days). Azure PostgreSQL and MySQL servers (flexible and
#   single) keep backup_retention_days, and Azure SQL databases short_term_retention_policy
#   retention_days, 7 days by default; a value left unset (shown as known after apply) is
#   reported as that default when the minimum is higher. Read replicas are skipped: the
#   source holds the backups. A snapshot_identifier the plan shows as known after apply but the
#   configuration does not set (every new RDS instance with AWS provider 5) is no restore; a
#   retention or recovery setting known only after apply is reported as undetermined.
# custom:
#   id: backup-retention
#   severity: deny
#   category: stateful
#   checkov: [CKV_AWS_133, CKV_AWS_360, CKV_AWS_361, CKV_AWS_28, CKV_GCP_14]
#   trivy: [AWS-0077, AWS-0024, GCP-0024]
#   security: false
#   remediation: Set backup_retention_period (AWS), backup_retention_days (Azure PostgreSQL/MySQL) or short_term_retention_policy.retention_days (Azure SQL) to at least the minimum; enable point_in_time_recovery on DynamoDB tables; set settings.backup_configuration.enabled = true (with retained_backups at least the minimum) on Cloud SQL.
#   resource_types: [aws_db_instance, aws_rds_cluster, aws_docdb_cluster, aws_neptune_cluster, aws_dynamodb_table, google_sql_database_instance, azurerm_postgresql_flexible_server, azurerm_mysql_flexible_server, azurerm_postgresql_server, azurerm_mysql_server, azurerm_mariadb_server, azurerm_mssql_database]
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
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#         }
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class          = "db.t4g.medium"
#         backup_retention_period = 14
#       }
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#           backup_configuration {
#             enabled                        = true
#             point_in_time_recovery_enabled = true
#             backup_retention_settings {
#               retained_backups = 14
#             }
#           }
#         }
#       }
package paved.rules.backup_retention

import data.paved.lib

params := data.paved.params.backup_retention

applies if not object.get(input, ["service", "phase"], "") in params.skip_phases

aws_types := ["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"]

deny contains f if {
	applies
	some r in lib.candidates(aws_types)
	not _enough(object.get(r.after, "backup_retention_period", null))
	days := _days(r)
	days < params.min_days
	not _replica(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s keeps automated backups for %v day(s), fewer than the required %v", [r.address, days, params.min_days]), "backup_retention_period", days)
}

deny contains f if {
	applies
	some [types, path] in _settings
	some r in lib.candidates(types)
	_ := r.after_unknown[path[0]]
	object.get(r.after, path, null) == null
	lib.computed_here(r, path)
	not _replica(r)
	lib.judged(r)
	f := lib.undetermined(r, lib.dotted(path), "enough backups are kept")
}

_settings := [
	[aws_types, ["backup_retention_period"]],
	[["aws_dynamodb_table"], ["point_in_time_recovery"]],
	[["aws_dynamodb_table"], ["point_in_time_recovery", 0, "enabled"]],
	[["google_sql_database_instance"], ["settings", 0, "backup_configuration", 0, "enabled"]],
	[["azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server", "azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"], ["backup_retention_days"]],
	[["azurerm_mssql_database"], ["short_term_retention_policy", 0, "retention_days"]],
]

# A read replica (also of a source known only after apply) has no backups
# of its own to keep.
_replica(r) if {
	some attr in ["replicate_source_db", "replication_source_identifier", "master_instance_name"]
	not object.get(r.after, attr, null) in {null, ""}
}

_replica(r) if {
	some attr in ["replicate_source_db", "replication_source_identifier", "master_instance_name"]
	_ := r.after_unknown[attr]
	lib.computed(r, [attr])
}

_replica(r) if object.get(r.after, "create_mode", "") in {"Replica", "Secondary", "OnlineSecondary"}

deny contains f if {
	applies
	some r in lib.candidates(["aws_dynamodb_table"])
	not _pitr_on(object.get(r.after, "point_in_time_recovery", null))
	not lib.computed(r, ["point_in_time_recovery"])
	not _pitr(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no point-in-time recovery, so it has no continuous backups", [r.address]), "point_in_time_recovery[0].enabled", false)
}

# Cloud SQL: automated backups switched off (the default).
deny contains f if {
	applies
	some r in lib.candidates(["google_sql_database_instance"])
	settings := r.after.settings[0]
	object.get(settings, ["backup_configuration", 0, "enabled"], null) != true
	not lib.computed(r, ["settings", 0, "backup_configuration", 0, "enabled"])
	not _replica(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s takes no automated backups", [r.address]), "settings[0].backup_configuration[0].enabled", object.get(settings, ["backup_configuration", 0, "enabled"], null))
}

# Cloud SQL: too few backups kept (one a day).
deny contains f if {
	applies
	some r in lib.candidates(["google_sql_database_instance"])
	bc := r.after.settings[0].backup_configuration[0]
	bc.enabled == true
	n := bc.backup_retention_settings[0].retained_backups
	is_number(n)
	n < params.min_days
	object.get(bc.backup_retention_settings[0], "retention_unit", "COUNT") in {"COUNT", null}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s keeps %v daily backup(s), fewer than the required %v", [r.address, n, params.min_days]), "settings[0].backup_configuration[0].backup_retention_settings[0].retained_backups", n)
}

# Azure PostgreSQL and MySQL servers: backup_retention_days, 7 by default.
deny contains f if {
	applies
	some r in lib.candidates(["azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server", "azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"])
	not _enough(object.get(r.after, "backup_retention_days", null))
	days := lib.get(r, ["backup_retention_days"], 7)
	days < params.min_days
	not _replica(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s keeps backups for %v day(s), fewer than the required %v", [r.address, days, params.min_days]), "backup_retention_days", days)
}

# Azure SQL databases: point-in-time restore window, 7 days by default.
deny contains f if {
	applies
	some r in lib.candidates(["azurerm_mssql_database"])
	not _enough(object.get(r.after, ["short_term_retention_policy", 0, "retention_days"], null))
	days := lib.get(r, ["short_term_retention_policy", 0, "retention_days"], 7)
	days < params.min_days
	not _replica(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s keeps point-in-time backups for %v day(s), fewer than the required %v", [r.address, days, params.min_days]), "short_term_retention_policy[0].retention_days", days)
}

# Unset (null, or known after apply but not configured): the AWS default of
# one day. A database restored from a snapshot is skipped.
_days(r) := d if {
	d := object.get(r.after, "backup_retention_period", null)
	is_number(d)
} else := 1 if {
	lib.unset(r, ["backup_retention_period"])
	lib.get(r, ["snapshot_identifier"], "") == ""
}

_pitr(r) if {
	some [i, _] in lib.blocks(r, "point_in_time_recovery")
	lib.get(r, ["point_in_time_recovery", i, "enabled"], false) != false
}

_pitr(r) if lib.computed(r, ["point_in_time_recovery", 0, "enabled"])

# Cheap prefilters on the attribute alone, so that compliant databases never
# reach the helpers that take the whole resource.
_enough(d) if {
	is_number(d)
	d >= params.min_days
}

_pitr_on(blocks) if blocks[0].enabled == true
