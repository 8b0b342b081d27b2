# Resources of service-stack.plan.json, read by service-stack.gen.py.
# ruff: noqa: F821  (names come from service-stack.gen.py)
V = "module.vpc"
LOGS_SVC = f"logs.{REGION}.amazonaws.com"

# --- KMS --------------------------------------------------------------------
key_policy = doc(
    stmt("EnableRootAccount", ["kms:*"], ["*"], principal={"AWS": f"arn:aws:iam::{ACCT}:root"}),
    stmt("AllowCloudWatchLogs", ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], ["*"],
         principal={"Service": LOGS_SVC},
         condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCT}:log-group:*"}}))
for key, kid, desc, pol in [("main", KMS_MAIN, "orders-api data at rest (RDS, ElastiCache, S3, SQS, SNS, DynamoDB, SSM)", None),
                            ("logs", KMS_LOGS, "orders-api CloudWatch Logs", key_policy)]:
    res("aws_kms_key", key, {
        "arn": f"arn:aws:kms:{REGION}:{ACCT}:key/{kid}", "bypass_policy_lockout_safety_check": False,
        "custom_key_store_id": "", "customer_master_key_spec": "SYMMETRIC_DEFAULT", "deletion_window_in_days": 30,
        "description": desc, "enable_key_rotation": True, "id": kid, "is_enabled": True, "key_id": kid,
        "key_usage": "ENCRYPT_DECRYPT", "multi_region": False,
        "policy": pol or doc(stmt("EnableRootAccount", ["kms:*"], ["*"], principal={"AWS": f"arn:aws:iam::{ACCT}:root"})),
        "rotation_period_in_days": 365, "timeouts": None, "xks_key_id": ""})

# --- VPC module ---------------------------------------------------------------
res("aws_vpc", "this", {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:vpc/{VPC_ID}", "assign_generated_ipv6_cidr_block": False,
    "cidr_block": "10.40.0.0/16", "default_network_acl_id": "acl-0b7e2f1c9d3a5e604", "default_route_table_id": "rtb-0d4c1a7e9f2b3c500",
    "default_security_group_id": "sg-0f9e8d7c6b5a49300", "dhcp_options_id": "dopt-0a1b2c3d4e5f60718", "enable_dns_hostnames": True,
    "enable_dns_support": True, "enable_network_address_usage_metrics": False, "id": VPC_ID, "instance_tenancy": "default",
    "ipv4_ipam_pool_id": None, "ipv4_netmask_length": None, "ipv6_association_id": "", "ipv6_cidr_block": "",
    "ipv6_cidr_block_network_border_group": "", "ipv6_ipam_pool_id": "", "ipv6_netmask_length": 0,
    "main_route_table_id": "rtb-0d4c1a7e9f2b3c500", "owner_id": ACCT}, module=V, schema_version=1,
    tags={"Name": "orders-api-prod"}, refs={"cidr_block": "var.cidr_block"})
for tier, ids, base, public in [("public", PUB, 0, True), ("private", PRIV, 10, False)]:
    for i, az in enumerate(AZS):
        res("aws_subnet", tier, {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:subnet/{ids[i]}", "assign_ipv6_address_on_creation": False,
            "availability_zone": az, "availability_zone_id": f"euw1-az{i + 1}", "cidr_block": f"10.40.{base + i * 4}.0/22" if not public else f"10.40.{i}.0/24",
            "customer_owned_ipv4_pool": "", "enable_dns64": False, "enable_lni_at_device_index": 0,
            "enable_resource_name_dns_a_record_on_launch": False, "enable_resource_name_dns_aaaa_record_on_launch": False,
            "id": ids[i], "ipv6_cidr_block": "", "ipv6_cidr_block_association_id": "", "ipv6_native": False,
            "map_customer_owned_ip_on_launch": False, "map_public_ip_on_launch": False, "outpost_arn": "", "owner_id": ACCT,
            "private_dns_hostname_type_on_launch": "ip-name", "timeouts": None, "vpc_id": VPC_ID}, module=V, index=i, schema_version=1,
            tags={"Name": f"orders-api-prod-{tier}-{az}", "tier": tier}, count=ref("var.azs"),
            refs={"vpc_id": "aws_vpc.this.id", "availability_zone": ["var.azs", "count.index"], "cidr_block": ["var.cidr_block", "count.index"]})
IGW = "igw-0f2a7c4e9b1d3a560"
res("aws_internet_gateway", "this", {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:internet-gateway/{IGW}", "id": IGW, "owner_id": ACCT,
    "timeouts": None, "vpc_id": VPC_ID}, module=V, tags={"Name": "orders-api-prod"}, refs={"vpc_id": "aws_vpc.this.id"})
NAT = ["nat-0a9b8c7d6e5f40311", "nat-0a9b8c7d6e5f40312"]
for i in range(2):
    eip = f"eipalloc-05c3e1a9f7d2b4e6{i}"
    res("aws_eip", "nat", {"address": None, "allocation_id": eip, "arn": f"arn:aws:ec2:{REGION}:{ACCT}:elastic-ip/{eip}",
        "associate_with_private_ip": None, "association_id": f"eipassoc-0d1e2f3a4b5c6d7e{i}", "carrier_ip": "", "customer_owned_ip": "",
        "customer_owned_ipv4_pool": "", "domain": "vpc", "id": eip, "instance": "", "ipam_pool_id": None, "network_border_group": REGION,
        "network_interface": f"eni-0b4f6a8c2e1d3f50{i}", "private_dns": f"ip-10-40-{i}-{17 + i}.eu-west-1.compute.internal",
        "private_ip": f"10.40.{i}.{17 + i}", "ptr_record": "", "public_dns": f"ec2-52-48-{11 + i}-{200 + i}.eu-west-1.compute.amazonaws.com",
        "public_ip": f"52.48.{11 + i}.{200 + i}", "public_ipv4_pool": "amazon", "timeouts": None, "vpc": True},
        module=V, index=i, tags={"Name": f"orders-api-prod-nat-{AZS[i]}"}, count=ref("var.nat_gateway_count"))
    res("aws_nat_gateway", "this", {"allocation_id": eip, "association_id": f"eipassoc-0d1e2f3a4b5c6d7e{i}", "connectivity_type": "public",
        "id": NAT[i], "network_interface_id": f"eni-0b4f6a8c2e1d3f50{i}", "private_ip": f"10.40.{i}.{17 + i}", "public_ip": f"52.48.{11 + i}.{200 + i}",
        "secondary_allocation_ids": [], "secondary_private_ip_address_count": 0, "secondary_private_ip_addresses": [],
        "subnet_id": PUB[i], "timeouts": None}, module=V, index=i, unknown=("id",), tags={"Name": f"orders-api-prod-{AZS[i]}"},
        count=ref("var.nat_gateway_count"), refs={"allocation_id": ["aws_eip.nat", "count.index"], "subnet_id": ["aws_subnet.public", "count.index"]})
RTB_PUB = "rtb-0e5d4c3b2a1f09871"
RTB_PRIV = ["rtb-0e5d4c3b2a1f09881", "rtb-0e5d4c3b2a1f09882"]
res("aws_route_table", "public", {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:route-table/{RTB_PUB}", "id": RTB_PUB, "owner_id": ACCT,
    "propagating_vgws": [], "route": [{"carrier_gateway_id": "", "cidr_block": "0.0.0.0/0", "core_network_arn": "", "destination_prefix_list_id": "",
    "egress_only_gateway_id": "", "gateway_id": IGW, "ipv6_cidr_block": "", "local_gateway_id": "", "nat_gateway_id": "",
    "network_interface_id": "", "transit_gateway_id": "", "vpc_endpoint_id": "", "vpc_peering_connection_id": ""}],
    "timeouts": None, "vpc_id": VPC_ID}, module=V, tags={"Name": "orders-api-prod-public"}, refs={"vpc_id": "aws_vpc.this.id"})
for i in range(2):
    res("aws_route_table", "private", {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:route-table/{RTB_PRIV[i]}", "id": RTB_PRIV[i], "owner_id": ACCT,
        "propagating_vgws": [], "route": [{"carrier_gateway_id": "", "cidr_block": "0.0.0.0/0", "core_network_arn": "",
        "destination_prefix_list_id": "", "egress_only_gateway_id": "", "gateway_id": "", "ipv6_cidr_block": "", "local_gateway_id": "",
        "nat_gateway_id": NAT[i], "network_interface_id": "", "transit_gateway_id": "", "vpc_endpoint_id": "", "vpc_peering_connection_id": ""}],
        "timeouts": None, "vpc_id": VPC_ID}, module=V, index=i, tags={"Name": f"orders-api-prod-private-{AZS[i]}"},
        count=ref("var.nat_gateway_count"), refs={"vpc_id": "aws_vpc.this.id"})
res("aws_route", "public_internet", {"carrier_gateway_id": "", "core_network_arn": "", "destination_cidr_block": "0.0.0.0/0",
    "destination_ipv6_cidr_block": "", "destination_prefix_list_id": "", "egress_only_gateway_id": "", "gateway_id": IGW,
    "id": f"r-{RTB_PUB}1080289494", "instance_id": "", "instance_owner_id": "", "local_gateway_id": "", "nat_gateway_id": "",
    "network_interface_id": "", "origin": "CreateRoute", "route_table_id": RTB_PUB, "state": "active", "timeouts": None,
    "transit_gateway_id": "", "vpc_endpoint_id": "", "vpc_peering_connection_id": ""}, module=V, taggable=False,
    refs={"gateway_id": "aws_internet_gateway.this.id", "route_table_id": "aws_route_table.public.id"})
for i in range(2):
    res("aws_route", "private_nat", {"carrier_gateway_id": "", "core_network_arn": "", "destination_cidr_block": "0.0.0.0/0",
        "destination_ipv6_cidr_block": "", "destination_prefix_list_id": "", "egress_only_gateway_id": "", "gateway_id": "",
        "id": f"r-{RTB_PRIV[i]}1080289494", "instance_id": "", "instance_owner_id": "", "local_gateway_id": "", "nat_gateway_id": NAT[i],
        "network_interface_id": "", "origin": "CreateRoute", "route_table_id": RTB_PRIV[i], "state": "active", "timeouts": None,
        "transit_gateway_id": "", "vpc_endpoint_id": "", "vpc_peering_connection_id": ""}, module=V, index=i, taggable=False,
        count=ref("var.nat_gateway_count"), refs={"nat_gateway_id": ["aws_nat_gateway.this", "count.index"], "route_table_id": ["aws_route_table.private", "count.index"]})
