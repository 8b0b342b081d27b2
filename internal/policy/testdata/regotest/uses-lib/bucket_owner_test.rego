package paved.rules.bucket_owner_test

import data.paved.rules.bucket_owner as rule
import data.paved.test.plan
import data.paved.test.res

# The library's fixtures are there for custom tests, with or without the
# built-in rules.
test_fail_without_owner if {
	count(rule.deny) == 1 with input as plan([res("aws_s3_bucket", {"tags": {}})])
}

test_pass_with_owner if {
	count(rule.deny) == 0 with input as plan([res("aws_s3_bucket", {"tags": {"owner": "payments"}})])
}
