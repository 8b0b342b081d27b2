package paved.rules.cloudtrail_protected_test

import data.paved.rules.cloudtrail_protected as rule
import data.paved.test.created
import data.paved.test.deleted
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res

test_fail_defaults if {
	count(rule.deny) == 3 with input as plan([
		res("aws_cloudtrail", {"name": "main", "s3_bucket_name": "b"}),
		named("aws_cloudtrail", "noval", {"name": "x", "enable_log_file_validation": false, "kms_key_id": "arn:aws:kms:eu-west-1:1:key/k"}),
	])
		with data.paved.params.cloudtrail_protected as {"require_kms": true}
}

test_pass_protected_key_from_plan_deleted if {
	count(rule.deny) == 0 with input as plan([
		res("aws_cloudtrail", {"enable_log_file_validation": true, "kms_key_id": "arn:aws:kms:eu-west-1:1:key/k"}),
		created("aws_cloudtrail", {"enable_log_file_validation": true}, {"kms_key_id": true}, {"enable_log_file_validation": "constant", "kms_key_id": "computed"}),
		deleted(named("aws_cloudtrail", "gone", {"name": "old"})),
	])
		with data.paved.params.cloudtrail_protected as {"require_kms": true}
}

test_fail_computed_validation_is_undetermined if {
	fs := rule.deny with input as plan([created("aws_cloudtrail", {"kms_key_id": "k"}, {"enable_log_file_validation": true}, {"kms_key_id": "constant", "enable_log_file_validation": "computed"})])
	[f.undetermined | some f in fs] == [true]
}

test_pass_kms_optional if {
	count(rule.deny) == 0 with input as plan([res("aws_cloudtrail", {"enable_log_file_validation": true})])
		with data.paved.params.cloudtrail_protected as {"require_kms": false}
}