for tier, ids in [("public", PUB), ("private", PRIV)]:
    for i in range(3):
        rtb = RTB_PUB if tier == "public" else RTB_PRIV[min(i, 1)]
        res("aws_route_table_association", tier, {"gateway_id": "", "id": f"rtbassoc-0{tier[:3]}7f3e2d1c0b9a8{i}", "route_table_id": rtb,
            "subnet_id": ids[i], "timeouts": None}, module=V, index=i, taggable=False, count=ref("var.azs"),
            refs={"subnet_id": [f"aws_subnet.{tier}", "count.index"], "route_table_id": [f"aws_route_table.{tier}"] if tier == "public" else ["aws_route_table.private", "count.index", "var.nat_gateway_count"]})
FLOW_LG = "/aws/vpc/orders-api-prod/flow-logs"
res("aws_cloudwatch_log_group", "flow_logs", {"arn": f"arn:aws:logs:{REGION}:{ACCT}:log-group:{FLOW_LG}", "id": FLOW_LG,
    "kms_key_id": KMS_LOGS_ARN, "log_group_class": "STANDARD", "name": FLOW_LG, "name_prefix": "", "retention_in_days": 90,
    "skip_destroy": False}, module=V, refs={"kms_key_id": "var.flow_log_kms_key_arn", "retention_in_days": "var.flow_log_retention_days"})
data("aws_iam_policy_document", "flow_logs_assume", policy_doc_values("flow_logs_assume",
     [stmt("", ["sts:AssumeRole"], None, principal={"Service": "vpc-flow-logs.amazonaws.com"})],
     [stmt_block("", ["sts:AssumeRole"], [], principals=[{"identifiers": ["vpc-flow-logs.amazonaws.com"], "type": "Service"}])]), module=V)
res("aws_iam_role", "flow_logs", {"arn": role_arn("orders-api-prod-flow-logs"), "assume_role_policy": assume("vpc-flow-logs.amazonaws.com"),
    "create_date": "2025-06-03T08:12:44Z", "description": "", "force_detach_policies": False, "id": "orders-api-prod-flow-logs",
    "inline_policy": [{"name": "flow-logs", "policy": doc(stmt("WriteFlowLogs", ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], [f"arn:aws:logs:{REGION}:{ACCT}:log-group:{FLOW_LG}:*"]))}],
    "managed_policy_arns": [], "max_session_duration": 3600, "name": "orders-api-prod-flow-logs", "name_prefix": "", "path": "/",
    "permissions_boundary": "", "unique_id": "AROAXB4KQ7Z2FLOWLOGS1"}, module=V,
    refs={"assume_role_policy": "data.aws_iam_policy_document.flow_logs_assume.json"})
res("aws_iam_role_policy", "flow_logs", {"id": "orders-api-prod-flow-logs:flow-logs", "name": "flow-logs", "name_prefix": "",
    "policy": doc(stmt("WriteFlowLogs", ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], [f"arn:aws:logs:{REGION}:{ACCT}:log-group:{FLOW_LG}:*"])),
    "role": "orders-api-prod-flow-logs"}, module=V, taggable=False, refs={"role": "aws_iam_role.flow_logs.id"})
res("aws_flow_log", "this", {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:vpc-flow-log/fl-0c2e4a6b8d1f3a5c7", "deliver_cross_account_role": "",
    "destination_options": [], "eni_id": None, "iam_role_arn": role_arn("orders-api-prod-flow-logs"), "id": "fl-0c2e4a6b8d1f3a5c7",
    "log_destination": f"arn:aws:logs:{REGION}:{ACCT}:log-group:{FLOW_LG}", "log_destination_type": "cloud-watch-logs",
    "log_format": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
    "log_group_name": FLOW_LG, "max_aggregation_interval": 600, "subnet_id": None, "traffic_type": "ALL", "transit_gateway_attachment_id": None,
    "transit_gateway_id": None, "vpc_id": VPC_ID}, module=V, tags={"Name": "orders-api-prod"},
    refs={"iam_role_arn": "aws_iam_role.flow_logs.arn", "log_destination": "aws_cloudwatch_log_group.flow_logs.arn", "vpc_id": "aws_vpc.this.id"})

# --- data sources read during planning -----------------------------------------
data("aws_caller_identity", "current", {"account_id": ACCT, "arn": f"arn:aws:sts::{ACCT}:assumed-role/terraform-deploy/ci-8841", "id": ACCT,
     "user_id": "AROAXB4KQ7Z2DEPLOY001:ci-8841"})
data("aws_region", "current", {"description": "Europe (Ireland)", "endpoint": f"ec2.{REGION}.amazonaws.com", "id": REGION, "name": REGION})
data("aws_route53_zone", "main", {"arn": f"arn:aws:route53:::hostedzone/{ZONE}", "caller_reference": "terraform-20240114", "comment": "",
     "id": ZONE, "linked_service_description": None, "linked_service_principal": None, "name": "shop.example.com",
     "name_servers": ["ns-1201.awsdns-22.org", "ns-331.awsdns-41.com", "ns-1712.awsdns-22.co.uk", "ns-802.awsdns-36.net"],
     "primary_name_server": "ns-1201.awsdns-22.org", "private_zone": False, "resource_record_set_count": 42, "tags": {}, "vpc_id": None, "zone_id": ZONE})
data("aws_elb_service_account", "main", {"arn": "arn:aws:iam::156460612806:root", "id": "156460612806", "region": None})

# --- security groups ----------------------------------------------------------------
for sg, desc in [("alb", "orders-api load balancer"), ("app", "orders-api ECS tasks"), ("db", "orders-api PostgreSQL"),
                 ("redis", "orders-api Redis"), ("lambda", "orders-api Lambda functions"), ("ops", "orders-api ops runner (SSM only, no inbound)")]:
    res("aws_security_group", sg, {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:security-group/{SG[sg]}", "description": desc, "egress": [],
        "id": SG[sg], "ingress": [], "name": f"orders-api-prod-{sg}", "name_prefix": "", "owner_id": ACCT,
        "revoke_rules_on_delete": False, "timeouts": None, "vpc_id": VPC_ID}, schema_version=1,
        tags={"Name": f"orders-api-prod-{sg}"}, refs={"vpc_id": "module.vpc.vpc_id"})
rules = [
    ("ingress", "alb_https", "alb", 443, 443, "tcp", {"cidr_ipv4": "0.0.0.0/0"}, "HTTPS from the internet"),
    ("ingress", "alb_http", "alb", 80, 80, "tcp", {"cidr_ipv4": "0.0.0.0/0"}, "HTTP from the internet (redirected to HTTPS)"),
    ("egress", "alb_to_app", "alb", 8080, 8080, "tcp", {"referenced_security_group_id": SG["app"]}, "to the ECS tasks"),
    ("ingress", "app_from_alb", "app", 8080, 8080, "tcp", {"referenced_security_group_id": SG["alb"]}, "from the load balancer"),
    ("egress", "app_https", "app", 443, 443, "tcp", {"cidr_ipv4": "0.0.0.0/0"}, "AWS APIs and payment provider"),
    ("egress", "app_to_db", "app", 5432, 5432, "tcp", {"referenced_security_group_id": SG["db"]}, "to PostgreSQL"),
    ("egress", "app_to_redis", "app", 6379, 6379, "tcp", {"referenced_security_group_id": SG["redis"]}, "to Redis"),
    ("ingress", "db_from_app", "db", 5432, 5432, "tcp", {"referenced_security_group_id": SG["app"]}, "PostgreSQL from the ECS tasks"),
    ("ingress", "db_from_lambda", "db", 5432, 5432, "tcp", {"referenced_security_group_id": SG["lambda"]}, "PostgreSQL from the workers"),
    ("ingress", "redis_from_app", "redis", 6379, 6379, "tcp", {"referenced_security_group_id": SG["app"]}, "Redis from the ECS tasks"),
    ("egress", "lambda_https", "lambda", 443, 443, "tcp", {"cidr_ipv4": "0.0.0.0/0"}, "AWS APIs"),
    ("egress", "ops_https", "ops", 443, 443, "tcp", {"cidr_ipv4": "0.0.0.0/0"}, "SSM and package mirrors"),
]
for n, (kind, name, sg, lo, hi, proto, peer, desc) in enumerate(rules):
    typ = f"aws_vpc_security_group_{kind}_rule"
    rid = f"sgr-0{n:02d}4e6a8c0b2d4f6a8"
    vals = {"arn": f"arn:aws:ec2:{REGION}:{ACCT}:security-group-rule/{rid}", "cidr_ipv4": None, "cidr_ipv6": None, "description": desc,
            "from_port": lo, "id": rid, "ip_protocol": proto, "prefix_list_id": None, "referenced_security_group_id": None,
            "security_group_id": SG[sg], "security_group_rule_id": rid, "to_port": hi}
    vals.update(peer)
    r = {"security_group_id": f"aws_security_group.{sg}.id"}
    if "referenced_security_group_id" in peer:
        other = [k for k, v in SG.items() if v == peer["referenced_security_group_id"]][0]
        r["referenced_security_group_id"] = f"aws_security_group.{other}.id"
    res(typ, name, vals, refs=r)

# --- certificate and DNS ----------------------------------------------------------------
API = f"api.{DOMAIN}"
dvo = [{"domain_name": d, "resource_record_name": f"_{h}.{d}.", "resource_record_type": "CNAME",
        "resource_record_value": f"_{h[::-1]}.mhbtsbpdnt.acm-validations.aws."}
       for d, h in [(API, "3c9e1f0b7a2d5e8c4f6a1b3d9e0c7f25")]]
