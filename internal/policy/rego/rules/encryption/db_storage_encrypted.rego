# METADATA
# title: Database storage is not encrypted
# description: |
#   Encryption at rest protects database files, snapshots, backups and read replicas if the
#   storage or a snapshot leaks, and it can only be chosen when the database is created:
#   encrypting later means a snapshot, copy and restore with downtime. RDS instances, Aurora,
#   DocumentDB and Neptune clusters all default to unencrypted. An Aurora cluster that leaves
#   storage_encrypted out shows it as known after apply; it is reported anyway, because a
#   provisioned cluster then ends up unencrypted (serverless v1 clusters are always encrypted).
#   Read replicas and clusters restored or replicated from a source inherit its encryption
#   and are not reported. Encryption in transit for RDS is a parameter group setting
#   (rds.force_ssl, require_secure_transport) and is not visible on the instance.
# custom:
#   id: db-storage-encrypted
#   severity: deny
#   category: encryption
#   security: true
#   remediation: Set storage_encrypted = true (optionally with kms_key_id). For an existing database, plan a snapshot copy with encryption and a restore.
#   resource_types: [aws_db_instance, aws_rds_cluster, aws_docdb_cluster, aws_neptune_cluster]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_db_instance" "main" {
#         engine            = "postgres"
#         instance_class    = "db.t4g.medium"
#         storage_encrypted = false
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         engine            = "postgres"
#         instance_class    = "db.t4g.medium"
#         storage_encrypted = true
#       }
package paved.rules.db_storage_encrypted

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"])
	object.get(r.after, "storage_encrypted", null) != true
	not _inherits(r)
	_unencrypted(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not encrypt its storage (storage_encrypted is %s)", [r.address, _shown(r)]), "storage_encrypted", object.get(r.after, "storage_encrypted", null))
}

_unencrypted(r) if lib.get(r, ["storage_encrypted"], false) == false

# Unset on an Aurora cluster: unknown in the plan, unencrypted in AWS.
_unencrypted(r) if {
	r.type == "aws_rds_cluster"
	lib.unknown(r, ["storage_encrypted"])
	lib.get(r, ["engine_mode"], "provisioned") != "serverless"
	not lib.set_and_known(r, ["kms_key_id"])
	not lib.unknown(r, ["kms_key_id"])
}

_inherits(r) if {
	some attr in ["replicate_source_db", "replication_source_identifier", "snapshot_identifier", "global_cluster_identifier"]
	v := object.get(r.after, attr, null)
	not v in {null, ""}
}

_inherits(r) if {
	some attr in ["replicate_source_db", "replication_source_identifier", "snapshot_identifier", "global_cluster_identifier"]
	lib.unknown(r, [attr])
}

_shown(r) := "not set" if lib.unknown(r, ["storage_encrypted"])

else := sprintf("%v", [object.get(r.after, "storage_encrypted", "not set")])
