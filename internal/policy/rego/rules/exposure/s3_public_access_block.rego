# METADATA
# title: Storage bucket or account without a public access block
# description: |
#   The public access block is the safety net under every bucket: with all four settings on,
#   no ACL or bucket policy written later (by a person, a tool or a mistake) can make the
#   bucket public. Each bucket in the plan needs an aws_s3_bucket_public_access_block with
#   block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all
#   true, unless the plan sets all four at account level. A block is matched to its bucket by
#   the bucket name when it is known, otherwise by having the same resource name in the same
#   module (the configuration references are not part of the plan input). The same safety net
#   exists elsewhere: a Cloud Storage bucket needs public_access_prevention = "enforced" (left
#   unset it is "inherited", which blocks nothing unless an organisation policy enforces it,
#   so an unset value, which the plan shows as known after apply, is reported), and an Azure storage account needs
#   allow_nested_items_to_be_public = false (the provider default is true; the older
#   allow_blob_public_access is reported when true). A setting known only after apply is
#   reported as undetermined.
# custom:
#   id: s3-public-access-block
#   severity: deny
#   category: exposure
#   checkov: [CKV2_AWS_6, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56, CKV_GCP_114, CKV_AZURE_190]
#   trivy: [AWS-0094, AWS-0086, AWS-0087, AWS-0091, AWS-0093]
#   security: true
#   remediation: Add an aws_s3_bucket_public_access_block for the bucket with all four settings true (or an aws_s3_account_public_access_block for the account); set public_access_prevention = "enforced" on Cloud Storage buckets; set allow_nested_items_to_be_public = false on Azure storage accounts.
#   resource_types: [aws_s3_bucket, aws_s3_bucket_public_access_block, aws_s3_account_public_access_block, google_storage_bucket, azurerm_storage_account]
#   scope: plan
#   examples:
#     fail: |
#       resource "aws_s3_bucket" "data" {
#         bucket = "acme-data"
#       }
#       resource "google_storage_bucket" "data" {
#         name     = "acme-data"
#         location = "EU"
#       }
#     pass: |
#       resource "google_storage_bucket" "data" {
#         name                        = "acme-data"
#         location                    = "EU"
#         uniform_bucket_level_access = true
#         public_access_prevention    = "enforced"
#       }
#       resource "aws_s3_bucket" "data" {
#         bucket = "acme-data"
#       }
#       resource "aws_s3_bucket_public_access_block" "data" {
#         bucket                  = aws_s3_bucket.data.id
#         block_public_acls       = true
#         block_public_policy     = true
#         ignore_public_acls      = true
#         restrict_public_buckets = true
#       }
package paved.rules.s3_public_access_block

import data.paved.lib

flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# A block that switches a flag off is reported on the block itself.
deny contains f if {
	some r in lib.candidates(["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"])
	some flag in flags
	lib.get(r, [flag], false) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not set %s = true", [r.address, flag]), flag, object.get(r.after, flag, null))
}

deny contains f if {
	not _account_blocked
	some b in lib.resources(["aws_s3_bucket"])
	not _has_block(b)
	f := lib.finding(b, sprintf("%s has no aws_s3_bucket_public_access_block in this plan", [b.address]), "", null)
}

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"])
	some flag in flags
	object.get(r.after, flag, null) == null
	_ := r.after_unknown[flag]
	lib.computed(r, [flag])
	lib.judged(r)
	f := lib.undetermined(r, flag, sprintf("%s is true", [flag]))
}

deny contains f if {
	some [t, attr] in [["google_storage_bucket", "public_access_prevention"], ["azurerm_storage_account", "allow_nested_items_to_be_public"]]
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[attr]
	object.get(r.after, attr, null) == null
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "public access is prevented")
}

deny contains f if {
	some r in lib.candidates(["google_storage_bucket"])
	v := object.get(r.after, "public_access_prevention", null)
	v != "enforced"
	not lib.computed(r, ["public_access_prevention"])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not enforce public access prevention (public_access_prevention is %v)", [r.address, _shown(v)]), "public_access_prevention", v)
}

# Provider v3+: allow_nested_items_to_be_public, default true.
deny contains f if {
	some r in lib.candidates(["azurerm_storage_account"])
	object.get(r.after, "allow_nested_items_to_be_public", null) == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s lets containers and blobs be made public", [r.address]), "allow_nested_items_to_be_public", true)
}

# Provider v2: allow_blob_public_access, default false.
deny contains f if {
	some r in lib.candidates(["azurerm_storage_account"])
	object.get(r.after, "allow_blob_public_access", null) == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s lets containers and blobs be made public", [r.address]), "allow_blob_public_access", true)
}

_shown(null) := "inherited (not set)"

_shown(v) := v if v != null

_has_block(b) if {
	keys := _block_keys # the whole set, materialised once and cached
	some k in lib.s3_bucket_keys(b)
	k in keys
}

# The keys of every block, built once per evaluation (see lib.s3_bucket_of).
_block_keys contains lib.s3_config_key(r) if {
	some r in lib.resources(["aws_s3_bucket_public_access_block"])
}

_block_keys contains lib.s3_config_module_key(r) if {
	some r in lib.resources(["aws_s3_bucket_public_access_block"])
}

_account_blocked if {
	some r in lib.resources(["aws_s3_account_public_access_block"])
	every flag in flags {
		lib.get(r, [flag], false) != false
	}
}
