package policy

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown/print"
	paved "github.com/paved-dev/paved"
)

//go:embed rego
var embedded embed.FS

// Library returns the embedded built-in library (lib/, rules/, data/).
func Library() fs.FS {
	sub, err := fs.Sub(embedded, "rego")
	if err != nil { // cannot happen: the directory is embedded
		return embedded
	}
	return sub
}

// DefaultDocBase is prepended to docs/guardrails.md#<id> in doc URLs.
const DefaultDocBase = "https://github.com/paved-dev/paved/blob/main/"

// DefaultChunkSize is how many resources one evaluation of the
// resource-scoped rules sees: large enough that per-evaluation overhead is
// small, small enough that chunks spread evenly over the cores.
const DefaultChunkSize = 256

// Options configure an Engine.
type Options struct {
	// Config is the guardrails section of paved.yaml.
	Config Config
	// Library replaces the embedded built-in library (tests); nil means
	// Library(). NoBuiltin leaves the built-in rules out entirely (a check
	// with user policies only); their helpers (data.paved.lib) and data
	// stay, for custom rules that use them.
	Library   fs.FS
	NoBuiltin bool
	// DocBase is prepended to "docs/guardrails.md#<id>"; "" means
	// DefaultDocBase. Use "./" or a local path for relative links.
	DocBase string
	// Now is the clock for enforce_from; nil means time.Now.
	Now func() time.Time

	// PolicyDirs are user policy files or folders (--policy). Packages
	// below paved.rules are paved-style custom rules (with METADATA) and run
	// like built-ins; every other package is a conftest namespace.
	PolicyDirs []string
	// Namespaces selects conftest namespaces (default ["main"]);
	// AllNamespaces selects every package of the user policies.
	Namespaces    []string
	AllNamespaces bool
	// DataPaths are JSON/YAML files or folders merged into data, like
	// conftest --data.
	DataPaths []string
	// Combine evaluates every document of every input at once, as
	// conftest --combine: input is an array of {"path", "contents"}.
	Combine bool
	// RegoVersion of the user policies: "v1" (default) or "v0".
	RegoVersion string
	// Print receives print() output of policies; nil discards it (and
	// compiles print() calls away).
	Print io.Writer

	// NoProjection converts every attribute of every resource for the
	// rules, instead of only those the rules mention (see attrKeys).
	NoProjection bool

	// ChunkSize and Parallelism tune evaluation; 0 means DefaultChunkSize
	// and GOMAXPROCS.
	ChunkSize   int
	Parallelism int
}

// Engine evaluates the guard rails. It is safe for concurrent use.
type Engine struct {
	opts     Options
	cfg      Config
	now      func() time.Time
	docBase  string
	compiler *ast.Compiler
	rules    map[string]*ruleInfo // by rule id
	byPkg    map[string]*ruleInfo
	ordered  []*ruleInfo // by id
	data     map[string]ast.Value
	query    ast.Body

	mu       sync.Mutex
	prepared map[string]*rego.PreparedEvalQuery // by tier|phase

	// attrKeys, when set, are the only top-level attributes of after and
	// after_unknown that any rule can read: every string literal of the
	// compiled rules and every string in their parameters. Converting only
	// these skips the bulk of large plans (policy documents, container
	// definitions, user data) that no guard rail looks at. It is computed
	// for the built-in library only; custom rules turn it off, since a rule
	// may build attribute names at run time. TestProjectionKeepsFindings
	// compares findings with and without it.
	attrKeys map[string]bool
	// literals are the string terms of the compiled rules (stringLiterals).
	literals map[string]bool

	// needBefore is set when some rule mentions "before": only then are
	// the resources' prior values converted for evaluation (no built-in
	// rule reads them, and they are half of the conversion work).
	needBefore bool

	user  *userPolicies
	print io.Writer
	pmu   sync.Mutex // serialises writes to print
}

