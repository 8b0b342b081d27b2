package paved.rules.db_storage_ceiling_test

import data.paved.rules.db_storage_ceiling as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_autoscaling_maximum if {
	fs := rule.deny with input as plan([res("aws_db_instance", {"allocated_storage": 500, "max_allocated_storage": 10000})])
	count(fs) == 1
	some f in fs
	f.path == "max_allocated_storage"
	f.value == 10000
}

test_fail_allocated if {
	count(rule.deny) == 1 with input as plan([res("aws_db_instance", {"allocated_storage": 3000})])
}

test_pass_within_ceiling if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"allocated_storage": 100, "max_allocated_storage": 2048}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_db_instance", {"allocated_storage": null}), {"allocated_storage": true})])
	[f.undetermined | some f in fs] == [true]
}