res("aws_acm_certificate", "api", {"arn": CERT_ARN, "certificate_authority_arn": "", "certificate_body": None, "certificate_chain": None,
    "domain_name": API, "domain_validation_options": dvo, "early_renewal_duration": "", "id": CERT_ARN, "key_algorithm": "RSA_2048",
    "not_after": "2026-09-14T23:59:59Z", "not_before": "2025-08-16T00:00:00Z", "options": [{"certificate_transparency_logging_preference": "ENABLED"}],
    "pending_renewal": False, "private_key": None, "renewal_eligibility": "ELIGIBLE", "renewal_summary": [], "status": "ISSUED",
    "subject_alternative_names": [API], "type": "AMAZON_ISSUED", "validation_emails": [], "validation_method": "DNS",
    "validation_option": []}, sensitive=("private_key",))
for d in dvo:
    res("aws_route53_record", "cert_validation", {"alias": [], "allow_overwrite": True, "cidr_routing_policy": [], "failover_routing_policy": [],
        "fqdn": d["resource_record_name"].rstrip("."), "geolocation_routing_policy": [], "geoproximity_routing_policy": [], "health_check_id": "",
        "id": f"{ZONE}_{d['resource_record_name']}_CNAME", "latency_routing_policy": [], "multivalue_answer_routing_policy": False,
        "name": d["resource_record_name"], "records": [d["resource_record_value"]], "set_identifier": "", "ttl": 60, "type": "CNAME",
        "weighted_routing_policy": [], "zone_id": ZONE}, index=d["domain_name"], taggable=False,
        for_each={"references": ["aws_acm_certificate.api.domain_validation_options", "aws_acm_certificate.api"]},
        refs={"zone_id": "data.aws_route53_zone.main.zone_id", "name": "each.value.name", "records": "each.value.record", "type": "each.value.type"})
res("aws_acm_certificate_validation", "api", {"certificate_arn": CERT_ARN, "id": "2025-08-16 09:03:11.482 +0000 UTC", "timeouts": None,
    "validation_record_fqdns": sorted(d["resource_record_name"].rstrip(".") for d in dvo)}, taggable=False,
    refs={"certificate_arn": "aws_acm_certificate.api.arn", "validation_record_fqdns": "aws_route53_record.cert_validation"})
for rtype in ["A"]:
    res("aws_route53_record", "api" if rtype == "A" else "api_ipv6", {"alias": [{"evaluate_target_health": True, "name": ALB_DNS, "zone_id": ALB_ZONE}],
        "allow_overwrite": None, "cidr_routing_policy": [], "failover_routing_policy": [], "fqdn": API, "geolocation_routing_policy": [],
        "geoproximity_routing_policy": [], "health_check_id": "", "id": f"{ZONE}_{API}_{rtype}", "latency_routing_policy": [],
        "multivalue_answer_routing_policy": False, "name": API, "records": [], "set_identifier": "", "ttl": 0, "type": rtype,
        "weighted_routing_policy": [], "zone_id": ZONE}, taggable=False,
        refs={"zone_id": "data.aws_route53_zone.main.zone_id", "alias.name": "aws_lb.main.dns_name"})
res("aws_route53_health_check", "api", {"arn": "arn:aws:route53:::healthcheck/" + "UNKNOWN", "child_health_threshold": 0, "child_healthchecks": [],
    "cloudwatch_alarm_name": None, "cloudwatch_alarm_region": None, "disabled": False, "enable_sni": True, "failure_threshold": 3,
    "fqdn": API, "id": "x", "insufficient_data_health_status": "", "invert_healthcheck": False, "ip_address": None, "measure_latency": False,
    "port": 443, "reference_name": "orders-api-prod", "regions": ["eu-west-1", "us-east-1", "us-west-2"], "request_interval": 30,
    "resource_path": "/healthz", "routing_control_arn": None, "search_string": None, "triggers": None, "type": "HTTPS"},
    action="create", tags={"Name": "orders-api-prod-health"}, refs={"fqdn": "aws_route53_record.api.fqdn"})
# Route 53 health-check metrics live in us-east-1, so the alarm and its topic
# use the aws.us_east_1 provider, which was declared without default_tags.
res("aws_sns_topic", "alerts_us_east_1", {"application_failure_feedback_role_arn": "", "application_success_feedback_role_arn": "",
    "application_success_feedback_sample_rate": 0, "archive_policy": "", "arn": "x", "beginning_archive_time": "", "content_based_deduplication": False,
    "delivery_policy": "", "display_name": "", "fifo_topic": False, "firehose_failure_feedback_role_arn": "", "firehose_success_feedback_role_arn": "",
    "firehose_success_feedback_sample_rate": 0, "http_failure_feedback_role_arn": "", "http_success_feedback_role_arn": "",
    "http_success_feedback_sample_rate": 0, "id": "x", "kms_master_key_id": "", "lambda_failure_feedback_role_arn": "",
    "lambda_success_feedback_role_arn": "", "lambda_success_feedback_sample_rate": 0, "name": "orders-api-prod-alerts-us-east-1",
    "name_prefix": "", "owner": ACCT, "policy": "", "signature_version": 0, "sqs_failure_feedback_role_arn": "",
    "sqs_success_feedback_role_arn": "", "sqs_success_feedback_sample_rate": 0, "tracing_config": ""},
    action="create", provider="aws.us_east_1", unknown=("id", "arn", "policy", "owner", "beginning_archive_time", "signature_version", "tracing_config"))
res("aws_cloudwatch_metric_alarm", "api_health", {"actions_enabled": True, "alarm_actions": ["x"], "alarm_description": "api.orders health check failing from 2+ regions",
    "alarm_name": "orders-api-prod-health-check", "arn": "x", "comparison_operator": "LessThanThreshold", "datapoints_to_alarm": None,
    "dimensions": {}, "evaluate_low_sample_count_percentiles": "", "evaluation_periods": 2, "extended_statistic": None,
    "id": "x", "insufficient_data_actions": [], "metric_name": "HealthCheckStatus", "metric_query": [], "namespace": "AWS/Route53",
    "ok_actions": ["x"], "period": 60, "statistic": "Minimum", "threshold": 1, "threshold_metric_id": None, "treat_missing_data": "breaching",
    "unit": None}, action="create", provider="aws.us_east_1", unknown=("id", "arn", "alarm_actions", "ok_actions", "evaluate_low_sample_count_percentiles"),
    refs={"alarm_actions": "aws_sns_topic.alerts_us_east_1.arn", "ok_actions": "aws_sns_topic.alerts_us_east_1.arn", "dimensions": "aws_route53_health_check.api.id"})

# --- load balancer -----------------------------------------------------------------------
res("aws_lb", "main", {"access_logs": [{"bucket": f"orders-api-prod-alb-logs-{ACCT}", "enabled": True, "prefix": "alb"}], "arn": ALB_ARN,
    "arn_suffix": "app/orders-api-prod/7c1e5d2a9b3f4e60", "client_keep_alive": 3600, "connection_logs": [{"bucket": "", "enabled": False, "prefix": ""}],
    "customer_owned_ipv4_pool": "", "desync_mitigation_mode": "defensive", "dns_name": ALB_DNS, "dns_record_client_routing_policy": None,
    "drop_invalid_header_fields": True, "enable_cross_zone_load_balancing": True, "enable_deletion_protection": True, "enable_http2": True,
    "enable_tls_version_and_cipher_suite_headers": False, "enable_waf_fail_open": False, "enable_xff_client_port": False,
    "enforce_security_group_inbound_rules_on_private_link_traffic": "", "id": ALB_ARN, "idle_timeout": 60, "internal": False,
    "ip_address_type": "dualstack", "load_balancer_type": "application", "name": "orders-api-prod", "name_prefix": "",
    "preserve_host_header": False, "security_groups": [SG["alb"]], "subnet_mapping": [{"allocation_id": "", "ipv6_address": "", "outpost_id": "",
    "private_ipv4_address": "", "subnet_id": s} for s in PUB], "subnets": PUB, "timeouts": None, "vpc_id": VPC_ID,
    "xff_header_processing_mode": "append", "zone_id": ALB_ZONE}, tags={"Name": "orders-api-prod"},
    refs={"security_groups": "aws_security_group.alb.id", "subnets": "module.vpc.public_subnet_ids", "access_logs.bucket": "aws_s3_bucket.alb_logs.id"})
res("aws_lb_target_group", "app", {"arn": TG_ARN, "arn_suffix": "targetgroup/orders-api-prod/2b9d4e7f1a3c5e80", "connection_termination": None,
    "deregistration_delay": "30", "health_check": [{"enabled": True, "healthy_threshold": 3, "interval": 15, "matcher": "200", "path": "/healthz",
    "port": "traffic-port", "protocol": "HTTP", "timeout": 5, "unhealthy_threshold": 3}], "id": TG_ARN, "ip_address_type": "ipv4",
    "lambda_multi_value_headers_enabled": False, "load_balancer_arns": [ALB_ARN], "load_balancing_algorithm_type": "least_outstanding_requests",
    "load_balancing_anomaly_mitigation": "off", "load_balancing_cross_zone_enabled": "use_load_balancer_configuration", "name": "orders-api-prod",
    "name_prefix": "", "port": 8080, "preserve_client_ip": None, "protocol": "HTTP", "protocol_version": "HTTP1", "proxy_protocol_v2": False,
    "slow_start": 30, "stickiness": [{"cookie_duration": 86400, "cookie_name": "", "enabled": False, "type": "lb_cookie"}],
    "target_failover": [{"on_deregistration": None, "on_unhealthy": None}], "target_group_health": [], "target_health_state": [],
    "target_type": "ip", "vpc_id": VPC_ID}, tags={"Name": "orders-api-prod"}, refs={"vpc_id": "module.vpc.vpc_id"})
