# Helpers shared by the built-in guard rails.
#
# Which resources a rule judges: guard rails judge the desired state, so a
# configuration rule looks at everything that will exist after the change:
# create, update, replace and no-op (an existing database without encryption
# is as unencrypted as a new one), and "apply" for Kubernetes manifests.
# Deletes have no desired state (after is absent) and data sources
# (mode = data) are read, not managed: both are skipped. Rules about changes
# themselves (deleting a database) use input.by_type directly.
#
# Two things the rules keep in mind:
# - `not f(x) == v` and `not f(r.missing)` are not true when f(x) or the
#   argument is undefined (calls and refs in a negated expression are
#   evaluated outside the negation): rules negate a helper rule, or pass
#   object.get(...) which is always defined.
# - A function call is memoised on its arguments, so passing a whole
#   resource costs a comparison of the whole resource. Rule bodies test the
#   attribute they are about with plain refs and builtins first, and call
#   helpers that take the resource (get, unknown, judged) only for the few
#   resources that fail that test.
package paved.lib

judged_actions := {"create", "update", "replace", "no-op", "apply"}

# judged(r): r is a managed resource whose desired configuration is judged.
judged(r) if {
	object.get(r, "mode", "managed") != "data"
	r.action in judged_actions
	is_object(r.after)
}

# candidates(types): every resource of the given types, read through
# input.by_type so a rule never scans the whole input. Rules test the
# attribute they are about first and lib.judged(r) last: most resources
# comply, and the cheapest test that rejects them should run first.
candidates(types) := [r |
	some t in types
	some r in object.get(input.by_type, t, [])
]

# resources(types): the judged resources of the given types (for joins and
# small helper sets; rule bodies use candidates and judged).
resources(types) := [r |
	some t in types
	some r in object.get(input.by_type, t, [])
	judged(r)
]

# --- Values known only after apply --------------------------------------------
#
# Terraform shows an attribute as unknown (after_unknown) for two different
# reasons, and the library tells them apart with the resource's
# configuration (r.config, read from the plan's configuration block; see
# CONTRACT.md):
#
# 1. The configuration does not set it, and the provider computes it. Every
#    Optional+Computed attribute of a new resource is unknown in the plan
#    whether it is set or not: AWS shows snapshot_identifier, kms_key_id and
#    tags_all unknown on every new database, and a nested block the
#    configuration leaves out (encrypt_at_rest, root_block_device) unknown as
#    a whole. Such an attribute is UNSET: the provider's default applies, and
#    that is what a rule judges (lib.get(r, path, default), lib.unset).
# 2. The configuration sets it from something known only after apply
#    (kms_key_id = aws_kms_key.new.arn, policy = jsonencode({... arn ...})).
#    Only such an attribute is COMPUTED (lib.computed). A rule then either
#    knows the answer anyway (any KMS key means encryption: it passes, and
#    its description says so) or reports that it cannot judge until apply
#    with lib.undetermined: a warning, never a silent pass.
#
# "Set" means an expression in the resource block that is not null: a
# literal, a reference, a function, or a module input (var.x) that the
# module call or the variable's default sets to something other than null.
# A plan without a configuration block (or a resource it does not cover)
# has no r.config: then every unknown value counts as computed.

# computed(r, path): the value at path (an array of keys and indexes) is
# known only after apply because the configuration sets it from something
# that is (case 2 above). The helpers below take r's parts, not r: a
# function call is memoised on its arguments, and comparing whole resources
# is what makes rules slow (CONTRACT.md).
computed(r, path) if {
	r.after_unknown[path[0]] == true
	_configured(object.get(r, "config", false), path)
}

computed(r, path) if {
	au := r.after_unknown
	au[path[0]] != true
	count(path) > 1
	_nested_unknown(au, path)
	_configured(object.get(r, "config", false), path)
}

# computed_here(r, path): computed(r, path), but not merely because the
# top-level block holding it is computed as a whole: rules that report
# settings inside a block report such a block once, at the block.
computed_here(r, path) if {
	count(path) == 1
	computed(r, path)
}

computed_here(r, path) if {
	count(path) > 1
	computed(r, path)
	not computed(r, [path[0]])
}