// New compiles the built-in library, the custom rules and the user
// policies once, validates the configuration against the rules and
// prepares the queries that Check evaluates.
func New(opts Options) (*Engine, error) {
	e := &Engine{
		opts:     opts,
		now:      opts.Now,
		docBase:  opts.DocBase,
		rules:    map[string]*ruleInfo{},
		byPkg:    map[string]*ruleInfo{},
		data:     map[string]ast.Value{},
		prepared: map[string]*rego.PreparedEvalQuery{},
		print:    opts.Print,
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.docBase == "" {
		e.docBase = DefaultDocBase
	}
	if e.opts.ChunkSize <= 0 {
		e.opts.ChunkSize = DefaultChunkSize
	}
	if e.opts.Parallelism <= 0 {
		e.opts.Parallelism = runtime.GOMAXPROCS(0)
	}
	regoVersion, err := parseRegoVersion(opts.RegoVersion)
	if err != nil {
		return nil, err
	}

	modules := map[string]*ast.Module{}
	// The library's helpers (data.paved.lib) and data are always loaded:
	// a custom rule may import them with or without the built-in rules.
	lib := opts.Library
	if lib == nil {
		lib = Library()
	}
	if err := e.loadLibrary(lib, modules, !opts.NoBuiltin); err != nil {
		return nil, err
	}
	userFiles, err := readPolicyFiles(opts.PolicyDirs)
	if err != nil {
		return nil, err
	}
	var userModules []*parsedFile
	for _, f := range userFiles {
		m, err := parseModule(f.name, f.src, regoVersion)
		if err != nil {
			return nil, err
		}
		if isPavedPackage(m) {
			modules[f.name] = m
			continue
		}
		userModules = append(userModules, &parsedFile{name: f.name, module: m})
	}
	if err := e.compileLibrary(modules); err != nil {
		return nil, err
	}
	if e.cfg, err = validateConfig(opts.Config, e.rules); err != nil {
		return nil, err
	}
	if !opts.NoProjection {
		e.attrKeys = e.projectionKeys()
	}
	for id, rc := range e.cfg.Rules {
		ri := e.rules[id]
		if rc.Owner != "" {
			ri.rule.Owner = rc.Owner
		}
		if rc.EnforceFrom != "" {
			ri.rule.EnforceFrom = rc.EnforceFrom
		}
		if rc.Severity != "" {
			ri.rule.Severity = rc.Severity
		}
	}
	if len(opts.PolicyDirs) > 0 && len(userFiles) == 0 {
		return nil, paved.FieldErrorf(paved.EINVALID, strings.Join(opts.PolicyDirs, ", "), "no policies found (no .rego files)")
	}
	if len(userModules) > 0 || len(opts.DataPaths) > 0 {
		if e.user, err = newUserPolicies(e, userModules, regoVersion); err != nil {
			return nil, err
		}
	}
	// Prepare the query for a check without a service now, so that a
	// broken library fails here rather than in the first Check.
	if len(e.rules) > 0 {
		if _, err := e.preparedFor(paved.ServiceContext{}); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// AttributeKeys returns the only top-level resource attributes the
// engine's rules can read, or nil when it cannot tell (custom rules are
// loaded, or Options.NoProjection): a reader may leave the others out of
// the resources it builds (iac.Options.Attributes). The map must not be
// changed.
func (e *Engine) AttributeKeys() map[string]bool { return e.attrKeys }

func parseRegoVersion(s string) (ast.RegoVersion, error) {
	switch strings.ToLower(s) {
	case "", "v1":
		return ast.RegoV1, nil
	case "v0":
		return ast.RegoV0, nil
	}
	return ast.RegoUndefined, paved.FieldErrorf(paved.EINVALID, "--rego-version", "want v0 or v1, got %q", s)
}

type sourceFile struct {
	name string
	src  []byte
}

type parsedFile struct {
	name   string
	module *ast.Module
}

// maxPolicyFileBytes bounds one .rego or data file: a policy is code
// written by people; anything this big is a mistake.
const maxPolicyFileBytes = 16 << 20

// readPolicyFiles collects the .rego files (not *_test.rego) of files and
// folders, in lexical order, skipping hidden folders.
func readPolicyFiles(paths []string) ([]sourceFile, error) {
	var out []sourceFile
	seen := map[string]bool{}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read policy path: %v", paved.UnwrapPathError(err))
		}
		var files []string
		if !fi.IsDir() {
			files = []string{p}
		} else {
			err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
				if err != nil {
					return paved.FieldErrorf(paved.EINVALID, fp, "cannot read policy folder: %v", paved.UnwrapPathError(err))
				}
				if d.IsDir() {
					if fp != p && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					return nil
				}
				if strings.HasSuffix(d.Name(), ".rego") && !strings.HasSuffix(d.Name(), "_test.rego") {
					files = append(files, fp)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			sort.Strings(files)
		}
		for _, f := range files {
			name := filepath.ToSlash(filepath.Clean(f))
			if seen[name] {
				continue
			}
			seen[name] = true
			src, err := readLimitedFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, sourceFile{name: name, src: src})
		}
	}
	return out, nil
}

func readLimitedFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "cannot read: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPolicyFileBytes+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "cannot read: %v", paved.UnwrapPathError(err))
	}
	if len(b) > maxPolicyFileBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, name, "larger than %d MiB", maxPolicyFileBytes>>20)
	}
	return b, nil
}

