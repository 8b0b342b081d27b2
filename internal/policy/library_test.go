package policy

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// The library is tested from the directory rather than through the engine's
// embed so that these tests keep working while the engine changes; the
// layout and the data mount points are the ones CONTRACT.md describes.

// libraryRule is what the tests need from one rule file.
type libraryRule struct {
	file    string
	pkg     string // paved.rules.<pkg>
	custom  map[string]any
	title   string
	descr   string
	module  *ast.Module
	testMod *ast.Module
}

// requiredCustom are the custom METADATA keys every built-in rule carries:
// the engine needs some, the docs generator the rest.
var requiredCustom = []string{"id", "severity", "category", "security", "remediation", "scope", "examples"}

// knownCustom mirrors the engine: any other key is a typo.
var knownCustom = map[string]bool{
	"id": true, "severity": true, "category": true, "security": true, "remediation": true,
	"resource_types": true, "scope": true, "parameters": true, "examples": true,
	"enforce_from": true, "owner": true, "context_types": true,
	"checkov": true, "trivy": true,
}

var categories = []string{"sizing", "encryption", "exposure", "tagging", "placement", "technology", "stateful", "advice", "kubernetes"}

// loadLibrary parses every .rego file under rego/ with annotations.
func loadLibrary(t *testing.T) (modules map[string]*ast.Module, rules []*libraryRule) {
	t.Helper()
	fsys := os.DirFS("rego")
	modules = map[string]*ast.Module{}
	byFile := map[string]*libraryRule{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts("rego/"+p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		modules["rego/"+p] = m
		if strings.HasPrefix(p, "rules/") && !strings.HasSuffix(p, "_test.rego") {
			r := &libraryRule{file: "rego/" + p, module: m, pkg: strings.TrimPrefix(m.Package.Path.String(), "data.paved.rules.")}
			for _, a := range m.Annotations {
				if a.Scope == "package" {
					r.custom, r.title, r.descr = a.Custom, a.Title, a.Description
				}
			}
			byFile[strings.TrimSuffix(p, ".rego")] = r
			rules = append(rules, r)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("loading rego/: %v", err)
	}
	for p, m := range modules {
		if strings.HasSuffix(p, "_test.rego") {
			if r := byFile[strings.TrimSuffix(strings.TrimPrefix(p, "rego/"), "_test.rego")]; r != nil {
				r.testMod = m
			}
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].file < rules[j].file })
	return modules, rules
}

// libraryData is data.paved as the engine mounts it: data/*.json by file
// name and params built from the METADATA defaults.
func libraryData(t *testing.T, rules []*libraryRule) map[string]any {
	t.Helper()
	paved := map[string]any{}
	files, err := fs.Glob(os.DirFS("rego"), "data/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(path.Join("rego", f))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("rego/%s: %v", f, err)
		}
		paved[strings.TrimSuffix(path.Base(f), ".json")] = v
	}
	params := map[string]any{}
	for _, r := range rules {
		p := map[string]any{}
		decl, _ := r.custom["parameters"].(map[string]any)
		for name, d := range decl {
			if dm, ok := d.(map[string]any); ok {
				p[name] = dm["default"]
			}
		}
		params[r.pkg] = p
	}
	paved["params"] = params
	return map[string]any{"paved": paved}
}

func TestLibraryRegoTests(t *testing.T) {
	modules, rules := loadLibrary(t)
	store := inmem.NewFromObject(libraryData(t, rules))
	ctx := context.Background()
	ch, err := tester.NewRunner().SetStore(store).SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).CapturePrintOutput(true).RaiseBuiltinErrors(true).
		Run(ctx, modules)
	if err != nil {
		t.Fatalf("compiling the library: %v", err)
	}
	n := 0
	for res := range ch {
		n++
		if res.Error != nil {
			t.Errorf("%s: %s.%s: error: %v", res.Location, res.Package, res.Name, res.Error)
		} else if res.Fail {
			t.Errorf("%s: %s.%s: FAIL\n%s", res.Location, res.Package, res.Name, res.Output)
		}
	}
	if n == 0 {
		t.Fatal("no Rego tests ran")
	}
	t.Logf("%d Rego tests, %d rules", n, len(rules))
}

