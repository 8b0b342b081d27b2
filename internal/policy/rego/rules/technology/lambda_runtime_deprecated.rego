# METADATA
# title: Lambda function on a deprecated runtime
# description: |
#   AWS stops patching a Lambda runtime when it is deprecated (the language version reached end
#   of life), then blocks creating and later updating functions that use it: a function left on
#   one runs without security fixes and cannot be changed in an emergency. Functions whose
#   runtime is in the parameter's list are reported (Python 3.8 and earlier, Node.js 16 and
#   earlier, go1.x, java8 on Amazon Linux 1, .NET 6 and earlier, Ruby 2.7 and earlier); keep
#   the list up to date with AWS's runtime deprecation table. Container-image functions have
#   no runtime and are not judged. A runtime known only after apply is reported as
#   undetermined.
# custom:
#   id: lambda-runtime-deprecated
#   severity: warn
#   category: technology
#   checkov: [CKV_AWS_363]
#   trivy: []
#   security: true
#   remediation: Move the function to a supported runtime (python3.12 or later, nodejs20.x or later, provided.al2023 for Go, java21, dotnet8, ruby3.3).
#   resource_types: [aws_lambda_function]
#   scope: resource
#   parameters:
#     deprecated_runtimes:
#       default: [python2.7, python3.6, python3.7, python3.8, nodejs, nodejs4.3, nodejs4.3-edge, nodejs6.10, nodejs8.10, nodejs10.x, nodejs12.x, nodejs14.x, nodejs16.x, go1.x, java8, dotnetcore1.0, dotnetcore2.0, dotnetcore2.1, dotnetcore3.1, dotnet5.0, dotnet6, dotnet7, ruby2.5, ruby2.7, provided]
#       description: Runtime identifiers that AWS has deprecated.
#   examples:
#     fail: |
#       resource "aws_lambda_function" "resize" {
#         function_name = "resize"
#         role          = aws_iam_role.resize.arn
#         runtime       = "python3.8"
#         handler       = "app.handler"
#         filename      = "resize.zip"
#       }
#     pass: |
#       resource "aws_lambda_function" "resize" {
#         function_name = "resize"
#         role          = aws_iam_role.resize.arn
#         runtime       = "python3.12"
#         handler       = "app.handler"
#         filename      = "resize.zip"
#       }
package paved.rules.lambda_runtime_deprecated

import data.paved.lib

params := data.paved.params.lambda_runtime_deprecated

warn contains f if {
	some r in lib.candidates(["aws_lambda_function"])
	rt := r.after.runtime
	rt in params.deprecated_runtimes
	lib.judged(r)
	f := lib.finding(r, sprintf("%s runs on %s, a runtime AWS has deprecated", [r.address, rt]), "runtime", rt)
}

warn contains f if {
	some r in lib.candidates(["aws_lambda_function"])
	_ := r.after_unknown.runtime
	object.get(r.after, "runtime", null) == null
	lib.judged(r)
	lib.computed(r, ["runtime"])
	f := lib.undetermined(r, "runtime", "the runtime is deprecated")
}