res("aws_lb_listener", "https", {"alpn_policy": None, "arn": ALB_ARN.replace(":loadbalancer/", ":listener/") + "/4f1a6c9e2b7d3a05",
    "certificate_arn": CERT_ARN, "default_action": [{"authenticate_cognito": [], "authenticate_oidc": [], "fixed_response": [], "forward": [],
    "order": 1, "redirect": [], "target_group_arn": TG_ARN, "type": "forward"}], "id": ALB_ARN.replace(":loadbalancer/", ":listener/") + "/4f1a6c9e2b7d3a05",
    "load_balancer_arn": ALB_ARN, "mutual_authentication": [], "port": 443, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "tcp_idle_timeout_seconds": None, "timeouts": None}, schema_version=1, tags={"Name": "orders-api-prod-https"},
    refs={"load_balancer_arn": "aws_lb.main.arn", "certificate_arn": "aws_acm_certificate_validation.api.certificate_arn", "default_action.target_group_arn": "aws_lb_target_group.app.arn"})
res("aws_lb_listener", "http_redirect", {"alpn_policy": None, "arn": ALB_ARN.replace(":loadbalancer/", ":listener/") + "/9c2e5a8d1f4b7e36",
    "certificate_arn": None, "default_action": [{"authenticate_cognito": [], "authenticate_oidc": [], "fixed_response": [], "forward": [], "order": 1,
    "redirect": [{"host": "#{host}", "path": "/#{path}", "port": "443", "protocol": "HTTPS", "query": "#{query}", "status_code": "HTTP_301"}],
    "target_group_arn": "", "type": "redirect"}], "id": ALB_ARN.replace(":loadbalancer/", ":listener/") + "/9c2e5a8d1f4b7e36",
    "load_balancer_arn": ALB_ARN, "mutual_authentication": [], "port": 80, "protocol": "HTTP", "ssl_policy": "", "tcp_idle_timeout_seconds": None,
    "timeouts": None}, schema_version=1, tags={"Name": "orders-api-prod-http-redirect"}, refs={"load_balancer_arn": "aws_lb.main.arn"})

# --- log groups (KMS, retention) -----------------------------------------------------------
for lg, path, days in [("app", "/ecs/orders-api-prod", 30), ("worker", "/aws/lambda/orders-api-prod-worker", 30),
                       ]:  # the cleanup function's log group was never imported: Lambda created it (no KMS, never expires)
    res("aws_cloudwatch_log_group", lg, {"arn": f"arn:aws:logs:{REGION}:{ACCT}:log-group:{path}", "id": path, "kms_key_id": KMS_LOGS_ARN,
        "log_group_class": "STANDARD", "name": path, "name_prefix": "", "retention_in_days": days, "skip_destroy": False},
        refs={"kms_key_id": "aws_kms_key.logs.arn"})

# --- IAM ---------------------------------------------------------------------------------------
TASK_EXEC = "orders-api-prod-task-execution"
TASK = "orders-api-prod-task"
WORKER = "orders-api-prod-worker"
CLEANUP = "orders-api-prod-cleanup"
for n, (key, rname, svc) in enumerate([("task_execution", TASK_EXEC, "ecs-tasks.amazonaws.com"), ("task", TASK, "ecs-tasks.amazonaws.com"),
                                       ("worker", WORKER, "lambda.amazonaws.com"), ("cleanup", CLEANUP, "lambda.amazonaws.com"),
                                       ("rds_monitoring", "orders-api-prod-rds-monitoring", "monitoring.rds.amazonaws.com"),
                                       ("ops", "orders-api-prod-ops", "ec2.amazonaws.com")]):
    res("aws_iam_role", key, {"arn": role_arn(rname), "assume_role_policy": assume(svc), "create_date": f"2025-06-03T08:1{n}:05Z",
        "description": "", "force_detach_policies": False, "id": rname, "inline_policy": [], "managed_policy_arns": [],
        "max_session_duration": 3600, "name": rname, "name_prefix": "", "path": "/", "permissions_boundary": f"arn:aws:iam::{ACCT}:policy/workload-boundary",
        "unique_id": f"AROAXB4KQ7Z2{key.upper()[:8]:X<8}{n}"}, refs={"assume_role_policy": f"data.aws_iam_policy_document.assume_{svc.split('.')[0].replace('-', '_')}.json"})
for svc in ["ecs-tasks", "lambda", "monitoring", "ec2"]:
    full = f"{svc}.amazonaws.com" if svc != "monitoring" else "monitoring.rds.amazonaws.com"
    data("aws_iam_policy_document", f"assume_{svc.replace('-', '_')}", policy_doc_values(svc, [stmt("", ["sts:AssumeRole"], None, principal={"Service": full})],
         [stmt_block("", ["sts:AssumeRole"], [], principals=[{"identifiers": [full], "type": "Service"}])]))
