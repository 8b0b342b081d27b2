package paved.rules.gp3_volumes_test

import data.paved.rules.gp3_volumes as rule
import data.paved.test.plan
import data.paved.test.res

test_fail_gp2_everywhere if {
	fs := rule.warn with input as plan([
		res("aws_ebs_volume", {"type": "gp2"}),
		res("aws_db_instance", {"storage_type": "gp2"}),
		res("aws_instance", {"root_block_device": [{"volume_type": "gp2"}]}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"volume_type": "gp2"}]}]}),
	])
	count(fs) == 4
}

test_pass_gp3_io2_unset if {
	count(rule.warn) == 0 with input as plan([
		res("aws_ebs_volume", {"type": "gp3"}),
		res("aws_db_instance", {"storage_type": "io2"}),
		res("aws_instance", {"root_block_device": [{"volume_type": "gp3"}]}),
		res("aws_launch_template", {"block_device_mappings": [{"ebs": [{"volume_type": null}]}]}),
	])
}
