package policy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// conftest's rule names: deny, violation and warn, optionally followed by
// _suffixes (deny_no_root, warn_a_b). Taken from conftest's policy engine.
var (
	failureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

// exceptionName is the name an exception rule lists to silence rule: the
// rule name without its deny_/violation_/warn_ prefix; a bare deny,
// violation or warn is matched by "" (conftest's removeRulePrefix).
func exceptionName(rule string) string {
	if rule == "deny" || rule == "violation" || rule == "warn" {
		return ""
	}
	rule = strings.TrimPrefix(rule, "violation_")
	rule = strings.TrimPrefix(rule, "deny_")
	rule = strings.TrimPrefix(rule, "warn_")
	return rule
}

// userPolicies are conftest-style policies: namespaces with deny/violation/
// warn rules evaluated against each document's raw content.
type userPolicies struct {
	e          *Engine
	namespaces []*userNamespace
}

type userNamespace struct {
	name  string
	rules []*userRule
}

type userRule struct {
	name      string
	failure   bool
	query     rego.PreparedEvalQuery
	exception rego.PreparedEvalQuery
	exText    string // conftest's exception query text, the message of an exception
}

func newUserPolicies(e *Engine, files []*parsedFile, v ast.RegoVersion) (*userPolicies, error) {
	modules := map[string]*ast.Module{}
	for _, f := range files {
		modules[f.name] = f.module
	}
	// conftest refuses a rule with a reference head whose value is true,
	// such as `deny.x if { ... }` (its problematicIf check, which only
	// looks at heads without a plain name). A plain `deny if { ... }` or
	// v0 `deny { ... }` is a boolean rule that conftest evaluates and
	// counts as a success, never a finding; paved does the same.
	for _, name := range sortedKeys(modules) {
		for _, r := range modules[name].Rules {
			if r.Head == nil || r.Head.Name != "" || r.Head.Value == nil || len(r.Head.Reference) == 0 {
				continue
			}
			head := r.Head.Reference[0].Value.String()
			if (failureRule.MatchString(head) || warningRule.MatchString(head)) && r.Head.Value.String() == "true" {
				return nil, paved.FieldErrorf(paved.EINVALID, locString(r.Head.Location, name),
					"rule %s uses 'if' without 'contains': it is a boolean and can never report a message; write `%s contains msg if { ... }`", head, head)
			}
		}
	}
	c := ast.NewCompiler().WithEnablePrintStatements(true).WithDefaultRegoVersion(v)
	c.Compile(modules)
	if c.Failed() {
		return nil, astError(c.Errors, "policy")
	}
	store, err := loadData(e.opts.DataPaths)
	if err != nil {
		return nil, err
	}
	// Namespaces and their rules, like conftest: a namespace is a package
	// path without "data."; a rule counts when its head name matches.
	rulesByNS := map[string]map[string]bool{}
	for _, name := range sortedKeys(modules) {
		m := modules[name]
		ns := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if rulesByNS[ns] == nil {
			rulesByNS[ns] = map[string]bool{}
		}
		for _, r := range m.Rules {
			n := r.Head.Name.String()
			if failureRule.MatchString(n) || warningRule.MatchString(n) {
				rulesByNS[ns][n] = true
			}
		}
	}
	var selected []string
	if e.opts.AllNamespaces {
		selected = sortedKeys(rulesByNS)
	} else {
		selected = e.opts.Namespaces
		if len(selected) == 0 {
			selected = []string{"main"}
		}
	}
	runtimeTerm := runtimeTerm()
	up := &userPolicies{e: e}
	seen := map[string]bool{}
	for _, ns := range selected {
		if seen[ns] {
			continue
		}
		seen[ns] = true
		un := &userNamespace{name: ns}
		nsRef, err := ast.ParseRef("data." + ns)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, "--namespace", "invalid namespace %q: %v", ns, err)
		}
		for _, rn := range sortedKeys(rulesByNS[ns]) {
			ur := &userRule{name: rn, failure: failureRule.MatchString(rn)}
			exName := exceptionName(rn)
			ur.exText = fmt.Sprintf("data.%s.exception[_][_] == %q", ns, exName)
			// conftest also puts the file being checked at
			// data.conftest.file; the input wrapper carries it so the
			// query is prepared once for every file.
			q := ast.NewBody(ast.NewExpr(ast.NewTerm(nsRef.Append(ast.StringTerm(rn)))))
			// The exception query is conftest's, text for text.
			exq, err := ast.ParseBody(ur.exText)
			if err != nil {
				return nil, paved.FieldErrorf(paved.EINVALID, "--namespace", "invalid namespace %q: %v", ns, err)
			}
			for _, pair := range []struct {
				body ast.Body
				dst  *rego.PreparedEvalQuery
			}{{q, &ur.query}, {exq, &ur.exception}} {
				body := withConftestFile(pair.body)
				pq, err := rego.New(
					rego.ParsedQuery(body),
					rego.Compiler(c),
					rego.Store(store),
					rego.Runtime(runtimeTerm),
					rego.EnablePrintStatements(true),
				).PrepareForEval(context.Background())
				if err != nil {
					return nil, paved.FieldErrorf(paved.EINVALID, "namespace "+ns, "preparing %s: %v", rn, err)
				}
				*pair.dst = pq
			}
			un.rules = append(un.rules, ur)
		}
		up.namespaces = append(up.namespaces, un)
	}
	return up, nil
}

