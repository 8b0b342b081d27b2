package paved.rules.azure_min_tls_test

import data.paved.rules.azure_min_tls as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

test_fail_old_tls if {
	count(rule.warn) == 1 with input as plan([res("azurerm_storage_account", {"min_tls_version": "TLS1_0"})])
	count(rule.warn) == 1 with input as plan([res("azurerm_mssql_server", {"minimum_tls_version": "Disabled"})])
}

test_pass_tls12_or_default if {
	count(rule.warn) == 0 with input as plan([res("azurerm_storage_account", {"min_tls_version": "TLS1_2"})])
	count(rule.warn) == 0 with input as plan([res("azurerm_mssql_server", {"minimum_tls_version": "1.2"})])
}

test_fail_computed_undetermined if {
	r := created("azurerm_storage_account", {"name": "x"}, {"min_tls_version": true}, {"min_tls_version": "computed"})
	fs := rule.warn with input as plan([r])
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