# unknown(r, path) is computed(r, path), kept for custom policies written
# before the two cases were told apart.
unknown(r, path) if computed(r, path)

# _nested_unknown(au, path): after_unknown marks a block or object below
# the first key of path, down to path, as unknown as a whole.
_nested_unknown(au, path) if {
	some i in numbers.range(2, count(path))
	object.get(au, array.slice(path, 0, i), false) == true
}

# _configured(cfg, path): the configuration sets the attribute at path, or
# the whole object above it (tags = var.tags sets every tag); cfg is
# r.config, false when the resource has none (then everything counts as
# set). Block indexes are ignored: a plan may order a set of blocks unlike
# the configuration, so any block that sets the rest of the path counts.
_configured(cfg, path) if cfg == false

else if is_string(cfg[path[0]])

else if {
	count(path) == 1
	cfg[path[0]]
} else if {
	count(path) > 1
	is_array(cfg[path[0]])
	count(_reach({cfg}, [k | some k in path; is_string(k)])) > 0
} else := false

# _reach(nodes, keys): the configuration nodes at keys below nodes; a string
# (one expression for a whole value) covers everything below it. Unrolled:
# Rego has no recursion, and attribute paths are short.
_reach(nodes, keys) := _step(nodes, keys[0]) if count(keys) == 1

else := _step(_step(nodes, keys[0]), keys[1]) if count(keys) == 2

else := _step(_step(_step(nodes, keys[0]), keys[1]), keys[2]) if count(keys) == 3

else := _step(_step(_step(_step(nodes, keys[0]), keys[1]), keys[2]), keys[3]) if count(keys) == 4

else := _step(_step(_step(_step(_step(nodes, keys[0]), keys[1]), keys[2]), keys[3]), keys[4]) if count(keys) == 5

else := {"computed"} # deeper paths: assume set

_step(nodes, k) := {y |
	some x in nodes
	some y in _down(x, k)
}

_down(x, k) := {x} if is_string(x)

else := {v | some b in x; v := b[k]} if is_array(x)

else := {v | v := x[k]}

# unset(r, path): the configuration leaves the attribute out (or null), so
# the provider's default applies; this holds also when the plan shows it
# unknown (case 1 above).
unset(r, path) if {
	object.get(r.after, path, null) == null
	not computed(r, path)
}

# get(r, path, def): the planned value at path; def, the provider's
# default, when the attribute is unset; undefined when it is computed, so
# that a rule body using it does not judge a value nobody knows yet (and
# reports lib.undetermined in a body of its own).
# A plan shows unknown values as null or leaves them out, so a concrete
# value is known and the after_unknown lookup is only needed for nulls.
get(r, path, def) := v if {
	v := object.get(r.after, path, null)
	v != null
} else := def if {
	is_object(r.after)
	not computed(r, path)
}

# blocks(r, name): the nested blocks of a list-of-blocks attribute with their
# index, e.g. blocks(r, "ingress") -> [[0, {...}], ...]. Computed blocks are
# left out (a rule reports them with computed(r, [name])); blocks the
# configuration leaves out are absent, as the provider's default has none.
blocks(r, name) := [[i, b] |
	some i, b in object.get(r.after, name, [])
	is_object(b)
	not computed(r, [name, i])
]

# undetermined(r, path, what): the finding for a value computed from
# something known only after apply: "what" says what the rule cannot tell
# yet ("its storage is encrypted"). The engine makes it a warning whatever
# the rule's severity (CONTRACT.md).
undetermined(r, path, what) := {
	"address": r.address,
	"msg": sprintf("%s sets %s from a value known only after apply, so whether %s cannot be judged until then", [r.address, path, what]),
	"path": path,
	"value": null,
	"undetermined": true,
}

# truthy(v): Terraform booleans sometimes arrive as strings (launch template
# ebs.encrypted is a string "true"/"false"/"").
truthy(v) if v == true

truthy(v) if {
	is_string(v)
	lower(v) == "true"
}

falsy(v) if v == false

falsy(v) if {
	is_string(v)
	lower(v) == "false"
}

