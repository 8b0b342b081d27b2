# METADATA
# title: Storage bucket, container or object with a public ACL
# description: |
#   The canned ACLs public-read and public-read-write open a bucket or object to everyone on the
#   internet, and authenticated-read to every AWS account in the world. Grants to the AllUsers
#   and AuthenticatedUsers groups do the same. Buckets created since April 2023 disable ACLs by
#   default (BucketOwnerEnforced); a configuration that sets a public ACL is asking to undo that.
#   The same holds for Cloud Storage ACLs (predefined_acl publicRead, publicReadWrite or
#   authenticatedRead, or a role_entity for allUsers or allAuthenticatedUsers on
#   google_storage_bucket_acl, google_storage_object_acl and google_storage_default_object_acl)
#   and for Azure blob containers whose container_access_type is blob or container (anonymous
#   read; the default is private). An ACL left out is private also when the plan shows it as
#   known after apply (aws_s3_bucket's legacy acl); one known only after apply is reported as
#   undetermined.
# custom:
#   id: s3-public-acl
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_20, CKV_AWS_57, CKV_AZURE_34]
#   trivy: [AWS-0092, AZU-0007]
#   security: true
#   remediation: Use acl = "private" (or no ACL with object ownership BucketOwnerEnforced) and publish content through CloudFront with an origin access control; on Cloud Storage use uniform bucket-level access and a CDN or signed URLs instead of public ACLs; set container_access_type = "private" on Azure containers.
#   resource_types: [aws_s3_bucket_acl, aws_s3_bucket, aws_s3_object, aws_s3_bucket_object, google_storage_bucket_acl, google_storage_object_acl, google_storage_default_object_acl, azurerm_storage_container]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_s3_bucket_acl" "site" {
#         bucket = aws_s3_bucket.site.id
#         acl    = "public-read"
#       }
#       resource "google_storage_bucket_acl" "site" {
#         bucket      = google_storage_bucket.site.name
#         role_entity = ["READER:allUsers"]
#       }
#       resource "azurerm_storage_container" "site" {
#         name                  = "site"
#         container_access_type = "blob"
#       }
#     pass: |
#       resource "aws_s3_bucket_acl" "site" {
#         bucket = aws_s3_bucket.site.id
#         acl    = "private"
#       }
#       resource "azurerm_storage_container" "site" {
#         name                  = "site"
#         container_access_type = "private"
#       }
package paved.rules.s3_public_acl

import data.paved.lib

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_groups := {"http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket_acl", "aws_s3_bucket", "aws_s3_object", "aws_s3_bucket_object"])
	acl := lib.get(r, ["acl"], "")
	acl in public_acls
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %s access with the canned ACL %q", [r.address, _who(acl), acl]), "acl", acl)
}

deny contains f if {
	some [t, attr] in _acl_attributes
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[attr]
	object.get(r.after, attr, null) == null
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "the ACL is public")
}

_acl_attributes := [
	["aws_s3_bucket_acl", "acl"], ["aws_s3_bucket", "acl"], ["aws_s3_object", "acl"], ["aws_s3_bucket_object", "acl"],
	["google_storage_bucket_acl", "predefined_acl"], ["google_storage_object_acl", "predefined_acl"],
	["google_storage_bucket_acl", "role_entity"], ["google_storage_object_acl", "role_entity"], ["google_storage_default_object_acl", "role_entity"],
	["azurerm_storage_container", "container_access_type"],
]

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket_acl"])
	some i, p in object.get(r.after, "access_control_policy", [])
	some j, g in object.get(p, "grant", [])
	some k, grantee in object.get(g, "grantee", [])
	grantee.uri in public_groups
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %s to %s", [r.address, object.get(g, "permission", "access"), grantee.uri]), sprintf("access_control_policy[%d].grant[%d].grantee[%d].uri", [i, j, k]), grantee.uri)
}

# Legacy inline grants on aws_s3_bucket (provider v3).
deny contains f if {
	some r in lib.candidates(["aws_s3_bucket"])
	some i, g in object.get(r.after, "grant", [])
	object.get(g, "uri", "") in public_groups
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %v to %s", [r.address, object.get(g, "permissions", []), g.uri]), sprintf("grant[%d].uri", [i]), g.uri)
}

gcs_public_acls := {"publicRead", "publicReadWrite", "authenticatedRead"}

gcs_public_entities := {"allUsers", "allAuthenticatedUsers"}

deny contains f if {
	some r in lib.candidates(["google_storage_bucket_acl", "google_storage_object_acl"])
	acl := r.after.predefined_acl
	acl in gcs_public_acls
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants public access with the predefined ACL %q", [r.address, acl]), "predefined_acl", acl)
}

deny contains f if {
	some r in lib.candidates(["google_storage_bucket_acl", "google_storage_object_acl", "google_storage_default_object_acl"])
	some i, e in r.after.role_entity
	is_string(e)
	parts := split(e, ":")
	count(parts) == 2
	parts[1] in gcs_public_entities
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %s to %s", [r.address, parts[0], parts[1]]), sprintf("role_entity[%d]", [i]), e)
}

deny contains f if {
	some r in lib.candidates(["azurerm_storage_container"])
	t := r.after.container_access_type
	t in {"blob", "container"}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows anonymous read access (container_access_type %q)", [r.address, t]), "container_access_type", t)
}

_who("authenticated-read") := "every AWS account"

_who(acl) := "public" if acl != "authenticated-read"
