# METADATA
# title: Resource outside the allowed regions
# description: |
#   Data residency, latency to users, support coverage and the reach of the platform's shared
#   services (networking, logging, backups, guard duty) all stop at the regions the organisation
#   has set up. A resource elsewhere is invisible to those services and may put data where
#   contracts say it must not be. The region is the resource's own region attribute (AWS
#   provider v6) or its provider configuration's region. Global services (IAM, Route 53,
#   CloudFront, Organizations ...) are not regional and are skipped. The rule applies to the
#   providers listed in `providers` (AWS by default): an organisation on Google Cloud or Azure
#   lists that provider and its regions, so that one cloud's region list never judges another's.
#   A region attribute left out (AWS provider v6 shows it as known after apply) is the
#   provider's; one set from a value known only after apply is reported as undetermined, and so,
#   once per plan, is a provider whose region the plan does not show (set by the environment,
#   AWS_REGION, or by an expression the plan does not resolve).
# custom:
#   id: allowed-regions
#   severity: deny
#   category: placement
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Deploy to one of the allowed regions (set the provider's region), or ask for a sign-off explaining the residency or latency need.
#   scope: resource
#   resource_types: ["*"]
#   parameters:
#     allowed_regions:
#       default: [eu-west-1, eu-central-1, us-east-1, us-west-2]
#       description: Regions resources may be created in.
#     providers:
#       default: [aws]
#       description: Providers (short names, as in aws, google, azurerm) whose resources must be in an allowed region.
#     global_type_prefixes:
#       default: [aws_iam_, aws_route53_, aws_cloudfront_, aws_organizations_, aws_budgets_, aws_ce_, aws_shield_, aws_waf_, aws_globalaccelerator_, aws_account_]
#       description: Resource type prefixes of global services, which have no region.
#   examples:
#     fail: |
#       provider "aws" {
#         region = "ap-southeast-2"
#       }
#       resource "aws_sqs_queue" "orders" {
#         name = "orders"
#       }
#     pass: |
#       provider "aws" {
#         region = "eu-west-1"
#       }
#       resource "aws_sqs_queue" "orders" {
#         name = "orders"
#       }
package paved.rules.allowed_regions

import data.paved.lib

params := data.paved.params.allowed_regions

allowed := {x | some x in params.allowed_regions}

providers := {x | some x in params.providers}

# Global types present in this input, computed once rather than per resource.
global_types := {t |
	some t, _ in input.by_type
	some p in params.global_type_prefixes
	startswith(t, p)
}

# Most resources are in an allowed region: that test comes first, the rest
# only runs for the few that are not. The resource's own region attribute
# (AWS provider v6) wins over the provider configuration's.
deny contains f if {
	some r in input.resources
	region := r.region
	not region in allowed
	region != ""
	not _own_region(r)
	not lib.computed(r, ["region"])
	f := _finding(r, "", region)
}

# Cheap tests first: most resources have a region, and the rest are mostly
# global types or other providers'.
deny contains f if {
	some r in input.resources
	object.get(r, "region", "") == ""
	object.get(r, "provider", "") in providers
	not r.type in global_types
	not is_string(object.get(r.after, "region", null))
	not _region_computed(object.get(r, "after_unknown", {}), r)
	lib.judged(r)
	f := {
		"address": "",
		"msg": sprintf("the plan does not show which region the %s provider uses (it comes from the environment or from an expression), so the regions of its resources cannot be judged until apply", [r.provider]),
		"path": "", "value": null, "undetermined": true,
	}
}

deny contains f if {
	some r in input.resources
	r.after_unknown.region
	object.get(r.after, "region", null) == null
	lib.computed(r, ["region"])
	_applies(r)
	f := lib.undetermined(r, "region", "the region is allowed")
}

deny contains f if {
	some r in input.resources
	region := r.after.region
	is_string(region)
	not region in allowed
	region != ""
	f := _finding(r, "region", region)
}

# Only resources whose region attribute is unknown reach lib.computed.
_region_computed(au, r) if {
	au.region
	lib.computed(r, ["region"])
}

_own_region(r) if {
	is_string(r.after.region)
	r.after.region != ""
}

_applies(r) if {
	object.get(r, "provider", "") in providers
	not r.type in global_types
	lib.judged(r)
}

_finding(r, path, region) := f if {
	_applies(r)
	f := lib.finding(r, sprintf("%s is in region %s, which is not one of the allowed regions (%s)", [r.address, region, concat(", ", params.allowed_regions)]), path, region)
}
