# METADATA
# title: Stateful resource deleted or replaced
# description: |
#   Deleting or replacing a database, bucket, volume, queue or key destroys the data in it;
#   Terraform plans a replacement whenever a force-new attribute changes, and a renamed
#   resource or a refactored module looks like a delete plus a create. Such a plan is often a
#   surprise to its author. It needs a second pair of eyes and a confirmed backup before it
#   is applied. Moves declared with moved blocks are not deletes and are not reported.
#   The planned action is always known, also when the value that forces a replacement is not
#   (replace_paths may name an attribute known only after apply), so such changes are reported.
# custom:
#   id: stateful-delete-replace
#   severity: deny
#   category: stateful
#   checkov: []
#   trivy: []
#   security: false
#   remediation: If this is not intended, add a moved block or revert the force-new change; if it is, take and verify a backup, then ask for a sign-off.
#   scope: resource
#   resource_types: ["*"]
#   parameters:
#     stateful_types:
#       default: [aws_db_instance, aws_rds_cluster, aws_rds_global_cluster, aws_dynamodb_table, aws_dynamodb_global_table, aws_s3_bucket, aws_efs_file_system, aws_ebs_volume, aws_fsx_lustre_file_system, aws_fsx_windows_file_system, aws_fsx_ontap_file_system, aws_fsx_openzfs_file_system, aws_elasticache_replication_group, aws_elasticache_cluster, aws_elasticache_serverless_cache, aws_memorydb_cluster, aws_docdb_cluster, aws_neptune_cluster, aws_redshift_cluster, aws_opensearch_domain, aws_elasticsearch_domain, aws_kinesis_stream, aws_sqs_queue, aws_msk_cluster, aws_mq_broker, aws_kms_key, aws_secretsmanager_secret, aws_backup_vault, aws_ecr_repository, aws_cloudwatch_log_group, aws_timestreamwrite_table, aws_keyspaces_table, PersistentVolumeClaim, PersistentVolume]
#       description: Resource types (Terraform types or Kubernetes kinds) whose deletion loses data.
#   examples:
#     fail: |
#       # renaming the identifier forces a replacement: a new, empty database
#       resource "aws_db_instance" "main" {
#         identifier = "orders-v2" # was "orders": forces replacement
#       }
#     pass: |
#       resource "aws_db_instance" "main" {
#         identifier     = "orders"
#         instance_class = "db.r6g.xlarge" # in-place update
#       }
package paved.rules.stateful_delete_replace

import data.paved.lib

params := data.paved.params.stateful_delete_replace

deny contains f if {
	some t in params.stateful_types
	some r in object.get(input.by_type, t, [])
	r.action in {"delete", "replace"}
	object.get(r, "mode", "managed") != "data"
	f := lib.finding(r, sprintf("%s (%s) will be %s, and the data in it with it", [r.address, t, _verb[r.action]]), "", r.action)
}

_verb := {"delete": "deleted", "replace": "destroyed and re-created"}
