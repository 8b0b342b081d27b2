package paved.rules.db_plaintext_password_test

import data.paved.rules.db_plaintext_password as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.with_config

# Plans mask the value; the configuration says where it comes from.
db(t, name, attr, how) := with_config(named(t, name, {attr: "(sensitive)"}), {attr: how, "username": "constant"})

test_fail_literal_passwords if {
	fs := rule.deny with input as plan([
		db("aws_db_instance", "a", "password", "constant"),
		db("aws_rds_cluster", "b", "master_password", "constant"),
		db("azurerm_postgresql_flexible_server", "c", "administrator_password", "constant"),
		db("aws_db_instance", "wo", "password_wo", "constant"),
	])
	{[f.address, f.path] | some f in fs} == {
		["aws_db_instance.a", "password"], ["aws_rds_cluster.b", "master_password"],
		["azurerm_postgresql_flexible_server.c", "administrator_password"], ["aws_db_instance.wo", "password_wo"],
	}
	every f in fs {
		f.value == null
	}
}

test_pass_managed_generated_or_variable if {
	count(rule.deny) == 0 with input as plan([
		with_config(named("aws_db_instance", "managed", {"manage_master_user_password": true, "password": null}), {"manage_master_user_password": "constant"}),
		db("aws_db_instance", "secret", "password", "computed"),
		db("aws_rds_cluster", "ci", "master_password", "variable"),
		db("google_sql_user", "generated", "password", "computed"),
	])
}

test_fail_without_configuration_is_undetermined if {
	fs := rule.deny with input as plan([res("aws_db_instance", {"password": "(sensitive)"})])
	[f.undetermined | some f in fs] == [true]
}
