#!/usr/bin/env python3
"""Writes service-stack.plan.json: the plan (terraform show -json, Terraform
1.9.5, AWS provider 5.x) of one production service stack, orders-api of the
checkout team in eu-west-1, as the guard-rail benchmark template.

The change is a release: the idempotency table, the exports bucket, the
us-east-1 health-check alarm and a new task definition (image 1.42.0) are
created, the ECS service and the task policy are updated, a legacy SSM
parameter is deleted, and everything else is unchanged (no-op). Mostly
compliant, with the imperfections a real stack has (see README.md).

    python3 bench/testdata/service-stack.gen.py   # from the repository root
"""
import copy
import zlib
import json
import os

ACCT = "482913605771"
REGION = "eu-west-1"
AWS = "registry.terraform.io/hashicorp/aws"
TF = "1.9.5"
DEFAULT_TAGS = {"team": "checkout", "service": "orders-api", "environment": "production", "cost-center": "cc-4410"}
SECRETS = {
    "db_password": "FAKE-pg-master-Zq8v3LwN5kT2",
    "redis_auth_token": "FAKE-redis-auth-Hc7xP4mR9sJ1bW6e",
    "stripe_webhook_secret": "FAKE-whsec-5f2b9c1d7e3a",
}
UNK = object()  # known only after apply
AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
VPC_ID = "vpc-0a3f9c2e71b84d605"
PUB = ["subnet-0c11e5a9d2f4b7a01", "subnet-0c11e5a9d2f4b7a02", "subnet-0c11e5a9d2f4b7a03"]
PRIV = ["subnet-07d2b8e4a1c9f3e11", "subnet-07d2b8e4a1c9f3e12", "subnet-07d2b8e4a1c9f3e13"]
KMS_MAIN = "3f6a1c2e-8b4d-4e7f-9a15-6c0d2b7e9f31"
KMS_LOGS = "9b2e7d4a-1f3c-4a8e-b6d2-0e5f7c9a3b18"
KMS_MAIN_ARN = f"arn:aws:kms:{REGION}:{ACCT}:key/{KMS_MAIN}"
KMS_LOGS_ARN = f"arn:aws:kms:{REGION}:{ACCT}:key/{KMS_LOGS}"
SG = {"alb": "sg-0e1a2b3c4d5e6f701", "app": "sg-0e1a2b3c4d5e6f702", "db": "sg-0e1a2b3c4d5e6f703",
      "redis": "sg-0e1a2b3c4d5e6f704", "lambda": "sg-0e1a2b3c4d5e6f705", "ops": "sg-0e1a2b3c4d5e6f706"}
ZONE = "Z0845213HX1K7QO4V5T2"
DOMAIN = "orders.shop.example.com"
ALB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:loadbalancer/app/orders-api-prod/7c1e5d2a9b3f4e60"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCT}:targetgroup/orders-api-prod/2b9d4e7f1a3c5e80"
CERT_ARN = f"arn:aws:acm:{REGION}:{ACCT}:certificate/6e2d9a41-7b3c-4f8e-a5d1-0c9b7e3f2a64"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCT}:cluster/orders-api-prod"
ALB_DNS = "orders-api-prod-1843275590.eu-west-1.elb.amazonaws.com"
ALB_ZONE = "Z32O12XQLNTSW2"

changes, planned, prior, config = [], {}, {}, {}  # planned/prior/config: module -> list
relevant = []
declared = set()  # (module, local address) already in the configuration


def role_arn(name):
    return f"arn:aws:iam::{ACCT}:role/{name}"


def doc(*stmts):
    return json.dumps({"Version": "2012-10-17", "Statement": list(stmts)}, separators=(",", ":"))


def mirror(v, marked=()):
    """after_unknown / *_sensitive shape: containers mirrored, leaves omitted
    (false in lists), marked top-level keys true."""
    if isinstance(v, dict):
        out = {}
        for k, e in v.items():
            if k in marked:
                out[k] = True
            elif isinstance(e, (dict, list)):
                out[k] = mirror(e)
        return out
    if isinstance(v, list):
        return [mirror(e) if isinstance(e, (dict, list)) else False for e in v]
    return False


def known(v):
    return {k: e for k, e in v.items() if e is not UNK}


def const(v):
    return {"constant_value": v}


def ref(*refs):
    out = []
    for r in refs:
        out.append(r)
        parts = r.split(".")
        if len(parts) > 2 and not r.startswith(("var.", "local.", "each.", "count.")):
            base = ".".join(parts[:-1]) if not parts[0] in ("data", "module") else ".".join(parts[:3 if parts[0] == "data" else 2])
            if base != r:
                out.append(base)
    return {"references": out}


