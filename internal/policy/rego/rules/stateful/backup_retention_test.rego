package paved.rules.backup_retention_test

import data.paved.rules.backup_retention as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

test_fail_short_and_unset if {
	fs := rule.deny with input as plan([
		res("aws_db_instance", {"backup_retention_period": 1}),
		unknown(res("aws_rds_cluster", {"backup_retention_period": null, "snapshot_identifier": null}), {"backup_retention_period": true}),
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
	count(rule.deny) == 0 with input as plan([unknown(res("aws_rds_cluster", {"snapshot_identifier": "snap-1"}), {"backup_retention_period": true})])
}
