package paved.rules.unknown_instance_type_test

import data.paved.rules.unknown_instance_type as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown
import data.paved.test.with_config

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

test_fail_computed_type_is_undetermined if {
	fs := rule.warn with input as plan([unknown(res("aws_instance", {"ami": "ami-1"}), {"instance_type": true})])
	[[f.path, f.undetermined] | some f in fs] == [["instance_type", true]]
}

# Left out (an instance from a launch template): nothing to judge here.
test_pass_type_left_out if {
	count(rule.warn) == 0 with input as plan([with_config(unknown(res("aws_instance", {"ami": "ami-1"}), {"instance_type": true}), {"ami": "constant", "launch_template": [{"id": "computed"}]})])
}
