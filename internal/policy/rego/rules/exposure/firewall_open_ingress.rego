# METADATA
# title: Google Cloud or Azure firewall open to the internet
# description: |
#   The Google Cloud and Azure counterpart of security-group-open-ingress. A firewall rule that
#   admits 0.0.0.0/0, ::/0 (Azure also "*", "Internet" and "Any") exposes its ports to every
#   scanner on the internet; open SSH, RDP and database ports are among the most common ways
#   in. Only the ports a public service is meant to answer on (by default 80 and 443) may be
#   open to the world. Checked: google_compute_firewall (INGRESS, allow blocks, not disabled),
#   azurerm_network_security_rule and the inline security_rule blocks of
#   azurerm_network_security_group (Inbound, Allow). ICMP is not reported. A direction left out
#   is INGRESS also when the plan shows it as known after apply; source ranges or ports known
#   only after apply are reported as undetermined.
# custom:
#   id: firewall-open-ingress
#   severity: deny
#   category: exposure
#   checkov: [CKV_GCP_2, CKV_GCP_3, CKV_GCP_88, CKV_GCP_75, CKV_GCP_77, CKV_GCP_106, CKV2_GCP_12, CKV_AZURE_9, CKV_AZURE_10, CKV_AZURE_160]
#   trivy: [GCP-0027, AZU-0047]
#   security: true
#   remediation: Restrict the source ranges to known networks, put the service behind a load balancer, and reach hosts through IAP (Google Cloud) or Bastion (Azure) instead of open SSH or RDP.
#   resource_types: [google_compute_firewall, azurerm_network_security_rule, azurerm_network_security_group]
#   scope: resource
#   parameters:
#     allowed_ports:
#       default: [80, 443]
#       description: Ports that may be open to the whole internet.
#   examples:
#     fail: |
#       resource "google_compute_firewall" "ssh" {
#         network       = "default"
#         source_ranges = ["0.0.0.0/0"]
#         allow {
#           protocol = "tcp"
#           ports    = ["22"]
#         }
#       }
#     pass: |
#       resource "google_compute_firewall" "https" {
#         network       = "default"
#         source_ranges = ["0.0.0.0/0"]
#         allow {
#           protocol = "tcp"
#           ports    = ["443"]
#         }
#       }
package paved.rules.firewall_open_ingress

import data.paved.lib

params := data.paved.params.firewall_open_ingress

# Google Cloud: direction defaults to INGRESS; an allow block without ports
# opens every port of its protocol, and protocol "all" every port.
deny contains f if {
	some r in lib.candidates(["google_compute_firewall"])
	some cidr in object.get(r.after, "source_ranges", [])
	_world(cidr)
	_gcp_ingress(r)
	some [i, a] in lib.blocks(r, "allow")
	_gcp_exposed(a)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows %s from %s", [r.address, _gcp_what(a), cidr]), sprintf("allow[%d]", [i]), cidr)
}

# Source ranges known only after apply.
deny contains f if {
	some r in lib.candidates(["google_compute_firewall"])
	_ := r.after_unknown.source_ranges
	_gcp_ingress(r)
	lib.computed(r, ["source_ranges"])
	object.get(r.after, "source_ranges", null) in {null, []}
	some [_, a] in lib.blocks(r, "allow")
	_gcp_exposed(a)
	lib.judged(r)
	f := lib.undetermined(r, "source_ranges", "the firewall admits the whole internet")
}

# Ports known only after apply, open to the world.
deny contains f if {
	some r in lib.candidates(["google_compute_firewall"])
	_ := r.after_unknown.allow
	some cidr in object.get(r.after, "source_ranges", [])
	_world(cidr)
	_gcp_ingress(r)
	some i, _ in object.get(r.after, "allow", [])
	lib.computed(r, ["allow", i, "ports"])
	lib.judged(r)
	f := lib.undetermined(r, sprintf("allow[%d].ports", [i]), "only allowed ports are open to the internet")
}

_gcp_ingress(r) if {
	upper(lib.get(r, ["direction"], "INGRESS")) == "INGRESS"
	lib.get(r, ["disabled"], false) != true
}

_gcp_exposed(a) if lower(object.get(a, "protocol", "")) == "all"

_gcp_exposed(a) if {
	lower(object.get(a, "protocol", "")) in {"tcp", "udp", "6", "17", "sctp"}
	_no_ports(object.get(a, "ports", null))
}

# Unset ports (null in a plan, or empty) open every port of the protocol.
_no_ports(null)

