package paved.rules.require_owner_tag_test

import data.paved.rules.require_owner_tag

test_untagged_bucket_denied if {
	r := {"address": "aws_s3_bucket.a", "type": "aws_s3_bucket", "action": "create", "after": {}}
	count(require_owner_tag.deny) == 1 with input as {"resources": [r], "by_type": {"aws_s3_bucket": [r]}}
}