# empty(v): null, "", [] or {}.
empty(v) if v == null
empty(v) if v == ""
empty(v) if v == []
empty(v) if v == {}

# finding(r, msg, path, value) builds the object every rule emits.
finding(r, msg, path, value) := {
	"address": r.address,
	"msg": msg,
	"path": path,
	"value": value,
}

# --- service context ---------------------------------------------------------

# tier(r): the service tier of the check, else the resource's "tier" tag or
# label ("1", "tier1", "tier-1"), else undefined. A label such as
# tier: frontend is not a tier and is ignored.
tier(r) := t if {
	t := input.service.tier
	is_number(t)
} else := t if {
	t := _parse_tier(object.get(object.get(r, "tags", {}), "tier", ""))
} else := t if {
	t := _parse_tier(object.get(r, ["after", "metadata", "labels", "tier"], ""))
}

_parse_tier(s) := to_number(m[1]) if {
	is_string(s)
	m := regex.find_all_string_submatch_n(`^(?i)(?:tier[ _-]?)?([1-4])$`, trim_space(s), 1)[0]
}

data_class := c if {
	c := input.service.data_class
	is_string(c)
}

# --- instance catalog --------------------------------------------------------

# ec2_type(name) / db_class(name): the catalog row for an instance type or
# database class, undefined when the catalog does not know it.
ec2_type(name) := data.paved.instances.ec2[name]

db_class(name) := data.paved.instances.rds[name]

# family("db.r6g.2xlarge") = "r6g"; family("m7i.large") = "m7i".
family(name) := f if {
	parts := split(trim_prefix(name, "db."), ".")
	count(parts) == 2
	f := parts[0]
}

# --- Kubernetes --------------------------------------------------------------

pod_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}

# pod_spec_path(kind): where the pod spec lives, dotted.
pod_spec_path(kind) := "spec" if kind == "Pod"

pod_spec_path(kind) := "spec.jobTemplate.spec.template.spec" if kind == "CronJob"

pod_spec_path(kind) := "spec.template.spec" if {
	kind in pod_kinds
	not kind in {"Pod", "CronJob"}
}

_pod_spec_keys(kind) := ["spec"] if kind == "Pod"

_pod_spec_keys(kind) := ["spec", "jobTemplate", "spec", "template", "spec"] if kind == "CronJob"

_pod_spec_keys(kind) := ["spec", "template", "spec"] if {
	kind in pod_kinds
	not kind in {"Pod", "CronJob"}
}

# workloads: every judged pod-bearing manifest with its pod spec, as
# {"r": resource, "spec": pod spec, "path": dotted path of the spec}.
workloads := [w |
	some kind in pod_kinds
	some r in object.get(input.by_type, kind, [])
	judged(r)
	object.get(r, "source", "kubernetes") == "kubernetes"
	spec := object.get(r.after, _pod_spec_keys(kind), null)
	is_object(spec)
	w := {"r": r, "spec": spec, "path": pod_spec_path(kind)}
]

# pod_labels(r): the labels the pods of a workload carry.
pod_labels(r) := object.get(r.after, ["metadata", "labels"], {}) if r.type == "Pod"

pod_labels(r) := object.get(r.after, ["spec", "jobTemplate", "spec", "template", "metadata", "labels"], {}) if r.type == "CronJob"

pod_labels(r) := object.get(r.after, ["spec", "template", "metadata", "labels"], {}) if {
	not r.type in {"Pod", "CronJob"}
}

container_fields := ["containers", "initContainers", "ephemeralContainers"]

# containers(w): every container of a workload (regular, init and ephemeral)
# as {"c": container, "field": which list, "path": dotted path, "name": name}.
containers(w) := [x |
	some field in container_fields
	some i, c in object.get(w.spec, field, [])
	is_object(c)
	x := {
		"c": c,
		"field": field,
		"path": sprintf("%s.%s[%d]", [w.path, field, i]),
		"name": object.get(c, "name", sprintf("%s[%d]", [field, i])),
	}
]

