# METADATA
# title: ElastiCache data is not encrypted at rest
# description: |
#   Cached data is often a copy of the most sensitive rows of the database (sessions, tokens,
#   profiles), and it lands on disk in snapshots and swap. At-rest encryption is chosen when
#   the replication group is created. Redis OSS defaults to off; Valkey defaults to on, so a
#   Valkey group that leaves it unset is fine. Serverless caches are always encrypted.
# custom:
#   id: elasticache-encrypted-at-rest
#   severity: deny
#   category: encryption
#   security: true
#   remediation: Set at_rest_encryption_enabled = true (optionally with kms_key_id); an existing group has to be recreated from a backup.
#   resource_types: [aws_elasticache_replication_group]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_elasticache_replication_group" "cache" {
#         replication_group_id       = "cache"
#         description                = "sessions"
#         engine                     = "redis"
#         at_rest_encryption_enabled = false
#       }
#     pass: |
#       resource "aws_elasticache_replication_group" "cache" {
#         replication_group_id       = "cache"
#         description                = "sessions"
#         engine                     = "redis"
#         at_rest_encryption_enabled = true
#       }
package paved.rules.elasticache_encrypted_at_rest

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_elasticache_replication_group"])
	_unencrypted(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not encrypt cached data at rest", [r.address]), "at_rest_encryption_enabled", object.get(r.after, "at_rest_encryption_enabled", null))
}

_unencrypted(r) if {
	v := lib.get(r, ["at_rest_encryption_enabled"], null)
	lib.falsy(v)
}

# Unset: Redis OSS (the default engine) stays unencrypted.
_unencrypted(r) if {
	lib.unset_default(r, ["at_rest_encryption_enabled"])
	lib.get(r, ["engine"], "redis") == "redis"
}

_unencrypted(r) if {
	lib.unknown(r, ["at_rest_encryption_enabled"])
	lib.get(r, ["engine"], "redis") == "redis"
	not lib.set_and_known(r, ["kms_key_id"])
	not lib.unknown(r, ["kms_key_id"])
}
