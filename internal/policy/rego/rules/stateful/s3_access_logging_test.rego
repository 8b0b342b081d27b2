package paved.rules.s3_access_logging_test

import data.paved.rules.s3_access_logging as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan_for
import data.paved.test.res

params := {"tiers": [1], "skip_phases": ["playground"]}

bucket := created("aws_s3_bucket", {"bucket": "acme-invoices"}, {"logging": true, "id": true}, {"bucket": "constant"})

logging(target) := created("aws_s3_bucket_logging", {"target_bucket": target, "target_prefix": "x/"}, {"bucket": true}, {"bucket": "computed", "target_bucket": "constant"})

test_fail_no_logging if {
	count(rule.warn) == 1 with input as plan_for([bucket], {"tier": 1}) with data.paved.params.s3_access_logging as params
}

test_pass_logged_log_bucket_or_other_tier if {
	count(rule.warn) == 0 with input as plan_for([bucket, logging("acme-logs")], {"tier": 1}) with data.paved.params.s3_access_logging as params
	count(rule.warn) == 0 with input as plan_for([bucket], {"tier": 3}) with data.paved.params.s3_access_logging as params
	logs := named("aws_s3_bucket", "logs", {"bucket": "acme-logs"})
	fs := rule.warn with input as plan_for([bucket, logs, logging("acme-logs")], {"tier": 1}) with data.paved.params.s3_access_logging as params
	count(fs) == 0
}

test_fail_unknown_target_undetermined if {
	c := created("aws_s3_bucket_logging", {"target_prefix": "x/"}, {"bucket": true, "target_bucket": true}, {"bucket": "computed", "target_bucket": "computed"})
	logs := named("aws_s3_bucket", "logs", {"bucket": "acme-logs"})
	fs := rule.warn with input as plan_for([bucket, logs, c], {"tier": 1}) with data.paved.params.s3_access_logging as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