# security_value(w, x, key): the effective securityContext setting for a
# container: the container's own value wins over the pod's (Kubernetes
# precedence); undefined when neither sets it. Only fields that exist at both
# levels (runAsNonRoot, runAsUser, runAsGroup, seccompProfile, ...) inherit.
security_value(w, x, key) := v if {
	v := x.c.securityContext[key]
	v != null
} else := v if {
	v := w.spec.securityContext[key]
	v != null
}

# security_path(w, x, key): where the effective value came from.
security_path(w, x, key) := sprintf("%s.securityContext.%s", [x.path, key]) if {
	x.c.securityContext[key] != null
} else := sprintf("%s.securityContext.%s", [w.path, key])

# --- Kubernetes: values substituted before apply -----------------------------
#
# A manifest has no values known only after apply, but many are checked in
# with substitution variables that a tool fills in before apply: Flux's
# post-build substitution (${cluster_env}, ${tag:=1.2.3}) and envsubst in
# a pipeline. Such a value is the manifest's counterpart of a computed
# Terraform value: a rule that cannot judge it reports lib.substituted (a
# warning), and never reads "${TAG}" as a tag or "${PRIV}" as false.

# placeholder(v): v is a string holding a substitution variable.
placeholder(v) if {
	is_string(v)
	contains(v, "${")
	regex.match(`\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}`, v)
}

# substituted(r, path, value, what): the finding for a value that is a
# substitution variable (path dotted; what as for undetermined).
substituted(r, path, value, what) := {
	"address": r.address,
	"msg": sprintf("%s: %s is %v, filled in by substitution before apply, so whether %s cannot be judged until then", [workload_name(r), path, value, what]),
	"path": path,
	"value": value,
	"undetermined": true,
}

# workload_name(r): "Deployment web", or the address when the manifest has
# no name (generateName).
workload_name(r) := sprintf("%s %s", [r.type, n]) if {
	n := r.after.metadata.name
	is_string(n)
	n != ""
} else := r.address

# --- instance types in configurations ---------------------------------------

ec2_types := ["aws_instance", "aws_spot_instance_request", "aws_launch_template", "aws_launch_configuration", "aws_eks_node_group", "aws_autoscaling_group"]

db_types := ["aws_db_instance", "aws_rds_cluster_instance", "aws_docdb_cluster_instance", "aws_neptune_cluster_instance", "aws_rds_cluster"]

# instance_type_uses: every EC2 instance type the input asks for, as
# [resource, path, type]: instance_type, EKS node group instance_types and
# the overrides of an auto scaling group's mixed instances policy. Computed
# once per evaluation and shared by the sizing rules. Unknown values are null
# in a plan and drop out with the string test.
instance_type_uses := array.concat(array.concat(_plain_type_uses, _node_group_type_uses), _asg_type_uses)

_plain_type_uses := [[r, "instance_type", v] |
	some t in ["aws_instance", "aws_spot_instance_request", "aws_launch_template", "aws_launch_configuration"]
	some r in object.get(input.by_type, t, [])
	v := r.after.instance_type
	is_string(v)
	v != ""
]

_node_group_type_uses := [[r, sprintf("instance_types[%d]", [i]), v] |
	some r in object.get(input.by_type, "aws_eks_node_group", [])
	some i, v in r.after.instance_types
	is_string(v)
	v != ""
]

_asg_type_uses := [[r, sprintf("mixed_instances_policy[%d].launch_template[%d].override[%d].instance_type", [i, j, k]), v] |
	some r in object.get(input.by_type, "aws_autoscaling_group", [])
	some i, mip in r.after.mixed_instances_policy
	some j, lt in mip.launch_template
	some k, o in lt.override
	v := o.instance_type
	is_string(v)
	v != ""
]

# db_class_uses: every database class the input asks for, as [resource,
# path, class]: the instance_class of an instance, or the
# db_cluster_instance_class of a Multi-AZ DB cluster (aws_rds_cluster
# without Aurora instances).
db_class_uses := [[r, attr, v] |
	some t in db_types
	some r in object.get(input.by_type, t, [])
	some attr in ["instance_class", "db_cluster_instance_class"]
	v := r.after[attr]
	is_string(v)
	v != ""
]

