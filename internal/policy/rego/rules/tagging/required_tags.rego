# METADATA
# title: Cost-allocation tags missing
# description: |
#   Spend is allocated to teams and services by tags; an untagged resource ends up on the
#   "unallocated" line that nobody owns, and a resource nobody owns is never cleaned up. Every
#   taggable resource (one whose configuration has a tags attribute) needs the required keys
#   with a non-empty value (keys match regardless of case unless the parameter says
#   otherwise, so Service counts for service). Effective tags count: the resource's own tags, tags_all and the
#   provider's default_tags. A tag whose value is known only after apply counts as present. A
#   resource without tags is reported also when the plan shows its tags_all as known after
#   apply (AWS providers do even without default_tags); when its tags, or the provider's
#   default_tags, are set from values known only after apply, missing keys are reported as
#   undetermined.
# custom:
#   id: required-tags
#   severity: deny
#   category: tagging
#   checkov: []
#   trivy: []
#   security: false
#   remediation: Add the missing keys to the provider's default_tags (once per configuration) or to the resource's tags.
#   scope: resource
#   resource_types: ["*"]
#   parameters:
#     required_keys:
#       default: [team, service]
#       description: Tag keys every taggable resource must carry.
#     case_sensitive:
#       default: false
#       description: Match tag keys exactly, as AWS cost allocation does; by default Service satisfies service.
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

# The common case, every key in the effective tags, is decided first; the
# helpers take the resource's parts, never the whole resource (a function
# call compares its arguments).
deny contains f if {
	some r in input.resources
	not _tagged(object.get(r, "tags", {}))
	_taggable(r.after)
	object.get(r, "source", "terraform") == "terraform"
	r.action in lib.judged_actions
	object.get(r, "mode", "managed") != "data"
	au := object.get(r, "after_unknown", {})
	present := _present_keys(_tags(object.get(r, "tags", {}), r.after), _unknown_tags(au))
	missing := sort([k | some k in params.required_keys; not _key(k) in present])
	count(missing) > 0
	f := _finding(r.address, missing, _computed(au, object.get(r, "config", false)))
}

_finding(addr, missing, false) := {"address": addr, "msg": sprintf("%s is missing the cost-allocation tag(s) %s", [addr, concat(", ", missing)]), "path": "tags", "value": missing}

_finding(addr, _, true) := lib.undetermined({"address": addr}, "tags", "it carries the cost-allocation tags")

# The tags as a whole, or the provider's default_tags merged into tags_all
# (the reader marks config.tags_all), are known only after apply; without a
# configuration every unknown value counts.
_computed(au, cfg) if {
	some k in ["tags", "tags_all"]
	au[k] == true
	_set(cfg, k)
} else := false

_set(false, _)

_set(cfg, k) if cfg[k]

# Fast path in two builtin calls: all required keys in the engine's
# effective tags, none of them empty.
_tagged(tags) if {
	t := object.filter(tags, params.required_keys)
	count(t) == count(params.required_keys)
	not "" in t
}

# A tags attribute, even null, marks a taggable resource.
_taggable(after) if object.get(after, "tags", false) != false

_taggable(after) if object.get(after, "tags_all", false) != false

# _present_keys: the (normalised) keys that have a value, or one known only
# after apply. One set built per resource, then one lookup per required key.
_present_keys(tags, unknown) := {_key(k) | some k, v in tags; _present(v)} | {_key(k) | some k, u in unknown; u == true}

_key(k) := k if params.case_sensitive

else := lower(k)

_unknown_tags(au) := object.union(_obj(object.get(au, "tags", {})), _obj(object.get(au, "tags_all", {})))

# The effective tags: the engine's, tags_all (which includes the provider's
# default_tags) and the resource's own tags.
_tags(tags, after) := object.union_n([_obj(tags), _obj(object.get(after, "tags_all", {})), _obj(object.get(after, "tags", {}))])

_obj(x) := x if is_object(x)

else := {}

_present(v) if {
	is_string(v)
	v != ""
}
