# METADATA
# title: Azure SQL server or storage account accepts TLS below 1.2
# description: |
#   TLS 1.0 and 1.1 have known weaknesses and Azure retires them for its services. An
#   azurerm_mssql_server whose minimum_tls_version is "1.0", "1.1" or "Disabled" (no minimum at
#   all), and an azurerm_storage_account whose min_tls_version is TLS1_0 or TLS1_1, are
#   reported. Left out, AzureRM 3 and 4 default both to TLS 1.2, which passes. A version known
#   only after apply is reported as undetermined.
# custom:
#   id: azure-min-tls
#   severity: warn
#   category: encryption
#   checkov: [CKV_AZURE_52, CKV_AZURE_44]
#   trivy: [AZU-0026, AZU-0011]
#   security: true
#   remediation: Set minimum_tls_version = "1.2" on the SQL server and min_tls_version = "TLS1_2" on the storage account (or leave them out for the provider's default of 1.2).
#   resource_types: [azurerm_mssql_server, azurerm_storage_account]
#   scope: resource
#   examples:
#     fail: |
#       resource "azurerm_storage_account" "exports" {
#         name                     = "acmeexports"
#         account_tier             = "Standard"
#         account_replication_type = "ZRS"
#         min_tls_version          = "TLS1_0"
#       }
#     pass: |
#       resource "azurerm_storage_account" "exports" {
#         name                     = "acmeexports"
#         account_tier             = "Standard"
#         account_replication_type = "ZRS"
#         min_tls_version          = "TLS1_2"
#       }
package paved.rules.azure_min_tls

import data.paved.lib

attr := {"azurerm_mssql_server": "minimum_tls_version", "azurerm_storage_account": "min_tls_version"}

weak := {"1.0", "1.1", "Disabled", "TLS1_0", "TLS1_1"}

warn contains f if {
	some t, a in attr
	some r in object.get(input.by_type, t, [])
	v := r.after[a]
	v in weak
	lib.judged(r)
	f := lib.finding(r, sprintf("%s accepts TLS below 1.2 (%s = %q)", [r.address, a, v]), a, v)
}

warn contains f if {
	some t, a in attr
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[a]
	object.get(r.after, a, null) == null
	lib.judged(r)
	lib.computed(r, [a])
	f := lib.undetermined(r, a, "the service accepts TLS below 1.2")
}