for key, role, pol in [("task_execution", TASK_EXEC, "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
                       ("worker_vpc", WORKER, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"),
                       ("cleanup_basic", CLEANUP, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
                       ("rds_monitoring", "orders-api-prod-rds-monitoring", "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
                       ("ops_ssm", "orders-api-prod-ops", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")]:
    res("aws_iam_role_policy_attachment", key, {"id": f"{role}-20250603081{len(key) % 10}0000000{len(role) % 10}", "policy_arn": pol, "role": role},
        taggable=False, refs={"role": f"aws_iam_role.{key.split('_')[0] if key != 'task_execution' and key != 'rds_monitoring' else key}.name"})
TABLE = "orders-api-prod-idempotency"
BUCKET_ASSETS = f"orders-api-prod-assets-{ACCT}"
BUCKET_EXPORTS = f"orders-api-prod-exports-{ACCT}"
Q = f"arn:aws:sqs:{REGION}:{ACCT}:orders-api-prod-order-events"
task_old = [
    stmt("Queue", ["sqs:SendMessage"], [Q]),
    stmt("Assets", ["s3:GetObject", "s3:PutObject"], [f"arn:aws:s3:::{BUCKET_ASSETS}/*"]),
    stmt("Secrets", ["ssm:GetParameters", "ssm:GetParameter"], [f"arn:aws:ssm:{REGION}:{ACCT}:parameter/orders-api/prod/*"]),
    stmt("Kms", ["kms:Decrypt", "kms:GenerateDataKey"], [KMS_MAIN_ARN]),
]
task_blocks = [stmt_block(s["Sid"], s["Action"] if isinstance(s["Action"], list) else [s["Action"]], s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]) for s in task_old]
# The task policy document names the new table's ARN, so it is read during apply.
res("aws_iam_policy_document", "task", {**policy_doc_values("task", task_old, task_blocks + [
    stmt_block("Idempotency", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], None),
    stmt_block("Exports", ["s3:PutObject"], None)], json_known=False)}, mode="data", action="read", unknown=("id", "json", "minified_json"),
    taggable=False, reason="read_because_config_unknown", refs={"statement.resources": ["aws_dynamodb_table.idempotency.arn", "aws_s3_bucket.exports.arn"]})
ch = changes[-1]["change"]
ch["after_unknown"]["statement"][4]["resources"] = True
ch["after_unknown"]["statement"][5]["resources"] = True
del ch["after"]["statement"][4]["resources"], ch["after"]["statement"][5]["resources"]
for e in planned[None][-1:]:
    del e["values"]["statement"][4]["resources"], e["values"]["statement"][5]["resources"]
POLICY_ARN = f"arn:aws:iam::{ACCT}:policy/orders-api-prod-task"
res("aws_iam_policy", "task", {"arn": POLICY_ARN, "attachment_count": 1, "description": "orders-api task permissions", "id": POLICY_ARN,
    "name": "orders-api-prod-task", "name_prefix": "", "path": "/", "policy": UNK, "policy_id": "ANPAXB4KQ7Z2TASKPOL01"}, action="update",
    before={"arn": POLICY_ARN, "attachment_count": 1, "description": "orders-api task permissions", "id": POLICY_ARN, "name": "orders-api-prod-task",
            "name_prefix": "", "path": "/", "policy": doc(*task_old), "policy_id": "ANPAXB4KQ7Z2TASKPOL01", "tags": None, "tags_all": DEFAULT_TAGS},
    refs={"policy": "data.aws_iam_policy_document.task.json"})
res("aws_iam_role_policy_attachment", "task", {"id": f"{TASK}-20250603081500000003", "policy_arn": POLICY_ARN, "role": TASK}, taggable=False,
    refs={"role": "aws_iam_role.task.name", "policy_arn": "aws_iam_policy.task.arn"})
res("aws_iam_role_policy", "worker", {"id": f"{WORKER}:worker", "name": "worker", "name_prefix": "", "role": WORKER, "policy": doc(
    stmt("Consume", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], [Q]),
    stmt("Kms", ["kms:Decrypt"], [KMS_MAIN_ARN]),
    stmt("DbSecret", ["ssm:GetParameter"], [f"arn:aws:ssm:{REGION}:{ACCT}:parameter/orders-api/prod/db/password"]))},
    taggable=False, refs={"role": "aws_iam_role.worker.id", "policy": "data.aws_iam_policy_document.worker.json"})
res("aws_iam_instance_profile", "ops", {"arn": f"arn:aws:iam::{ACCT}:instance-profile/orders-api-prod-ops", "create_date": "2025-06-03T08:22:31Z",
    "id": "orders-api-prod-ops", "name": "orders-api-prod-ops", "name_prefix": "", "path": "/", "role": "orders-api-prod-ops",
    "unique_id": "AIPAXB4KQ7Z2OPSPROF01"}, refs={"role": "aws_iam_role.ops.name"})

# --- ECS ------------------------------------------------------------------------------------------
res("aws_ecs_cluster", "main", {"arn": CLUSTER_ARN, "configuration": [{"execute_command_configuration": [{"kms_key_id": KMS_MAIN_ARN,
    "log_configuration": [], "logging": "DEFAULT"}], "managed_storage_configuration": []}], "id": CLUSTER_ARN, "name": "orders-api-prod",
    "service_connect_defaults": [], "setting": [{"name": "containerInsights", "value": "enabled"}]}, refs={"configuration.kms_key_id": "aws_kms_key.main.arn"})


def containers(tag):
    return json.dumps([{
        "name": "orders-api", "image": f"{ACCT}.dkr.ecr.{REGION}.amazonaws.com/orders-api:{tag}", "essential": True,
        "cpu": 0, "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        "environment": [{"name": "AWS_REGION", "value": REGION}, {"name": "DB_HOST", "value": f"orders-api-prod.c9x2k4mzq7ab.{REGION}.rds.amazonaws.com"},
                        {"name": "IDEMPOTENCY_TABLE", "value": TABLE}, {"name": "LOG_LEVEL", "value": "info"},
                        {"name": "REDIS_HOST", "value": "master.orders-api-prod.x7kq2m.euw1.cache.amazonaws.com"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"arn:aws:ssm:{REGION}:{ACCT}:parameter/orders-api/prod/db/password"},
                    {"name": "REDIS_AUTH_TOKEN", "valueFrom": f"arn:aws:ssm:{REGION}:{ACCT}:parameter/orders-api/prod/redis/auth-token"},
                    {"name": "STRIPE_WEBHOOK_SECRET", "valueFrom": f"arn:aws:ssm:{REGION}:{ACCT}:parameter/orders-api/prod/stripe/webhook-secret"}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/orders-api-prod", "awslogs-region": REGION, "awslogs-stream-prefix": "app"}},
        "healthCheck": {"command": ["CMD-SHELL", "wget -qO- http://localhost:8080/healthz || exit 1"], "interval": 15, "retries": 3, "startPeriod": 30, "timeout": 5},
        "readonlyRootFilesystem": True, "user": "10001", "mountPoints": [], "volumesFrom": [], "systemControls": [],
        "ulimits": [{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}]}], separators=(",", ":"))


TD_OLD = f"arn:aws:ecs:{REGION}:{ACCT}:task-definition/orders-api-prod:41"
td = {"arn": UNK, "arn_without_revision": UNK, "container_definitions": containers("1.42.0"), "cpu": "1024", "enable_fault_injection": False,
      "ephemeral_storage": [], "execution_role_arn": role_arn(TASK_EXEC), "family": "orders-api-prod", "id": UNK, "inference_accelerator": [],
      "ipc_mode": None, "memory": "2048", "network_mode": "awsvpc", "pid_mode": None, "placement_constraints": [], "proxy_configuration": [],
      "requires_compatibilities": ["FARGATE"], "revision": UNK, "runtime_platform": [{"cpu_architecture": "ARM64", "operating_system_family": "LINUX"}],
      "skip_destroy": True, "task_role_arn": role_arn(TASK), "track_latest": False, "volume": []}
td_before = {**{k: v for k, v in td.items()}, "arn": TD_OLD, "arn_without_revision": TD_OLD.rsplit(":", 1)[0], "id": "orders-api-prod",
             "revision": 41, "container_definitions": containers("1.41.3"), "tags": None, "tags_all": DEFAULT_TAGS}
res("aws_ecs_task_definition", "app", td, action="replace", before=td_before, schema_version=1, unknown=("id", "arn", "arn_without_revision", "revision"),
    reason="replace_because_cannot_update", replace_paths=[["container_definitions"]],
    refs={"container_definitions": ["var.image_tag", "aws_cloudwatch_log_group.app.name", "aws_db_instance.main.address", "aws_dynamodb_table.idempotency.name"],
          "execution_role_arn": "aws_iam_role.task_execution.arn", "task_role_arn": "aws_iam_role.task.arn"})
SVC_ID = f"arn:aws:ecs:{REGION}:{ACCT}:service/orders-api-prod/orders-api"
svc = {"alarms": [], "availability_zone_rebalancing": "DISABLED", "capacity_provider_strategy": [], "cluster": CLUSTER_ARN,
       "deployment_circuit_breaker": [{"enable": True, "rollback": True}], "deployment_controller": [{"type": "ECS"}],
       "deployment_maximum_percent": 200, "deployment_minimum_healthy_percent": 100, "desired_count": 3, "enable_ecs_managed_tags": True,
       "enable_execute_command": False, "force_delete": None, "force_new_deployment": None, "health_check_grace_period_seconds": 60,
       "iam_role": "/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", "id": SVC_ID, "launch_type": "FARGATE",
       "load_balancer": [{"container_name": "orders-api", "container_port": 8080, "elb_name": "", "target_group_arn": TG_ARN}],
       "name": "orders-api", "network_configuration": [{"assign_public_ip": False, "security_groups": [SG["app"]], "subnets": PRIV}],
       "ordered_placement_strategy": [], "placement_constraints": [], "platform_version": "LATEST", "propagate_tags": "SERVICE",
       "scheduling_strategy": "REPLICA", "service_connect_configuration": [], "service_registries": [], "task_definition": UNK,
       "timeouts": None, "triggers": {}, "volume_configuration": [], "vpc_lattice_configurations": [], "wait_for_steady_state": True}
res("aws_ecs_service", "app", svc, action="update", before={**{k: v for k, v in svc.items()}, "task_definition": TD_OLD, "tags": None, "tags_all": DEFAULT_TAGS},
    unknown=(), refs={"cluster": "aws_ecs_cluster.main.id", "task_definition": "aws_ecs_task_definition.app.arn",
                      "load_balancer.target_group_arn": "aws_lb_target_group.app.arn", "network_configuration.subnets": "module.vpc.private_subnet_ids"})
res("aws_appautoscaling_target", "app", {"arn": f"arn:aws:application-autoscaling:{REGION}:{ACCT}:scalable-target/0ec5a1b2c3d4e5f6a7b8c9d0e1f2a3b4",
    "id": "service/orders-api-prod/orders-api", "max_capacity": 12, "min_capacity": 3, "resource_id": "service/orders-api-prod/orders-api",
    "role_arn": f"arn:aws:iam::{ACCT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
    "scalable_dimension": "ecs:service:DesiredCount", "service_namespace": "ecs", "suspended_state": [{"dynamic_scaling_in_suspended": False,
    "dynamic_scaling_out_suspended": False, "scheduled_scaling_suspended": False}]}, refs={"resource_id": ["aws_ecs_cluster.main.name", "aws_ecs_service.app.name"]})
res("aws_appautoscaling_policy", "cpu", {"alarm_arns": [f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:TargetTracking-service/orders-api-prod/orders-api-AlarmHigh-1b2c"],
    "arn": f"arn:aws:autoscaling:{REGION}:{ACCT}:scalingPolicy:0ec5a1b2:resource/ecs/service/orders-api-prod/orders-api:policyName/cpu-60",
    "id": "cpu-60", "name": "cpu-60", "policy_type": "TargetTrackingScaling", "resource_id": "service/orders-api-prod/orders-api",
    "scalable_dimension": "ecs:service:DesiredCount", "service_namespace": "ecs", "step_scaling_policy_configuration": [],
    "target_tracking_scaling_policy_configuration": [{"customized_metric_specification": [], "disable_scale_in": False,
    "predefined_metric_specification": [{"predefined_metric_type": "ECSServiceAverageCPUUtilization", "resource_label": ""}],
    "scale_in_cooldown": 300, "scale_out_cooldown": 60, "target_value": 60}]}, taggable=False,
    refs={"resource_id": "aws_appautoscaling_target.app.resource_id"})

# --- RDS PostgreSQL ----------------------------------------------------------------------------
res("aws_db_subnet_group", "main", {"arn": f"arn:aws:rds:{REGION}:{ACCT}:subgrp:orders-api-prod", "description": "Managed by Terraform",
    "id": "orders-api-prod", "name": "orders-api-prod", "name_prefix": "", "subnet_ids": PRIV, "supported_network_types": ["IPV4"],
    "vpc_id": VPC_ID}, refs={"subnet_ids": "module.vpc.private_subnet_ids"})
res("aws_db_parameter_group", "postgres16", {"arn": f"arn:aws:rds:{REGION}:{ACCT}:pg:orders-api-prod-pg16", "description": "Managed by Terraform",
    "family": "postgres16", "id": "orders-api-prod-pg16", "name": "orders-api-prod-pg16", "name_prefix": "",
    "parameter": [{"apply_method": "pending-reboot", "name": "rds.force_ssl", "value": "1"},
                  {"apply_method": "immediate", "name": "log_min_duration_statement", "value": "500"},
                  {"apply_method": "pending-reboot", "name": "shared_preload_libraries", "value": "pg_stat_statements"}],
    "skip_destroy": False})
DB = "orders-api-prod"
res("aws_db_instance", "main", {"address": f"{DB}.c9x2k4mzq7ab.{REGION}.rds.amazonaws.com", "allocated_storage": 200,
    "allow_major_version_upgrade": None, "apply_immediately": False, "arn": f"arn:aws:rds:{REGION}:{ACCT}:db:{DB}", "auto_minor_version_upgrade": True,
    "availability_zone": "eu-west-1b", "backup_retention_period": 14, "backup_target": "region", "backup_window": "02:00-03:00",
    "blue_green_update": [], "ca_cert_identifier": "rds-ca-rsa2048-g1", "character_set_name": "", "copy_tags_to_snapshot": True,
    "custom_iam_instance_profile": "", "customer_owned_ip_enabled": False, "db_name": "orders", "db_subnet_group_name": DB,
    "dedicated_log_volume": False, "delete_automated_backups": False, "deletion_protection": True, "domain": "", "domain_auth_secret_arn": "",
    "domain_dns_ips": [], "domain_fqdn": "", "domain_iam_role_name": "", "domain_ou": "", "enabled_cloudwatch_logs_exports": ["postgresql", "upgrade"],
    "endpoint": f"{DB}.c9x2k4mzq7ab.{REGION}.rds.amazonaws.com:5432", "engine": "postgres", "engine_lifecycle_support": "open-source-rds-extended-support",
    "engine_version": "16.4", "engine_version_actual": "16.4", "final_snapshot_identifier": "orders-api-prod-final", "hosted_zone_id": "Z29XKXDKYMONMX",
    "iam_database_authentication_enabled": True, "id": "db-K7Q2ZP4XN3M5VWR8T6YB1CDE9F", "identifier": DB, "identifier_prefix": "", "instance_class": "db.r6g.xlarge",
    "iops": 3000, "kms_key_id": KMS_MAIN_ARN, "latest_restorable_time": "2026-03-12T09:35:00Z", "license_model": "postgresql-license",
    "listener_endpoint": [], "maintenance_window": "sun:03:30-sun:04:30", "manage_master_user_password": None, "master_user_secret": [],
    "master_user_secret_kms_key_id": None, "max_allocated_storage": 1000, "monitoring_interval": 60,
    "monitoring_role_arn": role_arn("orders-api-prod-rds-monitoring"), "multi_az": True, "nchar_character_set_name": "", "network_type": "IPV4",
    "option_group_name": "default:postgres-16", "parameter_group_name": "orders-api-prod-pg16", "password": SECRETS["db_password"], "password_wo": None,
    "performance_insights_enabled": True, "performance_insights_kms_key_id": KMS_MAIN_ARN, "performance_insights_retention_period": 7,
    "port": 5432, "publicly_accessible": False, "replica_mode": "", "replicas": [], "replicate_source_db": "", "resource_id": "db-K7Q2ZP4XN3M5VWR8T6YB1CDE9F",
    "restore_to_point_in_time": [], "s3_import": [], "skip_final_snapshot": False, "snapshot_identifier": None, "status": "available",
    "storage_encrypted": True, "storage_throughput": 125, "storage_type": "gp3", "timeouts": None, "timezone": "", "upgrade_storage_config": None,
    "username": "orders_admin", "vpc_security_group_ids": [SG["db"]]}, schema_version=2, sensitive=("password",),
    refs={"password": "var.db_password", "kms_key_id": "aws_kms_key.main.arn", "performance_insights_kms_key_id": "aws_kms_key.main.arn",
          "db_subnet_group_name": "aws_db_subnet_group.main.name", "parameter_group_name": "aws_db_parameter_group.postgres16.name",
          "monitoring_role_arn": "aws_iam_role.rds_monitoring.arn", "vpc_security_group_ids": "aws_security_group.db.id"})

# --- ElastiCache Redis ----------------------------------------------------------------------------
res("aws_elasticache_subnet_group", "main", {"arn": f"arn:aws:elasticache:{REGION}:{ACCT}:subnetgroup:orders-api-prod", "description": "Managed by Terraform",
    "id": "orders-api-prod", "name": "orders-api-prod", "subnet_ids": PRIV, "vpc_id": VPC_ID}, refs={"subnet_ids": "module.vpc.private_subnet_ids"})
res("aws_elasticache_replication_group", "main", {"apply_immediately": None, "arn": f"arn:aws:elasticache:{REGION}:{ACCT}:replicationgroup:orders-api-prod",
    "at_rest_encryption_enabled": "true", "auth_token": SECRETS["redis_auth_token"], "auth_token_update_strategy": "ROTATE", "auto_minor_version_upgrade": "true",
    "automatic_failover_enabled": True, "cluster_enabled": False, "cluster_mode": "disabled", "configuration_endpoint_address": "",
    "data_tiering_enabled": False, "description": "orders-api sessions and rate limits", "engine": "redis", "engine_version": "7.1",
    "engine_version_actual": "7.1.0", "final_snapshot_identifier": None, "global_replication_group_id": "", "id": "orders-api-prod",
    "ip_discovery": "ipv4", "kms_key_id": KMS_MAIN_ARN, "log_delivery_configuration": [], "maintenance_window": "sun:04:30-sun:05:30",
    "member_clusters": ["orders-api-prod-001", "orders-api-prod-002"], "multi_az_enabled": True, "network_type": "ipv4", "node_type": "cache.r7g.large",
    "notification_topic_arn": None, "num_cache_clusters": 2, "num_node_groups": 1, "parameter_group_name": "default.redis7",
    "port": 6379, "preferred_cache_cluster_azs": None, "primary_endpoint_address": "master.orders-api-prod.x7kq2m.euw1.cache.amazonaws.com",
    "reader_endpoint_address": "replica.orders-api-prod.x7kq2m.euw1.cache.amazonaws.com", "replicas_per_node_group": 1,
    "replication_group_id": "orders-api-prod", "security_group_ids": [SG["redis"]], "security_group_names": [], "snapshot_arns": None,
    "snapshot_name": None, "snapshot_retention_limit": 3, "snapshot_window": "01:00-02:00", "subnet_group_name": "orders-api-prod", "timeouts": None,
    "transit_encryption_enabled": True, "transit_encryption_mode": "required", "user_group_ids": None}, schema_version=2, sensitive=("auth_token",),
    refs={"auth_token": "var.redis_auth_token", "kms_key_id": "aws_kms_key.main.arn", "security_group_ids": "aws_security_group.redis.id",
          "subnet_group_name": "aws_elasticache_subnet_group.main.name"})

# --- S3 -----------------------------------------------------------------------------------------------
BUCKET_LOGS = f"orders-api-prod-alb-logs-{ACCT}"


def bucket(key, name, action="no-op"):
    res("aws_s3_bucket", key, {"acceleration_status": "", "acl": None, "arn": f"arn:aws:s3:::{name}", "bucket": name,
        "bucket_domain_name": f"{name}.s3.amazonaws.com", "bucket_prefix": "", "bucket_regional_domain_name": f"{name}.s3.{REGION}.amazonaws.com",
        "cors_rule": [], "force_destroy": False, "grant": [{"id": "c7e2a1f09b3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f", "permissions": ["FULL_CONTROL"],
        "type": "CanonicalUser", "uri": ""}], "hosted_zone_id": "Z1BKCTXD74EZPE", "id": name, "lifecycle_rule": [], "logging": [],
        "object_lock_configuration": [], "object_lock_enabled": False, "policy": "", "region": REGION, "replication_configuration": [],
        "request_payer": "BucketOwner", "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default": [
        {"kms_master_key_id": "", "sse_algorithm": "AES256"}], "bucket_key_enabled": False}]}], "timeouts": None, "versioning": [{"enabled": False, "mfa_delete": False}],
        "website": [], "website_domain": None, "website_endpoint": None}, action=action,
        unknown=("id", "arn", "acceleration_status", "bucket_domain_name", "bucket_regional_domain_name", "grant", "hosted_zone_id", "lifecycle_rule",
                 "logging", "object_lock_configuration", "policy", "region", "replication_configuration", "request_payer",
                 "server_side_encryption_configuration", "versioning", "website", "website_domain", "website_endpoint", "cors_rule"))


