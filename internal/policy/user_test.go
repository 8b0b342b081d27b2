package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/testutil"
	"go.yaml.in/yaml/v3"
)

// yamlDocs splits a manifest file into documents the way the iac reader
// does (one Document per YAML document, Raw = its content), without
// depending on that package's parser in these tests.
func yamlDocs(t *testing.T, name string) []*iac.Document {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*iac.Document
	for i := 0; ; i++ {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		var v any
		if err := n.Decode(&v); err != nil {
			t.Fatal(err)
		}
		raw, line := v, n.Line
		if len(n.Content) > 0 {
			line = n.Content[0].Line
		}
		docs = append(docs, &iac.Document{Input: name, Kind: iac.KindKubernetes, Index: i, Line: line,
			Raw: func() (any, error) { return raw, nil }})
	}
	return docs
}

type userResult struct {
	rule, sev, msg string
	line           int
}

func checkUser(t *testing.T, opts Options, docs []*iac.Document) []userResult {
	t.Helper()
	opts.NoBuiltin = true
	e, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	fs, err := e.Check(context.Background(), docs, paved.ServiceContext{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	var out []userResult
	for _, f := range fs {
		if f.Fingerprint == "" || f.Input == "" || f.Policy == "" {
			t.Errorf("finding lacks fingerprint, input or policy: %+v", f)
		}
		out = append(out, userResult{f.Rule, string(f.Severity), f.Message, f.Line})
	}
	return out
}

func sameResults(t *testing.T, got, want []userResult) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d:\n got  %+v\n want %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
}

// TestConftestSemantics pins the messages conftest gives on the folder
// testdata/conftest/policy with --data testdata/conftest/data, derived from
// conftest's engine: one evaluation per YAML document; deny, violation and
// warn_* rules; strings and {msg} objects; an exception silencing
// deny_run_as_root for the legacy app (reported with the exception query
// as its message); empty messages and non-matching rule names ignored;
// data.conftest.file.name set; *_test.rego not evaluated.
func TestConftestSemantics(t *testing.T) {
	in := "testdata/conftest/inputs/app.yaml"
	var printed bytes.Buffer
	got := checkUser(t, Options{
		PolicyDirs: []string{"testdata/conftest/policy"},
		DataPaths:  []string{"testdata/conftest/data"},
		Print:      &printed,
	}, yamlDocs(t, in))
	sameResults(t, got, []userResult{
		{"main/deny", "deny", "Deployment web must set runAsNonRoot", 1},
		{"main/deny_run_as_root", "deny", "container web runs as root", 1},
		{"main/deny_run_as_root", "exception", `data.main.exception[_][_] == "run_as_root"`, 15},
		{"main/warn", "warn", "Service web in app.yaml is exposed by a load balancer", 30},
		{"main/warn_replicas", "warn", "web has 1 replica(s); use at least 2", 1},
		// The violation names its resource, so it sorts after the whole-input results.
		{"main/violation", "deny", "image docker.io/library/nginx:1.27 is not from an approved registry", 1},
	})
	if want := "testdata/conftest/policy/main.rego:43: replicas of web = 1\n"; printed.String() != want {
		t.Errorf("print output = %q, want %q", printed.String(), want)
	}

	// Details and resource of an object result.
	e, err := New(Options{NoBuiltin: true, PolicyDirs: []string{"testdata/conftest/policy"}, DataPaths: []string{"testdata/conftest/data"}})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Check(context.Background(), yamlDocs(t, in), paved.ServiceContext{})
	if err != nil {
		t.Fatal(err)
	}
	v := fs[len(fs)-1]
	if v.Resource != "Deployment/web" || v.Details["severity"] != "high" || v.Details["resource"] != "Deployment/web" || v.Policy != "main" {
		t.Errorf("violation finding = %+v", v)
	}
	if d, w := paved.Summarize(fs); d != 3 || w != 2 {
		t.Errorf("summary = %d deny, %d warn; want 3, 2 (exceptions count as neither)", d, w)
	}
}

func TestConftestNamespaces(t *testing.T) {
	in := "testdata/conftest/inputs/app.yaml"
	opts := Options{PolicyDirs: []string{"testdata/conftest/policy"}, DataPaths: []string{"testdata/conftest/data"}}
	opts.Namespaces = []string{"k8s"}
	sameResults(t, checkUser(t, opts, yamlDocs(t, in)), []userResult{
		{"k8s/deny", "deny", "Service web has no namespace", 30},
	})
	opts.Namespaces, opts.AllNamespaces = nil, true
	if got := checkUser(t, opts, yamlDocs(t, in)); len(got) != 7 {
		t.Errorf("--all-namespaces: %d results, want 7: %+v", len(got), got)
	}
}

func TestConftestRegoV0(t *testing.T) {
	in := "testdata/conftest/inputs/app.yaml"
	sameResults(t, checkUser(t, Options{PolicyDirs: []string{"testdata/conftest/v0"}, RegoVersion: "v0"}, yamlDocs(t, in)), []userResult{
		{"main/deny", "deny", "v0: web must set runAsNonRoot", 1},
		{"main/warn", "warn", "v0: a service", 30},
	})
	// The same folder read as v1 is a syntax error with file:line.
	_, err := New(Options{NoBuiltin: true, PolicyDirs: []string{"testdata/conftest/v0"}})
	wantFieldError(t, err, "testdata/conftest/v0/old.rego:3:")
}

// TestConftestTopLevelArray: conftest evaluates each element of a
// one-document file whose content is an array.
func TestConftestTopLevelArray(t *testing.T) {
	raw := []any{
		map[string]any{"kind": "Service", "metadata": map[string]any{"name": "a"}, "spec": map[string]any{"type": "LoadBalancer"}},
		map[string]any{"kind": "Service", "metadata": map[string]any{"name": "b"}, "spec": map[string]any{"type": "LoadBalancer"}},
	}
	docs := []*iac.Document{{Input: "list.json", Line: 1, Raw: func() (any, error) { return raw, nil }}}
	sameResults(t, checkUser(t, Options{PolicyDirs: []string{"testdata/conftest/policy"}, DataPaths: []string{"testdata/conftest/data"}}, docs), []userResult{
		{"main/warn", "warn", "Service a in list.json is exposed by a load balancer", 1},
		{"main/warn", "warn", "Service b in list.json is exposed by a load balancer", 1},
	})
}

func TestConftestErrors(t *testing.T) {
	// An object result without msg fails the check, as in conftest.
	e, err := New(Options{NoBuiltin: true, PolicyDirs: []string{"testdata/conftest/nomsg"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Check(context.Background(), yamlDocs(t, "testdata/conftest/inputs/app.yaml"), paved.ServiceContext{})
	if err == nil || !strings.Contains(err.Error(), "rule missing msg field") {
		t.Errorf("no-msg result: err = %v", err)
	}
	// A reference head that is a boolean (`deny.x if`) is refused at load,
	// naming file:line, as conftest's problematicIf check does.
	_, err = New(Options{NoBuiltin: true, PolicyDirs: []string{"testdata/conftest/refif"}})
	wantFieldError(t, err, "testdata/conftest/refif/p.rego:5:")
	// A plain `deny if` without contains is a boolean rule: conftest (0.71)
	// accepts it and counts a success, so no finding and no error.
	if got := checkUser(t, Options{PolicyDirs: []string{"testdata/conftest/boolif"}}, yamlDocs(t, "testdata/conftest/inputs/app.yaml")); len(got) != 0 {
		t.Errorf("boolean deny: %+v, want no findings", got)
	}
	// No .rego files.
	_, err = New(Options{NoBuiltin: true, PolicyDirs: []string{"testdata/conftest/data"}})
	wantFieldError(t, err, "testdata/conftest/data")
	_, err = New(Options{NoBuiltin: true, PolicyDirs: []string{"testdata/does-not-exist"}})
	wantFieldError(t, err, "testdata/does-not-exist")
	_, err = New(Options{NoBuiltin: true, RegoVersion: "v2"})
	wantFieldError(t, err, "--rego-version")
}

func TestExceptionName(t *testing.T) {
	for _, c := range []struct{ rule, want string }{
		{"deny", ""}, {"violation", ""}, {"warn", ""},
		{"deny_run_as_root", "run_as_root"}, {"violation_x", "x"}, {"warn_a_b", "a_b"},
		{"deny_warn_x", "x"}, // conftest trims violation_, then deny_, then warn_
	} {
		if got := exceptionName(c.rule); got != c.want {
			t.Errorf("exceptionName(%q) = %q, want %q", c.rule, got, c.want)
		}
	}
	for _, c := range []struct {
		name          string
		failure, warn bool
	}{
		{"deny", true, false}, {"violation_x_1", true, false}, {"warn_ok", false, true},
		{"denyall", false, false}, {"deny_", false, false}, {"deny-x", false, false}, {"warning", false, false},
	} {
		if failureRule.MatchString(c.name) != c.failure || warningRule.MatchString(c.name) != c.warn {
			t.Errorf("%q: failure=%v warn=%v", c.name, failureRule.MatchString(c.name), warningRule.MatchString(c.name))
		}
	}
}

func wantFieldError(t *testing.T, err error, fieldPrefix string) {
	t.Helper()
	var pe *paved.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *paved.Error with field %s...", err, err, fieldPrefix)
	}
	if pe.Code != paved.EINVALID && pe.Code != paved.ETOOLARGE {
		t.Errorf("code = %s", pe.Code)
	}
	if !strings.HasPrefix(pe.Field, fieldPrefix) {
		t.Errorf("field = %q (%v), want prefix %q", pe.Field, pe, fieldPrefix)
	}
}

// TestConftestRealWorld runs every case of testdata/conftest-realworld
// through paved and compares with expected.jsonl, which holds what conftest
// (0.71.1) reported on the same case: one line per result, ["file",
// "severity", "namespace", "message"], sorted, then ["exit", code]. The
// cases recreate the idioms of public conftest policy folders (v0 syntax,
// data.lib.* helper libraries, violation objects, exceptions, several
// namespaces and folders, --data trees, Terraform plans, multi-document
// YAML and JSON lists). A case with known-difference.md is one where paved
// knowingly differs from conftest; it is skipped here and reported by
// bench/conftest-compat.sh, which also reruns every case with both tools.
// With -update the expected files are rewritten from conftest itself
// ($CONFTEST or conftest on PATH), never from paved.
func TestConftestRealWorld(t *testing.T) {
	root := "testdata/conftest-realworld"
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, ent.Name())
		t.Run(ent.Name(), func(t *testing.T) {
			if testutil.Updating() {
				updateFromConftest(t, dir)
			}
			if why, err := os.ReadFile(filepath.Join(dir, "known-difference.md")); err == nil {
				t.Skipf("known difference from conftest: %s", strings.TrimSpace(string(why)))
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected.jsonl"))
			if err != nil {
				t.Fatalf("%v (record conftest's answer with bench/conftest-compat.sh, UPDATE=1)", err)
			}
			got := pavedRealWorld(t, dir)
			if got != string(want) {
				t.Errorf("paved differs from conftest on %s:\n%s", dir, lineDiff(string(want), got))
			}
		})
	}
	if n < 5 {
		t.Errorf("only %d cases in %s", n, root)
	}
}

// realWorldArgs splits a case's args file into options and inputs, with
// the flags paved and conftest share.
func realWorldArgs(t *testing.T, dir string) (Options, []string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	var opts Options
	var inputs []string
	f := strings.Fields(string(src))
	for i := 0; i < len(f); i++ {
		next := func() string {
			if i+1 >= len(f) {
				t.Fatalf("args: %s needs a value", f[i])
			}
			i++
			return f[i]
		}
		switch f[i] {
		case "-p", "--policy":
			opts.PolicyDirs = append(opts.PolicyDirs, next())
		case "-d", "--data":
			opts.DataPaths = append(opts.DataPaths, next())
		case "-n", "--namespace":
			opts.Namespaces = append(opts.Namespaces, next())
		case "--all-namespaces":
			opts.AllNamespaces = true
		case "--combine":
			opts.Combine = true
		case "--rego-version":
			opts.RegoVersion = next()
		default:
			if strings.HasPrefix(f[i], "-") {
				t.Fatalf("args: flag %s is not shared by paved and conftest", f[i])
			}
			inputs = append(inputs, f[i])
		}
	}
	return opts, inputs
}

// pavedRealWorld runs a case the way `paved check --no-builtin` does, from
// inside the case folder (file names and data.conftest.file as given).
func pavedRealWorld(t *testing.T, dir string) string {
	opts, inputs := realWorldArgs(t, dir)
	t.Chdir(dir)
	opts.NoBuiltin = true
	opts.Print = io.Discard
	var lines []string
	exit := 0
	docs, err := iac.ReadPaths(inputs, iac.Options{AcceptOther: true}) // as paved check does with --policy
	if err == nil && len(docs) == 0 {
		err = errors.New("no Terraform plan or Kubernetes manifest found")
	}
	var e *Engine
	if err == nil {
		e, err = New(opts)
	}
	var fs []paved.Finding
	if err == nil {
		fs, err = e.Check(context.Background(), docs, paved.ServiceContext{})
	}
	if err != nil {
		t.Logf("paved error: %v", err)
		exit = 2
	}
	for _, f := range fs {
		lines = append(lines, jsonLine(f.Input, string(f.Severity), f.Policy, f.Message))
		if f.Severity == paved.SeverityDeny {
			exit = 1
		}
	}
	return sortedLines(lines, exit)
}

func jsonLine(v ...any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func sortedLines(lines []string, exit int) string {
	slices.Sort(lines) // byte order, as LC_ALL=C sort
	lines = append(lines, fmt.Sprintf(`["exit",%d]`, exit))
	return strings.Join(lines, "\n") + "\n"
}

// updateFromConftest rewrites dir/expected.jsonl from conftest's answer.
func updateFromConftest(t *testing.T, dir string) {
	t.Helper()
	bin := os.Getenv("CONFTEST")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("conftest"); err != nil {
			t.Fatalf("-update records conftest's answer: put conftest on PATH or set CONFTEST")
		}
	}
	_, _ = realWorldArgs(t, dir) // validates the args file
	src, _ := os.ReadFile(filepath.Join(dir, "args"))
	cmd := exec.Command(bin, append([]string{"test", "--no-color", "-o", "json"}, strings.Fields(string(src))...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var results []struct {
		Filename   string                 `json:"filename"`
		Namespace  string                 `json:"namespace"`
		Failures   []struct{ Msg string } `json:"failures"`
		Warnings   []struct{ Msg string } `json:"warnings"`
		Exceptions []struct{ Msg string } `json:"exceptions"`
	}
	_ = json.Unmarshal(out, &results) // conftest prints no JSON on an error
	var lines []string
	for _, r := range results {
		for _, x := range r.Failures {
			lines = append(lines, jsonLine(r.Filename, "deny", r.Namespace, x.Msg))
		}
		for _, x := range r.Warnings {
			lines = append(lines, jsonLine(r.Filename, "warn", r.Namespace, x.Msg))
		}
		for _, x := range r.Exceptions {
			lines = append(lines, jsonLine(r.Filename, "exception", r.Namespace, x.Msg))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "expected.jsonl"), []byte(sortedLines(lines, exit)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var out []string
	for l, c := range count {
		for ; c > 0; c-- {
			out = append(out, "- "+l)
		}
		for ; c < 0; c++ {
			out = append(out, "+ "+l)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
