package paved.rules.db_storage_encrypted_test

import data.paved.rules.db_storage_encrypted as rule
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown
import data.paved.test.with_action

test_fail_rds_false_and_null if {
	fs := rule.deny with input as plan([
		res("aws_db_instance", {"storage_encrypted": false}),
		res("aws_docdb_cluster", {"storage_encrypted": null}),
	])
	count(fs) == 2
	some f in fs
	f.address == "aws_db_instance.main"
	f.path == "storage_encrypted"
	f.value == false
}

test_fail_existing_unencrypted_database if {
	count(rule.deny) == 1 with input as plan([with_action(res("aws_db_instance", {"storage_encrypted": false}), "no-op")])
}

test_fail_aurora_left_unset if {
	fs := rule.deny with input as plan([unknown(res("aws_rds_cluster", {"engine": "aurora-postgresql"}), {"storage_encrypted": true, "id": true})])
	some f in fs
	contains(f.msg, "not set")
}

test_pass_encrypted_replicas_and_serverless_v1 if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"storage_encrypted": true}),
		res("aws_db_instance", {"storage_encrypted": false, "replicate_source_db": "arn:aws:rds:eu-west-1:1:db:main"}),
		unknown(res("aws_rds_cluster", {"engine_mode": "serverless"}), {"storage_encrypted": true}),
		unknown(res("aws_rds_cluster", {"engine_mode": "provisioned"}), {"storage_encrypted": true, "kms_key_id": true}),
		res("aws_neptune_cluster", {"storage_encrypted": true}),
	])
}
