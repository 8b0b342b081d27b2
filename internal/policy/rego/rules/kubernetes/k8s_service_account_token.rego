# METADATA
# title: Service-account token mounted into pods that may not need it
# description: |
#   Unless told otherwise, Kubernetes mounts a token of the pod's service account into every
#   container. Most application pods never call the Kubernetes API, and for them the token is
#   only a credential an attacker who gets code execution can use against the API server.
#   A pod is reported when its spec does not set automountServiceAccountToken: false and its
#   service account (serviceAccountName, else default) is not, in the checked manifests, a
#   ServiceAccount with automountServiceAccountToken: false (the pod's setting wins over the
#   service account's, as in Kubernetes). Pods that do call the API (operators, controllers)
#   set automountServiceAccountToken: true on the pod spec to say so, which passes, or their
#   service account is listed in the parameter. A setting left to substitution before apply
#   (${AUTOMOUNT}) is reported as undetermined.
# custom:
#   id: k8s-service-account-token
#   severity: warn
#   category: kubernetes
#   checkov: [CKV_K8S_38]
#   trivy: [KSV-0036]
#   security: true
#   remediation: Set automountServiceAccountToken false on the pod spec (or on its ServiceAccount); a pod that calls the Kubernetes API sets it true explicitly and gets a service account with only the RBAC it needs.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   context_types: [ServiceAccount]
#   scope: resource
#   parameters:
#     api_service_accounts:
#       default: []
#       description: Service accounts (names, or namespace/name) whose pods call the Kubernetes API and keep the token.
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web, namespace: storefront}
#       spec:
#         template:
#           spec:
#             containers: [{name: web, image: "ghcr.io/acme/web:2.4.1"}]
#     pass: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web, namespace: storefront}
#       spec:
#         template:
#           spec:
#             automountServiceAccountToken: false
#             containers: [{name: web, image: "ghcr.io/acme/web:2.4.1"}]
package paved.rules.k8s_service_account_token

import data.paved.lib

params := data.paved.params.k8s_service_account_token

warn contains f if {
	some w in lib.workloads
	not is_boolean(object.get(w.spec, "automountServiceAccountToken", null))
	not lib.placeholder(object.get(w.spec, "automountServiceAccountToken", null))
	sa := _account(w.spec)
	not _kept(w.r, sa)
	not _account_off(w.r, sa)
	not _account_substituted(w.r, sa)
	f := lib.finding(w.r, sprintf("%s mounts the token of service account %s into its pods (automountServiceAccountToken is not false)", [lib.workload_name(w.r), sa]), sprintf("%s.automountServiceAccountToken", [w.path]), null)
}

# An explicit true says the pod calls the API: it passes. An explicit false passes.
# A placeholder on the pod, or on its ServiceAccount, is undetermined.
warn contains f if {
	some w in lib.workloads
	v := w.spec.automountServiceAccountToken
	lib.placeholder(v)
	f := lib.substituted(w.r, sprintf("%s.automountServiceAccountToken", [w.path]), v, "the service-account token is mounted")
}

warn contains f if {
	some w in lib.workloads
	not is_boolean(object.get(w.spec, "automountServiceAccountToken", null))
	not lib.placeholder(object.get(w.spec, "automountServiceAccountToken", null))
	sa := _account(w.spec)
	not _kept(w.r, sa)
	not _account_off(w.r, sa)
	some v in _account_values(w.r, sa)
	lib.placeholder(v)
	f := lib.substituted(w.r, sprintf("%s.serviceAccountName", [w.path]), v, "the service-account token is mounted")
}

_account(spec) := n if {
	n := spec.serviceAccountName
	is_string(n)
	n != ""
} else := n if {
	n := spec.serviceAccount
	is_string(n)
	n != ""
} else := "default"

_kept(_, sa) if sa in params.api_service_accounts

_kept(r, sa) if concat("/", [_namespace(r), sa]) in params.api_service_accounts

_account_off(r, sa) if false in _account_values(r, sa)

_account_substituted(r, sa) if {
	some v in _account_values(r, sa)
	lib.placeholder(v)
}

# The automountServiceAccountToken values of the ServiceAccounts named sa in
# the workload's namespace (a manifest without a namespace may sit beside it).
_account_values(r, sa) := {v |
	some a in object.get(input.by_type, "ServiceAccount", [])
	lib.judged(a)
	object.get(a.after, ["metadata", "name"], "") == sa
	_same_namespace(_namespace(a), _namespace(r))
	v := a.after.automountServiceAccountToken
}

_namespace(r) := object.get(r.after, ["metadata", "namespace"], "")

_same_namespace(a, b) if a == b

_same_namespace(a, _) if a in {"", null}

_same_namespace(_, b) if b in {"", null}
