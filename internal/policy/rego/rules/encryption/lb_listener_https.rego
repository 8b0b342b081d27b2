# METADATA
# title: Load balancer listener serves plain HTTP
# description: |
#   An HTTP listener sends requests, cookies and tokens in clear text between the client and
#   the load balancer. Plain HTTP is acceptable only to redirect clients to HTTPS (or to answer
#   with a fixed response). Network load balancer listeners (TCP, UDP, TLS) are not judged here.
#   A listener that leaves protocol unset but has a port is HTTP, the Application Load Balancer
#   default (Gateway Load Balancer listeners have neither). A protocol or an action known only
#   after apply is reported as undetermined. Classic Load Balancers (aws_elb) cannot redirect:
#   every listener block with lb_protocol HTTP is reported.
# custom:
#   id: lb-listener-https
#   severity: deny
#   category: encryption
#   checkov: [CKV_AWS_2, CKV_AWS_376]
#   trivy: [AWS-0054]
#   security: true
#   remediation: Use protocol = "HTTPS" with a certificate_arn and a current ssl_policy, and turn the HTTP listener into a redirect to HTTPS (status HTTP_301).
#   resource_types: [aws_lb_listener, aws_alb_listener, aws_elb]
#   scope: resource
#   examples:
#     fail: |
#       resource "aws_lb_listener" "web" {
#         load_balancer_arn = aws_lb.web.arn
#         port              = 80
#         protocol          = "HTTP"
#         default_action {
#           type             = "forward"
#           target_group_arn = aws_lb_target_group.web.arn
#         }
#       }
#     pass: |
#       resource "aws_lb_listener" "web" {
#         load_balancer_arn = aws_lb.web.arn
#         port              = 80
#         protocol          = "HTTP"
#         default_action {
#           type = "redirect"
#           redirect {
#             port        = "443"
#             protocol    = "HTTPS"
#             status_code = "HTTP_301"
#           }
#         }
#       }
package paved.rules.lb_listener_https

import data.paved.lib

types := ["aws_lb_listener", "aws_alb_listener"]

deny contains f if {
	some r in lib.candidates(types)
	_http(r)
	some i, a in object.get(r.after, "default_action", [])
	not _safe(a)
	not _action_computed(r, i)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s listens on plain HTTP (port %v) and its default action is %v, not a redirect to HTTPS", [r.address, object.get(r.after, "port", "?"), object.get(a, "type", "?")]), sprintf("default_action[%d].type", [i]), object.get(a, "type", null))
}

deny contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.protocol
	object.get(r.after, "protocol", null) == null
	lib.computed(r, ["protocol"])
	lib.judged(r)
	f := lib.undetermined(r, "protocol", "the listener serves plain HTTP")
}

deny contains f if {
	some r in lib.candidates(types)
	_http(r)
	some i, a in object.get(r.after, "default_action", [])
	not _safe(a)
	_action_computed(r, i)
	lib.judged(r)
	f := lib.undetermined(r, sprintf("default_action[%d]", [i]), "the action redirects to HTTPS")
}

deny contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.default_action
	_http(r)
	lib.computed(r, ["default_action"])
	object.get(r.after, "default_action", null) in {null, []}
	lib.judged(r)
	f := lib.undetermined(r, "default_action", "the action redirects to HTTPS")
}

# Classic Load Balancer listeners: lb_protocol is required, case-insensitive.
deny contains f if {
	some r in lib.candidates(["aws_elb"])
	some i, l in object.get(r.after, "listener", [])
	upper(object.get(l, "lb_protocol", "")) == "HTTP"
	lib.judged(r)
	f := lib.finding(r, sprintf("%s listens on plain HTTP (port %v); a Classic Load Balancer cannot redirect to HTTPS", [r.address, object.get(l, "lb_port", "?")]), sprintf("listener[%d].lb_protocol", [i]), l.lb_protocol)
}

deny contains f if {
	some r in lib.candidates(["aws_elb"])
	_ := r.after_unknown.listener
	some i, l in object.get(r.after, "listener", [])
	object.get(l, "lb_protocol", null) == null
	lib.judged(r)
	lib.computed(r, ["listener", i, "lb_protocol"])
	f := lib.undetermined(r, sprintf("listener[%d].lb_protocol", [i]), "the listener serves plain HTTP")
}

_http(r) if lib.get(r, ["protocol"], "") == "HTTP"

# Unset, with a port: an Application Load Balancer listener, HTTP by default.
_http(r) if {
	lib.unset(r, ["protocol"])
	object.get(r.after, "port", null) != null
}

_safe(a) if a.type == "fixed-response"

_safe(a) if {
	a.type == "redirect"
	some rd in a.redirect
	rd.protocol == "HTTPS"
}

_action_computed(r, i) if lib.computed(r, ["default_action", i, "type"])

_action_computed(r, i) if lib.computed(r, ["default_action", i, "redirect", 0, "protocol"])