COMPUTED = {"id", "arn", "tags_all", "owner_id", "unique_id", "create_date", "key_id", "dns_name", "zone_id", "endpoint",
            "address", "hosted_zone_id", "resource_id", "latest_restorable_time", "status", "revision", "arn_without_revision",
            "primary_endpoint_address", "reader_endpoint_address", "version", "qualified_arn", "invoke_arn", "last_modified",
            "source_code_size", "stream_arn", "stream_label", "url", "fqdn", "domain_validation_options", "not_after",
            "not_before", "public_ip", "private_ip", "association_id", "allocation_id", "network_interface_id",
            "main_route_table_id", "default_security_group_id", "default_network_acl_id", "default_route_table_id",
            "arn_suffix", "policy_id", "state", "primary_network_interface_id", "resource_owner", "member_clusters",
            "engine_version_actual", "cluster_enabled", "hosted_zone_id", "uuid", "function_arn", "last_processing_result",
            "state_transition_reason", "insecure_value", "tier", "ipv6_cidr_block_association_id", "owner_account",
            }


def res(typ, name, values, *, module=None, index=None, action="no-op", unknown=("id", "arn"), sensitive=(),
        before=None, provider="aws", tags=None, taggable=True, refs=None, mode="managed", reason=None,
        replace_paths=None, schema_version=0, count=None, for_each=None, cfg_extra=None):
    values = dict(values)
    if taggable:
        values["tags"] = tags
        values["tags_all"] = {**(DEFAULT_TAGS if provider == "aws" else {}), **(tags or {})}
    if action in ("create", "read"):
        for k in unknown:
            if k in values or k in ("id", "arn"):
                values[k] = UNK
    key = f'["{index}"]' if isinstance(index, str) else (f"[{index}]" if index is not None else "")
    local = ("data." if mode == "data" else "") + f"{typ}.{name}"
    addr = (f"{module}." if module else "") + local + key
    after_unknown = {k: True for k, v in values.items() if v is UNK}
    after_unknown.update(mirror(known(values)))
    prov_name = AWS
    rc = {"address": addr}
    if module:
        rc["module_address"] = module
    rc.update({"mode": mode, "type": typ, "name": name})
    if index is not None:
        rc["index"] = index
    rc["provider_name"] = prov_name
    after = None if action == "delete" else known(values)
    if action == "no-op":
        bvals = copy.deepcopy(after)
    elif action in ("create", "read"):
        bvals = None
    elif action == "delete":
        bvals = known(values)
    else:
        bvals = copy.deepcopy(before if before is not None else after)
    acts = {"no-op": ["no-op"], "create": ["create"], "update": ["update"], "read": ["read"],
            "delete": ["delete"], "replace": ["delete", "create"]}[action]
    ch = {"actions": acts, "before": bvals, "after": after,
          "after_unknown": {} if after is None else after_unknown,
          "before_sensitive": False if bvals is None else mirror(bvals, sensitive),
          "after_sensitive": False if after is None else mirror(after, sensitive)}
    if replace_paths:
        ch["replace_paths"] = replace_paths
    rc["change"] = ch
    if reason:
        rc["action_reason"] = reason
    changes.append(rc)
    entry = lambda vals: {"address": addr, "mode": mode, "type": typ, "name": name, **({"index": index} if index is not None else {}),
                          "provider_name": prov_name, "schema_version": schema_version, "values": copy.deepcopy(vals),
                          "sensitive_values": mirror(vals, sensitive)}
    if after is not None:
        planned.setdefault(module, []).append(entry(after))
    if bvals is not None:
        prior.setdefault(module, []).append(entry(bvals))
    if action != "delete" and (module, local) not in declared:
        declared.add((module, local))
        exprs = {}
        for k, v in values.items():
            if k in COMPUTED or v is UNK or v is None or k in sensitive or k == "tags":
                continue
            # Arguments left at their defaults are not in the configuration.
            if v in ("", False, 0) or k.endswith(("_zone_id", "_domain_name", "_dns", "_actual")):
                continue
            if isinstance(v, (str, int, float, bool)):
                exprs[k] = const(v)
        for k, v in (refs or {}).items():
            e = ref(*v) if isinstance(v, (list, tuple)) else ref(v)
            if "." in k:  # an argument of a nested block
                block, arg = k.split(".", 1)
                blk = exprs.setdefault(block, [{}])
                if not isinstance(blk, list):
                    blk = exprs[block] = [{}]
                blk[0][arg.split(".")[-1]] = e
            else:
                exprs[k] = e
        if tags:
            exprs["tags"] = const(tags)
        exprs.update(cfg_extra or {})
        c = {"address": local, "mode": mode, "type": typ, "name": name,
             "provider_config_key": "aws.us_east_1" if provider == "aws.us_east_1" else "aws",
             "expressions": dict(sorted(exprs.items())), "schema_version": schema_version}
        if count:
            c["count_expression"] = count
        if for_each:
            c["for_each_expression"] = for_each
        config.setdefault(module, []).append(c)
    return addr


