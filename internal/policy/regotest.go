package policy

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/paved-dev/paved"
)

// Rego unit tests: `paved policy test`, the platform team's `opa test` /
// `conftest verify`. It runs the test_ rules of the built-in library (the
// *_test.rego files beside each rule, embedded in the binary) and of the
// custom policies, against the data the rules see in a check: the library's
// data, the parameters and the --data files. The built-in rules' tests see
// each rule's default parameters: they test the library, which tuning
// paved.yaml does not change, and a raised ceiling must not turn the
// platform team's CI red on a test it cannot edit. The custom tests see the
// parameters as paved.yaml sets them (defaults overlaid by `params`,
// without a tier or phase): they test the organisation's own choices.

// TestOptions says what to test. Options is what paved check would load
// (Config, NoBuiltin, PolicyDirs, DataPaths, RegoVersion); the rest shape
// the run.
type TestOptions struct {
	Options
	// Run keeps only the tests whose "package.name" matches this regular
	// expression (as opa test --run).
	Run string
	// Timeout bounds each test; 0 means 5 seconds.
	Timeout time.Duration
	// Explain traces the evaluation so that a failing test names the
	// expression that failed (slower: opa test -v does the same).
	Explain bool
}

// TestResult is one test rule's outcome.
type TestResult struct {
	Package  string        `json:"package"` // without "data."
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Outcome  string        `json:"outcome"` // pass, fail, error, skip
	Error    string        `json:"error,omitempty"`
	Output   string        `json:"output,omitempty"` // print() output
	Duration time.Duration `json:"duration_ns"`
}

// FileCoverage is the line coverage of one policy file by the tests.
type FileCoverage struct {
	File string `json:"file"`
	// Rule is the rule id for a paved-style rule; empty for other files.
	Rule       string  `json:"rule,omitempty"`
	Covered    int     `json:"covered_lines"`
	NotCovered int     `json:"not_covered_lines"`
	Percent    float64 `json:"percent"`
	// Tests counts the tests in the file's package (0: the rule is
	// untested).
	Tests int `json:"tests"`
}

// TestReport is the result of a run.
type TestReport struct {
	Results  []TestResult   `json:"results"`
	Passed   int            `json:"passed"`
	Failed   int            `json:"failed"`
	Errored  int            `json:"errored"`
	Skipped  int            `json:"skipped"`
	Coverage []FileCoverage `json:"coverage"`
	// Percent is the line coverage of all policy files together.
	Percent float64 `json:"percent"`
}

// OK reports whether every test passed (skips aside).
func (r *TestReport) OK() bool { return r.Failed == 0 && r.Errored == 0 }