// withConftestFile wraps a query so that input is the document and
// data.conftest.file the file's name and folder, both taken from the
// wrapper input {"doc": ..., "file": {...}}.
func withConftestFile(b ast.Body) ast.Body {
	out := b.Copy()
	for _, expr := range out {
		expr.With = append(expr.With,
			&ast.With{Target: ast.NewTerm(ast.InputRootRef), Value: ast.NewTerm(ast.InputRootRef.Append(ast.StringTerm("doc")))},
			&ast.With{Target: ast.NewTerm(ast.MustParseRef("data.conftest.file")), Value: ast.NewTerm(ast.InputRootRef.Append(ast.StringTerm("file")))},
		)
	}
	return out
}

// runtimeTerm is opa.runtime() as conftest sets it: the environment,
// OPA's version.
func runtimeTerm() *ast.Term {
	env := ast.NewObject()
	for _, pair := range os.Environ() {
		k, v, ok := strings.Cut(pair, "=")
		if ok {
			env.Insert(ast.StringTerm(k), ast.StringTerm(v))
		} else {
			env.Insert(ast.StringTerm(k), ast.NullTerm())
		}
	}
	return ast.ObjectTerm(ast.Item(ast.StringTerm("env"), ast.NewTerm(env)))
}

// loadData reads --data files and folders like conftest (0.71, OPA's
// loader): every .json, .yaml and .yml file found; a file named on the
// command line is merged at the root of data, a file found in a folder at
// the path of its subfolder below that folder (-d data puts
// data/limits/k8s.yaml at data.limits).
func loadData(paths []string) (storage.Store, error) {
	if len(paths) == 0 {
		return inmem.New(), nil
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read data path: %v", paved.UnwrapPathError(err))
		}
	}
	skip := func(_ string, info os.FileInfo, _ int) bool {
		if info.IsDir() {
			return false
		}
		switch filepath.Ext(info.Name()) {
		case ".json", ".yaml", ".yml":
			return false
		}
		return true
	}
	files, err := loader.FilteredPaths(paths, skip)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, strings.Join(paths, ", "), "reading data: %v", err)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.Size() > maxPolicyFileBytes {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, f, "data file larger than %d MiB", maxPolicyFileBytes>>20)
		}
	}
	docs, err := loader.NewFileLoader().Filtered(paths, skip)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, strings.Join(paths, ", "), "reading data: %v", err)
	}
	store, err := docs.Store()
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, strings.Join(files, ", "), "merging data: %v", err)
	}
	return store, nil
}

