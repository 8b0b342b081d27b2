package paved.rules.iam_privilege_escalation_test

import data.paved.rules.iam_privilege_escalation as rule
import data.paved.test.plan
import data.paved.test.res

params := {"escalation_actions": ["iam:PassRole", "iam:PutRolePolicy"]}

admin := {"admin_actions": ["*", "*:*", "iam:*"]}

policy(stmt) := res("aws_iam_policy", {"policy": json.marshal({"Version": "2012-10-17", "Statement": stmt})})

test_fail_escalation if {
	fs := rule.deny with input as plan([policy([{"Effect": "Allow", "Action": ["lambda:CreateFunction", "iam:PassRole"], "Resource": "*"}])])
		with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
	count(fs) == 1
	gs := rule.deny with input as plan([policy({"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"})])
		with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
	count(gs) == 1
	role := res("aws_iam_role", {"inline_policy": [{"name": "p", "policy": json.marshal({"Statement": [{"Effect": "Allow", "Action": "iam:passrole", "Resource": ["*"]}]})}]})
	count(rule.deny) == 1 with input as plan([role]) with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
}

test_pass_scoped_conditioned_or_admin if {
	count(rule.deny) == 0 with input as plan([policy([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/x"}])])
		with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
	count(rule.deny) == 0 with input as plan([policy([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}])])
		with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
	count(rule.deny) == 0 with input as plan([policy([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}])])
		with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
	count(rule.deny) == 0 with input as plan([policy([{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}])])
		with data.paved.params.iam_privilege_escalation as params with data.paved.params.iam_admin_policy as admin
}
