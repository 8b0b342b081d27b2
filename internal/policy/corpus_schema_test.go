package policy

// tfSchema is what the corpus generator needs to know of a resource type's
// provider schema to plan it as the provider does (corpus_gen_test.go). The
// lists follow the providers' documentation and schemas (AWS v5/v6, Google
// v5/v6, AzureRM v3/v4): they need not be complete, but every attribute a
// rule reads must be in the right list, since that decides whether a value
// the configuration leaves out shows as null, as its default, or as known
// only after apply.
type tfSchema struct {
	// Computed attributes are set by the provider: unknown on create.
	Computed []string
	// OptComputed attributes are Optional+Computed: unknown on create when
	// the configuration leaves them out.
	OptComputed []string
	// Defaults are Optional attributes with a schema default, shown when
	// left out.
	Defaults map[string]any
	// Optional attributes are null when left out.
	Optional []string
	// Sensitive attributes are masked in the plan.
	Sensitive []string
	// Tags: AWS tags and tags_all (tags_all unknown on create); Labels:
	// Google labels, effective_labels and terraform_labels; AzureTags: a
	// plain tags map.
	Tags, Labels, AzureTags bool
	// Global types have no region attribute in AWS provider 6.
	Global bool
	// Blocks are the schemas of nested blocks, for the attributes a
	// configured block leaves out.
	Blocks        map[string]*tfSchema
	SchemaVersion int
}

