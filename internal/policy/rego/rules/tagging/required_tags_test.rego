package paved.rules.required_tags_test

import data.paved.rules.required_tags as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_missing_and_empty if {
	fs := rule.deny with input as plan([
		res("aws_sqs_queue", {"tags": {"team": "checkout"}, "tags_all": {"team": "checkout"}}),
		named("aws_sns_topic", "t", {"tags": {"team": "checkout", "service": ""}}),
	])
	{[f.address, f.value] | some f in fs} == {["aws_sqs_queue.main", ["service"]], ["aws_sns_topic.t", ["service"]]}
}

test_fail_keys_from_params if {
	fs := rule.deny with input as plan([res("aws_sqs_queue", {"tags": {"team": "a", "service": "b"}})])
		with data.paved.params.required_tags as {"required_keys": ["cost-center", "team"]}
	some f in fs
	f.value == ["cost-center"]
}

test_pass_default_tags_engine_tags_unknown_untaggable if {
	count(rule.deny) == 0 with input as plan([
		# provider default_tags arrive in tags_all
		res("aws_sqs_queue", {"tags": null, "tags_all": {"team": "a", "service": "b"}}),
		# the engine's effective tags
		object.union(named("aws_s3_bucket", "b", {"tags": {}}), {"tags": {"team": "a", "service": "b"}}),
		# a value known after apply
		unknown(named("aws_sns_topic", "t", {"tags": {"team": "a"}, "tags_all": {"team": "a"}}), {"tags_all": {"service": true}}),
		# not taggable, data source, delete
		res("aws_iam_role_policy_attachment", {"role": "r"}),
		object.union(named("aws_vpc", "d", {"tags": {}}), {"mode": "data", "action": "read"}),
	])
}

test_fail_case_sensitive_by_params if {
	fs := rule.deny with input as plan([res("aws_sqs_queue", {"tags": {"Team": "a", "Service": "b"}})])
		with data.paved.params.required_tags as {"required_keys": ["team", "service"], "case_sensitive": true}
	some f in fs
	f.value == ["service", "team"]
}

test_pass_keys_in_other_case if {
	count(rule.deny) == 0 with input as plan([res("aws_sqs_queue", {"tags": {"Team": "a"}, "tags_all": {"Team": "a", "SERVICE": "b"}})])
}

# Issue 14: no tags and no default_tags, but the plan shows tags_all as known
# after apply (AWS provider 5).
test_fail_untagged_with_tags_all_unknown if {
	fs := rule.deny with input as plan([created("aws_sqs_queue", {"name": "q", "tags": null}, {"tags_all": true, "arn": true}, {"name": "constant"})])
	[f.value | some f in fs] == [["service", "team"]]
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		created("aws_sqs_queue", {"name": "q", "tags": null}, {"tags": true, "tags_all": true}, {"name": "constant", "tags": "computed"}),
		# default_tags the plan does not resolve (the reader marks tags_all)
		created("aws_sns_topic", {"name": "t", "tags": null}, {"tags_all": true}, {"name": "constant", "tags_all": "computed"}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_sqs_queue.main", true], ["aws_sns_topic.main", true]}
}