// TestLibraryMetadata checks what the engine and the docs rely on.
func TestLibraryMetadata(t *testing.T) {
	_, rules := loadLibrary(t)
	if len(rules) < 35 {
		t.Errorf("only %d rules", len(rules))
	}
	ids := map[string]string{}
	for _, r := range rules {
		where := r.file
		if r.custom == nil {
			t.Errorf("%s: no package METADATA with custom keys", where)
			continue
		}
		if r.title == "" || len(strings.TrimSpace(r.descr)) < 40 {
			t.Errorf("%s: METADATA needs a title and a description with the rationale", where)
		}
		for _, k := range requiredCustom {
			if _, ok := r.custom[k]; !ok {
				t.Errorf("%s: METADATA custom has no %q", where, k)
			}
		}
		id, _ := r.custom["id"].(string)
		if strings.ReplaceAll(id, "-", "_") != r.pkg {
			t.Errorf("%s: id %q does not match package paved.rules.%s", where, id, r.pkg)
		}
		if prev, dup := ids[id]; dup {
			t.Errorf("%s: id %q also used by %s", where, id, prev)
		}
		ids[id] = where
		sev, _ := r.custom["severity"].(string)
		if sev != "deny" && sev != "warn" {
			t.Errorf("%s: severity %q, want deny or warn", where, sev)
		}
		if !definesSet(r.module, sev) {
			t.Errorf("%s: severity %s but the package has no %s set", where, sev, sev)
		}
		for _, other := range []string{"deny", "warn"} {
			if other != sev && definesSet(r.module, other) {
				t.Errorf("%s: severity %s but the package also defines %s", where, sev, other)
			}
		}
		cat, _ := r.custom["category"].(string)
		if !slices.Contains(categories, cat) {
			t.Errorf("%s: category %q not one of %v", where, cat, categories)
		}
		if dir := path.Base(path.Dir(r.file)); dir != cat {
			t.Errorf("%s: category %q but the file is under %s/", where, cat, dir)
		}
		if _, ok := r.custom["security"].(bool); !ok {
			t.Errorf("%s: security must be true or false", where)
		}
		scope, _ := r.custom["scope"].(string)
		if scope != "resource" && scope != "plan" {
			t.Errorf("%s: scope %q, want resource or plan", where, scope)
		}
		// A plan-scoped rule without resource_types runs on every input
		// (tags, regions, providers); a resource-scoped one must say which
		// types it reads so the engine can skip chunks without them.
		types, _ := r.custom["resource_types"].([]any)
		if len(types) == 0 && scope != "plan" {
			t.Errorf("%s: resource_types must list the types the rule reads", where)
		}
		for k := range r.custom {
			if !knownCustom[k] {
				t.Errorf("%s: unknown METADATA custom key %q", where, k)
			}
		}
		// Every built-in rule names its Checkov and Trivy counterparts, or
		// says there are none with an empty list: the mapping table in
		// docs/guardrails.md and bench/checkov-diff.sh read them.
		for _, key := range []string{"checkov", "trivy"} {
			ids, ok := r.custom[key].([]any)
			if !ok {
				t.Errorf("%s: custom.%s missing: list the counterpart check ids, or [] for none", where, key)
				continue
			}
			for _, id := range ids {
				s, _ := id.(string)
				k8s := strings.HasPrefix(s, "CKV_K8S_") || strings.HasPrefix(s, "CKV2_K8S_") || strings.HasPrefix(s, "KSV-")
				if k8s != (cat == "kubernetes") {
					t.Errorf("%s: custom.%s names %q, a check for the other kind of input", where, key, s)
				}
			}
		}
		if rem, _ := r.custom["remediation"].(string); len(rem) < 10 {
			t.Errorf("%s: remediation too short", where)
		}
		if ex, _ := r.custom["examples"].(map[string]any); ex == nil || ex["pass"] == nil || ex["fail"] == nil {
			t.Errorf("%s: examples need pass and fail", where)
		}
		if params, ok := r.custom["parameters"]; ok {
			pm, _ := params.(map[string]any)
			if pm == nil {
				t.Errorf("%s: parameters must be a map", where)
			}
			for name, d := range pm {
				dm, _ := d.(map[string]any)
				if _, ok := dm["default"]; !ok {
					t.Errorf("%s: parameter %s has no default", where, name)
				}
				if desc, _ := dm["description"].(string); desc == "" {
					t.Errorf("%s: parameter %s has no description", where, name)
				}
				if !strings.Contains(moduleText(r.module), "."+name) {
					t.Errorf("%s: parameter %s is never read", where, name)
				}
			}
		}
		checkRuleTests(t, r, sev)
	}
}

