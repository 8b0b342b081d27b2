package paved.rules.s3_bucket_kms_test

import data.paved.rules.s3_bucket_kms as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown
import data.paved.test.with_config

confidential := {"name": "shop", "data_class": "confidential"}

# AWS provider 5 shows the legacy inline block unknown on every new bucket.
bucket(name) := with_config(
	unknown(named("aws_s3_bucket", name, {"bucket": sprintf("acme-%s", [name])}), {"id": true, "server_side_encryption_configuration": true}),
	{"bucket": "constant"},
)

sse(name, bucket_value, algo) := named("aws_s3_bucket_server_side_encryption_configuration", name, {
	"bucket": bucket_value,
	"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": algo}]}],
})

test_fail_confidential_bucket_sse_s3 if {
	fs := rule.warn with input as plan_for([bucket("a"), bucket("b"), sse("b", "acme-b", "AES256")], confidential)
	{f.address | some f in fs} == {"aws_s3_bucket.a", "aws_s3_bucket.b"}
}

test_pass_kms_by_value_by_name_and_legacy if {
	count(rule.warn) == 0 with input as plan_for(
		[
			bucket("a"), sse("a_sse", "acme-a", "aws:kms"),
			bucket("b"), with_config(unknown(sse("b", null, "aws:kms:dsse"), {"bucket": true}), {"bucket": "computed", "rule": [{}]}),
			named("aws_s3_bucket", "c", {"server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}]}),
		],
		confidential,
	)
}

test_pass_internal_data_or_no_service if {
	count(rule.warn) == 0 with input as plan([bucket("a")])
	count(rule.warn) == 0 with input as plan_for([bucket("a")], {"data_class": "internal"})
}

test_fail_computed_algorithm_is_undetermined if {
	fs := rule.warn with input as plan_for(
		[bucket("a"), with_config(unknown(sse("a", "acme-a", null), {"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": true}]}]}), {"bucket": "constant", "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "computed"}]}]})],
		confidential,
	)
	[f.undetermined | some f in fs] == [true]
}