// parseModule parses one Rego file with METADATA annotations processed.
// Syntax errors become *paved.Error naming file:line:column.
func parseModule(name string, src []byte, v ast.RegoVersion) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: v})
	if err != nil {
		return nil, astError(err, name)
	}
	if m == nil { // an empty file: no package
		return nil, paved.FieldErrorf(paved.EINVALID, name, "empty policy file: want a package declaration")
	}
	return m, nil
}

// astError turns parser and compiler errors into one *paved.Error whose
// Field is the first error's file:line:column and whose message lists up
// to ten errors, each with its own location.
func astError(err error, fallback string) error {
	var errs ast.Errors
	var one *ast.Error
	switch {
	case errors.As(err, &errs):
	case errors.As(err, &one):
		errs = ast.Errors{one}
	default:
		return paved.FieldErrorf(paved.EINVALID, fallback, "%v", err)
	}
	if len(errs) == 0 {
		return paved.FieldErrorf(paved.EINVALID, fallback, "%v", err)
	}
	loc := func(e *ast.Error) string {
		if e.Location == nil {
			return fallback
		}
		return fmt.Sprintf("%s:%d:%d", e.Location.File, e.Location.Row, e.Location.Col)
	}
	msg := errs[0].Message
	if len(errs) > 1 {
		var b strings.Builder
		b.WriteString(errs[0].Message)
		for i, e := range errs[1:] {
			if i == 9 {
				fmt.Fprintf(&b, "; and %d more", len(errs)-10)
				break
			}
			fmt.Fprintf(&b, "; %s: %s", loc(e), e.Message)
		}
		msg = b.String()
	}
	return paved.FieldErrorf(paved.EINVALID, loc(errs[0]), "%s", msg)
}

var pavedRoot = ast.MustParseRef("data.paved")

func isPavedPackage(m *ast.Module) bool {
	return m.Package != nil && m.Package.Path.HasPrefix(pavedRoot)
}

// loadLibrary parses the library's .rego files and data files; without
// rules, only its helpers (everything outside rules/).
func (e *Engine) loadLibrary(lib fs.FS, modules map[string]*ast.Module, rules bool) error {
	return fs.WalkDir(lib, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("policy: reading built-in library: %w", err)
		}
		if d.IsDir() {
			if !rules && p == LibraryRulesDir {
				return fs.SkipDir
			}
			return nil
		}
		name := "rego/" + p
		switch {
		case strings.HasSuffix(p, "_test.rego"):
			return nil
		case strings.HasSuffix(p, ".rego"):
			src, err := fs.ReadFile(lib, p)
			if err != nil {
				return fmt.Errorf("policy: reading %s: %w", name, err)
			}
			m, err := parseModule(name, src, ast.RegoV1)
			if err != nil {
				return err
			}
			modules[name] = m
		case path.Dir(p) == "data" && strings.HasSuffix(p, ".json"):
			src, err := fs.ReadFile(lib, p)
			if err != nil {
				return fmt.Errorf("policy: reading %s: %w", name, err)
			}
			key := strings.TrimSuffix(path.Base(p), ".json")
			if key == "params" {
				return paved.FieldErrorf(paved.EINVALID, name, "data.paved.params is reserved for rule parameters")
			}
			v, err := jsonToValue(src)
			if err != nil {
				return paved.FieldErrorf(paved.EINVALID, name, "%v", err)
			}
			e.data[key] = v
		}
		return nil
	})
}

// LibraryRulesDir is the folder of Library() that holds the built-in
// rules (and their tests); the rest is the helpers, data and fixtures that
// custom rules may use too.
const LibraryRulesDir = "rules"

