# METADATA
# title: Instance larger than the size limit
# description: |
#   A single very large machine is a cost and a blast-radius risk: it is usually cheaper and
#   more resilient to scale out than up, and a 96-vCPU box left running over a weekend is a
#   noticeable line on the bill. The limit applies to every place an EC2 instance type is
#   chosen (instances, launch templates and configurations, EKS node groups, auto scaling
#   overrides); sizes come from the embedded instance catalog.
#   A class or type known only after apply is reported by unknown-instance-type, once for all
#   sizing rules.
# custom:
#   id: instance-size-limit
#   severity: deny
#   category: sizing
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Choose a smaller instance type and scale out, or ask for a sign-off with the load profile that needs this size.
#   resource_types: [aws_instance, aws_spot_instance_request, aws_launch_template, aws_launch_configuration, aws_eks_node_group, aws_autoscaling_group]
#   scope: resource
#   parameters:
#     max_vcpu:
#       default: 64
#       description: Most vCPUs one instance may have without sign-off.
#     max_memory_gib:
#       default: 512
#       description: Most memory in GiB one instance may have without sign-off.
#   examples:
#     fail: |
#       resource "aws_instance" "batch" {
#         instance_type = "c6i.32xlarge" # 128 vCPU
#       }
#     pass: |
#       resource "aws_instance" "batch" {
#         instance_type = "c6i.4xlarge" # 16 vCPU
#       }
package paved.rules.instance_size_limit

import data.paved.lib

params := data.paved.params.instance_size_limit

deny contains f if {
	some [r, path, itype] in lib.instance_type_uses
	row := lib.ec2_type(itype)
	row.vcpu > params.max_vcpu
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses %s with %v vCPUs, above the limit of %v", [r.address, itype, row.vcpu, params.max_vcpu]), path, itype)
}

deny contains f if {
	some [r, path, itype] in lib.instance_type_uses
	row := lib.ec2_type(itype)
	row.vcpu <= params.max_vcpu
	row.memory_gib > params.max_memory_gib
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses %s with %v GiB of memory, above the limit of %v GiB", [r.address, itype, row.memory_gib, params.max_memory_gib]), path, itype)
}