def data(typ, name, values, *, module=None, refs=None):
    """A data source read during planning: in prior_state and planned_values only."""
    addr = (f"{module}." if module else "") + f"data.{typ}.{name}"
    e = {"address": addr, "mode": "data", "type": typ, "name": name, "provider_name": AWS, "schema_version": 0,
         "values": values, "sensitive_values": mirror(values)}
    prior.setdefault(module, []).append(e)
    planned.setdefault(module, []).append(copy.deepcopy(e))
    exprs = {k: ref(*v) if isinstance(v, (list, tuple)) else ref(v) for k, v in (refs or {}).items()}
    for k, v in values.items():
        if k not in exprs and isinstance(v, (str, bool, int)) and k not in COMPUTED and k not in ("json", "minified_json", "account_id", "user_id", "caller_arn", "name_servers", "description", "endpoint", "primary_name_server", "resource_record_set_count", "linked_service_principal", "linked_service_description", "comment", "caller_reference"):
            exprs[k] = const(v)
    config.setdefault(module, []).append({"address": f"data.{typ}.{name}", "mode": "data", "type": typ, "name": name,
                                          "provider_config_key": "aws", "expressions": exprs, "schema_version": 0})


def stmt(sid, actions, resources, effect="Allow", principal=None, condition=None):
    s = {"Sid": sid, "Effect": effect}
    if principal:
        s["Principal"] = principal
    s["Action"] = actions if len(actions) > 1 else actions[0]
    if resources is not None:
        s["Resource"] = resources if len(resources) > 1 else resources[0]
    if condition:
        s["Condition"] = condition
    return s


def policy_doc_values(name, stmts, statement_blocks, json_known=True):
    text = doc(*stmts)
    return {"id": str(zlib.crc32(name.encode())) if json_known else UNK, "json": json.dumps(json.loads(text), indent=2) if json_known else UNK,
            "minified_json": text if json_known else UNK, "override_policy_documents": None, "policy_id": None,
            "source_policy_documents": None, "statement": statement_blocks, "version": "2012-10-17"}


def stmt_block(sid, actions, resources, principals=None, conditions=None, effect="Allow"):
    return {"actions": actions, "condition": conditions or [], "effect": effect, "not_actions": [], "not_principals": [],
            "not_resources": [], "principals": principals or [], "resources": resources, "sid": sid}


def assume(service):
    return doc(stmt("AssumeRole", ["sts:AssumeRole"], None, principal={"Service": service}))


exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "service-stack.resources.py")).read())


# Terraform lists resources and resource changes sorted by address.
changes.sort(key=lambda rc: rc["address"])
for vals in (planned, prior):
    for rs in vals.values():
        rs.sort(key=lambda r: r["address"])


def module_tree(vals, child):
    root = {"resources": vals.get(None, [])}
    if child:
        root["child_modules"] = [{"resources": vals.get("module.vpc", []), "address": "module.vpc"}]
    return root


outputs_prior = {
    "alb_dns_name": {"sensitive": False, "value": ALB_DNS, "type": "string"},
    "api_url": {"sensitive": False, "value": f"https://api.{DOMAIN}", "type": "string"},
    "db_endpoint": {"sensitive": False, "value": f"orders-api-prod.c9x2k4mzq7ab.{REGION}.rds.amazonaws.com:5432", "type": "string"},
    "ecs_cluster_name": {"sensitive": False, "value": "orders-api-prod", "type": "string"},
    "vpc_id": {"sensitive": False, "value": VPC_ID, "type": "string"},
}
outputs_planned = {k: v for k, v in outputs_prior.items()}
outputs_planned["idempotency_table_arn"] = {"sensitive": False}
output_changes = {}
for k, v in outputs_prior.items():
    output_changes[k] = {"actions": ["no-op"], "before": v["value"], "after": v["value"], "after_unknown": False,
                         "before_sensitive": False, "after_sensitive": False}