// jsonToValue decodes JSON straight into an AST value, keeping numbers
// exact.
func jsonToValue(src []byte) (ast.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(src, err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return ast.InterfaceToValue(v)
}

// jsonError names line:column of a JSON syntax error.
func jsonError(src []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	// Offset counts the bytes read including the offending one.
	line, col := 1, 1
	for i := 0; i < int(off)-1 && i < len(src); i++ {
		if src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("%d:%d: invalid JSON: %v", line, col, err)
}

// compileLibrary compiles the paved.* modules with a generated aggregator
// and reads the rule metadata.
func (e *Engine) compileLibrary(modules map[string]*ast.Module) error {
	e.literals = stringLiterals(modules)
	e.needBefore = e.literals["before"]
	names := sortedKeys(modules)
	rulesPrefix := ast.MustParseRef("data.paved.rules")
	type pkgState struct {
		ann   *ast.Annotations
		file  string
		sets  map[string]bool
		files []string
	}
	pkgs := map[string]*pkgState{}
	for _, name := range names {
		m := modules[name]
		if !m.Package.Path.HasPrefix(rulesPrefix) {
			continue
		}
		rest := m.Package.Path[len(rulesPrefix):]
		if len(rest) != 1 {
			return paved.FieldErrorf(paved.EINVALID, locString(m.Package.Location, name),
				"rule package %s: want exactly one name below paved.rules (paved.rules.<rule_id>)", m.Package.Path)
		}
		pkg, ok := rest[0].Value.(ast.String)
		if !ok {
			return paved.FieldErrorf(paved.EINVALID, locString(m.Package.Location, name), "rule package %s: invalid name", m.Package.Path)
		}
		st := pkgs[string(pkg)]
		if st == nil {
			st = &pkgState{sets: map[string]bool{}}
			pkgs[string(pkg)] = st
		}
		st.files = append(st.files, name)
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			if st.ann != nil {
				return paved.FieldErrorf(paved.EINVALID, locString(a.Location, name),
					"rule package paved.rules.%s has a second package METADATA annotation (first in %s)", pkg, st.file)
			}
			st.ann, st.file = a, name
		}
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			if len(ref) == 0 {
				continue
			}
			head, ok := ref[0].Value.(ast.Var)
			if !ok || (head != "deny" && head != "warn") {
				continue
			}
			if len(ref) != 1 || r.Head.RuleKind() != ast.MultiValue {
				return paved.FieldErrorf(paved.EINVALID, locString(r.Location, name),
					"rule package paved.rules.%s: %s must be a partial set: `%s contains f if { ... }`", pkg, head, head)
			}
			st.sets[string(head)] = true
		}
	}
	var agg strings.Builder
	agg.WriteString("package paved.engine\n\n")
	for _, pkg := range sortedKeys(pkgs) {
		st := pkgs[pkg]
		if st.ann == nil {
			return paved.FieldErrorf(paved.EINVALID, st.files[0],
				"rule package paved.rules.%s has no package METADATA annotation (title, description, custom.id, custom.severity ...)", pkg)
		}
		ri, err := parseRuleMetadata(pkg, st.ann, st.file)
		if err != nil {
			return err
		}
		if len(st.sets) == 0 {
			return paved.FieldErrorf(paved.EINVALID, locString(st.ann.Location, st.file),
				"rule package paved.rules.%s defines neither deny nor warn", pkg)
		}
		if prev, dup := e.rules[ri.rule.ID]; dup {
			return paved.FieldErrorf(paved.EINVALID, st.file, "rule id %s is defined twice (also in %s)", ri.rule.ID, prev.file)
		}
		ri.sets = sortedKeys(st.sets)
		ri.rule.Builtin = strings.HasPrefix(st.file, "rego/")
		ri.rule.DocURL = e.docURL(ri.rule.ID)
		e.rules[ri.rule.ID] = ri
		e.byPkg[pkg] = ri
		e.ordered = append(e.ordered, ri)
		for _, set := range ri.sets {
			// One rule per (package, set), gated by input.active_rules so
			// that a chunk evaluates only the rules whose resource types
			// occur in it.
			fmt.Fprintf(&agg, "findings contains [%q, %q, f] if {\n\tinput.active_rules[%q]\n\tsome f in data.paved.rules.%s.%s\n}\n\n", pkg, set, pkg, pkg, set)
		}
	}
	sort.Slice(e.ordered, func(i, j int) bool { return e.ordered[i].rule.ID < e.ordered[j].rule.ID })
	if len(e.rules) == 0 {
		return nil
	}
	aggName := "paved/engine/aggregate.rego"
	m, err := ast.ParseModuleWithOpts(aggName, agg.String(), ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return fmt.Errorf("policy: generated aggregator: %w", err)
	}
	modules[aggName] = m
	c := ast.NewCompiler().WithEnablePrintStatements(e.print != nil)
	c.Compile(modules)
	if c.Failed() {
		return astError(c.Errors, "built-in library")
	}
	e.compiler = c
	e.query = ast.MustParseBody("data.paved.engine.findings")
	return nil
}

func locString(l *ast.Location, fallback string) string {
	if l == nil {
		return fallback
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Row, l.Col)
}

func (e *Engine) docURL(id string) string {
	return e.docBase + "docs/guardrails.md#" + id
}

