# METADATA
# title: Database storage above the ceiling
# description: |
#   RDS storage is provisioned and billed per GiB-month, and storage autoscaling can grow it
#   silently up to max_allocated_storage. A database that starts, or may grow, beyond the
#   ceiling deserves a look at retention, archiving and whether the data belongs in S3.
#   Aurora is not checked: its storage grows with use and has no size to configure. A size
#   known only after apply is reported as undetermined.
# custom:
#   id: db-storage-ceiling
#   severity: deny
#   category: sizing
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Lower allocated_storage and max_allocated_storage, archive old data, or ask for a sign-off with the expected data volume.
#   resource_types: [aws_db_instance]
#   scope: resource
#   parameters:
#     max_storage_gib:
#       default: 2048
#       description: Largest allocated (or autoscaling maximum) database storage in GiB allowed without sign-off.
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         allocated_storage     = 500
#         max_allocated_storage = 10000
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         allocated_storage     = 100
#         max_allocated_storage = 1000
#       }
package paved.rules.db_storage_ceiling

import data.paved.lib

params := data.paved.params.db_storage_ceiling

deny contains f if {
	some r in lib.candidates(["aws_db_instance"])
	some attr in ["allocated_storage", "max_allocated_storage"]
	size := lib.get(r, [attr], 0)
	is_number(size)
	size > params.max_storage_gib
	lib.judged(r)
	f := lib.finding(r, sprintf("%s sets %s to %v GiB, above the %v GiB ceiling", [r.address, attr, size, params.max_storage_gib]), attr, size)
}

deny contains f if {
	some r in lib.candidates(["aws_db_instance"])
	some attr in ["allocated_storage", "max_allocated_storage"]
	object.get(r.after, attr, null) == null
	_ := r.after_unknown[attr]
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "the storage is within the ceiling")
}