# computed_type_uses: the instance types and database classes the input
# asks for that are known only after apply, as [resource, path]: their size
# cannot be checked yet (unknown-instance-type reports them once for the
# sizing rules).
computed_type_uses := [[r, attr] |
	some t in array.concat(["aws_instance", "aws_spot_instance_request", "aws_launch_template", "aws_launch_configuration"], db_types)
	some r in object.get(input.by_type, t, [])
	some attr in ["instance_type", "instance_class", "db_cluster_instance_class"]
	object.get(r.after, attr, null) == null
	_ := r.after_unknown[attr]
	computed(r, [attr])
]

# set_and_known(r, path): the attribute has a planned value that is not null.
set_and_known(r, path) if object.get(r.after, path, null) != null

# --- S3 joins (plan scope) ---------------------------------------------------

# s3_bucket_of(b, r): resource r (a bucket-level configuration such as
# aws_s3_bucket_public_access_block) configures bucket b. The bucket argument
# is matched by value when known; on a create it is usually unknown
# (aws_s3_bucket.x.id), and then the configuration is matched to the bucket
# with the same resource name in the same module, the common convention.
# The plan's configuration references are not part of the input.
#
# Joins over many buckets use the keys below instead: a rule builds the set
# of keys of the configurations once (s3_config_key) and looks each bucket's
# keys up in it (s3_bucket_keys), which is linear where comparing every
# bucket with every configuration is quadratic.
s3_bucket_of(b, r) if {
	some k in s3_bucket_keys(b)
	k == s3_config_key(r)
}

# s3_config_key(r): how configuration r names its bucket.
s3_config_key(r) := concat("", ["name:", v]) if {
	v := object.get(r.after, "bucket", null)
	is_string(v)
	v != ""
}

s3_config_key(r) := concat("", ["addr:", object.get(r, "module", ""), "|", _base_name(r.address)]) if {
	computed(r, ["bucket"])
}

# s3_config_module_key(r): a configuration whose bucket is unknown also
# names "the only bucket of its module". Real configurations often name the
# two differently (aws_s3_bucket.website and
# aws_s3_bucket_public_access_block.website_pab); when the module (or the
# root module) manages a single bucket, that is the bucket meant.
s3_config_module_key(r) := concat("", ["mod:", object.get(r, "module", "")]) if {
	computed(r, ["bucket"])
}

# s3_bucket_keys(b): every key under which a configuration may name bucket b.
s3_bucket_keys(b) := ({k |
	some v in [object.get(b.after, "bucket", null), object.get(b.after, "id", null)]
	is_string(v)
	v != ""
	k := concat("", ["name:", v])
} | {concat("", ["addr:", object.get(b, "module", ""), "|", _base_name(b.address)])}) | {k |
	m := object.get(b, "module", "")
	m in _sole_bucket_modules
	k := concat("", ["mod:", m])
}

# _sole_bucket_modules: the modules that manage exactly one bucket, found by
# sorting the modules of all buckets once (linear-logarithmic, where counting
# per bucket would be quadratic).
_sole_bucket_modules contains m if {
	mods := sort([object.get(b, "module", "") | some b in resources(["aws_s3_bucket"])])
	some i, m in mods
	_differs(mods, i - 1, m)
	_differs(mods, i + 1, m)
}

_differs(mods, j, _) if j < 0

_differs(mods, j, _) if j >= count(mods)

_differs(mods, j, m) if mods[j] != m

# _base_name("module.a.aws_s3_bucket.logs[\"x\"]") = "logs[\"x\"]"
_base_name(addr) := n if {
	parts := regex.find_all_string_submatch_n(`([A-Za-z0-9_-]+(?:\[[^\]]*\])?)$`, addr, 1)
	n := parts[0][1]
}

# is_windows(w): the pod asks for Windows nodes, where Linux user and
# privilege settings do not apply.
is_windows(w) if w.spec.os.name == "windows"

# Before spec.os (Kubernetes 1.25), Windows pods were told apart only by the
# node selector, and many manifests still are.
is_windows(w) if w.spec.nodeSelector["kubernetes.io/os"] == "windows"

# The label before Kubernetes 1.14, still in many maintained manifests.
is_windows(w) if w.spec.nodeSelector["beta.kubernetes.io/os"] == "windows"

