package paved.rules.dynamodb_kms_test

import data.paved.rules.dynamodb_kms as rule
import data.paved.test.created
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

test_fail_restricted_default_key if {
	count(rule.warn) == 1 with input as plan_for([res("aws_dynamodb_table", {"server_side_encryption": []})], {"data_class": "restricted"})
	count(rule.warn) == 1 with input as plan_for([res("aws_dynamodb_table", {"server_side_encryption": [{"enabled": false}]})], {"data_class": "confidential"})
}

# AWS provider 5 shows the block unknown on a new table that leaves it out.
test_fail_block_left_out if {
	fs := rule.warn with input as plan_for([created("aws_dynamodb_table", {"name": "t"}, {"server_side_encryption": true}, {"name": "constant"})], {"data_class": "restricted"})
	count(fs) == 1
	some f in fs
	not f.undetermined
}

test_fail_computed_is_undetermined if {
	fs := rule.warn with input as plan_for([unknown(res("aws_dynamodb_table", {}), {"server_side_encryption": true})], {"data_class": "restricted"})
	[f.undetermined | some f in fs] == [true]
}

test_pass_kms_or_internal if {
	count(rule.warn) == 0 with input as plan_for([res("aws_dynamodb_table", {"server_side_encryption": [{"enabled": true}]})], {"data_class": "restricted"})
	count(rule.warn) == 0 with input as plan_for([res("aws_dynamodb_table", {})], {"data_class": "internal"})
}
