package paved.rules.db_storage_encrypted_test

import data.paved.rules.db_storage_encrypted as rule
import data.paved.test.created
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

# AWS provider 5: every new instance shows snapshot_identifier unknown; the
# configuration does not set it, so the database is no restore.
test_fail_snapshot_identifier_unknown_but_unset if {
	fs := rule.deny with input as plan([created(
		"aws_db_instance", {"storage_encrypted": false, "engine": "postgres"},
		{"snapshot_identifier": true, "kms_key_id": true, "replicate_source_db": true},
		{"storage_encrypted": "constant", "engine": "constant"},
	)])
	[f.value | some f in fs] == [false]
}

test_fail_aurora_left_unset if {
	fs := rule.deny with input as plan([created("aws_rds_cluster", {"engine": "aurora-postgresql"}, {"storage_encrypted": true, "kms_key_id": true, "id": true}, {"engine": "constant"})])
	some f in fs
	contains(f.msg, "not set")
	not f.undetermined
}

test_fail_computed_encryption_is_undetermined if {
	fs := rule.deny with input as plan([created("aws_db_instance", {"engine": "postgres"}, {"storage_encrypted": true}, {"storage_encrypted": "computed"})])
	[f.undetermined | some f in fs] == [true]
}

test_pass_encrypted_replicas_restores_and_serverless_v1 if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"storage_encrypted": true}),
		res("aws_db_instance", {"storage_encrypted": false, "replicate_source_db": "arn:aws:rds:eu-west-1:1:db:main"}),
		created("aws_db_instance", {"storage_encrypted": null}, {"snapshot_identifier": true}, {"snapshot_identifier": "computed"}),
		unknown(res("aws_rds_cluster", {"engine_mode": "serverless"}), {"storage_encrypted": true}),
		created("aws_rds_cluster", {"engine_mode": "provisioned"}, {"storage_encrypted": true, "kms_key_id": true}, {"kms_key_id": "computed"}),
		res("aws_neptune_cluster", {"storage_encrypted": true}),
	])
}
