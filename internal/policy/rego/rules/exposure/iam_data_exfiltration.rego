# METADATA
# title: IAM policy reads data or secrets on every resource
# description: |
#   Reading objects from every bucket, every secret or every SSM parameter of the account is
#   rarely what a workload needs, and it is exactly what an attacker who gets its credentials
#   wants: the data and the credentials of everything else. A statement that allows one of the
#   actions in the parameter (directly or through a wildcard such as s3:Get* or
#   secretsmanager:*) on Resource "*" without a Condition is reported. Full wildcards ("*",
#   "*:*") are reported by iam-admin-policy. A policy known only after apply is reported by
#   iam-admin-policy as undetermined.
# custom:
#   id: iam-data-exfiltration
#   severity: warn
#   category: exposure
#   checkov: [CKV_AWS_288, CKV_AWS_108]
#   trivy: [AWS-0345]
#   security: true
#   remediation: Scope the statement to the buckets, secrets or parameters the workload uses (arn:aws:s3:::acme-exports/*, arn:aws:secretsmanager:...:secret:ledger/*).
#   resource_types: [aws_iam_policy, aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role]
#   scope: resource
#   parameters:
#     data_actions:
#       default: [s3:GetObject, secretsmanager:GetSecretValue, ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, kms:Decrypt, dynamodb:Scan, dynamodb:Query]
#       description: Actions that read data or secrets and should name their resources.
#   examples:
#     fail: |
#       resource "aws_iam_role_policy" "app" {
#         role = aws_iam_role.app.id
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "secretsmanager:GetSecretValue"], Resource = "*" }]
#         })
#       }
#     pass: |
#       resource "aws_iam_role_policy" "app" {
#         role = aws_iam_role.app.id
#         policy = jsonencode({
#           Version   = "2012-10-17"
#           Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-exports/*" }]
#         })
#       }
package paved.rules.iam_data_exfiltration

import data.paved.lib

params := data.paved.params.iam_data_exfiltration

admin := {lower(a) | some a in data.paved.params.iam_admin_policy.admin_actions}

warn contains f if {
	some d in lib.iam_documents
	contains(d.doc, "*")
	patterns := lib.iam_allowed_on_any(d.doc) - admin
	count(patterns) > 0
	some action in params.data_actions
	p := lib.iam_grants(patterns, lower(action))
	f := lib.finding(d.r, sprintf("%s allows %s (as %s) on every resource", [d.r.address, action, p]), d.path, action)
}
