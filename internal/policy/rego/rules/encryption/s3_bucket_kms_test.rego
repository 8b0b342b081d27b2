package paved.rules.s3_bucket_kms_test

import data.paved.rules.s3_bucket_kms as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

confidential := {"name": "shop", "data_class": "confidential"}

bucket(name) := unknown(named("aws_s3_bucket", name, {"bucket": sprintf("acme-%s", [name])}), {"id": true})

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
			bucket("b"), unknown(sse("b", null, "aws:kms:dsse"), {"bucket": true}),
			named("aws_s3_bucket", "c", {"server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}]}),
		],
		confidential,
	)
}

test_pass_internal_data_or_no_service if {
	count(rule.warn) == 0 with input as plan([bucket("a")])
	count(rule.warn) == 0 with input as plan_for([bucket("a")], {"data_class": "internal"})
}
