package paved.rules.sns_topic_encrypted_test

import data.paved.rules.sns_topic_encrypted as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_no_key if {
	count(rule.deny) == 2 with input as plan([res("aws_sns_topic", {"name": "a"}), named("aws_sns_topic", "b", {"kms_master_key_id": ""})])
}

test_pass_key_known_or_unknown if {
	count(rule.deny) == 0 with input as plan([
		res("aws_sns_topic", {"kms_master_key_id": "alias/aws/sns"}),
		unknown(res("aws_sns_topic", {}), {"kms_master_key_id": true}),
	])
}
