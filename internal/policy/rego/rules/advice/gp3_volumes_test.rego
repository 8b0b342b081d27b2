package paved.rules.gp3_volumes_test

import data.paved.rules.gp3_volumes as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

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

# AWS provider 5 shows the type of a new volume that leaves it out as known
# after apply: gp2.
test_fail_type_left_out if {
	fs := rule.warn with input as plan([
		created("aws_ebs_volume", {"size": 10}, {"type": true, "iops": true}, {"size": "constant"}),
		created("aws_db_instance", {"engine": "postgres", "allocated_storage": 20}, {"storage_type": true, "iops": true}, {"engine": "constant", "allocated_storage": "constant"}),
	])
	{f.path | some f in fs} == {"type", "storage_type"}
}

test_fail_computed_is_undetermined if {
	fs := rule.warn with input as plan([unknown(res("aws_ebs_volume", {"size": 10}), {"type": true})])
	[f.undetermined | some f in fs] == [true]
}

test_pass_restored_or_provisioned_iops if {
	count(rule.warn) == 0 with input as plan([
		created("aws_db_instance", {"engine": "postgres", "snapshot_identifier": "snap"}, {"storage_type": true}, {"snapshot_identifier": "constant"}),
		created("aws_db_instance", {"engine": "postgres", "iops": 3000}, {"storage_type": true}, {"iops": "constant"}),
	])
}
