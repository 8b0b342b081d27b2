# METADATA
# title: IAM policy grants every action on every resource
# description: |
#   A statement that allows "*" (or another action pattern listed in admin_actions, by default
#   also iam:*, which lets the holder grant itself anything) on Resource "*" makes whoever holds
#   the policy an administrator of the account: one leaked key or compromised workload is then
#   a compromised account. Managed policies, inline role, user and group policies and the
#   inline_policy blocks of aws_iam_role are read; a policy known only after apply (built from
#   a data source or the ARN of a resource in the same plan) is reported as undetermined. Deny
#   statements and statements scoped to specific resources are fine.
# custom:
#   id: iam-admin-policy
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_62, CKV_AWS_1]
#   trivy: [AWS-0057]
#   security: true
#   remediation: Grant only the actions the workload needs on the resources it uses; keep full administrator access to the AWS managed AdministratorAccess policy on break-glass roles.
#   resource_types: [aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role]
#   scope: resource
#   parameters:
#     admin_actions:
#       default: ["*", "*:*", "iam:*"]
#       description: Action patterns (compared case-insensitively) that amount to administrator access when allowed on Resource "*".
#   examples:
#     fail: |
#       resource "aws_iam_policy" "ci" {
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
#         })
#       }
#     pass: |
#       resource "aws_iam_policy" "ci" {
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::acme-artifacts/*" }]
#         })
#       }
package paved.rules.iam_admin_policy

import data.paved.lib

params := data.paved.params.iam_admin_policy

admin := {lower(a) | some a in params.admin_actions}

deny contains f if {
	some r in lib.candidates(["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"])
	doc := r.after.policy
	is_string(doc)
	contains(doc, "*")
	some action in _admin_actions(doc)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows %s on every resource (Resource \"*\"): administrator access", [r.address, action]), "policy", action)
}

deny contains f if {
	some r in lib.candidates(["aws_iam_role"])
	some i, p in object.get(r.after, "inline_policy", [])
	doc := p.policy
	is_string(doc)
	contains(doc, "*")
	some action in _admin_actions(doc)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has an inline policy that allows %s on every resource (Resource \"*\"): administrator access", [r.address, action]), sprintf("inline_policy[%d].policy", [i]), action)
}

deny contains f if {
	some r in lib.candidates(["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"])
	_ := r.after_unknown.policy
	object.get(r.after, "policy", null) == null
	lib.computed(r, ["policy"])
	lib.judged(r)
	f := lib.undetermined(r, "policy", "the policy grants administrator access")
}

deny contains f if {
	some r in lib.candidates(["aws_iam_role"])
	_ := r.after_unknown.inline_policy
	some i, p in object.get(r.after, "inline_policy", [])
	object.get(p, "policy", null) == null
	lib.computed(r, ["inline_policy", i, "policy"])
	lib.judged(r)
	f := lib.undetermined(r, sprintf("inline_policy[%d].policy", [i]), "the policy grants administrator access")
}

# The admin actions allowed on "*" by a policy document (a JSON string).
_admin_actions(doc) := {a |
	json.is_valid(doc)
	parsed := json.unmarshal(doc)
	some s in _statements(parsed)
	s.Effect == "Allow"
	"*" in _list(object.get(s, "Resource", []))
	some a in _list(object.get(s, "Action", []))
	lower(a) in admin
}

_statements(p) := p.Statement if is_array(p.Statement)

_statements(p) := [p.Statement] if is_object(p.Statement)

_list(v) := v if is_array(v)

_list(v) := [v] if is_string(v)
