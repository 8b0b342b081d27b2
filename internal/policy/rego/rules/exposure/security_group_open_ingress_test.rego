package paved.rules.security_group_open_ingress_test

import data.paved.rules.security_group_open_ingress as rule
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

ing(proto, from, to, cidrs, v6) := {"protocol": proto, "from_port": from, "to_port": to, "cidr_blocks": cidrs, "ipv6_cidr_blocks": v6}

test_fail_ssh_to_world if {
	fs := rule.deny with input as plan([res("aws_security_group", {"ingress": [ing("tcp", 443, 443, ["0.0.0.0/0"], []), ing("tcp", 22, 22, ["0.0.0.0/0"], [])]})])
	count(fs) == 1
	some f in fs
	f.path == "ingress[1].cidr_blocks"
	contains(f.msg, "port 22")
}

test_fail_all_traffic_ipv6_and_rule_resources if {
	fs := rule.deny with input as plan([
		res("aws_security_group", {"ingress": [ing("-1", 0, 0, [], ["::/0"])]}),
		res("aws_security_group_rule", {"type": "ingress", "protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr_blocks": ["0.0.0.0/0"]}),
		res("aws_vpc_security_group_ingress_rule", {"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_ipv4": "0.0.0.0/0"}),
		named("aws_vpc_security_group_ingress_rule", "all", {"ip_protocol": "-1", "cidr_ipv6": "::/0"}),
	])
	count(fs) == 4
}

test_fail_port_range_covering_allowed_port if {
	count(rule.deny) == 1 with input as plan([res("aws_security_group", {"ingress": [ing("tcp", 80, 443, ["0.0.0.0/0"], [])]})])
}

test_pass_allowed_ports_private_cidrs_icmp_egress if {
	count(rule.deny) == 0 with input as plan([
		res("aws_security_group", {"ingress": [ing("tcp", 80, 80, ["0.0.0.0/0"], ["::/0"]), ing("tcp", 22, 22, ["10.0.0.0/8"], []), ing("icmp", -1, -1, ["0.0.0.0/0"], [])]}),
		res("aws_security_group_rule", {"type": "egress", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}),
		res("aws_vpc_security_group_ingress_rule", {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}),
	])
}

test_pass_ssh_when_allowed_by_params if {
	count(rule.deny) == 0 with input as plan([res("aws_security_group", {"ingress": [ing("tcp", 22, 22, ["0.0.0.0/0"], [])]})])
		with data.paved.params.security_group_open_ingress as {"allowed_ports": [22]}
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		unknown(res("aws_security_group", {"name": "web", "ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": []}]}), {"ingress": [{"cidr_blocks": true}]}),
		unknown(named("aws_vpc_security_group_ingress_rule", "pg", {"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432}), {"cidr_ipv4": true}),
		unknown(named("aws_vpc_security_group_ingress_rule", "https", {"ip_protocol": "tcp", "from_port": 443, "to_port": 443}), {"cidr_ipv4": true}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_security_group.main", true], ["aws_vpc_security_group_ingress_rule.pg", true]}
}
