# METADATA
# title: S3 bucket for sensitive data without KMS encryption
# description: |
#   Since January 2023 S3 encrypts every new object with S3-managed keys (SSE-S3), so a bucket
#   is never stored in clear text. For confidential and restricted data a KMS key adds what
#   SSE-S3 lacks: key policies that limit who can decrypt, CloudTrail records of every use,
#   and the ability to revoke access by disabling the key. This advice applies to services
#   whose data class is listed; it reads the bucket's encryption configuration resource
#   (provider v4+) or the legacy inline block (which provider v4+ shows as known after apply
#   on every new bucket: left out, it is not KMS). An algorithm known only after apply is
#   reported as undetermined.
# custom:
#   id: s3-bucket-kms
#   severity: warn
#   category: encryption
#   checkov: [CKV_AWS_145]
#   trivy: [AWS-0132]
#   security: true
#   remediation: Add an aws_s3_bucket_server_side_encryption_configuration with sse_algorithm = "aws:kms" (and bucket_key_enabled = true to keep KMS costs down).
#   resource_types: [aws_s3_bucket, aws_s3_bucket_server_side_encryption_configuration]
#   scope: plan
#   parameters:
#     kms_data_classes:
#       default: [confidential, restricted]
#       description: Service data classes whose buckets should be encrypted with a KMS key.
#   examples:
#     fail: |
#       # for a service with data_class = confidential
#       resource "aws_s3_bucket" "exports" {
#         bucket = "acme-exports"
#       }
#     pass: |
#       resource "aws_s3_bucket" "exports" {
#         bucket = "acme-exports"
#       }
#       resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
#         bucket = aws_s3_bucket.exports.id
#         rule {
#           apply_server_side_encryption_by_default {
#             sse_algorithm     = "aws:kms"
#             kms_master_key_id = aws_kms_key.exports.arn
#           }
#           bucket_key_enabled = true
#         }
#       }
package paved.rules.s3_bucket_kms

import data.paved.lib

params := data.paved.params.s3_bucket_kms

kms_algorithms := {"aws:kms", "aws:kms:dsse"}

warn contains f if {
	lib.data_class in params.kms_data_classes
	some b in lib.resources(["aws_s3_bucket"])
	not _kms(b)
	not _unsure(b)
	f := lib.finding(b, sprintf("%s holds %s data but is not encrypted with a KMS key (SSE-S3 only)", [b.address, lib.data_class]), "server_side_encryption_configuration", null)
}

warn contains f if {
	lib.data_class in params.kms_data_classes
	some b in lib.resources(["aws_s3_bucket"])
	not _kms(b)
	_unsure(b)
	f := lib.undetermined(b, "server_side_encryption_configuration", "it is encrypted with a KMS key")
}

# Legacy inline configuration on the bucket (provider v3).
_kms(b) if {
	some rule in object.get(b.after, "server_side_encryption_configuration", [])
	some r in rule.rule
	some d in r.apply_server_side_encryption_by_default
	d.sse_algorithm in kms_algorithms
}

_kms(b) if {
	keys := _kms_keys # the whole set, materialised once and cached
	some k in lib.s3_bucket_keys(b)
	k in keys
}

_unsure(b) if lib.computed(b, ["server_side_encryption_configuration"])

_unsure(b) if {
	keys := _unsure_keys
	some k in lib.s3_bucket_keys(b)
	k in keys
}

# The keys of every KMS encryption configuration, built once (see lib.s3_bucket_of).
_kms_keys contains lib.s3_config_key(c) if {
	some c in _configs
	_config_kms(c)
}

_kms_keys contains lib.s3_config_module_key(c) if {
	some c in _configs
	_config_kms(c)
}

# Configurations whose algorithm is known only after apply.
_unsure_keys contains lib.s3_config_key(c) if {
	some c in _configs
	_config_computed(c)
}

_unsure_keys contains lib.s3_config_module_key(c) if {
	some c in _configs
	_config_computed(c)
}

_configs := lib.resources(["aws_s3_bucket_server_side_encryption_configuration"])

_config_kms(c) if {
	some r in object.get(c.after, "rule", [])
	some d in object.get(r, "apply_server_side_encryption_by_default", [])
	d.sse_algorithm in kms_algorithms
}

_config_computed(c) if lib.computed(c, ["rule"])

_config_computed(c) if {
	some i, r in object.get(c.after, "rule", [])
	some j, _ in object.get(r, "apply_server_side_encryption_by_default", [])
	_ := c.after_unknown.rule
	lib.computed(c, ["rule", i, "apply_server_side_encryption_by_default", j, "sse_algorithm"])
}
