# METADATA
# title: Terraform provider not approved
# description: |
#   Every provider is code that runs with the pipeline's cloud credentials, and every SaaS
#   provider is another vendor holding company data. Providers are approved once by the
#   enablement and security teams; others, including look-alike forks in another registry
#   namespace, need a sign-off. Entries with a slash match the provider's namespace/type in
#   any registry (hashicorp/aws); entries without one match the short name.
#   The provider of a resource is always in the plan, so unknown values do not change the verdict.
# custom:
#   id: approved-providers
#   severity: deny
#   category: technology
#   checkov: []
#   trivy: []
#   security: true
#   remediation: Use an approved provider, or ask the security team to review and approve this one.
#   scope: resource
#   resource_types: ["*"]
#   parameters:
#     approved:
#       default: [hashicorp/aws, hashicorp/random, hashicorp/null, hashicorp/tls, hashicorp/archive, hashicorp/local, hashicorp/time, hashicorp/external, hashicorp/http, hashicorp/cloudinit, hashicorp/kubernetes, hashicorp/helm, builtin/terraform]
#       description: Approved providers, as namespace/type (any registry) or a short name.
#   examples:
#     fail: |
#       terraform {
#         required_providers {
#           aws = { source = "evilcorp/aws" }
#         }
#       }
#     pass: |
#       terraform {
#         required_providers {
#           aws = { source = "hashicorp/aws", version = "~> 6.0" }
#         }
#       }
package paved.rules.approved_providers

import data.paved.lib

params := data.paved.params.approved_providers

# The distinct providers of the input are judged once; resources are then
# matched by a set lookup. Data sources count too: reading through a
# provider runs it all the same.
unapproved := {[addr, short] |
	some [addr, short] in {[object.get(r, "provider_address", ""), object.get(r, "provider", "")] |
		some r in input.resources
		object.get(r, "source", "terraform") == "terraform"
	}
	not _approved(addr, short)
}

deny contains f if {
	count(unapproved) > 0
	some r in input.resources
	[object.get(r, "provider_address", ""), object.get(r, "provider", "")] in unapproved
	object.get(r, "source", "terraform") == "terraform"
	object.get(r, "action", "") != "delete"
	name := _name(r)
	f := lib.finding(r, sprintf("%s uses the provider %s, which is not approved", [r.address, name]), "provider", name)
}

_name(r) := object.get(r, "provider_address", "") if object.get(r, "provider_address", "") != ""

else := object.get(r, "provider", "")

# registry.terraform.io/hashicorp/aws -> hashicorp/aws
_namespace_type(addr) := concat("/", array.slice(parts, count(parts) - 2, count(parts))) if {
	parts := split(addr, "/")
	count(parts) >= 2
}

_approved(addr, _) if _namespace_type(addr) in params.approved

_approved(addr, short) if {
	not contains(addr, "/")
	short in params.approved
}

_approved(addr, short) if {
	not contains(addr, "/")
	sprintf("hashicorp/%s", [short]) in params.approved
}

# A resource without any provider information cannot be judged.
_approved("", "")
