# METADATA
# title: Tier-1 Deployments have a PodDisruptionBudget
# description: Without a PDB a node drain can take every replica down at once.
# custom:
#   id: test-pdb
#   severity: deny
#   category: kubernetes
#   scope: plan
#   resource_types: [Deployment, PodDisruptionBudget]
#   parameters:
#     tiers:
#       default: [1]
#       description: Service tiers that need a PDB.
package paved.rules.test_pdb

deny contains f if {
	input.service.tier in data.paved.params.test_pdb.tiers
	some d in object.get(input.by_type, "Deployment", [])
	labels := object.get(d.after, ["spec", "template", "metadata", "labels"], {})
	not covered(d, labels)
	f := {"address": d.address, "msg": "no PodDisruptionBudget selects this Deployment's pods"}
}

covered(d, labels) if {
	some p in object.get(input.by_type, "PodDisruptionBudget", [])
	p.after.metadata.namespace == d.after.metadata.namespace
	sel := object.get(p.after, ["spec", "selector", "matchLabels"], {})
	count(sel) > 0
	every k, v in sel {
		labels[k] == v
	}
}
