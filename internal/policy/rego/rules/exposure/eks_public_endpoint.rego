# METADATA
# title: Kubernetes API server open to the internet
# description: |
#   An EKS cluster's Kubernetes API endpoint is public and reachable from 0.0.0.0/0 unless told
#   otherwise. Authentication still applies, but the API server is then one leaked kubeconfig
#   or one vulnerability away from the internet. Keep the endpoint private, or limit the
#   public endpoint to the CIDR ranges of the offices, VPN and CI runners. Left unset, the
#   allowed ranges show as known after apply and default to 0.0.0.0/0, so they are reported.
#   GKE clusters have a public endpoint open to every address unless
#   private_cluster_config.enable_private_endpoint is true or a master_authorized_networks_config
#   block limits it (a cluster without the block is reported; so is a 0.0.0.0/0 range in it).
#   AKS clusters are public unless private_cluster_enabled is true or
#   api_server_access_profile.authorized_ip_ranges (api_server_authorized_ip_ranges in provider
#   v3) names the allowed ranges; none, or a /0 range, is reported. Blocks and settings left out
#   take these defaults also when the plan shows them as known after apply; a setting given a
#   value known only after apply is reported as undetermined.
# custom:
#   id: eks-public-endpoint
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_39, CKV_AWS_38, CKV_GCP_20, CKV_AZURE_6, CKV_AZURE_115]
#   trivy: [AWS-0040, AWS-0041, GCP-0061, AZU-0041]
#   security: true
#   remediation: EKS - set vpc_config { endpoint_private_access = true, endpoint_public_access = false } or restrict public_access_cidrs; GKE - enable the private endpoint or add master_authorized_networks_config with known ranges; AKS - set private_cluster_enabled = true or api_server_access_profile { authorized_ip_ranges = [...] }.
#   resource_types: [aws_eks_cluster, google_container_cluster, azurerm_kubernetes_cluster]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_eks_cluster" "main" {
#         name     = "main"
#         role_arn = aws_iam_role.eks.arn
#         vpc_config {
#           subnet_ids = var.private_subnets
#         }
#       }
#       resource "google_container_cluster" "main" {
#         name     = "main"
#         location = "europe-west1"
#       }
#     pass: |
#       resource "google_container_cluster" "main" {
#         name     = "main"
#         location = "europe-west1"
#         master_authorized_networks_config {
#           cidr_blocks {
#             cidr_block   = "203.0.113.0/24"
#             display_name = "office"
#           }
#         }
#       }
#       resource "aws_eks_cluster" "main" {
#         name     = "main"
#         role_arn = aws_iam_role.eks.arn
#         vpc_config {
#           subnet_ids              = var.private_subnets
#           endpoint_private_access = true
#           endpoint_public_access  = true
#           public_access_cidrs     = ["203.0.113.0/24"]
#         }
#       }
package paved.rules.eks_public_endpoint

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_eks_cluster"])
	some [i, _] in lib.blocks(r, "vpc_config")
	lib.get(r, ["vpc_config", i, "endpoint_public_access"], true) == true
	cidr := _world_cidr(r, i)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s exposes the Kubernetes API endpoint to %s", [r.address, cidr]), sprintf("vpc_config[%d].public_access_cidrs", [i]), cidr)
}

deny contains f if {
	some r in lib.candidates(["aws_eks_cluster"])
	_ := r.after_unknown.vpc_config
	some i, _ in object.get(r.after, "vpc_config", [])
	some attr in ["endpoint_public_access", "public_access_cidrs"]
	object.get(r.after, ["vpc_config", i, attr], null) == null
	lib.computed(r, ["vpc_config", i, attr])
	lib.get(r, ["vpc_config", i, "endpoint_public_access"], true) != false
	lib.judged(r)
	f := lib.undetermined(r, sprintf("vpc_config[%d].%s", [i, attr]), "the API endpoint is open to the internet")
}

