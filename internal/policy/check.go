package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// group is one "input" in the contract's sense: what a plan-scoped rule
// sees at once. A Terraform plan is its own group; all Kubernetes
// manifests of a check form one group, because a Deployment's
// PodDisruptionBudget usually lives in another file.
type group struct {
	source string
	input  string // the input file when the group has one, else ""
	res    []*paved.IaCResource
	docs   []*iac.Document // parallel to res: where each resource came from
	terms  []*ast.Term
	byAddr map[string]int // first resource with that address
	chunk  []int          // resources the resource-scoped rules see
	// context are the resources of the context types of the enabled
	// resource-scoped rules (account-wide settings): every chunk sees them
	// in input.by_type.
	context []int
}

// task is one evaluation: a chunk of a group for the resource-scoped
// rules, or a whole group for the plan-scoped ones.
type task struct {
	g      *group
	idx    []int    // indexes into g.res
	active []string // rule packages to evaluate
	chunk  bool     // a chunk for the resource-scoped rules (gets g.context)
}

// Check evaluates the guard rails (built-in and custom paved-style rules)
// and, when configured, the conftest-style user policies over the
// documents, and returns the findings sorted by input, resource, rule and
// path.
func (e *Engine) Check(ctx context.Context, docs []*iac.Document, svc paved.ServiceContext) ([]paved.Finding, error) {
	var out []paved.Finding
	if len(e.rules) > 0 {
		fs, err := e.checkRules(ctx, docs, svc)
		if err != nil {
			return nil, err
		}
		out = fs
	}
	if e.user != nil {
		fs, err := e.user.check(ctx, docs)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	SortFindings(out)
	return out, nil
}

func (e *Engine) checkRules(ctx context.Context, docs []*iac.Document, svc paved.ServiceContext) ([]paved.Finding, error) {
	pq, err := e.preparedFor(svc)
	if err != nil {
		return nil, err
	}
	groups := groupDocuments(docs)
	svcTerm, err := serviceTerm(svc)
	if err != nil {
		return nil, err
	}
	var resourceRules, planRules []*ruleInfo
	for _, ri := range e.ordered {
		if e.Disabled(ri.rule.ID) {
			continue
		}
		if ri.scope == scopePlan {
			planRules = append(planRules, ri)
		} else {
			resourceRules = append(resourceRules, ri)
		}
	}

	// Resource-scoped rules see only resources of a type some enabled
	// rule lists: plans are full of IAM policies, DNS records and the like
	// that no guard rail reads, and converting them to AST values is a
	// large share of a check's cost. Plan-scoped rules see every resource
	// of their input (they read types they do not judge, such as the
	// PodDisruptionBudgets of a Deployment), so a group with an active
	// plan-scoped rule is converted whole.
	needed := map[string]bool{}
	needAll := false
	contextTypes := map[string]bool{}
	for _, ri := range resourceRules {
		needAll = needAll || ri.allTypes
		for t := range ri.typeSet {
			needed[t] = true
		}
		for _, t := range ri.contextTypes {
			contextTypes[t] = true
		}
	}
	// Plan-scoped rules join resources, so their input is the whole group
	// at once; for built-in rules it holds the resources of the types they
	// list (all of them for custom rules, or a rule that lists none). Only these are converted up
	// front and kept; chunk tasks convert the rest themselves and drop the
	// values after evaluating, so memory does not hold a second copy of a
	// huge plan.
	var convTasks []task
	planActive := make([][]string, len(groups))
	planIdx := make([][]int, len(groups))
	for gi, g := range groups {
		types := map[string]bool{}
		for i, r := range g.res {
			types[r.Type] = true
			if needAll || needed[r.Type] {
				g.chunk = append(g.chunk, i)
			}
			if contextTypes[r.Type] {
				g.context = append(g.context, i)
			}
		}
		planActive[gi] = selectRules(planRules, types, true)
		g.terms = make([]*ast.Term, len(g.res))
		if len(g.context) > 0 {
			// Few (account settings), converted once and shared by the chunks.
			convTasks = append(convTasks, task{g: g, idx: g.context})
		}
		if len(planActive[gi]) == 0 {
			continue
		}
		planTypes, planAll := map[string]bool{}, false
		for _, pkg := range planActive[gi] {
			ri := e.byPkg[pkg]
			// Custom plan rules see everything, as the contract has always
			// said; built-in ones list every type they read (a test checks).
			planAll = planAll || len(ri.typeSet) == 0 || !ri.rule.Builtin
			for t := range ri.typeSet {
				planTypes[t] = true
			}
		}
		for i, r := range g.res {
			if planAll || planTypes[r.Type] {
				planIdx[gi] = append(planIdx[gi], i)
			}
		}
		idx := planIdx[gi]
		for lo := 0; lo < len(idx); lo += e.opts.ChunkSize {
			convTasks = append(convTasks, task{g: g, idx: idx[lo:min(lo+e.opts.ChunkSize, len(idx))]})
		}
	}
	// Convert the plan-scoped inputs once, in parallel: their terms are
	// shared by the plan input and the chunks that hold the same resources.
	if err := e.parallel(ctx, len(convTasks), func(i int) error {
		t := convTasks[i]
		for _, j := range t.idx {
			term, err := e.resourceTerm(t.g.res[j])
			if err != nil {
				return fmt.Errorf("policy: resource %s: %w", t.g.res[j].Address, err)
			}
			t.g.terms[j] = term
		}
		return nil
	}); err != nil {
		return nil, err
	}

	var tasks []task
	for gi, g := range groups {
		if plan := planActive[gi]; len(plan) > 0 {
			tasks = append(tasks, task{g: g, idx: planIdx[gi], active: plan})
		}
		for lo := 0; lo < len(g.chunk); lo += e.opts.ChunkSize {
			idx := g.chunk[lo:min(lo+e.opts.ChunkSize, len(g.chunk))]
			ct := map[string]bool{}
			for _, i := range idx {
				ct[g.res[i].Type] = true
			}
			if act := selectRules(resourceRules, ct, false); len(act) > 0 {
				tasks = append(tasks, task{g: g, idx: idx, active: act, chunk: true})
			}
		}
	}
	// Largest first, so that the plan-scoped evaluations do not start last
	// and leave a core idle at the end.
	sort.SliceStable(tasks, func(i, j int) bool { return len(tasks[i].idx) > len(tasks[j].idx) })

	results := make([][]paved.Finding, len(tasks))
	if err := e.parallel(ctx, len(tasks), func(i int) error {
		fs, err := e.evalTask(ctx, pq, tasks[i], svcTerm)
		results[i] = fs
		return err
	}); err != nil {
		return nil, err
	}
	var out []paved.Finding
	seen := map[string]bool{}
	for _, fs := range results {
		for _, f := range fs {
			k := f.Input + "\x00" + f.Fingerprint + "\x00" + f.Message
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// selectRules picks the rules whose resource types occur; a plan-scoped
// rule without resource_types always runs.
func selectRules(rules []*ruleInfo, types map[string]bool, plan bool) []string {
	var out []string
	for _, ri := range rules {
		if (plan && len(ri.typeSet) == 0) || (!plan && ri.allTypes) {
			out = append(out, ri.pkg)
			continue
		}
		for t := range types {
			if ri.typeSet[t] {
				out = append(out, ri.pkg)
				break
			}
		}
	}
	return out
}

func groupDocuments(docs []*iac.Document) []*group {
	var groups []*group
	var k8s *group
	for _, d := range docs {
		if d == nil || len(d.Resources) == 0 {
			continue
		}
		var g *group
		if d.Kind == iac.KindKubernetes {
			if k8s == nil {
				k8s = &group{source: "kubernetes", input: d.Input, byAddr: map[string]int{}}
				groups = append(groups, k8s)
			}
			g = k8s
			if g.input != d.Input {
				g.input = ""
			}
		} else {
			g = &group{source: "terraform", input: d.Input, byAddr: map[string]int{}}
			groups = append(groups, g)
		}
		for _, r := range d.Resources {
			if r == nil {
				continue
			}
			if _, dup := g.byAddr[r.Address]; !dup {
				g.byAddr[r.Address] = len(g.res)
			}
			g.res = append(g.res, r)
			g.docs = append(g.docs, d)
		}
	}
	return groups
}

// parallel runs fn(0..n-1) over the engine's parallelism; the first error
// (or the context's) wins.
func (e *Engine) parallel(ctx context.Context, n int, fn func(int) error) error {
	if n == 0 {
		return nil
	}
	workers := min(e.opts.Parallelism, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		next  int
		first error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if first != nil || next >= n {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				err := ctx.Err()
				if err == nil {
					err = fn(i)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

var (
	keyResources   = ast.StringTerm("resources")
	keyByType      = ast.StringTerm("by_type")
	keyService     = ast.StringTerm("service")
	keySource      = ast.StringTerm("source")
	keyActiveRules = ast.StringTerm("active_rules")
)

func (e *Engine) evalTask(ctx context.Context, pq *rego.PreparedEvalQuery, t task, svc *ast.Term) ([]paved.Finding, error) {
	terms := make([]*ast.Term, len(t.idx))
	byType := map[string][]*ast.Term{}
	var typeOrder []string
	for i, j := range t.idx {
		term := t.g.terms[j]
		if term == nil {
			var err error
			if term, err = e.resourceTerm(t.g.res[j]); err != nil {
				return nil, fmt.Errorf("policy: resource %s: %w", t.g.res[j].Address, err)
			}
		}
		terms[i] = term
		typ := t.g.res[j].Type
		if _, ok := byType[typ]; !ok {
			typeOrder = append(typeOrder, typ)
		}
		byType[typ] = append(byType[typ], term)
	}
	if t.chunk && len(t.g.context) > 0 {
		// Account-wide settings beside the chunk's resources, in by_type
		// only (those the chunk holds itself are in already).
		inChunk := make(map[int]bool, len(t.idx))
		for _, j := range t.idx {
			inChunk[j] = true
		}
		for _, j := range t.g.context {
			if inChunk[j] {
				continue
			}
			typ := t.g.res[j].Type
			if _, ok := byType[typ]; !ok {
				typeOrder = append(typeOrder, typ)
			}
			byType[typ] = append(byType[typ], t.g.terms[j])
		}
	}
	bt := ast.NewObject()
	for _, typ := range typeOrder {
		bt.Insert(ast.StringTerm(typ), ast.ArrayTerm(byType[typ]...))
	}
	active := ast.NewObject()
	for _, pkg := range t.active {
		active.Insert(ast.StringTerm(pkg), ast.BooleanTerm(true))
	}
	input := ast.NewObject(
		ast.Item(keyResources, ast.ArrayTerm(terms...)),
		ast.Item(keyByType, ast.NewTerm(bt)),
		ast.Item(keyService, svc),
		ast.Item(keySource, ast.StringTerm(t.g.source)),
		ast.Item(keyActiveRules, ast.NewTerm(active)),
	)
	opts := []rego.EvalOption{rego.EvalParsedInput(input)}
	if e.print != nil {
		opts = append(opts, rego.EvalPrintHook(printHook{w: e.print, mu: &e.pmu}))
	}
	rs, err := pq.Eval(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("policy: evaluating the guard rails: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, nil
	}
	raw, ok := rs[0].Expressions[0].Value.([]any)
	if !ok {
		return nil, nil
	}
	out := make([]paved.Finding, 0, len(raw))
	for _, x := range raw {
		triple, ok := x.([]any)
		if !ok || len(triple) != 3 {
			continue
		}
		pkg, _ := triple[0].(string)
		set, _ := triple[1].(string)
		ri := e.byPkg[pkg]
		if ri == nil {
			continue
		}
		f, err := e.mapFinding(ri, set, triple[2], t.g)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// mapFinding turns one result object of a rule into a Finding. A malformed
// result is an error naming the rule: it is a bug in the rule, and hiding
// it would hide findings.
func (e *Engine) mapFinding(ri *ruleInfo, set string, v any, g *group) (paved.Finding, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return paved.Finding{}, paved.FieldErrorf(paved.EINVALID, ri.file,
			"rule %s: %s produced %s, want an object {address, msg, ...}", ri.rule.ID, set, compactJSON(v))
	}
	msg, ok := obj["msg"].(string)
	if !ok || msg == "" {
		return paved.Finding{}, paved.FieldErrorf(paved.EINVALID, ri.file,
			"rule %s: %s result has no msg string: %s", ri.rule.ID, set, compactJSON(v))
	}
	addr, _ := obj["address"].(string)
	f := paved.Finding{
		Rule:        ri.rule.ID,
		Severity:    paved.Severity(set),
		Resource:    addr,
		Message:     msg,
		Remediation: ri.rule.Remediation,
		DocURL:      ri.rule.DocURL,
		Input:       g.input,
	}
	if !ri.rule.Builtin {
		f.Policy = ri.file
	}
	if p, ok := obj["path"].(string); ok {
		f.Path = p
	}
	if val, ok := obj["value"]; ok {
		f.Value = val
	}
	undetermined := obj["undetermined"] == true
	if undetermined {
		f.Remediation = UndeterminedRemediation
	}
	if rem, ok := obj["remediation"].(string); ok && rem != "" {
		f.Remediation = rem
	}
	if i, ok := g.byAddr[addr]; ok && addr != "" {
		r := g.res[i]
		f.ResourceType = r.Type
		f.Action = r.Action
		f.Input = g.docs[i].Input
		f.File = r.File
		f.Line = r.Line
		if f.File == "" && g.docs[i].Kind == iac.KindKubernetes {
			f.File, f.Line = g.docs[i].Input, g.docs[i].Line
		}
	}
	if undetermined {
		// The rule cannot tell whether the resource breaks it until the
		// value is known: a warning, whatever the rule's severity, its
		// configured severity or enforce_from, since nothing is broken yet.
		f.Severity = paved.SeverityWarn
		f.Undetermined = true
	} else {
		e.applySeverity(ri, &f)
	}
	f.Fingerprint = f.ComputeFingerprint()
	return f, nil
}

// UndeterminedRemediation is the advice on a finding whose value is known
// only after apply (a result with "undetermined": true, see CONTRACT.md).
const UndeterminedRemediation = "Nothing to fix yet: the guard rail judges the value once it is known, in the first plan after apply. To have it judged now, set the attribute from a literal or an input variable instead of another resource's attribute."

// applySeverity applies the configured severity override and the gentle
// roll-out of enforce_from: a deny finding before that day is a warning
// that says when it will block.
func (e *Engine) applySeverity(ri *ruleInfo, f *paved.Finding) {
	if s := e.cfg.Rules[ri.rule.ID].Severity; s != "" {
		f.Severity = s
	}
	if f.Severity == paved.SeverityDeny && enforcedLater(ri.rule.EnforceFrom, e.now().UTC().Format(dateLayout)) {
		f.Severity = paved.SeverityWarn
		f.EnforceFrom = ri.rule.EnforceFrom
		f.Message += " (enforced from " + ri.rule.EnforceFrom + ")"
	}
}

// enforcedLater reports whether a rule enforced from the day from
// (YYYY-MM-DD) is still a warning today; on the day itself it blocks.
func enforcedLater(from, today string) bool {
	return from != "" && today < from
}

// SortFindings orders findings deterministically: input, resource, rule,
// path, then message and fingerprint so that equal keys never flap.
func SortFindings(fs []paved.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Input != b.Input {
			return a.Input < b.Input
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Message != b.Message {
			return a.Message < b.Message
		}
		return a.Fingerprint < b.Fingerprint
	})
}

func serviceTerm(svc paved.ServiceContext) (*ast.Term, error) {
	b, err := json.Marshal(svc)
	if err != nil {
		return nil, fmt.Errorf("policy: service context: %w", err)
	}
	v, err := jsonToValue(b)
	if err != nil {
		return nil, fmt.Errorf("policy: service context: %w", err)
	}
	return ast.NewTerm(v), nil
}

// resourceTerm builds the AST object of a resource directly (the field
// names and omitempty rules of paved.IaCResource's JSON form), avoiding a
// JSON round trip per resource.
func (e *Engine) resourceTerm(r *paved.IaCResource) (*ast.Term, error) {
	return resourceTerm(r, e.needBefore, e.attrKeys)
}

func resourceTerm(r *paved.IaCResource, withBefore bool, keys map[string]bool) (*ast.Term, error) {
	obj := ast.NewObject()
	str := func(k, v string, always bool) {
		if v != "" || always {
			obj.Insert(ast.StringTerm(k), ast.StringTerm(v))
		}
	}
	str("address", r.Address, true)
	str("type", r.Type, true)
	str("name", r.Name, true)
	str("source", r.Source, true)
	str("provider", r.Provider, false)
	str("provider_address", r.ProviderAddress, false)
	str("mode", r.Mode, false)
	str("module", r.Module, false)
	acts := make([]*ast.Term, len(r.Actions))
	for i, a := range r.Actions {
		acts[i] = ast.StringTerm(a)
	}
	if r.Actions == nil {
		obj.Insert(ast.StringTerm("actions"), ast.NullTerm())
	} else {
		obj.Insert(ast.StringTerm("actions"), ast.ArrayTerm(acts...))
	}
	str("action", r.Action, true)
	for _, kv := range []struct {
		k string
		m map[string]any
	}{{"before", r.Before}, {"after", r.After}, {"after_unknown", r.AfterUnknown}, {"config", r.Config}} {
		// nil is an absent value (after of a delete); an empty object is
		// a value, also when only the projection emptied it.
		if kv.m == nil || (kv.k == "before" && !withBefore) {
			continue
		}
		m := kv.m
		if keys != nil && kv.k != "before" {
			m = project(m, keys)
		}
		if len(m) == 0 {
			// Common for config (most attributes are known): no
			// conversion for an empty object.
			obj.Insert(ast.StringTerm(kv.k), ast.NewTerm(ast.NewObject()))
			continue
		}
		v, err := toValue(m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kv.k, err)
		}
		obj.Insert(ast.StringTerm(kv.k), ast.NewTerm(v))
	}
	if len(r.Tags) > 0 {
		tags := ast.NewObject()
		for k, v := range r.Tags {
			tags.Insert(ast.StringTerm(k), ast.StringTerm(v))
		}
		obj.Insert(ast.StringTerm("tags"), ast.NewTerm(tags))
	}
	str("region", r.Region, false)
	str("file", r.File, false)
	if r.Line != 0 {
		obj.Insert(ast.StringTerm("line"), ast.IntNumberTerm(r.Line))
	}
	return ast.NewTerm(obj), nil
}

// toValue converts decoded JSON to an AST value; values of types
// ast.InterfaceToValue does not know go through a JSON round trip, which
// is what encoding the resource as JSON would have done.
func toValue(v any) (ast.Value, error) {
	if x, err := ast.InterfaceToValue(v); err == nil {
		return x, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonToValue(b)
}

// project keeps the top-level attributes named in keys. A map that holds
// nothing else (the reader already left the rest out, see
// Engine.AttributeKeys) is returned as it is.
func project(m map[string]any, keys map[string]bool) map[string]any {
	extra := false
	for k := range m {
		if !keys[k] {
			extra = true
			break
		}
	}
	if !extra {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if keys[k] {
			out[k] = v
		}
	}
	return out
}
