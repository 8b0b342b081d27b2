# METADATA
# title: IAM policy allows privilege escalation
# description: |
#   Some IAM actions let whoever holds them give themselves more: iam:PassRole on every role
#   hands any role (an administrator's too) to a new Lambda function or instance they control;
#   creating policy versions, attaching or putting policies, creating access keys or login
#   profiles for other users, and changing a role's trust policy all end in administrator
#   access. A statement that allows one of the actions in the parameter (directly or through a
#   wildcard such as iam:Put* or iam:*Policy) on Resource "*" without a Condition is reported.
#   Full wildcards ("*", "*:*", "iam:*") are reported by iam-admin-policy instead. Managed
#   policies, inline role, user and group policies and the inline_policy blocks of aws_iam_role
#   are read; a policy known only after apply is reported by iam-admin-policy as undetermined.
# custom:
#   id: iam-privilege-escalation
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_286, CKV_AWS_110]
#   trivy: [AWS-0342]
#   security: true
#   remediation: Scope the statement to the roles, users or policies it needs (iam:PassRole on the ARN of the one role the service passes, with an iam:PassedToService condition).
#   resource_types: [aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role]
#   scope: resource
#   parameters:
#     escalation_actions:
#       default: [iam:PassRole, iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:AttachUserPolicy, iam:AttachGroupPolicy, iam:AttachRolePolicy, iam:PutUserPolicy, iam:PutGroupPolicy, iam:PutRolePolicy, iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile, iam:UpdateAssumeRolePolicy, iam:AddUserToGroup]
#       description: IAM actions that let the holder escalate privileges when allowed on every resource.
#   examples:
#     fail: |
#       resource "aws_iam_policy" "deployer" {
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Action = ["lambda:CreateFunction", "iam:PassRole"], Resource = "*" }]
#         })
#       }
#     pass: |
#       resource "aws_iam_policy" "deployer" {
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/resize-lambda" }]
#         })
#       }
package paved.rules.iam_privilege_escalation

import data.paved.lib

params := data.paved.params.iam_privilege_escalation

# Left to iam-admin-policy.
admin := {lower(a) | some a in data.paved.params.iam_admin_policy.admin_actions}

deny contains f if {
	some d in lib.iam_documents
	contains(d.doc, "*")
	patterns := lib.iam_allowed_on_any(d.doc) - admin
	count(patterns) > 0
	some action in params.escalation_actions
	p := lib.iam_grants(patterns, lower(action))
	f := lib.finding(d.r, sprintf("%s allows %s (as %s) on every resource: whoever holds it can grant themselves more", [d.r.address, action, p]), d.path, action)
}
