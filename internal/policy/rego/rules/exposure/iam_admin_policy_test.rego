package paved.rules.iam_admin_policy_test

import data.paved.rules.iam_admin_policy as rule
import data.paved.test.deleted
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

p := {"admin_actions": ["*", "*:*", "iam:*"]}

doc(stmts) := json.marshal({"Version": "2012-10-17", "Statement": stmts})

test_fail_star_on_star if {
	count(rule.deny) == 4 with input as plan([
		res("aws_iam_policy", {"policy": doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])}),
		res("aws_iam_user_policy", {"policy": doc([{"Effect": "Allow", "Action": ["s3:Get*", "IAM:*"], "Resource": ["*"]}])}),
		# A single statement object instead of a list, pretty-printed with CRLF.
		res("aws_iam_group_policy", {"policy": "{\r\n \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*:*\", \"Resource\": \"*\"}\r\n}"}),
		res("aws_iam_role", {"inline_policy": [{"name": "x", "policy": doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])}]}),
	])
		with data.paved.params.iam_admin_policy as p
}

test_pass_scoped_denied_or_unknown if {
	count(rule.deny) == 0 with input as plan([
		res("aws_iam_policy", {"policy": doc([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])}),
		named("aws_iam_policy", "scoped", {"policy": doc([{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}])}),
		named("aws_iam_policy", "deny", {"policy": doc([{"Effect": "Deny", "Action": "*", "Resource": "*"}])}),
		deleted(named("aws_iam_user_policy", "gone", {"policy": doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}])})),
		named("aws_iam_group_policy", "invalid", {"policy": "not json *"}),
	])
		with data.paved.params.iam_admin_policy as p
}

test_pass_param_narrows if {
	count(rule.deny) == 0 with input as plan([res("aws_iam_policy", {"policy": doc([{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}])})])
		with data.paved.params.iam_admin_policy as {"admin_actions": ["*"]}
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(res("aws_iam_role_policy", {}), {"policy": true})])
		with data.paved.params.iam_admin_policy as p
	[f.undetermined | some f in fs] == [true]
}
