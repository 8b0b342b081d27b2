# METADATA
# title: Kubernetes object on a removed API version
# description: |
#   Kubernetes removes beta API versions a few releases after their stable replacement ships
#   (extensions/v1beta1 and apps/v1beta1/v1beta2 workloads in 1.16, networking.k8s.io/v1beta1
#   Ingress and the v1beta1 RBAC, CRD and webhook APIs in 1.22, batch/v1beta1 CronJob,
#   policy/v1beta1 and autoscaling/v2beta1 in 1.25, autoscaling/v2beta2 in 1.26,
#   flowcontrol v1beta2 in 1.29 and v1beta3 in 1.32). A manifest on such a version no longer
#   applies to a cluster at or past that release: the deploy fails, usually in the middle of an
#   upgrade, and Helm releases that hold such objects cannot be upgraded. The message names the
#   release that removed the version and the one to use. Versions removed after the
#   kubernetes_version parameter (the release your clusters run or will upgrade to next) are not
#   reported; an apiVersion left to substitution before apply is reported as undetermined.
# custom:
#   id: k8s-removed-api-version
#   severity: warn
#   category: kubernetes
#   checkov: []
#   trivy: [KSV-0107]
#   security: false
#   remediation: Move the object to the API version named in the message (kubectl convert, or pluto, finds them all); check the fields that changed between the versions, such as an Ingress backend's service.name and service.port.
#   resource_types: ["*"]
#   scope: resource
#   parameters:
#     kubernetes_version:
#       default: "1.32"
#       description: The Kubernetes release the manifests must apply to (major.minor); API versions removed in it or earlier are reported.
#   examples:
#     fail: |
#       apiVersion: batch/v1beta1
#       kind: CronJob
#       metadata: {name: report}
#       spec:
#         schedule: "0 3 * * *"
#         jobTemplate:
#           spec:
#             template:
#               spec:
#                 restartPolicy: OnFailure
#                 containers:
#                   - name: report
#                     image: ghcr.io/acme/report:1.2.0
#     pass: |
#       apiVersion: batch/v1
#       kind: CronJob
#       metadata: {name: report}
#       spec:
#         schedule: "0 3 * * *"
#         jobTemplate:
#           spec:
#             template:
#               spec:
#                 restartPolicy: OnFailure
#                 containers:
#                   - name: report
#                     image: ghcr.io/acme/report:1.2.0
package paved.rules.k8s_removed_api_version

import data.paved.lib

params := data.paved.params.k8s_removed_api_version

# apiVersion -> kind ("*" for every kind of that version) -> [minor release
# that removed it, what to use instead]. All removals so far were in 1.x.
removed := {
	"extensions/v1beta1": {
		"Ingress": [22, "networking.k8s.io/v1"],
		"IngressClass": [22, "networking.k8s.io/v1"],
		"NetworkPolicy": [16, "networking.k8s.io/v1"],
		"PodSecurityPolicy": [16, "Pod Security Admission (PodSecurityPolicy is gone since 1.25)"],
		"*": [16, "apps/v1"],
	},
	"apps/v1beta1": {"*": [16, "apps/v1"]},
	"apps/v1beta2": {"*": [16, "apps/v1"]},
	"networking.k8s.io/v1beta1": {"*": [22, "networking.k8s.io/v1"]},
	"admissionregistration.k8s.io/v1beta1": {"*": [22, "admissionregistration.k8s.io/v1"]},
	"apiextensions.k8s.io/v1beta1": {"*": [22, "apiextensions.k8s.io/v1"]},
	"apiregistration.k8s.io/v1beta1": {"*": [22, "apiregistration.k8s.io/v1"]},
	"authentication.k8s.io/v1beta1": {"*": [22, "authentication.k8s.io/v1"]},
	"authorization.k8s.io/v1beta1": {"*": [22, "authorization.k8s.io/v1"]},
	"certificates.k8s.io/v1beta1": {"*": [22, "certificates.k8s.io/v1"]},
	"coordination.k8s.io/v1beta1": {"*": [22, "coordination.k8s.io/v1"]},
	"rbac.authorization.k8s.io/v1beta1": {"*": [22, "rbac.authorization.k8s.io/v1"]},
	"scheduling.k8s.io/v1beta1": {"*": [22, "scheduling.k8s.io/v1"]},
	"storage.k8s.io/v1beta1": {
		"CSIStorageCapacity": [27, "storage.k8s.io/v1"],
		"*": [22, "storage.k8s.io/v1"],
	},
	"batch/v1beta1": {"*": [25, "batch/v1"]},
	"discovery.k8s.io/v1beta1": {"*": [25, "discovery.k8s.io/v1"]},
	"events.k8s.io/v1beta1": {"*": [25, "events.k8s.io/v1"]},
	"autoscaling/v2beta1": {"*": [25, "autoscaling/v2"]},
	"policy/v1beta1": {
		"PodSecurityPolicy": [25, "Pod Security Admission"],
		"*": [25, "policy/v1"],
	},
	"node.k8s.io/v1beta1": {"*": [25, "node.k8s.io/v1"]},
	"autoscaling/v2beta2": {"*": [26, "autoscaling/v2"]},
	"flowcontrol.apiserver.k8s.io/v1beta1": {"*": [26, "flowcontrol.apiserver.k8s.io/v1"]},
	"flowcontrol.apiserver.k8s.io/v1beta2": {"*": [29, "flowcontrol.apiserver.k8s.io/v1"]},
	"flowcontrol.apiserver.k8s.io/v1beta3": {"*": [32, "flowcontrol.apiserver.k8s.io/v1"]},
}

target := to_number(split(params.kubernetes_version, ".")[1])

warn contains f if {
	input.source == "kubernetes"
	some r in input.resources
	api := object.get(r, ["after", "apiVersion"], "")
	kinds := removed[api]
	object.get(r, "source", "") == "kubernetes"
	[minor, use] := _entry(kinds, r.type)
	minor <= target
	lib.judged(r)
	f := lib.finding(r, sprintf("%s uses %s, which Kubernetes 1.%v removed: use %s", [lib.workload_name(r), api, minor, use]), "apiVersion", api)
}

warn contains f if {
	input.source == "kubernetes"
	some r in input.resources
	api := object.get(r, ["after", "apiVersion"], "")
	contains(api, "${")
	lib.placeholder(api)
	lib.judged(r)
	f := lib.substituted(r, "apiVersion", api, "the API version still exists")
}

_entry(kinds, kind) := e if {
	e := kinds[kind]
} else := kinds["*"]
