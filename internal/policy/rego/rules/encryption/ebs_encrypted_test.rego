package paved.rules.ebs_encrypted_test

import data.paved.rules.ebs_encrypted as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res

test_fail_explicit_false if {
	fs := rule.deny with input as plan([
		res("aws_ebs_volume", {"encrypted": false}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"encrypted": "false"}]}]}),
		res("aws_instance", {"root_block_device": [{"encrypted": false}]}),
	])
	{f.path | some f in fs} == {"encrypted", "block_device_mappings[0].ebs[0].encrypted", "root_block_device[0].encrypted"}
}

# AWS provider 5: a volume that never sets encrypted shows it, kms_key_id
# and snapshot_id as known after apply.
test_fail_unset_without_account_default if {
	fs := rule.deny with input as plan([
		created("aws_ebs_volume", {"size": 10}, {"encrypted": true, "kms_key_id": true, "snapshot_id": true}, {"size": "constant"}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"encrypted": ""}]}]}),
	])
	count(fs) == 2
	every f in fs {
		not f.undetermined
	}
}

# Issue 23: an instance without a root_block_device block.
test_fail_instance_without_root_block if {
	fs := rule.deny with input as plan([created(
		"aws_instance", {"ami": "ami-1", "instance_type": "t3.micro"},
		{"root_block_device": true, "ebs_block_device": true}, {"ami": "constant", "instance_type": "constant"},
	)])
	[f.path | some f in fs] == ["root_block_device[0].encrypted"]
}

test_fail_explicit_false_even_with_account_default if {
	count(rule.deny) == 1 with input as plan([res("aws_ebs_volume", {"encrypted": false})])
		with data.paved.params.ebs_encrypted as {"account_default_encryption": true}
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		created("aws_ebs_volume", {"size": 10}, {"encrypted": true, "kms_key_id": true}, {"encrypted": "computed"}),
		created("aws_instance", {"ami": "ami-1"}, {"root_block_device": [{"encrypted": true, "kms_key_id": true}]}, {"root_block_device": [{"encrypted": "computed"}]}),
	])
	{[f.path, f.undetermined] | some f in fs} == {["encrypted", true]}
}

test_pass_encrypted if {
	count(rule.deny) == 0 with input as plan([
		res("aws_ebs_volume", {"encrypted": true}),
		res("aws_instance", {"root_block_device": [{"encrypted": true}], "ebs_block_device": []}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"encrypted": "true"}]}, {"virtual_name": "ephemeral0", "ebs": []}]}),
		res("aws_ebs_volume", {"snapshot_id": "snap-123", "encrypted": null}),
		created("aws_ebs_volume", {}, {"encrypted": true, "kms_key_id": true}, {"kms_key_id": "computed"}),
		created("aws_ebs_volume", {}, {"encrypted": true, "snapshot_id": true}, {"snapshot_id": "computed"}),
	])
}

test_pass_unset_with_account_default if {
	count(rule.deny) == 0 with input as plan([created("aws_ebs_volume", {"size": 10}, {"encrypted": true}, {"size": "constant"})])
		with data.paved.params.ebs_encrypted as {"account_default_encryption": true}
}

test_pass_account_default_in_plan if {
	count(rule.deny) == 0 with input as plan([
		named("aws_ebs_encryption_by_default", "this", {"enabled": true}),
		created("aws_ebs_volume", {"size": 10}, {"encrypted": true, "kms_key_id": true}, {"size": "constant"}),
		created("aws_instance", {"ami": "ami-1"}, {"root_block_device": true}, {"ami": "constant"}),
	])
}
