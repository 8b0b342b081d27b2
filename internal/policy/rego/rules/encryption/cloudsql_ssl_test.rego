package paved.rules.cloudsql_ssl_test

import data.paved.rules.cloudsql_ssl as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

db(ipc) := res("google_sql_database_instance", {"database_version": "POSTGRES_16", "settings": [{"tier": "db-f1-micro", "ip_configuration": ipc}]})

test_fail_unencrypted_allowed if {
	count(rule.deny) == 1 with input as plan([db([{"ssl_mode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED"}])])
	count(rule.deny) == 1 with input as plan([db([])])
	left := created("google_sql_database_instance", {"settings": [{"tier": "db-f1-micro"}]}, {"settings": [{"ip_configuration": true}]}, {"settings": [{"tier": "constant"}]})
	count(rule.deny) == 1 with input as plan([left])
}

test_pass_encrypted_only if {
	count(rule.deny) == 0 with input as plan([db([{"ssl_mode": "ENCRYPTED_ONLY"}])])
	count(rule.deny) == 0 with input as plan([db([{"require_ssl": true}])])
}

test_fail_computed_undetermined if {
	r := created("google_sql_database_instance", {"settings": [{"ip_configuration": [{}]}]}, {"settings": [{"ip_configuration": [{"ssl_mode": true}]}]}, {"settings": [{"ip_configuration": [{"ssl_mode": "computed"}]}]})
	fs := rule.deny with input as plan([r])
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
