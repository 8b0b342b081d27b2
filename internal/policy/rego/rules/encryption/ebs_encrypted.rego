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

# [resource, path] of every volume whose encryption is not plainly on: the
# cheap test runs over all volumes, the rest only over these.
suspects contains [r, ["encrypted"]] if {
	some r in object.get(input.by_type, "aws_ebs_volume", [])
	not object.get(r, ["after", "encrypted"], false) in {true, "true"}
	lib.get(r, ["snapshot_id"], "") == ""
}

suspects contains [r, [dev, i, "encrypted"]] if {
	some r in lib.candidates(["aws_instance", "aws_launch_configuration"])
	some dev in ["root_block_device", "ebs_block_device"]
	some i, b in object.get(r, ["after", dev], [])
	is_object(b)
	not object.get(b, "encrypted", false) in {true, "true"}
	object.get(b, "snapshot_id", "") in {"", null}
}

suspects contains [r, ["block_device_mappings", i, "ebs", j, "encrypted"]] if {
	some r in object.get(input.by_type, "aws_launch_template", [])
	some i, m in object.get(r, ["after", "block_device_mappings"], [])
	is_object(m)
	some j, ebs in object.get(m, "ebs", [])
	is_object(ebs)
	not object.get(ebs, "encrypted", false) in {true, "true"}
	object.get(ebs, "snapshot_id", "") in {"", null}
}

deny contains f if {
	some [r, path] in suspects
	v := object.get(r.after, path, null)
	lib.falsy(v)
	lib.judged(r)
	dotted := lib.dotted(path)
	f := lib.finding(r, sprintf("%s has an unencrypted volume (%s = false)", [r.address, dotted]), dotted, v)
}

deny contains f if {
	not params.account_default_encryption
	some [r, path] in suspects
	v := object.get(r.after, path, null)
	v in {null, ""}
	not lib.unknown(r, path)
	lib.judged(r)
	dotted := lib.dotted(path)
	f := lib.finding(r, sprintf("%s leaves %s unset, so the volume is only encrypted if the account encrypts by default", [r.address, dotted]), dotted, v)
}

# Optional+Computed: an unset encrypted shows as unknown. A KMS key (known
# or not) means encryption was asked for.
deny contains f if {
	not params.account_default_encryption
	some [r, path] in suspects
	r.type in {"aws_ebs_volume", "aws_instance", "aws_launch_configuration"}
	lib.unknown(r, path)
	key := array.concat(array.slice(path, 0, count(path) - 1), ["kms_key_id"])
	not lib.set_and_known(r, key)
	not lib.unknown(r, key)
	lib.judged(r)
	dotted := lib.dotted(path)
	f := lib.finding(r, sprintf("%s leaves %s unset, so the volume is only encrypted if the account encrypts by default", [r.address, dotted]), dotted, null)
}
