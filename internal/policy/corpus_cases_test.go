package policy

import paved "github.com/paved-dev/paved"

// The corpus: for every built-in rule a failing, a passing and an "unknown"
// case (see corpusCase). A rule without its three cases fails
// TestCorpusCoversEveryRule: a new rule adds them here, then
// go test ./internal/policy -run Corpus -update writes the files.
//
// Terraform cases use the providers' current shapes: tags_all and every
// Optional+Computed attribute left out unknown on create, blocks left out
// shown unknown, values from module inputs and root variables, resources
// being imported and replaced; versions vary from Terraform 1.5 to 1.13.

var (
	tier1        = paved.ServiceContext{Name: "ledger", Team: "payments", Tier: 1, Phase: paved.PhaseProduction}
	tier3        = paved.ServiceContext{Name: "ledger", Team: "payments", Tier: 3, Phase: paved.PhaseProduction}
	confidential = paved.ServiceContext{Name: "ledger", Team: "payments", Tier: 2, Phase: paved.PhaseProduction, DataClass: "confidential"}
)

func plan(rs ...tfRes) *tfPlan { return &tfPlan{Resources: rs} }

func planWith(tf string, providers []tfProvider, rs ...tfRes) *tfPlan {
	return &tfPlan{Terraform: tf, Providers: providers, Resources: rs}
}

func r(addr string, attrs map[string]any) tfRes { return tfRes{Addr: addr, Attrs: attrs} }

func refTo(refs ...string) ref { return ref{Refs: refs} }

// The objects the unknown cases refer to: created in the same plan, so their
// attributes are known only after apply.
var (
	newKey    = r("aws_kms_key.main", map[string]any{"description": "ledger data", "enable_key_rotation": true})
	newKeyArn = refTo("aws_kms_key.main.arn")
	newVPC    = r("aws_vpc.main", map[string]any{"cidr_block": "10.20.0.0/16"})
	newSecret = r("random_password.db", map[string]any{"length": 32, "special": false})
	orderable = tfRes{Addr: "data.aws_rds_orderable_db_instance.db", Attrs: map[string]any{"engine": "postgres", "engine_version": refTo("module.settings.engine_version"), "preferred_instance_classes": []any{"db.r7g.xlarge", "db.r6g.xlarge"}}}
)

func rds(attrs map[string]any) map[string]any {
	base := map[string]any{"engine": "postgres", "engine_version": "16.4", "instance_class": "db.r6g.large", "allocated_storage": 100, "username": "ledger",
		"manage_master_user_password": true, "storage_encrypted": true, "backup_retention_period": 7, "deletion_protection": true, "multi_az": true,
		"monitoring_interval": 60, "performance_insights_enabled": true, "storage_type": "gp3"}
	for k, v := range attrs {
		if v == nil {
			delete(base, k)
			continue
		}
		base[k] = v
	}
	return base
}

func lambdaFn(runtime any) map[string]any {
	return map[string]any{"function_name": "resize", "role": refTo("aws_iam_role.resize.arn"), "handler": "app.handler", "filename": "resize.zip",
		"source_code_hash": refTo("data.archive_file.resize.output_base64sha256"), "runtime": runtime}
}

const podSpec = `      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: app
          image: %s
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          livenessProbe: {httpGet: {path: /healthz, port: 8080}}
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
`

// k8sDeployment is a compliant Deployment with the given pod spec lines.
func k8sDeployment(name, spec string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n  namespace: ledger\n  labels: {app: " + name + "}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: " + name + "}\n  template:\n    metadata:\n      labels: {app: " + name + "}\n    spec:\n" + spec
}

func good(image string) string { return sprintf(podSpec, image) }

