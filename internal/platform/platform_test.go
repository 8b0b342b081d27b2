package platform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// copyDir copies testdata/config (or another folder) into a temporary
// directory that a test may change.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoadExample(t *testing.T) {
	s, err := Load("testdata/config", Options{Now: func() time.Time { return time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC) }})
	must(t, err)
	if s.Config.Organisation.Name != "Example Corp" || s.Dir != "testdata/config" {
		t.Fatalf("config = %+v", s.Config.Organisation)
	}
	if len(s.Version.Hash) != 64 || s.Version.String() == BuiltinVersion {
		t.Fatalf("version = %+v", s.Version)
	}
	r, ok := s.Rule("require-owner-tag")
	if !ok || r.Builtin || r.EnforceFrom != "2030-01-01" || r.Owner != "cloud" {
		t.Fatalf("custom rule = %+v %v", r, ok)
	}
	if tpl := s.Templates.Current(paved.KindQuestionnaire); tpl.Version != 2 {
		t.Fatalf("questionnaire = %+v", tpl)
	}
	if s.Ownership.Concern("backups").Owner != "cloud" {
		t.Fatalf("ownership = %+v", s.Ownership.Concern("backups"))
	}
	if len(s.Prices.Discounts()) != 1 {
		t.Fatal("pricebook.yaml was not read")
	}
	if len(s.PolicyDirs) != 1 {
		t.Fatalf("policy dirs = %v", s.PolicyDirs)
	}
	// No scorecards/ folder: the defaults.
	if s.Scorecards == nil || s.Scorecards.Find("production-readiness") == nil {
		t.Fatalf("scorecards = %+v", s.Scorecards)
	}
	// Without a directory: the built-in defaults.
	d, err := Load("", Options{})
	must(t, err)
	if d.Version.String() != BuiltinVersion || d.Engine == nil || d.Templates == nil || d.Ownership == nil {
		t.Fatalf("defaults = %+v", d)
	}
}

// TestBadConfig is the list of bad input: each is a clear error
// that names the file and the line, from Load (what paved serve does) and
// from Validate (what paved config validate does).
func TestBadConfig(t *testing.T) {
	cases := []struct {
		name  string
		file  string // the file the test writes
		body  string
		where string // the file:line the error must name
		msg   string
	}{
		{"a typo in a key", "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rulez: {}\n", "paved.yaml:4", "rulez"},
		{"a typo in a rule's key", "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rules:\n    db-memory-ceiling:\n      param: {max_memory_gib: 1}\n", "paved.yaml:6", "param"},
		{"a parameter of the wrong type", "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rules:\n    db-memory-ceiling:\n      params: {max_memory_gib: lots}\n", "paved.yaml:6", "max_memory_gib"},
		{"a rule that does not exist", "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rules:\n    db-memroy-ceiling:\n      severity: warn\n", "paved.yaml:5", "unknown rule"},
		{"an enforce_from date in the wrong format", "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rules:\n    db-memory-ceiling:\n      enforce_from: 01/09/2030\n", "paved.yaml:6", "YYYY-MM-DD"},
		{"a policy that does not compile", "policies/broken.rego", "package paved.rules.broken\n\ndeny contains f if {\n\tf := \n}\n", "policies/broken.rego:5", "unexpected"},
		{"an enforce_from date in a policy's METADATA", "policies/late.rego", customRule("late-rule", "enforce_from: next-year"), "policies/late.rego:1", "want a date YYYY-MM-DD"},
		{"a rule id used twice", "policies/twice.rego", strings.Replace(customRule("require-owner-tag", ""), "package paved.rules.require_owner_tag", "package paved.rules.require_owner_tag", 1), "policies/twice.rego:1", "second package METADATA"},
		{"a rule id used twice, under another package", "policies/other.rego", strings.Replace(customRule("require-owner-tag", ""), "package paved.rules.require_owner_tag", "package paved.rules.other_rule", 1), "policies/other.rego:1", "belongs in package"},
		{"a template that references an unknown area", "templates/checklist.yaml", "kind: checklist\nversion: 3\ntitle: Checklist\nareas:\n  - id: deployment\n    title: Deployment\n    items:\n      - id: rollback\n        title: How do you roll back?\n        area: securty\n        guidance: Say how.\n", "templates/checklist.yaml:10", "move it into the items of that area"},
		{"a template whose evidence names an unknown rule", "templates/checklist.yaml", "kind: checklist\nversion: 3\ntitle: Checklist\nareas:\n  - id: deployment\n    title: Deployment\n    items:\n      - id: rollback\n        title: How do you roll back?\n        required_for: all\n        guidance: Say how.\n        evidence:\n          source: check-rules\n          rules: [db-storage-encryptd]\n", "templates/checklist.yaml:14", "did you mean db-storage-encrypted"},
		{"an ownership map with an unknown key", "ownership.yaml", "version: 1\nlayers:\n  - id: operations\n    concerns:\n      - id: backups\n        ower: cloud\n", "ownership.yaml:6", "ower"},
		{"a scorecard with an unknown key", "scorecards/ops.yaml", "id: ops\ntitle: Ops\nlevels: [bronze]\nrules:\n  - {id: r, title: R, level: bronze, item: runbooks, staets: [settled]}\n", "scorecards/ops.yaml:5", `unknown key "staets"`},
		{"a scorecard rule naming an unknown item", "scorecards/ops.yaml", "id: ops\ntitle: Ops\nlevels: [bronze]\nrules:\n  - {id: r, title: R, level: bronze, item: runbook}\n", "scorecards/ops.yaml:5", `names item "runbook"`},
		{"a scorecard rule naming an unknown guard rail", "scorecards/ops.yaml", "id: ops\ntitle: Ops\nlevels: [bronze]\nrules:\n  - id: r\n    title: R\n    level: bronze\n    guardrail: db-storage-encryptd\n", "scorecards/ops.yaml:5", "did you mean db-storage-encrypted"},
		{"a price override with a bad value", "pricebook.yaml", "discounts:\n  - service: ec2\n    percent: lots\n", "pricebook.yaml:3", "percent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, "testdata/config")
			writeFile(t, dir, c.file, c.body)
			want := filepath.Join(dir, filepath.FromSlash(c.where))
			_, err := Load(dir, Options{})
			if err == nil {
				t.Fatal("Load accepted the config")
			}
			var pe *paved.Error
			if !errors.As(err, &pe) || !strings.HasPrefix(pe.Field, want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("Load: %v\nwant the location %s and %q", err, want, c.msg)
			}
			rep := Validate(dir, ValidateOptions{})
			if rep.Valid {
				t.Fatalf("Validate found it valid: %+v", rep)
			}
			found := false
			for _, p := range rep.Problems {
				if p.Severity == SeverityError && strings.HasPrefix(p.Where(), want) && strings.Contains(p.Message, c.msg) {
					found = true
				}
			}
			if !found {
				t.Fatalf("Validate problems %+v\nwant one at %s saying %q", rep.Problems, want, c.msg)
			}
		})
	}
}

