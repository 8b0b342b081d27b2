package paved.rules.backup_retention_test

import data.paved.rules.backup_retention as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

test_fail_short_and_unset if {
	fs := rule.deny with input as plan([
		res("aws_db_instance", {"backup_retention_period": 1}),
		created("aws_rds_cluster", {"backup_retention_period": null, "snapshot_identifier": null}, {"backup_retention_period": true, "snapshot_identifier": true}, {}),
	])
	{[f.address, f.value] | some f in fs} == {["aws_db_instance.main", 1], ["aws_rds_cluster.main", 1]}
}

test_fail_dynamodb_without_pitr if {
	fs := rule.deny with input as plan([res("aws_dynamodb_table", {"point_in_time_recovery": [{"enabled": false}]})])
	count(fs) == 1
}

test_fail_min_days_from_params if {
	count(rule.deny) == 1 with input as plan([res("aws_db_instance", {"backup_retention_period": 14})])
		with data.paved.params.backup_retention as {"min_days": 30, "skip_phases": []}
}

test_pass_long_enough_replicas_playground if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"backup_retention_period": 7}),
		named("aws_db_instance", "replica", {"backup_retention_period": 0, "replicate_source_db": "main"}),
		res("aws_dynamodb_table", {"point_in_time_recovery": [{"enabled": true}]}),
	])
	count(rule.deny) == 0 with input as plan_for([res("aws_db_instance", {"backup_retention_period": 0})], {"phase": "playground"})
}

test_pass_restored_from_snapshot_unset if {
	count(rule.deny) == 0 with input as plan([created("aws_rds_cluster", {"snapshot_identifier": "snap-1"}, {"backup_retention_period": true}, {"snapshot_identifier": "constant"})])
}

test_fail_cloud_sql_backups if {
	fs := rule.deny with input as plan([
		named("google_sql_database_instance", "off", {"settings": [{"tier": "db-f1-micro", "backup_configuration": []}]}),
		named("google_sql_database_instance", "few", {"settings": [{"backup_configuration": [{"enabled": true, "backup_retention_settings": [{"retained_backups": 3, "retention_unit": "COUNT"}]}]}]}),
	])
		with data.paved.params.backup_retention as {"min_days": 7, "skip_phases": []}
	{f.path | some f in fs} == {"settings[0].backup_configuration[0].enabled", "settings[0].backup_configuration[0].backup_retention_settings[0].retained_backups"}
}

test_pass_cloud_sql_backups if {
	count(rule.deny) == 0 with input as plan([
		res("google_sql_database_instance", {"settings": [{"backup_configuration": [{"enabled": true, "backup_retention_settings": [{"retained_backups": 7}]}]}]}),
		named("google_sql_database_instance", "replica", {"master_instance_name": "main", "settings": [{"backup_configuration": []}]}),
	])
		with data.paved.params.backup_retention as {"min_days": 7, "skip_phases": []}
}

test_fail_azure_retention if {
	fs := rule.deny with input as plan([
		res("azurerm_mysql_flexible_server", {"backup_retention_days": 1}),
		created("azurerm_postgresql_flexible_server", {}, {"backup_retention_days": true}, {}),
		res("azurerm_mssql_database", {"short_term_retention_policy": [{"retention_days": 7}]}),
	])
		with data.paved.params.backup_retention as {"min_days": 14, "skip_phases": []}
	count(fs) == 3
}

test_pass_azure_retention if {
	count(rule.deny) == 0 with input as plan([
		res("azurerm_mysql_flexible_server", {"backup_retention_days": 14}),
		created("azurerm_postgresql_flexible_server", {}, {"backup_retention_days": true}, {}),
		res("azurerm_mssql_database", {"short_term_retention_policy": []}),
		named("azurerm_mysql_flexible_server", "replica", {"create_mode": "Replica", "backup_retention_days": 1}),
	])
		with data.paved.params.backup_retention as {"min_days": 7, "skip_phases": []}
}

test_fail_cloud_sql_block_left_out if {
	fs := rule.deny with input as plan([created(
		"google_sql_database_instance", {"settings": [{"tier": "db-f1-micro", "backup_configuration": []}]},
		{"settings": [{"backup_configuration": true}]}, {"settings": [{"tier": "constant"}]},
	)])
		with data.paved.params.backup_retention as {"min_days": 7, "skip_phases": []}
	count(fs) == 1
}

# Issue 14: AWS provider 5 shows snapshot_identifier unknown on every new
# instance; the configuration does not set it, so the one-day default applies.
test_fail_rds_default_with_snapshot_identifier_unknown if {
	fs := rule.deny with input as plan([created(
		"aws_db_instance", {"engine": "postgres", "storage_encrypted": false},
		{"backup_retention_period": true, "snapshot_identifier": true, "replicate_source_db": true},
		{"engine": "constant", "storage_encrypted": "constant"},
	)])
	[f.value | some f in fs] == [1]
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		unknown(res("aws_db_instance", {}), {"backup_retention_period": true}),
		created("aws_dynamodb_table", {"name": "t"}, {"point_in_time_recovery": true}, {"name": "constant", "point_in_time_recovery": "computed"}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_db_instance.main", true], ["aws_dynamodb_table.main", true]}
}

test_fail_dynamodb_pitr_left_out if {
	fs := rule.deny with input as plan([created("aws_dynamodb_table", {"name": "t"}, {"point_in_time_recovery": true}, {"name": "constant"})])
	[f.path | some f in fs] == ["point_in_time_recovery[0].enabled"]
}
