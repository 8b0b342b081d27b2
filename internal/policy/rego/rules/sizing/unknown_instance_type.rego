# METADATA
# title: Instance type not in the catalog
# description: |
#   The sizing guard rails look instance types up in the embedded catalog; a type the catalog
#   does not know cannot be judged, so a typo or a brand-new family would slip past the memory
#   and vCPU limits unnoticed. This advice names such types so that either the configuration
#   or the catalog gets fixed. It also names the instance types and database classes that are
#   known only after apply (set from a data source or another resource of the same plan): the
#   other sizing rules leave those to it, so that one warning says they cannot be judged yet.
# custom:
#   id: unknown-instance-type
#   severity: warn
#   category: sizing
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Check the spelling of the instance type; if it is real and new, add it to the instance catalog (rego/data/instances.json) with its source.
#   resource_types: [aws_instance, aws_spot_instance_request, aws_launch_template, aws_launch_configuration, aws_eks_node_group, aws_autoscaling_group, aws_db_instance, aws_rds_cluster_instance, aws_docdb_cluster_instance, aws_neptune_cluster_instance, aws_rds_cluster]
#   scope: resource
#   parameters:
#     ignore:
#       default: [db.serverless]
#       description: Instance types and classes that are known to have no fixed size.
#   examples:
#     fail: |
#       resource "aws_instance" "web" {
#         instance_type = "m6i.larg"
#       }
#     pass: |
#       resource "aws_instance" "web" {
#         instance_type = "m6i.large"
#       }
package paved.rules.unknown_instance_type

import data.paved.lib

params := data.paved.params.unknown_instance_type

# A type known only after apply: no sizing rule can judge it yet.
warn contains f if {
	some [r, attr] in lib.computed_type_uses
	lib.judged(r)
	f := lib.undetermined(r, attr, "its size is within the sizing guard rails")
}

warn contains f if {
	some [r, path, itype] in lib.instance_type_uses
	not lib.ec2_type(itype)
	not itype in params.ignore
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses instance type %q, which the instance catalog does not know, so its size cannot be checked", [r.address, itype]), path, itype)
}

warn contains f if {
	some [r, path, class] in lib.db_class_uses
	not lib.db_class(class)
	not class in params.ignore
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses database class %q, which the instance catalog does not know, so its size cannot be checked", [r.address, class]), path, class)
}