// RunTests compiles what opts names, exactly as New does (so a policy that
// would not load in a check fails here with the same error), then runs its
// tests.
func RunTests(ctx context.Context, opts TestOptions) (*TestReport, error) {
	var runRe *regexp.Regexp
	if opts.Run != "" {
		re, err := regexp.Compile(opts.Run)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, "--run", "not a regular expression: %v", err)
		}
		runRe = re
	}
	// One read of the policy folders, tests included. A folder may hold
	// only tests (of the built-in rules' parameters, for example): the
	// engine loads the folders that hold policies.
	files, err := readPolicyAndTestFiles(opts.PolicyDirs)
	if err != nil {
		return nil, err
	}
	engOpts := opts.Options
	engOpts.PolicyDirs = nil
	for _, d := range opts.PolicyDirs {
		prefix := filepath.ToSlash(filepath.Clean(d))
		for _, f := range files {
			if !strings.HasSuffix(f.name, "_test.rego") && (prefix == "." || f.name == prefix || strings.HasPrefix(f.name, prefix+"/")) {
				engOpts.PolicyDirs = append(engOpts.PolicyDirs, d)
				break
			}
		}
	}
	e, err := New(engOpts)
	if err != nil {
		return nil, err
	}
	regoVersion, err := parseRegoVersion(opts.RegoVersion)
	if err != nil {
		return nil, err
	}
	// Two runs, so that a tuned parameter cannot break a test it does not
	// own: the built-in library's tests (embedded, not the platform team's
	// to change) run against every rule's default parameters, and the
	// custom tests against the parameters paved.yaml sets. The library's
	// helpers, data and fixtures are in both, with or without the built-in
	// rules, so that custom policies and tests can always import them.
	libModules := map[string]*ast.Module{} // every library file, rule tests included
	lib := opts.Library
	if lib == nil {
		lib = Library()
	}
	err = fs.WalkDir(lib, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if opts.NoBuiltin && p == LibraryRulesDir {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".rego") {
			return nil
		}
		src, err := fs.ReadFile(lib, p)
		if err != nil {
			return err
		}
		m, err := parseModule("rego/"+p, src, ast.RegoV1)
		if err != nil {
			return err
		}
		libModules["rego/"+p] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	userModules := map[string]*ast.Module{}
	userTests := false
	for _, f := range files {
		m, err := parseModule(f.name, f.src, regoVersion)
		if err != nil {
			return nil, err
		}
		userModules[f.name] = m
		userTests = userTests || strings.HasSuffix(f.name, "_test.rego")
	}

	data := map[string]any{}
	if len(opts.DataPaths) > 0 {
		docs, err := loader.NewFileLoader().Filtered(opts.DataPaths, dataFilesOnly)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, strings.Join(opts.DataPaths, ", "), "reading data: %v", err)
		}
		data = docs.Documents
	}
	if _, clash := data["paved"]; clash {
		return nil, paved.FieldErrorf(paved.EINVALID, strings.Join(opts.DataPaths, ", "), "data.paved is reserved for the built-in library's data and parameters")
	}
	libData := map[string]any{}
	for k, v := range e.data {
		x, err := ast.JSON(v)
		if err != nil {
			return nil, fmt.Errorf("policy: library data %s: %w", k, err)
		}
		libData[k] = x
	}
	// storeWith is the data of a run: --data, the library's data, and the
	// parameters (configured or the defaults).
	storeWith := func(configured bool) storage.Store {
		params := map[string]any{}
		for _, ri := range e.ordered {
			rc := RuleConfig{}
			if configured {
				rc = e.cfg.Rules[ri.rule.ID]
			}
			params[ri.pkg] = overlay(ri, rc, paved.ServiceContext{})
		}
		pv := maps.Clone(libData)
		pv["params"] = params
		d := maps.Clone(data)
		d["paved"] = pv
		return inmem.NewFromObject(d)
	}

	type testRun struct {
		modules map[string]*ast.Module
		store   storage.Store
	}
	var runs []testRun
	if !opts.NoBuiltin {
		// The library with its tests, and the custom policies (not their
		// tests): they compile together in a check.
		mods := maps.Clone(libModules)
		for name, m := range userModules {
			if !strings.HasSuffix(name, "_test.rego") {
				mods[name] = m
			}
		}
		runs = append(runs, testRun{mods, storeWith(false)})
	}
	if userTests || opts.NoBuiltin {
		// The custom policies with their tests, the library without the
		// built-in rules' tests.
		mods := maps.Clone(userModules)
		for name, m := range libModules {
			if !strings.HasSuffix(name, "_test.rego") || !strings.HasPrefix(name, "rego/"+LibraryRulesDir+"/") {
				mods[name] = m
			}
		}
		runs = append(runs, testRun{mods, storeWith(true)})
	}

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	newRunner := func(run testRun) *tester.Runner {
		return tester.NewRunner().
			SetStore(run.store).
			SetModules(run.modules).
			SetDefaultRegoVersion(regoVersion).
			CapturePrintOutput(true).
			RaiseBuiltinErrors(true).
			SetTimeout(timeout)
	}
	// Coverage and tracing exclude each other in OPA's runner: the runs
	// measure coverage (one tracer adds up both), and the failing tests run
	// again traced to name the expression that failed.
	cov := cover.New()
	rep := &TestReport{Results: []TestResult{}, Coverage: []FileCoverage{}}
	testsPerPkg := map[string]int{}
	for _, run := range runs {
		first := newRunner(run).SetCoverageQueryTracer(cov).SetCoverageRuns([]cover.Kind{})
		if runRe != nil {
			// Run only the selected tests, so that coverage is theirs: an
			// exact list of names, as the runner filters on "data.pkg.name".
			var names []string
			for _, m := range run.modules {
				pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
				for _, r := range m.Rules {
					n := r.Head.Ref().String()
					if strings.HasPrefix(n, tester.TestPrefix) && runRe.MatchString(pkg+"."+n) {
						names = append(names, regexp.QuoteMeta("data."+pkg+"."+n))
					}
				}
			}
			if len(names) == 0 {
				continue
			}
			first = first.Filter("^(" + strings.Join(names, "|") + ")$")
		}
		ch, err := first.Run(ctx, run.modules)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "compiling the policies with their tests: %v", err)
		}
		var failed []string
		from := len(rep.Results)
		for res := range ch {
			if runRe != nil && !runRe.MatchString(strings.TrimPrefix(res.Package, "data.")+"."+res.Name) {
				continue
			}
			tr := TestResult{
				Package:  strings.TrimPrefix(res.Package, "data."),
				Name:     res.Name,
				Output:   string(res.Output),
				Duration: res.Duration,
			}
			if res.Location != nil {
				tr.File, tr.Line = res.Location.File, res.Location.Row
			}
			switch {
			case res.Error != nil:
				tr.Outcome, tr.Error = "error", res.Error.Error()
				rep.Errored++
			case res.Skip:
				tr.Outcome = "skip"
				rep.Skipped++
			case res.Fail:
				tr.Outcome = "fail"
				failed = append(failed, regexp.QuoteMeta(res.Package+"."+res.Name))
				rep.Failed++
			default:
				tr.Outcome = "pass"
				rep.Passed++
			}
			testsPerPkg[tr.Package]++
			rep.Results = append(rep.Results, tr)
		}
		if opts.Explain && len(failed) > 0 {
			ch, err := newRunner(run).EnableTracing(true).Filter("^("+strings.Join(failed, "|")+")$").Run(ctx, run.modules)
			if err != nil {
				return nil, paved.Errorf(paved.EINVALID, "compiling the policies with their tests: %v", err)
			}
			why := map[string]string{}
			for res := range ch {
				why[strings.TrimPrefix(res.Package, "data.")+"."+res.Name] = failedAt(res)
			}
			for i := from; i < len(rep.Results); i++ {
				if r := &rep.Results[i]; r.Outcome == "fail" {
					r.Error = why[r.Package+"."+r.Name]
				}
			}
		}
	}
	sort.SliceStable(rep.Results, func(i, j int) bool {
		a, b := rep.Results[i], rep.Results[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})

	// Coverage of the policy files (not of the tests themselves, nor of the
	// library's helpers when the built-in rules are left out), with the rule
	// id for paved-style rules.
	policyModules := map[string]*ast.Module{}
	for _, run := range runs {
		for name, m := range run.modules {
			if !strings.HasSuffix(name, "_test.rego") && (!opts.NoBuiltin || libModules[name] == nil) {
				policyModules[name] = m
			}
		}
	}
	report := cov.Report(policyModules)
	for _, name := range sortedKeys(policyModules) {
		m := policyModules[name]
		fc := FileCoverage{File: name}
		if fr := report.Files[name]; fr != nil {
			fc.Covered, fc.NotCovered, fc.Percent = fr.CoveredLines, fr.NotCoveredLines, fr.Coverage
		}
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		// Tests live in the package itself (conftest's habit) or in a
		// "<package>_test" package beside it (the library's, opa's).
		fc.Tests = testsPerPkg[pkg] + testsPerPkg[pkg+"_test"]
		if ri := e.byPkg[strings.TrimPrefix(pkg, "paved.rules.")]; ri != nil && strings.HasPrefix(pkg, "paved.rules.") {
			fc.Rule = ri.rule.ID
		}
		rep.Coverage = append(rep.Coverage, fc)
	}
	rep.Percent = report.Coverage
	return rep, nil
}

