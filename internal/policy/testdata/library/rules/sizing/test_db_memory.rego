# METADATA
# title: Database memory stays below a ceiling
# description: A database with very much memory is expensive; it needs a conversation first.
# custom:
#   id: test-db-memory
#   severity: deny
#   category: sizing
#   remediation: Pick a smaller instance class or ask for a sign-off.
#   resource_types: [aws_db_instance]
#   parameters:
#     max_gib:
#       default: 512
#       description: Largest memory in GiB without sign-off.
#   examples:
#     pass: |
#       instance_class = "db.r6g.large"
#     fail: |
#       instance_class = "db.x2g.16xlarge"
package paved.rules.test_db_memory

import data.paved.lib

deny contains f if {
	some r in lib.managed(["aws_db_instance"])
	class := r.after.instance_class
	gib := data.paved.instances[class].memory_gib
	gib > data.paved.params.test_db_memory.max_gib
	f := {
		"address": r.address,
		"msg": sprintf("%s has %v GiB of memory, above the ceiling of %v GiB", [class, gib, data.paved.params.test_db_memory.max_gib]),
		"path": "instance_class",
		"value": class,
	}
}
