package paved.rules.stateful_delete_replace_test

import data.paved.rules.stateful_delete_replace as rule
import data.paved.test.deleted
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.with_action

test_fail_delete_and_replace if {
	fs := rule.deny with input as plan([
		deleted(res("aws_db_instance", {"identifier": "orders"})),
		with_action(res("aws_s3_bucket", {"bucket": "b"}), "replace"),
	])
	{[f.address, f.value] | some f in fs} == {["aws_db_instance.main", "delete"], ["aws_s3_bucket.main", "replace"]}
}

test_pass_updates_and_stateless_deletes if {
	count(rule.deny) == 0 with input as plan([
		with_action(res("aws_db_instance", {}), "update"),
		with_action(res("aws_db_instance", {}), "no-op"),
		deleted(res("aws_lambda_function", {})),
		with_action(named("aws_instance", "web", {}), "replace"),
	])
}
