# METADATA
# title: Security group open to the internet
# description: |
#   Ingress from 0.0.0.0/0 or ::/0 exposes a port to every scanner on the internet; open SSH,
#   RDP and database ports are among the most common ways into cloud accounts. Only the ports
#   a public service is meant to answer on (by default 80 and 443) may be open to the world.
#   Inline ingress blocks, aws_security_group_rule and aws_vpc_security_group_ingress_rule are
#   all checked; protocol -1 (all traffic) opens every port. ICMP is not reported. Rules or
#   CIDR ranges known only after apply, where the ports are not all allowed, are reported as
#   undetermined.
# custom:
#   id: security-group-open-ingress
#   severity: deny
#   category: exposure
#   checkov: [CKV_AWS_24, CKV_AWS_25, CKV_AWS_260, CKV_AWS_277]
#   trivy: [AWS-0107]
#   security: true
#   remediation: Restrict the source to known CIDR ranges or security groups, put the service behind a load balancer, and reach hosts through SSM Session Manager instead of open SSH or RDP.
#   resource_types: [aws_security_group, aws_default_security_group, aws_security_group_rule, aws_vpc_security_group_ingress_rule]
#   scope: resource
#   parameters:
#     allowed_ports:
#       default: [80, 443]
#       description: Ports that may be open to 0.0.0.0/0 and ::/0.
#   examples:
#     fail: |
#       resource "aws_security_group" "bastion" {
#         ingress {
#           from_port   = 22
#           to_port     = 22
#           protocol    = "tcp"
#           cidr_blocks = ["0.0.0.0/0"]
#         }
#       }
#     pass: |
#       resource "aws_security_group" "web" {
#         ingress {
#           from_port   = 443
#           to_port     = 443
#           protocol    = "tcp"
#           cidr_blocks = ["0.0.0.0/0"]
#         }
#       }
package paved.rules.security_group_open_ingress

import data.paved.lib

params := data.paved.params.security_group_open_ingress

deny contains f if {
	some r in lib.candidates(["aws_security_group", "aws_default_security_group"])
	some [i, rule] in lib.blocks(r, "ingress")
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in object.get(rule, attr, [])
	_world(cidr)
	_exposed(rule.protocol, rule.from_port, rule.to_port)
	lib.judged(r)
	f := _finding(r, sprintf("ingress[%d].%s", [i, attr]), cidr, rule.protocol, rule.from_port, rule.to_port)
}

deny contains f if {
	some r in lib.candidates(["aws_security_group_rule"])
	lib.get(r, ["type"], "") == "ingress"
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	some cidr in lib.get(r, [attr], [])
	_world(cidr)
	_exposed(r.after.protocol, r.after.from_port, r.after.to_port)
	lib.judged(r)
	f := _finding(r, attr, cidr, r.after.protocol, r.after.from_port, r.after.to_port)
}

deny contains f if {
	some r in lib.candidates(["aws_vpc_security_group_ingress_rule"])
	some attr in ["cidr_ipv4", "cidr_ipv6"]
	cidr := lib.get(r, [attr], "")
	_world(cidr)
	proto := lib.get(r, ["ip_protocol"], "")
	from := object.get(r.after, "from_port", null)
	to := object.get(r.after, "to_port", null)
	_exposed(proto, from, to)
	lib.judged(r)
	f := _finding(r, attr, cidr, proto, from, to)
}

# Known only after apply: the ingress blocks as a whole, or the CIDR ranges
# of a rule whose ports are not all allowed.
deny contains f if {
	some r in lib.candidates(["aws_security_group", "aws_default_security_group"])
	_ := r.after_unknown.ingress
	_none(object.get(r.after, "ingress", null))
	lib.computed(r, ["ingress"])
	lib.judged(r)
	f := lib.undetermined(r, "ingress", "a rule admits the internet to ports that are not allowed")
}

deny contains f if {
	some r in lib.candidates(["aws_security_group", "aws_default_security_group"])
	_ := r.after_unknown.ingress
	some i, rule in object.get(r.after, "ingress", [])
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	lib.computed(r, ["ingress", i, attr])
	_exposed(rule.protocol, rule.from_port, rule.to_port)
	lib.judged(r)
	f := lib.undetermined(r, sprintf("ingress[%d].%s", [i, attr]), "the rule admits the internet")
}

deny contains f if {
	some r in lib.candidates(["aws_security_group_rule"])
	lib.get(r, ["type"], "") == "ingress"
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	_ := r.after_unknown[attr]
	lib.computed(r, [attr])
	_exposed(r.after.protocol, r.after.from_port, r.after.to_port)
	lib.judged(r)
	f := lib.undetermined(r, attr, "the rule admits the internet")
}

deny contains f if {
	some r in lib.candidates(["aws_vpc_security_group_ingress_rule"])
	some attr in ["cidr_ipv4", "cidr_ipv6"]
	_ := r.after_unknown[attr]
	lib.computed(r, [attr])
	_exposed(lib.get(r, ["ip_protocol"], ""), object.get(r.after, "from_port", null), object.get(r.after, "to_port", null))
	lib.judged(r)
	f := lib.undetermined(r, attr, "the rule admits the internet")
}

_none(null)

_none([])

_world(cidr) if {
	is_string(cidr)
	endswith(trim_space(cidr), "/0")
}

# All traffic: every port is open.
_exposed(proto, _, _) if lower(sprintf("%v", [proto])) in {"-1", "all"}

_exposed(proto, from, to) if {
	lower(sprintf("%v", [proto])) in {"tcp", "udp", "6", "17"}
	_ports_not_allowed(from, to)
}

_ports_not_allowed(from, to) if {
	is_number(from)
	is_number(to)
	allowed := count([p | some p in params.allowed_ports; p >= from; p <= to])
	allowed < (to - from) + 1
}

_ports_not_allowed(from, to) if not is_number(from)

_ports_not_allowed(from, to) if not is_number(to)

_finding(r, path, cidr, proto, from, to) := lib.finding(
	r,
	sprintf("%s allows %s from %s to %s", [r.address, _proto_name(proto), cidr, _ports(proto, from, to)]),
	path, cidr,
)

_proto_name(proto) := "all traffic" if lower(sprintf("%v", [proto])) in {"-1", "all"}

else := upper(sprintf("%v", [proto]))

_ports(proto, from, to) := "every port" if lower(sprintf("%v", [proto])) in {"-1", "all"}

else := sprintf("port %v", [from]) if from == to

else := sprintf("ports %v-%v", [from, to])
