package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// paved's own launch packet (issue 9): docs/readiness/paved.yaml answers the
// default questionnaire and checklist for paved itself; TestReadinessPacket
// loads it into a fresh database through the CLI, records the assessments,
// and renders `paved launch packet
// paved --format md` into docs/readiness/packet.md (go test -run
// TestReadinessPacket -update-readiness, or scripts/readiness.sh, rewrites
// it; without the flag the test fails when the file is out of date).
// TestReadinessReferences checks that every test, path and metric the
// answers, docs/security.md and docs/operations.md name exists.

var updateReadiness = flag.Bool("update-readiness", false, "rewrite docs/readiness/packet.md from docs/readiness/paved.yaml")

// repoRoot is the repository, seen from cmd/paved.
const repoRoot = "../.."

type readinessFile struct {
	Repository string `yaml:"repository"`
	Service    struct {
		Name        string `yaml:"name"`
		Title       string `yaml:"title"`
		Description string `yaml:"description"`
		Owner       string `yaml:"owner"`
		Tier        int    `yaml:"tier"`
		DataClass   string `yaml:"data_class"`
		Links       []struct {
			Type string `yaml:"type"`
			URL  string `yaml:"url"`
			Path string `yaml:"path"`
		} `yaml:"links"`
	} `yaml:"service"`
	Author      string `yaml:"author"`
	Assessments struct {
		Security struct {
			ThreatModel  string `yaml:"threat_model"`
			Risk         string `yaml:"risk"`
			VulnScan     string `yaml:"vuln_scan"`
			VulnScanLink string `yaml:"vuln_scan_link"`
			PenTest      string `yaml:"pen_test"`
			Notes        string `yaml:"notes"`
		} `yaml:"security"`
		Load struct {
			ExpectedRPS int      `yaml:"expected_rps"`
			TestedRPS   int      `yaml:"tested_rps"`
			P99MS       int      `yaml:"p99_ms"`
			Links       []string `yaml:"links"`
			Notes       string   `yaml:"notes"`
		} `yaml:"load"`
	} `yaml:"assessments"`
	Items []readinessItem `yaml:"items"`
}

type readinessItem struct {
	ID       string   `yaml:"id"`
	Answer   string   `yaml:"answer"`
	Refs     []string `yaml:"refs"`
	NA       string   `yaml:"na"`
	Gap      string   `yaml:"gap"`
	Evidence bool     `yaml:"evidence"`
}

func loadReadiness(t *testing.T) *readinessFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs/readiness/paved.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f readinessFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("docs/readiness/paved.yaml: %v", err)
	}
	return &f
}

// link makes a repository path a URL.
func (f *readinessFile) link(path string) string {
	return strings.TrimSuffix(f.Repository, "/") + "/" + strings.TrimPrefix(path, "/")
}

// repoIndex knows the repository's test functions (by name, with the
// files that define them) and the metric names its code registers.
type repoIndex struct {
	tests   map[string][]string // name -> files, relative to the root
	metrics map[string]bool
}

var (
	testFuncRE  = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)\w+)\(`)
	metricLitRE = regexp.MustCompile(`"(paved_[a-z0-9_]+)"`)
	metricNSRE  = regexp.MustCompile(`Namespace:\s*"paved",\s*Subsystem:\s*"([a-z_]+)",\s*Name:\s*"([a-z_]+)"`)
)

func indexRepo(t *testing.T) *repoIndex {
	t.Helper()
	ix := &repoIndex{tests: map[string][]string{}, metrics: map[string]bool{}}
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == ".git" || n == "testdata" || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		if strings.HasSuffix(path, "_test.go") {
			for _, m := range testFuncRE.FindAllSubmatch(b, -1) {
				ix.tests[string(m[1])] = append(ix.tests[string(m[1])], filepath.ToSlash(rel))
			}
			return nil
		}
		for _, m := range metricLitRE.FindAllSubmatch(b, -1) {
			ix.metrics[string(m[1])] = true
		}
		for _, m := range metricNSRE.FindAllSubmatch(bytes.Join(bytes.Fields(b), []byte(" ")), -1) {
			ix.metrics["paved_"+string(m[1])+"_"+string(m[2])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

var (
	backtickRE = regexp.MustCompile("`([^`]+)`")
	testNameRE = regexp.MustCompile(`^(?:Test|Fuzz|Benchmark)[A-Z0-9]\w*$`)
	metricRE   = regexp.MustCompile(`\bpaved_[a-z0-9_]+(\.go)?`)
	plainPath  = regexp.MustCompile(`(?:^|[\s(\[])((?:docs|deploy|scripts|internal|cmd|bench)/[A-Za-z0-9_./-]*)`)
)

// checkText checks the tests, paths and metrics a piece of text names,
// line by line (inline code never spans lines; fences are skipped).
func (ix *repoIndex) checkText(t *testing.T, where, text string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "```") {
			ix.checkLine(t, where, line)
		}
	}
}

