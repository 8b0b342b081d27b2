package paved.rules.eks_public_endpoint_test

import data.paved.rules.eks_public_endpoint as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_defaults if {
	fs := rule.deny with input as plan([unknown(res("aws_eks_cluster", {"vpc_config": [{"subnet_ids": ["a"]}]}), {"vpc_config": [{"public_access_cidrs": true}]})])
	some f in fs
	f.value == "0.0.0.0/0"
}

test_fail_explicit_world if {
	count(rule.deny) == 1 with input as plan([res("aws_eks_cluster", {"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["10.0.0.0/8", "0.0.0.0/0"]}]})])
}

test_pass_private_or_restricted if {
	count(rule.deny) == 0 with input as plan([
		res("aws_eks_cluster", {"vpc_config": [{"endpoint_public_access": false}]}),
		res("aws_eks_cluster", {"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["203.0.113.0/24"]}]}),
	])
}
