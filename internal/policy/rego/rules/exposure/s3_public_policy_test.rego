package paved.rules.s3_public_policy_test

import data.paved.rules.s3_public_policy as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown
import data.paved.test.with_config

pol(statements) := res("aws_s3_bucket_policy", {"policy": json.marshal({"Version": "2012-10-17", "Statement": statements})})

test_fail_star_principal if {
	fs := rule.deny with input as plan([pol([{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}])])
	some f in fs
	f.path == "policy.Statement[0]"
	f.value == "Public"
}

test_pass_invalid_json if {
	count(rule.deny) == 0 with input as plan([res("aws_s3_bucket_policy", {"policy": "{not json"})])
}

test_fail_aws_star_single_statement_object if {
	r := res("aws_s3_bucket_policy", {"policy": json.marshal({"Statement": {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:*"}})})
	count(rule.deny) == 1 with input as plan([r])
}

test_pass_conditions_denies_named_principals_legacy_unset if {
	count(rule.deny) == 0 with input as plan([pol([
		{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}},
		{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
		{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject"},
	])])
	count(rule.deny) == 0 with input as plan([with_config(unknown(res("aws_s3_bucket", {"bucket": "b"}), {"policy": true}), {"bucket": "constant"})])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_s3_bucket_policy", {}), {"policy": true})])
	[f.undetermined | some f in fs] == [true]
}

test_fail_gcs_public_members if {
	fs := rule.deny with input as plan([
		res("google_storage_bucket_iam_member", {"bucket": "site", "role": "roles/storage.objectViewer", "member": "allUsers"}),
		res("google_storage_bucket_iam_binding", {"role": "roles/storage.objectViewer", "members": ["group:eng@acme.example", "allAuthenticatedUsers"]}),
		res("google_storage_bucket_iam_policy", {"policy_data": json.marshal({"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]})}),
	])
	{f.path | some f in fs} == {"member", "members[1]", "policy_data.bindings[0]"}
}

test_pass_gcs_named_members if {
	count(rule.deny) == 0 with input as plan([
		res("google_storage_bucket_iam_member", {"role": "roles/storage.objectViewer", "member": "serviceAccount:web@acme.iam.gserviceaccount.com"}),
		res("google_storage_bucket_iam_binding", {"role": "roles/storage.admin", "members": ["group:ops@acme.example"]}),
		res("google_storage_bucket_iam_policy", {"policy_data": null}),
	])
}
