# METADATA
# title: Load balancer listener accepts TLS below 1.2
# description: |
#   TLS 1.0 and 1.1 have known weaknesses and are no longer allowed by PCI DSS, NIST or the
#   major browsers. HTTPS and TLS listeners of Application and Network Load Balancers are
#   reported when their ssl_policy is one of the predefined policies in the parameter, which
#   still accept TLS 1.0 or 1.1. Left out, the provider sends none and Elastic Load Balancing
#   applies its API default, ELBSecurityPolicy-2016-08 (TLS 1.0): that default is judged, so an
#   HTTPS listener without ssl_policy is reported. Classic Load Balancer policies
#   (aws_load_balancer_policy) are not read. A policy known only after apply is reported as
#   undetermined.
# custom:
#   id: lb-tls-policy
#   severity: warn
#   category: encryption
#   checkov: [CKV_AWS_103]
#   trivy: [AWS-0047]
#   security: true
#   remediation: Set ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 and 1.3), or a newer TLS 1.2+ policy.
#   resource_types: [aws_lb_listener, aws_alb_listener]
#   scope: resource
#   parameters:
#     weak_policies:
#       default: [ELBSecurityPolicy-2016-08, ELBSecurityPolicy-2015-05, ELBSecurityPolicy-TLS-1-0-2015-04, ELBSecurityPolicy-TLS-1-1-2017-01, ELBSecurityPolicy-FS-2018-06, ELBSecurityPolicy-FS-1-1-2019-08, ELBSecurityPolicy-TLS13-1-0-2021-06, ELBSecurityPolicy-TLS13-1-1-2021-06, ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04, ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04, ELBSecurityPolicy-TLS13-1-0-PQ-2025-09, ELBSecurityPolicy-TLS13-1-1-PQ-2025-09]
#       description: Predefined security policies that accept TLS 1.0 or 1.1 (the first is also the API default when ssl_policy is left out).
#   examples:
#     fail: |
#       resource "aws_lb_listener" "https" {
#         load_balancer_arn = aws_lb.web.arn
#         port              = 443
#         protocol          = "HTTPS"
#         ssl_policy        = "ELBSecurityPolicy-2016-08"
#         certificate_arn   = aws_acm_certificate.web.arn
#       }
#     pass: |
#       resource "aws_lb_listener" "https" {
#         load_balancer_arn = aws_lb.web.arn
#         port              = 443
#         protocol          = "HTTPS"
#         ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#         certificate_arn   = aws_acm_certificate.web.arn
#       }
package paved.rules.lb_tls_policy

import data.paved.lib

params := data.paved.params.lb_tls_policy

types := ["aws_lb_listener", "aws_alb_listener"]

# The Elastic Load Balancing API's default for HTTPS and TLS listeners.
api_default := "ELBSecurityPolicy-2016-08"

warn contains f if {
	some r in lib.candidates(types)
	p := r.after.ssl_policy
	p in params.weak_policies
	r.after.protocol in {"HTTPS", "TLS"}
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses the security policy %s, which accepts TLS 1.0 or 1.1", [r.address, p]), "ssl_policy", p)
}

warn contains f if {
	some r in lib.candidates(types)
	object.get(r.after, "ssl_policy", null) in {null, ""}
	r.after.protocol in {"HTTPS", "TLS"}
	lib.judged(r)
	lib.unset(r, ["ssl_policy"])
	api_default in params.weak_policies
	f := lib.finding(r, sprintf("%s leaves ssl_policy unset, so it gets the API default %s, which accepts TLS 1.0", [r.address, api_default]), "ssl_policy", null)
}

warn contains f if {
	some r in lib.candidates(types)
	_ := r.after_unknown.ssl_policy
	object.get(r.after, "ssl_policy", null) == null
	r.after.protocol in {"HTTPS", "TLS"}
	lib.judged(r)
	lib.computed(r, ["ssl_policy"])
	f := lib.undetermined(r, "ssl_policy", "the listener accepts TLS below 1.2")
}