// userInput is one evaluation input: a document, or one element of a
// top-level array (conftest evaluates each element of a one-document file
// that is an array on its own).
type userInput struct {
	doc   *iac.Document
	value ast.Value
	file  *ast.Term
}

func (up *userPolicies) check(ctx context.Context, docs []*iac.Document) ([]paved.Finding, error) {
	perInput := map[string]int{}
	for _, d := range docs {
		if d != nil {
			perInput[d.Input]++
		}
	}
	var inputs []userInput
	for _, d := range docs {
		if d == nil {
			continue
		}
		if d.Raw == nil {
			return nil, fmt.Errorf("policy: document %d of %s has no raw content", d.Index, d.Input)
		}
		raw, err := d.Raw()
		if err != nil {
			return nil, err
		}
		file := fileTerm(d.Input)
		if arr, ok := raw.([]any); ok && perInput[d.Input] == 1 {
			for _, el := range arr {
				v, err := parallelValue(el)
				if err != nil {
					return nil, fmt.Errorf("policy: %s: %w", d.Input, err)
				}
				inputs = append(inputs, userInput{doc: d, value: v, file: file})
			}
			continue
		}
		v, err := parallelValue(raw)
		if err != nil {
			return nil, fmt.Errorf("policy: %s: %w", d.Input, err)
		}
		inputs = append(inputs, userInput{doc: d, value: v, file: file})
	}
	if up.e.opts.Combine {
		inputs = combineInputs(inputs)
	}
	results := make([][]paved.Finding, len(inputs))
	prints := make([]bytes.Buffer, len(inputs))
	err := up.e.parallel(ctx, len(inputs), func(i int) error {
		fs, err := up.checkOne(ctx, inputs[i], &prints[i])
		results[i] = fs
		return err
	})
	// print() output in document order, whatever order the workers ran in.
	if w := up.e.print; w != nil {
		for i := range prints {
			if prints[i].Len() > 0 {
				w.Write(prints[i].Bytes())
			}
		}
	}
	if err != nil {
		return nil, err
	}
	var out []paved.Finding
	for _, fs := range results {
		out = append(out, fs...)
	}
	return out, nil
}

// CombinedInput is the input name of findings from a --combine check, as
// conftest reports them.
const CombinedInput = "Combined"

// combineInputs turns the per-document inputs into conftest's --combine
// input: one array of {"path": file, "contents": document}, one element per
// document (a multi-document YAML file gives several), in path order.
func combineInputs(in []userInput) []userInput {
	sorted := make([]userInput, len(in))
	copy(sorted, in)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].doc.Input < sorted[j].doc.Input })
	elems := make([]*ast.Term, len(sorted))
	for i, u := range sorted {
		elems[i] = ast.ObjectTerm(
			ast.Item(ast.StringTerm("path"), ast.StringTerm(u.doc.Input)),
			ast.Item(ast.StringTerm("contents"), ast.NewTerm(u.value)),
		)
	}
	doc := &iac.Document{Input: CombinedInput, Kind: iac.KindDocument, Resources: []*paved.IaCResource{}}
	return []userInput{{doc: doc, value: ast.NewArray(elems...), file: fileTerm(CombinedInput)}}
}

func fileTerm(input string) *ast.Term {
	name, dir := input, ""
	if input != "-" {
		if abs, err := filepath.Abs(input); err == nil {
			name, dir = filepath.Base(abs), filepath.Dir(abs)
		}
	}
	return ast.ObjectTerm(
		ast.Item(ast.StringTerm("name"), ast.StringTerm(name)),
		ast.Item(ast.StringTerm("dir"), ast.StringTerm(dir)),
	)
}

