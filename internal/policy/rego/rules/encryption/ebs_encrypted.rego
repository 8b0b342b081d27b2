# METADATA
# title: EBS volume is not encrypted
# description: |
#   Unencrypted EBS volumes and their snapshots can be copied and read by anyone who gets
#   access to the snapshot, and encryption cannot be switched on for an existing volume.
#   Volumes, instance root and extra block devices, launch template and launch configuration
#   block devices are checked. An explicit false is always reported; a volume that leaves
#   encryption unset is reported too unless EBS encryption by default is on: in this plan
#   (aws_ebs_encryption_by_default) or, set by the parameter, in every account. That includes
#   the root volume of an instance without a root_block_device block (the plan shows the block
#   as known after apply; the volume is encrypted only if the AMI's snapshot or the account
#   default is). Volumes created from a snapshot take the snapshot's encryption and are not
#   reported when unset, nor are volumes given a KMS key. Encryption set from a value known only
#   after apply is reported as undetermined.
# custom:
#   id: ebs-encrypted
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_3, CKV_AWS_8]
#   trivy: [AWS-0026, AWS-0131, AWS-0008]
#   security: true
#   remediation: Set encrypted = true on the volume or block device (optionally with kms_key_id), or enable EBS encryption by default in the account and set the account_default_encryption parameter.
#   resource_types: [aws_ebs_volume, aws_instance, aws_launch_template, aws_launch_configuration]
#   context_types: [aws_ebs_encryption_by_default]
#   scope: resource
#   parameters:
#     account_default_encryption:
#       default: false
#       description: True when EBS encryption by default is enabled in every account, so volumes that leave encryption unset are encrypted (an aws_ebs_encryption_by_default in the plan counts without it).
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

# Volumes that leave encryption unset are encrypted: the organisation says
# so, or this plan turns encryption by default on (a context type: every
# chunk sees it beside the volumes).
default_encrypted if params.account_default_encryption == true

default_encrypted if {
	some r in lib.resources(["aws_ebs_encryption_by_default"])
	lib.get(r, ["enabled"], true) != false
}

# [resource, path] of every volume whose encryption is not plainly on: the
# cheap test runs over all volumes, the rest only over these. A volume from
# a snapshot (known or not) takes the snapshot's encryption.
suspects := array.concat(array.concat(_volumes, _devices), _mappings)

_volumes := [[r, ["encrypted"]] |
	some r in object.get(input.by_type, "aws_ebs_volume", [])
	not object.get(r, ["after", "encrypted"], false) in {true, "true"}
	lib.get(r, ["snapshot_id"], "") == ""
]

_devices := [[r, [dev, i, "encrypted"]] |
	some r in lib.candidates(["aws_instance", "aws_launch_configuration"])
	some dev in ["root_block_device", "ebs_block_device"]
	some i, b in object.get(r, ["after", dev], [])
	is_object(b)
	not object.get(b, "encrypted", false) in {true, "true"}
	object.get(b, "snapshot_id", "") in {"", null}
	not lib.computed(r, [dev, i, "snapshot_id"])
]

_mappings := [[r, ["block_device_mappings", i, "ebs", j, "encrypted"]] |
	some r in object.get(input.by_type, "aws_launch_template", [])
	some i, m in object.get(r, ["after", "block_device_mappings"], [])
	is_object(m)
	some j, ebs in object.get(m, "ebs", [])
	is_object(ebs)
	not object.get(ebs, "encrypted", false) in {true, "true"}
	object.get(ebs, "snapshot_id", "") in {"", null}
]

deny contains f if {
	some [r, path] in suspects
	v := object.get(r.after, path, null)
	lib.falsy(v)
	lib.judged(r)
	dotted := lib.dotted(path)
	f := lib.finding(r, sprintf("%s has an unencrypted volume (%s = false)", [r.address, dotted]), dotted, v)
}

# Unset (also shown as known after apply): the account's default decides.
deny contains f if {
	not default_encrypted
	some [r, path] in suspects
	v := object.get(r.after, path, null)
	v in {null, ""}
	not lib.computed(r, path)
	not _key(r, path)
	lib.judged(r)
	dotted := lib.dotted(path)
	f := lib.finding(r, sprintf("%s leaves %s unset, so the volume is only encrypted if the account encrypts by default", [r.address, dotted]), dotted, v)
}

deny contains f if {
	some [r, path] in suspects
	object.get(r.after, path, null) == null
	lib.computed(r, path)
	not _key(r, path)
	lib.judged(r)
	f := lib.undetermined(r, lib.dotted(path), "the volume is encrypted")
}

# No root_block_device block: the root volume is made from the AMI's
# snapshot, unencrypted unless that snapshot or the account default is
# encrypted. AWS provider 5 and 6 show the block as known after apply.
deny contains f if {
	not default_encrypted
	some r in lib.candidates(["aws_instance", "aws_launch_configuration"])
	_no_blocks(object.get(r.after, "root_block_device", null))
	lib.unset(r, ["root_block_device"])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no root_block_device block, so its root volume is encrypted only if the AMI's snapshot is or the account encrypts by default", [r.address]), "root_block_device[0].encrypted", null)
}

deny contains f if {
	some r in lib.candidates(["aws_instance", "aws_launch_configuration"])
	_no_blocks(object.get(r.after, "root_block_device", null))
	lib.computed(r, ["root_block_device"])
	lib.judged(r)
	f := lib.undetermined(r, "root_block_device", "the root volume is encrypted")
}

_no_blocks(null)

_no_blocks([])

# A KMS key (known or not) means encryption was asked for.
_key(r, path) if {
	key := array.concat(array.slice(path, 0, count(path) - 1), ["kms_key_id"])
	lib.set_and_known(r, key)
}

_key(r, path) if {
	key := array.concat(array.slice(path, 0, count(path) - 1), ["kms_key_id"])
	lib.computed(r, key)
}
