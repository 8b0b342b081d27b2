# METADATA
# title: Cost-allocation tags missing
# description: |
#   Spend is allocated to teams and services by tags; an untagged resource ends up on the
#   "unallocated" line that nobody owns, and a resource nobody owns is never cleaned up. Every
#   taggable resource (one whose configuration has a tags attribute) needs the required keys
#   with a non-empty value. Effective tags count: the resource's own tags, tags_all and the
#   provider's default_tags. A tag whose value is known only after apply counts as present.
# custom:
#   id: required-tags
#   severity: deny
#   category: tagging
#   security: false
#   remediation: Add the missing keys to the provider's default_tags (once per configuration) or to the resource's tags.
#   scope: plan
#   parameters:
#     required_keys:
#       default: [team, service]
#       description: Tag keys every taggable resource must carry (case-sensitive, as AWS cost allocation is).
#   examples:
#     fail: |
#       resource "aws_sqs_queue" "orders" {
#         name = "orders"
#         tags = { team = "checkout" }
#       }
#     pass: |
#       provider "aws" {
#         default_tags {
#           tags = { team = "checkout", service = "orders" }
#         }
#       }
#       resource "aws_sqs_queue" "orders" {
#         name = "orders"
#       }
package paved.rules.required_tags

import data.paved.lib

params := data.paved.params.required_tags

# The common case, every key in the effective tags, is decided first.
deny contains f if {
	some r in input.resources
	not _tagged(r)
	_taggable(r)
	object.get(r, "source", "terraform") == "terraform"
	lib.judged(r)
	not _all_unknown(r)
	missing := sort([k | some k in params.required_keys; not _has(r, k)])
	count(missing) > 0
	f := lib.finding(r, sprintf("%s is missing the cost-allocation tag(s) %s", [r.address, concat(", ", missing)]), "tags", missing)
}

_tagged(r) if {
	every k in params.required_keys {
		_present(r.tags[k])
	}
}

# A tags attribute, even null, marks a taggable resource.
_taggable(r) if object.get(r.after, "tags", false) != false

_taggable(r) if object.get(r.after, "tags_all", false) != false

_all_unknown(r) if lib.unknown(r, ["tags_all"])

_has(r, k) if _present(object.get(r, ["tags", k], ""))

_has(r, k) if _present(object.get(r.after, ["tags_all", k], ""))

_has(r, k) if _present(object.get(r.after, ["tags", k], ""))

_has(r, k) if lib.unknown(r, ["tags_all", k])

_has(r, k) if lib.unknown(r, ["tags", k])

_present(v) if {
	is_string(v)
	trim_space(v) != ""
}