func (up *userPolicies) checkOne(ctx context.Context, in userInput, pr *bytes.Buffer) ([]paved.Finding, error) {
	input := ast.NewObject(
		ast.Item(ast.StringTerm("doc"), ast.NewTerm(in.value)),
		ast.Item(ast.StringTerm("file"), in.file),
	)
	hook := printHook{w: pr, mu: &sync.Mutex{}}
	opts := []rego.EvalOption{rego.EvalParsedInput(input), rego.EvalPrintHook(hook)}
	var out []paved.Finding
	for _, ns := range up.namespaces {
		for _, r := range ns.rules {
			exRS, err := r.exception.Eval(ctx, opts...)
			if err != nil {
				return nil, paved.FieldErrorf(paved.EINVALID, in.doc.Input, "evaluating %s exceptions: %v", ns.name, err)
			}
			rs, err := r.query.Eval(ctx, opts...)
			if err != nil {
				return nil, paved.FieldErrorf(paved.EINVALID, in.doc.Input, "evaluating data.%s.%s: %v", ns.name, r.name, err)
			}
			// Every solution of the exception query is one exception, and
			// any exception silences all results of the rule (conftest).
			nEx := 0
			for _, res := range exRS {
				if len(res.Expressions) > 0 && res.Expressions[0].Value == true {
					nEx++
				}
			}
			for range nEx {
				out = append(out, up.finding(in, ns.name, r, paved.SeverityException, r.exText, nil))
			}
			if nEx > 0 {
				continue
			}
			for _, res := range rs {
				for _, expr := range res.Expressions {
					vals, ok := expr.Value.([]any)
					if !ok {
						continue // a boolean or object rule: conftest counts a success
					}
					for _, v := range vals {
						var msg string
						var details map[string]any
						switch x := v.(type) {
						case string:
							msg = x
						case map[string]any:
							m, ok := x["msg"]
							if !ok {
								return nil, paved.FieldErrorf(paved.EINVALID, in.doc.Input, "data.%s.%s: rule missing msg field: %s", ns.name, r.name, compactJSON(x))
							}
							s, ok := m.(string)
							if !ok {
								return nil, paved.FieldErrorf(paved.EINVALID, in.doc.Input, "data.%s.%s: msg field must be string: %s", ns.name, r.name, compactJSON(x))
							}
							msg = s
							for k, dv := range x {
								if k == "msg" {
									continue
								}
								if details == nil {
									details = map[string]any{}
								}
								details[k] = dv
							}
						default:
							continue // conftest ignores other values
						}
						if msg == "" {
							continue // an empty message is a success in conftest
						}
						sev := paved.SeverityWarn
						if r.failure {
							sev = paved.SeverityDeny
						}
						out = append(out, up.finding(in, ns.name, r, sev, msg, details))
					}
				}
			}
		}
	}
	return out, nil
}

func (up *userPolicies) finding(in userInput, ns string, r *userRule, sev paved.Severity, msg string, details map[string]any) paved.Finding {
	f := paved.Finding{
		Rule:     ns + "/" + r.name,
		Severity: sev,
		Message:  msg,
		Input:    in.doc.Input,
		File:     in.doc.Input,
		Line:     in.doc.Line,
		Policy:   ns,
		Details:  details,
	}
	for _, k := range []string{"address", "resource"} {
		if s, ok := details[k].(string); ok && s != "" {
			f.Resource = s
			break
		}
	}
	if f.Resource != "" {
		for _, res := range in.doc.Resources {
			if res != nil && res.Address == f.Resource {
				f.ResourceType, f.Action = res.Type, res.Action
				if res.File != "" {
					f.File, f.Line = res.File, res.Line
				}
				break
			}
		}
	}
	// The fingerprint binds a user finding to its message: conftest
	// policies have no path/value, the message carries the offending value.
	f.Value = nil
	fp := f
	fp.Path = msg
	f.Fingerprint = fp.ComputeFingerprint()
	return f
}

// Namespaces returns the conftest namespaces the engine evaluates.
func (e *Engine) Namespaces() []string {
	if e.user == nil {
		return nil
	}
	var out []string
	for _, ns := range e.user.namespaces {
		out = append(out, ns.name)
	}
	sort.Strings(out)
	return out
}
