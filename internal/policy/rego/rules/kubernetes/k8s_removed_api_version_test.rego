package paved.rules.k8s_removed_api_version_test

import data.paved.rules.k8s_removed_api_version as rule
import data.paved.test.k8s
import data.paved.test.manifests

on(api, kind, name) := object.union(k8s(kind, name, {}), {"after": {"apiVersion": api}})

test_fail_removed_versions if {
	fs := rule.warn with input as manifests([
		on("batch/v1beta1", "CronJob", "report"),
		on("extensions/v1beta1", "Ingress", "web"),
		on("extensions/v1beta1", "Deployment", "api"),
		on("policy/v1beta1", "PodDisruptionBudget", "api"),
		on("autoscaling/v2beta2", "HorizontalPodAutoscaler", "api"),
	])
	{f.msg | some f in fs} == {
		"CronJob report uses batch/v1beta1, which Kubernetes 1.25 removed: use batch/v1",
		"Ingress web uses extensions/v1beta1, which Kubernetes 1.22 removed: use networking.k8s.io/v1",
		"Deployment api uses extensions/v1beta1, which Kubernetes 1.16 removed: use apps/v1",
		"PodDisruptionBudget api uses policy/v1beta1, which Kubernetes 1.25 removed: use policy/v1",
		"HorizontalPodAutoscaler api uses autoscaling/v2beta2, which Kubernetes 1.26 removed: use autoscaling/v2",
	}
}

test_pass_current_versions_and_later_removals if {
	count(rule.warn) == 0 with input as manifests([
		on("batch/v1", "CronJob", "report"),
		on("networking.k8s.io/v1", "Ingress", "web"),
		on("apps/v1", "Deployment", "api"),
	])
	count(rule.warn) == 0 with input as manifests([on("autoscaling/v2beta2", "HorizontalPodAutoscaler", "api")])
		with data.paved.params.k8s_removed_api_version as {"kubernetes_version": "1.25"}
}

test_fail_substituted_is_undetermined if {
	fs := rule.warn with input as manifests([on("${API_VERSION}", "CronJob", "report")])
	[f.undetermined | some f in fs] == [true]
}