def pab(key, name, action="no-op"):
    res("aws_s3_bucket_public_access_block", key, {"block_public_acls": True, "block_public_policy": True, "bucket": name, "id": name,
        "ignore_public_acls": True, "restrict_public_buckets": True}, action=action, unknown=("id", "bucket"), taggable=False,
        refs={"bucket": f"aws_s3_bucket.{key}.id"})


def sse(key, name, kms=True, action="no-op"):
    res("aws_s3_bucket_server_side_encryption_configuration", key, {"bucket": name, "expected_bucket_owner": "", "id": name,
        "rule": [{"apply_server_side_encryption_by_default": [{"kms_master_key_id": KMS_MAIN_ARN if kms else "", "sse_algorithm": "aws:kms" if kms else "AES256"}],
                  "bucket_key_enabled": kms}]}, action=action, unknown=("id", "bucket"), taggable=False,
        refs={"bucket": f"aws_s3_bucket.{key}.id", **({"rule.apply_server_side_encryption_by_default.kms_master_key_id": "aws_kms_key.main.arn"} if kms else {})})


def versioning(key, name, action="no-op"):
    res("aws_s3_bucket_versioning", key, {"bucket": name, "expected_bucket_owner": "", "id": name, "mfa": None,
        "versioning_configuration": [{"mfa_delete": "", "status": "Enabled"}]}, action=action, unknown=("id", "bucket"), taggable=False,
        refs={"bucket": f"aws_s3_bucket.{key}.id"})


def lifecycle(key, name, rules):
    res("aws_s3_bucket_lifecycle_configuration", key, {"bucket": name, "expected_bucket_owner": "", "id": name, "rule": rules,
        "timeouts": None, "transition_default_minimum_object_size": "all_storage_classes_128K"}, taggable=False,
        refs={"bucket": f"aws_s3_bucket.{key}.id"})


def lc_rule(rid, expire=None, noncurrent=None, transition=None, prefix=""):
    return {"abort_incomplete_multipart_upload": [{"days_after_initiation": 7}],
            "expiration": [{"date": None, "days": expire, "expired_object_delete_marker": False}] if expire else [],
            "filter": [{"and": [], "object_size_greater_than": None, "object_size_less_than": None, "prefix": prefix, "tag": []}], "id": rid,
            "noncurrent_version_expiration": [{"newer_noncurrent_versions": None, "noncurrent_days": noncurrent}] if noncurrent else [],
            "noncurrent_version_transition": [], "prefix": "", "status": "Enabled",
            "transition": [{"date": None, "days": transition, "storage_class": "STANDARD_IA"}] if transition else []}


bucket("assets", BUCKET_ASSETS)
pab("assets", BUCKET_ASSETS)
sse("assets", BUCKET_ASSETS)
versioning("assets", BUCKET_ASSETS)
lifecycle("assets", BUCKET_ASSETS, [lc_rule("noncurrent-versions", noncurrent=30, transition=90)])
# ALB access logs: ELB log delivery only writes to SSE-S3 buckets.
bucket("alb_logs", BUCKET_LOGS)
sse("alb_logs", BUCKET_LOGS, kms=False)
lifecycle("alb_logs", BUCKET_LOGS, [lc_rule("expire-access-logs", expire=90, prefix="alb/")])
res("aws_s3_bucket_policy", "alb_logs", {"bucket": BUCKET_LOGS, "id": BUCKET_LOGS, "policy": doc(
    stmt("ElbLogDelivery", ["s3:PutObject"], [f"arn:aws:s3:::{BUCKET_LOGS}/alb/AWSLogs/{ACCT}/*"], principal={"AWS": "arn:aws:iam::156460612806:root"}),
    stmt("DenyInsecureTransport", ["s3:*"], [f"arn:aws:s3:::{BUCKET_LOGS}", f"arn:aws:s3:::{BUCKET_LOGS}/*"], effect="Deny", principal="*",
         condition={"Bool": {"aws:SecureTransport": "false"}}))}, taggable=False,
    refs={"bucket": "aws_s3_bucket.alb_logs.id", "policy": "data.aws_iam_policy_document.alb_logs.json"})
