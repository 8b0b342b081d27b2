package paved.rules.allowed_regions_test

import data.paved.rules.allowed_regions as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown
import data.paved.test.with_config

test_fail_provider_region if {
	fs := rule.deny with input as plan([object.union(res("aws_sqs_queue", {"name": "q"}), {"region": "ap-southeast-2"})])
	some f in fs
	f.value == "ap-southeast-2"
}

test_fail_resource_region_attribute_wins if {
	r := object.union(res("aws_sqs_queue", {"region": "sa-east-1"}), {"region": "eu-west-1"})
	fs := rule.deny with input as plan([r])
	some f in fs
	f.path == "region"
	f.value == "sa-east-1"
}

test_pass_allowed_and_global if {
	count(rule.deny) == 0 with input as plan([
		object.union(res("aws_sqs_queue", {}), {"region": "eu-west-1"}),
		object.union(named("aws_iam_role", "r", {}), {"region": "ap-south-1"}),
		object.union(named("aws_iam_role", "noregion", {}), {}),
	])
}

# AWS provider 6 shows the region attribute of a new resource as known
# after apply when the configuration leaves it out: the provider's region.
test_fail_v6_region_left_out if {
	fs := rule.deny with input as plan([with_config(unknown(object.union(named("aws_sns_topic", "t", {}), {"region": "ap-south-1"}), {"region": true}), {})])
	[f.value | some f in fs] == ["ap-south-1"]
}

test_fail_computed_and_unknown_provider_region_are_undetermined if {
	fs := rule.deny with input as plan([
		unknown(object.union(named("aws_sns_topic", "t", {}), {"region": "eu-west-1"}), {"region": true}),
		named("aws_sqs_queue", "noregion", {}),
		named("aws_sqs_queue", "noregion2", {}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_sns_topic.t", true], ["", true]}
}

test_pass_other_clouds_unless_listed if {
	g := object.union(named("google_storage_bucket", "eu", {"location": "EU"}), {"provider": "google", "region": "europe-west1"})
	count(rule.deny) == 0 with input as plan([g])
	count(rule.deny) == 1 with input as plan([g])
		with data.paved.params.allowed_regions as object.union(data.paved.params.allowed_regions, {"providers": ["aws", "google"]})
}
