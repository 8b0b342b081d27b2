# METADATA
# title: Container image without a pinned tag
# description: |
#   An image without a tag means :latest, and :latest (like any tag that is moved on purpose)
#   changes under a running deployment: two replicas can run different code, a node restart
#   silently upgrades, and a rollback has nothing to roll back to. Pin a version tag, or better
#   a digest (image@sha256:...), which cannot be moved at all. Digests always pass. A tag
#   without any version number (redis:alpine, node:lts, debian:bookworm) is rebuilt and moved
#   as its base changes, so it floats as well. A tag left to substitution before apply
#   (app:${TAG}, Flux or envsubst) is reported as undetermined.
# custom:
#   id: k8s-image-tag
#   severity: deny
#   category: kubernetes
#   checkov: [CKV_K8S_14]
#   trivy: [KSV-0013]
#   security: false
#   remediation: Use an immutable version tag (web:1.4.2, redis:7.4.1-alpine) or a digest (web@sha256:...); never :latest or a tag without a version.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     floating_tags:
#       default: [latest, main, master, stable, dev, edge]
#       description: Tags that are moved on purpose and count as unpinned.
#     versionless_tags_float:
#       default: true
#       description: Whether a tag without any digit (alpine, lts, bookworm, stable-slim) counts as unpinned too.
#   examples:
#     fail: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers:
#           - name: web
#             image: nginx:latest
#     pass: |
#       apiVersion: v1
#       kind: Pod
#       metadata: {name: web}
#       spec:
#         containers:
#           - name: web
#             image: nginx:1.27.2
package paved.rules.k8s_image_tag

import data.paved.lib

params := data.paved.params.k8s_image_tag

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	ref := x.c.image
	img := lib.image(ref)
	img.digest == ""
	not _substituted(ref, img)
	why := _problem(img.tag)
	f := lib.finding(w.r, sprintf("%s: container %s uses the image %s, %s", [lib.workload_name(w.r), x.name, ref, why]), sprintf("%s.image", [x.path]), ref)
}

deny contains f if {
	some w in lib.workloads
	some x in lib.containers(w)
	ref := x.c.image
	img := lib.image(ref)
	img.digest == ""
	_substituted(ref, img)
	f := lib.substituted(w.r, sprintf("%s.image", [x.path]), ref, "the tag is pinned")
}

# The tag, or the whole reference, is a substitution variable.
_substituted(_, img) if lib.placeholder(img.tag)

_substituted(ref, img) if {
	img.tag == ""
	lib.placeholder(ref)
}

_problem(tag) := "which has no tag and so means :latest" if tag == ""

else := sprintf("whose tag %q moves", [tag]) if lower(tag) in params.floating_tags

else := sprintf("whose tag %q has no version, so it moves as it is rebuilt", [tag]) if {
	params.versionless_tags_float == true
	not regex.match(`[0-9]`, tag)
}
