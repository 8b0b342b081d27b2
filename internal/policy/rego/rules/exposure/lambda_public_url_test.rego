package paved.rules.lambda_public_url_test

import data.paved.rules.lambda_public_url as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

test_fail_public if {
	count(rule.deny) == 1 with input as plan([res("aws_lambda_function_url", {"function_name": "hook", "authorization_type": "NONE"})])
}

test_pass_iam if {
	count(rule.deny) == 0 with input as plan([res("aws_lambda_function_url", {"function_name": "hook", "authorization_type": "AWS_IAM"})])
}

test_fail_computed_undetermined if {
	r := created("aws_lambda_function_url", {"function_name": "hook"}, {"authorization_type": true}, {"authorization_type": "computed"})
	fs := rule.deny with input as plan([r])
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