output_changes["idempotency_table_arn"] = {"actions": ["create"], "before": None, "after": None, "after_unknown": True,
                                           "before_sensitive": False, "after_sensitive": False}

plan = {
    "format_version": "1.2",
    "terraform_version": TF,
    "variables": {
        "db_password": {"value": SECRETS["db_password"]},
        "environment": {"value": "production"},
        "image_tag": {"value": "1.42.0"},
        "redis_auth_token": {"value": SECRETS["redis_auth_token"]},
        "region": {"value": REGION},
        "service": {"value": "orders-api"},
        "stripe_webhook_secret": {"value": SECRETS["stripe_webhook_secret"]},
    },
    "planned_values": {"outputs": outputs_planned, "root_module": module_tree(planned, True)},
    "resource_drift": [],
    "resource_changes": changes,
    "output_changes": output_changes,
    "prior_state": {"format_version": "1.0", "terraform_version": TF,
                    "values": {"outputs": outputs_prior, "root_module": module_tree(prior, True)}},
    "configuration": {
        "provider_config": {
            "aws": {"name": "aws", "full_name": AWS, "version_constraint": "~> 5.70",
                    "expressions": {"default_tags": [{"tags": const(DEFAULT_TAGS)}], "region": ref("var.region")}},
            "aws.us_east_1": {"name": "aws", "full_name": AWS, "alias": "us_east_1", "version_constraint": "~> 5.70",
                              "expressions": {"region": const("us-east-1")}},
        },
        "root_module": {
            "outputs": {
                "alb_dns_name": {"expression": ref("aws_lb.main.dns_name"), "description": "Public DNS name of the load balancer"},
                "api_url": {"expression": ref("aws_route53_record.api.fqdn"), "description": "Base URL of the API"},
                "db_endpoint": {"expression": ref("aws_db_instance.main.endpoint")},
                "ecs_cluster_name": {"expression": ref("aws_ecs_cluster.main.name")},
                "idempotency_table_arn": {"expression": ref("aws_dynamodb_table.idempotency.arn")},
                "vpc_id": {"expression": ref("module.vpc.vpc_id")},
            },
            "resources": config.get(None, []),
            "module_calls": {"vpc": {
                "source": "./modules/vpc",
                "expressions": {"azs": const(AZS), "cidr_block": const("10.40.0.0/16"), "name": const("orders-api-prod"),
                                "flow_log_retention_days": const(90), "nat_gateway_count": const(2),
                                "flow_log_kms_key_arn": ref("aws_kms_key.logs.arn")},
                "module": {
                    "outputs": {"private_subnet_ids": {"expression": ref("aws_subnet.private")},
                                "public_subnet_ids": {"expression": ref("aws_subnet.public")},
                                "vpc_id": {"expression": ref("aws_vpc.this.id")}},
                    "resources": config.get("module.vpc", []),
                    "variables": {"azs": {"description": "Availability zones, one subnet of each tier per zone"},
                                  "cidr_block": {}, "flow_log_kms_key_arn": {}, "flow_log_retention_days": {"default": 30},
                                  "name": {}, "nat_gateway_count": {"default": 1}},
                },
            }},
            "variables": {
                "db_password": {"description": "Master password of the orders database", "sensitive": True},
                "environment": {"default": "production"},
                "image_tag": {"description": "orders-api container image tag"},
                "redis_auth_token": {"sensitive": True},
                "region": {"default": "eu-west-1"},
                "service": {"default": "orders-api"},
                "stripe_webhook_secret": {"sensitive": True},
            },
        },
    },
    "relevant_attributes": sorted(relevant, key=lambda r: (r["resource"], r["attribute"])),
    "timestamp": "2026-03-12T09:41:27Z",
    "applyable": True,
    "complete": True,
    "errored": False,
}



def sorted_keys(v):
    if isinstance(v, dict):
        return {k: sorted_keys(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [sorted_keys(e) for e in v]
    return v


# Attribute values are cty objects, which Terraform writes with sorted keys.
for rc in changes:
    for k in ("before", "after", "after_unknown", "before_sensitive", "after_sensitive"):
        rc["change"][k] = sorted_keys(rc["change"][k])
for vals in (planned, prior):
    for rs in vals.values():
        for r in rs:
            r["values"], r["sensitive_values"] = sorted_keys(r["values"]), sorted_keys(r["sensitive_values"])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "service-stack.plan.json")
with open(out, "w") as f:
    json.dump(plan, f, indent=2)
    f.write("\n")
print(f"{out}: {len(changes)} resource changes")