// preparedFor returns the prepared query whose store holds the parameters
// for svc's tier and phase. Parameters are base data (data.paved.params),
// not input, so rules read them like any other data; there are at most
// 5 tiers x 5 phases stores, each built once.
func (e *Engine) preparedFor(svc paved.ServiceContext) (*rego.PreparedEvalQuery, error) {
	tier := ""
	if svc.Tier.Valid() {
		tier = fmt.Sprint(int(svc.Tier))
	}
	key := tier + "|" + string(svc.Phase)
	e.mu.Lock()
	defer e.mu.Unlock()
	if pq, ok := e.prepared[key]; ok {
		return pq, nil
	}
	params := ast.NewObject()
	for _, ri := range e.ordered {
		v, err := ast.InterfaceToValue(overlay(ri, e.cfg.Rules[ri.rule.ID], svc))
		if err != nil {
			return nil, fmt.Errorf("policy: parameters of %s: %w", ri.rule.ID, err)
		}
		params.Insert(ast.StringTerm(ri.pkg), ast.NewTerm(v))
	}
	pavedObj := ast.NewObject()
	for _, k := range sortedKeys(e.data) {
		pavedObj.Insert(ast.StringTerm(k), ast.NewTerm(e.data[k]))
	}
	pavedObj.Insert(ast.StringTerm("params"), ast.NewTerm(params))
	root := ast.NewObject(ast.Item(ast.StringTerm("paved"), ast.NewTerm(pavedObj)))
	opts := []func(*rego.Rego){
		rego.ParsedQuery(e.query),
		rego.Compiler(e.compiler),
		rego.Store(inmem.NewFromASTObject(root)),
	}
	if e.print != nil {
		opts = append(opts, rego.EnablePrintStatements(true))
	}
	pq, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		return nil, fmt.Errorf("policy: preparing the guard-rail query: %w", err)
	}
	e.prepared[key] = &pq
	return &pq, nil
}

// Rules returns the paved-style rules (built-in and custom), by id, with
// the configuration applied (severity, enforce_from, owner).
func (e *Engine) Rules() []paved.Rule {
	out := make([]paved.Rule, 0, len(e.ordered))
	for _, ri := range e.ordered {
		out = append(out, cloneRule(ri.rule))
	}
	return out
}

// Rule returns one rule by id.
func (e *Engine) Rule(id string) (paved.Rule, bool) {
	ri, ok := e.rules[id]
	if !ok {
		return paved.Rule{}, false
	}
	return cloneRule(ri.rule), true
}

func cloneRule(r paved.Rule) paved.Rule {
	r.Types = append([]string(nil), r.Types...)
	r.Parameters = append([]paved.RuleParam(nil), r.Parameters...)
	return r
}

// Disabled reports whether the configuration switches rule id off.
func (e *Engine) Disabled(id string) bool {
	if e.cfg.Rules[id].Disabled {
		return true
	}
	for _, d := range e.cfg.Disabled {
		if d == id {
			return true
		}
	}
	return false
}

// printHook forwards print() output, one line per call, prefixed with the
// location of the print call like conftest and opa eval do.
type printHook struct {
	w  io.Writer
	mu *sync.Mutex
}

func (h printHook) Print(pctx print.Context, msg string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := fmt.Fprintf(h.w, "%v: %s\n", pctx.Location, msg)
	return err
}

// stringLiterals returns every string term of the modules: a reference
// part (r.after.region) or a literal (object.get(r, "before", ...)). It is
// a conservative picture of the attributes rules can read, since a false
// positive only costs conversion time.
func stringLiterals(modules map[string]*ast.Module) map[string]bool {
	out := map[string]bool{}
	for _, m := range modules {
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if s, ok := t.Value.(ast.String); ok {
				out[string(s)] = true
			}
			return false
		})
	}
	return out
}

// projectionKeys returns every string literal of the modules and every
// string in the parameter values, or nil when a custom (non built-in) rule
// is loaded.
func (e *Engine) projectionKeys() map[string]bool {
	for _, ri := range e.rules {
		if !ri.rule.Builtin {
			return nil
		}
	}
	keys := maps.Clone(e.literals)
	var addStrings func(v any)
	addStrings = func(v any) {
		switch x := v.(type) {
		case string:
			keys[x] = true
		case []any:
			for _, e := range x {
				addStrings(e)
			}
		case map[string]any:
			for k, e := range x {
				keys[k] = true
				addStrings(e)
			}
		}
	}
	for _, ri := range e.rules {
		addStrings(ri.defaults)
	}
	for _, rc := range e.cfg.Rules {
		addStrings(rc.Params)
		for _, p := range rc.Tiers {
			addStrings(p)
		}
		for _, p := range rc.Phases {
			addStrings(p)
		}
	}
	return keys
}
