package paved.rules.multi_az_tier1_test

import data.paved.rules.multi_az_tier1 as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

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

test_fail_gcp_azure_single_zone if {
	fs := rule.deny with input as plan_for(
		[
			res("google_sql_database_instance", {"settings": [{"tier": "db-f1-micro", "availability_type": "ZONAL"}]}),
			res("azurerm_postgresql_flexible_server", {"high_availability": [{"mode": "SameZone"}]}),
			res("azurerm_mysql_flexible_server", {"high_availability": []}),
		],
		{"tier": 1},
	)
	count(fs) == 3
}

test_pass_gcp_azure_regional_or_lower_tier if {
	count(rule.deny) == 0 with input as plan_for(
		[
			res("google_sql_database_instance", {"settings": [{"availability_type": "REGIONAL"}]}),
			named("google_sql_database_instance", "replica", {"master_instance_name": "main", "settings": [{"availability_type": "ZONAL"}]}),
			res("azurerm_postgresql_flexible_server", {"high_availability": [{"mode": "ZoneRedundant"}]}),
		],
		{"tier": 1},
	)
	count(rule.deny) == 0 with input as plan_for([res("google_sql_database_instance", {"settings": [{"availability_type": "ZONAL"}]})], {"tier": 2})
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan_for([unknown(res("azurerm_mysql_flexible_server", {}), {"high_availability": true})], {"tier": 1})
	[f.undetermined | some f in fs] == [true]
}

# AWS provider 5 shows multi_az of a new instance as known after apply.
test_fail_multi_az_left_out if {
	fs := rule.deny with input as plan_for([created("aws_db_instance", {"engine": "postgres"}, {"multi_az": true}, {"engine": "constant"})], {"tier": 1})
	[f.path | some f in fs] == ["multi_az"]
}
