package paved.rules.iam_data_exfiltration_test

import data.paved.rules.iam_data_exfiltration as rule
import data.paved.test.plan
import data.paved.test.res

params := {"data_actions": ["s3:GetObject", "secretsmanager:GetSecretValue"]}

admin := {"admin_actions": ["*", "*:*", "iam:*"]}

policy(stmt) := res("aws_iam_role_policy", {"policy": json.marshal({"Version": "2012-10-17", "Statement": stmt})})

test_fail_reads_everything if {
	fs := rule.warn with input as plan([policy([{"Effect": "Allow", "Action": ["s3:Get*", "secretsmanager:GetSecretValue"], "Resource": "*"}])])
		with data.paved.params.iam_data_exfiltration as params with data.paved.params.iam_admin_policy as admin
	count(fs) == 2
}

test_pass_scoped_or_admin if {
	count(rule.warn) == 0 with input as plan([policy([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"}])])
		with data.paved.params.iam_data_exfiltration as params with data.paved.params.iam_admin_policy as admin
	count(rule.warn) == 0 with input as plan([policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}])])
		with data.paved.params.iam_data_exfiltration as params with data.paved.params.iam_admin_policy as admin
}