// fill gives a configured nested block what the provider plans for the
// attributes it leaves out.
func (s *tfSchema) fill(m map[string]any, existing bool) {
	for k, v := range s.Defaults {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	for _, k := range s.Optional {
		if _, ok := m[k]; !ok {
			m[k] = nil
		}
	}
	for _, list := range [][]string{s.OptComputed, s.Computed} {
		for _, k := range list {
			if _, ok := m[k]; ok {
				continue
			}
			if existing {
				m[k] = nil
			} else {
				m[k] = unknownValue
			}
		}
	}
	// Blocks nested in a configured block (settings { ip_configuration {} }).
	for k, sub := range s.Blocks {
		if list, ok := m[k].([]any); ok {
			for _, e := range list {
				if em, ok := e.(map[string]any); ok {
					sub.fill(em, existing)
				}
			}
		}
	}
}

var tfSchemas = map[string]tfSchema{
	"aws_db_instance": {
		Computed: []string{"id", "arn", "address", "endpoint", "hosted_zone_id", "resource_id", "status", "latest_restorable_time", "listener_endpoint", "master_user_secret", "engine_version_actual"},
		OptComputed: []string{"allocated_storage", "availability_zone", "backup_retention_period", "backup_target", "backup_window", "ca_cert_identifier", "character_set_name",
			"database_insights_mode", "db_name", "db_subnet_group_name", "engine", "engine_version", "identifier", "identifier_prefix", "iops", "kms_key_id", "license_model",
			"maintenance_window", "monitoring_role_arn", "multi_az", "nchar_character_set_name", "network_type", "option_group_name", "parameter_group_name",
			"performance_insights_kms_key_id", "performance_insights_retention_period", "port", "replica_mode", "replicate_source_db", "snapshot_identifier",
			"storage_throughput", "storage_type", "timezone", "username", "vpc_security_group_ids"},
		Defaults: map[string]any{"apply_immediately": false, "auto_minor_version_upgrade": true, "copy_tags_to_snapshot": false, "customer_owned_ip_enabled": false,
			"delete_automated_backups": true, "deletion_protection": false, "iam_database_authentication_enabled": false, "monitoring_interval": 0,
			"performance_insights_enabled": false, "publicly_accessible": false, "skip_final_snapshot": false},
		Optional:      []string{"instance_class", "storage_encrypted", "password", "password_wo", "manage_master_user_password", "max_allocated_storage", "final_snapshot_identifier", "domain", "custom_iam_instance_profile"},
		Sensitive:     []string{"password"},
		Tags:          true,
		SchemaVersion: 2,
	},
	"aws_rds_cluster": {
		Computed:    []string{"id", "arn", "endpoint", "reader_endpoint", "cluster_resource_id", "hosted_zone_id", "engine_version_actual", "master_user_secret"},
		OptComputed: []string{"availability_zones", "cluster_identifier", "cluster_members", "database_name", "db_cluster_parameter_group_name", "db_subnet_group_name", "engine_version", "kms_key_id", "master_username", "network_type", "port", "preferred_backup_window", "preferred_maintenance_window", "storage_encrypted", "storage_type", "vpc_security_group_ids"},
		Defaults:    map[string]any{"backup_retention_period": 1, "copy_tags_to_snapshot": false, "deletion_protection": false, "engine_mode": "provisioned", "skip_final_snapshot": false},
		Optional:    []string{"engine", "master_password", "master_password_wo", "manage_master_user_password", "snapshot_identifier", "replication_source_identifier", "global_cluster_identifier", "db_cluster_instance_class"},
		Sensitive:   []string{"master_password"},
		Tags:        true,
		Blocks: map[string]*tfSchema{
			"serverlessv2_scaling_configuration": {Optional: []string{"seconds_until_auto_pause"}},
		},
	},
	"aws_instance": {
		Computed: []string{"id", "arn", "instance_state", "outpost_arn", "password_data", "primary_network_interface_id", "private_dns", "public_dns", "public_ip", "instance_lifecycle", "spot_instance_request_id"},
		OptComputed: []string{"ami", "associate_public_ip_address", "availability_zone", "disable_api_stop", "disable_api_termination", "ebs_optimized", "host_id", "host_resource_group_arn",
			"iam_instance_profile", "instance_initiated_shutdown_behavior", "instance_type", "ipv6_address_count", "ipv6_addresses", "key_name", "monitoring", "placement_group",
			"placement_partition_number", "private_ip", "secondary_private_ips", "security_groups", "subnet_id", "tenancy", "vpc_security_group_ids",
			"capacity_reservation_specification", "cpu_options", "credit_specification", "ebs_block_device", "enclave_options", "ephemeral_block_device",
			"maintenance_options", "metadata_options", "network_interface", "private_dns_name_options", "root_block_device"},
		Defaults: map[string]any{"get_password_data": false, "hibernation": nil, "source_dest_check": true, "user_data_replace_on_change": false},
		Optional: []string{"user_data", "user_data_base64", "launch_template"},
		Tags:     true,
		Blocks: map[string]*tfSchema{
			"root_block_device": {Computed: []string{"device_name", "volume_id"}, OptComputed: []string{"encrypted", "iops", "kms_key_id", "throughput", "volume_size", "volume_type"}, Defaults: map[string]any{"delete_on_termination": true}},
			"ebs_block_device":  {Computed: []string{"volume_id"}, OptComputed: []string{"encrypted", "iops", "kms_key_id", "snapshot_id", "throughput", "volume_size", "volume_type"}, Defaults: map[string]any{"delete_on_termination": true}},
			"metadata_options":  {OptComputed: []string{"http_endpoint", "http_protocol_ipv6", "http_put_response_hop_limit", "http_tokens", "instance_metadata_tags"}},
		},
		SchemaVersion: 1,
	},
	"aws_launch_template": {
		Computed:    []string{"id", "arn", "latest_version"},
		OptComputed: []string{"default_version", "name", "name_prefix", "metadata_options"},
		Optional:    []string{"description", "image_id", "instance_type", "key_name", "user_data", "vpc_security_group_ids", "update_default_version", "ebs_optimized"},
		Tags:        true,
		Blocks: map[string]*tfSchema{
			"block_device_mappings": {Optional: []string{"no_device", "virtual_name"}},
			"metadata_options":      {OptComputed: []string{"http_endpoint", "http_protocol_ipv6", "http_put_response_hop_limit", "http_tokens", "instance_metadata_tags"}},
		},
	},
	"aws_ebs_volume": {
		Computed:    []string{"id", "arn", "create_time"},
		OptComputed: []string{"encrypted", "iops", "kms_key_id", "size", "snapshot_id", "throughput", "type"},
		Defaults:    map[string]any{"final_snapshot": false, "multi_attach_enabled": false},
		Optional:    []string{"outpost_arn", "availability_zone"},
		Tags:        true,
	},
	"aws_ebs_encryption_by_default": {
		Computed: []string{"id"},
		Defaults: map[string]any{"enabled": true},
	},
	"aws_cloudtrail": {
		Computed: []string{"id", "arn", "home_region"},
		Defaults: map[string]any{"enable_log_file_validation": false, "enable_logging": true, "include_global_service_events": true, "is_multi_region_trail": false, "is_organization_trail": false},
		Optional: []string{"kms_key_id", "cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn", "s3_key_prefix", "sns_topic_name"},
		Tags:     true,
	},
	"aws_dynamodb_table": {
		Computed:    []string{"id", "arn", "stream_arn", "stream_label"},
		OptComputed: []string{"read_capacity", "write_capacity", "stream_view_type", "server_side_encryption", "point_in_time_recovery", "ttl", "table_class"},
		Defaults:    map[string]any{"billing_mode": "PROVISIONED", "deletion_protection_enabled": false, "stream_enabled": false},
		Optional:    []string{"range_key", "restore_source_name", "restore_date_time"},
		Tags:        true,
		Blocks: map[string]*tfSchema{
			"server_side_encryption": {OptComputed: []string{"kms_key_arn"}},
			"point_in_time_recovery": {OptComputed: []string{"recovery_period_in_days"}},
		},
		SchemaVersion: 1,
	},
	"aws_efs_file_system": {
		Computed:    []string{"id", "arn", "availability_zone_id", "dns_name", "name", "number_of_mount_targets", "owner_id", "size_in_bytes"},
		OptComputed: []string{"creation_token", "encrypted", "kms_key_id", "performance_mode", "protection"},
		Defaults:    map[string]any{"throughput_mode": "bursting"},
		Optional:    []string{"availability_zone_name", "provisioned_throughput_in_mibps"},
		Tags:        true,
	},
	"aws_elasticache_replication_group": {
		Computed: []string{"id", "arn", "cluster_enabled", "configuration_endpoint_address", "engine_version_actual", "member_clusters", "primary_endpoint_address", "reader_endpoint_address"},
		OptComputed: []string{"at_rest_encryption_enabled", "auth_token_update_strategy", "engine_version", "ip_discovery", "maintenance_window", "network_type", "node_type", "num_cache_clusters",
			"num_node_groups", "parameter_group_name", "port", "replicas_per_node_group", "security_group_ids", "security_group_names", "snapshot_window", "subnet_group_name",
			"transit_encryption_enabled", "transit_encryption_mode"},
		Defaults:  map[string]any{"apply_immediately": nil, "auto_minor_version_upgrade": true, "automatic_failover_enabled": false, "data_tiering_enabled": false, "engine": "redis", "multi_az_enabled": false},
		Optional:  []string{"auth_token", "kms_key_id", "snapshot_name", "snapshot_arns", "notification_topic_arn"},
		Sensitive: []string{"auth_token"},
		Tags:      true,
		Global:    false,
	},
	"aws_kms_key": {
		Computed:    []string{"id", "arn", "key_id"},
		OptComputed: []string{"multi_region", "policy", "rotation_period_in_days"},
		Defaults:    map[string]any{"bypass_policy_lockout_safety_check": false, "customer_master_key_spec": "SYMMETRIC_DEFAULT", "enable_key_rotation": false, "is_enabled": true, "key_usage": "ENCRYPT_DECRYPT"},
		Optional:    []string{"custom_key_store_id", "deletion_window_in_days", "description", "xks_key_id"},
		Tags:        true,
	},
	"aws_lb": {
		Computed:    []string{"id", "arn", "arn_suffix", "dns_name", "vpc_id", "zone_id"},
		OptComputed: []string{"internal", "ip_address_type", "name", "name_prefix", "security_groups", "subnet_mapping", "subnets", "customer_owned_ipv4_pool"},
		Defaults:    map[string]any{"drop_invalid_header_fields": false, "enable_deletion_protection": false, "enable_http2": true, "idle_timeout": 60, "load_balancer_type": "application"},
		Tags:        true,
	},
	"aws_lb_listener": {
		Computed:    []string{"id", "arn"},
		OptComputed: []string{"protocol", "ssl_policy", "tcp_idle_timeout_seconds"},
		Optional:    []string{"port", "certificate_arn", "alpn_policy"},
		Tags:        true,
		Blocks: map[string]*tfSchema{
			"default_action": {OptComputed: []string{"order"}, Optional: []string{"target_group_arn"}},
		},
	},
	"aws_s3_bucket": {
		Computed: []string{"id", "arn", "bucket_domain_name", "bucket_regional_domain_name", "hosted_zone_id", "region"},
		OptComputed: []string{"acceleration_status", "acl", "bucket", "bucket_prefix", "cors_rule", "grant", "lifecycle_rule", "logging", "object_lock_configuration", "object_lock_enabled",
			"policy", "replication_configuration", "request_payer", "server_side_encryption_configuration", "versioning", "website", "website_domain", "website_endpoint"},
		Defaults: map[string]any{"force_destroy": false},
		Tags:     true,
	},
	"aws_s3_bucket_server_side_encryption_configuration": {
		Computed: []string{"id"},
		Optional: []string{"expected_bucket_owner"},
		Blocks: map[string]*tfSchema{
			"rule": {Optional: []string{"bucket_key_enabled"}},
		},
	},
	"aws_s3_bucket_public_access_block": {
		Computed: []string{"id"},
		Defaults: map[string]any{"block_public_acls": false, "block_public_policy": false, "ignore_public_acls": false, "restrict_public_buckets": false},
		Optional: []string{"skip_destroy"},
	},
	"aws_s3_bucket_acl": {
		Computed:    []string{"id"},
		OptComputed: []string{"access_control_policy"},
		Optional:    []string{"acl", "expected_bucket_owner"},
	},
	"aws_s3_bucket_policy": {
		Computed: []string{"id"},
	},
	"aws_s3_bucket_logging": {
		Computed: []string{"id"},
		Optional: []string{"expected_bucket_owner", "target_grant", "target_object_key_format"},
	},
	"aws_lambda_function": {
		Computed:    []string{"id", "arn", "code_sha256", "invoke_arn", "last_modified", "qualified_arn", "qualified_invoke_arn", "signing_job_arn", "signing_profile_version_arn", "source_code_size", "version"},
		OptComputed: []string{"architectures", "ephemeral_storage", "logging_config", "source_code_hash", "tracing_config"},
		Defaults:    map[string]any{"memory_size": 128, "package_type": "Zip", "publish": false, "reserved_concurrent_executions": -1, "skip_destroy": false, "timeout": 3},
		Optional:    []string{"description", "filename", "handler", "image_uri", "kms_key_arn", "layers", "runtime", "s3_bucket", "s3_key", "s3_object_version", "code_signing_config_arn", "replace_security_groups_on_destroy", "replacement_security_group_ids"},
		Tags:        true,
	},
	"aws_lambda_function_url": {
		Computed: []string{"id", "function_arn", "function_url", "url_id"},
		Defaults: map[string]any{"invoke_mode": "BUFFERED"},
		Optional: []string{"qualifier"},
	},
	"aws_iam_role_policy": {
		Computed:    []string{"id"},
		OptComputed: []string{"name", "name_prefix"},
		Global:      true,
	},
	"aws_s3_bucket_versioning": {
		Computed: []string{"id"},
		Optional: []string{"expected_bucket_owner", "mfa"},
		Blocks: map[string]*tfSchema{
			"versioning_configuration": {OptComputed: []string{"mfa_delete"}},
		},
	},
	"aws_elasticsearch_domain": {
		Computed: []string{"id", "arn", "domain_id", "endpoint", "kibana_endpoint"},
		OptComputed: []string{"access_policies", "advanced_options", "advanced_security_options", "auto_tune_options", "cluster_config", "cognito_options",
			"domain_endpoint_options", "ebs_options", "encrypt_at_rest", "node_to_node_encryption", "snapshot_options"},
		Defaults: map[string]any{"elasticsearch_version": "1.5"},
		Tags:     true,
		Blocks: map[string]*tfSchema{
			"encrypt_at_rest":         {OptComputed: []string{"kms_key_id"}},
			"domain_endpoint_options": {OptComputed: []string{"tls_security_policy"}, Defaults: map[string]any{"enforce_https": true, "custom_endpoint_enabled": false}},
		},
	},
	"aws_opensearch_domain": {
		Computed: []string{"id", "arn", "dashboard_endpoint", "domain_id", "endpoint"},
		OptComputed: []string{"access_policies", "advanced_options", "advanced_security_options", "auto_tune_options", "cluster_config", "cognito_options",
			"domain_endpoint_options", "ebs_options", "encrypt_at_rest", "engine_version", "ip_address_type", "node_to_node_encryption", "off_peak_window_options", "snapshot_options", "software_update_options"},
		Tags: true,
		Blocks: map[string]*tfSchema{
			"encrypt_at_rest":         {OptComputed: []string{"kms_key_id"}},
			"domain_endpoint_options": {OptComputed: []string{"tls_security_policy"}, Defaults: map[string]any{"enforce_https": true, "custom_endpoint_enabled": false}},
		},
	},
	"aws_sns_topic": {
		Computed:    []string{"id", "arn", "beginning_archive_time", "owner"},
		OptComputed: []string{"name", "name_prefix", "policy", "signature_version", "tracing_config"},
		Defaults:    map[string]any{"content_based_deduplication": false, "fifo_topic": false},
		Optional:    []string{"display_name", "kms_master_key_id", "delivery_policy", "archive_policy"},
		Tags:        true,
	},
	"aws_sqs_queue": {
		Computed: []string{"id", "arn", "url"},
		OptComputed: []string{"deduplication_scope", "fifo_throughput_limit", "kms_data_key_reuse_period_seconds", "name", "name_prefix", "policy", "redrive_allow_policy",
			"redrive_policy", "sqs_managed_sse_enabled"},
		Defaults: map[string]any{"content_based_deduplication": false, "delay_seconds": 0, "fifo_queue": false, "max_message_size": 262144, "message_retention_seconds": 345600,
			"receive_wait_time_seconds": 0, "visibility_timeout_seconds": 30},
		Optional: []string{"kms_master_key_id"},
		Tags:     true,
	},
	"aws_eks_cluster": {
		Computed:    []string{"id", "arn", "certificate_authority", "cluster_id", "created_at", "endpoint", "identity", "platform_version", "status"},
		OptComputed: []string{"access_config", "kubernetes_network_config", "upgrade_policy", "version", "bootstrap_self_managed_addons"},
		Tags:        true,
		Blocks: map[string]*tfSchema{
			"vpc_config": {Computed: []string{"cluster_security_group_id", "vpc_id"}, OptComputed: []string{"public_access_cidrs"},
				Defaults: map[string]any{"endpoint_private_access": false, "endpoint_public_access": true}, Optional: []string{"security_group_ids"}},
		},
		SchemaVersion: 1,
	},
	"aws_iam_role": {
		Computed:    []string{"id", "arn", "create_date", "unique_id"},
		OptComputed: []string{"inline_policy", "managed_policy_arns", "name", "name_prefix"},
		Defaults:    map[string]any{"force_detach_policies": false, "max_session_duration": 3600, "path": "/"},
		Optional:    []string{"description", "permissions_boundary"},
		Tags:        true,
		Global:      true,
	},
	"aws_iam_policy": {
		Computed:    []string{"id", "arn", "attachment_count", "policy_id"},
		OptComputed: []string{"name", "name_prefix"},
		Defaults:    map[string]any{"path": "/"},
		Optional:    []string{"description"},
		Tags:        true,
		Global:      true,
	},
	"aws_iam_policy_document": {
		Computed:    []string{"id", "json", "minified_json"},
		OptComputed: []string{},
		Optional:    []string{"override_policy_documents", "policy_id", "source_policy_documents", "version"},
		Global:      true,
	},
	"aws_security_group": {
		Computed:      []string{"id", "arn", "owner_id"},
		OptComputed:   []string{"egress", "ingress", "name", "name_prefix", "vpc_id"},
		Defaults:      map[string]any{"description": "Managed by Terraform", "revoke_rules_on_delete": false},
		Tags:          true,
		SchemaVersion: 1,
	},
	"aws_vpc_security_group_ingress_rule": {
		Computed: []string{"id", "arn", "security_group_rule_id"},
		Optional: []string{"cidr_ipv4", "cidr_ipv6", "description", "from_port", "prefix_list_id", "referenced_security_group_id", "to_port"},
		Tags:     true,
	},
	"aws_vpc": {
		Computed:      []string{"id", "arn", "default_network_acl_id", "default_route_table_id", "default_security_group_id", "dhcp_options_id", "main_route_table_id", "owner_id", "ipv6_association_id"},
		OptComputed:   []string{"enable_dns_hostnames", "enable_network_address_usage_metrics", "instance_tenancy", "ipv6_cidr_block", "ipv6_cidr_block_network_border_group"},
		Defaults:      map[string]any{"assign_generated_ipv6_cidr_block": false, "enable_dns_support": true},
		Optional:      []string{"cidr_block", "ipv4_ipam_pool_id"},
		Tags:          true,
		SchemaVersion: 1,
	},
	"aws_mq_broker": {
		Computed:    []string{"id", "arn", "instances", "pending_data_replication_mode"},
		OptComputed: []string{"authentication_strategy", "configuration", "encryption_options", "maintenance_window_start_time", "security_groups", "storage_type", "subnet_ids"},
		Defaults:    map[string]any{"apply_immediately": false, "auto_minor_version_upgrade": false, "deployment_mode": "SINGLE_INSTANCE", "publicly_accessible": false},
		Optional:    []string{"engine_version"},
		Tags:        true,
	},
	"aws_appautoscaling_target": {
		Computed:    []string{"id", "arn"},
		OptComputed: []string{"role_arn"},
		Tags:        true,
	},
	"aws_rds_orderable_db_instance": {
		Computed:    []string{"id", "availability_zones", "max_iops_per_db_instance", "max_storage_size", "min_storage_size", "multi_az_capable", "outpost_capable", "supports_enhanced_monitoring"},
		OptComputed: []string{"instance_class", "engine_version", "license_model", "storage_type"},
		Global:      true,
	},
	"aws_ami": {
		Computed: []string{"id", "arn", "architecture", "block_device_mappings", "creation_date", "image_id", "name", "root_device_name", "root_snapshot_id"},
		Optional: []string{"name_regex", "owners"},
		Global:   true,
	},
	"random_password": {
		Computed:      []string{"id", "result", "bcrypt_hash"},
		Defaults:      map[string]any{"lower": true, "min_lower": 0, "min_numeric": 0, "min_special": 0, "min_upper": 0, "number": true, "numeric": true, "special": true, "upper": true},
		Optional:      []string{"keepers", "override_special"},
		Sensitive:     []string{"result", "bcrypt_hash"},
		Global:        true,
		SchemaVersion: 3,
	},
	"google_compute_firewall": {
		Computed:    []string{"id", "creation_timestamp", "self_link"},
		OptComputed: []string{"destination_ranges", "direction", "enable_logging", "project", "source_ranges"},
		Defaults:    map[string]any{"disabled": false, "priority": 1000},
		Optional:    []string{"description", "source_service_accounts", "source_tags", "target_service_accounts", "target_tags"},
		Blocks: map[string]*tfSchema{
			"allow": {Optional: []string{"ports"}},
		},
		SchemaVersion: 1,
	},
	"google_storage_bucket": {
		Computed:      []string{"id", "project_number", "self_link", "time_created", "updated", "url"},
		OptComputed:   []string{"public_access_prevention", "project", "rpo", "soft_delete_policy", "storage_class", "uniform_bucket_level_access"},
		Defaults:      map[string]any{"default_event_based_hold": false, "enable_object_retention": false, "force_destroy": false, "requester_pays": false},
		Labels:        true,
		SchemaVersion: 3,
	},
	"azurerm_key_vault": {
		Computed: []string{"id", "vault_uri"},
		Defaults: map[string]any{"enable_rbac_authorization": false, "enabled_for_deployment": false, "enabled_for_disk_encryption": false, "enabled_for_template_deployment": false,
			"public_network_access_enabled": true, "purge_protection_enabled": false, "soft_delete_retention_days": 90},
		OptComputed:   []string{"access_policy", "network_acls"},
		AzureTags:     true,
		SchemaVersion: 2,
	},
	"google_sql_database_instance": {
		Computed: []string{"id", "available_maintenance_versions", "connection_name", "dns_name", "first_ip_address", "ip_address", "private_ip_address", "psc_service_attachment_link",
			"public_ip_address", "self_link", "server_ca_cert", "service_account_email_address"},
		OptComputed: []string{"encryption_key_name", "instance_type", "maintenance_version", "master_instance_name", "name", "project", "region", "replica_configuration"},
		Defaults:    map[string]any{"deletion_protection": true},
		Optional:    []string{"root_password"},
		Sensitive:   []string{"root_password"},
		Blocks: map[string]*tfSchema{
			"settings": {Computed: []string{"version"}, OptComputed: []string{"activation_policy", "availability_type", "backup_configuration", "connector_enforcement", "disk_size", "disk_type", "edition", "ip_configuration", "location_preference"},
				Defaults: map[string]any{"disk_autoresize": true, "pricing_plan": "PER_USE", "deletion_protection_enabled": false},
				Blocks: map[string]*tfSchema{
					"ip_configuration": {OptComputed: []string{"server_ca_mode", "ssl_mode"}, Defaults: map[string]any{"ipv4_enabled": true, "enable_private_path_for_google_cloud_services": false}, Optional: []string{"allocated_ip_range", "private_network"}},
				}},
		},
	},
	"google_container_cluster": {
		Computed: []string{"id", "endpoint", "label_fingerprint", "master_version", "operation", "self_link", "services_ipv4_cidr", "tpu_ipv4_cidr_block"},
		OptComputed: []string{"addons_config", "cluster_ipv4_cidr", "database_encryption", "default_max_pods_per_node", "enable_intranode_visibility", "enable_shielded_nodes", "ip_allocation_policy",
			"logging_config", "logging_service", "master_auth", "monitoring_config", "monitoring_service", "network", "networking_mode", "node_config", "node_locations", "node_pool", "node_version",
			"private_cluster_config", "project", "release_channel", "subnetwork", "vertical_pod_autoscaling", "workload_identity_config"},
		Defaults: map[string]any{"deletion_protection": true, "enable_autopilot": false, "enable_kubernetes_alpha": false, "enable_legacy_abac": false, "enable_tpu": false, "initial_node_count": nil, "remove_default_node_pool": nil},
		Optional: []string{"description", "location", "min_master_version"},
		Labels:   true,
		Blocks: map[string]*tfSchema{
			"master_auth": {Computed: []string{"client_certificate", "client_key", "cluster_ca_certificate"}},
			"node_config": {OptComputed: []string{"disk_size_gb", "disk_type", "image_type", "labels", "local_ssd_count", "logging_variant", "machine_type", "oauth_scopes", "service_account", "taint"}, Defaults: map[string]any{"preemptible": false, "spot": false}, Optional: []string{"tags"}},
		},
		SchemaVersion: 2,
	},
	"azurerm_storage_account": {
		Computed:    []string{"id", "primary_access_key", "primary_blob_endpoint", "primary_connection_string", "primary_location", "secondary_access_key", "secondary_location"},
		OptComputed: []string{"blob_properties", "dns_endpoint_type", "identity", "large_file_share_enabled", "network_rules", "queue_properties", "share_properties", "static_website"},
		Defaults: map[string]any{"access_tier": "Hot", "account_kind": "StorageV2", "allow_nested_items_to_be_public": true, "cross_tenant_replication_enabled": false, "default_to_oauth_authentication": false,
			"https_traffic_only_enabled": true, "infrastructure_encryption_enabled": false, "is_hns_enabled": false, "local_user_enabled": true, "min_tls_version": "TLS1_2", "nfsv3_enabled": false,
			"public_network_access_enabled": true, "sftp_enabled": false, "shared_access_key_enabled": true},
		Sensitive:     []string{"primary_access_key", "secondary_access_key", "primary_connection_string"},
		AzureTags:     true,
		SchemaVersion: 4,
	},
	"azurerm_mssql_server": {
		Computed:    []string{"id", "fully_qualified_domain_name", "restorable_dropped_database_ids"},
		OptComputed: []string{"administrator_login", "primary_user_assigned_identity_id"},
		Defaults:    map[string]any{"connection_policy": "Default", "minimum_tls_version": "1.2", "outbound_network_restriction_enabled": false, "public_network_access_enabled": true},
		Optional:    []string{"administrator_login_password", "administrator_login_password_wo", "transparent_data_encryption_key_vault_key_id"},
		Sensitive:   []string{"administrator_login_password"},
		AzureTags:   true,
	},
}
