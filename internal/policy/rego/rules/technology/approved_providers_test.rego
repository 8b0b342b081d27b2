package paved.rules.approved_providers_test

import data.paved.rules.approved_providers as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res

with_provider(r, short, addr) := object.union(r, {"provider": short, "provider_address": addr})

test_fail_fork_and_saas if {
	fs := rule.deny with input as plan([
		with_provider(res("aws_instance", {}), "aws", "registry.terraform.io/evilcorp/aws"),
		with_provider(named("datadog_monitor", "m", {}), "datadog", "registry.terraform.io/DataDog/datadog"),
	])
	{f.value | some f in fs} == {"registry.terraform.io/evilcorp/aws", "registry.terraform.io/DataDog/datadog"}
}

test_fail_data_source if {
	r := object.union(with_provider(res("github_repository", {}), "github", "registry.terraform.io/integrations/github"), {"mode": "data", "action": "read"})
	count(rule.deny) == 1 with input as plan([r])
}

test_pass_approved_any_registry_and_short_names if {
	count(rule.deny) == 0 with input as plan([
		with_provider(res("aws_instance", {}), "aws", "registry.terraform.io/hashicorp/aws"),
		with_provider(named("random_id", "r", {}), "random", "registry.opentofu.org/hashicorp/random"),
		with_provider(named("terraform_data", "d", {}), "terraform", "terraform.io/builtin/terraform"),
		with_provider(named("aws_s3_bucket", "b", {}), "aws", ""),
	])
}
