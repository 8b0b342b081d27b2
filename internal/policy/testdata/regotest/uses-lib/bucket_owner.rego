# METADATA
# title: Buckets need an owner tag
# description: Every S3 bucket names its owner.
# custom:
#   id: bucket-owner
#   severity: deny
#   resource_types: [aws_s3_bucket]
package paved.rules.bucket_owner

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket"])
	lib.judged(r)
	not r.after.tags.owner
	f := lib.finding(r, "no owner tag", "tags", null)
}
