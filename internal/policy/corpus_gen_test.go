package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
)

// The fixture corpus (testdata/corpus, README.md there) is written by
// these tests from the cases of corpus_cases_test.go: every built-in rule has
// a failing, a passing and an "unknown" case, as Terraform plans in the
// shape current Terraform writes with current providers, or as Kubernetes
// manifests. A plan is built from a few lines per resource (the attributes
// its configuration sets) and the provider's schema (corpus_schema_test.go):
// which attributes the provider computes, which are Optional+Computed and so
// unknown on create when left out, which are sensitive, which are tagged.

// corpusCase is one file of the corpus.
type corpusCase struct {
	Rule string
	// Case is "fail", "pass" or "unknown" (the value the rule is about is
	// computed from something known only after apply, or, in a manifest,
	// left to substitution).
	Case string
	// Expect is what the rule reports: "fail" (a finding of its severity),
	// "pass" (nothing) or "undetermined" (only findings it cannot judge
	// yet, warnings). An unknown case that does not expect undetermined
	// says why (Why), and names the rule that reports it (ReportedBy) when
	// another one does.
	Expect     string
	Why        string
	ReportedBy string
	Service    paved.ServiceContext
	Plan       *tfPlan
	Manifest   string
}

func (c corpusCase) file() string {
	if c.Plan != nil {
		return "terraform/" + c.Rule + "/" + c.Case + ".json"
	}
	return "kubernetes/" + c.Rule + "/" + c.Case + ".yaml"
}

// tfPlan describes a plan: the providers, root variables and resources.
type tfPlan struct {
	Terraform string // terraform_version; default 1.9.8
	Providers []tfProvider
	Vars      map[string]tfVar
	Resources []tfRes
}

type tfProvider struct {
	Name        string // aws, google, azurerm
	Source      string // default registry.terraform.io/hashicorp/<name>
	Version     string // the version constraint: "~> 5.0", "~> 6.0" ...
	Region      any    // a string literal, or a rootVar
	DefaultTags map[string]any
}

type tfVar struct {
	Value     any
	Default   any // declared default; nil with HasDefault false: required
	Sensitive bool
}

// tfRes is a resource or data source of the plan.
type tfRes struct {
	// Addr is its address: aws_db_instance.main, module.db.aws_db_instance.this,
	// data.aws_iam_policy_document.p.
	Addr string
	// Action: create (default), update, no-op, replace, delete, read.
	Action string
	// Attrs are the attributes its configuration sets: literals, blocks,
	// ref (from another object of the plan, known only after apply on
	// create), modVar (a module input) or rootVar.
	Attrs map[string]any
	// Known are values the provider computed for an existing object
	// (update, no-op, delete): attributes not in the configuration.
	Known        map[string]any
	Importing    string   // import ID (Terraform 1.5+ import blocks)
	ReplacePaths [][]any  // the attributes that force a replace
	ProviderKey  string   // provider configuration; default the type's provider
	Index        any      // count index or for_each key
	DependsOn    []string //
}

// blocks are nested configuration blocks (list nesting).
type blocks []map[string]any

// ref is an expression of other objects: unknown on create when they are
// new. Refs are the references Terraform lists (the first one is written
// with its parents, as Terraform unwraps them).
type ref struct {
	Refs []string
	// Known, when set, is the value when the referenced objects already
	// exist: the expression is then known at plan time.
	Known any
}

// modVar is var.Name inside a module; the module call passes Pass (a
// literal or a ref; nil: not passed, so Default applies).
type modVar struct {
	Name    string
	Pass    any
	Default any
}

// rootVar is var.Name in the root module; tfPlan.Vars has its value.
type rootVar string

const unknownValue = "\x00unknown"

// value is what the plan knows of an attribute expression: the value, or
// unknownValue.
func (p *tfPlan) value(v any) any {
	switch x := v.(type) {
	case ref:
		if x.Known != nil {
			return x.Known
		}
		return unknownValue
	case modVar:
		if x.Pass == nil {
			return x.Default
		}
		return p.value(x.Pass)
	case rootVar:
		return p.Vars[string(x)].Value
	case blocks:
		out := make([]any, len(x))
		for i, b := range x {
			m := map[string]any{}
			for k, bv := range b {
				m[k] = p.value(bv)
			}
			out[i] = m
		}
		return out
	}
	return v
}

