# METADATA
# title: Database reachable from the internet
# description: |
#   A publicly accessible database gets a public IP address and DNS name; one firewall or
#   security group mistake then exposes it to the whole internet, where database ports are
#   scanned within minutes. Applications reach databases from inside the network; people reach
#   them through a bastion, SSM or IAP port forwarding, a VPN or a private endpoint.
#   Checked: publicly_accessible on RDS, Redshift and DMS; Cloud SQL instances with a public
#   IPv4 address (settings.ip_configuration.ipv4_enabled defaults to true, and an instance
#   without an ip_configuration block gets a public address, so both are reported), and, as a
#   separate finding, Cloud SQL authorized networks that admit 0.0.0.0/0; Azure SQL servers and
#   PostgreSQL and MySQL servers with public network access, which defaults to enabled
#   (public_network_access_enabled, or public_network_access = "Enabled" on newer MySQL
#   flexible servers). A flexible server created without a delegated subnet (VNet integration)
#   is in public access mode, so its public access is reported even when the plan shows it as
#   known after apply. Settings left out take these defaults also when the plan shows them as
#   known after apply; a setting given a value known only after apply is reported as
#   undetermined.
# custom:
#   id: db-publicly-accessible
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_17, CKV_AWS_87, CKV_AWS_89, CKV_GCP_11, CKV_AZURE_113, CKV_AZURE_68, CKV_AZURE_53]
#   trivy: [AWS-0180, GCP-0017, AZU-0022]
#   security: true
#   remediation: Set publicly_accessible = false (AWS), settings.ip_configuration.ipv4_enabled = false with a private_network (Cloud SQL), or public_network_access_enabled = false with a private endpoint or delegated subnet (Azure); connect through a bastion, IAP, SSM or VPN.
#   resource_types: [aws_db_instance, aws_rds_cluster_instance, aws_redshift_cluster, aws_dms_replication_instance, google_sql_database_instance, azurerm_mssql_server, azurerm_postgresql_flexible_server, azurerm_mysql_flexible_server, azurerm_postgresql_server, azurerm_mysql_server, azurerm_mariadb_server]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         instance_class      = "db.t4g.medium"
#         publicly_accessible = true
#       }
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#           ip_configuration {
#             ipv4_enabled = true
#             authorized_networks {
#               value = "0.0.0.0/0"
#             }
#           }
#         }
#       }
#       resource "azurerm_mssql_server" "main" {
#         version                       = "12.0"
#         public_network_access_enabled = true
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class      = "db.t4g.medium"
#         publicly_accessible = false
#       }
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#           ip_configuration {
#             ipv4_enabled    = false
#             private_network = google_compute_network.main.id
#           }
#         }
#       }
#       resource "azurerm_mssql_server" "main" {
#         version                       = "12.0"
#         public_network_access_enabled = false
#       }
package paved.rules.db_publicly_accessible

import data.paved.lib

aws_types := ["aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster", "aws_dms_replication_instance"]

deny contains f if {
	some r in lib.candidates(aws_types)
	lib.get(r, ["publicly_accessible"], false) == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is publicly accessible from the internet", [r.address]), "publicly_accessible", true)
}

# Settings known only after apply, for every type.
deny contains f if {
	some [types, path] in _settings
	some r in lib.candidates(types)
	_ := r.after_unknown[path[0]]
	object.get(r.after, path, null) == null
	lib.computed_here(r, path)
	lib.judged(r)
	f := lib.undetermined(r, lib.dotted(path), "the database is reachable from the internet")
}

_settings := [
	[aws_types, ["publicly_accessible"]],
	[["google_sql_database_instance"], ["settings", 0, "ip_configuration", 0, "ipv4_enabled"]],
	[["azurerm_mssql_server", "azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server", "azurerm_postgresql_flexible_server"], ["public_network_access_enabled"]],
	[["azurerm_mysql_flexible_server"], ["public_network_access_enabled"]],
	[["azurerm_mysql_flexible_server"], ["public_network_access"]],
]

# Cloud SQL: a public IPv4 address (the default).
deny contains f if {
	some r in lib.candidates(["google_sql_database_instance"])
	not _sql_private(r.after)
	_sql_public_ip(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has a public IP address", [r.address]), "settings[0].ip_configuration[0].ipv4_enabled", object.get(r.after, ["settings", 0, "ip_configuration", 0, "ipv4_enabled"], null))
}

# Cloud SQL: authorized networks open to the world.
deny contains f if {
	some r in lib.candidates(["google_sql_database_instance"])
	some i, n in r.after.settings[0].ip_configuration[0].authorized_networks
	_world(n.value)
	object.get(r.after.settings[0].ip_configuration[0], "ipv4_enabled", true) != false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s admits connections from %s", [r.address, n.value]), sprintf("settings[0].ip_configuration[0].authorized_networks[%d].value", [i]), n.value)
}

# Azure SQL, single servers: public network access defaults to enabled
# (also when the plan shows it as known after apply).
deny contains f if {
	some r in lib.candidates(["azurerm_mssql_server", "azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"])
	object.get(r.after, "public_network_access_enabled", null) != false
	lib.get(r, ["public_network_access_enabled"], true) == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows public network access", [r.address]), "public_network_access_enabled", object.get(r.after, "public_network_access_enabled", null))
}

# Azure flexible servers: explicitly public.
deny contains f if {
	some r in lib.candidates(["azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"])
	some attr in ["public_network_access_enabled", "public_network_access"]
	r.after[attr] in {true, "Enabled"}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows public network access", [r.address]), attr, r.after[attr])
}

# Azure flexible servers: created without VNet integration and not switched
# off, they are in public access mode.
deny contains f if {
	some r in lib.candidates(["azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"])
	not object.get(r.after, "public_network_access_enabled", null) in {true, false}
	not object.get(r.after, "public_network_access", null) in {"Enabled", "Disabled"}
	object.get(r.after, "delegated_subnet_id", null) in {null, ""}
	not lib.computed(r, ["delegated_subnet_id"])
	not lib.computed(r, ["public_network_access_enabled"])
	not lib.computed(r, ["public_network_access"])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no delegated subnet and does not switch public network access off, so it is reachable from the internet", [r.address]), "public_network_access_enabled", null)
}

_sql_private(after) if after.settings[0].ip_configuration[0].ipv4_enabled == false

_sql_public_ip(r) if r.after.settings[0].ip_configuration[0].ipv4_enabled == true

# No ip_configuration block (the plan may show it as known after apply):
# Cloud SQL assigns a public address.
_sql_public_ip(r) if {
	is_object(r.after.settings[0])
	object.get(r.after.settings[0], "ip_configuration", []) in {[], null}
	not lib.computed(r, ["settings", 0, "ip_configuration"])
}

# ip_configuration given without ipv4_enabled: the provider default is true.
_sql_public_ip(r) if {
	ipc := r.after.settings[0].ip_configuration[0]
	object.get(ipc, "ipv4_enabled", null) == null
	not lib.computed(r, ["settings", 0, "ip_configuration", 0, "ipv4_enabled"])
}

_world(v) if {
	is_string(v)
	endswith(v, "/0")
}
