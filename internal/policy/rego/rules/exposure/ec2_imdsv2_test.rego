package paved.rules.ec2_imdsv2_test

import data.paved.rules.ec2_imdsv2 as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

params := {"account_requires_imdsv2": false}

instance(md) := created("aws_instance", {"ami": "ami-1", "metadata_options": md}, {"metadata_options": true}, {"ami": "constant"})

left_out := created("aws_instance", {"ami": "ami-1"}, {"metadata_options": true}, {"ami": "constant"})

test_fail_optional_or_left_out if {
	count(rule.warn) == 1 with input as plan([instance([{"http_tokens": "optional"}])]) with data.paved.params.ec2_imdsv2 as params
	count(rule.warn) == 1 with input as plan([left_out]) with data.paved.params.ec2_imdsv2 as params
	count(rule.warn) == 1 with input as plan([res("aws_launch_template", {"name": "lt", "metadata_options": []})]) with data.paved.params.ec2_imdsv2 as params
}

test_pass_required_disabled_or_account_default if {
	count(rule.warn) == 0 with input as plan([instance([{"http_tokens": "required"}])]) with data.paved.params.ec2_imdsv2 as params
	count(rule.warn) == 0 with input as plan([instance([{"http_tokens": "optional", "http_endpoint": "disabled"}])]) with data.paved.params.ec2_imdsv2 as params
	count(rule.warn) == 0 with input as plan([left_out, res("aws_ec2_instance_metadata_defaults", {"http_tokens": "required"})]) with data.paved.params.ec2_imdsv2 as params
	count(rule.warn) == 0 with input as plan([left_out]) with data.paved.params.ec2_imdsv2 as {"account_requires_imdsv2": true}
}

test_fail_computed_undetermined if {
	r := created("aws_instance", {"ami": "ami-1", "metadata_options": [{}]}, {"metadata_options": [{"http_tokens": true}]}, {"metadata_options": [{"http_tokens": "computed"}]})
	fs := rule.warn with input as plan([r]) with data.paved.params.ec2_imdsv2 as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
