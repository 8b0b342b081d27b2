package paved.rules.s3_public_access_block_test

import data.paved.rules.s3_public_access_block as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown
import data.paved.test.with_config

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

# Real configurations name the block differently from the bucket; its bucket
# is unknown on create. The only bucket of the module is the one meant.
test_pass_sole_bucket_of_module if {
	count(rule.deny) == 0 with input as plan([bucket("website"), unknown(pab("website_pab", null), {"bucket": true})])
	m := object.union(bucket("a"), {"module": "module.site", "address": "module.site.aws_s3_bucket.a"})
	b := object.union(unknown(pab("a_block", null), {"bucket": true}), {"module": "module.site", "address": "module.site.aws_s3_bucket_public_access_block.a_block"})
	count(rule.deny) == 0 with input as plan([m, b])
}

test_fail_two_buckets_one_unknown_block if {
	fs := rule.deny with input as plan([bucket("a"), bucket("b"), unknown(pab("blk", null), {"bucket": true})])
	{f.address | some f in fs} == {"aws_s3_bucket.a", "aws_s3_bucket.b"}

	# a block in another module does not cover the root module's bucket
	b := object.union(unknown(pab("blk", null), {"bucket": true}), {"module": "module.x", "address": "module.x.aws_s3_bucket_public_access_block.blk"})
	count(rule.deny) == 1 with input as plan([bucket("a"), b])
}

test_fail_gcs_and_azure_without_prevention if {
	fs := rule.deny with input as plan([
		named("google_storage_bucket", "unset", {"name": "acme-unset", "location": "EU"}),
		named("google_storage_bucket", "inherited", {"name": "acme-inh", "public_access_prevention": "inherited"}),
		with_config(unknown(named("google_storage_bucket", "computed", {"name": "acme-later"}), {"public_access_prevention": true}), {"name": "constant"}),
		res("azurerm_storage_account", {"name": "acmedata", "allow_nested_items_to_be_public": true}),
	])
	{f.address | some f in fs} == {"google_storage_bucket.unset", "google_storage_bucket.inherited", "google_storage_bucket.computed", "azurerm_storage_account.main"}
}

test_pass_gcs_and_azure_prevented if {
	count(rule.deny) == 0 with input as plan([
		res("google_storage_bucket", {"name": "acme-data", "public_access_prevention": "enforced"}),
		res("azurerm_storage_account", {"name": "acmedata", "allow_nested_items_to_be_public": false}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		unknown(named("google_storage_bucket", "later", {"name": "acme-later"}), {"public_access_prevention": true}),
		unknown(named("aws_s3_bucket_public_access_block", "blk", object.union(all_on, {"bucket": "acme-b", "block_public_policy": null})), {"block_public_policy": true}),
	])
	{[f.path, f.undetermined] | some f in fs} == {["public_access_prevention", true], ["block_public_policy", true]}
}
