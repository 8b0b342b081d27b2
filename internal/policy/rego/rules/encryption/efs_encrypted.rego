# METADATA
# title: EFS file system is not encrypted
# description: |
#   EFS encryption at rest can only be chosen when the file system is created, and the API
#   default is unencrypted (only the console ticks the box for you). A file system that
#   leaves encrypted out shows it as known after apply and is reported, because it will be
#   created unencrypted (unless it is given a KMS key). encrypted set from a value known only
#   after apply is reported as undetermined.
# custom:
#   id: efs-encrypted
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_42]
#   trivy: [AWS-0037]
#   security: true
#   remediation: Set encrypted = true (optionally with kms_key_id); an existing file system has to be copied to a new encrypted one.
#   resource_types: [aws_efs_file_system]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_efs_file_system" "shared" {
#         creation_token = "shared"
#       }
#     pass: |
#       resource "aws_efs_file_system" "shared" {
#         creation_token = "shared"
#         encrypted      = true
#       }
package paved.rules.efs_encrypted

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_efs_file_system"])
	object.get(r.after, "encrypted", null) != true
	_unencrypted(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is not encrypted at rest", [r.address]), "encrypted", object.get(r.after, "encrypted", null))
}

deny contains f if {
	some r in lib.candidates(["aws_efs_file_system"])
	_ := r.after_unknown.encrypted
	object.get(r.after, "encrypted", null) == null
	lib.computed(r, ["encrypted"])
	not _key(r)
	lib.judged(r)
	f := lib.undetermined(r, "encrypted", "it is encrypted at rest")
}

_unencrypted(r) if r.after.encrypted == false

_unencrypted(r) if {
	lib.unset(r, ["encrypted"])
	not _key(r)
}

# A KMS key (known or not) means encryption was asked for.
_key(r) if lib.set_and_known(r, ["kms_key_id"])

_key(r) if lib.computed(r, ["kms_key_id"])
