package paved.rules.gke_legacy_access_test

import data.paved.rules.gke_legacy_access as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

test_fail_legacy_paths if {
	count(rule.deny) == 1 with input as plan([res("google_container_cluster", {"enable_legacy_abac": true})])
	count(rule.deny) == 2 with input as plan([res("google_container_cluster", {"master_auth": [{"username": "admin", "password": "(sensitive)"}]})])
	count(rule.deny) == 1 with input as plan([res("google_container_cluster", {"master_auth": [{"client_certificate_config": [{"issue_client_certificate": true}]}]})])
	count(rule.deny) == 1 with input as plan([res("google_container_node_pool", {"node_config": [{"metadata": {"disable-legacy-endpoints": "false"}}]})])
}

test_pass_defaults if {
	count(rule.deny) == 0 with input as plan([res("google_container_cluster", {"enable_legacy_abac": false, "master_auth": [{"client_certificate_config": [{"issue_client_certificate": false}]}], "node_config": [{"metadata": {"disable-legacy-endpoints": "true"}}]})])
	count(rule.deny) == 0 with input as plan([res("google_container_node_pool", {"node_config": [{"machine_type": "e2-standard-4"}]})])
}

test_fail_computed_undetermined if {
	r := created("google_container_cluster", {"name": "main"}, {"enable_legacy_abac": true}, {"enable_legacy_abac": "computed"})
	fs := rule.deny with input as plan([r])
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
