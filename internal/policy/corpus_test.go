package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/testutil"
)

const corpusDir = "testdata/corpus"

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic(fmt.Sprintf("corpus case: %q not in the manifest", old))
	}
	return strings.Replace(s, old, new, 1)
}

func podIndent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "")
}

// corpusFile renders one case.
func corpusFile(c corpusCase) ([]byte, error) {
	if c.Plan != nil {
		return c.Plan.render()
	}
	return []byte("# " + c.Rule + ": " + c.Case + " (written by internal/policy/corpus_test.go)\n" + c.Manifest), nil
}

// corpusIndex is testdata/corpus/index.json: every case with what the rule
// reports, for tools that read the corpus (bench scripts comparing paved
// with other scanners).
type corpusIndexEntry struct {
	File       string                `json:"file"`
	Rule       string                `json:"rule"`
	Case       string                `json:"case"`
	Expect     string                `json:"expect"`
	Why        string                `json:"why,omitempty"`
	ReportedBy string                `json:"reported_by,omitempty"`
	Service    *paved.ServiceContext `json:"service,omitempty"`
}

func corpusIndex() ([]byte, error) {
	var entries []corpusIndexEntry
	for _, c := range corpusCases {
		e := corpusIndexEntry{File: c.file(), Rule: c.Rule, Case: c.Case, Expect: c.Expect, Why: c.Why, ReportedBy: c.ReportedBy}
		if c.Service != (paved.ServiceContext{}) {
			svc := c.Service
			e.Service = &svc
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].File < entries[j].File })
	b, err := json.MarshalIndent(entries, "", "  ")
	return append(b, '\n'), err
}

// TestCorpusFiles keeps testdata/corpus in step with the cases: every file
// is what the generator writes, and no file is left over.
func TestCorpusFiles(t *testing.T) {
	want := map[string][]byte{}
	for _, c := range corpusCases {
		b, err := corpusFile(c)
		if err != nil {
			t.Fatalf("%s %s: %v", c.Rule, c.Case, err)
		}
		if _, dup := want[c.file()]; dup {
			t.Fatalf("%s: two cases", c.file())
		}
		want[c.file()] = b
	}
	idx, err := corpusIndex()
	if err != nil {
		t.Fatal(err)
	}
	want["index.json"] = idx
	have := map[string]bool{}
	_ = filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "README.md" {
			rel, _ := filepath.Rel(corpusDir, p)
			have[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if testutil.Updating() {
		for f := range have {
			if want[f] == nil {
				if err := os.Remove(filepath.Join(corpusDir, f)); err != nil {
					t.Fatal(err)
				}
			}
		}
		for f, b := range want {
			p := filepath.Join(corpusDir, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for f, b := range want {
		got, err := os.ReadFile(filepath.Join(corpusDir, f))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s/%s is not what the corpus cases write (go test ./internal/policy -run CorpusFiles -update)", corpusDir, f)
		}
	}
	for f := range have {
		if want[f] == nil {
			t.Errorf("%s/%s belongs to no corpus case", corpusDir, f)
		}
	}
}

// TestCorpusCoversEveryRule: every built-in rule has its failing, passing
// and unknown case, and an unknown case that the rule passes says why.
func TestCorpusCoversEveryRule(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range e.Rules() {
		if r.Builtin {
			ids[r.ID] = true
		}
	}
	have := map[string]map[string]bool{}
	for _, c := range corpusCases {
		if !ids[c.Rule] {
			t.Errorf("corpus case %s %s: no built-in rule %s", c.Rule, c.Case, c.Rule)
		}
		if have[c.Rule] == nil {
			have[c.Rule] = map[string]bool{}
		}
		have[c.Rule][c.Case] = true
		switch c.Expect {
		case "fail", "pass", "undetermined":
		default:
			t.Errorf("%s: expect %q, want fail, pass or undetermined", c.file(), c.Expect)
		}
		if c.Case == "unknown" && c.Expect != "undetermined" && c.Why == "" {
			t.Errorf("%s: an unknown case the rule does not report as undetermined says why", c.file())
		}
		if c.ReportedBy != "" && !ids[c.ReportedBy] {
			t.Errorf("%s: reported_by %s is no built-in rule", c.file(), c.ReportedBy)
		}
		if (c.Plan == nil) == (c.Manifest == "") {
			t.Errorf("%s: want a plan or a manifest", c.file())
		}
	}
	for id := range ids {
		for _, k := range []string{"fail", "pass", "unknown"} {
			if !have[id][k] {
				t.Errorf("rule %s has no %q case in the corpus (corpus_cases_test.go)", id, k)
			}
		}
	}
}

// TestCorpus reads every case as paved check does (with the engine's
// attribute projection) and checks what its rule reports.
func TestCorpus(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range corpusCases {
		t.Run(c.Rule+"/"+c.Case, func(t *testing.T) {
			docs, err := iac.ReadPaths([]string{filepath.Join(corpusDir, c.file())}, iac.Options{
				DropRaw: true, DropBefore: true, Attributes: e.AttributeKeys,
			})
			if err != nil {
				t.Fatal(err)
			}
			fs, err := e.Check(context.Background(), docs, c.Service)
			if err != nil {
				t.Fatal(err)
			}
			var own, other []paved.Finding
			for _, f := range fs {
				switch f.Rule {
				case c.Rule:
					own = append(own, f)
				case c.ReportedBy:
					other = append(other, f)
				}
			}
			sev := paved.SeverityDeny
			if r, _ := e.Rule(c.Rule); r.Severity != "" {
				sev = r.Severity
			}
			switch c.Expect {
			case "pass":
				if len(own) > 0 {
					t.Errorf("%s: want no finding, got %s", c.file(), describeFindings(own))
				}
			case "fail":
				ok := false
				for _, f := range own {
					ok = ok || (!f.Undetermined && f.Severity == sev)
				}
				if !ok {
					t.Errorf("%s: want a %s finding, got %s", c.file(), sev, describeFindings(own))
				}
			case "undetermined":
				if len(own) == 0 {
					t.Errorf("%s: want an undetermined finding, got none", c.file())
				}
				for _, f := range own {
					if !f.Undetermined || f.Severity != paved.SeverityWarn || !strings.Contains(f.Message, "cannot be judged until") {
						t.Errorf("%s: want only undetermined warnings, got %s", c.file(), describeFindings([]paved.Finding{f}))
					}
				}
			}
			if c.ReportedBy != "" {
				ok := false
				for _, f := range other {
					ok = ok || f.Undetermined
				}
				if !ok {
					t.Errorf("%s: %s should report the value as undetermined, got %s", c.file(), c.ReportedBy, describeFindings(other))
				}
			}
		})
	}
}

func describeFindings(fs []paved.Finding) string {
	if len(fs) == 0 {
		return "none"
	}
	var parts []string
	for _, f := range fs {
		u := ""
		if f.Undetermined {
			u = " (undetermined)"
		}
		parts = append(parts, fmt.Sprintf("%s%s: %s", f.Severity, u, f.Message))
	}
	return strings.Join(parts, "; ")
}
