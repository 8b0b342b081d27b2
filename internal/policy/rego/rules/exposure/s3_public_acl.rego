# METADATA
# title: S3 bucket or object with a public ACL
# description: |
#   The canned ACLs public-read and public-read-write open a bucket or object to everyone on the
#   internet, and authenticated-read to every AWS account in the world. Grants to the AllUsers
#   and AuthenticatedUsers groups do the same. Buckets created since April 2023 disable ACLs by
#   default (BucketOwnerEnforced); a configuration that sets a public ACL is asking to undo that.
# custom:
#   id: s3-public-acl
#   severity: deny
#   category: exposure
#   security: true
#   remediation: Use acl = "private" (or no ACL with object ownership BucketOwnerEnforced); publish content through CloudFront with an origin access control instead.
#   resource_types: [aws_s3_bucket_acl, aws_s3_bucket, aws_s3_object, aws_s3_bucket_object]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_s3_bucket_acl" "site" {
#         bucket = aws_s3_bucket.site.id
#         acl    = "public-read"
#       }
#     pass: |
#       resource "aws_s3_bucket_acl" "site" {
#         bucket = aws_s3_bucket.site.id
#         acl    = "private"
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

_who("authenticated-read") := "every AWS account"

_who(acl) := "public" if acl != "authenticated-read"
