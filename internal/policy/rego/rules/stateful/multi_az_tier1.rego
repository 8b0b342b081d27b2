# METADATA
# title: Business-critical database or cache in a single availability zone
# description: |
#   A tier 1 service must survive the loss of an availability zone, which AWS plans for and
#   which happens. A single-AZ RDS instance is down for the whole outage (and for every
#   maintenance reboot); a Multi-AZ instance fails over in a minute or two. ElastiCache
#   replication groups need Multi-AZ with automatic failover for the same reason. The tier is
#   the service's, or the resource's tier tag when the check is not tied to a service.
#   Aurora clusters are multi-AZ when they have readers in other zones, which this rule does
#   not count.
# custom:
#   id: multi-az-tier1
#   severity: deny
#   category: stateful
#   security: false
#   remediation: Set multi_az = true on the RDS instance; set multi_az_enabled = true and automatic_failover_enabled = true (with at least one replica) on the replication group.
#   resource_types: [aws_db_instance, aws_elasticache_replication_group]
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
#     pass: |
#       resource "aws_db_instance" "main" {
#         instance_class = "db.r6g.large"
#         multi_az       = true
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
