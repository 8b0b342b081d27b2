# METADATA
# title: Container image from an unapproved registry
# description: |
#   Every image runs code with the pod's service account and network access. Images from the
#   organisation's own registries are scanned, signed and retained; images pulled straight
#   from public registries are none of that and can vanish or change hands (or hit Docker
#   Hub's rate limits mid-rollout). Short Docker Hub names count as docker.io: nginx is
#   docker.io/library/nginx. An approved entry is a registry or repository prefix and may use
#   * for one path part or one part of a host name (*.dkr.ecr.*.amazonaws.com).
#   An image whose registry or repository is left to substitution before apply (${REGISTRY}/app,
#   Flux or envsubst) is reported as undetermined.
# custom:
#   id: k8s-approved-registries
#   severity: deny
#   category: kubernetes
#   checkov: []
#   trivy: [KSV-0125, KSV-0034]
#   security: true
#   remediation: Mirror the image into an approved registry (for example with ECR pull-through cache) and reference it there.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     approved:
#       default: ['*.dkr.ecr.*.amazonaws.com', public.ecr.aws, registry.k8s.io, ghcr.io/paved-dev]
#       description: Approved registries or repository prefixes, after Docker Hub normalisation.
#   examples:
#     fail: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers:
#           - name: web
#             image: someuser/web:1.0
#     pass: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers:
#           - name: web
#             image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2
package paved.rules.k8s_approved_registries

import data.paved.lib

params := data.paved.params.k8s_approved_registries

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	ref := x.c.image
	img := lib.image(ref)
	not lib.placeholder(img.repository)
	not _approved(img.repository)
	f := lib.finding(w.r, sprintf("%s: container %s pulls %s from %s, which is not an approved registry", [lib.workload_name(w.r), x.name, ref, img.registry]), sprintf("%s.image", [x.path]), ref)
}

# An entry matches the repository itself or any repository below it.
_approved(repo) if {
	some a in params.approved
	glob.match(a, ["/"], repo)
}

_approved(repo) if {
	some a in params.approved
	glob.match(concat("", [trim_suffix(a, "/"), "/**"]), ["/"], repo)
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	ref := x.c.image
	lib.placeholder(lib.image(ref).repository)
	f := lib.substituted(w.r, sprintf("%s.image", [x.path]), ref, "the registry is approved")
}
