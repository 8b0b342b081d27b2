# METADATA
# title: Lambda function URL open to anyone
# description: |
#   A function URL with authorization_type NONE lets anyone on the internet invoke the function
#   without credentials: every bug in it is reachable, and every invocation is billed to the
#   account. Public endpoints belong behind API Gateway, CloudFront or an Application Load
#   Balancer with authentication, throttling and a WAF; a function URL should use AWS_IAM. An
#   authorization type known only after apply is reported as undetermined.
# custom:
#   id: lambda-public-url
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_258]
#   trivy: []
#   security: true
#   remediation: Set authorization_type = "AWS_IAM" on the aws_lambda_function_url (callers sign requests with SigV4, or CloudFront with origin access control), or put the function behind API Gateway with an authorizer.
#   resource_types: [aws_lambda_function_url]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_lambda_function_url" "hook" {
#         function_name      = aws_lambda_function.hook.function_name
#         authorization_type = "NONE"
#       }
#     pass: |
#       resource "aws_lambda_function_url" "hook" {
#         function_name      = aws_lambda_function.hook.function_name
#         authorization_type = "AWS_IAM"
#       }
package paved.rules.lambda_public_url

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_lambda_function_url"])
	upper(r.after.authorization_type) == "NONE"
	lib.judged(r)
	f := lib.finding(r, sprintf("%s lets anyone on the internet invoke the function without credentials (authorization_type NONE)", [r.address]), "authorization_type", r.after.authorization_type)
}

deny contains f if {
	some r in lib.candidates(["aws_lambda_function_url"])
	_ := r.after_unknown.authorization_type
	object.get(r.after, "authorization_type", null) == null
	lib.judged(r)
	lib.computed(r, ["authorization_type"])
	f := lib.undetermined(r, "authorization_type", "the function URL is open to anyone")
}
