package paved.rules.db_publicly_accessible_test

import data.paved.rules.db_publicly_accessible as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_public if {
	count(rule.deny) == 2 with input as plan([res("aws_db_instance", {"publicly_accessible": true}), res("aws_redshift_cluster", {"publicly_accessible": true})])
}

test_pass_private_or_default if {
	count(rule.deny) == 0 with input as plan([
		res("aws_db_instance", {"publicly_accessible": false}),
		res("aws_rds_cluster_instance", {"publicly_accessible": null}),
		created("aws_redshift_cluster", {}, {"publicly_accessible": true}, {}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		unknown(res("aws_redshift_cluster", {}), {"publicly_accessible": true}),
		created("azurerm_mssql_server", {"version": "12.0"}, {"public_network_access_enabled": true}, {"public_network_access_enabled": "computed"}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_redshift_cluster.main", true], ["azurerm_mssql_server.main", true]}
}

# azurerm v4 shows public_network_access_enabled as known after apply when it
# is left out: public by default.
test_fail_azure_sql_default_public if {
	fs := rule.deny with input as plan([created("azurerm_mssql_server", {"version": "12.0"}, {"public_network_access_enabled": true}, {"version": "constant"})])
	[f.path | some f in fs] == ["public_network_access_enabled"]
}

test_fail_cloud_sql_public_ip_and_world_network if {
	fs := rule.deny with input as plan([res("google_sql_database_instance", {"settings": [{
		"tier": "db-f1-micro",
		"ip_configuration": [{"ipv4_enabled": true, "authorized_networks": [{"name": "all", "value": "0.0.0.0/0"}]}],
	}]})])
	{f.path | some f in fs} == {"settings[0].ip_configuration[0].ipv4_enabled", "settings[0].ip_configuration[0].authorized_networks[0].value"}
}

# No ip_configuration block: shown as known after apply, public by default.
test_fail_cloud_sql_default_public_ip if {
	fs := rule.deny with input as plan([created(
		"google_sql_database_instance", {"settings": [{"tier": "db-f1-micro", "ip_configuration": []}]},
		{"settings": [{"ip_configuration": true}]}, {"settings": [{"tier": "constant"}]},
	)])
	count(fs) == 1
}

test_pass_cloud_sql_private_ip if {
	count(rule.deny) == 0 with input as plan([
		res("google_sql_database_instance", {"settings": [{"tier": "db-f1-micro", "ip_configuration": [{
			"ipv4_enabled": false,
			"private_network": "projects/p/global/networks/default",
			"authorized_networks": [],
		}]}]}),
	])
}

test_fail_azure_public_network_access if {
	fs := rule.deny with input as plan([
		res("azurerm_mssql_server", {"version": "12.0", "public_network_access_enabled": true}),
		res("azurerm_postgresql_flexible_server", {"public_network_access_enabled": true, "delegated_subnet_id": null}),
		res("azurerm_mysql_flexible_server", {"public_network_access": "Enabled"}),
	])
	count(fs) == 3
}

# Provider v3: public_network_access_enabled is computed; without a delegated
# subnet the server is created in public access mode.
test_fail_azure_flexible_without_vnet if {
	fs := rule.deny with input as plan([created(
		"azurerm_postgresql_flexible_server", {"sku_name": "B_Standard_B1ms", "delegated_subnet_id": null},
		{"public_network_access_enabled": true}, {"sku_name": "constant"},
	)])
	count(fs) == 1
}

test_pass_azure_private if {
	count(rule.deny) == 0 with input as plan([
		res("azurerm_mssql_server", {"version": "12.0", "public_network_access_enabled": false}),
		created("azurerm_postgresql_flexible_server", {"delegated_subnet_id": "/subscriptions/x/subnets/db"}, {"public_network_access_enabled": true}, {"delegated_subnet_id": "constant"}),
		created("azurerm_mysql_flexible_server", {}, {"delegated_subnet_id": true, "public_network_access": true}, {"delegated_subnet_id": "computed"}),
		res("azurerm_postgresql_flexible_server", {"public_network_access_enabled": false}),
		res("azurerm_mysql_flexible_server", {"public_network_access": "Disabled"}),
	])
}
