package paved.rules.firewall_open_ingress_test

import data.paved.rules.firewall_open_ingress as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res

gfw(ranges, allows) := {"network": "default", "direction": "INGRESS", "source_ranges": ranges, "allow": allows, "deny": [], "disabled": false}

nsr(prefix, ports) := {"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "source_address_prefix": prefix, "destination_port_range": ports}

test_fail_gcp_ssh_and_all_ports if {
	fs := rule.deny with input as plan([
		named("google_compute_firewall", "ssh", gfw(["0.0.0.0/0"], [{"protocol": "tcp", "ports": ["22"]}])),
		named("google_compute_firewall", "any", gfw(["0.0.0.0/0"], [{"protocol": "all", "ports": []}])),
		named("google_compute_firewall", "range", gfw(["::/0"], [{"protocol": "tcp", "ports": ["80-8080"]}])),
	])
	count(fs) == 3
	some f in fs
	contains(f.msg, "TCP on ports 22")
}

test_fail_azure_rule_and_inline if {
	fs := rule.deny with input as plan([
		res("azurerm_network_security_rule", nsr("*", "3389")),
		res("azurerm_network_security_group", {"security_rule": [
			object.union(nsr("Internet", ""), {"name": "ssh", "destination_port_ranges": ["22", "443"]}),
			object.union(nsr("10.0.0.0/8", "22"), {"name": "private"}),
		]}),
	])
	count(fs) == 2
}

test_pass_allowed_private_disabled_egress_icmp if {
	count(rule.deny) == 0 with input as plan([
		named("google_compute_firewall", "https", gfw(["0.0.0.0/0"], [{"protocol": "tcp", "ports": ["443", "80"]}])),
		named("google_compute_firewall", "internal", gfw(["10.0.0.0/8"], [{"protocol": "tcp", "ports": ["22"]}])),
		named("google_compute_firewall", "off", object.union(gfw(["0.0.0.0/0"], [{"protocol": "tcp", "ports": ["22"]}]), {"disabled": true})),
		named("google_compute_firewall", "out", object.union(gfw(["0.0.0.0/0"], [{"protocol": "tcp", "ports": ["22"]}]), {"direction": "EGRESS"})),
		named("google_compute_firewall", "ping", gfw(["0.0.0.0/0"], [{"protocol": "icmp", "ports": []}])),
		res("azurerm_network_security_rule", nsr("*", "443")),
		res("azurerm_network_security_rule", object.union(nsr("*", "22"), {"access": "Deny"})),
	])
}

test_pass_ssh_when_allowed_by_params if {
	count(rule.deny) == 0 with input as plan([named("google_compute_firewall", "ssh", gfw(["0.0.0.0/0"], [{"protocol": "tcp", "ports": ["22"]}]))])
		with data.paved.params.firewall_open_ingress as {"allowed_ports": [22]}
}

# google provider: direction left out shows as known after apply: INGRESS.
test_fail_gcp_direction_left_out if {
	fs := rule.deny with input as plan([created(
		"google_compute_firewall", {"network": "default", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["22"]}], "direction": null},
		{"direction": true, "id": true}, {"network": "constant", "source_ranges": "constant", "allow": [{"protocol": "constant", "ports": "constant"}]},
	)])
	count(fs) == 1
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		created("google_compute_firewall", {"network": "default", "direction": "INGRESS", "source_ranges": [], "allow": [{"protocol": "tcp", "ports": ["22"]}]}, {"source_ranges": true}, {"source_ranges": "computed", "allow": [{"protocol": "constant", "ports": "constant"}]}),
		created("azurerm_network_security_rule", object.remove(nsr(null, "22"), ["source_address_prefix"]), {"source_address_prefix": true}, {"source_address_prefix": "computed"}),
	])
	{[f.path, f.undetermined] | some f in fs} == {["source_ranges", true], ["source_address_prefix", true]}
}

# A plan shows unset ports as null: every port is open.
test_fail_gcp_ports_null if {
	fs := rule.deny with input as plan([named("google_compute_firewall", "all", gfw(["0.0.0.0/0"], [{"protocol": "tcp", "ports": null}]))])
	[f.msg | some f in fs] == ["google_compute_firewall.all allows TCP on every port from 0.0.0.0/0"]
}
