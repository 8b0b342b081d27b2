package paved.rules.search_domain_encryption_test

import data.paved.rules.search_domain_encryption as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_missing_blocks if {
	fs := rule.deny with input as plan([res("aws_opensearch_domain", {"encrypt_at_rest": [], "node_to_node_encryption": []})])
	{f.path | some f in fs} == {"encrypt_at_rest[0].enabled", "node_to_node_encryption[0].enabled"}
}

test_fail_http_allowed if {
	fs := rule.deny with input as plan([res("aws_elasticsearch_domain", {
		"encrypt_at_rest": [{"enabled": true}], "node_to_node_encryption": [{"enabled": true}],
		"domain_endpoint_options": [{"enforce_https": false}],
	})])
	{f.path | some f in fs} == {"domain_endpoint_options[0].enforce_https"}
}

test_pass_all_on if {
	count(rule.deny) == 0 with input as plan([res("aws_opensearch_domain", {
		"encrypt_at_rest": [{"enabled": true}], "node_to_node_encryption": [{"enabled": true}],
		"domain_endpoint_options": [{"enforce_https": true}],
	})])
}

# AWS provider 5 shows the blocks a new domain leaves out as known after apply.
test_fail_blocks_left_out_shown_unknown if {
	fs := rule.deny with input as plan([created(
		"aws_elasticsearch_domain", {"domain_name": "search"},
		{"encrypt_at_rest": true, "node_to_node_encryption": true, "domain_endpoint_options": true},
		{"domain_name": "constant"},
	)])
	{[f.path, object.get(f, "undetermined", false)] | some f in fs} == {["encrypt_at_rest[0].enabled", false], ["node_to_node_encryption[0].enabled", false]}
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(
		res("aws_opensearch_domain", {"encrypt_at_rest": [{}], "node_to_node_encryption": [{"enabled": true}]}),
		{"encrypt_at_rest": [{"enabled": true}]},
	)])
	[[f.path, f.undetermined] | some f in fs] == [["encrypt_at_rest[0].enabled", true]]
}