# New in this release: finance exports.
bucket("exports", BUCKET_EXPORTS, action="create")
pab("exports", BUCKET_EXPORTS, action="create")
sse("exports", BUCKET_EXPORTS, action="create")
versioning("exports", BUCKET_EXPORTS, action="create")

# --- SQS and SNS ---------------------------------------------------------------------------------------------
def queue(key, name, redrive=None, vis=60, retention=345600):
    res("aws_sqs_queue", key, {"arn": f"arn:aws:sqs:{REGION}:{ACCT}:{name}", "content_based_deduplication": False, "deduplication_scope": "",
        "delay_seconds": 0, "fifo_queue": False, "fifo_throughput_limit": "", "id": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/{name}",
        "kms_data_key_reuse_period_seconds": 300, "kms_master_key_id": KMS_MAIN_ARN, "max_message_size": 262144,
        "message_retention_seconds": retention, "name": name, "name_prefix": "", "policy": "", "receive_wait_time_seconds": 20,
        "redrive_allow_policy": "", "redrive_policy": redrive or "", "sqs_managed_sse_enabled": False, "timeouts": None,
        "url": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/{name}", "visibility_timeout_seconds": vis},
        refs={"kms_master_key_id": "aws_kms_key.main.arn", **({"redrive_policy": "aws_sqs_queue.order_events_dlq.arn"} if redrive else {})})


queue("order_events_dlq", "orders-api-prod-order-events-dlq", retention=1209600)
queue("order_events", "orders-api-prod-order-events", vis=180,
      redrive=json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCT}:orders-api-prod-order-events-dlq", "maxReceiveCount": 5}, separators=(",", ":")))
TOPIC = f"arn:aws:sns:{REGION}:{ACCT}:orders-api-prod-order-events"
ALERTS = f"arn:aws:sns:{REGION}:{ACCT}:orders-api-prod-alerts"
for key, arn in [("order_events", TOPIC), ("alerts", ALERTS)]:
    res("aws_sns_topic", key, {"application_failure_feedback_role_arn": "", "application_success_feedback_role_arn": "",
        "application_success_feedback_sample_rate": 0, "archive_policy": "", "arn": arn, "beginning_archive_time": "", "content_based_deduplication": False,
        "delivery_policy": "", "display_name": "", "fifo_topic": False, "firehose_failure_feedback_role_arn": "", "firehose_success_feedback_role_arn": "",
        "firehose_success_feedback_sample_rate": 0, "http_failure_feedback_role_arn": "", "http_success_feedback_role_arn": "",
        "http_success_feedback_sample_rate": 0, "id": arn, "kms_master_key_id": KMS_MAIN_ARN, "lambda_failure_feedback_role_arn": "",
        "lambda_success_feedback_role_arn": "", "lambda_success_feedback_sample_rate": 0, "name": arn.rsplit(":", 1)[1], "name_prefix": "",
        "owner": ACCT, "policy": doc(stmt("OwnerPublish", ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"], [arn], principal={"AWS": f"arn:aws:iam::{ACCT}:root"})),
        "signature_version": 2, "sqs_failure_feedback_role_arn": "", "sqs_success_feedback_role_arn": "", "sqs_success_feedback_sample_rate": 0,
        "tracing_config": "PassThrough"}, refs={"kms_master_key_id": "aws_kms_key.main.arn"})
res("aws_sns_topic_subscription", "order_events_to_sqs", {"arn": f"{TOPIC}:5b2c8e1f-4a7d-4c3e-9f1b-2d6a8c0e4f73", "confirmation_timeout_in_minutes": 1,
    "confirmation_was_authenticated": True, "delivery_policy": "", "endpoint": Q, "endpoint_auto_confirms": False, "filter_policy": "",
    "filter_policy_scope": "", "id": f"{TOPIC}:5b2c8e1f-4a7d-4c3e-9f1b-2d6a8c0e4f73", "owner_id": ACCT, "pending_confirmation": False,
    "protocol": "sqs", "raw_message_delivery": True, "redrive_policy": "", "replay_policy": "", "subscription_role_arn": "", "topic_arn": TOPIC},
    taggable=False, refs={"endpoint": "aws_sqs_queue.order_events.arn", "topic_arn": "aws_sns_topic.order_events.arn"})
res("aws_sqs_queue_policy", "order_events", {"id": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/orders-api-prod-order-events", "policy": doc(
    stmt("FromTopic", ["sqs:SendMessage"], [Q], principal={"Service": "sns.amazonaws.com"}, condition={"ArnEquals": {"aws:SourceArn": TOPIC}})),
    "queue_url": f"https://sqs.{REGION}.amazonaws.com/{ACCT}/orders-api-prod-order-events"}, taggable=False,
    refs={"queue_url": "aws_sqs_queue.order_events.id", "policy": "data.aws_iam_policy_document.order_events_queue.json"})

# --- DynamoDB (new) -----------------------------------------------------------------------------------------------
res("aws_dynamodb_table", "idempotency", {"arn": "x", "attribute": [{"name": "pk", "type": "S"}], "billing_mode": "PAY_PER_REQUEST",
    "deletion_protection_enabled": False, "global_secondary_index": [], "hash_key": "pk", "id": "x", "import_table": [],
    "local_secondary_index": [], "name": TABLE, "on_demand_throughput": [], "point_in_time_recovery": [{"enabled": True, "recovery_period_in_days": 35}],
    "range_key": None, "read_capacity": 0, "replica": [], "restore_date_time": None, "restore_source_name": None, "restore_source_table_arn": None,
    "restore_to_latest_time": None, "server_side_encryption": [{"enabled": True, "kms_key_arn": KMS_MAIN_ARN}], "stream_arn": "x", "stream_enabled": False,
    "stream_label": "x", "stream_view_type": "x", "table_class": "STANDARD", "timeouts": None, "ttl": [{"attribute_name": "expires_at", "enabled": True}],
    "write_capacity": 0}, action="create", schema_version=1, unknown=("id", "arn", "stream_arn", "stream_label", "stream_view_type", "read_capacity", "write_capacity"),
    refs={"server_side_encryption.kms_key_arn": "aws_kms_key.main.arn"})
relevant.append({"resource": "aws_dynamodb_table.idempotency", "attribute": ["arn"]})
relevant.append({"resource": "aws_dynamodb_table.idempotency", "attribute": ["name"]})

# --- Lambda ---------------------------------------------------------------------------------------------------------------
ARTIFACTS = "shop-lambda-artifacts-482913605771"
for key, fname, handler, mem, timeout, vpc, env in [
        ("worker", "orders-api-prod-worker", "bootstrap", 512, 120, True, {"DB_HOST": f"{DB}.c9x2k4mzq7ab.{REGION}.rds.amazonaws.com", "DB_PASSWORD_PARAM": "/orders-api/prod/db/password"}),
        ("cleanup", "orders-api-prod-cleanup", "bootstrap", 256, 300, False, {"IDEMPOTENCY_TABLE": TABLE, "RETENTION_DAYS": "30"})]:
    arn = f"arn:aws:lambda:{REGION}:{ACCT}:function:{fname}"
    res("aws_lambda_function", key, {"architectures": ["arm64"], "arn": arn, "code_sha256": "q3L9cW1xZbT2kP8vR5mN0fJ7hD4sA6gE1uY3iO8wXzQ=" if key == "worker" else "Hn4Vb8Kx2Lq6Tz1Rw9Jp3Ds7Fm5Yc0Ga8Ue2Io4PwXs=",
        "code_signing_config_arn": "", "dead_letter_config": [], "description": "", "environment": [{"variables": env}],
        "ephemeral_storage": [{"size": 512}], "file_system_config": [], "filename": None, "function_name": fname, "handler": handler,
        "id": fname, "image_config": [], "image_uri": "", "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "kms_key_arn": KMS_MAIN_ARN, "last_modified": "2026-02-27T14:03:51.000+0000", "layers": [], "logging_config": [{"application_log_level": "INFO",
        "log_format": "JSON", "log_group": f"/aws/lambda/{fname}", "system_log_level": "WARN"}], "memory_size": mem, "package_type": "Zip", "publish": False,
        "qualified_arn": f"{arn}:$LATEST", "qualified_invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}:$LATEST/invocations",
        "replace_security_groups_on_destroy": None, "replacement_security_group_ids": None, "reserved_concurrent_executions": 20 if key == "worker" else 1,
        "role": role_arn(fname), "runtime": "provided.al2023", "s3_bucket": ARTIFACTS, "s3_key": f"orders-api/{key}/1.42.0.zip", "s3_object_version": None,
        "signing_job_arn": "", "signing_profile_version_arn": "", "skip_destroy": False, "snap_start": [], "source_code_hash": "", "source_code_size": 4817223 if key == "worker" else 3104412,
        "timeout": timeout, "timeouts": None, "tracing_config": [{"mode": "Active"}], "version": "$LATEST",
        "vpc_config": [{"ipv6_allowed_for_dual_stack": False, "security_group_ids": [SG["lambda"]], "subnet_ids": PRIV, "vpc_id": VPC_ID}] if vpc else []},
        refs={"role": f"aws_iam_role.{key}.arn", "kms_key_arn": "aws_kms_key.main.arn", "s3_key": "var.image_tag"})
