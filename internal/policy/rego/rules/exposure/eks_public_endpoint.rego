# METADATA
# title: EKS API server open to the internet
# description: |
#   An EKS cluster's Kubernetes API endpoint is public and reachable from 0.0.0.0/0 unless told
#   otherwise. Authentication still applies, but the API server is then one leaked kubeconfig
#   or one vulnerability away from the internet. Keep the endpoint private, or limit the
#   public endpoint to the CIDR ranges of the offices, VPN and CI runners. Left unset, the
#   allowed ranges show as known after apply and default to 0.0.0.0/0, so they are reported.
# custom:
#   id: eks-public-endpoint
#   severity: deny
#   category: exposure
#   security: true
#   remediation: Set vpc_config { endpoint_private_access = true, endpoint_public_access = false }, or restrict public_access_cidrs to known ranges.
#   resource_types: [aws_eks_cluster]
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
#     pass: |
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

_world_cidr(r, i) := cidr if {
	some cidr in lib.get(r, ["vpc_config", i, "public_access_cidrs"], ["0.0.0.0/0"])
	endswith(cidr, "/0")
} else := "0.0.0.0/0" if {
	lib.unknown(r, ["vpc_config", i, "public_access_cidrs"])
} else := "0.0.0.0/0" if {
	lib.get(r, ["vpc_config", i, "public_access_cidrs"], []) == []
}
