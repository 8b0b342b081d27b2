# METADATA
# title: Database memory above the ceiling
# description: |
#   Memory is what makes a database expensive: the largest RDS classes carry terabytes of RAM
#   and cost tens of thousands a month. A database this size is rarely needed up front and
#   almost always worth a conversation about indexes, caching or sharding first. The class is
#   looked up in the embedded instance catalog; Aurora Serverless v2 counts 2 GiB per ACU of
#   its maximum capacity.
#   A class or type known only after apply is reported by unknown-instance-type, once for all
#   sizing rules.
# custom:
#   id: db-memory-ceiling
#   severity: deny
#   category: sizing
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Pick a smaller instance class, or ask for a sign-off with the load profile that needs this much memory.
#   resource_types: [aws_db_instance, aws_rds_cluster_instance, aws_rds_cluster, aws_docdb_cluster_instance, aws_neptune_cluster_instance]
#   scope: resource
#   parameters:
#     max_memory_gib:
#       default: 256
#       description: Largest database memory in GiB allowed without sign-off.
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         engine         = "postgres"
#         instance_class = "db.x2iedn.32xlarge" # 4096 GiB
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         engine         = "postgres"
#         instance_class = "db.r6g.2xlarge" # 64 GiB
#       }
package paved.rules.db_memory_ceiling

import data.paved.lib

params := data.paved.params.db_memory_ceiling

deny contains f if {
	some [r, path, class] in lib.db_class_uses
	mem := lib.db_class(class).memory_gib
	mem > params.max_memory_gib
	lib.judged(r)
	f := lib.finding(
		r,
		sprintf("%s uses %s with %v GiB of memory, above the %v GiB ceiling", [r.address, class, mem, params.max_memory_gib]),
		path, class,
	)
}

deny contains f if {
	some r in lib.candidates(["aws_rds_cluster"])
	_ := r.after_unknown.serverlessv2_scaling_configuration
	some i, _ in object.get(r.after, "serverlessv2_scaling_configuration", [])
	lib.computed(r, ["serverlessv2_scaling_configuration", i, "max_capacity"])
	lib.judged(r)
	f := lib.undetermined(r, sprintf("serverlessv2_scaling_configuration[%d].max_capacity", [i]), "its memory is within the ceiling")
}

# Aurora Serverless v2 scales up to max_capacity ACUs of about 2 GiB each.
deny contains f if {
	some r in lib.candidates(["aws_rds_cluster"])
	some [i, _] in lib.blocks(r, "serverlessv2_scaling_configuration")
	acu := lib.get(r, ["serverlessv2_scaling_configuration", i, "max_capacity"], null)
	is_number(acu)
	acu * 2 > params.max_memory_gib
	lib.judged(r)
	f := lib.finding(
		r,
		sprintf("%s can scale to %v ACUs (%v GiB of memory), above the %v GiB ceiling", [r.address, acu, acu * 2, params.max_memory_gib]),
		sprintf("serverlessv2_scaling_configuration[%d].max_capacity", [i]), acu,
	)
}
