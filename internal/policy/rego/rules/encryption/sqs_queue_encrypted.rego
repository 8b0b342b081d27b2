# METADATA
# title: SQS queue encryption switched off
# description: |
#   Messages often carry personal data and sit in the queue for up to two weeks. New queues are
#   encrypted with SQS-managed keys (SSE-SQS) unless that is switched off; a queue that sets
#   sqs_managed_sse_enabled = false without a KMS key stores messages unencrypted (left out,
#   the plan shows it as known after apply, and SSE-SQS applies). Queues holding confidential
#   data can be required to use a KMS key instead; a key known only after apply counts. SSE-SQS
#   switched on or off by a value known only after apply is reported as undetermined.
# custom:
#   id: sqs-queue-encrypted
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_27]
#   trivy: [AWS-0096]
#   security: true
#   remediation: Remove sqs_managed_sse_enabled = false, or set kms_master_key_id to a KMS key.
#   resource_types: [aws_sqs_queue]
#   scope: resource
#   parameters:
#     kms_data_classes:
#       default: [restricted]
#       description: Service data classes whose queues must use a KMS key (kms_master_key_id), not SSE-SQS.
#   examples:
#     fail: |
#       resource "aws_sqs_queue" "orders" {
#         name                    = "orders"
#         sqs_managed_sse_enabled = false
#       }
#     pass: |
#       resource "aws_sqs_queue" "orders" {
#         name              = "orders"
#         kms_master_key_id = aws_kms_key.orders.arn
#       }
package paved.rules.sqs_queue_encrypted

import data.paved.lib

params := data.paved.params.sqs_queue_encrypted

deny contains f if {
	some r in lib.candidates(["aws_sqs_queue"])
	lib.get(r, ["sqs_managed_sse_enabled"], true) == false
	not _kms(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s stores messages unencrypted (sqs_managed_sse_enabled = false and no kms_master_key_id)", [r.address]), "sqs_managed_sse_enabled", false)
}

deny contains f if {
	some r in lib.candidates(["aws_sqs_queue"])
	_ := r.after_unknown.sqs_managed_sse_enabled
	object.get(r.after, "sqs_managed_sse_enabled", null) == null
	lib.computed(r, ["sqs_managed_sse_enabled"])
	not _kms(r)
	lib.judged(r)
	f := lib.undetermined(r, "sqs_managed_sse_enabled", "messages are encrypted")
}

deny contains f if {
	lib.data_class in params.kms_data_classes
	some r in lib.candidates(["aws_sqs_queue"])
	not _kms(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s holds %s data but is not encrypted with a KMS key", [r.address, lib.data_class]), "kms_master_key_id", null)
}

_kms(r) if not object.get(r.after, "kms_master_key_id", null) in {"", null}

_kms(r) if lib.computed(r, ["kms_master_key_id"])
