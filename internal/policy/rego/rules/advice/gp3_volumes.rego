# METADATA
# title: gp2 volume where gp3 is cheaper
# description: |
#   gp3 volumes cost about 20% less per GiB than gp2 and give a 3,000 IOPS and 125 MiB/s
#   baseline at any size, where gp2 ties performance to size (small gp2 volumes run out of
#   burst credits). Migrating is an online operation. This applies to EBS volumes, instance
#   and launch template block devices and RDS storage.
#   A volume or RDS instance that leaves its type out gets gp2, the provider default (also when
#   the plan shows the type as known after apply; an RDS instance with iops gets io1, and one
#   restored or replicated takes its source's). Instance root devices without a type take the
#   AMI's and are not judged; a type known only after apply is reported as undetermined.
# custom:
#   id: gp3-volumes
#   severity: warn
#   category: advice
#   checkov: []
#   trivy: []
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

# Left out: gp2, the provider default.
warn contains f if {
	some r in object.get(input.by_type, "aws_ebs_volume", [])
	object.get(r.after, "type", null) == null
	lib.unset(r, ["type"])
	lib.judged(r)
	f := _finding(r, "type")
}

warn contains f if {
	some r in object.get(input.by_type, "aws_db_instance", [])
	object.get(r.after, "storage_type", null) == null
	object.get(r.after, "iops", null) == null
	not startswith(object.get(r.after, "engine", ""), "aurora")
	not _from_source(r.after)
	not _computed(object.get(r, "after_unknown", {}), r)
	lib.judged(r)
	f := _finding(r, "storage_type")
}

warn contains f if {
	some [t, attr] in [["aws_ebs_volume", "type"], ["aws_db_instance", "storage_type"]]
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[attr]
	object.get(r.after, attr, null) == null
	lib.computed(r, [attr])
	lib.judged(r)
	f := lib.undetermined(r, attr, "the volume is gp2")
}

_from_source(after) if {
	some attr in ["snapshot_identifier", "replicate_source_db", "restore_to_point_in_time", "s3_import"]
	not object.get(after, attr, null) in {null, "", []}
}

# The type, iops or a source known only after apply (only resources with
# unknown values reach lib.computed).
_computed(au, r) if {
	some attr in ["storage_type", "iops", "snapshot_identifier", "replicate_source_db", "restore_to_point_in_time", "s3_import"]
	_ := au[attr]
	lib.computed(r, [attr])
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
