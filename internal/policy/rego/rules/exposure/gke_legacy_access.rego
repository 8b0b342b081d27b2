# METADATA
# title: GKE cluster keeps legacy access paths open
# description: |
#   Three legacy GKE features give away more than they should. Legacy ABAC
#   (enable_legacy_abac) grants every service account broad rights outside RBAC. Basic
#   authentication (master_auth username and password, removed in GKE 1.19) and client
#   certificates (master_auth client_certificate_config issue_client_certificate) are static
#   credentials to the API server that cannot be revoked short of rotating the cluster's CA.
#   The legacy metadata endpoints (node_config metadata disable-legacy-endpoints = "false", on
#   the cluster's default pool or a google_container_node_pool) let any pod read the node's
#   kube-env and its credentials without the Metadata-Flavor header. Each is reported when
#   turned on; left out, GKE's defaults (off since 1.12) pass. A setting known only after apply
#   is reported as undetermined.
# custom:
#   id: gke-legacy-access
#   severity: deny
#   category: exposure
#   checkov: [CKV_GCP_7, CKV_GCP_13]
#   trivy: [GCP-0062, GCP-0064, GCP-0048]
#   security: true
#   remediation: Remove enable_legacy_abac (or set it false), leave master_auth without username, password and client certificates, and leave disable-legacy-endpoints out of node metadata (or set it "true").
#   resource_types: [google_container_cluster, google_container_node_pool]
#   scope: resource
#   examples:
#     fail: |
#       resource "google_container_cluster" "main" {
#         name               = "main"
#         location           = "europe-west1"
#         enable_legacy_abac = true
#       }
#     pass: |
#       resource "google_container_cluster" "main" {
#         name     = "main"
#         location = "europe-west1"
#       }
package paved.rules.gke_legacy_access

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["google_container_cluster"])
	r.after.enable_legacy_abac == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s turns on legacy ABAC, which grants rights outside RBAC", [r.address]), "enable_legacy_abac", true)
}

deny contains f if {
	some r in lib.candidates(["google_container_cluster"])
	some i, m in object.get(r.after, "master_auth", [])
	some k in ["username", "password"]
	v := m[k]
	is_string(v)
	v != ""
	lib.judged(r)
	f := lib.finding(r, sprintf("%s turns on basic authentication to the API server (master_auth %s)", [r.address, k]), sprintf("master_auth[%d].%s", [i, k]), null)
}

deny contains f if {
	some r in lib.candidates(["google_container_cluster"])
	some i, m in object.get(r.after, "master_auth", [])
	some j, c in object.get(m, "client_certificate_config", [])
	c.issue_client_certificate == true
	lib.judged(r)
	f := lib.finding(r, sprintf("%s issues a static client certificate for the API server", [r.address]), sprintf("master_auth[%d].client_certificate_config[%d].issue_client_certificate", [i, j]), true)
}

deny contains f if {
	some r in lib.candidates(["google_container_cluster", "google_container_node_pool"])
	some i, nc in object.get(r.after, "node_config", [])
	v := object.get(object.get(nc, "metadata", {}), "disable-legacy-endpoints", null)
	lib.falsy(v)
	lib.judged(r)
	f := lib.finding(r, sprintf("%s opens the legacy metadata endpoints to its nodes' pods (disable-legacy-endpoints = %v)", [r.address, v]), sprintf("node_config[%d].metadata.disable-legacy-endpoints", [i]), v)
}

deny contains f if {
	some r in lib.candidates(["google_container_cluster"])
	_ := r.after_unknown.enable_legacy_abac
	object.get(r.after, "enable_legacy_abac", null) == null
	lib.judged(r)
	lib.computed(r, ["enable_legacy_abac"])
	f := lib.undetermined(r, "enable_legacy_abac", "legacy ABAC is on")
}
