package paved.rules.key_vault_purge_protection_test

import data.paved.rules.key_vault_purge_protection as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.plan_for
import data.paved.test.res
import data.paved.test.unknown

test_fail_unprotected if {
	fs := rule.deny with input as plan([
		res("azurerm_key_vault", {"name": "kv", "purge_protection_enabled": false}),
		named("azurerm_key_vault", "unset", {"name": "kv2", "purge_protection_enabled": null}),
	])
	count(fs) == 2
}

test_pass_protected_unknown_or_playground if {
	count(rule.deny) == 0 with input as plan([
		res("azurerm_key_vault", {"purge_protection_enabled": true}),
	])
	count(rule.deny) == 0 with input as plan_for([res("azurerm_key_vault", {"purge_protection_enabled": false})], {"phase": "playground"})
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([unknown(named("azurerm_key_vault", "later", {}), {"purge_protection_enabled": true})])
	[f.undetermined | some f in fs] == [true]
}
