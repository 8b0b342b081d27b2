# METADATA
# title: Database storage is not encrypted
# description: |
#   Encryption at rest protects database files, snapshots, backups and read replicas if the
#   storage or a snapshot leaks, and it can only be chosen when the database is created:
#   encrypting later means a snapshot, copy and restore with downtime. RDS instances, Aurora,
#   DocumentDB and Neptune clusters all default to unencrypted, so a database that leaves
#   storage_encrypted out is reported, also when the plan shows it as known after apply (an
#   Aurora cluster with a kms_key_id is encrypted; serverless v1 clusters always are). Read
#   replicas and databases restored or replicated from a source inherit its encryption and are
#   not reported, also when the source is known only after apply; a snapshot_identifier the
#   configuration does not set is no source, although the plan shows it unknown on every new
#   instance. storage_encrypted set from a value known only after apply is reported as
#   undetermined. Encryption in transit for RDS is a parameter group setting (rds.force_ssl,
#   require_secure_transport) and is not visible on the instance.
# custom:
#   id: db-storage-encrypted
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_16, CKV_AWS_96, CKV_AWS_74, CKV_AWS_44]
#   trivy: [AWS-0080, AWS-0079, AWS-0021, AWS-0076]
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

types := ["aws_db_instance", "aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"]

deny contains f if {
	some r in lib.candidates(types)
	object.get(r.after, "storage_encrypted", null) != true
	not _inherits(r)
	_unencrypted(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s does not encrypt its storage (storage_encrypted is %s)", [r.address, _shown(r)]), "storage_encrypted", object.get(r.after, "storage_encrypted", null))
}

deny contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.storage_encrypted
	object.get(r.after, "storage_encrypted", null) == null
	lib.computed(r, ["storage_encrypted"])
	not _inherits(r)
	not _serverless_v1(r)
	lib.judged(r)
	f := lib.undetermined(r, "storage_encrypted", "its storage is encrypted")
}

_unencrypted(r) if {
	lib.get(r, ["storage_encrypted"], false) == false
	not _cluster_key(r)
	not _serverless_v1(r)
}

# An Aurora cluster given a KMS key is encrypted with it (AWS refuses a key
# without encryption); one that leaves storage_encrypted unset is shown as
# known after apply.
_cluster_key(r) if {
	r.type == "aws_rds_cluster"
	object.get(r.after, "storage_encrypted", null) == null
	lib.set_and_known(r, ["kms_key_id"])
}

_cluster_key(r) if {
	r.type == "aws_rds_cluster"
	object.get(r.after, "storage_encrypted", null) == null
	_ := r.after_unknown.kms_key_id
	lib.computed(r, ["kms_key_id"])
}

_serverless_v1(r) if {
	r.type == "aws_rds_cluster"
	object.get(r.after, "engine_mode", null) == "serverless"
}

source_attributes := ["replicate_source_db", "replication_source_identifier", "snapshot_identifier", "global_cluster_identifier", "restore_to_point_in_time", "s3_import"]

_inherits(r) if {
	some attr in source_attributes
	v := object.get(r.after, attr, null)
	not v in {null, "", []}
}

_inherits(r) if {
	some attr in source_attributes
	_ := r.after_unknown[attr]
	lib.computed(r, [attr])
}

_shown(r) := "not set" if object.get(r.after, "storage_encrypted", null) == null

else := sprintf("%v", [r.after.storage_encrypted])
