package paved.rules.efs_encrypted_test

import data.paved.rules.efs_encrypted as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_false_and_unset if {
	count(rule.deny) == 2 with input as plan([
		res("aws_efs_file_system", {"encrypted": false}),
		unknown(res("aws_efs_file_system", {"creation_token": "x"}), {"encrypted": true}),
	])
}

test_pass_encrypted_or_kms if {
	count(rule.deny) == 0 with input as plan([
		res("aws_efs_file_system", {"encrypted": true}),
		unknown(res("aws_efs_file_system", {"kms_key_id": "arn:aws:kms:eu-west-1:1:key/1"}), {"encrypted": true}),
	])
}