// customRule is a paved-style custom rule with id and an extra METADATA
// custom line.
func customRule(id, extra string) string {
	pkg := strings.ReplaceAll(id, "-", "_")
	if extra != "" {
		extra = "#   " + extra + "\n"
	}
	return "# METADATA\n# title: " + id + "\n# custom:\n#   id: " + id + "\n#   severity: deny\n" + extra +
		"#   resource_types: [aws_s3_bucket]\npackage paved.rules." + pkg + "\n\nimport data.paved.lib\n\n" +
		"deny contains f if {\n\tsome r in lib.candidates([\"aws_s3_bucket\"])\n\tlib.judged(r)\n\tf := lib.finding(r, \"no\", \"\", null)\n}\n"
}

func TestValidateReportsEveryPart(t *testing.T) {
	dir := copyDir(t, "testdata/config")
	writeFile(t, dir, "paved.yaml", "organisation:\n  name: Example\n  nmae: typo\n")
	writeFile(t, dir, "policies/broken.rego", "package paved.rules.broken\n\ndeny contains f if {\n")
	writeFile(t, dir, "ownership.yaml", "version: 2\n")
	rep := Validate(dir, ValidateOptions{})
	parts := map[string]bool{}
	for _, p := range rep.Problems {
		parts[p.Part] = true
	}
	for _, want := range []string{PartConfig, PartPolicies, PartOwnership} {
		if !parts[want] {
			t.Errorf("no problem reported for %s: %+v", want, rep.Problems)
		}
	}
	if rep.Valid || rep.Errors() < 3 {
		t.Fatalf("report = %+v", rep)
	}
	if len(rep.NotChecked) == 0 || !strings.Contains(rep.NotChecked[0], "no database") {
		t.Fatalf("not checked = %v", rep.NotChecked)
	}
}

func TestValidateCatalogReferences(t *testing.T) {
	cat := &Catalog{Source: "test", Teams: []*paved.Team{{Name: "checkout", Kind: paved.KindProduct}, {Name: "cloud", Kind: paved.KindCloud}}}
	rep := Validate("testdata/config", ValidateOptions{Catalog: cat})
	if !rep.Valid {
		t.Fatalf("example against its catalog: %+v", rep.Problems)
	}
	// Without the teams the example names, each reference is an error
	// naming paved.yaml's line.
	cat.Teams = []*paved.Team{{Name: "checkuot", Kind: paved.KindProduct}}
	rep = Validate("testdata/config", ValidateOptions{Catalog: cat})
	var msgs []string
	for _, p := range rep.Problems {
		msgs = append(msgs, p.Where()+" "+p.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"testdata/config/paved.yaml:15 account 111111111111 names team \"checkout\", which is not in the catalog (paved team list): did you mean \"checkuot\"?",
		"testdata/config/paved.yaml:17 a budget names team \"checkout\"",
		"testdata/config/paved.yaml:10 rule db-memory-ceiling's owner names team \"cloud\"",
		"testdata/config/ownership.yaml:",
		"custom rule require-owner-tag names owner \"cloud\"",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
}

func readFile(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	must(t, err)
	return string(b)
}

func removeFile(t testing.TB, dir, name string) {
	t.Helper()
	must(t, os.Remove(filepath.Join(dir, filepath.FromSlash(name))))
}
