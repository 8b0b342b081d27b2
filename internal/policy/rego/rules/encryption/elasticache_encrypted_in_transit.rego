# METADATA
# title: ElastiCache traffic is not encrypted in transit
# description: |
#   Without TLS, cache traffic (session tokens, cached personal data, AUTH passwords) crosses
#   the VPC in clear text. Replication groups default to no transit encryption for both Redis
#   OSS and Valkey; Memcached clusters support TLS from version 1.6.12. Redis clusters created
#   as aws_elasticache_cluster cannot use TLS at all and should be replication groups.
#   Left unset, transit_encryption_enabled shows as known after apply and stays off, so it is
#   reported; set from a value known only after apply it is reported as undetermined.
# custom:
#   id: elasticache-encrypted-in-transit
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_30]
#   trivy: [AWS-0051]
#   security: true
#   remediation: Set transit_encryption_enabled = true (with an auth token or RBAC user group) and connect with TLS; for a Redis aws_elasticache_cluster, use aws_elasticache_replication_group instead.
#   resource_types: [aws_elasticache_replication_group, aws_elasticache_cluster]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_elasticache_replication_group" "cache" {
#         replication_group_id = "cache"
#         description          = "sessions"
#       }
#     pass: |
#       resource "aws_elasticache_replication_group" "cache" {
#         replication_group_id       = "cache"
#         description                = "sessions"
#         transit_encryption_enabled = true
#       }
package paved.rules.elasticache_encrypted_in_transit

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_elasticache_replication_group"])
	_off(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not encrypt traffic in transit", [r.address]), "transit_encryption_enabled", object.get(r.after, "transit_encryption_enabled", null))
}

deny contains f if {
	some r in lib.candidates(["aws_elasticache_cluster"])
	lib.get(r, ["engine"], "") == "memcached"
	_off(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s (memcached) does not encrypt traffic in transit", [r.address]), "transit_encryption_enabled", object.get(r.after, "transit_encryption_enabled", null))
}

deny contains f if {
	some r in lib.candidates(["aws_elasticache_replication_group", "aws_elasticache_cluster"])
	_ := r.after_unknown.transit_encryption_enabled
	object.get(r.after, "transit_encryption_enabled", null) == null
	lib.computed(r, ["transit_encryption_enabled"])
	_transit_judged(r)
	lib.judged(r)
	f := lib.undetermined(r, "transit_encryption_enabled", "traffic is encrypted in transit")
}

deny contains f if {
	some r in lib.candidates(["aws_elasticache_cluster"])
	lib.get(r, ["engine"], "") in {"redis", "valkey"}
	lib.get(r, ["replication_group_id"], "") == ""
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is a standalone %s cluster, which cannot encrypt traffic in transit", [r.address, r.after.engine]), "engine", r.after.engine)
}

_transit_judged(r) if r.type == "aws_elasticache_replication_group"

_transit_judged(r) if lib.get(r, ["engine"], "") == "memcached"

# Optional+Computed: unset shows as unknown and stays off.
_off(r) if lib.falsy(lib.get(r, ["transit_encryption_enabled"], false))
