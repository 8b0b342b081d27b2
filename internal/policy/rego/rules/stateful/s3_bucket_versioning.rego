# METADATA
# title: Business-critical S3 bucket without versioning
# description: |
#   Without versioning, an overwrite or a delete (by a bug, a bad deploy, a lifecycle rule or
#   ransomware with the application's credentials) destroys the only copy of an object at once;
#   S3 has no undelete. With versioning the previous versions stay until a lifecycle rule
#   expires them, which is what makes recovery possible, and it is the prerequisite of
#   replication and Object Lock. A bucket of a service in one of the listed tiers (or tagged
#   with such a tier) needs versioning Enabled: an aws_s3_bucket_versioning in the plan
#   (provider v4+, matched to its bucket like the public access block), the legacy inline
#   versioning block, or object_lock_enabled, which implies it. Suspended counts as off.
#   Provider v4+ shows the legacy block as known after apply on every new bucket: left out, it
#   is off. A status known only after apply is reported as undetermined.
# custom:
#   id: s3-bucket-versioning
#   severity: deny
#   category: stateful
#   checkov: [CKV_AWS_21]
#   trivy: [AWS-0090]
#   security: false
#   remediation: Add an aws_s3_bucket_versioning with versioning_configuration { status = "Enabled" } (and a lifecycle rule that expires noncurrent versions after the recovery window, to bound the cost).
#   resource_types: [aws_s3_bucket, aws_s3_bucket_versioning]
#   scope: plan
#   parameters:
#     tiers:
#       default: [1]
#       description: Service tiers whose buckets must keep object versions.
#     skip_phases:
#       default: [playground]
#       description: Service phases in which the rule does not apply.
#   examples:
#     fail: |
#       # service tier 1
#       resource "aws_s3_bucket" "invoices" {
#         bucket = "acme-invoices"
#       }
#     pass: |
#       resource "aws_s3_bucket" "invoices" {
#         bucket = "acme-invoices"
#       }
#       resource "aws_s3_bucket_versioning" "invoices" {
#         bucket = aws_s3_bucket.invoices.id
#         versioning_configuration {
#           status = "Enabled"
#         }
#       }
package paved.rules.s3_bucket_versioning

import data.paved.lib

params := data.paved.params.s3_bucket_versioning

applies if not object.get(input, ["service", "phase"], "") in params.skip_phases

# A bucket's keys (lib.s3_bucket_keys) are built once and passed to the
# helpers, which never take the whole bucket (a function call compares its
# arguments).
deny contains f if {
	applies
	some b in lib.candidates(["aws_s3_bucket"])
	tier := lib.tier(b)
	tier in params.tiers
	lib.judged(b)
	not _inline(b.after)
	keys := lib.s3_bucket_keys(b)
	not _matches(keys, _enabled_keys)
	f := _finding(b, keys, tier)
}

_finding(b, keys, tier) := lib.undetermined(b, "versioning", "versioning is enabled") if _unsure(b, keys)

else := lib.finding(b, sprintf("%s is a tier %v bucket without versioning, so an overwrite or a delete loses the data for good", [b.address, tier]), "versioning", _status(keys))

# Legacy inline block (provider v3), or Object Lock, which needs versioning.
_inline(after) if {
	some v in object.get(after, "versioning", [])
	v.enabled == true
}

_inline(after) if after.object_lock_enabled == true

_matches(keys, set) if {
	some k in keys
	k in set
}

_unsure(b, _) if {
	some attr in ["versioning", "object_lock_enabled"]
	_ := b.after_unknown[attr]
	lib.computed(b, [attr])
}

_unsure(_, keys) if _matches(keys, _unsure_keys)

_status(keys) := "Suspended" if _matches(keys, _suspended_keys)

else := null

_configs := lib.resources(["aws_s3_bucket_versioning"])

# The keys of the versioning configurations (see lib.s3_bucket_of), by status.
_enabled_keys contains k if {
	some c in _configs
	object.get(c.after, ["versioning_configuration", 0, "status"], null) == "Enabled"
	some k in _keys(c)
}

_suspended_keys contains k if {
	some c in _configs
	object.get(c.after, ["versioning_configuration", 0, "status"], null) in {"Suspended", "Disabled"}
	some k in _keys(c)
}

_unsure_keys contains k if {
	some c in _configs
	_ := c.after_unknown.versioning_configuration
	object.get(c.after, ["versioning_configuration", 0, "status"], null) == null
	lib.computed(c, ["versioning_configuration", 0, "status"])
	some k in _keys(c)
}

_keys(c) := {lib.s3_config_key(c), lib.s3_config_module_key(c)} if {
	_ := c.after_unknown.bucket
	lib.computed(c, ["bucket"])
} else := {lib.s3_config_key(c)}