var corpusCases = []corpusCase{
	// --- sizing ---
	{Rule: "db-memory-ceiling", Case: "fail", Expect: "fail", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"instance_class": "db.x2iedn.32xlarge", "allocated_storage": 4096})))},
	{Rule: "db-memory-ceiling", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "db-memory-ceiling", Case: "unknown", Expect: "pass", ReportedBy: "unknown-instance-type",
		Why:  "a class known only after apply has no size yet; unknown-instance-type reports it once for every sizing rule",
		Plan: plan(orderable, r("aws_db_instance.main", rds(map[string]any{"instance_class": refTo("data.aws_rds_orderable_db_instance.db.instance_class")})))},

	{Rule: "db-storage-ceiling", Case: "fail", Expect: "fail", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"allocated_storage": 500, "max_allocated_storage": 10000})))},
	{Rule: "db-storage-ceiling", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"max_allocated_storage": 1000})))},
	{Rule: "db-storage-ceiling", Case: "unknown", Expect: "undetermined", Plan: plan(orderable, r("aws_db_instance.main", rds(map[string]any{"allocated_storage": refTo("data.aws_rds_orderable_db_instance.db.min_storage_size")})))},

	{Rule: "instance-family-allowed", Case: "fail", Expect: "fail", Plan: plan(r("aws_instance.gpu", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "p4d.24xlarge"}))},
	{Rule: "instance-family-allowed", Case: "pass", Expect: "pass", Plan: plan(r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "m7i.large"}))},
	{Rule: "instance-family-allowed", Case: "unknown", Expect: "pass", ReportedBy: "unknown-instance-type",
		Why:  "a type known only after apply has no family yet; unknown-instance-type reports it",
		Plan: plan(newVPC, r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": refTo("aws_ssm_parameter.instance_type.value")}))},

	{Rule: "instance-size-limit", Case: "fail", Expect: "fail", Plan: plan(r("aws_launch_template.batch", map[string]any{"name": "batch", "image_id": "ami-0c1c30571d2dae5c9", "instance_type": "m7i.48xlarge"}))},
	{Rule: "instance-size-limit", Case: "pass", Expect: "pass", Plan: plan(r("aws_launch_template.batch", map[string]any{"name": "batch", "image_id": "ami-0c1c30571d2dae5c9", "instance_type": "m7i.2xlarge"}))},
	{Rule: "instance-size-limit", Case: "unknown", Expect: "pass", ReportedBy: "unknown-instance-type",
		Why:  "a type known only after apply has no size yet; unknown-instance-type reports it",
		Plan: plan(r("aws_launch_template.batch", map[string]any{"name": "batch", "image_id": "ami-0c1c30571d2dae5c9", "instance_type": refTo("aws_ssm_parameter.batch_type.value")}))},

	{Rule: "unknown-instance-type", Case: "fail", Expect: "fail", Plan: plan(r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "m7z.large"}))},
	{Rule: "unknown-instance-type", Case: "pass", Expect: "pass", Plan: plan(r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro"}))},
	{Rule: "unknown-instance-type", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": refTo("aws_ssm_parameter.instance_type.value")}))},

	{Rule: "volume-size-ceiling", Case: "fail", Expect: "fail", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 16000, "type": "gp3", "encrypted": true}))},
	{Rule: "volume-size-ceiling", Case: "pass", Expect: "pass", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 200, "type": "gp3", "encrypted": true}))},
	{Rule: "volume-size-ceiling", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": refTo("aws_ebs_snapshot.seed.volume_size"), "type": "gp3", "encrypted": true}))},

	// --- encryption ---
	{Rule: "cloudtrail-protected", Case: "fail", Expect: "fail", Plan: planWith("1.5.7", nil, r("aws_cloudtrail.main", map[string]any{"name": "main", "s3_bucket_name": "acme-trail"}))},
	{Rule: "cloudtrail-protected", Case: "pass", Expect: "pass", Plan: planWith("1.5.7", nil, newKey, r("aws_cloudtrail.main", map[string]any{"name": "main", "s3_bucket_name": "acme-trail", "enable_log_file_validation": true, "kms_key_id": newKeyArn}))},
	{Rule: "cloudtrail-protected", Case: "unknown", Expect: "undetermined", Plan: planWith("1.5.7", nil, newKey, r("aws_cloudtrail.main", map[string]any{"name": "main", "s3_bucket_name": "acme-trail", "kms_key_id": newKeyArn,
		"enable_log_file_validation": refTo("aws_ssm_parameter.validate.insecure_value")}))},

	// Issue 14: storage_encrypted = false passed because the plan shows
	// snapshot_identifier unknown on every new instance. Here it comes
	// through a module input.
	{Rule: "db-storage-encrypted", Case: "fail", Expect: "fail", Plan: plan(r("module.db.aws_db_instance.this", rds(map[string]any{"storage_encrypted": modVar{Name: "storage_encrypted", Pass: false, Default: true}})))},
	{Rule: "db-storage-encrypted", Case: "pass", Expect: "pass", Plan: plan(r("module.db.aws_db_instance.this", rds(map[string]any{"storage_encrypted": modVar{Name: "storage_encrypted", Default: true}})))},
	{Rule: "db-storage-encrypted", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"storage_encrypted": refTo("module.settings.encrypt_databases")})))},

	{Rule: "dynamodb-kms", Case: "fail", Expect: "fail", Service: confidential, Plan: plan(r("aws_dynamodb_table.customers", map[string]any{"name": "customers", "hash_key": "customer_id", "billing_mode": "PAY_PER_REQUEST", "point_in_time_recovery": blocks{{"enabled": true}}}))},
	{Rule: "dynamodb-kms", Case: "pass", Expect: "pass", Service: confidential, Plan: plan(newKey, r("aws_dynamodb_table.customers", map[string]any{"name": "customers", "hash_key": "customer_id", "billing_mode": "PAY_PER_REQUEST",
		"point_in_time_recovery": blocks{{"enabled": true}}, "server_side_encryption": blocks{{"enabled": true, "kms_key_arn": newKeyArn}}}))},
	{Rule: "dynamodb-kms", Case: "unknown", Expect: "undetermined", Service: confidential, Plan: plan(r("aws_dynamodb_table.customers", map[string]any{"name": "customers", "hash_key": "customer_id", "billing_mode": "PAY_PER_REQUEST",
		"point_in_time_recovery": blocks{{"enabled": true}}, "server_side_encryption": blocks{{"enabled": refTo("module.settings.kms_for_tables")}}}))},

	// Issues 14 and 23: a volume that never sets encrypted, an instance
	// without a root_block_device block.
	{Rule: "ebs-encrypted", Case: "fail", Expect: "fail", Plan: plan(
		r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 100, "type": "gp3"}),
		r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro"}))},
	{Rule: "ebs-encrypted", Case: "pass", Expect: "pass", Plan: plan(
		r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 100, "type": "gp3", "encrypted": true}),
		r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro", "root_block_device": blocks{{"encrypted": true, "volume_type": "gp3"}}}),
		r("aws_ebs_encryption_by_default.this", map[string]any{"enabled": true}),
		r("aws_instance.worker", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro"}))},
	{Rule: "ebs-encrypted", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 100, "type": "gp3", "encrypted": refTo("data.aws_ebs_default_kms_key.current.id")}))},

	{Rule: "efs-encrypted", Case: "fail", Expect: "fail", Plan: plan(r("aws_efs_file_system.shared", map[string]any{"creation_token": "shared"}))},
	{Rule: "efs-encrypted", Case: "pass", Expect: "pass", Plan: plan(r("aws_efs_file_system.shared", map[string]any{"creation_token": "shared", "encrypted": true}))},
	{Rule: "efs-encrypted", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_efs_file_system.shared", map[string]any{"creation_token": "shared", "encrypted": refTo("module.settings.encrypt_file_systems")}))},

	{Rule: "elasticache-encrypted-at-rest", Case: "fail", Expect: "fail", Plan: plan(r("aws_elasticache_replication_group.sessions", map[string]any{"replication_group_id": "sessions", "description": "sessions", "node_type": "cache.r7g.large", "transit_encryption_enabled": true}))},
	{Rule: "elasticache-encrypted-at-rest", Case: "pass", Expect: "pass", Plan: plan(r("aws_elasticache_replication_group.sessions", map[string]any{"replication_group_id": "sessions", "description": "sessions", "node_type": "cache.r7g.large", "transit_encryption_enabled": true, "at_rest_encryption_enabled": true}))},
	{Rule: "elasticache-encrypted-at-rest", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_elasticache_replication_group.sessions", map[string]any{"replication_group_id": "sessions", "description": "sessions", "node_type": "cache.r7g.large", "transit_encryption_enabled": true,
		"at_rest_encryption_enabled": refTo("module.settings.encrypt_caches")}))},

	{Rule: "elasticache-encrypted-in-transit", Case: "fail", Expect: "fail", Plan: plan(r("aws_elasticache_replication_group.sessions", map[string]any{"replication_group_id": "sessions", "description": "sessions", "node_type": "cache.r7g.large", "at_rest_encryption_enabled": true}))},
	{Rule: "elasticache-encrypted-in-transit", Case: "pass", Expect: "pass", Plan: plan(r("aws_elasticache_replication_group.sessions", map[string]any{"replication_group_id": "sessions", "description": "sessions", "node_type": "cache.r7g.large", "at_rest_encryption_enabled": true, "transit_encryption_enabled": true}))},
	{Rule: "elasticache-encrypted-in-transit", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_elasticache_replication_group.sessions", map[string]any{"replication_group_id": "sessions", "description": "sessions", "node_type": "cache.r7g.large", "at_rest_encryption_enabled": true,
		"transit_encryption_enabled": refTo("module.settings.tls_caches")}))},

	{Rule: "kms-key-rotation", Case: "fail", Expect: "fail", Plan: plan(r("aws_kms_key.data", map[string]any{"description": "data"}))},
	{Rule: "kms-key-rotation", Case: "pass", Expect: "pass", Plan: plan(r("aws_kms_key.data", map[string]any{"description": "data", "enable_key_rotation": true}))},
	{Rule: "kms-key-rotation", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_kms_key.data", map[string]any{"description": "data", "enable_key_rotation": refTo("module.settings.rotate_keys")}))},

	{Rule: "lb-listener-https", Case: "fail", Expect: "fail", Plan: plan(r("aws_lb_listener.web", map[string]any{"load_balancer_arn": refTo("aws_lb.web.arn"), "port": 80,
		"default_action": blocks{{"type": "forward", "target_group_arn": refTo("aws_lb_target_group.web.arn")}}}))},
	{Rule: "lb-listener-https", Case: "pass", Expect: "pass", Plan: plan(r("aws_lb_listener.web", map[string]any{"load_balancer_arn": refTo("aws_lb.web.arn"), "port": 80, "protocol": "HTTP",
		"default_action": blocks{{"type": "redirect", "redirect": blocks{{"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}}}}}))},
	{Rule: "lb-listener-https", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_lb_listener.web", map[string]any{"load_balancer_arn": refTo("aws_lb.web.arn"), "port": 80, "protocol": refTo("module.edge.listener_protocol"),
		"default_action": blocks{{"type": "forward", "target_group_arn": refTo("aws_lb_target_group.web.arn")}}}))},

	{Rule: "s3-bucket-kms", Case: "fail", Expect: "fail", Service: confidential, Plan: plan(r("aws_s3_bucket.exports", map[string]any{"bucket": "acme-exports"}))},
	{Rule: "s3-bucket-kms", Case: "pass", Expect: "pass", Service: confidential, Plan: plan(newKey, r("aws_s3_bucket.exports", map[string]any{"bucket": "acme-exports"}),
		r("aws_s3_bucket_server_side_encryption_configuration.exports", map[string]any{"bucket": refTo("aws_s3_bucket.exports.id"),
			"rule": blocks{{"bucket_key_enabled": true, "apply_server_side_encryption_by_default": blocks{{"sse_algorithm": "aws:kms", "kms_master_key_id": newKeyArn}}}}}))},
	{Rule: "s3-bucket-kms", Case: "unknown", Expect: "undetermined", Service: confidential, Plan: plan(r("aws_s3_bucket.exports", map[string]any{"bucket": "acme-exports"}),
		r("aws_s3_bucket_server_side_encryption_configuration.exports", map[string]any{"bucket": refTo("aws_s3_bucket.exports.id"),
			"rule": blocks{{"apply_server_side_encryption_by_default": blocks{{"sse_algorithm": refTo("module.settings.sse_algorithm")}}}}}))},

	// Issue 14: a domain without encryption blocks, shown unknown.
	{Rule: "search-domain-encryption", Case: "fail", Expect: "fail", Plan: plan(r("aws_elasticsearch_domain.search", map[string]any{"domain_name": "search", "elasticsearch_version": "7.10"}))},
	{Rule: "search-domain-encryption", Case: "pass", Expect: "pass", Plan: plan(r("aws_opensearch_domain.search", map[string]any{"domain_name": "search", "engine_version": "OpenSearch_2.15",
		"encrypt_at_rest": blocks{{"enabled": true}}, "node_to_node_encryption": blocks{{"enabled": true}},
		"domain_endpoint_options": blocks{{"enforce_https": true, "tls_security_policy": "Policy-Min-TLS-1-2-PFS-2023-10"}}}))},
	{Rule: "search-domain-encryption", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_opensearch_domain.search", map[string]any{"domain_name": "search", "engine_version": "OpenSearch_2.15",
		"encrypt_at_rest": blocks{{"enabled": refTo("module.settings.encrypt_search")}}, "node_to_node_encryption": blocks{{"enabled": true}}}))},

	{Rule: "sns-topic-encrypted", Case: "fail", Expect: "fail", Plan: plan(r("aws_sns_topic.events", map[string]any{"name": "events"}))},
	{Rule: "sns-topic-encrypted", Case: "pass", Expect: "pass", Plan: plan(r("aws_sns_topic.events", map[string]any{"name": "events", "kms_master_key_id": "alias/aws/sns"}))},
	{Rule: "sns-topic-encrypted", Case: "unknown", Expect: "pass", Why: "any KMS key encrypts the topic, also one created in the same plan", Plan: plan(newKey, r("aws_sns_topic.events", map[string]any{"name": "events", "kms_master_key_id": newKeyArn}))},

	{Rule: "sqs-queue-encrypted", Case: "fail", Expect: "fail", Plan: plan(r("aws_sqs_queue.orders", map[string]any{"name": "orders", "sqs_managed_sse_enabled": false}))},
	{Rule: "sqs-queue-encrypted", Case: "pass", Expect: "pass", Plan: plan(r("aws_sqs_queue.orders", map[string]any{"name": "orders"}))},
	{Rule: "sqs-queue-encrypted", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_sqs_queue.orders", map[string]any{"name": "orders", "sqs_managed_sse_enabled": refTo("module.settings.sse_queues")}))},

	// --- exposure ---
	{Rule: "db-plaintext-password", Case: "fail", Expect: "fail", Plan: plan(r("module.db.aws_db_instance.this", rds(map[string]any{"manage_master_user_password": nil, "password": modVar{Name: "password", Pass: "Ledger-Passw0rd-2025"}})))},
	{Rule: "db-plaintext-password", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "db-plaintext-password", Case: "unknown", Expect: "pass", Why: "a generated password is not written in the configuration, although its value is known only after apply",
		Plan: plan(newSecret, r("aws_db_instance.main", rds(map[string]any{"manage_master_user_password": nil, "password": refTo("random_password.db.result")})))},

	{Rule: "db-publicly-accessible", Case: "fail", Expect: "fail", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_mssql_server.main", map[string]any{"name": "ledger-sql", "location": "westeurope", "resource_group_name": "ledger", "version": "12.0", "administrator_login": "ledger", "administrator_login_password_wo": refTo("ephemeral.random_password.sql.result"), "administrator_login_password_wo_version": 1}))},
	{Rule: "db-publicly-accessible", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "db-publicly-accessible", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"publicly_accessible": refTo("module.network.public_databases")})))},

	{Rule: "eks-public-endpoint", Case: "fail", Expect: "fail", Plan: plan(r("aws_eks_cluster.main", map[string]any{"name": "main", "role_arn": refTo("aws_iam_role.eks.arn"), "vpc_config": blocks{{"subnet_ids": refTo("module.vpc.private_subnets")}}}))},
	{Rule: "eks-public-endpoint", Case: "pass", Expect: "pass", Plan: plan(r("aws_eks_cluster.main", map[string]any{"name": "main", "role_arn": refTo("aws_iam_role.eks.arn"),
		"vpc_config": blocks{{"subnet_ids": refTo("module.vpc.private_subnets"), "endpoint_private_access": true, "endpoint_public_access": true, "public_access_cidrs": []any{"203.0.113.0/24"}}}}))},
	{Rule: "eks-public-endpoint", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_eks_cluster.main", map[string]any{"name": "main", "role_arn": refTo("aws_iam_role.eks.arn"),
		"vpc_config": blocks{{"subnet_ids": refTo("module.vpc.private_subnets"), "endpoint_private_access": true, "public_access_cidrs": refTo("module.vpn.egress_cidrs")}}}))},

	{Rule: "firewall-open-ingress", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_compute_firewall.ssh", map[string]any{"name": "ssh", "network": "default", "source_ranges": []any{"0.0.0.0/0"}, "allow": blocks{{"protocol": "tcp", "ports": []any{"22"}}}}))},
	{Rule: "firewall-open-ingress", Case: "pass", Expect: "pass", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_compute_firewall.https", map[string]any{"name": "https", "network": "default", "source_ranges": []any{"0.0.0.0/0"}, "allow": blocks{{"protocol": "tcp", "ports": []any{"443"}}}}))},
	{Rule: "firewall-open-ingress", Case: "unknown", Expect: "undetermined", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_compute_firewall.ssh", map[string]any{"name": "ssh", "network": "default", "source_ranges": refTo("module.office.cidrs"), "allow": blocks{{"protocol": "tcp", "ports": []any{"22"}}}}))},

	{Rule: "iam-admin-policy", Case: "fail", Expect: "fail", Plan: plan(r("aws_iam_policy.admin", map[string]any{"name": "deployer", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}))},
	{Rule: "iam-admin-policy", Case: "pass", Expect: "pass", Plan: plan(r("aws_iam_policy.read", map[string]any{"name": "reader", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::acme-exports/*"}]}`}))},
	{Rule: "iam-admin-policy", Case: "unknown", Expect: "undetermined", Plan: plan(
		tfRes{Addr: "data.aws_iam_policy_document.deployer", Attrs: map[string]any{"statement": blocks{{"actions": []any{"s3:*"}, "resources": refTo("aws_s3_bucket.artifacts.arn")}}}},
		r("aws_iam_policy.deployer", map[string]any{"name": "deployer", "policy": refTo("data.aws_iam_policy_document.deployer.json")}))},

	{Rule: "s3-public-access-block", Case: "fail", Expect: "fail", Plan: plan(r("aws_s3_bucket.site", map[string]any{"bucket": "acme-site"}))},
	{Rule: "s3-public-access-block", Case: "pass", Expect: "pass", Plan: plan(r("aws_s3_bucket.site", map[string]any{"bucket": "acme-site"}),
		r("aws_s3_bucket_public_access_block.site", map[string]any{"bucket": refTo("aws_s3_bucket.site.id"), "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true}))},
	{Rule: "s3-public-access-block", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_s3_bucket.site", map[string]any{"bucket": "acme-site"}),
		r("aws_s3_bucket_public_access_block.site", map[string]any{"bucket": refTo("aws_s3_bucket.site.id"), "block_public_acls": true, "block_public_policy": refTo("module.settings.block_policies"), "ignore_public_acls": true, "restrict_public_buckets": true}))},

	{Rule: "s3-public-acl", Case: "fail", Expect: "fail", Plan: plan(r("aws_s3_bucket_acl.site", map[string]any{"bucket": refTo("aws_s3_bucket.site.id"), "acl": "public-read"}))},
	{Rule: "s3-public-acl", Case: "pass", Expect: "pass", Plan: plan(r("aws_s3_bucket_acl.site", map[string]any{"bucket": refTo("aws_s3_bucket.site.id"), "acl": "private"}))},
	{Rule: "s3-public-acl", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_s3_bucket_acl.site", map[string]any{"bucket": refTo("aws_s3_bucket.site.id"), "acl": refTo("module.settings.site_acl")}))},

	{Rule: "s3-public-policy", Case: "fail", Expect: "fail", Plan: plan(r("aws_s3_bucket_policy.site", map[string]any{"bucket": "acme-site",
		"policy": `{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-site/*"}]}`}))},
	{Rule: "s3-public-policy", Case: "pass", Expect: "pass", Plan: plan(r("aws_s3_bucket_policy.site", map[string]any{"bucket": "acme-site",
		"policy": `{"Version":"2012-10-17","Statement":[{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-site/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`}))},
	{Rule: "s3-public-policy", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_s3_bucket.site", map[string]any{"bucket": "acme-site"}),
		tfRes{Addr: "data.aws_iam_policy_document.site", Attrs: map[string]any{"statement": blocks{{"actions": []any{"s3:GetObject"}, "resources": refTo("aws_s3_bucket.site.arn")}}}},
		r("aws_s3_bucket_policy.site", map[string]any{"bucket": refTo("aws_s3_bucket.site.id"), "policy": refTo("data.aws_iam_policy_document.site.json")}))},

	{Rule: "security-group-open-ingress", Case: "fail", Expect: "fail", Plan: plan(newVPC, r("aws_security_group.bastion", map[string]any{"name": "bastion", "vpc_id": refTo("aws_vpc.main.id"),
		"ingress": blocks{{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}, "description": "ssh", "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false}}}))},
	{Rule: "security-group-open-ingress", Case: "pass", Expect: "pass", Plan: plan(newVPC, r("aws_security_group.web", map[string]any{"name": "web", "vpc_id": refTo("aws_vpc.main.id"),
		"ingress": blocks{{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": []any{"0.0.0.0/0"}, "description": "https", "ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false}}}))},
	{Rule: "security-group-open-ingress", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_vpc_security_group_ingress_rule.db", map[string]any{"security_group_id": refTo("aws_security_group.db.id"),
		"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_ipv4": refTo("module.network.client_cidr")}))},

	// Issue 23: IMDSv1 left allowed; most instances never set metadata_options.
	{Rule: "ec2-imdsv2", Case: "fail", Expect: "fail", Plan: plan(r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro"}))},
	{Rule: "ec2-imdsv2", Case: "pass", Expect: "pass", Plan: planWith("1.9.8", []tfProvider{awsV6}, r("aws_launch_template.web", map[string]any{"name": "web", "image_id": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro",
		"metadata_options": blocks{{"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 2}}}))},
	{Rule: "ec2-imdsv2", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_instance.web", map[string]any{"ami": "ami-0c1c30571d2dae5c9", "instance_type": "t3.micro",
		"metadata_options": blocks{{"http_tokens": refTo("module.settings.http_tokens")}}}))},

	{Rule: "iam-privilege-escalation", Case: "fail", Expect: "fail", Plan: plan(r("aws_iam_policy.deployer", map[string]any{"name": "deployer", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:UpdateFunctionCode","iam:PassRole"],"Resource":"*"}]}`}))},
	{Rule: "iam-privilege-escalation", Case: "pass", Expect: "pass", Plan: plan(r("aws_iam_policy.deployer", map[string]any{"name": "deployer", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:UpdateFunctionCode"],"Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/resize-lambda","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}}]}`}))},
	{Rule: "iam-privilege-escalation", Case: "unknown", Expect: "pass", ReportedBy: "iam-admin-policy", Why: "a policy known only after apply is reported once, by iam-admin-policy",
		Plan: plan(tfRes{Addr: "data.aws_iam_policy_document.deployer", Attrs: map[string]any{"statement": blocks{{"actions": []any{"iam:PassRole"}, "resources": refTo("aws_iam_role.resize.arn")}}}},
			r("aws_iam_role_policy.deployer", map[string]any{"role": "deployer", "policy": refTo("data.aws_iam_policy_document.deployer.json")}))},

	{Rule: "iam-data-exfiltration", Case: "fail", Expect: "fail", Plan: plan(r("aws_iam_role_policy.app", map[string]any{"role": "ledger-app", "name": "read", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","secretsmanager:GetSecretValue"],"Resource":"*"}]}`}))},
	{Rule: "iam-data-exfiltration", Case: "pass", Expect: "pass", Plan: plan(r("aws_iam_role_policy.app", map[string]any{"role": "ledger-app", "name": "read", "policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::acme-exports/*"},{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:ledger/*"}]}`}))},
	{Rule: "iam-data-exfiltration", Case: "unknown", Expect: "pass", ReportedBy: "iam-admin-policy", Why: "a policy known only after apply is reported once, by iam-admin-policy",
		Plan: plan(r("aws_iam_role_policy.app", map[string]any{"role": "ledger-app", "name": "read", "policy": refTo("module.policies.read_json")}))},

	{Rule: "lambda-public-url", Case: "fail", Expect: "fail", Plan: plan(r("aws_lambda_function_url.hook", map[string]any{"function_name": refTo("aws_lambda_function.hook.function_name"), "authorization_type": "NONE"}))},
	{Rule: "lambda-public-url", Case: "pass", Expect: "pass", Plan: plan(r("aws_lambda_function_url.hook", map[string]any{"function_name": refTo("aws_lambda_function.hook.function_name"), "authorization_type": "AWS_IAM"}))},
	{Rule: "lambda-public-url", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_lambda_function_url.hook", map[string]any{"function_name": refTo("aws_lambda_function.hook.function_name"), "authorization_type": refTo("module.settings.url_auth")}))},

	{Rule: "lb-tls-policy", Case: "fail", Expect: "fail", Plan: plan(r("aws_lb_listener.https", map[string]any{"load_balancer_arn": refTo("aws_lb.web.arn"), "port": 443, "protocol": "HTTPS", "certificate_arn": refTo("aws_acm_certificate.web.arn"),
		"default_action": blocks{{"type": "forward", "target_group_arn": refTo("aws_lb_target_group.web.arn")}}}))},
	{Rule: "lb-tls-policy", Case: "pass", Expect: "pass", Plan: plan(r("aws_lb_listener.https", map[string]any{"load_balancer_arn": refTo("aws_lb.web.arn"), "port": 443, "protocol": "HTTPS", "certificate_arn": refTo("aws_acm_certificate.web.arn"), "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
		"default_action": blocks{{"type": "forward", "target_group_arn": refTo("aws_lb_target_group.web.arn")}}}))},
	{Rule: "lb-tls-policy", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_lb_listener.https", map[string]any{"load_balancer_arn": refTo("aws_lb.web.arn"), "port": 443, "protocol": "HTTPS", "certificate_arn": refTo("aws_acm_certificate.web.arn"), "ssl_policy": refTo("module.edge.tls_policy"),
		"default_action": blocks{{"type": "forward", "target_group_arn": refTo("aws_lb_target_group.web.arn")}}}))},

	// --- technology (issue 23) ---
	{Rule: "lambda-runtime-deprecated", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{awsV6}, r("aws_lambda_function.resize", lambdaFn("python3.8")))},
	{Rule: "lambda-runtime-deprecated", Case: "pass", Expect: "pass", Plan: planWith("1.9.8", []tfProvider{awsV6}, r("aws_lambda_function.resize", lambdaFn("python3.12")))},
	{Rule: "lambda-runtime-deprecated", Case: "unknown", Expect: "undetermined", Plan: planWith("1.9.8", []tfProvider{awsV6}, r("aws_lambda_function.resize", lambdaFn(refTo("module.settings.lambda_runtime"))))},

	// Issue 23: Google Cloud and Azure.
	{Rule: "cloudsql-ssl", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_sql_database_instance.ledger", map[string]any{"name": "ledger", "database_version": "POSTGRES_16", "region": "europe-west1", "settings": blocks{{"tier": "db-custom-2-7680", "availability_type": "REGIONAL"}}}))},
	{Rule: "cloudsql-ssl", Case: "pass", Expect: "pass", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_sql_database_instance.ledger", map[string]any{"name": "ledger", "database_version": "POSTGRES_16", "region": "europe-west1", "settings": blocks{{"tier": "db-custom-2-7680", "availability_type": "REGIONAL", "ip_configuration": blocks{{"ipv4_enabled": false, "private_network": refTo("google_compute_network.main.id"), "ssl_mode": "ENCRYPTED_ONLY"}}}}}))},
	{Rule: "cloudsql-ssl", Case: "unknown", Expect: "undetermined", Plan: planWith("1.9.8", []tfProvider{googleV5}, r("google_sql_database_instance.ledger", map[string]any{"name": "ledger", "database_version": "POSTGRES_16", "region": "europe-west1", "settings": blocks{{"tier": "db-custom-2-7680", "availability_type": "REGIONAL", "ip_configuration": blocks{{"ssl_mode": refTo("module.settings.sql_ssl_mode")}}}}}))},

	{Rule: "azure-min-tls", Case: "fail", Expect: "fail", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_storage_account.exports", map[string]any{"name": "acmeexports", "resource_group_name": "ledger", "location": "westeurope", "account_tier": "Standard", "account_replication_type": "ZRS", "min_tls_version": "TLS1_0", "allow_nested_items_to_be_public": false}))},
	{Rule: "azure-min-tls", Case: "pass", Expect: "pass", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_storage_account.exports", map[string]any{"name": "acmeexports", "resource_group_name": "ledger", "location": "westeurope", "account_tier": "Standard", "account_replication_type": "ZRS", "allow_nested_items_to_be_public": false}))},
	{Rule: "azure-min-tls", Case: "unknown", Expect: "undetermined", Plan: planWith("1.13.1", []tfProvider{azureV3}, r("azurerm_storage_account.exports", map[string]any{"name": "acmeexports", "resource_group_name": "ledger", "location": "westeurope", "account_tier": "Standard", "account_replication_type": "ZRS", "min_tls_version": refTo("module.settings.min_tls"), "allow_nested_items_to_be_public": false}))},

	{Rule: "azure-storage-public-blobs", Case: "fail", Expect: "fail", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_storage_account.exports", map[string]any{"name": "acmeexports", "resource_group_name": "ledger", "location": "westeurope", "account_tier": "Standard", "account_replication_type": "ZRS"}))},
	{Rule: "azure-storage-public-blobs", Case: "pass", Expect: "pass", Plan: planWith("1.13.1", []tfProvider{azureV3}, r("azurerm_storage_account.exports", map[string]any{"name": "acmeexports", "resource_group_name": "ledger", "location": "westeurope", "account_tier": "Standard", "account_replication_type": "ZRS", "allow_nested_items_to_be_public": false}))},
	{Rule: "azure-storage-public-blobs", Case: "unknown", Expect: "undetermined", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_storage_account.exports", map[string]any{"name": "acmeexports", "resource_group_name": "ledger", "location": "westeurope", "account_tier": "Standard", "account_replication_type": "ZRS", "allow_nested_items_to_be_public": refTo("module.settings.public_blobs")}))},

	{Rule: "gke-legacy-access", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_container_cluster.main", map[string]any{"name": "main", "location": "europe-west1", "remove_default_node_pool": true, "initial_node_count": 1, "enable_legacy_abac": true}))},
	{Rule: "gke-legacy-access", Case: "pass", Expect: "pass", Plan: planWith("1.9.8", []tfProvider{googleV6}, r("google_container_cluster.main", map[string]any{"name": "main", "location": "europe-west1", "remove_default_node_pool": true, "initial_node_count": 1}))},
	{Rule: "gke-legacy-access", Case: "unknown", Expect: "undetermined", Plan: planWith("1.9.8", []tfProvider{googleV5}, r("google_container_cluster.main", map[string]any{"name": "main", "location": "europe-west1", "remove_default_node_pool": true, "initial_node_count": 1, "enable_legacy_abac": refTo("module.settings.legacy_abac")}))},

	// --- tags, placement, technology ---
	// Issue 14: no tags, no default_tags, tags_all unknown.
	{Rule: "required-tags", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{{Name: "aws", Version: "~> 5.80", Region: "eu-west-1"}}, r("aws_sqs_queue.orders", map[string]any{"name": "orders"}))},
	{Rule: "required-tags", Case: "pass", Expect: "pass", Plan: plan(r("module.queues.aws_sqs_queue.orders", map[string]any{"name": "orders", "tags": modVar{Name: "tags", Pass: map[string]any{"queue": "orders"}}}))},
	{Rule: "required-tags", Case: "unknown", Expect: "undetermined", Plan: planWith("1.9.8", []tfProvider{{Name: "aws", Version: "~> 5.80", Region: "eu-west-1"}}, r("aws_sqs_queue.orders", map[string]any{"name": "orders", "tags": refTo("module.labels.tags")}))},

	{Rule: "allowed-regions", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{{Name: "aws", Version: "~> 6.0", Region: "ap-southeast-2", DefaultTags: defaultTags}}, r("aws_sqs_queue.orders", map[string]any{"name": "orders"}))},
	{Rule: "allowed-regions", Case: "pass", Expect: "pass", Plan: &tfPlan{Providers: []tfProvider{{Name: "aws", Version: "~> 6.0", Region: rootVar("region"), DefaultTags: defaultTags}}, Vars: map[string]tfVar{"region": {Value: "eu-west-1", Default: "eu-west-1"}},
		Resources: []tfRes{r("aws_sqs_queue.orders", map[string]any{"name": "orders"})}}},
	{Rule: "allowed-regions", Case: "unknown", Expect: "undetermined", Plan: planWith("1.9.8", []tfProvider{awsV6}, r("aws_sqs_queue.orders", map[string]any{"name": "orders", "region": refTo("module.placement.region")}))},

	{Rule: "approved-providers", Case: "fail", Expect: "fail", Plan: planWith("1.9.8", []tfProvider{{Name: "aws", Source: "registry.terraform.io/evilcorp/aws", Version: "~> 5.0", Region: "eu-west-1", DefaultTags: defaultTags}}, r("aws_sqs_queue.orders", map[string]any{"name": "orders"}))},
	{Rule: "approved-providers", Case: "pass", Expect: "pass", Plan: plan(r("aws_sqs_queue.orders", map[string]any{"name": "orders"}))},
	{Rule: "approved-providers", Case: "unknown", Expect: "fail", Why: "the provider of a resource is in the plan even when all its attributes are known only after apply",
		Plan: planWith("1.9.8", []tfProvider{{Name: "aws", Source: "registry.terraform.io/evilcorp/aws", Version: "~> 5.0", Region: "eu-west-1", DefaultTags: defaultTags}}, r("aws_sqs_queue.orders", map[string]any{"name": refTo("module.names.queue")}))},

	{Rule: "approved-technology", Case: "fail", Expect: "fail", Plan: plan(r("aws_mq_broker.events", map[string]any{"broker_name": "events", "engine_type": "RabbitMQ", "engine_version": "3.13", "host_instance_type": "mq.m5.large",
		"user": blocks{{"username": "events", "password": refTo("random_password.mq.result")}}}))},
	{Rule: "approved-technology", Case: "pass", Expect: "pass", Plan: plan(r("aws_sqs_queue.events", map[string]any{"name": "events"}))},
	{Rule: "approved-technology", Case: "unknown", Expect: "fail", Why: "the resource type is in the plan whatever its attributes",
		Plan: plan(r("aws_mq_broker.events", map[string]any{"broker_name": refTo("module.names.broker"), "engine_type": "RabbitMQ", "engine_version": "3.13", "host_instance_type": refTo("module.sizes.broker"),
			"user": blocks{{"username": "events", "password": refTo("random_password.mq.result")}}}))},

	// --- stateful ---
	// Issue 14: a new instance without backup_retention_period passed
	// because snapshot_identifier is unknown.
	{Rule: "backup-retention", Case: "fail", Expect: "fail", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"backup_retention_period": nil})))},
	{Rule: "backup-retention", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "backup-retention", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"backup_retention_period": refTo("module.settings.backup_days")})))},

	// An imported database: the import block's object, read from AWS.
	{Rule: "deletion-protection", Case: "fail", Expect: "fail", Plan: plan(tfRes{Addr: "aws_db_instance.legacy", Action: "no-op", Importing: "ledger-legacy", Attrs: rds(map[string]any{"deletion_protection": false, "identifier": "ledger-legacy"}),
		Known: map[string]any{"snapshot_identifier": nil, "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d"}})},
	{Rule: "deletion-protection", Case: "pass", Expect: "pass", Plan: plan(tfRes{Addr: "aws_db_instance.legacy", Action: "update", Importing: "ledger-legacy", Attrs: rds(map[string]any{"identifier": "ledger-legacy"}),
		Known: map[string]any{"kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d"}})},
	{Rule: "deletion-protection", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"deletion_protection": refTo("module.settings.protect_databases")})))},

	{Rule: "key-vault-purge-protection", Case: "fail", Expect: "fail", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_key_vault.main", map[string]any{"name": "ledger-kv", "location": "westeurope", "resource_group_name": "ledger", "sku_name": "standard", "tenant_id": "00000000-0000-0000-0000-000000000000"}))},
	{Rule: "key-vault-purge-protection", Case: "pass", Expect: "pass", Plan: planWith("1.13.1", []tfProvider{azureV3}, r("azurerm_key_vault.main", map[string]any{"name": "ledger-kv", "location": "westeurope", "resource_group_name": "ledger", "sku_name": "standard", "tenant_id": "00000000-0000-0000-0000-000000000000", "purge_protection_enabled": true}))},
	{Rule: "key-vault-purge-protection", Case: "unknown", Expect: "undetermined", Plan: planWith("1.13.1", []tfProvider{azureV4}, r("azurerm_key_vault.main", map[string]any{"name": "ledger-kv", "location": "westeurope", "resource_group_name": "ledger", "sku_name": "standard", "tenant_id": "00000000-0000-0000-0000-000000000000",
		"purge_protection_enabled": refTo("module.settings.purge_protection")}))},

	{Rule: "multi-az-tier1", Case: "fail", Expect: "fail", Service: tier1, Plan: plan(r("aws_db_instance.main", rds(map[string]any{"multi_az": nil})))},
	{Rule: "multi-az-tier1", Case: "pass", Expect: "pass", Service: tier1, Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "multi-az-tier1", Case: "unknown", Expect: "undetermined", Service: tier1, Plan: plan(r("aws_db_instance.main", rds(map[string]any{"multi_az": refTo("module.settings.multi_az")})))},

	{Rule: "s3-bucket-versioning", Case: "fail", Expect: "fail", Service: tier1, Plan: plan(r("aws_s3_bucket.invoices", map[string]any{"bucket": "acme-invoices"}))},
	{Rule: "s3-bucket-versioning", Case: "pass", Expect: "pass", Service: tier1, Plan: plan(r("aws_s3_bucket.invoices", map[string]any{"bucket": "acme-invoices"}),
		r("aws_s3_bucket_versioning.invoices", map[string]any{"bucket": refTo("aws_s3_bucket.invoices.id"), "versioning_configuration": blocks{{"status": "Enabled"}}}))},
	{Rule: "s3-bucket-versioning", Case: "unknown", Expect: "undetermined", Service: tier1, Plan: plan(r("aws_s3_bucket.invoices", map[string]any{"bucket": "acme-invoices"}),
		r("aws_s3_bucket_versioning.invoices", map[string]any{"bucket": refTo("aws_s3_bucket.invoices.id"), "versioning_configuration": blocks{{"status": refTo("module.settings.versioning_status")}}}))},

	{Rule: "s3-access-logging", Case: "fail", Expect: "fail", Service: tier1, Plan: plan(r("aws_s3_bucket.invoices", map[string]any{"bucket": "acme-invoices"}))},
	{Rule: "s3-access-logging", Case: "pass", Expect: "pass", Service: tier1, Plan: plan(r("aws_s3_bucket.invoices", map[string]any{"bucket": "acme-invoices"}),
		r("aws_s3_bucket_logging.invoices", map[string]any{"bucket": refTo("aws_s3_bucket.invoices.id"), "target_bucket": "acme-s3-access-logs", "target_prefix": "acme-invoices/"}))},
	{Rule: "s3-access-logging", Case: "unknown", Expect: "undetermined", Service: tier1,
		Plan: plan(r("aws_s3_bucket.invoices", map[string]any{"bucket": "acme-invoices"}), r("aws_s3_bucket.logs", map[string]any{"bucket_prefix": "acme-logs-"}),
			r("aws_s3_bucket_logging.invoices", map[string]any{"bucket": refTo("aws_s3_bucket.invoices.id"), "target_bucket": refTo("aws_s3_bucket.logs.id"), "target_prefix": "acme-invoices/"}))},

	{Rule: "stateful-delete-replace", Case: "fail", Expect: "fail", Plan: plan(tfRes{Addr: "aws_db_instance.main", Action: "replace", Attrs: rds(map[string]any{"storage_encrypted": true}),
		ReplacePaths: [][]any{{"storage_encrypted"}}, Known: map[string]any{"kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d"}})},
	{Rule: "stateful-delete-replace", Case: "pass", Expect: "pass", Plan: plan(tfRes{Addr: "aws_db_instance.main", Action: "update", Attrs: rds(map[string]any{"instance_class": "db.r6g.xlarge"}),
		Known: map[string]any{"kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d"}})},
	{Rule: "stateful-delete-replace", Case: "unknown", Expect: "fail", Why: "the planned action is known even when the value that forces the replacement is not",
		Plan: plan(newKey, tfRes{Addr: "aws_db_instance.main", Action: "replace", Attrs: rds(map[string]any{"kms_key_id": newKeyArn}), ReplacePaths: [][]any{{"kms_key_id"}}})},

	// --- advice ---
	{Rule: "db-enhanced-monitoring", Case: "fail", Expect: "fail", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"monitoring_interval": nil})))},
	{Rule: "db-enhanced-monitoring", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "db-enhanced-monitoring", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"monitoring_interval": refTo("module.settings.monitoring_interval")})))},

	{Rule: "db-performance-insights", Case: "fail", Expect: "fail", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"performance_insights_enabled": nil})))},
	{Rule: "db-performance-insights", Case: "pass", Expect: "pass", Plan: plan(r("aws_db_instance.main", rds(nil)))},
	{Rule: "db-performance-insights", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_db_instance.main", rds(map[string]any{"performance_insights_enabled": refTo("module.settings.insights")})))},

	{Rule: "dynamodb-provisioned-autoscaling", Case: "fail", Expect: "fail", Plan: plan(r("aws_dynamodb_table.events", map[string]any{"name": "events", "hash_key": "event_id", "read_capacity": 50, "write_capacity": 50}))},
	{Rule: "dynamodb-provisioned-autoscaling", Case: "pass", Expect: "pass", Plan: plan(r("aws_dynamodb_table.events", map[string]any{"name": "events", "hash_key": "event_id", "billing_mode": "PAY_PER_REQUEST"}))},
	{Rule: "dynamodb-provisioned-autoscaling", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_dynamodb_table.events", map[string]any{"name": "events", "hash_key": "event_id", "read_capacity": 50, "write_capacity": 50}),
		r("aws_appautoscaling_target.events_read", map[string]any{"max_capacity": 500, "min_capacity": 50, "resource_id": refTo("module.tables.events_resource_id"), "scalable_dimension": "dynamodb:table:ReadCapacityUnits", "service_namespace": "dynamodb"}))},

	{Rule: "dynamodb-timestamp-partition-key", Case: "fail", Expect: "fail", Plan: plan(r("aws_dynamodb_table.events", map[string]any{"name": "events", "hash_key": "created_at", "billing_mode": "PAY_PER_REQUEST"}))},
	{Rule: "dynamodb-timestamp-partition-key", Case: "pass", Expect: "pass", Plan: plan(r("aws_dynamodb_table.events", map[string]any{"name": "events", "hash_key": "tenant_id", "range_key": "created_at", "billing_mode": "PAY_PER_REQUEST"}))},
	{Rule: "dynamodb-timestamp-partition-key", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_dynamodb_table.events", map[string]any{"name": "events", "hash_key": refTo("module.schema.partition_key"), "billing_mode": "PAY_PER_REQUEST"}))},

	{Rule: "gp3-volumes", Case: "fail", Expect: "fail", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 100, "encrypted": true}))},
	{Rule: "gp3-volumes", Case: "pass", Expect: "pass", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 100, "encrypted": true, "type": "gp3"}))},
	{Rule: "gp3-volumes", Case: "unknown", Expect: "undetermined", Plan: plan(r("aws_ebs_volume.data", map[string]any{"availability_zone": "eu-west-1a", "size": 100, "encrypted": true, "type": refTo("module.settings.volume_type")}))},

	// --- Kubernetes: the unknown case is a value left to substitution
	// before apply (Flux post-build, envsubst) ---
	{Rule: "k8s-approved-registries", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", good("quay.io/someone/web:1.4.2"))},
	{Rule: "k8s-approved-registries", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ledger/web:1.4.2"))},
	{Rule: "k8s-approved-registries", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", good("${REGISTRY}/acme/web:1.4.2"))},

	// Issue 23: the concerns Checkov reports most on public manifests.
	{Rule: "k8s-default-namespace", Case: "fail", Expect: "fail", Manifest: replace(k8sDeployment("web", good("ghcr.io/acme/web:1.4.2")), "namespace: ledger", "namespace: default")},
	{Rule: "k8s-default-namespace", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-default-namespace", Case: "unknown", Expect: "undetermined", Manifest: replace(k8sDeployment("web", good("ghcr.io/acme/web:1.4.2")), "namespace: ledger", "namespace: ${NAMESPACE}")},

	{Rule: "k8s-service-account-token", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-service-account-token", Case: "pass", Expect: "pass", Manifest: "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: ledger}\nautomountServiceAccountToken: false\n---\n" +
		k8sDeployment("web", "      serviceAccountName: web\n"+good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-service-account-token", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", "      automountServiceAccountToken: ${AUTOMOUNT_TOKEN}\n"+good("ghcr.io/acme/web:1.4.2"))},

	{Rule: "k8s-network-policy", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-network-policy", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2")) +
		"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: ledger}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"},
	{Rule: "k8s-network-policy", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2")) +
		"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: ledger}\nspec:\n  podSelector:\n    matchLabels: {app: \"${APP}\"}\n  policyTypes: [Ingress]\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: gateway}}}]\n"},

	{Rule: "k8s-seccomp", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-seccomp", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "        runAsUser: 10001\n", "        runAsUser: 10001\n        seccompProfile: {type: RuntimeDefault}\n"))},
	{Rule: "k8s-seccomp", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "        runAsUser: 10001\n", "        runAsUser: 10001\n        seccompProfile: {type: \"${SECCOMP_PROFILE}\"}\n"))},

	{Rule: "k8s-drop-capabilities", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "            capabilities: {drop: [ALL]}\n", ""))},
	{Rule: "k8s-drop-capabilities", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-drop-capabilities", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "capabilities: {drop: [ALL]}", "capabilities: {drop: [\"${DROP_CAPABILITIES}\"]}"))},

	{Rule: "k8s-host-namespaces", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", "      hostNetwork: true\n"+good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-host-namespaces", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", "      hostNetwork: false\n"+good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-host-namespaces", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", "      hostNetwork: ${HOST_NETWORK}\n"+good("ghcr.io/acme/web:1.4.2"))},

	{Rule: "k8s-host-path", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", "      volumes:\n        - name: docker\n          hostPath: {path: /var/run/docker.sock}\n"+good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-host-path", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", "      volumes:\n        - name: cache\n          emptyDir: {}\n"+good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-host-path", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", "      volumes:\n        - name: data\n          hostPath: {path: \"${DATA_DIR}\"}\n"+good("ghcr.io/acme/web:1.4.2"))},

	{Rule: "k8s-image-tag", Case: "fail", Expect: "fail", Manifest: k8sDeployment("cache", good("redis:alpine"))},
	{Rule: "k8s-image-tag", Case: "pass", Expect: "pass", Manifest: k8sDeployment("cache", good("redis:7.4.1-alpine"))},
	{Rule: "k8s-image-tag", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:${IMAGE_TAG}"))},

	{Rule: "k8s-no-privilege-escalation", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"))},
	{Rule: "k8s-no-privilege-escalation", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-no-privilege-escalation", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: ${ALLOW_ESCALATION}"))},

	{Rule: "k8s-pdb-tier1", Case: "fail", Expect: "fail", Service: tier1, Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-pdb-tier1", Case: "pass", Expect: "pass", Service: tier1, Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2")) +
		"---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: ledger}\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels: {app: web}\n"},
	{Rule: "k8s-pdb-tier1", Case: "unknown", Expect: "undetermined", Service: tier1, Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2")) +
		"---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: ledger}\nspec:\n  minAvailable: 2\n  selector:\n    matchLabels: {app: \"${APP}\"}\n"},

	{Rule: "k8s-privileged", Case: "fail", Expect: "fail", Manifest: k8sDeployment("agent", replace(good("ghcr.io/acme/agent:3.1.0"), "capabilities: {drop: [ALL]}", "privileged: true"))},
	{Rule: "k8s-privileged", Case: "pass", Expect: "pass", Manifest: k8sDeployment("agent", good("ghcr.io/acme/agent:3.1.0"))},
	{Rule: "k8s-privileged", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("agent", replace(good("ghcr.io/acme/agent:3.1.0"), "capabilities: {drop: [ALL]}", "privileged: ${PRIVILEGED}"))},

	{Rule: "k8s-added-capabilities", Case: "fail", Expect: "fail", Manifest: k8sDeployment("clock", replace(good("ghcr.io/acme/clock:1.0.3"), "capabilities: {drop: [ALL]}", "capabilities: {drop: [ALL], add: [SYS_TIME]}"))},
	{Rule: "k8s-added-capabilities", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "capabilities: {drop: [ALL]}", "capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}"))},
	{Rule: "k8s-added-capabilities", Case: "unknown", Expect: "pass", ReportedBy: "k8s-privileged", Why: "k8s-privileged reports a capability left to substitution, once",
		Manifest: k8sDeployment("clock", replace(good("ghcr.io/acme/clock:1.0.3"), "capabilities: {drop: [ALL]}", "capabilities: {drop: [ALL], add: [\"${EXTRA_CAP}\"]}"))},

	{Rule: "k8s-probes", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n", ""))},
	{Rule: "k8s-probes", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-probes", Case: "unknown", Expect: "pass", Why: "only whether a probe is there is judged, and a probe whose port is substituted is there",
		Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "port: 8080", "port: \"${PORT}\""))},

	{Rule: "k8s-read-only-root-filesystem", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))},
	{Rule: "k8s-read-only-root-filesystem", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-read-only-root-filesystem", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: ${READ_ONLY_ROOT}"))},

	{Rule: "k8s-removed-api-version", Case: "fail", Expect: "fail", Manifest: "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: report, namespace: ledger}\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n" + podIndent(good("ghcr.io/acme/report:1.2.0"), 4)},
	{Rule: "k8s-removed-api-version", Case: "pass", Expect: "pass", Manifest: "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: report, namespace: ledger}\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n" + podIndent(good("ghcr.io/acme/report:1.2.0"), 4)},
	{Rule: "k8s-removed-api-version", Case: "unknown", Expect: "undetermined", Manifest: "apiVersion: autoscaling/${HPA_VERSION}\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: ledger}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 3\n  maxReplicas: 10\n"},

	{Rule: "k8s-resources", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "            limits: {memory: 256Mi}\n", ""))},
	{Rule: "k8s-resources", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-resources", Case: "unknown", Expect: "pass", Why: "a request or limit left to substitution is given",
		Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "limits: {memory: 256Mi}", "limits: {memory: \"${MEMORY_LIMIT}\"}"))},

	{Rule: "k8s-run-as-non-root", Case: "fail", Expect: "fail", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "        runAsNonRoot: true\n        runAsUser: 10001\n", "        runAsUser: 0\n"))},
	{Rule: "k8s-run-as-non-root", Case: "pass", Expect: "pass", Manifest: k8sDeployment("web", good("ghcr.io/acme/web:1.4.2"))},
	{Rule: "k8s-run-as-non-root", Case: "unknown", Expect: "undetermined", Manifest: k8sDeployment("web", replace(good("ghcr.io/acme/web:1.4.2"), "        runAsNonRoot: true\n        runAsUser: 10001\n", "        runAsUser: ${RUN_AS_UID}\n"))},
}
