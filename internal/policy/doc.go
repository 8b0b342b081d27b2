// Package policy is the guard-rail engine: it compiles the embedded
// built-in Rego library (rego/) together with custom paved-style rules and
// conftest-style user policies once, and evaluates them over normalised
// IaC resources, fast and in parallel.
//
// # Contract with the built-in library (CONTRACT.md has the full text)
//
// Layout: rego/lib/*.rego (package paved.lib), rego/rules/<category>/<rule>.rego
// (+ <rule>_test.rego, never loaded for evaluation), rego/data/*.json loaded
// at data.paved.<file name>. Rego v1.
//
// Each rule is one package paved.rules.<pkg> (pkg = rule id with - as _)
// with a package-scope METADATA annotation: title, description (the
// rationale) and custom: id, severity (deny|warn), category, security,
// remediation, resource_types, scope (resource|plan), enforce_from, owner,
// parameters {name: {default, description}}, examples {pass, fail}.
//
// Input: input.resources (paved.IaCResource as JSON), input.by_type (type ->
// resources), input.service (paved.ServiceContext as JSON, {} when none),
// input.source (terraform|kubernetes). Resource-scoped rules see a chunk of
// one input and are skipped when none of their resource_types occur in it;
// plan-scoped rules see a whole input (a plan, or all Kubernetes manifests
// of the check).
//
// Parameters: data.paved.params.<pkg> holds the metadata defaults overlaid
// by paved.yaml guardrails.rules.<id>.params, then .tiers["<tier>"], then
// .phases["<phase>"] (Config).
//
// Output: `deny contains f` / `warn contains f` with f = {address, msg,
// path?, value?, remediation?}. The engine adds severity (set name, config
// override, enforce_from demotion), resource type and action, doc URL,
// input/file/line and the fingerprint, and sorts by input, address, rule,
// path.
//
// # Evaluation
//
// One generated aggregator rule per (package, set), gated by
// input.active_rules, lets a single prepared query evaluate every
// applicable rule over a chunk; chunks run in parallel over GOMAXPROCS with
// the shared prepared query, and the resources are converted to AST values
// once per check. Parameters live in base data, one store per (tier, phase)
// built on first use.
//
// # User policies
//
// Options.PolicyDirs are evaluated like conftest: per document (a
// one-document file whose content is an array: per element), with input =
// the document's raw content; rules deny, violation, warn and their _suffix
// variants in the selected namespaces (default main); results are strings
// or objects with msg (other keys kept as Finding.Details); the namespace's
// exception rule silences a rule by its name without the prefix and is
// reported as a finding of severity exception; data.conftest.file holds the
// file's name and folder; print() output goes to Options.Print.
package policy
