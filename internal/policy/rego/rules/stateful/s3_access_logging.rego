# METADATA
# title: Business-critical S3 bucket without access logging
# description: |
#   CloudTrail records bucket-level API calls but not object reads and writes unless data
#   events are paid for; without server access logs nobody can say afterwards who read or
#   deleted which objects of a bucket that matters. A bucket of a service in one of the listed
#   tiers (or tagged with such a tier) needs access logging: an aws_s3_bucket_logging in the
#   plan (provider v4+, matched to its bucket like the public access block) or the legacy
#   inline logging block. Buckets that receive other buckets' logs are not reported (logging
#   a log bucket into itself loops). Provider v4+ shows the legacy block as known after apply
#   on every new bucket: left out, logging is off. Any target bucket counts, also one known
#   only after apply; a bucket without logging in a plan whose logging target is known only
#   after apply may be that target, and is reported as undetermined.
# custom:
#   id: s3-access-logging
#   severity: warn
#   category: stateful
#   checkov: [CKV_AWS_18]
#   trivy: [AWS-0089]
#   security: true
#   remediation: Add an aws_s3_bucket_logging with target_bucket set to the account's log bucket and target_prefix set to the bucket's name.
#   resource_types: [aws_s3_bucket, aws_s3_bucket_logging]
#   scope: plan
#   parameters:
#     tiers:
#       default: [1]
#       description: Service tiers whose buckets must log access.
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
#       resource "aws_s3_bucket_logging" "invoices" {
#         bucket        = aws_s3_bucket.invoices.id
#         target_bucket = "acme-s3-access-logs"
#         target_prefix = "acme-invoices/"
#       }
package paved.rules.s3_access_logging

import data.paved.lib

params := data.paved.params.s3_access_logging

applies if not object.get(input, ["service", "phase"], "") in params.skip_phases

# Cheap tests on plain refs first; helpers that take the whole bucket (a
# function call compares its arguments) run only for the buckets that fail.
warn contains f if {
	applies
	some b in lib.candidates(["aws_s3_bucket"])
	tier := lib.tier(b)
	tier in params.tiers
	not _inline(b.after)
	not object.get(b.after, "bucket", "") in _targets
	lib.judged(b)
	keys := lib.s3_bucket_keys(b)
	not _logged(keys)
	f := _finding(b, tier)
}

# The legacy inline block set from a value known only after apply, or a
# logging configuration whose target is known only after apply and may be
# this bucket (the log bucket of the plan): then it cannot be told yet.
_finding(b, tier) := lib.undetermined(b, "logging", "access logging is on") if _unsure_inline(b)

else := lib.undetermined(b, "logging", "it is the log bucket of another bucket or needs access logging") if _unknown_target

else := lib.finding(b, sprintf("%s is a tier %v bucket without access logging", [b.address, tier]), "logging", null)

_inline(after) if {
	some l in object.get(after, "logging", [])
	is_string(l.target_bucket)
}

_unsure_inline(b) if {
	_ := b.after_unknown.logging
	lib.computed(b, ["logging"])
}

_logged(keys) if {
	some k in keys
	k in _logged_keys
}

_configs := lib.resources(["aws_s3_bucket_logging"])

_logged_keys contains k if {
	some c in _configs
	some k in _keys(c)
}

_unknown_target if {
	some c in _configs
	_ := c.after_unknown.target_bucket
	lib.computed(c, ["target_bucket"])
}

_targets contains t if {
	some c in _configs
	t := c.after.target_bucket
	is_string(t)
}

_keys(c) := {lib.s3_config_key(c), lib.s3_config_module_key(c)} if {
	_ := c.after_unknown.bucket
	lib.computed(c, ["bucket"])
} else := {lib.s3_config_key(c)}
