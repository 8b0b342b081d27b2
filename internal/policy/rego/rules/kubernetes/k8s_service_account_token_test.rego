package paved.rules.k8s_service_account_token_test

import data.paved.rules.k8s_service_account_token as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

params := {"api_service_accounts": []}

web(extra) := deployment("web", object.union({"containers": [{"name": "web", "image": "web:1.0.0"}]}, extra))

sa(name, automount) := k8s("ServiceAccount", name, {"apiVersion": "v1", "automountServiceAccountToken": automount})

test_fail_token_mounted if {
	count(rule.warn) == 1 with input as manifests([web({})]) with data.paved.params.k8s_service_account_token as params
	count(rule.warn) == 1 with input as manifests([web({"serviceAccountName": "web"}), sa("web", true)]) with data.paved.params.k8s_service_account_token as params
	count(rule.warn) == 1 with input as manifests([web({"serviceAccountName": "web"}), sa("other", false)]) with data.paved.params.k8s_service_account_token as params
}

test_pass_pod_or_account_off if {
	count(rule.warn) == 0 with input as manifests([web({"automountServiceAccountToken": false})]) with data.paved.params.k8s_service_account_token as params
	count(rule.warn) == 0 with input as manifests([web({"automountServiceAccountToken": true})]) with data.paved.params.k8s_service_account_token as params
	count(rule.warn) == 0 with input as manifests([web({"serviceAccountName": "web"}), sa("web", false)]) with data.paved.params.k8s_service_account_token as params
	count(rule.warn) == 0 with input as manifests([web({"serviceAccountName": "operator"})]) with data.paved.params.k8s_service_account_token as {"api_service_accounts": ["default/operator"]}
}

test_fail_substituted_undetermined if {
	fs := rule.warn with input as manifests([web({"automountServiceAccountToken": "${AUTOMOUNT}"})]) with data.paved.params.k8s_service_account_token as params
	count(fs) == 1
	every f in fs {
		f.undetermined
	}
	gs := rule.warn with input as manifests([web({"serviceAccountName": "web"}), sa("web", "${AUTOMOUNT}")]) with data.paved.params.k8s_service_account_token as params
	count(gs) == 1
	every g in gs {
		g.undetermined
	}
}
