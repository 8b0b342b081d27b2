package paved.rules.volume_size_ceiling_test

import data.paved.rules.volume_size_ceiling as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_big_ebs_volume if {
	fs := rule.deny with input as plan([res("aws_ebs_volume", {"size": 4096})])
	some f in fs
	f.path == "size"
	f.value == 4096
}

test_fail_instance_and_launch_template_devices if {
	fs := rule.deny with input as plan([
		res("aws_instance", {"root_block_device": [{"volume_size": 20}], "ebs_block_device": [{"volume_size": 8000}]}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"volume_size": 2000}]}]}),
	])
	{f.path | some f in fs} == {"ebs_block_device[0].volume_size", "block_device_mappings[0].ebs[0].volume_size"}
}

test_fail_ceiling_from_params if {
	count(rule.deny) == 1 with input as plan([res("aws_ebs_volume", {"size": 200})])
		with data.paved.params.volume_size_ceiling as {"max_volume_gib": 100}
}

test_pass_small_unset_and_unknown if {
	count(rule.deny) == 0 with input as plan([
		res("aws_ebs_volume", {"size": 1024}),
		res("aws_ebs_volume", {"size": null, "snapshot_id": "snap-1"}),
		created("aws_instance", {"root_block_device": [{}]}, {"root_block_device": [{"volume_size": true}]}, {"root_block_device": [{"encrypted": "constant"}]}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_instance", {"root_block_device": [{}]}), {"root_block_device": [{"volume_size": true}]})])
	[f.undetermined | some f in fs] == [true]
}
