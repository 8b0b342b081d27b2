# METADATA
# title: EBS volume is not encrypted
# description: |
#   Unencrypted EBS volumes and their snapshots can be copied and read by anyone who gets
#   access to the snapshot, and encryption cannot be switched on for an existing volume.
#   Volumes, instance root and extra block devices, launch template and launch configuration
#   block devices are checked. An explicit false is always reported; a volume that leaves
#   encryption unset is reported too unless the organisation has turned on EBS encryption by
#   default in every account (then set the parameter). Volumes created from a snapshot take
#   the snapshot's encryption and are not reported when unset.
# custom:
#   id: ebs-encrypted
#   severity: deny
#   category: encryption
#   security: true
#   remediation: Set encrypted = true on the volume or block device (optionally with kms_key_id), or enable EBS encryption by default in the account and set the account_default_encryption parameter.
#   resource_types: [aws_ebs_volume, aws_instance, aws_launch_template, aws_launch_configuration]
#   scope: resource
#   parameters:
#     account_default_encryption:
#       default: false
#       description: True when EBS encryption by default is enabled in every account, so volumes that leave encryption unset are encrypted.
#   examples:
#     fail: |
#       resource "aws_ebs_volume" "data" {
#         availability_zone = "eu-west-1a"
#         size              = 100
#         encrypted         = false
#       }
#     pass: |
#       resource "aws_ebs_volume" "data" {
#         availability_zone = "eu-west-1a"
#         size              = 100
#         encrypted         = true
#       }
package paved.rules.ebs_encrypted

import data.paved.lib

params := data.paved.params.ebs_encrypted

# [resource, path array, dotted path] of every volume setting to judge.
volumes contains [r, ["encrypted"], "encrypted"] if {
	some r in lib.resources(["aws_ebs_volume"])
	lib.get(r, ["snapshot_id"], "") == ""
}

volumes contains [r, [dev, i, "encrypted"], sprintf("%s[%d].encrypted", [dev, i])] if {
	some r in lib.resources(["aws_instance", "aws_launch_configuration"])
	some dev in ["root_block_device", "ebs_block_device"]
	some [i, b] in lib.blocks(r, dev)
	object.get(b, "snapshot_id", "") in {"", null}
}

volumes contains [r, ["block_device_mappings", i, "ebs", j, "encrypted"], sprintf("block_device_mappings[%d].ebs[%d].encrypted", [i, j])] if {
	some r in lib.resources(["aws_launch_template"])
	some [i, m] in lib.blocks(r, "block_device_mappings")
	some j, ebs in object.get(m, "ebs", [])
	object.get(ebs, "snapshot_id", "") in {"", null}
}

deny contains f if {
	some [r, path, dotted] in volumes
	v := lib.get(r, path, null)
	lib.falsy(v)
	f := lib.finding(r, sprintf("%s has an unencrypted volume (%s = false)", [r.address, dotted]), dotted, v)
}

deny contains f if {
	not params.account_default_encryption
	some [r, path, dotted] in volumes
	v := object.get(r.after, path, null)
	v in {null, ""}
	not lib.unknown(r, path)
	f := lib.finding(r, sprintf("%s leaves %s unset, so the volume is only encrypted if the account encrypts by default", [r.address, dotted]), dotted, v)
}

deny contains f if {
	not params.account_default_encryption
	some [r, path, dotted] in volumes
	r.type in {"aws_ebs_volume", "aws_instance", "aws_launch_configuration"}
	lib.unknown(r, path)
	not lib.set_and_known(r, array.concat(array.slice(path, 0, count(path) - 1), ["kms_key_id"]))
	not lib.unknown(r, array.concat(array.slice(path, 0, count(path) - 1), ["kms_key_id"]))
	f := lib.finding(r, sprintf("%s leaves %s unset, so the volume is only encrypted if the account encrypts by default", [r.address, dotted]), dotted, null)
}
