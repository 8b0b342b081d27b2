# METADATA
# title: Business-critical database or cache in a single availability zone
# description: |
#   A tier 1 service must survive the loss of an availability zone, which AWS plans for and
#   which happens. A single-AZ RDS instance is down for the whole outage (and for every
#   maintenance reboot); a Multi-AZ instance fails over in a minute or two. ElastiCache
#   replication groups need Multi-AZ with automatic failover for the same reason. The tier is
#   the service's, or the resource's tier tag when the check is not tied to a service.
#   Aurora clusters are multi-AZ when they have readers in other zones, which this rule does
#   not count. Cloud SQL instances need settings.availability_type = "REGIONAL" (the default
#   is ZONAL); Azure PostgreSQL and MySQL flexible servers need a high_availability block with
#   mode ZoneRedundant (SameZone keeps the standby in the same zone). Read replicas are
#   skipped. Settings left out take these defaults also when the plan shows them as known after
#   apply (multi_az of a new RDS instance); one set from a value known only after apply is
#   reported as undetermined.
# custom:
#   id: multi-az-tier1
#   severity: deny
#   category: stateful
#   checkov: [CKV_AWS_157, CKV2_AWS_50]
#   trivy: []
#   security: false
#   remediation: Set multi_az = true on the RDS instance; set multi_az_enabled = true and automatic_failover_enabled = true (with at least one replica) on the replication group; set settings.availability_type = "REGIONAL" on Cloud SQL; add high_availability { mode = "ZoneRedundant" } to an Azure flexible server.
#   resource_types: [aws_db_instance, aws_elasticache_replication_group, google_sql_database_instance, azurerm_postgresql_flexible_server, azurerm_mysql_flexible_server]
#   scope: resource
#   parameters:
#     tiers:
#       default: [1]
#       description: Service tiers that must run across availability zones.
#   examples:
#     fail: |
#       # service tier 1
#       resource "aws_db_instance" "main" {
#         instance_class = "db.r6g.large"
#         multi_az       = false
#       }
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-4-15360"
#         }
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class = "db.r6g.large"
#         multi_az       = true
#       }
#       resource "google_sql_database_instance" "main" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier              = "db-custom-4-15360"
#           availability_type = "REGIONAL"
#         }
#       }
package paved.rules.multi_az_tier1

import data.paved.lib

params := data.paved.params.multi_az_tier1

deny contains f if {
	some r in lib.candidates(["aws_db_instance"])
	lib.tier(r) in params.tiers
	lib.get(r, ["replicate_source_db"], "") in {"", null}
	lib.get(r, ["multi_az"], false) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is a tier %v database in a single availability zone", [r.address, lib.tier(r)]), "multi_az", object.get(r.after, "multi_az", null))
}

deny contains f if {
	some r in lib.candidates(["aws_elasticache_replication_group"])
	lib.tier(r) in params.tiers
	some attr in ["multi_az_enabled", "automatic_failover_enabled"]
	lib.get(r, [attr], false) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is a tier %v cache without %s", [r.address, lib.tier(r), attr]), attr, object.get(r.after, attr, null))
}

deny contains f if {
	some r in lib.candidates(["google_sql_database_instance"])
	settings := r.after.settings[0]
	object.get(settings, "availability_type", null) != "REGIONAL"
	lib.tier(r) in params.tiers
	lib.get(r, ["settings", 0, "availability_type"], "ZONAL") == "ZONAL"
	object.get(r.after, "master_instance_name", null) in {null, ""}
	not lib.computed(r, ["master_instance_name"])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is a tier %v database in a single zone", [r.address, lib.tier(r)]), "settings[0].availability_type", object.get(settings, "availability_type", null))
}

deny contains f if {
	some r in lib.candidates(["azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"])
	object.get(r.after, ["high_availability", 0, "mode"], null) != "ZoneRedundant"
	lib.tier(r) in params.tiers
	not lib.computed(r, ["high_availability"])
	not lib.computed(r, ["high_availability", 0, "mode"])
	not object.get(r.after, "create_mode", "") in {"Replica"}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is a tier %v database without zone-redundant high availability", [r.address, lib.tier(r)]), "high_availability[0].mode", object.get(r.after, ["high_availability", 0, "mode"], null))
}

deny contains f if {
	some [t, path] in _settings
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[path[0]]
	object.get(r.after, path, null) == null
	lib.computed_here(r, path)
	lib.tier(r) in params.tiers
	lib.judged(r)
	f := lib.undetermined(r, lib.dotted(path), "it spans availability zones")
}

_settings := [
	["aws_db_instance", ["multi_az"]],
	["aws_elasticache_replication_group", ["multi_az_enabled"]],
	["aws_elasticache_replication_group", ["automatic_failover_enabled"]],
	["google_sql_database_instance", ["settings", 0, "availability_type"]],
	["azurerm_postgresql_flexible_server", ["high_availability"]],
	["azurerm_postgresql_flexible_server", ["high_availability", 0, "mode"]],
	["azurerm_mysql_flexible_server", ["high_availability"]],
	["azurerm_mysql_flexible_server", ["high_availability", 0, "mode"]],
]