// checkRuleTests asks for at least one test expecting a finding and one
// expecting none, by the naming convention test_fail_* / test_pass_*, and
// checks that the bodies say so: a pass test asserts an empty set or an
// absent finding, a fail test reads the rule's set.
func checkRuleTests(t *testing.T, r *libraryRule, set string) {
	t.Helper()
	if r.testMod == nil {
		t.Errorf("%s: no %s_test.rego beside it", r.file, strings.TrimSuffix(path.Base(r.file), ".rego"))
		return
	}
	var fail, pass int
	for _, rule := range r.testMod.Rules {
		name := rule.Head.Name.String()
		if name == "" && len(rule.Head.Reference) > 0 {
			name = rule.Head.Reference[0].String()
		}
		body := rule.Body.String()
		switch {
		case strings.HasPrefix(name, "test_pass_"):
			if !strings.Contains(body, "== 0") && !strings.Contains(body, "), 0)") && !strings.Contains(body, "not ") {
				t.Errorf("%s: %s asserts no empty set or absent finding", r.file, name)
			}
			pass++
		case strings.HasPrefix(name, "test_fail_"):
			if !strings.Contains(body, "."+set) {
				t.Errorf("%s: %s does not read the %s set", r.file, name, set)
			}
			fail++
		case strings.HasPrefix(name, "test_"):
			t.Errorf("%s: %s: name tests test_pass_* or test_fail_*", r.file, name)
		}
	}
	if fail == 0 || pass == 0 {
		t.Errorf("%s: want test_fail_* tests expecting a finding (have %d) and test_pass_* tests expecting none (have %d)", r.file, fail, pass)
	}
}

func definesSet(m *ast.Module, name string) bool {
	for _, rule := range m.Rules {
		if rule.Head.Name.String() == name || (len(rule.Head.Reference) > 0 && rule.Head.Reference[0].String() == name) {
			return true
		}
	}
	return false
}

func moduleText(m *ast.Module) string {
	var b strings.Builder
	for _, r := range m.Rules {
		fmt.Fprintln(&b, r.String())
	}
	return b.String()
}

var regoFmt = flag.Bool("regofmt", false, "rewrite unformatted library files (opa fmt -w)")

