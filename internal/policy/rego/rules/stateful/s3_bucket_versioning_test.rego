package paved.rules.s3_bucket_versioning_test

import data.paved.rules.s3_bucket_versioning as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.unknown
import data.paved.test.with_config

tier1 := {"name": "billing", "tier": 1}

# A new bucket as AWS provider 5 plans it: the legacy versioning block unknown.
bucket(name) := with_config(
	unknown(named("aws_s3_bucket", name, {"bucket": sprintf("acme-%s", [name])}), {"id": true, "versioning": true, "object_lock_enabled": true}),
	{"bucket": "constant"},
)

versioning(name, bucket_value, status) := with_config(
	unknown(named("aws_s3_bucket_versioning", name, {"bucket": bucket_value, "versioning_configuration": [{"status": status}]}), {"bucket": bucket_value == null}),
	{"bucket": "computed", "versioning_configuration": [{"status": "constant"}]},
)

test_fail_tier1_bucket_without_or_suspended if {
	fs := rule.deny with input as plan_for([bucket("a"), bucket("b"), versioning("b", null, "Suspended")], tier1)
	{[f.address, f.value] | some f in fs} == {["aws_s3_bucket.a", null], ["aws_s3_bucket.b", "Suspended"]}
}

test_pass_enabled_lower_tier_playground_object_lock if {
	count(rule.deny) == 0 with input as plan_for([bucket("a"), versioning("a", null, "Enabled")], tier1)
	count(rule.deny) == 0 with input as plan_for([bucket("a"), versioning("a_v", "acme-a", "Enabled")], tier1)
	count(rule.deny) == 0 with input as plan_for([bucket("a")], {"tier": 3})
	count(rule.deny) == 0 with input as plan_for([bucket("a")], {"tier": 1, "phase": "playground"})
	count(rule.deny) == 0 with input as plan_for([named("aws_s3_bucket", "a", {"bucket": "acme-a", "object_lock_enabled": true})], tier1)
	count(rule.deny) == 0 with input as plan_for([named("aws_s3_bucket", "a", {"bucket": "acme-a", "versioning": [{"enabled": true}]})], tier1)
	count(rule.deny) == 0 with input as plan([bucket("a")])
}

test_fail_computed_status_is_undetermined if {
	v := with_config(
		unknown(named("aws_s3_bucket_versioning", "a", {"bucket": "acme-a", "versioning_configuration": [{"status": null}]}), {"versioning_configuration": [{"status": true}]}),
		{"bucket": "constant", "versioning_configuration": [{"status": "variable"}]},
	)
	fs := rule.deny with input as plan_for([bucket("a"), v], tier1)
	[f.undetermined | some f in fs] == [true]
}
