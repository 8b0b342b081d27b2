package paved.rules.ebs_encrypted_test

import data.paved.rules.ebs_encrypted as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_explicit_false if {
	fs := rule.deny with input as plan([
		res("aws_ebs_volume", {"encrypted": false}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"encrypted": "false"}]}]}),
		res("aws_instance", {"root_block_device": [{"encrypted": false}]}),
	])
	{f.path | some f in fs} == {"encrypted", "block_device_mappings[0].ebs[0].encrypted", "root_block_device[0].encrypted"}
}

test_fail_unset_without_account_default if {
	fs := rule.deny with input as plan([
		unknown(res("aws_ebs_volume", {"size": 10}), {"encrypted": true}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"encrypted": ""}]}]}),
	])
	count(fs) == 2
}

test_fail_explicit_false_even_with_account_default if {
	count(rule.deny) == 1 with input as plan([res("aws_ebs_volume", {"encrypted": false})])
		with data.paved.params.ebs_encrypted as {"account_default_encryption": true}
}

test_pass_encrypted if {
	count(rule.deny) == 0 with input as plan([
		res("aws_ebs_volume", {"encrypted": true}),
		res("aws_instance", {"root_block_device": [{"encrypted": true}], "ebs_block_device": []}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"encrypted": "true"}]}, {"virtual_name": "ephemeral0", "ebs": []}]}),
		res("aws_ebs_volume", {"snapshot_id": "snap-123", "encrypted": null}),
		unknown(res("aws_ebs_volume", {}), {"encrypted": true, "kms_key_id": true}),
	])
}

test_pass_unset_with_account_default if {
	count(rule.deny) == 0 with input as plan([unknown(res("aws_ebs_volume", {"size": 10}), {"encrypted": true})])
		with data.paved.params.ebs_encrypted as {"account_default_encryption": true}
}
