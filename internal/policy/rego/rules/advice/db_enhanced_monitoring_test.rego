package paved.rules.db_enhanced_monitoring_test

import data.paved.rules.db_enhanced_monitoring as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_off_or_unset if {
	count(rule.warn) == 2 with input as plan([
		res("aws_db_instance", {"monitoring_interval": 0}),
		named("aws_rds_cluster_instance", "r", {"monitoring_interval": null}),
	])
}

test_fail_too_coarse if {
	count(rule.warn) == 1 with input as plan([res("aws_db_instance", {"monitoring_interval": 60})])
		with data.paved.params.db_enhanced_monitoring as {"max_interval_seconds": 15}
}

test_pass_on_or_unknown if {
	count(rule.warn) == 0 with input as plan([
		res("aws_db_instance", {"monitoring_interval": 60}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.warn with input as plan([unknown(named("aws_db_instance", "u", {}), {"monitoring_interval": true})])
	[f.undetermined | some f in fs] == [true]
}
