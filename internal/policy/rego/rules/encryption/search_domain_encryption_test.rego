package paved.rules.search_domain_encryption_test

import data.paved.rules.search_domain_encryption as rule
import data.paved.test.plan
import data.paved.test.res

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
