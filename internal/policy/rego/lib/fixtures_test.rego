# Fixtures for the rule tests: build inputs shaped like the engine's.
package paved.test

# res(t, after): a managed resource being created, address "<type>.main".
res(t, after) := {
	"address": sprintf("%s.main", [t]),
	"type": t,
	"name": "main",
	"source": "terraform",
	"provider": "aws",
	"mode": "managed",
	"actions": ["create"],
	"action": "create",
	"after": after,
}

# named(t, name, after): like res with another name.
named(t, name, after) := object.union(res(t, after), {"address": sprintf("%s.%s", [t, name]), "name": name})

# with_action(r, action): the same resource with another action.
with_action(r, a) := object.union(r, {"action": a, "actions": _actions[a]})

_actions := {
	"create": ["create"], "update": ["update"], "no-op": ["no-op"], "read": ["read"],
	"delete": ["delete"], "replace": ["delete", "create"], "apply": ["apply"],
}

# deleted(r): r being destroyed: no after.
deleted(r) := object.union(object.remove(r, ["after"]), {"action": "delete", "actions": ["delete"], "before": r.after})

# unknown(r, au): r with after_unknown.
unknown(r, au) := object.union(r, {"after_unknown": au})

# plan(rs): an input holding rs, with by_type built like the engine does.
plan(rs) := {
	"source": "terraform",
	"service": {},
	"resources": rs,
	"by_type": {t: [r | some r in rs; r.type == t] | some x in rs; t := x.type},
}

# plan_for(rs, service): a plan tied to a service.
plan_for(rs, service) := object.union(plan(rs), {"service": service})

# k8s(kind, name, obj): a Kubernetes manifest resource.
k8s(kind, name, obj) := {
	"address": sprintf("%s/default/%s", [kind, name]),
	"type": kind,
	"name": name,
	"source": "kubernetes",
	"provider": "kubernetes",
	"mode": "managed",
	"actions": ["apply"],
	"action": "apply",
	"after": object.union({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}}, obj),
}

manifests(rs) := object.union(plan(rs), {"source": "kubernetes"})

# deployment(name, pod_spec): a Deployment whose pods carry app=<name>.
deployment(name, pod_spec) := k8s("Deployment", name, {"spec": {
	"replicas": 2,
	"selector": {"matchLabels": {"app": name}},
	"template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec},
}})

# with_config(r, cfg): r from a plan whose configuration sets the attributes
# of cfg (see lib: "constant", "variable", "computed"; blocks as lists of
# objects). Fixtures without it carry no configuration, so that every
# unknown value counts as computed.
with_config(r, cfg) := object.union(r, {"config": cfg})

# created(t, after, au, cfg): a resource being created, as current providers
# plan it: after_unknown au, configuration cfg.
created(t, after, au, cfg) := with_config(unknown(res(t, after), au), cfg)
