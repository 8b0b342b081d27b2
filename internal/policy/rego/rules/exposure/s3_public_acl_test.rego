package paved.rules.s3_public_acl_test

import data.paved.rules.s3_public_acl as rule
import data.paved.test.plan
import data.paved.test.res

test_fail_canned_acls if {
	fs := rule.deny with input as plan([
		res("aws_s3_bucket_acl", {"acl": "public-read"}),
		res("aws_s3_object", {"acl": "authenticated-read"}),
		res("aws_s3_bucket", {"acl": "public-read-write"}),
	])
	count(fs) == 3
}

test_fail_all_users_grant if {
	fs := rule.deny with input as plan([res("aws_s3_bucket_acl", {"access_control_policy": [{"grant": [{"permission": "READ", "grantee": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}]}]}]})])
	some f in fs
	f.path == "access_control_policy[0].grant[0].grantee[0].uri"
}

test_pass_private if {
	count(rule.deny) == 0 with input as plan([
		res("aws_s3_bucket_acl", {"acl": "private"}),
		res("aws_s3_bucket_acl", {"acl": "log-delivery-write"}),
		res("aws_s3_bucket_acl", {"access_control_policy": [{"grant": [{"permission": "FULL_CONTROL", "grantee": [{"type": "CanonicalUser", "id": "abc"}]}]}]}),
		res("aws_s3_bucket", {"acl": null}),
	])
}