// TestLibraryFormatted keeps the library in opa fmt style, so diffs in
// review show changes, not whitespace.
func TestLibraryFormatted(t *testing.T) {
	err := fs.WalkDir(os.DirFS("rego"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := os.ReadFile(path.Join("rego", p))
		if err != nil {
			return err
		}
		out, err := format.SourceWithOpts(p, src, format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			return fmt.Errorf("rego/%s: %w", p, err)
		}
		if string(out) != string(src) {
			if *regoFmt {
				return os.WriteFile(path.Join("rego", p), out, 0o644)
			}
			t.Errorf("rego/%s is not formatted (go test ./internal/policy -run LibraryFormatted -regofmt)", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLibraryLoadsInEngine builds the engine from the embedded library: every
// rule file must become one built-in rule with its metadata.
func TestLibraryLoadsInEngine(t *testing.T) {
	_, rules := loadLibrary(t)
	e, err := New(Options{})
	if err != nil {
		t.Fatalf("the engine rejects the library: %v", err)
	}
	got := map[string]bool{}
	for _, r := range e.Rules() {
		if r.Builtin {
			got[r.ID] = true
		}
	}
	for _, r := range rules {
		id, _ := r.custom["id"].(string)
		if !got[id] {
			t.Errorf("%s: rule %s is not among the engine's built-in rules", r.file, id)
		}
	}
	if len(got) != len(rules) {
		t.Errorf("engine has %d built-in rules, the library %d rule files", len(got), len(rules))
	}
}

// TestInstanceCatalog checks the shape of rego/data/instances.json and that
// every RDS class has the size of the EC2 type it runs on (db.r6g.large is an
// r6g.large), which catches a mistyped row on either side.
func TestInstanceCatalog(t *testing.T) {
	b, err := os.ReadFile("rego/data/instances.json")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		VCPU      float64 `json:"vcpu"`
		MemoryGiB float64 `json:"memory_gib"`
		Source    string  `json:"source"`
		AsOf      string  `json:"as_of"`
	}
	var cat struct {
		EC2 map[string]row `json:"ec2"`
		RDS map[string]row `json:"rds"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cat); err != nil {
		t.Fatalf("instances.json: %v", err)
	}
	if len(cat.EC2) < 300 || len(cat.RDS) < 150 {
		t.Errorf("catalog too small: %d EC2 types, %d RDS classes", len(cat.EC2), len(cat.RDS))
	}
	check := func(kind, name string, r row) {
		if r.VCPU <= 0 || r.MemoryGiB <= 0 || !strings.HasPrefix(r.Source, "https://") || len(r.AsOf) != 10 {
			t.Errorf("%s %s: incomplete row %+v", kind, name, r)
		}
		if parts := strings.Split(strings.TrimPrefix(name, "db."), "."); len(parts) != 2 {
			t.Errorf("%s %s: want <family>.<size>", kind, name)
		}
	}
	for name, r := range cat.EC2 {
		check("ec2", name, r)
	}
	for name, r := range cat.RDS {
		check("rds", name, r)
		if !strings.HasPrefix(name, "db.") {
			t.Errorf("rds %s: RDS classes start with db.", name)
		}
		if ec2, ok := cat.EC2[strings.TrimPrefix(name, "db.")]; ok && (ec2.VCPU != r.VCPU || ec2.MemoryGiB != r.MemoryGiB) {
			t.Errorf("rds %s has %v vCPU / %v GiB but EC2 %s has %v / %v", name, r.VCPU, r.MemoryGiB, strings.TrimPrefix(name, "db."), ec2.VCPU, ec2.MemoryGiB)
		}
	}
	// Spot checks against the published tables.
	for name, want := range map[string][2]float64{
		"db.x2iedn.32xlarge": {128, 4096}, "db.r6i.32xlarge": {128, 1024}, "db.r7i.48xlarge": {192, 1536},
		"db.t4g.micro": {2, 1}, "db.m6g.large": {2, 8}, "db.x2g.16xlarge": {64, 1024}, "db.r5.24xlarge": {96, 768},
	} {
		if r := cat.RDS[name]; r.VCPU != want[0] || r.MemoryGiB != want[1] {
			t.Errorf("rds %s = %v vCPU / %v GiB, want %v / %v", name, r.VCPU, r.MemoryGiB, want[0], want[1])
		}
	}
	for name, want := range map[string][2]float64{
		"c5.9xlarge": {36, 72}, "m7i.48xlarge": {192, 768}, "t3.nano": {2, 0.5}, "x1e.32xlarge": {128, 3904},
		"m6g.medium": {1, 4}, "p4d.24xlarge": {96, 1152}, "u-12tb1.112xlarge": {448, 12288},
	} {
		if r := cat.EC2[name]; r.VCPU != want[0] || r.MemoryGiB != want[1] {
			t.Errorf("ec2 %s = %v vCPU / %v GiB, want %v / %v", name, r.VCPU, r.MemoryGiB, want[0], want[1])
		}
	}
}