_no_ports([])

_gcp_exposed(a) if {
	lower(object.get(a, "protocol", "")) in {"tcp", "udp", "6", "17", "sctp"}
	some p in object.get(a, "ports", null)
	_spec_not_allowed(p)
}

_gcp_what(a) := "all traffic" if lower(object.get(a, "protocol", "")) == "all"

else := sprintf("%s on every port", [upper(a.protocol)]) if _no_ports(object.get(a, "ports", null))

else := sprintf("%s on ports %s", [upper(a.protocol), concat(", ", [sprintf("%v", [p]) | some p in a.ports])])

# Azure: a standalone rule resource.
deny contains f if {
	some r in lib.candidates(["azurerm_network_security_rule"])
	_azure_exposed(r.after)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s allows %s", [r.address, _azure_what(r.after)]), "source_address_prefix", _azure_source(r.after))
}

# Azure: rules inline in the security group.
deny contains f if {
	some r in lib.candidates(["azurerm_network_security_group"])
	some [i, rule] in lib.blocks(r, "security_rule")
	_azure_exposed(rule)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s rule %v allows %s", [r.address, object.get(rule, "name", i), _azure_what(rule)]), sprintf("security_rule[%d]", [i]), _azure_source(rule))
}

# Azure: a rule whose source or ports are known only after apply.
deny contains f if {
	some r in lib.candidates(["azurerm_network_security_rule"])
	lower(object.get(r.after, "direction", "")) == "inbound"
	lower(object.get(r.after, "access", "")) == "allow"
	some attr in ["source_address_prefix", "source_address_prefixes", "destination_port_range", "destination_port_ranges"]
	_ := r.after_unknown[attr]
	lib.computed(r, [attr])
	object.get(r.after, attr, null) in {null, []}
	lib.judged(r)
	f := lib.undetermined(r, attr, "the rule admits the internet to ports that are not allowed")
}

deny contains f if {
	some r in lib.candidates(["azurerm_network_security_group"])
	_ := r.after_unknown.security_rule
	lib.computed(r, ["security_rule"])
	object.get(r.after, "security_rule", null) in {null, []}
	lib.judged(r)
	f := lib.undetermined(r, "security_rule", "a rule admits the internet to ports that are not allowed")
}

_azure_exposed(rule) if {
	lower(object.get(rule, "direction", "")) == "inbound"
	lower(object.get(rule, "access", "")) == "allow"
	lower(object.get(rule, "protocol", "")) in {"tcp", "udp", "*", "any"}
	_azure_world(rule)
	some p in _azure_ports(rule)
	_spec_not_allowed(p)
}

_azure_world(rule) if _azure_source(rule) != ""

_azure_source(rule) := s if {
	s := object.get(rule, "source_address_prefix", "")
	_azure_world_prefix(s)
} else := s if {
	some s in object.get(rule, "source_address_prefixes", [])
	_azure_world_prefix(s)
} else := ""

_azure_world_prefix(s) if lower(trim_space(s)) in {"*", "internet", "any"}

_azure_world_prefix(s) if _world(s)

_azure_ports(rule) := ps if {
	ps := [p | some p in array.concat([object.get(rule, "destination_port_range", "")], object.get(rule, "destination_port_ranges", [])); p != ""; p != null]
	count(ps) > 0
} else := ["*"]

_azure_what(rule) := sprintf("%s from %s to ports %s", [object.get(rule, "protocol", "?"), _azure_source(rule), concat(", ", [sprintf("%v", [p]) | some p in _azure_ports(rule)])])

_world(cidr) if {
	is_string(cidr)
	endswith(trim_space(cidr), "/0")
}

# A port spec: "22", 22, "8000-9000" or "*" (Azure, every port).
_spec_not_allowed(p) if trim_space(sprintf("%v", [p])) == "*"

_spec_not_allowed(p) if {
	[lo, hi] := _range(p)
	allowed := count([x | some x in params.allowed_ports; x >= lo; x <= hi])
	allowed < (hi - lo) + 1
}

_range(p) := [n, n] if {
	s := trim_space(sprintf("%v", [p]))
	regex.match(`^[0-9]+$`, s)
	n := to_number(s)
} else := [to_number(parts[0]), to_number(parts[1])] if {
	parts := split(trim_space(sprintf("%v", [p])), "-")
	count(parts) == 2
	regex.match(`^[0-9]+$`, parts[0])
	regex.match(`^[0-9]+$`, parts[1])
}
