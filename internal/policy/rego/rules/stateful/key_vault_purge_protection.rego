# METADATA
# title: Key vault without purge protection
# description: |
#   Without purge protection, a deleted Azure key vault (and every key, secret and certificate
#   in it) can be purged at once, by a person, a script or by Terraform itself: the provider
#   purges soft-deleted vaults on destroy by default. Losing a key that encrypts storage or a
#   database makes the data unreadable, so this is the key-management twin of deletion
#   protection. purge_protection_enabled defaults to false; once switched on it cannot be
#   switched off. Playground services are skipped by default. A flag set from a value known only
#   after apply is reported as undetermined.
# custom:
#   id: key-vault-purge-protection
#   severity: deny
#   category: stateful
#   checkov: [CKV_AZURE_110, CKV_AZURE_42]
#   trivy: [AZU-0016]
#   security: true
#   remediation: Set purge_protection_enabled = true (and keep soft_delete_retention_days at 90).
#   resource_types: [azurerm_key_vault]
#   scope: resource
#   parameters:
#     skip_phases:
#       default: [playground]
#       description: Service phases in which the rule does not apply.
#   examples:
#     fail: |
#       resource "azurerm_key_vault" "main" {
#         name     = "acme-prod-kv"
#         sku_name = "standard"
#       }
#     pass: |
#       resource "azurerm_key_vault" "main" {
#         name                     = "acme-prod-kv"
#         sku_name                 = "standard"
#         purge_protection_enabled = true
#       }
package paved.rules.key_vault_purge_protection

import data.paved.lib

params := data.paved.params.key_vault_purge_protection

deny contains f if {
	not object.get(input, ["service", "phase"], "") in params.skip_phases
	some r in lib.candidates(["azurerm_key_vault"])
	object.get(r.after, "purge_protection_enabled", null) != true
	lib.get(r, ["purge_protection_enabled"], false) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s can be purged with all its keys and secrets: purge_protection_enabled is not true", [r.address]), "purge_protection_enabled", object.get(r.after, "purge_protection_enabled", null))
}

deny contains f if {
	not object.get(input, ["service", "phase"], "") in params.skip_phases
	some r in lib.candidates(["azurerm_key_vault"])
	_ := r.after_unknown.purge_protection_enabled
	object.get(r.after, "purge_protection_enabled", null) == null
	lib.computed(r, ["purge_protection_enabled"])
	lib.judged(r)
	f := lib.undetermined(r, "purge_protection_enabled", "the vault is protected from purging")
}
