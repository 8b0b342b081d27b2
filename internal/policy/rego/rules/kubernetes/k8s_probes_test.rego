package paved.rules.k8s_probes_test

import data.paved.rules.k8s_probes as rule
import data.paved.test.deployment
import data.paved.test.k8s
import data.paved.test.manifests

probe := {"httpGet": {"path": "/healthz", "port": 8080}}

test_fail_missing_probes if {
	fs := rule.warn with input as manifests([deployment("web", {"containers": [{"name": "web", "image": "x:1", "readinessProbe": probe}]})])
	some f in fs
	f.value == ["livenessProbe"]
	f.path == "spec.template.spec.containers[0]"
}

test_fail_statefulset if {
	count(rule.warn) == 1 with input as manifests([k8s("StatefulSet", "db", {"spec": {"template": {"spec": {"containers": [{"name": "db", "image": "x:1"}]}}}})])
}

test_pass_probes_jobs_and_init if {
	count(rule.warn) == 0 with input as manifests([
		deployment("web", {"initContainers": [{"name": "init", "image": "x:1"}], "containers": [{"name": "web", "image": "x:1", "readinessProbe": probe, "livenessProbe": probe}]}),
		k8s("Job", "migrate", {"spec": {"template": {"spec": {"containers": [{"name": "m", "image": "x:1"}]}}}}),
		k8s("CronJob", "report", {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "r", "image": "x:1"}]}}}}}}),
	])
}

test_pass_run_to_completion_pod if {
	count(rule.warn) == 0 with input as manifests([k8s("Pod", "test-connection", {"spec": {"restartPolicy": "Never", "containers": [{"name": "wget", "image": "busybox:1.36"}]}})])
	count(rule.warn) == 1 with input as manifests([k8s("Pod", "web", {"spec": {"restartPolicy": "Always", "containers": [{"name": "web", "image": "x:1"}]}})])
}
