package paved.rules.db_memory_ceiling_test

import data.paved.rules.db_memory_ceiling as rule
import data.paved.test.deleted
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_one_tb_database if {
	fs := rule.deny with input as plan([res("aws_db_instance", {"instance_class": "db.x2iedn.8xlarge"})])
	some f in fs
	f.address == "aws_db_instance.main"
	f.path == "instance_class"
	f.value == "db.x2iedn.8xlarge"
	contains(f.msg, "1024 GiB")
}

test_fail_aurora_and_docdb_instances if {
	fs := rule.deny with input as plan([
		res("aws_rds_cluster_instance", {"instance_class": "db.r6i.32xlarge"}),
		res("aws_docdb_cluster_instance", {"instance_class": "db.r5.24xlarge"}),
	])
	count(fs) == 2
}

test_fail_existing_database_no_op if {
	r := object.union(res("aws_db_instance", {"instance_class": "db.r5.16xlarge"}), {"action": "no-op"})
	count(rule.deny) == 1 with input as plan([r])
}

test_fail_serverless_v2_max_capacity if {
	fs := rule.deny with input as plan([res("aws_rds_cluster", {"serverlessv2_scaling_configuration": [{"min_capacity": 0.5, "max_capacity": 256}]})])
	some f in fs
	f.path == "serverlessv2_scaling_configuration[0].max_capacity"
	f.value == 256
}

test_fail_lower_ceiling_from_params if {
	fs := rule.deny with input as plan([res("aws_db_instance", {"instance_class": "db.r6g.2xlarge"})])
		with data.paved.params.db_memory_ceiling as {"max_memory_gib": 32}
	count(fs) == 1
}

test_pass_at_or_below_ceiling if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"instance_class": "db.r6g.2xlarge"}),
		res("aws_db_instance", {"instance_class": "db.r6g.8xlarge"}), # exactly 256 GiB
		res("aws_rds_cluster", {"serverlessv2_scaling_configuration": [{"max_capacity": 64}]}),
	])
}

test_pass_unknown_class_deleted_and_data if {
	count(rule.deny) == 0 with input as plan([
		object.union(res("aws_db_instance", {"instance_class": null}), {"after_unknown": {"instance_class": true}}),
		{"address": "aws_db_instance.old", "type": "aws_db_instance", "action": "delete", "before": {"instance_class": "db.x2iedn.32xlarge"}},
		object.union(res("aws_db_instance", {"instance_class": "db.x2iedn.32xlarge"}), {"mode": "data", "action": "read"}),
		res("aws_db_instance", {"instance_class": "db.serverless"}),
	])
}

test_fail_multi_az_db_cluster_class if {
	fs := rule.deny with input as plan([res("aws_rds_cluster", {"engine": "postgres", "db_cluster_instance_class": "db.r6gd.16xlarge"})])
	some f in fs
	f.path == "db_cluster_instance_class"
}
