# METADATA
# title: DynamoDB table for sensitive data without a KMS key
# description: |
#   DynamoDB always encrypts tables at rest, by default with a key owned by AWS that you can
#   neither audit nor restrict. For confidential and restricted data, server-side encryption
#   with a KMS key (the AWS managed aws/dynamodb key or a customer managed key) adds CloudTrail
#   records of key use and key policies that control who can read the table.
#   A table that leaves the server_side_encryption block out uses the AWS owned key, also when
#   the plan shows the block as known after apply; enabled set from a value known only after
#   apply is reported as undetermined.
# custom:
#   id: dynamodb-kms
#   severity: warn
#   category: encryption
#   checkov: [CKV_AWS_119]
#   trivy: [AWS-0025]
#   security: true
#   remediation: Add server_side_encryption { enabled = true } and, for the strictest control, kms_key_arn with a customer managed key.
#   resource_types: [aws_dynamodb_table]
#   scope: resource
#   parameters:
#     kms_data_classes:
#       default: [confidential, restricted]
#       description: Service data classes whose tables should use a KMS key.
#   examples:
#     fail: |
#       # for a service with data_class = restricted
#       resource "aws_dynamodb_table" "customers" {
#         name     = "customers"
#         hash_key = "customer_id"
#       }
#     pass: |
#       resource "aws_dynamodb_table" "customers" {
#         name     = "customers"
#         hash_key = "customer_id"
#         server_side_encryption {
#           enabled = true
#         }
#       }
package paved.rules.dynamodb_kms

import data.paved.lib

params := data.paved.params.dynamodb_kms

warn contains f if {
	lib.data_class in params.kms_data_classes
	some r in lib.candidates(["aws_dynamodb_table"])
	not _kms(r)
	not _computed(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s holds %s data but is encrypted with an AWS owned key, not a KMS key", [r.address, lib.data_class]), "server_side_encryption", object.get(r.after, "server_side_encryption", null))
}

warn contains f if {
	lib.data_class in params.kms_data_classes
	some r in lib.candidates(["aws_dynamodb_table"])
	not _kms(r)
	_computed(r)
	lib.judged(r)
	f := lib.undetermined(r, "server_side_encryption", "it is encrypted with a KMS key")
}

_kms(r) if {
	some [i, _] in lib.blocks(r, "server_side_encryption")
	lib.get(r, ["server_side_encryption", i, "enabled"], false) != false
}

_computed(r) if lib.computed(r, ["server_side_encryption"])

_computed(r) if {
	some i, _ in object.get(r.after, "server_side_encryption", [])
	_ := r.after_unknown.server_side_encryption
	lib.computed(r, ["server_side_encryption", i, "enabled"])
}
