# A conftest-style policy folder equivalent to eleven of paved's built-in
# guard rails, written the way teams write conftest policies for Terraform
# plans: iterate input.resource_changes, one deny/warn rule per concern.
# It is the benchmark's "peer" input: conftest and paved (--no-builtin
# --policy bench/policy) evaluate the same folder on the same plans, and
# paved's built-in library is compared with it. Run with
#   conftest test --all-namespaces --data internal/policy/rego/data plan.json -p bench/policy
package main

changes contains rc if {
	some rc in input.resource_changes
	rc.mode == "managed"
	not "delete" in rc.change.actions
	rc.change.after != null
}

# 1. Database memory ceiling (db-memory-ceiling), with paved's instance catalog as data.
deny contains msg if {
	some rc in changes
	rc.type in {"aws_db_instance", "aws_rds_cluster_instance"}
	class := rc.change.after.instance_class
	mem := data.rds[class].memory_gib
	mem > 256
	msg := sprintf("%s uses %s with %v GiB of memory, above the 256 GiB ceiling", [rc.address, class, mem])
}

# 2. Database storage encrypted (db-storage-encrypted).
deny contains msg if {
	some rc in changes
	rc.type in {"aws_db_instance", "aws_rds_cluster"}
	not rc.change.after.storage_encrypted == true
	not rc.change.after_unknown.storage_encrypted
	msg := sprintf("%s does not encrypt its storage", [rc.address])
}

# 3. Publicly accessible database (db-publicly-accessible).
deny contains msg if {
	some rc in changes
	rc.type in {"aws_db_instance", "aws_rds_cluster_instance"}
	rc.change.after.publicly_accessible == true
	msg := sprintf("%s is publicly accessible from the internet", [rc.address])
}

# 4. Deletion protection (deletion-protection).
deny contains msg if {
	some rc in changes
	rc.type in {"aws_db_instance", "aws_rds_cluster"}
	not rc.change.after.deletion_protection == true
	msg := sprintf("%s can be deleted by any plan: deletion_protection is not true", [rc.address])
}

# 5. Backup retention of at least 7 days (backup-retention).
deny contains msg if {
	some rc in changes
	rc.type in {"aws_db_instance", "aws_rds_cluster"}
	days := object.get(rc.change.after, "backup_retention_period", 0)
	is_number(days)
	days < 7
	msg := sprintf("%s keeps automated backups for %v day(s), fewer than 7", [rc.address, days])
}

# 6. EBS volumes encrypted (ebs-encrypted).
deny contains msg if {
	some rc in changes
	rc.type == "aws_ebs_volume"
	not rc.change.after.encrypted == true
	not rc.change.after_unknown.encrypted
	msg := sprintf("%s is not encrypted", [rc.address])
}

# 7. Public S3 ACLs (s3-public-acl).
deny contains msg if {
	some rc in changes
	rc.type in {"aws_s3_bucket_acl", "aws_s3_bucket"}
	rc.change.after.acl in {"public-read", "public-read-write", "authenticated-read"}
	msg := sprintf("%s grants a public ACL (%s)", [rc.address, rc.change.after.acl])
}

# 8. Security groups open to the world except on 80/443 (sg-open-ingress).
deny contains msg if {
	some rc in changes
	rc.type == "aws_security_group"
	some rule in rc.change.after.ingress
	some cidr in array.concat(object.get(rule, "cidr_blocks", []), object.get(rule, "ipv6_cidr_blocks", []))
	cidr in {"0.0.0.0/0", "::/0"}
	not rule.from_port in {80, 443}
	msg := sprintf("%s allows ingress from %s on port %v", [rc.address, cidr, rule.from_port])
}

# 9. SQS queues encrypted (sqs-queue-encrypted).
deny contains msg if {
	some rc in changes
	rc.type == "aws_sqs_queue"
	rc.change.after.sqs_managed_sse_enabled == false
	not rc.change.after.kms_master_key_id
	msg := sprintf("%s stores messages unencrypted", [rc.address])
}

# 10. Cost-allocation tags (required-tags), counting tags_all.
deny contains msg if {
	some rc in changes
	tags := object.get(rc.change.after, "tags_all", object.get(rc.change.after, "tags", null))
	is_object(tags)
	missing := {k | some k in {"team", "service"}; not tags[k]}
	count(missing) > 0
	msg := sprintf("%s is missing the cost-allocation tag(s) %v", [rc.address, concat(", ", sort(missing))])
}

# 11. Databases without Performance Insights (db-performance-insights), advice.
warn contains msg if {
	some rc in changes
	rc.type in {"aws_db_instance", "aws_rds_cluster_instance"}
	not rc.change.after.performance_insights_enabled == true
	msg := sprintf("%s has no Performance Insights", [rc.address])
}