# Required node affinity that only admits Windows nodes (every term asks for
# windows: the terms are ORed).
is_windows(w) if {
	terms := w.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms
	count(terms) > 0
	every t in terms {
		some e in t.matchExpressions
		e.key in {"kubernetes.io/os", "beta.kubernetes.io/os"}
		e.operator == "In"
		e.values == ["windows"]
	}
}

# image(ref): a container image reference split into its parts, with Docker
# Hub's implicit defaults made explicit: "nginx" is docker.io/library/nginx,
# "bitnami/redis:7" is docker.io/bitnami/redis with tag 7. A first path part
# is a registry only if it has a dot or a port, or is localhost.
image(ref) := {
	"registry": reg,
	"repository": concat("/", array.concat([reg], path)),
	"tag": tag,
	"digest": digest,
} if {
	is_string(ref)
	at := split(trim_space(ref), "@")
	digest := _or_empty(at, 1)
	segs := split(at[0], "/")
	last := split(segs[count(segs) - 1], ":")
	tag := _or_empty(last, 1)
	names := array.concat(array.slice(segs, 0, count(segs) - 1), [last[0]])
	reg := _registry(segs)
	path := _path(reg, segs, names)
}

_or_empty(arr, i) := arr[i] if count(arr) > i

else := ""

_has_registry(segs) if {
	count(segs) > 1
	regex.match(`[.:]|^localhost$`, segs[0])
}

_registry(segs) := "docker.io" if {
	_has_registry(segs)
	segs[0] in {"index.docker.io", "registry-1.docker.io", "docker.io"}
} else := segs[0] if _has_registry(segs)

else := "docker.io"

_path(reg, segs, names) := p if {
	_has_registry(segs)
	p0 := array.slice(names, 1, count(names))
	p := _library(reg, p0)
} else := _library(reg, names)

_library(reg, p) := ["library", p[0]] if {
	reg == "docker.io"
	count(p) == 1
} else := p

# dotted(["ingress", 0, "cidr_blocks"]) = "ingress[0].cidr_blocks"
dotted(path) := trim_prefix(concat("", [_seg(p) | some p in path]), ".")

_seg(p) := sprintf("[%d]", [p]) if is_number(p)

_seg(p) := concat("", [".", p]) if is_string(p)

# --- IAM policy documents ----------------------------------------------------

iam_policy_types := ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"]

# iam_documents: every known IAM policy document in the input as
# {"r": resource, "path": dotted path, "doc": JSON string}: the policy of a
# managed or inline policy and the inline_policy blocks of a role. Documents
# known only after apply are not here (iam-admin-policy reports them once).
iam_documents := array.concat(
	[{"r": r, "path": "policy", "doc": doc} |
		some t in ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"]
		some r in object.get(input.by_type, t, [])
		doc := r.after.policy
		is_string(doc)
		judged(r)
	],
	[{"r": r, "path": sprintf("inline_policy[%d].policy", [i]), "doc": doc} |
		some r in object.get(input.by_type, "aws_iam_role", [])
		some i, p in object.get(r.after, "inline_policy", [])
		doc := p.policy
		is_string(doc)
		judged(r)
	],
)

# iam_allowed_on_any(doc): the action patterns (lower case) a policy
# document allows on Resource "*" without a Condition.
iam_allowed_on_any(doc) := {lower(a) |
	json.is_valid(doc)
	parsed := json.unmarshal(doc)
	some s in _iam_statements(parsed)
	s.Effect == "Allow"
	not s.Condition
	"*" in _iam_list(object.get(s, "Resource", []))
	some a in _iam_list(object.get(s, "Action", []))
	is_string(a)
}

# iam_grants(patterns, action): one of the allowed patterns (with * and ?
# wildcards) covers the action; both lower case.
iam_grants(patterns, action) := p if {
	some p in patterns
	glob.match(p, [], action)
}

_iam_statements(p) := p.Statement if is_array(p.Statement)

_iam_statements(p) := [p.Statement] if is_object(p.Statement)

_iam_list(v) := v if is_array(v)

_iam_list(v) := [v] if is_string(v)
