package paved.rules.multi_az_tier1_test

import data.paved.rules.multi_az_tier1 as rule
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res

test_fail_tier1_single_az if {
	fs := rule.deny with input as plan_for([res("aws_db_instance", {"multi_az": false}), res("aws_elasticache_replication_group", {"multi_az_enabled": false, "automatic_failover_enabled": true})], {"tier": 1})
	{f.path | some f in fs} == {"multi_az", "multi_az_enabled"}
}

test_fail_tier_from_tag if {
	r := object.union(res("aws_db_instance", {"multi_az": false}), {"tags": {"tier": "tier-1"}})
	count(rule.deny) == 1 with input as plan([r])
}

test_pass_multi_az_other_tiers_no_tier if {
	count(rule.deny) == 0 with input as plan_for([res("aws_db_instance", {"multi_az": true})], {"tier": 1})
	count(rule.deny) == 0 with input as plan_for([res("aws_db_instance", {"multi_az": false})], {"tier": 3})
	count(rule.deny) == 0 with input as plan([res("aws_db_instance", {"multi_az": false})])
}
