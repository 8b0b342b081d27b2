# METADATA
# title: OpenSearch domain without encryption
# description: |
#   A search cluster indexes copies of business data, often the most searchable (names,
#   e-mails, order text). OpenSearch and legacy Elasticsearch domains can encrypt data at rest,
#   encrypt traffic between nodes, and refuse plain-HTTP clients; the first two default to off
#   when their blocks are missing and can only be switched on for supported engine versions,
#   ideally at creation.
# custom:
#   id: search-domain-encryption
#   severity: deny
#   category: encryption
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

checks := [
	["encrypt_at_rest", "enabled", "does not encrypt data at rest"],
	["node_to_node_encryption", "enabled", "does not encrypt traffic between nodes"],
]

deny contains f if {
	some r in lib.candidates(["aws_opensearch_domain", "aws_elasticsearch_domain"])
	some [block, attr, what] in checks
	not lib.unknown(r, [block])
	not _on(r, block, attr)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s %s", [r.address, what]), sprintf("%s[0].%s", [block, attr]), object.get(r.after, [block, 0, attr], null))
}

# enforce_https defaults to true in the provider: only an explicit false counts.
deny contains f if {
	some r in lib.candidates(["aws_opensearch_domain", "aws_elasticsearch_domain"])
	some [i, _] in lib.blocks(r, "domain_endpoint_options")
	lib.get(r, ["domain_endpoint_options", i, "enforce_https"], true) == false
	lib.judged(r)
	f := lib.finding(r, sprintf("%s accepts plain HTTP requests (enforce_https = false)", [r.address]), sprintf("domain_endpoint_options[%d].enforce_https", [i]), false)
}

_on(r, block, attr) if {
	some [i, _] in lib.blocks(r, block)
	lib.get(r, [block, i, attr], false) != false
}

_on(r, block, attr) if {
	some [i, _] in lib.blocks(r, block)
	lib.unknown(r, [block, i, attr])
}
