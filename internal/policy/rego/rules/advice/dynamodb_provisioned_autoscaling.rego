# METADATA
# title: Provisioned DynamoDB capacity without autoscaling
# description: |
#   A table in provisioned mode has fixed read and write capacity: traffic above it is
#   throttled, capacity below it is paid for idle. Provisioned mode (the default billing mode)
#   pays off only with Application Auto Scaling tracking the load; otherwise on-demand is both
#   safer and usually cheaper for spiky traffic. Targets are matched by their resource_id
#   table/<name> and scalable dimension.
#   A target whose table or dimension is known only after apply may be for any table: provisioned
#   tables without a known target are then reported as undetermined.
# custom:
#   id: dynamodb-provisioned-autoscaling
#   severity: warn
#   category: advice
#   checkov: [CKV2_AWS_16]
#   trivy: []
#   security: false
#   remediation: Add aws_appautoscaling_target and aws_appautoscaling_policy for dynamodb:table:ReadCapacityUnits and WriteCapacityUnits, or use billing_mode = "PAY_PER_REQUEST".
#   resource_types: [aws_dynamodb_table, aws_appautoscaling_target]
#   scope: plan
#   examples:
#     fail: |
#       resource "aws_dynamodb_table" "orders" {
#         name           = "orders"
#         billing_mode   = "PROVISIONED"
#         read_capacity  = 100
#         write_capacity = 100
#         hash_key       = "order_id"
#       }
#     pass: |
#       resource "aws_dynamodb_table" "orders" {
#         name         = "orders"
#         billing_mode = "PAY_PER_REQUEST"
#         hash_key     = "order_id"
#       }
package paved.rules.dynamodb_provisioned_autoscaling

import data.paved.lib

dimensions := {"read": "dynamodb:table:ReadCapacityUnits", "write": "dynamodb:table:WriteCapacityUnits"}

# resource ids of the table-level scaling targets in the plan, by dimension.
targets contains [id, dim] if {
	some t in lib.resources(["aws_appautoscaling_target"])
	lib.get(t, ["service_namespace"], "dynamodb") == "dynamodb"
	id := lib.get(t, ["resource_id"], "")
	dim := lib.get(t, ["scalable_dimension"], "")
}

# A target whose id or dimension is only known after apply may be for any table.
unknown_targets if {
	some t in lib.resources(["aws_appautoscaling_target"])
	some attr in ["resource_id", "scalable_dimension"]
	_ := t.after_unknown[attr]
	lib.computed(t, [attr])
}

# Attribute names are literals, never built at run time: the engine converts
# only the attributes that rules mention (TestProjectionKeepsFindings).
capacity_attribute := {"read": "read_capacity", "write": "write_capacity"}

warn contains f if {
	unknown_targets
	some r in lib.candidates(["aws_dynamodb_table"])
	lib.get(r, ["billing_mode"], "PROVISIONED") == "PROVISIONED"
	name := lib.get(r, ["name"], "")
	name != ""
	some dim in dimensions
	not [sprintf("table/%s", [name]), dim] in targets
	lib.judged(r)
	f := lib.undetermined(r, "billing_mode", "an autoscaling target of this plan scales the table")
}

warn contains f if {
	not unknown_targets
	some r in lib.candidates(["aws_dynamodb_table"])
	lib.get(r, ["billing_mode"], "PROVISIONED") == "PROVISIONED"
	name := lib.get(r, ["name"], "")
	name != ""
	some kind, dim in dimensions
	not [sprintf("table/%s", [name]), dim] in targets
	attr := capacity_attribute[kind]
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has provisioned %s capacity (%v) without autoscaling", [r.address, kind, object.get(r.after, attr, "unset")]), attr, object.get(r.after, attr, null))
}
