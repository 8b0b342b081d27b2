# METADATA
# title: Instance metadata service allows IMDSv1
# description: |
#   IMDSv1 answers any GET request from the instance, so a server-side request forgery in any
#   application on it hands out the instance role's credentials (the Capital One breach).
#   IMDSv2 needs a session token that such a request cannot get. Instances, launch templates
#   and launch configurations pass when metadata_options sets http_tokens = "required" or
#   http_endpoint = "disabled". Left out, the provider sends nothing and EC2 applies the
#   account's instance metadata defaults, else the AMI's (an AMI registered with ImdsSupport
#   v2.0, such as Amazon Linux 2023, requires tokens), else "optional": the rule judges that
#   default, so a left-out setting is reported unless an aws_ec2_instance_metadata_defaults in
#   the plan, or the account_requires_imdsv2 parameter, says the account requires tokens. A
#   setting known only after apply is reported as undetermined.
# custom:
#   id: ec2-imdsv2
#   severity: warn
#   category: exposure
#   checkov: [CKV_AWS_79]
#   trivy: [AWS-0028, AWS-0130]
#   security: true
#   remediation: Set metadata_options { http_tokens = "required" } (and http_put_response_hop_limit = 2 for containers on the instance), or require IMDSv2 account-wide with aws_ec2_instance_metadata_defaults and set account_requires_imdsv2.
#   resource_types: [aws_instance, aws_launch_template, aws_launch_configuration]
#   context_types: [aws_ec2_instance_metadata_defaults]
#   scope: resource
#   parameters:
#     account_requires_imdsv2:
#       default: false
#       description: True when every account requires IMDSv2 by default (EC2 instance metadata defaults), so instances that leave http_tokens unset require tokens.
#   examples:
#     fail: |
#       resource "aws_instance" "web" {
#         ami           = "ami-0c1c30571d2dae5c9"
#         instance_type = "t3.micro"
#       }
#     pass: |
#       resource "aws_instance" "web" {
#         ami           = "ami-0c1c30571d2dae5c9"
#         instance_type = "t3.micro"
#         metadata_options {
#           http_tokens = "required"
#         }
#       }
package paved.rules.ec2_imdsv2

import data.paved.lib

params := data.paved.params.ec2_imdsv2

types := ["aws_instance", "aws_launch_template", "aws_launch_configuration"]

warn contains f if {
	some r in lib.candidates(types)
	object.get(r.after, ["metadata_options", 0, "http_tokens"], null) == "optional"
	not _disabled(r.after)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows IMDSv1 (metadata_options.http_tokens = \"optional\")", [r.address]), "metadata_options[0].http_tokens", "optional")
}

warn contains f if {
	some r in lib.candidates(types)
	object.get(r.after, ["metadata_options", 0, "http_tokens"], null) == null
	not _disabled(r.after)
	not _account_requires
	lib.judged(r)
	lib.unset(r, ["metadata_options", 0, "http_tokens"])
	f := lib.finding(r, sprintf("%s leaves metadata_options.http_tokens unset, so IMDSv1 is allowed unless the AMI requires IMDSv2 (ImdsSupport v2.0)", [r.address]), "metadata_options[0].http_tokens", null)
}

warn contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.metadata_options
	object.get(r.after, ["metadata_options", 0, "http_tokens"], null) == null
	lib.judged(r)
	lib.computed_here(r, ["metadata_options", 0, "http_tokens"])
	f := lib.undetermined(r, "metadata_options[0].http_tokens", "IMDSv1 is allowed")
}

warn contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.metadata_options
	lib.judged(r)
	lib.computed(r, ["metadata_options"])
	f := lib.undetermined(r, "metadata_options", "IMDSv1 is allowed")
}

_disabled(after) if after.metadata_options[0].http_endpoint == "disabled"

_account_requires if params.account_requires_imdsv2 == true

_account_requires if {
	some d in object.get(input.by_type, "aws_ec2_instance_metadata_defaults", [])
	lib.judged(d)
	d.after.http_tokens == "required"
}
