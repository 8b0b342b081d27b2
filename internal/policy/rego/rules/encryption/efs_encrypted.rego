# METADATA
# title: EFS file system is not encrypted
# description: |
#   EFS encryption at rest can only be chosen when the file system is created, and the API
#   default is unencrypted (only the console ticks the box for you). A file system that
#   leaves encrypted out shows it as known after apply and is reported, because it will be
#   created unencrypted.
# custom:
#   id: efs-encrypted
#   severity: deny
#   category: encryption
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
	_unencrypted(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is not encrypted at rest", [r.address]), "encrypted", object.get(r.after, "encrypted", null))
}

_unencrypted(r) if lib.get(r, ["encrypted"], false) == false

_unencrypted(r) if {
	lib.unknown(r, ["encrypted"])
	not lib.set_and_known(r, ["kms_key_id"])
	not lib.unknown(r, ["kms_key_id"])
}
