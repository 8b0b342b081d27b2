# METADATA
# title: Workload in the default namespace
# description: |
#   The default namespace is where everything lands that nobody placed: objects there share
#   RBAC bindings, quotas, network policies and the default service account with whatever else
#   was applied without thinking, and nobody owns it. Workloads (Pods, Deployments,
#   StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs) and what they are made of (Services,
#   ConfigMaps, Secrets, ServiceAccounts, Roles, RoleBindings, Ingresses,
#   PersistentVolumeClaims) belong in a namespace of their own. An explicit
#   `namespace: default` is reported. A manifest without metadata.namespace goes where the
#   deploying tool puts it: `kubectl apply` without -n puts it in default, which is what this
#   rule assumes (as Checkov and Trivy do) while the parameter left_out_is_default is true.
#   Teams whose tool always sets the namespace (helm --namespace, a Flux Kustomization's
#   targetNamespace, an Argo CD Application's destination) set it to false. `kustomize build`
#   output already carries the kustomization's namespace, and paved reads only built output. A
#   namespace left to substitution before apply (${NAMESPACE}) is reported as undetermined.
# custom:
#   id: k8s-default-namespace
#   severity: warn
#   category: kubernetes
#   checkov: [CKV_K8S_21]
#   trivy: [KSV-0110]
#   security: true
#   remediation: Set metadata.namespace to the service's own namespace (or let the deploying tool set it, and set left_out_is_default to false).
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Service, ConfigMap, Secret, ServiceAccount, Role, RoleBinding, Ingress, PersistentVolumeClaim]
#   scope: resource
#   parameters:
#     left_out_is_default:
#       default: true
#       description: Whether a manifest without metadata.namespace counts as being in the default namespace (false when the deploying tool always sets the namespace).
#   examples:
#     fail: |
#       apiVersion: apps/v1
#       kind: Deployment
#       metadata: {name: web, namespace: default}
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
#             containers: [{name: web, image: "ghcr.io/acme/web:2.4.1"}]
package paved.rules.k8s_default_namespace

import data.paved.lib

params := data.paved.params.k8s_default_namespace

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Service", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "Ingress", "PersistentVolumeClaim"]

warn contains f if {
	some r in lib.candidates(kinds)
	object.get(r.after, ["metadata", "namespace"], null) == "default"
	_judged(r)
	f := lib.finding(r, sprintf("%s is in the default namespace", [lib.workload_name(r)]), "metadata.namespace", "default")
}

warn contains f if {
	params.left_out_is_default == true
	some r in lib.candidates(kinds)
	object.get(r.after, ["metadata", "namespace"], "") in {"", null}
	_judged(r)
	f := lib.finding(r, sprintf("%s has no metadata.namespace, so kubectl apply puts it in the default namespace", [lib.workload_name(r)]), "metadata.namespace", null)
}

warn contains f if {
	some r in lib.candidates(kinds)
	v := r.after.metadata.namespace
	lib.placeholder(v)
	_judged(r)
	f := lib.substituted(r, "metadata.namespace", v, "it is the default namespace")
}

_judged(r) if {
	lib.judged(r)
	object.get(r, "source", "kubernetes") == "kubernetes"
}
