package paved.rules.instance_size_limit_test

import data.paved.rules.instance_size_limit as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_too_many_vcpus if {
	fs := rule.deny with input as plan([res("aws_instance", {"instance_type": "c6i.32xlarge"})])
	some f in fs
	f.path == "instance_type"
	f.value == "c6i.32xlarge"
	contains(f.msg, "128 vCPUs")
}

test_fail_too_much_memory if {
	fs := rule.deny with input as plan([res("aws_launch_template", {"instance_type": "x2iedn.8xlarge"})])
	some f in fs
	contains(f.msg, "1024 GiB")
}

test_fail_node_group_and_asg_overrides if {
	fs := rule.deny with input as plan([
		res("aws_eks_node_group", {"instance_types": ["m6i.large", "m6i.32xlarge"]}),
		res("aws_autoscaling_group", {"mixed_instances_policy": [{"launch_template": [{"override": [{"instance_type": "c7i.48xlarge"}]}]}]}),
	])
	paths := {f.path | some f in fs}
	paths == {"instance_types[1]", "mixed_instances_policy[0].launch_template[0].override[0].instance_type"}
}

test_fail_limit_from_params if {
	count(rule.deny) == 1 with input as plan([res("aws_instance", {"instance_type": "m6i.4xlarge"})])
		with data.paved.params.instance_size_limit as {"max_vcpu": 8, "max_memory_gib": 512}
}

test_pass_normal_sizes_and_unknowns if {
	count(rule.deny) == 0 with input as plan([
		res("aws_instance", {"instance_type": "m6i.4xlarge"}),
		res("aws_instance", {"instance_type": "m7i.16xlarge"}), # exactly 64 vCPU
		unknown(res("aws_launch_template", {"instance_type": null}), {"instance_type": true}),
		res("aws_instance", {"instance_type": "not-a-type"}),
	])
}
