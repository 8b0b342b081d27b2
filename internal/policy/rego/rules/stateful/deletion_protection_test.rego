package paved.rules.deletion_protection_test

import data.paved.rules.deletion_protection as rule
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

test_fail_unprotected if {
	fs := rule.deny with input as plan([
		res("aws_rds_cluster", {"deletion_protection": null}),
		res("aws_dynamodb_table", {"deletion_protection_enabled": false}),
	])
	{f.path | some f in fs} == {"deletion_protection", "deletion_protection_enabled"}
}

test_pass_protected_unknown_or_playground if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"deletion_protection": true}),
	])
	count(rule.deny) == 0 with input as plan_for([res("aws_db_instance", {"deletion_protection": false})], {"phase": "playground"})
}

test_fail_google_protection_off if {
	fs := rule.deny with input as plan([
		res("google_sql_database_instance", {"deletion_protection": false, "settings": [{"tier": "db-f1-micro"}]}),
		res("google_spanner_database", {"deletion_protection": false}),
	])
	count(fs) == 2
}

test_pass_google_default_or_on if {
	count(rule.deny) == 0 with input as plan([
		res("google_sql_database_instance", {"deletion_protection": true}),
		res("google_bigtable_instance", {"deletion_protection": null}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		unknown(res("aws_docdb_cluster", {}), {"deletion_protection": true}),
		unknown(res("google_spanner_database", {}), {"deletion_protection": true}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_docdb_cluster.main", true], ["google_spanner_database.main", true]}
}
