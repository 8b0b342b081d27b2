# METADATA
# title: Database password written in the configuration
# description: |
#   A password typed into the Terraform configuration as a literal (password = "..."), passed
#   to a module as one, or given as a variable's default lives in version control, in every
#   clone and fork, in CI logs of plans, and in the state, and it cannot be rotated without a
#   commit. The plan masks the value as sensitive, but its configuration block still shows that
#   the attribute is set from a literal, and that is what is reported (the value itself never
#   appears in a finding). Passwords managed by the service (manage_master_user_password on RDS
#   and Aurora, manage_master_password on Redshift), read from a secret manager or generated
#   (random_password, ephemeral resources, write-only *_wo arguments fed from them), or passed
#   in as root input variables (TF_VAR_..., a CI secret) are fine. A plan without a
#   configuration block cannot show where a password comes from: such a password is reported
#   as undetermined.
# custom:
#   id: db-plaintext-password
#   severity: deny
#   category: exposure
#   checkov: []
#   trivy: []
#   security: true
#   remediation: Let the service manage the password (manage_master_user_password = true on RDS and Aurora), or read it from a secret manager (data.aws_secretsmanager_secret_version, an ephemeral resource with a *_wo argument) or a CI secret passed as a root variable; then rotate the password that was committed.
#   resource_types: [aws_db_instance, aws_rds_cluster, aws_docdb_cluster, aws_redshift_cluster, aws_elasticache_replication_group, google_sql_user, azurerm_mssql_server, azurerm_postgresql_flexible_server, azurerm_mysql_flexible_server, azurerm_postgresql_server, azurerm_mysql_server, azurerm_mariadb_server]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         engine         = "postgres"
#         instance_class = "db.t4g.medium"
#         username       = "app"
#         password       = "Sup3rS3cret!"
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         engine                      = "postgres"
#         instance_class              = "db.t4g.medium"
#         username                    = "app"
#         manage_master_user_password = true
#       }
package paved.rules.db_plaintext_password

import data.paved.lib

# The password arguments of each type (write-only *_wo ones included: a
# literal there is in the configuration all the same).
attributes := {
	"aws_db_instance": ["password", "password_wo"],
	"aws_rds_cluster": ["master_password", "master_password_wo"],
	"aws_docdb_cluster": ["master_password", "master_password_wo"],
	"aws_redshift_cluster": ["master_password", "master_password_wo"],
	"aws_elasticache_replication_group": ["auth_token"],
	"google_sql_user": ["password", "password_wo"],
	"azurerm_mssql_server": ["administrator_login_password", "administrator_login_password_wo"],
	"azurerm_postgresql_flexible_server": ["administrator_password", "administrator_password_wo"],
	"azurerm_mysql_flexible_server": ["administrator_password", "administrator_password_wo"],
	"azurerm_postgresql_server": ["administrator_login_password"],
	"azurerm_mysql_server": ["administrator_login_password"],
	"azurerm_mariadb_server": ["administrator_login_password"],
}

deny contains f if {
	some t, attrs in attributes
	some r in object.get(input.by_type, t, [])
	some attr in attrs
	r.config[attr] == "constant"
	lib.judged(r)
	f := lib.finding(r, sprintf("%s sets %s to a literal written in the configuration, so the password is in version control", [r.address, attr]), attr, null)
}

# No configuration in the plan: where the password comes from is unknown.
deny contains f if {
	some t, attrs in attributes
	some r in object.get(input.by_type, t, [])
	not r.config
	some attr in attrs
	object.get(r.after, attr, null) != null
	lib.judged(r)
	f := lib.undetermined(r, attr, "the password is a literal in the configuration")
}
