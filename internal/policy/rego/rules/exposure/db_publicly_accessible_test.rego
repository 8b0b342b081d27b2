package paved.rules.db_publicly_accessible_test

import data.paved.rules.db_publicly_accessible as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_public if {
	count(rule.deny) == 2 with input as plan([res("aws_db_instance", {"publicly_accessible": true}), res("aws_redshift_cluster", {"publicly_accessible": true})])
}

test_pass_private_or_unknown if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"publicly_accessible": false}),
		res("aws_rds_cluster_instance", {"publicly_accessible": null}),
		unknown(res("aws_redshift_cluster", {}), {"publicly_accessible": true}),
	])
}