// expression is the configuration's expression for a value.
func expression(v any) map[string]any {
	switch x := v.(type) {
	case ref:
		return map[string]any{"references": unwrap(x.Refs)}
	case modVar:
		return map[string]any{"references": []string{"var." + x.Name}}
	case rootVar:
		return map[string]any{"references": []string{"var." + string(x)}}
	}
	return map[string]any{"constant_value": v}
}

// unwrap lists each reference with its parents, as Terraform does:
// aws_kms_key.main.arn -> aws_kms_key.main.arn, aws_kms_key.main.
func unwrap(refs []string) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r)
		parts := strings.Split(r, ".")
		min := 2
		if parts[0] == "data" || parts[0] == "module" {
			min = 3
		}
		if parts[0] == "var" || parts[0] == "local" {
			min = 2
		}
		for n := len(parts) - 1; n >= min; n-- {
			out = append(out, strings.Join(parts[:n], "."))
		}
	}
	return out
}

func blockExpressions(b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		if bs, ok := v.(blocks); ok {
			list := make([]any, len(bs))
			for i, nb := range bs {
				list[i] = blockExpressions(nb)
			}
			out[k] = list
			continue
		}
		out[k] = expression(v)
	}
	return out
}

type resAddr struct {
	module, mode, typ, name string
}

func parseResAddr(a string) resAddr {
	var r resAddr
	parts := strings.Split(a, ".")
	if parts[0] == "module" {
		r.module = "module." + parts[1]
		parts = parts[2:]
	}
	r.mode = "managed"
	if parts[0] == "data" {
		r.mode = "data"
		parts = parts[1:]
	}
	r.typ, r.name = parts[0], parts[1]
	return r
}

