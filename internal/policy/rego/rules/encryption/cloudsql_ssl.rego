# METADATA
# title: Cloud SQL accepts unencrypted connections
# description: |
#   A Cloud SQL instance that accepts unencrypted connections lets anyone on the path between
#   the client and the database read credentials and data in clear text, and clients fall back
#   to it silently. The instance needs settings.ip_configuration.ssl_mode ENCRYPTED_ONLY or
#   TRUSTED_CLIENT_CERTIFICATE_REQUIRED (or, with Google provider 5 and earlier, require_ssl =
#   true). Left out, Cloud SQL's default ALLOW_UNENCRYPTED_AND_ENCRYPTED applies and is
#   reported. Instances reached only through the Cloud SQL Auth Proxy or connectors are
#   encrypted by the proxy, but ssl_mode is what stops a client that connects directly. A mode
#   known only after apply is reported as undetermined.
# custom:
#   id: cloudsql-ssl
#   severity: deny
#   category: encryption
#   checkov: [CKV_GCP_6]
#   trivy: [GCP-0015]
#   security: true
#   remediation: Set settings { ip_configuration { ssl_mode = "ENCRYPTED_ONLY" } } (TRUSTED_CLIENT_CERTIFICATE_REQUIRED to also require client certificates).
#   resource_types: [google_sql_database_instance]
#   scope: resource
#   examples:
#     fail: |
#       resource "google_sql_database_instance" "ledger" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#         }
#       }
#     pass: |
#       resource "google_sql_database_instance" "ledger" {
#         database_version = "POSTGRES_16"
#         settings {
#           tier = "db-custom-2-7680"
#           ip_configuration {
#             ssl_mode = "ENCRYPTED_ONLY"
#           }
#         }
#       }
package paved.rules.cloudsql_ssl

import data.paved.lib

encrypted := {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}

path := ["settings", 0, "ip_configuration", 0, "ssl_mode"]

deny contains f if {
	some r in lib.candidates(["google_sql_database_instance"])
	not _required(r.after)
	lib.judged(r)
	mode := lib.get(r, path, "ALLOW_UNENCRYPTED_AND_ENCRYPTED")
	not mode in encrypted
	f := lib.finding(r, sprintf("%s accepts unencrypted connections (ssl_mode %s)", [r.address, mode]), "settings[0].ip_configuration[0].ssl_mode", mode)
}

deny contains f if {
	some r in lib.candidates(["google_sql_database_instance"])
	not _required(r.after)
	object.get(r.after, path, null) == null
	lib.judged(r)
	lib.computed(r, path)
	f := lib.undetermined(r, "settings[0].ip_configuration[0].ssl_mode", "the instance accepts unencrypted connections")
}

# Google provider 5 and earlier.
_required(after) if after.settings[0].ip_configuration[0].require_ssl == true
