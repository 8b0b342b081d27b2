package paved.rules.dynamodb_kms_test

import data.paved.rules.dynamodb_kms as rule
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

test_fail_restricted_default_key if {
	count(rule.warn) == 1 with input as plan_for([res("aws_dynamodb_table", {"server_side_encryption": []})], {"data_class": "restricted"})
	count(rule.warn) == 1 with input as plan_for([res("aws_dynamodb_table", {"server_side_encryption": [{"enabled": false}]})], {"data_class": "confidential"})
}

test_pass_kms_or_internal if {
	count(rule.warn) == 0 with input as plan_for([res("aws_dynamodb_table", {"server_side_encryption": [{"enabled": true}]})], {"data_class": "restricted"})
	count(rule.warn) == 0 with input as plan_for([res("aws_dynamodb_table", {})], {"data_class": "internal"})
	count(rule.warn) == 0 with input as plan_for([unknown(res("aws_dynamodb_table", {}), {"server_side_encryption": true})], {"data_class": "restricted"})
}
