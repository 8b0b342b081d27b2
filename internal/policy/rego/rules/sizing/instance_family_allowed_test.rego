package paved.rules.instance_family_allowed_test

import data.paved.rules.instance_family_allowed as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_gpu_family if {
	fs := rule.deny with input as plan([res("aws_instance", {"instance_type": "p4d.24xlarge"})])
	some f in fs
	f.value == "p4d.24xlarge"
	contains(f.msg, "family p4d")
}

test_fail_old_db_family if {
	fs := rule.deny with input as plan([res("aws_db_instance", {"instance_class": "db.m4.large"})])
	count(fs) == 1
}

test_fail_family_removed_by_params if {
	count(rule.deny) == 1 with input as plan([res("aws_instance", {"instance_type": "t3.micro"})])
		with data.paved.params.instance_family_allowed as {"ec2_families": ["m7g"], "db_families": []}
}

test_pass_allowed_families if {
	count(rule.deny) == 0 with input as plan([
		res("aws_instance", {"instance_type": "m7g.large"}),
		res("aws_eks_node_group", {"instance_types": ["m6i.large", "c7g.xlarge"]}),
		res("aws_db_instance", {"instance_class": "db.r6g.large"}),
		res("aws_rds_cluster_instance", {"instance_class": "db.serverless"}),
		unknown(res("aws_instance", {}), {"instance_type": true}),
	])
}
