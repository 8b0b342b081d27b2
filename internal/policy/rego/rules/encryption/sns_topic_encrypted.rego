# METADATA
# title: SNS topic is not encrypted
# description: |
#   SNS topics are not encrypted at rest unless a KMS key is configured, and notifications
#   frequently carry identifiers, addresses or order details. Server-side encryption costs
#   little (the AWS managed key alias/aws/sns is free of key charges) and is set on creation.
#   A key known only after apply (one created in the same plan) is a key all the same.
# custom:
#   id: sns-topic-encrypted
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_26]
#   trivy: [AWS-0095]
#   security: true
#   remediation: Set kms_master_key_id (for example "alias/aws/sns" or a customer managed key that the publishers may use).
#   resource_types: [aws_sns_topic]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_sns_topic" "events" {
#         name = "events"
#       }
#     pass: |
#       resource "aws_sns_topic" "events" {
#         name              = "events"
#         kms_master_key_id = "alias/aws/sns"
#       }
package paved.rules.sns_topic_encrypted

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_sns_topic"])
	v := lib.get(r, ["kms_master_key_id"], "")
	v == ""
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is not encrypted at rest (no kms_master_key_id)", [r.address]), "kms_master_key_id", null)
}
