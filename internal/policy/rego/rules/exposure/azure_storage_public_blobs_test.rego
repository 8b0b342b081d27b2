package paved.rules.azure_storage_public_blobs_test

import data.paved.rules.azure_storage_public_blobs as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

test_fail_public_allowed if {
	count(rule.deny) == 1 with input as plan([res("azurerm_storage_account", {"allow_nested_items_to_be_public": true})])
	count(rule.deny) == 1 with input as plan([res("azurerm_storage_account", {"name": "x"})])
}

test_pass_off if {
	count(rule.deny) == 0 with input as plan([res("azurerm_storage_account", {"allow_nested_items_to_be_public": false})])
}

test_fail_computed_undetermined if {
	r := created("azurerm_storage_account", {"name": "x"}, {"allow_nested_items_to_be_public": true}, {"allow_nested_items_to_be_public": "computed"})
	fs := rule.deny with input as plan([r])
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