func (r resAddr) rel() string {
	if r.mode == "data" {
		return "data." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

func providerOf(typ string) string {
	name, _, _ := strings.Cut(typ, "_")
	return name
}

// fakeID is a plausible computed value for an existing object.
func fakeID(typ, name, attr string) any {
	switch attr {
	case "arn":
		return fmt.Sprintf("arn:aws:%s:eu-west-1:123456789012:%s/%s", strings.TrimPrefix(providerOf(typ), "aws"), strings.TrimPrefix(typ, "aws_"), name)
	case "tags_all", "effective_labels", "terraform_labels":
		return nil
	}
	return fmt.Sprintf("%s-%s-0a1b2c3d", strings.ReplaceAll(typ, "_", "-"), name)
}

// render writes the plan JSON as terraform show -json does (indented for
// review; Terraform writes one line).
func (p *tfPlan) render() ([]byte, error) {
	tf := p.Terraform
	if tf == "" {
		tf = "1.9.8"
	}
	providers := p.Providers
	if len(providers) == 0 {
		providers = []tfProvider{awsV5}
	}
	// A provider the resources use without a provider block (random):
	// Terraform lists it all the same.
	have := map[string]bool{}
	for _, pr := range providers {
		have[pr.Name] = true
	}
	for _, r := range p.Resources {
		if name := providerOf(parseResAddr(r.Addr).typ); !have[name] && r.ProviderKey == "" {
			have[name] = true
			providers = append(slices.Clone(providers), tfProvider{Name: name, Version: "~> 3.6"})
		}
	}
	provBy := map[string]tfProvider{}
	for i, pr := range providers {
		if pr.Source == "" {
			pr.Source = "registry.terraform.io/hashicorp/" + pr.Name
			providers[i] = pr
		}
		provBy[pr.Name] = pr
	}

	type mod struct {
		resources []any // planned_values resources
		config    []any
		calls     map[string]map[string]any // module call inputs
	}
	mods := map[string]*mod{"": {calls: map[string]map[string]any{}}}
	var changes, prior []any
	getMod := func(m string) *mod {
		if mods[m] == nil {
			mods[m] = &mod{calls: map[string]map[string]any{}}
		}
		return mods[m]
	}
	modVars := map[string]map[string]modVar{}
	for _, r := range p.Resources {
		a := parseResAddr(r.Addr)
		s, ok := tfSchemas[a.typ]
		if !ok {
			return nil, fmt.Errorf("%s: no schema for %s in corpus_schema_test.go", r.Addr, a.typ)
		}
		pkey := r.ProviderKey
		if pkey == "" {
			pkey = providerOf(a.typ)
		}
		prov, ok := provBy[pkey]
		if !ok {
			return nil, fmt.Errorf("%s: no provider %s in the plan", r.Addr, pkey)
		}
		action := r.Action
		if action == "" {
			action = "create"
			if a.mode == "data" {
				action = "read"
			}
		}
		existing := action != "create" && action != "read"
		v6 := prov.Name == "aws" && strings.Contains(prov.Version, "6.")

		after := map[string]any{}
		unknown := map[string]any{}
		sens := map[string]any{}
		for k, v := range s.Defaults {
			after[k] = v
		}
		for _, k := range s.Optional {
			after[k] = nil
		}
		oc := slices.Clone(s.OptComputed)
		if v6 && a.mode == "managed" && !s.Global {
			oc = append(oc, "region")
		}
		for _, k := range oc {
			after[k] = nil
			if !existing {
				unknown[k] = true
			}
		}
		for _, k := range s.Computed {
			after[k] = nil
			if existing {
				after[k] = fakeID(a.typ, a.name, k)
			} else {
				unknown[k] = true
			}
		}
		if s.Tags {
			after["tags"] = nil
			after["tags_all"] = nil
			if !existing {
				unknown["tags_all"] = true
			} else {
				after["tags_all"] = maps.Clone(prov.DefaultTags)
			}
		}
		if s.AzureTags {
			after["tags"] = nil
		}
		if s.Labels {
			after["labels"] = nil
			for _, k := range []string{"effective_labels", "terraform_labels"} {
				after[k] = nil
				unknown[k] = true
			}
		}
		for k, v := range r.Known {
			after[k] = v
			delete(unknown, k)
		}
		for k, v := range r.Attrs {
			val := p.value(v)
			delete(unknown, k)
			if list, ok := val.([]any); ok && s.Blocks[k] != nil {
				for _, e := range list {
					s.Blocks[k].fill(e.(map[string]any), existing)
				}
			}
			switch {
			case val == unknownValue:
				after[k] = nil
				unknown[k] = true
			default:
				after[k] = val
				if u := unknownIn(val); u != nil {
					unknown[k] = u
				}
			}
			if mv, ok := v.(modVar); ok {
				if modVars[a.module] == nil {
					modVars[a.module] = map[string]modVar{}
				}
				modVars[a.module][mv.Name] = mv
			}
		}
		if s.Tags && existing {
			all := maps.Clone(prov.DefaultTags)
			if all == nil {
				all = map[string]any{}
			}
			if t, ok := after["tags"].(map[string]any); ok {
				maps.Copy(all, t)
			}
			after["tags_all"] = all
		}
		for _, k := range s.Sensitive {
			if after[k] != nil {
				sens[k] = true
			}
		}
		// Values known only after apply are null in after (Terraform's
		// omitUnknowns), and unknown list elements are left out.
		cleanUnknown(after)

		before := any(nil)
		afterV := any(after)
		beforeSens := any(false)
		afterSens := any(sens)
		switch action {
		case "delete":
			before, afterV, afterSens = after, nil, false
			beforeSens = sens
			unknown = nil
		case "no-op", "update", "replace":
			b := maps.Clone(after)
			if r.Known != nil {
				maps.Copy(b, r.Known)
			}
			before, beforeSens = b, sens
		}
		actions := map[string][]string{
			"create": {"create"}, "read": {"read"}, "delete": {"delete"}, "no-op": {"no-op"},
			"update": {"update"}, "replace": {"delete", "create"},
		}[action]
		change := map[string]any{
			"actions": actions, "before": before, "after": afterV,
			"after_unknown": map[string]any{}, "before_sensitive": beforeSens, "after_sensitive": afterSens,
		}
		if unknown != nil {
			change["after_unknown"] = unknown
		} else {
			change["after_unknown"] = false
		}
		if r.Importing != "" {
			change["importing"] = map[string]any{"id": r.Importing}
		}
		if len(r.ReplacePaths) > 0 {
			change["replace_paths"] = r.ReplacePaths
		}
		addr := r.Addr
		if r.Index != nil {
			addr = fmt.Sprintf("%s[%s]", r.Addr, indexText(r.Index))
		}
		rc := orderedMap{
			{"address", addr},
		}
		if a.module != "" {
			rc = append(rc, kv{"module_address", a.module})
		}
		rc = append(rc, kv{"mode", a.mode}, kv{"type", a.typ}, kv{"name", a.name})
		if r.Index != nil {
			rc = append(rc, kv{"index", r.Index})
		}
		rc = append(rc, kv{"provider_name", prov.Source}, kv{"change", change})
		if action == "replace" {
			rc = append(rc, kv{"action_reason", "replace_because_cannot_update"})
		}
		if a.mode == "data" && action == "read" {
			rc = append(rc, kv{"action_reason", "read_because_config_unknown"})
		}
		changes = append(changes, rc)

		state := orderedMap{{"address", addr}, {"mode", a.mode}, {"type", a.typ}, {"name", a.name}}
		if r.Index != nil {
			state = append(state, kv{"index", r.Index})
		}
		state = append(state, kv{"provider_name", prov.Source}, kv{"schema_version", s.SchemaVersion})
		if action != "delete" && a.mode == "managed" {
			known := knownOnly(after)
			m := getMod(a.module)
			m.resources = append(m.resources, append(slices.Clone(state), kv{"values", known}, kv{"sensitive_values", sensitiveValues(sens)}))
		}
		if existing {
			prior = append(prior, append(slices.Clone(state), kv{"values", before}, kv{"sensitive_values", sensitiveValues(sens)}))
		}
		if action != "delete" {
			cfg := orderedMap{{"address", a.rel()}, {"mode", a.mode}, {"type", a.typ}, {"name", a.name}, {"provider_config_key", pkey}}
			cfg = append(cfg, kv{"expressions", blockExpressions(r.Attrs)}, kv{"schema_version", s.SchemaVersion})
			if r.Index != nil {
				if _, isNum := r.Index.(int); isNum {
					cfg = append(cfg, kv{"count_expression", map[string]any{"constant_value": 1}})
				} else {
					cfg = append(cfg, kv{"for_each_expression", map[string]any{"references": []string{"var.names"}}})
				}
			}
			if len(r.DependsOn) > 0 {
				cfg = append(cfg, kv{"depends_on", r.DependsOn})
			}
			m := getMod(a.module)
			m.config = append(m.config, cfg)
		}
	}

	// Configuration: provider blocks, root module, module calls.
	provCfg := map[string]any{}
	for _, pr := range providers {
		exprs := map[string]any{}
		if pr.Region != nil {
			exprs["region"] = expression(pr.Region)
		}
		if pr.DefaultTags != nil {
			key := "default_tags"
			if pr.Name == "google" {
				exprs["default_labels"] = expression(pr.DefaultTags)
			} else {
				exprs[key] = []any{map[string]any{"tags": expression(pr.DefaultTags)}}
			}
		}
		pc := orderedMap{{"name", pr.Name}, {"full_name", pr.Source}}
		if pr.Version != "" {
			pc = append(pc, kv{"version_constraint", pr.Version})
		}
		if len(exprs) > 0 {
			pc = append(pc, kv{"expressions", exprs})
		}
		provCfg[pr.Name] = pc
	}
	rootCfg := orderedMap{}
	if len(mods[""].config) > 0 {
		rootCfg = append(rootCfg, kv{"resources", mods[""].config})
	}
	var modNames []string
	for m := range mods {
		if m != "" {
			modNames = append(modNames, m)
		}
	}
	sort.Strings(modNames)
	if len(modNames) > 0 {
		calls := map[string]any{}
		for _, m := range modNames {
			name := strings.TrimPrefix(m, "module.")
			inputs := map[string]any{}
			vars := map[string]any{}
			for vn, mv := range modVars[m] {
				if mv.Pass != nil {
					inputs[vn] = expression(mv.Pass)
				}
				decl := map[string]any{"description": vn}
				if mv.Pass == nil || mv.Default != nil {
					decl["default"] = mv.Default
				}
				vars[vn] = decl
			}
			mc := orderedMap{{"source", "./modules/" + name}}
			if len(inputs) > 0 {
				mc = append(mc, kv{"expressions", inputs})
			}
			mod := orderedMap{{"resources", mods[m].config}}
			if len(vars) > 0 {
				mod = append(mod, kv{"variables", vars})
			}
			mc = append(mc, kv{"module", mod})
			calls[name] = mc
		}
		rootCfg = append(rootCfg, kv{"module_calls", calls})
	}
	if len(p.Vars) > 0 {
		decl := map[string]any{}
		for n, v := range p.Vars {
			d := map[string]any{}
			if v.Default != nil {
				d["default"] = v.Default
			}
			if v.Sensitive {
				d["sensitive"] = true
			}
			decl[n] = d
		}
		rootCfg = append(rootCfg, kv{"variables", decl})
	}

	planned := orderedMap{{"resources", orEmpty(mods[""].resources)}}
	if len(modNames) > 0 {
		var children []any
		for _, m := range modNames {
			children = append(children, orderedMap{{"address", m}, {"resources", orEmpty(mods[m].resources)}})
		}
		planned = append(planned, kv{"child_modules", children})
	}

	out := orderedMap{{"format_version", "1.2"}, {"terraform_version", tf}}
	if len(p.Vars) > 0 {
		vals := map[string]any{}
		for n, v := range p.Vars {
			vals[n] = map[string]any{"value": v.Value}
		}
		out = append(out, kv{"variables", vals})
	}
	out = append(out, kv{"planned_values", orderedMap{{"root_module", planned}}}, kv{"resource_changes", changes})
	if len(prior) > 0 {
		out = append(out, kv{"prior_state", orderedMap{{"format_version", "1.0"}, {"terraform_version", tf}, {"values", orderedMap{{"root_module", orderedMap{{"resources", prior}}}}}}})
	}
	out = append(out, kv{"configuration", orderedMap{{"provider_config", provCfg}, {"root_module", rootCfg}}})
	out = append(out, kv{"timestamp", "2025-11-20T09:30:00Z"})
	if minorVersion(tf) >= 8 {
		// Terraform 1.8 and later say whether the plan can be applied and
		// whether it holds every change (deferred actions).
		out = append(out, kv{"applyable", true}, kv{"complete", true})
	}
	out = append(out, kv{"errored", false})
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func minorVersion(v string) int {
	var major, minor int
	fmt.Sscanf(v, "%d.%d", &major, &minor)
	return minor
}

func indexText(i any) string {
	if s, ok := i.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(i)
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// unknownIn returns the after_unknown structure of a value holding unknown
// parts (blocks with refs), nil when it is wholly known.
func unknownIn(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		found := false
		for i, e := range x {
			if u := unknownIn(e); u != nil {
				out[i], found = u, true
			} else if _, isMap := e.(map[string]any); isMap {
				out[i] = map[string]any{}
			} else {
				out[i] = false
			}
		}
		if found {
			return out
		}
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if e == unknownValue {
				out[k] = true
			} else if u := unknownIn(e); u != nil {
				out[k] = u
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func cleanUnknown(m map[string]any) {
	for k, v := range m {
		switch x := v.(type) {
		case string:
			if x == unknownValue {
				m[k] = nil
			}
		case map[string]any:
			cleanUnknown(x)
		case []any:
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					cleanUnknown(em)
				}
			}
		}
	}
}

// knownOnly is planned_values' view: unknown attributes left out.
func knownOnly(after map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range after {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

func sensitiveValues(sens map[string]any) map[string]any {
	if len(sens) == 0 {
		return map[string]any{}
	}
	return sens
}

// orderedMap marshals its pairs in order, as Terraform writes its structs.
type orderedMap []kv

type kv struct {
	k string
	v any
}

func (o orderedMap) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.k)
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// The providers most cases use.
var (
	defaultTags = map[string]any{"team": "payments", "service": "ledger", "environment": "production"}
	awsV5       = tfProvider{Name: "aws", Version: "~> 5.80", Region: "eu-west-1", DefaultTags: defaultTags}
	awsV6       = tfProvider{Name: "aws", Version: "~> 6.0", Region: "eu-west-1", DefaultTags: defaultTags}
	googleV6    = tfProvider{Name: "google", Version: "~> 6.10", Region: "europe-west1", DefaultTags: map[string]any{"team": "payments", "service": "ledger"}}
	azureV4     = tfProvider{Name: "azurerm", Version: "~> 4.10"}
	azureV3     = tfProvider{Name: "azurerm", Version: "~> 3.116"}
	googleV5    = tfProvider{Name: "google", Version: "~> 5.40", Region: "europe-west1"}
)
