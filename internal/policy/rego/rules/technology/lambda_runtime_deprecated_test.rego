package paved.rules.lambda_runtime_deprecated_test

import data.paved.rules.lambda_runtime_deprecated as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

params := {"deprecated_runtimes": ["python3.8", "go1.x", "java8"]}

fn(rt) := res("aws_lambda_function", {"function_name": "f", "runtime": rt})

test_fail_deprecated if {
	count(rule.warn) == 1 with input as plan([fn("python3.8")]) with data.paved.params.lambda_runtime_deprecated as params
	count(rule.warn) == 1 with input as plan([fn("go1.x")]) with data.paved.params.lambda_runtime_deprecated as params
}

test_pass_supported_or_image if {
	count(rule.warn) == 0 with input as plan([fn("python3.12")]) with data.paved.params.lambda_runtime_deprecated as params
	count(rule.warn) == 0 with input as plan([fn("java8.al2")]) with data.paved.params.lambda_runtime_deprecated as params
	count(rule.warn) == 0 with input as plan([res("aws_lambda_function", {"function_name": "f", "package_type": "Image"})]) with data.paved.params.lambda_runtime_deprecated as params
}

test_fail_computed_undetermined if {
	r := created("aws_lambda_function", {"function_name": "f"}, {"runtime": true}, {"runtime": "computed"})
	fs := rule.warn with input as plan([r]) with data.paved.params.lambda_runtime_deprecated as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