func (ix *repoIndex) checkLine(t *testing.T, where, text string) {
	t.Helper()
	for _, m := range backtickRE.FindAllStringSubmatch(text, -1) {
		tok := m[1]
		switch {
		case testNameRE.MatchString(tok):
			if len(ix.tests[tok]) == 0 {
				t.Errorf("%s: names %s, which no test file defines", where, tok)
			}
		case !strings.ContainsAny(tok, " =:*") && strings.Contains(tok, "/") && !strings.HasPrefix(tok, "/") && rootEntry(tok):
			checkPath(t, where, tok)
		}
	}
	for _, m := range plainPath.FindAllStringSubmatch(text, -1) {
		checkPath(t, where, strings.TrimRight(m[1], ".,;:)"))
	}
	for _, name := range metricRE.FindAllString(text, -1) {
		if name == "paved_" || strings.HasSuffix(name, ".go") || strings.HasPrefix(name, "paved_secrets") {
			continue
		}
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			base = strings.TrimSuffix(base, suf)
		}
		if !ix.metrics[base] {
			t.Errorf("%s: names the metric %s, which no code registers", where, name)
		}
	}
}

// rootEntry reports whether a path's first segment is in the repository's
// root: `docs/x.md` is a repository path, `policies/` (a folder of the
// platform config) is not.
func rootEntry(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	_, err := os.Stat(filepath.Join(repoRoot, first))
	return err == nil
}

func checkPath(t *testing.T, where, p string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(p))); err != nil {
		t.Errorf("%s: names %s, which does not exist", where, p)
	}
}

// TestReadinessReferences: every template item is answered once in
// docs/readiness/paved.yaml, and every test, path and metric named there,
// in docs/security.md and in docs/operations.md exists. In security.md, the
// tests listed before a [package] are defined in that package.
func TestReadinessReferences(t *testing.T) {
	f := loadReadiness(t)
	ix := indexRepo(t)

	lib := launch.DefaultLibrary()
	want := map[string]bool{}
	var order []string
	for _, kind := range paved.TemplateKinds {
		for _, a := range lib.Current(kind).Areas {
			for _, it := range a.Items {
				want[it.ID] = true
				order = append(order, it.ID)
			}
		}
	}
	seen := map[string]bool{}
	for i, it := range f.Items {
		where := fmt.Sprintf("paved.yaml items[%d] %s", i, it.ID)
		if !want[it.ID] {
			t.Errorf("%s: not an item of the default templates", where)
		}
		if seen[it.ID] {
			t.Errorf("%s: listed twice", where)
		}
		seen[it.ID] = true
		n := 0
		for _, set := range []bool{it.Answer != "", it.NA != "", it.Gap != "", it.Evidence} {
			if set {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: give exactly one of answer, na, gap and evidence", where)
		}
		if len(it.Refs) > 0 && it.Answer == "" {
			t.Errorf("%s: refs go with an answer", where)
		}
		for _, r := range it.Refs {
			checkPath(t, where, r)
		}
		ix.checkText(t, where, it.Answer+"\n"+it.NA+"\n"+it.Gap)
	}
	for _, id := range order {
		if !seen[id] {
			t.Errorf("paved.yaml: item %s is not listed: answer it, or say why it is n/a or a gap", id)
		}
	}
	for _, l := range f.Service.Links {
		if l.Path != "" {
			checkPath(t, "paved.yaml service.links", l.Path)
		}
	}
	sec := f.Assessments.Security
	for _, p := range []string{sec.ThreatModel, sec.VulnScanLink} {
		checkPath(t, "paved.yaml assessments.security", p)
	}
	for _, p := range f.Assessments.Load.Links {
		checkPath(t, "paved.yaml assessments.load", p)
	}

	for _, doc := range []string{"docs/security.md", "docs/operations.md"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, doc))
		if err != nil {
			t.Fatal(err)
		}
		ix.checkText(t, doc, string(b))
		checkPackages(t, ix, doc, string(b))
	}
}

var tokenRE = regexp.MustCompile("`((?:Test|Fuzz|Benchmark)\\w+)`|\\[([a-z_./]+)\\]")

