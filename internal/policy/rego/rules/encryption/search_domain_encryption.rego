# METADATA
# title: OpenSearch domain without encryption
# description: |
#   A search cluster indexes copies of business data, often the most searchable (names,
#   e-mails, order text). OpenSearch and legacy Elasticsearch domains can encrypt data at rest,
#   encrypt traffic between nodes, and refuse plain-HTTP clients; the first two default to off
#   when their blocks are missing (also when the plan shows the missing blocks as known after
#   apply, as AWS provider 5 does) and can only be switched on for supported engine versions,
#   ideally at creation. A setting known only after apply is reported as undetermined.
# custom:
#   id: search-domain-encryption
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_5, CKV_AWS_6, CKV_AWS_83]
#   trivy: [AWS-0048, AWS-0043, AWS-0046]
#   security: true
#   remediation: Add encrypt_at_rest { enabled = true }, node_to_node_encryption { enabled = true } and domain_endpoint_options { enforce_https = true, tls_security_policy = "Policy-Min-TLS-1-2-2019-07" }.
#   resource_types: [aws_opensearch_domain, aws_elasticsearch_domain]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_opensearch_domain" "search" {
#         domain_name    = "search"
#         engine_version = "OpenSearch_2.13"
#       }
#     pass: |
#       resource "aws_opensearch_domain" "search" {
#         domain_name    = "search"
#         engine_version = "OpenSearch_2.13"
#         encrypt_at_rest { enabled = true }
#         node_to_node_encryption { enabled = true }
#         domain_endpoint_options {
#           enforce_https       = true
#           tls_security_policy = "Policy-Min-TLS-1-2-2019-07"
#         }
#       }
package paved.rules.search_domain_encryption

import data.paved.lib

types := ["aws_opensearch_domain", "aws_elasticsearch_domain"]

checks := [
	["encrypt_at_rest", "enabled", "does not encrypt data at rest", "data is encrypted at rest"],
	["node_to_node_encryption", "enabled", "does not encrypt traffic between nodes", "traffic between nodes is encrypted"],
]

deny contains f if {
	some r in lib.candidates(types)
	some [block, attr, what, _] in checks
	not _on(r, block, attr)
	not _computed(r, block, attr)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s %s", [r.address, what]), sprintf("%s[0].%s", [block, attr]), object.get(r.after, [block, 0, attr], null))
}

deny contains f if {
	some r in lib.candidates(types)
	some [block, attr, _, whether] in checks
	not _on(r, block, attr)
	_computed(r, block, attr)
	lib.judged(r)
	f := lib.undetermined(r, sprintf("%s[0].%s", [block, attr]), whether)
}

# enforce_https defaults to true in the provider: only an explicit false counts.
deny contains f if {
	some r in lib.candidates(types)
	some [i, _] in lib.blocks(r, "domain_endpoint_options")
	lib.get(r, ["domain_endpoint_options", i, "enforce_https"], true) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s accepts plain HTTP requests (enforce_https = false)", [r.address]), sprintf("domain_endpoint_options[%d].enforce_https", [i]), false)
}

deny contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.domain_endpoint_options
	some i, _ in object.get(r.after, "domain_endpoint_options", [])
	lib.computed(r, ["domain_endpoint_options", i, "enforce_https"])
	lib.judged(r)
	f := lib.undetermined(r, sprintf("domain_endpoint_options[%d].enforce_https", [i]), "plain HTTP is refused")
}

_on(r, block, attr) if {
	some [i, _] in lib.blocks(r, block)
	lib.get(r, [block, i, attr], false) != false
}

_computed(r, block, _) if lib.computed(r, [block])

_computed(r, block, attr) if {
	some i, _ in object.get(r.after, block, [])
	_ := r.after_unknown[block]
	lib.computed(r, [block, i, attr])
}