res("aws_lambda_event_source_mapping", "worker", {"amazon_managed_kafka_event_source_config": [], "arn": f"arn:aws:lambda:{REGION}:{ACCT}:event-source-mapping:8f3b1c2d-6e4a-4b7c-9d0e-1f2a3b4c5d6e",
    "batch_size": 10, "bisect_batch_on_function_error": False, "destination_config": [], "document_db_event_source_config": [], "enabled": True,
    "event_source_arn": Q, "filter_criteria": [], "function_arn": f"arn:aws:lambda:{REGION}:{ACCT}:function:orders-api-prod-worker",
    "function_name": f"arn:aws:lambda:{REGION}:{ACCT}:function:orders-api-prod-worker", "function_response_types": ["ReportBatchItemFailures"],
    "id": "8f3b1c2d-6e4a-4b7c-9d0e-1f2a3b4c5d6e", "kms_key_arn": "", "last_modified": "2026-02-27T14:05:12Z", "last_processing_result": "",
    "maximum_batching_window_in_seconds": 5, "maximum_record_age_in_seconds": 0, "maximum_retry_attempts": 0, "metrics_config": [],
    "parallelization_factor": 0, "provisioned_poller_config": [], "queues": [], "scaling_config": [{"maximum_concurrency": 20}],
    "self_managed_event_source": [], "self_managed_kafka_event_source_config": [], "source_access_configuration": [], "starting_position": "",
    "starting_position_timestamp": "", "state": "Enabled", "state_transition_reason": "USER_INITIATED", "topics": [], "tumbling_window_in_seconds": 0,
    "uuid": "8f3b1c2d-6e4a-4b7c-9d0e-1f2a3b4c5d6e"}, refs={"event_source_arn": "aws_sqs_queue.order_events.arn", "function_name": "aws_lambda_function.worker.arn"})
res("aws_cloudwatch_event_rule", "cleanup", {"arn": f"arn:aws:events:{REGION}:{ACCT}:rule/orders-api-prod-cleanup", "description": "Nightly idempotency-key cleanup",
    "event_bus_name": "default", "event_pattern": None, "force_destroy": False, "id": "orders-api-prod-cleanup", "is_enabled": None, "name": "orders-api-prod-cleanup",
    "name_prefix": "", "role_arn": "", "schedule_expression": "cron(15 3 * * ? *)", "state": "ENABLED"}, schema_version=1)
res("aws_cloudwatch_event_target", "cleanup", {"appsync_target": [], "arn": f"arn:aws:lambda:{REGION}:{ACCT}:function:orders-api-prod-cleanup",
    "batch_target": [], "dead_letter_config": [], "ecs_target": [], "event_bus_name": "default", "force_destroy": False, "http_target": [],
    "id": "orders-api-prod-cleanup-lambda", "input": "", "input_path": "", "input_transformer": [], "kinesis_target": [], "redshift_target": [],
    "retry_policy": [], "role_arn": "", "rule": "orders-api-prod-cleanup", "run_command_targets": [], "sagemaker_pipeline_target": [],
    "sqs_target": [], "target_id": "lambda"}, schema_version=1, taggable=False,
    refs={"arn": "aws_lambda_function.cleanup.arn", "rule": "aws_cloudwatch_event_rule.cleanup.name"})
res("aws_lambda_permission", "cleanup_events", {"action": "lambda:InvokeFunction", "event_source_token": None, "function_name": "orders-api-prod-cleanup",
    "function_url_auth_type": None, "id": "AllowEventBridge", "principal": "events.amazonaws.com", "principal_org_id": None, "qualifier": "",
    "source_account": None, "source_arn": f"arn:aws:events:{REGION}:{ACCT}:rule/orders-api-prod-cleanup", "statement_id": "AllowEventBridge",
    "statement_id_prefix": ""}, taggable=False, refs={"function_name": "aws_lambda_function.cleanup.function_name", "source_arn": "aws_cloudwatch_event_rule.cleanup.arn"})

# --- SSM parameters --------------------------------------------------------------------------------------------------------
for key, pname, var in [("db_password", "/orders-api/prod/db/password", "db_password"), ("redis_auth_token", "/orders-api/prod/redis/auth-token", "redis_auth_token"),
                        ("stripe_webhook_secret", "/orders-api/prod/stripe/webhook-secret", "stripe_webhook_secret")]:
    res("aws_ssm_parameter", key, {"allowed_pattern": "", "arn": f"arn:aws:ssm:{REGION}:{ACCT}:parameter{pname}", "data_type": "text", "description": "",
        "id": pname, "insecure_value": None, "key_id": KMS_MAIN_ARN, "name": pname, "overwrite": None, "tier": "Standard", "type": "SecureString",
        "value": SECRETS[var], "value_wo": None, "value_wo_version": None, "version": 3}, sensitive=("value",),
        refs={"value": f"var.{var}", "key_id": "aws_kms_key.main.arn"})
# Removed from the configuration in this release.
res("aws_ssm_parameter", "legacy_payment_config", {"allowed_pattern": "", "arn": f"arn:aws:ssm:{REGION}:{ACCT}:parameter/orders-api/prod/payment-config",
    "data_type": "text", "description": "", "id": "/orders-api/prod/payment-config", "insecure_value": None, "key_id": KMS_MAIN_ARN,
    "name": "/orders-api/prod/payment-config", "overwrite": None, "tier": "Standard", "type": "SecureString",
    "value": "FAKE-legacy-payment-config-b81d", "value_wo": None, "value_wo_version": None, "version": 7}, sensitive=("value",), action="delete",
    reason="delete_because_no_resource_config")
SECRETS["legacy_payment_config"] = "FAKE-legacy-payment-config-b81d"

# --- alarms (eu-west-1) ------------------------------------------------------------------------------------------------------
for key, name, ns, metric, dims, stat, thr, op in [
        ("alb_5xx", "orders-api-prod-alb-5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": "app/orders-api-prod/7c1e5d2a9b3f4e60"}, "Sum", 25, "GreaterThanThreshold"),
        ("dlq_depth", "orders-api-prod-dlq-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "orders-api-prod-order-events-dlq"}, "Maximum", 0, "GreaterThanThreshold")]:
    res("aws_cloudwatch_metric_alarm", key, {"actions_enabled": True, "alarm_actions": [ALERTS], "alarm_description": "", "alarm_name": name,
        "arn": f"arn:aws:cloudwatch:{REGION}:{ACCT}:alarm:{name}", "comparison_operator": op, "datapoints_to_alarm": 0, "dimensions": dims,
        "evaluate_low_sample_count_percentiles": "", "evaluation_periods": 3, "extended_statistic": "", "id": name, "insufficient_data_actions": [],
        "metric_name": metric, "metric_query": [], "namespace": ns, "ok_actions": [ALERTS], "period": 300, "statistic": stat, "threshold": thr,
        "threshold_metric_id": "", "treat_missing_data": "notBreaching", "unit": ""}, refs={"alarm_actions": "aws_sns_topic.alerts.arn", "ok_actions": "aws_sns_topic.alerts.arn"})

# --- ops runner (database migrations through SSM) ---------------------------------------------------------------------------
res("aws_instance", "ops", {"ami": "ami-0c1f3e5a7b9d2e4f6", "arn": f"arn:aws:ec2:{REGION}:{ACCT}:instance/i-0a7c3e9b1d5f2e4a6", "associate_public_ip_address": False,
    "availability_zone": "eu-west-1a", "capacity_reservation_specification": [{"capacity_reservation_preference": "open", "capacity_reservation_target": []}],
    "cpu_options": [{"amd_sev_snp": "", "core_count": 2, "threads_per_core": 1}], "credit_specification": [{"cpu_credits": "unlimited"}],
    "disable_api_stop": False, "disable_api_termination": False, "ebs_block_device": [], "ebs_optimized": True, "enable_primary_ipv6": None,
    "enclave_options": [{"enabled": False}], "ephemeral_block_device": [], "get_password_data": False, "hibernation": False, "host_id": "",
    "host_resource_group_arn": None, "iam_instance_profile": "orders-api-prod-ops", "id": "i-0a7c3e9b1d5f2e4a6", "instance_initiated_shutdown_behavior": "stop",
    "instance_lifecycle": "", "instance_market_options": [], "instance_state": "running", "instance_type": "t4g.small", "ipv6_address_count": 0,
    "ipv6_addresses": [], "key_name": "", "launch_template": [], "maintenance_options": [{"auto_recovery": "default"}],
    "metadata_options": [{"http_endpoint": "enabled", "http_protocol_ipv6": "disabled", "http_put_response_hop_limit": 1, "http_tokens": "required",
    "instance_metadata_tags": "disabled"}], "monitoring": False, "network_interface": [], "outpost_arn": "", "password_data": "", "placement_group": "",
    "placement_partition_number": 0, "primary_network_interface_id": "eni-0d3f5a7c9e1b2d4f6", "private_dns": "ip-10-40-10-37.eu-west-1.compute.internal",
    "private_dns_name_options": [{"enable_resource_name_dns_a_record": False, "enable_resource_name_dns_aaaa_record": False, "hostname_type": "ip-name"}],
    "private_ip": "10.40.10.37", "public_dns": "", "public_ip": "", "root_block_device": [{"delete_on_termination": True, "device_name": "/dev/xvda",
    "encrypted": True, "iops": 100, "kms_key_id": KMS_MAIN_ARN, "tags": {}, "tags_all": {}, "throughput": 0, "volume_id": "vol-0e2c4a6f8b1d3e5a7",
    "volume_size": 30, "volume_type": "gp2"}], "secondary_private_ips": [], "security_groups": [], "source_dest_check": True, "spot_instance_request_id": "",
    "subnet_id": PRIV[0], "tenancy": "default", "timeouts": None, "user_data": None, "user_data_base64": None, "user_data_replace_on_change": False,
    "volume_tags": None, "vpc_security_group_ids": [SG["ops"]]}, schema_version=1, tags={"Name": "orders-api-prod-ops"},
    refs={"iam_instance_profile": "aws_iam_instance_profile.ops.name", "subnet_id": "module.vpc.private_subnet_ids", "vpc_security_group_ids": "aws_security_group.ops.id",
          "root_block_device.kms_key_id": "aws_kms_key.main.arn"})

for r in ["aws_kms_key.main", "aws_lb.main", "aws_sqs_queue.order_events", "aws_ecs_task_definition.app", "aws_db_instance.main"]:
    relevant.append({"resource": r, "attribute": ["arn"]})
relevant.append({"resource": "aws_route53_health_check.api", "attribute": ["id"]})
relevant.append({"resource": "aws_sns_topic.alerts_us_east_1", "attribute": ["arn"]})

# Unknown elements inside known collections, as Terraform shows them.
for rc in changes:
    if rc["address"] == "aws_cloudwatch_metric_alarm.api_health":
        rc["change"]["after_unknown"]["dimensions"] = {"HealthCheckId": True}