// failedAt names the last expression of a policy or test file that failed
// in a failing test's trace; "" without a trace.
func failedAt(res *tester.Result) string {
	for i := len(res.Trace) - 1; i >= 0; i-- {
		ev := res.Trace[i]
		if ev.Op != topdown.FailOp {
			continue
		}
		if expr, ok := ev.Node.(*ast.Expr); ok && expr.Location != nil && expr.Location.File != "" {
			return fmt.Sprintf("failed at %s:%d: %s", expr.Location.File, expr.Location.Row, strings.TrimSpace(string(expr.Location.Text)))
		}
	}
	return ""
}

// readPolicyAndTestFiles is readPolicyFiles with the *_test.rego files.
func readPolicyAndTestFiles(paths []string) ([]sourceFile, error) {
	files, err := readPolicyFiles(paths)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.name] = true
	}
	for _, p := range paths {
		err := filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return paved.FieldErrorf(paved.EINVALID, fp, "cannot read policy folder: %v", paved.UnwrapPathError(err))
			}
			if d.IsDir() {
				if fp != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			name := filepath.ToSlash(filepath.Clean(fp))
			if !strings.HasSuffix(name, "_test.rego") || seen[name] {
				return nil
			}
			seen[name] = true
			src, err := readLimitedFile(fp)
			if err != nil {
				return err
			}
			files = append(files, sourceFile{name: name, src: src})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

// dataFilesOnly is the loader filter for --data: JSON and YAML files.
func dataFilesOnly(_ string, info os.FileInfo, _ int) bool {
	if info.IsDir() {
		return false
	}
	switch filepath.Ext(info.Name()) {
	case ".json", ".yaml", ".yml":
		return false
	}
	return true
}
