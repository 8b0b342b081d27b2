# METADATA
# title: gp2 volume where gp3 is cheaper
# description: |
#   gp3 volumes cost about 20% less per GiB than gp2 and give a 3,000 IOPS and 125 MiB/s
#   baseline at any size, where gp2 ties performance to size (small gp2 volumes run out of
#   burst credits). Migrating is an online operation. This applies to EBS volumes, instance
#   and launch template block devices and RDS storage.
# custom:
#   id: gp3-volumes
#   severity: warn
#   category: advice
#   security: false
#   remediation: Set type / volume_type / storage_type = "gp3" (existing volumes convert online with Elastic Volumes).
#   resource_types: [aws_ebs_volume, aws_instance, aws_launch_template, aws_db_instance]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_ebs_volume" "data" {
#         availability_zone = "eu-west-1a"
#         size              = 100
#         type              = "gp2"
#       }
#     pass: |
#       resource "aws_ebs_volume" "data" {
#         availability_zone = "eu-west-1a"
#         size              = 100
#         type              = "gp3"
#       }
package paved.rules.gp3_volumes

import data.paved.lib

warn contains f if {
	some r in object.get(input.by_type, "aws_ebs_volume", [])
	r.after.type == "gp2"
	lib.judged(r)
	f := _finding(r, "type")
}

warn contains f if {
	some r in object.get(input.by_type, "aws_db_instance", [])
	r.after.storage_type == "gp2"
	lib.judged(r)
	f := _finding(r, "storage_type")
}

warn contains f if {
	some r in lib.candidates(["aws_instance"])
	some dev in ["root_block_device", "ebs_block_device"]
	some i, b in object.get(r.after, dev, [])
	b.volume_type == "gp2"
	lib.judged(r)
	f := _finding(r, sprintf("%s[%d].volume_type", [dev, i]))
}

warn contains f if {
	some r in lib.candidates(["aws_launch_template"])
	some i, m in object.get(r.after, "block_device_mappings", [])
	some j, ebs in m.ebs
	ebs.volume_type == "gp2"
	lib.judged(r)
	f := _finding(r, sprintf("block_device_mappings[%d].ebs[%d].volume_type", [i, j]))
}

_finding(r, path) := lib.finding(r, sprintf("%s uses gp2 storage; gp3 is about 20%% cheaper with a better baseline", [r.address]), path, "gp2")
