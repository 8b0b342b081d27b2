package paved.rules.db_performance_insights_test

import data.paved.rules.db_performance_insights as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_off if {
	count(rule.warn) == 2 with input as plan([
		res("aws_db_instance", {"instance_class": "db.r6g.large", "performance_insights_enabled": false}),
		res("aws_rds_cluster_instance", {"instance_class": "db.r6g.large"}),
	])
}

test_pass_on_advanced_small_unknown if {
	count(rule.warn) == 0 with input as plan([
		res("aws_db_instance", {"instance_class": "db.r6g.large", "performance_insights_enabled": true}),
		named("aws_db_instance", "adv", {"instance_class": "db.r6g.large", "database_insights_mode": "advanced"}),
		named("aws_db_instance", "tiny", {"instance_class": "db.t3.micro", "performance_insights_enabled": false}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.warn with input as plan([unknown(named("aws_db_instance", "u", {"instance_class": "db.r6g.large"}), {"performance_insights_enabled": true})])
	[f.undetermined | some f in fs] == [true]
}
