# METADATA
# title: Block storage volume above the size ceiling
# description: |
#   EBS volumes are billed for their provisioned size whether or not the space is used, and a
#   large volume is often a sign of data that belongs in S3 or a database instead. Volumes
#   above the ceiling need a conversation. The size is checked on standalone volumes, on the
#   root and extra block devices of instances, and in launch template block device mappings.
#   A volume left without a size takes its snapshot's; a size known only after apply is
#   reported as undetermined.
# custom:
#   id: volume-size-ceiling
#   severity: deny
#   category: sizing
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Provision a smaller volume and grow it when needed (EBS volumes can be enlarged online), or ask for a sign-off with the expected data volume.
#   resource_types: [aws_ebs_volume, aws_instance, aws_launch_template]
#   scope: resource
#   parameters:
#     max_volume_gib:
#       default: 1024
#       description: Largest EBS volume in GiB allowed without sign-off.
#   examples:
#     fail: |
#       resource "aws_ebs_volume" "data" {
#         availability_zone = "eu-west-1a"
#         size              = 4096
#       }
#     pass: |
#       resource "aws_ebs_volume" "data" {
#         availability_zone = "eu-west-1a"
#         size              = 200
#       }
package paved.rules.volume_size_ceiling

import data.paved.lib

params := data.paved.params.volume_size_ceiling

deny contains f if {
	some r in lib.candidates(["aws_ebs_volume"])
	size := r.after.size
	_over(size)
	lib.judged(r)
	f := _finding(r, "size", size)
}

deny contains f if {
	some r in lib.candidates(["aws_instance"])
	some dev in ["root_block_device", "ebs_block_device"]
	some i, b in object.get(r.after, dev, [])
	size := b.volume_size
	_over(size)
	lib.judged(r)
	f := _finding(r, sprintf("%s[%d].volume_size", [dev, i]), size)
}

deny contains f if {
	some r in lib.candidates(["aws_launch_template"])
	some i, m in object.get(r.after, "block_device_mappings", [])
	some j, ebs in m.ebs
	size := ebs.volume_size
	_over(size)
	lib.judged(r)
	f := _finding(r, sprintf("block_device_mappings[%d].ebs[%d].volume_size", [i, j]), size)
}

deny contains f if {
	some [r, path] in _size_paths
	object.get(r.after, path, null) == null
	_ := r.after_unknown[path[0]]
	lib.computed(r, path)
	lib.judged(r)
	f := lib.undetermined(r, lib.dotted(path), "the volume is within the ceiling")
}

_size_paths := array.concat(
	[[r, ["size"]] | some r in object.get(input.by_type, "aws_ebs_volume", []); object.get(r.after, "size", null) == null],
	[[r, [dev, i, "volume_size"]] |
		some r in object.get(input.by_type, "aws_instance", [])
		some dev in ["root_block_device", "ebs_block_device"]
		some i, b in object.get(r.after, dev, [])
		object.get(b, "volume_size", null) == null
	],
)

_over(size) if {
	is_number(size)
	size > params.max_volume_gib
}

_finding(r, path, size) := lib.finding(r, sprintf("%s asks for a %v GiB volume, above the %v GiB ceiling", [r.address, size, params.max_volume_gib]), path, size)
