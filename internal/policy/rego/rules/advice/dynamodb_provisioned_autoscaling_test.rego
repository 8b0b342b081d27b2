package paved.rules.dynamodb_provisioned_autoscaling_test

import data.paved.rules.dynamodb_provisioned_autoscaling as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

table(mode) := res("aws_dynamodb_table", {"name": "orders", "billing_mode": mode, "read_capacity": 100, "write_capacity": 50})

target(name, dim) := named("aws_appautoscaling_target", name, {"service_namespace": "dynamodb", "resource_id": "table/orders", "scalable_dimension": dim})

test_fail_no_targets if {
	fs := rule.warn with input as plan([table("PROVISIONED")])
	{f.path | some f in fs} == {"read_capacity", "write_capacity"}
}

test_fail_only_read_scaled if {
	fs := rule.warn with input as plan([table(null), target("r", "dynamodb:table:ReadCapacityUnits")])
	{f.path | some f in fs} == {"write_capacity"}
}

test_pass_on_demand_scaled_or_unknown_target if {
	count(rule.warn) == 0 with input as plan([table("PAY_PER_REQUEST")])
	count(rule.warn) == 0 with input as plan([table("PROVISIONED"), target("r", "dynamodb:table:ReadCapacityUnits"), target("w", "dynamodb:table:WriteCapacityUnits")])
}

test_fail_unknown_target_is_undetermined if {
	fs := rule.warn with input as plan([table("PROVISIONED"), unknown(target("r", null), {"resource_id": true})])
	[f.undetermined | some f in fs] == [true]
}