# GKE: public endpoint without authorized networks.
deny contains f if {
	some r in lib.candidates(["google_container_cluster"])
	object.get(r.after, ["private_cluster_config", 0, "enable_private_endpoint"], null) != true
	object.get(r.after, "master_authorized_networks_config", null) in {null, []}
	not lib.computed(r, ["master_authorized_networks_config"])
	not lib.computed(r, ["private_cluster_config", 0, "enable_private_endpoint"])
	lib.judged(r)
	f := lib.finding(r, sprintf("%s exposes the Kubernetes API endpoint to every address (no master_authorized_networks_config)", [r.address]), "master_authorized_networks_config", null)
}

deny contains f if {
	some [t, path] in _settings
	some r in object.get(input.by_type, t, [])
	_ := r.after_unknown[path[0]]
	object.get(r.after, path, null) in {null, []}
	lib.computed_here(r, path)
	lib.judged(r)
	f := lib.undetermined(r, lib.dotted(path), "the API endpoint is open to the internet")
}

_settings := [
	["google_container_cluster", ["master_authorized_networks_config"]],
	["google_container_cluster", ["private_cluster_config", 0, "enable_private_endpoint"]],
	["azurerm_kubernetes_cluster", ["private_cluster_enabled"]],
	["azurerm_kubernetes_cluster", ["api_server_access_profile"]],
	["azurerm_kubernetes_cluster", ["api_server_access_profile", 0, "authorized_ip_ranges"]],
	["azurerm_kubernetes_cluster", ["api_server_authorized_ip_ranges"]],
]

# GKE: authorized networks that include the whole internet.
deny contains f if {
	some r in lib.candidates(["google_container_cluster"])
	some i, b in r.after.master_authorized_networks_config[0].cidr_blocks
	endswith(object.get(b, "cidr_block", ""), "/0")
	object.get(r.after, ["private_cluster_config", 0, "enable_private_endpoint"], null) != true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s exposes the Kubernetes API endpoint to %s", [r.address, b.cidr_block]), sprintf("master_authorized_networks_config[0].cidr_blocks[%d].cidr_block", [i]), b.cidr_block)
}

# AKS: public API server without authorized ranges, or with a /0 range.
deny contains f if {
	some r in lib.candidates(["azurerm_kubernetes_cluster"])
	object.get(r.after, "private_cluster_enabled", null) != true
	not lib.computed(r, ["private_cluster_enabled"])
	[path, cidr] := _aks_open(r)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s exposes the Kubernetes API server to %s", [r.address, cidr]), path, cidr)
}

_aks_open(r) := ["api_server_access_profile[0].authorized_ip_ranges", cidr] if {
	some cidr in object.get(r.after, ["api_server_access_profile", 0, "authorized_ip_ranges"], [])
	endswith(cidr, "/0")
} else := ["api_server_authorized_ip_ranges", cidr] if {
	some cidr in object.get(r.after, "api_server_authorized_ip_ranges", [])
	endswith(cidr, "/0")
} else := ["api_server_access_profile", "0.0.0.0/0"] if {
	object.get(r.after, ["api_server_access_profile", 0, "authorized_ip_ranges"], []) in {null, []}
	object.get(r.after, "api_server_authorized_ip_ranges", []) in {null, []}
	not lib.computed(r, ["api_server_access_profile", 0, "authorized_ip_ranges"])
	not lib.computed(r, ["api_server_authorized_ip_ranges"])
}

# Left out (the plan shows it as known after apply), or empty, the allowed
# ranges are 0.0.0.0/0.
_world_cidr(r, i) := cidr if {
	some cidr in lib.get(r, ["vpc_config", i, "public_access_cidrs"], ["0.0.0.0/0"])
	endswith(cidr, "/0")
} else := "0.0.0.0/0" if {
	lib.get(r, ["vpc_config", i, "public_access_cidrs"], []) == []
}
