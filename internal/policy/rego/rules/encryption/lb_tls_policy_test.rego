package paved.rules.lb_tls_policy_test

import data.paved.rules.lb_tls_policy as rule
import data.paved.test.created
import data.paved.test.plan
import data.paved.test.res

params := {"weak_policies": ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-1-2017-01"]}

listener(after) := res("aws_lb_listener", object.union({"port": 443, "protocol": "HTTPS"}, after))

test_fail_weak_or_default if {
	count(rule.warn) == 1 with input as plan([listener({"ssl_policy": "ELBSecurityPolicy-TLS-1-1-2017-01"})]) with data.paved.params.lb_tls_policy as params
	left_out := created("aws_lb_listener", {"port": 443, "protocol": "HTTPS"}, {"ssl_policy": true}, {"port": "constant", "protocol": "constant"})
	count(rule.warn) == 1 with input as plan([left_out]) with data.paved.params.lb_tls_policy as params
}

test_pass_modern_or_plain if {
	count(rule.warn) == 0 with input as plan([listener({"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"})]) with data.paved.params.lb_tls_policy as params
	count(rule.warn) == 0 with input as plan([res("aws_lb_listener", {"port": 80, "protocol": "HTTP"})]) with data.paved.params.lb_tls_policy as params
}

test_fail_computed_undetermined if {
	r := created("aws_lb_listener", {"port": 443, "protocol": "HTTPS"}, {"ssl_policy": true}, {"ssl_policy": "computed"})
	fs := rule.warn with input as plan([r]) with data.paved.params.lb_tls_policy as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
}
