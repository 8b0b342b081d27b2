package paved.rules.lb_listener_https_test

import data.paved.rules.lb_listener_https as rule
import data.paved.test.created
import data.paved.test.named
import data.paved.test.plan
import data.paved.test.res
import data.paved.test.unknown

test_fail_http_forward if {
	fs := rule.deny with input as plan([res("aws_lb_listener", {"port": 80, "protocol": "HTTP", "default_action": [{"type": "forward", "target_group_arn": "arn"}]})])
	some f in fs
	f.path == "default_action[0].type"
	f.value == "forward"
}

test_fail_redirect_to_http if {
	count(rule.deny) == 1 with input as plan([res("aws_alb_listener", {"protocol": "HTTP", "default_action": [{"type": "redirect", "redirect": [{"protocol": "HTTP", "port": "8080"}]}]})])
}

test_pass_https_redirect_and_nlb if {
	count(rule.deny) == 0 with input as plan([
		res("aws_lb_listener", {"protocol": "HTTP", "default_action": [{"type": "redirect", "redirect": [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}]}]}),
		res("aws_lb_listener", {"protocol": "HTTPS", "default_action": [{"type": "forward"}]}),
		res("aws_lb_listener", {"protocol": "TCP", "default_action": [{"type": "forward"}]}),
	])
}

test_fail_protocol_left_unset if {
	fs := rule.deny with input as plan([created("aws_lb_listener", {"port": 80, "default_action": [{"type": "forward"}]}, {"protocol": true, "arn": true}, {"port": "constant", "default_action": [{"type": "constant"}]})])
	[f.path | some f in fs] == ["default_action[0].type"]
}

test_fail_computed_is_undetermined if {
	fs := rule.deny with input as plan([
		created("aws_lb_listener", {"port": 80, "default_action": [{"type": "forward"}]}, {"protocol": true}, {"protocol": "computed", "default_action": [{"type": "constant"}]}),
		unknown(named("aws_lb_listener", "r", {"protocol": "HTTP", "port": 80, "default_action": [{"type": "redirect", "redirect": [{}]}]}), {"default_action": [{"redirect": [{"protocol": true}]}]}),
	])
	{[f.address, f.undetermined] | some f in fs} == {["aws_lb_listener.main", true], ["aws_lb_listener.r", true]}
}

test_pass_gateway_listener_without_protocol if {
	count(rule.deny) == 0 with input as plan([created("aws_lb_listener", {"default_action": [{"type": "forward"}]}, {"protocol": true}, {"default_action": [{"type": "constant"}]})])
}

test_fail_classic_elb_http if {
	elb := res("aws_elb", {"name": "web", "listener": [{"lb_port": 80, "lb_protocol": "http", "instance_port": 8080, "instance_protocol": "http"}, {"lb_port": 443, "lb_protocol": "https", "instance_port": 8080, "instance_protocol": "http", "ssl_certificate_id": "arn:aws:acm:eu-west-1:123456789012:certificate/x"}]})
	fs := rule.deny with input as plan([elb])
	count(fs) == 1
}

test_pass_classic_elb_https if {
	elb := res("aws_elb", {"name": "web", "listener": [{"lb_port": 443, "lb_protocol": "HTTPS", "instance_port": 8080, "instance_protocol": "http"}]})
	count(rule.deny) == 0 with input as plan([elb])
}
