package paved.rules.s3_public_access_block_test

import data.paved.rules.s3_public_access_block as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

bucket(name) := named("aws_s3_bucket", name, {"bucket": sprintf("acme-%s", [name])})

all_on := {"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}

pab(name, bucket_value) := named("aws_s3_bucket_public_access_block", name, object.union(all_on, {"bucket": bucket_value}))

test_fail_bucket_without_block if {
	fs := rule.deny with input as plan([bucket("a"), bucket("b"), pab("b", "acme-b")])
	{f.address | some f in fs} == {"aws_s3_bucket.a"}
}

test_fail_block_with_flag_off if {
	r := named("aws_s3_bucket_public_access_block", "a", object.union(all_on, {"bucket": "acme-a", "block_public_policy": false}))
	fs := rule.deny with input as plan([bucket("a"), r])
	{f.path | some f in fs} == {"block_public_policy"}
}

test_pass_matched_by_value_name_or_account if {
	count(rule.deny) == 0 with input as plan([
		bucket("a"), pab("a_block", "acme-a"),
		bucket("b"), unknown(pab("b", null), {"bucket": true}),
	])
	count(rule.deny) == 0 with input as plan([bucket("c"), res("aws_s3_account_public_access_block", all_on)])
}
