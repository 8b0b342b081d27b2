package paved.rules.efs_encrypted_test

import data.paved.rules.efs_encrypted as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_false_and_unset if {
	count(rule.deny) == 2 with input as plan([
		res("aws_efs_file_system", {"encrypted": false}),
		created("aws_efs_file_system", {"creation_token": "x"}, {"encrypted": true, "kms_key_id": true}, {"creation_token": "constant"}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_efs_file_system", {"creation_token": "x"}), {"encrypted": true})])
	[f.undetermined | some f in fs] == [true]
}

test_pass_encrypted_or_kms if {
	count(rule.deny) == 0 with input as plan([
		res("aws_efs_file_system", {"encrypted": true}),
		created("aws_efs_file_system", {"kms_key_id": "arn:aws:kms:eu-west-1:1:key/1"}, {"encrypted": true}, {"kms_key_id": "constant"}),
		created("aws_efs_file_system", {}, {"encrypted": true, "kms_key_id": true}, {"kms_key_id": "computed"}),
	])
}
