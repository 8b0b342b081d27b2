# METADATA
# title: KMS key without automatic rotation
# description: |
#   A customer managed key that is never rotated keeps protecting data with the same key material
#   for as long as it exists, so a key that leaked once stays useful. AWS KMS does not rotate
#   customer managed keys unless enable_key_rotation is true (rotation applies to symmetric
#   encryption keys only: asymmetric and HMAC keys are not judged), and Cloud KMS rotates a key
#   only when rotation_period is set. Rotation periods longer than max_rotation_days are
#   reported as well. A rotation setting known only after apply is reported as undetermined.
# custom:
#   id: kms-key-rotation
#   severity: warn
#   category: encryption
#   checkov: [CKV_AWS_7, CKV_GCP_43]
#   trivy: [AWS-0065, GCP-0065]
#   security: true
#   remediation: Set enable_key_rotation = true on aws_kms_key (optionally rotation_period_in_days), or rotation_period (for example "7776000s", 90 days) on google_kms_crypto_key.
#   resource_types: [aws_kms_key, google_kms_crypto_key]
#   scope: resource
#   parameters:
#     max_rotation_days:
#       default: 365
#       description: Longest rotation period, in days, that counts as rotated.
#   examples:
#     fail: |
#       resource "aws_kms_key" "data" {
#         description = "data"
#       }
#     pass: |
#       resource "aws_kms_key" "data" {
#         description         = "data"
#         enable_key_rotation = true
#       }
package paved.rules.kms_key_rotation

import data.paved.lib

params := data.paved.params.kms_key_rotation

warn contains f if {
	some r in lib.candidates(["aws_kms_key"])
	object.get(r.after, "enable_key_rotation", null) != true
	not lib.computed(r, ["enable_key_rotation"])
	_symmetric_encryption(r.after)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is never rotated (enable_key_rotation is not true)", [r.address]), "enable_key_rotation", object.get(r.after, "enable_key_rotation", null))
}

warn contains f if {
	some [t, attr] in [["aws_kms_key", "enable_key_rotation"], ["google_kms_crypto_key", "rotation_period"]]
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[attr]
	object.get(r.after, attr, null) == null
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "the key is rotated")
}

warn contains f if {
	some r in lib.candidates(["aws_kms_key"])
	r.after.enable_key_rotation == true
	days := r.after.rotation_period_in_days
	is_number(days)
	days > params.max_rotation_days
	lib.judged(r)
	f := lib.finding(r, sprintf("%s rotates only every %v days, more than %v", [r.address, days, params.max_rotation_days]), "rotation_period_in_days", days)
}

warn contains f if {
	some r in lib.candidates(["google_kms_crypto_key"])
	object.get(r.after, "rotation_period", null) in {null, ""}
	not lib.computed(r, ["rotation_period"])
	object.get(r.after, "purpose", "ENCRYPT_DECRYPT") in {null, "ENCRYPT_DECRYPT"}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s is never rotated (no rotation_period)", [r.address]), "rotation_period", null)
}

warn contains f if {
	some r in lib.candidates(["google_kms_crypto_key"])
	period := r.after.rotation_period
	is_string(period)
	endswith(period, "s")
	seconds := to_number(trim_suffix(period, "s"))
	seconds > params.max_rotation_days * 86400
	lib.judged(r)
	f := lib.finding(r, sprintf("%s rotates only every %s, more than %v days", [r.address, period, params.max_rotation_days]), "rotation_period", period)
}

# Rotation exists for symmetric encryption keys only; unset key_usage and
# key spec mean ENCRYPT_DECRYPT and SYMMETRIC_DEFAULT.
_symmetric_encryption(after) if {
	object.get(after, "key_usage", null) in {null, "ENCRYPT_DECRYPT"}
	object.get(after, "customer_master_key_spec", null) in {null, "SYMMETRIC_DEFAULT"}
}
