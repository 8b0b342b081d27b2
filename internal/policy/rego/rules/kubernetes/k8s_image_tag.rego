# METADATA
# title: Container image without a pinned tag
# description: |
#   An image without a tag means :latest, and :latest (like any tag that is moved on purpose)
#   changes under a running deployment: two replicas can run different code, a node restart
#   silently upgrades, and a rollback has nothing to roll back to. Pin a version tag, or better
#   a digest (image@sha256:...), which cannot be moved at all. Digests always pass.
# custom:
#   id: k8s-image-tag
#   severity: deny
#   category: kubernetes
#   security: false
#   remediation: Use an immutable version tag (web:1.4.2) or a digest (web@sha256:...); never :latest.
#   resource_types: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   scope: resource
#   parameters:
#     floating_tags:
#       default: [latest, main, master, stable, dev, edge]
#       description: Tags that are moved on purpose and count as unpinned.
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
	_problem(img.tag)
	f := lib.finding(w.r, sprintf("%s: container %s uses the image %s, %s", [lib.workload_name(w.r), x.name, ref, _problem(img.tag)]), sprintf("%s.image", [x.path]), ref)
}

_problem("") := "which has no tag and so means :latest"

_problem(tag) := sprintf("whose tag %q moves", [tag]) if lower(tag) in params.floating_tags
