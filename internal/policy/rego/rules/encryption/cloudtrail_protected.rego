# METADATA
# title: CloudTrail logs not encrypted with KMS or not validated
# description: |
#   CloudTrail is the record investigators rely on after an incident, so it must be tamper-evident
#   and readable only by the people who should read it. Without enable_log_file_validation an
#   attacker who reaches the bucket can edit or delete log files unnoticed (the provider default
#   is false); without kms_key_id the logs are encrypted only with S3-managed keys, so anyone
#   with s3:GetObject on the bucket can read every API call of the account.
#   A KMS key known only after apply (one created in the same plan) counts as encryption; log
#   file validation set from a value known only after apply is reported as undetermined.
# custom:
#   id: cloudtrail-protected
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_35, CKV_AWS_36]
#   trivy: [AWS-0015, AWS-0016]
#   security: true
#   remediation: Set enable_log_file_validation = true and kms_key_id to a customer managed KMS key whose policy lets CloudTrail encrypt and only the security team decrypt.
#   resource_types: [aws_cloudtrail]
#   scope: resource
#   parameters:
#     require_kms:
#       default: true
#       description: Whether trails must be encrypted with a KMS key (kms_key_id); log file validation is always required.
#   examples:
#     fail: |
#       resource "aws_cloudtrail" "main" {
#         name           = "main"
#         s3_bucket_name = aws_s3_bucket.trail.id
#       }
#     pass: |
#       resource "aws_cloudtrail" "main" {
#         name                       = "main"
#         s3_bucket_name             = aws_s3_bucket.trail.id
#         enable_log_file_validation = true
#         kms_key_id                 = aws_kms_key.trail.arn
#       }
package paved.rules.cloudtrail_protected

import data.paved.lib

params := data.paved.params.cloudtrail_protected

deny contains f if {
	some r in lib.candidates(["aws_cloudtrail"])
	object.get(r.after, "enable_log_file_validation", null) != true
	lib.get(r, ["enable_log_file_validation"], false) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not validate its log files (enable_log_file_validation is not true), so edits go unnoticed", [r.address]), "enable_log_file_validation", object.get(r.after, "enable_log_file_validation", null))
}

deny contains f if {
	some r in lib.candidates(["aws_cloudtrail"])
	_ := r.after_unknown.enable_log_file_validation
	object.get(r.after, "enable_log_file_validation", null) == null
	lib.computed(r, ["enable_log_file_validation"])
	lib.judged(r)
	f := lib.undetermined(r, "enable_log_file_validation", "its log files are validated")
}

# A key known only after apply is a key all the same.
deny contains f if {
	params.require_kms == true
	some r in lib.candidates(["aws_cloudtrail"])
	object.get(r.after, "kms_key_id", null) in {null, ""}
	not lib.computed(r, ["kms_key_id"])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is not encrypted with a KMS key (no kms_key_id)", [r.address]), "kms_key_id", null)
}
