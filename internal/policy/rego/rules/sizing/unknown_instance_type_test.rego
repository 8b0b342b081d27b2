package paved.rules.unknown_instance_type_test

import data.paved.rules.unknown_instance_type as rule
import data.paved.test.plan
import data.paved.test.res

test_fail_typo if {
	fs := rule.warn with input as plan([res("aws_instance", {"instance_type": "m6i.larg"}), res("aws_db_instance", {"instance_class": "r6g.large"})])
	{f.value | some f in fs} == {"m6i.larg", "r6g.large"}
}

test_pass_known_and_serverless if {
	count(rule.warn) == 0 with input as plan([
		res("aws_instance", {"instance_type": "m6i.large"}),
		res("aws_db_instance", {"instance_class": "db.t4g.micro"}),
		res("aws_rds_cluster_instance", {"instance_class": "db.serverless"}),
	])
}
