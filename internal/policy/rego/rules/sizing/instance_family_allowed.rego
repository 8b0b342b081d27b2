# METADATA
# title: Instance family not on the allow-list
# description: |
#   The enablement team supports a short list of instance families: current generations the
#   organisation has savings plans and reserved capacity for, and whose performance it knows.
#   Other families (GPU, high-memory, previous generations) are not forbidden but need a reason,
#   because they are expensive, scarce, or not covered by the commitments. Both EC2 instance
#   types and database classes are checked.
#   A class or type known only after apply is reported by unknown-instance-type, once for all
#   sizing rules.
# custom:
#   id: instance-family-allowed
#   severity: deny
#   category: sizing
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Use one of the allowed families (see the parameters), or ask for a sign-off explaining why this family is needed.
#   resource_types: [aws_instance, aws_spot_instance_request, aws_launch_template, aws_launch_configuration, aws_eks_node_group, aws_autoscaling_group, aws_db_instance, aws_rds_cluster_instance, aws_docdb_cluster_instance, aws_neptune_cluster_instance, aws_rds_cluster]
#   scope: resource
#   parameters:
#     ec2_families:
#       default: [t3, t3a, t4g, m6i, m6a, m6g, m7i, m7i-flex, m7a, m7g, m8g, c6i, c6a, c6g, c7i, c7a, c7g, c8g, r6i, r6a, r6g, r7i, r7a, r7g, r8g]
#       description: EC2 instance families allowed without sign-off (the part before the dot).
#     db_families:
#       default: [t3, t4g, m6i, m6g, m7g, m7i, m8g, r6i, r6g, r7g, r7i, r8g]
#       description: Database instance class families allowed without sign-off (db.<family>.<size>).
#   examples:
#     fail: |
#       resource "aws_instance" "render" {
#         instance_type = "p4d.24xlarge"
#       }
#     pass: |
#       resource "aws_instance" "web" {
#         instance_type = "m7g.large"
#       }
package paved.rules.instance_family_allowed

import data.paved.lib

params := data.paved.params.instance_family_allowed

deny contains f if {
	some [r, path, itype] in lib.instance_type_uses
	fam := _family(itype)
	not fam in params.ec2_families
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses instance family %s (%s), which is not on the allow-list", [r.address, fam, itype]), path, itype)
}

deny contains f if {
	some [r, path, class] in lib.db_class_uses
	class != "db.serverless" # Aurora Serverless v2 has no family
	fam := _family(class)
	not fam in params.db_families
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses database class family %s (%s), which is not on the allow-list", [r.address, fam, class]), path, class)
}

# An unparseable type is its own family, so a typo is reported rather than
# silently allowed.
_family(name) := f if {
	f := lib.family(name)
} else := name
