# METADATA
# title: Azure storage account lets containers be made public
# description: |
#   With allow_nested_items_to_be_public (allowBlobPublicAccess) on, anyone who can change a
#   container's access level can publish its blobs to the internet without authentication, and
#   a misconfigured container is a data leak. AzureRM 3 and 4 default it to true, so a storage
#   account that leaves it out is reported, like one that sets it true. A value known only after
#   apply is reported as undetermined.
# custom:
#   id: azure-storage-public-blobs
#   severity: deny
#   category: exposure
#   checkov: [CKV_AZURE_190]
#   trivy: []
#   security: true
#   remediation: Set allow_nested_items_to_be_public = false (serve public content through a CDN or a SAS instead).
#   resource_types: [azurerm_storage_account]
#   scope: resource
#   examples:
#     fail: |
#       resource "azurerm_storage_account" "exports" {
#         name                     = "acmeexports"
#         account_tier             = "Standard"
#         account_replication_type = "ZRS"
#       }
#     pass: |
#       resource "azurerm_storage_account" "exports" {
#         name                            = "acmeexports"
#         account_tier                    = "Standard"
#         account_replication_type        = "ZRS"
#         allow_nested_items_to_be_public = false
#       }
package paved.rules.azure_storage_public_blobs

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["azurerm_storage_account"])
	object.get(r.after, "allow_nested_items_to_be_public", null) != false
	lib.judged(r)
	v := lib.get(r, ["allow_nested_items_to_be_public"], true)
	v == true
	f := lib.finding(r, sprintf("%s lets its containers be made public (allow_nested_items_to_be_public is %v)", [r.address, _shown(r)]), "allow_nested_items_to_be_public", object.get(r.after, "allow_nested_items_to_be_public", null))
}

deny contains f if {
	some r in lib.candidates(["azurerm_storage_account"])
	_ := r.after_unknown.allow_nested_items_to_be_public
	object.get(r.after, "allow_nested_items_to_be_public", null) == null
	lib.judged(r)
	lib.computed(r, ["allow_nested_items_to_be_public"])
	f := lib.undetermined(r, "allow_nested_items_to_be_public", "containers can be made public")
}

_shown(r) := "true" if r.after.allow_nested_items_to_be_public == true

else := "left out, true by default"
