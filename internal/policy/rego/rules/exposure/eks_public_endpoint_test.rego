package paved.rules.eks_public_endpoint_test

import data.paved.rules.eks_public_endpoint as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_defaults if {
	fs := rule.deny with input as plan([created("aws_eks_cluster", {"vpc_config": [{"subnet_ids": ["a"]}]}, {"vpc_config": [{"public_access_cidrs": true}]}, {"vpc_config": [{"subnet_ids": "variable"}]})])
	[f.value | some f in fs] == ["0.0.0.0/0"]
}

test_fail_explicit_world if {
	count(rule.deny) == 1 with input as plan([res("aws_eks_cluster", {"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["10.0.0.0/8", "0.0.0.0/0"]}]})])
}

test_pass_private_or_restricted if {
	count(rule.deny) == 0 with input as plan([
		res("aws_eks_cluster", {"vpc_config": [{"endpoint_public_access": false}]}),
		res("aws_eks_cluster", {"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["203.0.113.0/24"]}]}),
	])
}

test_fail_gke_aks_public if {
	fs := rule.deny with input as plan([
		named("google_container_cluster", "open", {"name": "open", "master_authorized_networks_config": []}),
		named("google_container_cluster", "world", {"master_authorized_networks_config": [{"cidr_blocks": [{"cidr_block": "0.0.0.0/0"}]}]}),
		named("azurerm_kubernetes_cluster", "open", {"private_cluster_enabled": false, "api_server_access_profile": []}),
		named("azurerm_kubernetes_cluster", "world", {"api_server_authorized_ip_ranges": ["0.0.0.0/0"]}),
	])
	{f.address | some f in fs} == {"google_container_cluster.open", "google_container_cluster.world", "azurerm_kubernetes_cluster.open", "azurerm_kubernetes_cluster.world"}
}

test_pass_gke_aks_private_or_limited if {
	count(rule.deny) == 0 with input as plan([
		named("google_container_cluster", "private", {"private_cluster_config": [{"enable_private_endpoint": true}]}),
		named("google_container_cluster", "limited", {"master_authorized_networks_config": [{"cidr_blocks": [{"cidr_block": "203.0.113.0/24"}]}]}),
		named("azurerm_kubernetes_cluster", "private", {"private_cluster_enabled": true}),
		named("azurerm_kubernetes_cluster", "limited", {"api_server_access_profile": [{"authorized_ip_ranges": ["203.0.113.0/24"]}]}),
	])
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		unknown(res("aws_eks_cluster", {"vpc_config": [{"subnet_ids": ["a"]}]}), {"vpc_config": [{"public_access_cidrs": true}]}),
		unknown(named("azurerm_kubernetes_cluster", "later", {}), {"api_server_access_profile": true}),
	])
	{[f.path, f.undetermined] | some f in fs} == {["vpc_config[0].public_access_cidrs", true], ["api_server_access_profile", true]}
}

# azurerm shows a profile left out as known after apply: public by default.
test_fail_aks_profile_left_out if {
	fs := rule.deny with input as plan([created("azurerm_kubernetes_cluster", {}, {"api_server_access_profile": true}, {"name": "constant"})])
	[f.value | some f in fs] == ["0.0.0.0/0"]
}
