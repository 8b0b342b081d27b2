package terraform

import data.lib.tf
import data.limits
import rego.v1

deny contains msg if {
	some rc in tf.changes
	rc.type == "aws_instance"
	t := rc.change.after.instance_type
	not t in limits.allowed_instance_types
	msg := sprintf("%s: instance type %q is not allowed (was %q)", [rc.address, t, rc.change.before.instance_type])
}

deny_protected_delete contains msg if {
	some rc in tf.changes
	tf.deletes(rc)
	rc.type in limits.protected_types
	msg := sprintf("%s: %s of a protected %s (before: %v)", [rc.address, tf.action_text(rc), rc.type, rc.change.before])
}

deny_open_ssh contains {"msg": msg, "address": rc.address} if {
	some rc in tf.changes
	rc.type == "aws_security_group_rule"
	"0.0.0.0/0" in rc.change.after.cidr_blocks
	rc.change.after.from_port <= 22
	rc.change.after.to_port >= 22
	msg := sprintf("%s opens SSH to the world (module %s, index %d)", [rc.address, rc.module_address, rc.index])
}

warn_unencrypted contains msg if {
	some rc in tf.changes
	some dev in rc.change.after.root_block_device
	dev.encrypted == false
	dev_before := rc.change.before.root_block_device[0]
	msg := sprintf("%s: root volume unencrypted (%d GiB, was %d GiB encrypted=%v)", [rc.address, dev.volume_size, dev_before.volume_size, dev_before.encrypted])
}

warn_numbers contains msg if {
	some rc in tf.changes
	rc.type == "aws_db_instance"
	a := rc.change.after
	msg := sprintf("%s: storage %v, max %v, max+1 %v, retention %d, half %v", [rc.address, a.allocated_storage, a.max_allocated_storage, a.max_allocated_storage + 1, a.backup_retention_period, a.allocated_storage / 2])
}

warn_unknown contains msg if {
	some rc in input.resource_changes
	count(rc.change.after_unknown) > 0
	rc.mode == "data"
	msg := sprintf("%s reads unknown values %v", [rc.address, object.keys(rc.change.after_unknown)])
}

warn_prod contains msg if {
	input.variables.env.value == "prod"
	count(input.prior_state.values.root_module.resources) > 0
	region := input.configuration.provider_config.aws.expressions.region.constant_value
	msg := sprintf("prod plan in %s at %s touching %d resources", [region, input.timestamp, count(input.resource_changes)])
}