// checkPackages checks, line by line, that the tests listed before a
// [package] marker are defined in that package (a directory) or file.
func checkPackages(t *testing.T, ix *repoIndex, doc, text string) {
	t.Helper()
	for n, line := range strings.Split(text, "\n") {
		var pending []string
		for _, m := range tokenRE.FindAllStringSubmatch(line, -1) {
			if m[1] != "" {
				pending = append(pending, m[1])
				continue
			}
			pkg := m[2]
			if _, err := os.Stat(filepath.Join(repoRoot, pkg)); err != nil {
				continue // not a package marker
			}
			for _, name := range pending {
				ok := false
				for _, file := range ix.tests[name] {
					if file == pkg || filepath.ToSlash(filepath.Dir(file)) == pkg {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s:%d: %s is not defined in %s (it is in %v)", doc, n+1, name, pkg, ix.tests[name])
				}
			}
			pending = nil
		}
	}
}

// packetDateRE matches what changes from one rendering to the next: times,
// dates and ages.
var packetDateRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z| UTC)?)?|(less than an? \w+|\d+ \w+) (old|ago)`)

func normalisePacket(s string) string { return packetDateRE.ReplaceAllString(s, "DATE") }

// TestReadinessPacket builds paved's launch packet from
// docs/readiness/paved.yaml through the CLI on a fresh database and
// compares it with
// docs/readiness/packet.md (dates aside), or rewrites the file with
// -update-readiness.
func TestReadinessPacket(t *testing.T) {
	f := loadReadiness(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db")}
	s := f.Service
	must(t, e, "team", "create", s.Owner, "--kind", string(paved.KindDeveloperProductivity), "--title", "Developer productivity")
	must(t, e, "user", "create", f.Author, "--role", "developer", "--team", s.Owner, "--display-name", "paved maintainer")
	args := []string{"service", "create", s.Name, "--owner", s.Owner, "--tier", fmt.Sprint(s.Tier), "--data-class", s.DataClass,
		"--title", s.Title, "--description", strings.TrimSpace(s.Description)}
	for _, l := range s.Links {
		u := l.URL
		if l.Path != "" {
			u = f.link(l.Path)
		}
		args = append(args, "--link", l.Type+"="+u)
	}
	must(t, e, args...)

	as := []string{"--as", f.Author}
	for _, it := range f.Items {
		switch {
		case it.Answer != "":
			a := []string{"launch", "answer", s.Name, it.ID, "--text", strings.TrimSpace(it.Answer)}
			for _, r := range it.Refs {
				a = append(a, "--link", f.link(r))
			}
			must(t, e, append(a, as...)...)
		case it.NA != "":
			must(t, e, append([]string{"launch", "answer", s.Name, it.ID, "--na", strings.TrimSpace(it.NA)}, as...)...)
		case it.Gap != "":
			must(t, e, append([]string{"launch", "comment", s.Name, it.ID, "Gap: " + strings.TrimSpace(it.Gap)}, as...)...)
		}
	}

	sec := f.Assessments.Security
	a := []string{"launch", "assess", s.Name, "security", "--threat-model", f.link(sec.ThreatModel), "--risk", sec.Risk,
		"--vuln-scan", sec.VulnScan, "--vuln-scan-link", f.link(sec.VulnScanLink), "--notes", sec.Notes}
	if sec.PenTest != "" {
		a = append(a, "--pen-test", sec.PenTest)
	}
	must(t, e, append(a, as...)...)
	load := f.Assessments.Load
	a = []string{"launch", "assess", s.Name, "load", "--expected-rps", fmt.Sprint(load.ExpectedRPS),
		"--tested-rps", fmt.Sprint(load.TestedRPS), "--p99", fmt.Sprint(load.P99MS), "--notes", load.Notes}
	for _, l := range load.Links {
		a = append(a, "--link", f.link(l))
	}
	must(t, e, append(a, as...)...)

	packet := must(t, e, "launch", "packet", s.Name, "--format", "md")

	// Each item is in the state the file says: answered, n/a waiting for a
	// reviewer, evidenced, or missing (a gap).
	states := packetStates(packet)
	for _, it := range f.Items {
		want := "settled"
		switch {
		case it.NA != "":
			want = "n/a"
		case it.Evidence:
			want = "evidenced"
		case it.Gap != "":
			want = "missing"
		}
		if got := states[it.ID]; !strings.Contains(got, want) {
			t.Errorf("item %s is %q in the packet, want %s", it.ID, got, want)
		}
	}

	path := filepath.Join(root, "docs/readiness/packet.md")
	if *updateReadiness {
		if err := os.WriteFile(path, []byte(packet), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run scripts/readiness.sh to create it)", err)
	}
	if normalisePacket(string(old)) != normalisePacket(packet) {
		t.Errorf("docs/readiness/packet.md is out of date with docs/readiness/paved.yaml or the code: run scripts/readiness.sh and review the diff\n%s",
			firstDiff(normalisePacket(string(old)), normalisePacket(packet)))
	}
}

var itemHeadRE = regexp.MustCompile(`(?m)^#### ([a-z0-9-]+): .*\n\n\*([^*]+)\*`)

// packetStates reads each item's state line ("required, settled") from a
// Markdown packet.
func packetStates(md string) map[string]string {
	out := map[string]string{}
	for _, m := range itemHeadRE.FindAllStringSubmatch(md, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  file: %s\n  now:  %s", i+1, x, y)
		}
	}
	return ""
}
