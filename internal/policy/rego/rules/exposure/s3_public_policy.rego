# METADATA
# title: Storage bucket policy allows anyone
# description: |
#   A bucket policy statement that allows Principal "*" (or {"AWS": "*"}) without a condition
#   lets anyone on the internet perform its actions, and leaked customer data from S3 is one
#   of the most common cloud breaches. Statements restricted by a condition (source VPC
#   endpoint, organisation ID, source account or ARN) are not reported; Deny statements never
#   are. Policies whose text is known only after apply (built from the ARN of a bucket in the
#   same plan, the common case for a new bucket) are reported as undetermined; aws_s3_bucket's
#   legacy policy attribute, shown as known after apply on every new bucket, is no policy
#   when left out. On Cloud Storage the
#   same exposure is an IAM grant to allUsers (anyone on the internet) or
#   allAuthenticatedUsers (anyone with a Google account) in google_storage_bucket_iam_member,
#   google_storage_bucket_iam_binding or google_storage_bucket_iam_policy; grants with an IAM
#   condition are reported too, since a condition on these principals rarely limits who.
# custom:
#   id: s3-public-policy
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_70, CKV_GCP_28]
#   trivy: [GCP-0001]
#   security: true
#   remediation: On Cloud Storage, grant roles to named users, groups or service accounts instead of allUsers or allAuthenticatedUsers. On S3, name the principals (account, role or service) instead of "*", or add a condition such as aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn; serve public content through CloudFront with an origin access control.
#   resource_types: [aws_s3_bucket_policy, aws_s3_bucket, google_storage_bucket_iam_member, google_storage_bucket_iam_binding, google_storage_bucket_iam_policy]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_s3_bucket_policy" "site" {
#         bucket = aws_s3_bucket.site.id
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.site.arn}/*" }]
#         })
#       }
#       resource "google_storage_bucket_iam_member" "public" {
#         bucket = google_storage_bucket.site.name
#         role   = "roles/storage.objectViewer"
#         member = "allUsers"
#       }
#     pass: |
#       resource "google_storage_bucket_iam_member" "reader" {
#         bucket = google_storage_bucket.site.name
#         role   = "roles/storage.objectViewer"
#         member = "serviceAccount:web@acme-prod.iam.gserviceaccount.com"
#       }
#       resource "aws_s3_bucket_policy" "site" {
#         bucket = aws_s3_bucket.site.id
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{
#             Effect    = "Allow"
#             Principal = { Service = "cloudfront.amazonaws.com" }
#             Action    = "s3:GetObject"
#             Resource  = "${aws_s3_bucket.site.arn}/*"
#             Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.site.arn } }
#           }]
#         })
#       }
package paved.rules.s3_public_policy

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket_policy", "aws_s3_bucket"])
	text := lib.get(r, ["policy"], "")
	is_string(text)
	text != ""
	json.is_valid(text)
	doc := json.unmarshal(text)
	some i, s in _statements(doc)
	_public(s)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows anyone (Principal \"*\") to %v without a condition", [r.address, object.get(s, "Action", object.get(s, "NotAction", "act"))]), sprintf("policy.Statement[%d]", [i]), object.get(s, "Sid", i))
}

deny contains f if {
	some [t, attr] in [
		["aws_s3_bucket_policy", "policy"], ["aws_s3_bucket", "policy"],
		["google_storage_bucket_iam_member", "member"], ["google_storage_bucket_iam_binding", "members"],
		["google_storage_bucket_iam_policy", "policy_data"],
	]
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[attr]
	object.get(r.after, attr, null) == null
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "it allows anyone")
}

gcs_public_members := {"allUsers", "allAuthenticatedUsers"}

deny contains f if {
	some r in lib.candidates(["google_storage_bucket_iam_member"])
	m := r.after.member
	m in gcs_public_members
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %s to %s", [r.address, object.get(r.after, "role", "a role"), m]), "member", m)
}

deny contains f if {
	some r in lib.candidates(["google_storage_bucket_iam_binding"])
	some i, m in r.after.members
	m in gcs_public_members
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %s to %s", [r.address, object.get(r.after, "role", "a role"), m]), sprintf("members[%d]", [i]), m)
}

deny contains f if {
	some r in lib.candidates(["google_storage_bucket_iam_policy"])
	text := r.after.policy_data
	is_string(text)
	json.is_valid(text)
	doc := json.unmarshal(text)
	some i, b in object.get(doc, "bindings", [])
	some m in object.get(b, "members", [])
	m in gcs_public_members
	lib.judged(r)
	f := lib.finding(r, sprintf("%s grants %s to %s", [r.address, object.get(b, "role", "a role"), m]), sprintf("policy_data.bindings[%d]", [i]), m)
}

_statements(doc) := doc.Statement if is_array(doc.Statement)

_statements(doc) := [doc.Statement] if is_object(doc.Statement)

_public(s) if {
	s.Effect == "Allow"
	_everyone(s.Principal)
	empty_condition(s)
}

empty_condition(s) if not s.Condition

empty_condition(s) if s.Condition == {}

_everyone("*")

_everyone(p) if p.AWS == "*"

_everyone(p) if "*" in p.AWS
