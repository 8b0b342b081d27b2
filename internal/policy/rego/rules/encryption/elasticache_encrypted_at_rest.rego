# METADATA
# title: ElastiCache data is not encrypted at rest
# description: |
#   Cached data is often a copy of the most sensitive rows of the database (sessions, tokens,
#   profiles), and it lands on disk in snapshots and swap. At-rest encryption is chosen when
#   the replication group is created. Redis OSS defaults to off; Valkey defaults to on, so a
#   Valkey group that leaves it unset is fine. Serverless caches are always encrypted. A group
#   given a KMS key (known or not) is encrypted; at_rest_encryption_enabled set from a value
#   known only after apply is reported as undetermined.
# custom:
#   id: elasticache-encrypted-at-rest
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_29]
#   trivy: [AWS-0045]
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
	not lib.truthy(object.get(r.after, "at_rest_encryption_enabled", null))
	_unencrypted(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not encrypt cached data at rest", [r.address]), "at_rest_encryption_enabled", object.get(r.after, "at_rest_encryption_enabled", null))
}

deny contains f if {
	some r in lib.candidates(["aws_elasticache_replication_group"])
	_ := r.after_unknown.at_rest_encryption_enabled
	object.get(r.after, "at_rest_encryption_enabled", null) == null
	lib.computed(r, ["at_rest_encryption_enabled"])
	not _key(r)
	lib.judged(r)
	f := lib.undetermined(r, "at_rest_encryption_enabled", "cached data is encrypted at rest")
}

_unencrypted(r) if lib.falsy(object.get(r.after, "at_rest_encryption_enabled", null))

# Unset: Redis OSS (the default engine) stays unencrypted.
_unencrypted(r) if {
	lib.unset(r, ["at_rest_encryption_enabled"])
	lib.get(r, ["engine"], "redis") == "redis"
	not _key(r)
}

# A KMS key (known or not) means encryption was asked for.
_key(r) if lib.set_and_known(r, ["kms_key_id"])

_key(r) if lib.computed(r, ["kms_key_id"])
