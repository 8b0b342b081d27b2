# METADATA
# title: EBS volumes are encrypted
# description: Unencrypted volumes leak data when a snapshot is shared.
# custom:
#   id: test-ebs-encrypted
#   severity: deny
#   category: encryption
#   security: true
#   remediation: Set encrypted = true.
#   resource_types: [aws_ebs_volume]
#   enforce_from: "2030-01-01"
package paved.rules.test_ebs_encrypted

import data.paved.lib

deny contains f if {
	some r in lib.managed(["aws_ebs_volume"])
	not r.after.encrypted
	f := {"address": r.address, "msg": "EBS volume is not encrypted", "path": "encrypted", "value": object.get(r.after, "encrypted", null)}
}
