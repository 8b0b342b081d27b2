package policy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/testutil"
	"go.yaml.in/yaml/v3"
)

func TestOverlay(t *testing.T) {
	ri := &ruleInfo{rule: paved.Rule{ID: "r"}, defaults: map[string]any{"max": json.Number("512"), "keys": []any{"team"}}}
	rc := RuleConfig{
		Params: map[string]any{"max": json.Number("256")},
		Tiers:  map[string]map[string]any{"1": {"max": json.Number("1024")}, "4": {"keys": []any{}}},
		Phases: map[string]map[string]any{"playground": {"max": json.Number("64")}},
	}
	for _, c := range []struct {
		name string
		svc  paved.ServiceContext
		max  string
		keys int
	}{
		{"defaults overlaid by params", paved.ServiceContext{}, "256", 1},
		{"tier wins over params", paved.ServiceContext{Tier: 1}, "1024", 1},
		{"phase wins over tier", paved.ServiceContext{Tier: 1, Phase: paved.PhasePlayground}, "64", 1},
		{"other phase: tier", paved.ServiceContext{Tier: 1, Phase: paved.PhaseProduction}, "1024", 1},
		{"tier without that param keeps params", paved.ServiceContext{Tier: 4}, "256", 0},
		{"tier 3 not configured", paved.ServiceContext{Tier: 3}, "256", 1},
	} {
		got := overlay(ri, rc, c.svc)
		if got["max"] != json.Number(c.max) || len(got["keys"].([]any)) != c.keys {
			t.Errorf("%s: %v", c.name, got)
		}
	}
	if got := overlay(ri, RuleConfig{}, paved.ServiceContext{Tier: 1}); got["max"] != json.Number("512") {
		t.Errorf("no config: %v", got)
	}
	if ri.defaults["max"] != json.Number("512") {
		t.Error("overlay changed the defaults")
	}
}

// TestConfigValidation decodes guardrails YAML like paved.yaml's and checks
// each mistake is named precisely.
func TestConfigValidation(t *testing.T) {
	for _, c := range []struct {
		name, yaml, field, msg string
	}{
		{"ok", `
rules:
  test-db-memory:
    params: {max_gib: 256}
    tiers: {1: {max_gib: 1024}, "tier 2": {max_gib: 512}}
    phases: {playground: {max_gib: 64}, greenlight: {max_gib: 128}}
    severity: warn
    enforce_from: 2027-01-01
  test-required-tags:
    params: {keys: [team, cost-center]}
disabled: [test-pdb]`, "", ""},
		{"unknown rule", "rules: {test-db-memroy: {params: {max_gib: 1}}}", "guardrails.rules.test-db-memroy", `unknown rule "test-db-memroy" (did you mean "test-db-memory"?)`},
		{"unknown disabled rule", "disabled: [nope]", "guardrails.disabled[0]", `unknown rule "nope"`},
		{"unknown param", "rules: {test-db-memory: {params: {max_gb: 1}}}", "guardrails.rules.test-db-memory.params.max_gb", `has no parameter "max_gb" (it has: max_gib)`},
		{"no params", "rules: {test-ebs-encrypted: {params: {x: 1}}}", "guardrails.rules.test-ebs-encrypted.params.x", "has no parameters"},
		{"wrong type", `rules: {test-db-memory: {params: {max_gib: "1TB"}}}`, "guardrails.rules.test-db-memory.params.max_gib", `want a number (like the default 512), got a string "1TB"`},
		{"wrong type in tier", `rules: {test-db-memory: {tiers: {"1": {max_gib: true}}}}`, "guardrails.rules.test-db-memory.tiers.1.max_gib", "want a number"},
		{"wrong type in phase", `rules: {test-db-memory: {phases: {production: {max_gib: [1]}}}}`, "guardrails.rules.test-db-memory.phases.production.max_gib", "got a list"},
		{"list element type", `rules: {test-required-tags: {params: {keys: [team, 3]}}}`, "guardrails.rules.test-required-tags.params.keys", "want a list of strings, item 1 is a number 3"},
		{"list wanted", `rules: {test-required-tags: {params: {keys: team}}}`, "guardrails.rules.test-required-tags.params.keys", "want a list"},
		{"bad tier", `rules: {test-db-memory: {tiers: {"5": {max_gib: 1}}}}`, "guardrails.rules.test-db-memory.tiers.5", "want a tier 1, 2, 3 or 4"},
		{"duplicate tier", `rules: {test-db-memory: {tiers: {"1": {max_gib: 1}, "tier1": {max_gib: 2}}}}`, "guardrails.rules.test-db-memory.tiers.", "configured twice"},
		{"bad phase", `rules: {test-db-memory: {phases: {prod: {max_gib: 1}}}}`, "guardrails.rules.test-db-memory.phases.prod", "want a phase"},
		{"bad severity", `rules: {test-db-memory: {severity: error}}`, "guardrails.rules.test-db-memory.severity", `want deny or warn, got "error"`},
		{"bad date", `rules: {test-db-memory: {enforce_from: "next week"}}`, "guardrails.rules.test-db-memory.enforce_from", "want a date YYYY-MM-DD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cfg Config
			if err := yaml.Unmarshal([]byte(c.yaml), &cfg); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{Library: testLibraryFS(), Config: cfg})
			if c.field == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			wantFieldError(t, err, c.field)
			if err != nil && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %q, want it to contain %q", err, c.msg)
			}
		})
	}
}

func TestConfigApplied(t *testing.T) {
	var cfg Config
	if err := yaml.Unmarshal([]byte(`
rules:
  test-db-memory:
    params: {max_gib: 2048}
    tiers: {1: {max_gib: 256}}
    owner: cloud-engineering
  test-required-tags: {severity: deny}
disabled: [test-ebs-encrypted]
`), &cfg); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, Options{Config: cfg})
	docs := []*iac.Document{tfDoc("p.json",
		db("aws_db_instance.a", "db.x2g.16xlarge", nil),
		ebs("aws_ebs_volume.v", false))}
	for _, c := range []struct {
		svc  paved.ServiceContext
		want string
	}{
		// 1024 GiB is under the configured 2048, but over tier 1's 256.
		{paved.ServiceContext{Tier: 2}, "test-required-tags:deny:aws_db_instance.a"},
		{paved.ServiceContext{Tier: 1}, "test-db-memory:deny:aws_db_instance.a,test-required-tags:deny:aws_db_instance.a"},
	} {
		fs, err := e.Check(context.Background(), docs, c.svc)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, string(f.Rule)+":"+string(f.Severity)+":"+f.Resource)
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("tier %d: %v, want %s", c.svc.Tier, got, c.want)
		}
	}
	if r, _ := e.Rule("test-db-memory"); r.Owner != "cloud-engineering" {
		t.Errorf("owner = %q", r.Owner)
	}
	if r, _ := e.Rule("test-required-tags"); r.Severity != paved.SeverityDeny {
		t.Errorf("severity override not reflected in Rule: %q", r.Severity)
	}
	if p, _ := e.Params("test-db-memory", paved.ServiceContext{Tier: 1}); p["max_gib"] != json.Number("256") {
		t.Errorf("Params = %v", p)
	}
	x := e.Explain("test-db-memory")
	for _, want := range []string{"test-db-memory: Database memory stays below a ceiling", "Severity:       deny",
		"max_gib (default 512), configured 2048", "tier 1: 256", "Largest memory in GiB", "Passes", "db.r6g.large", "Fails", "Remediation", "Owner:          cloud-engineering"} {
		if !strings.Contains(x, want) {
			t.Errorf("Explain lacks %q:\n%s", want, x)
		}
	}
	if !strings.Contains(e.Explain("test-ebs-encrypted"), "disabled in paved.yaml") || e.Explain("nope") != "" {
		t.Error("Explain of disabled/unknown rule")
	}
}

func TestEnforceFromBoundary(t *testing.T) {
	docs := []*iac.Document{tfDoc("p.json", ebs("aws_ebs_volume.v", false))}
	for _, c := range []struct {
		now  time.Time
		sev  paved.Severity
		msg  string
		from string
	}{
		{time.Date(2029, 12, 31, 23, 59, 59, 0, time.UTC), paved.SeverityWarn, "EBS volume is not encrypted (enforced from 2030-01-01)", "2030-01-01"},
		{time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), paved.SeverityDeny, "EBS volume is not encrypted", ""},
		{time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), paved.SeverityDeny, "EBS volume is not encrypted", ""},
		// The day is UTC's: 23:30 in New York on 31 December is already 2030 in UTC.
		{time.Date(2029, 12, 31, 23, 30, 0, 0, time.FixedZone("EST", -5*3600)), paved.SeverityDeny, "EBS volume is not encrypted", ""},
	} {
		e := newTestEngine(t, Options{Now: func() time.Time { return c.now }})
		fs, err := e.Check(context.Background(), docs, paved.ServiceContext{})
		if err != nil {
			t.Fatal(err)
		}
		var f *paved.Finding
		for i := range fs {
			if fs[i].Rule == "test-ebs-encrypted" {
				f = &fs[i]
			}
		}
		if f == nil || f.Severity != c.sev || f.Message != c.msg || f.EnforceFrom != c.from {
			t.Errorf("at %v: %+v", c.now, f)
		}
	}
	// A severity override to warn is not "enforced from" anything.
	e := newTestEngine(t, Options{Now: func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) },
		Config: Config{Rules: map[string]RuleConfig{"test-ebs-encrypted": {Severity: paved.SeverityWarn}}}})
	fs, _ := e.Check(context.Background(), docs, paved.ServiceContext{})
	for _, f := range fs {
		if f.Rule == "test-ebs-encrypted" && (f.EnforceFrom != "" || strings.Contains(f.Message, "enforced")) {
			t.Errorf("warn override: %+v", f)
		}
	}
}

func TestSortFindings(t *testing.T) {
	fs := []paved.Finding{
		{Input: "b", Resource: "a", Rule: "r", Path: "p"},
		{Input: "a", Resource: "b", Rule: "r", Path: "p"},
		{Input: "a", Resource: "a", Rule: "s", Path: "p"},
		{Input: "a", Resource: "a", Rule: "r", Path: "q"},
		{Input: "a", Resource: "a", Rule: "r", Path: "p", Message: "y"},
		{Input: "a", Resource: "a", Rule: "r", Path: "p", Message: "x"},
		{Input: "a", Resource: "", Rule: "z"},
	}
	SortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Input+"/"+f.Resource+"/"+f.Rule+"/"+f.Path+"/"+f.Message)
	}
	want := "a//z//,a/a/r/p/x,a/a/r/p/y,a/a/r/q/,a/a/s/p/,a/b/r/p/,b/a/r/p/"
	if strings.Join(got, ",") != want {
		t.Errorf("order = %s\nwant    %s", strings.Join(got, ","), want)
	}
}

// TestOutputMapping: every field of a finding comes from the right place,
// and malformed results are errors naming the rule.
func TestOutputMapping(t *testing.T) {
	lib := fstest.MapFS{
		"rules/x/map.rego": {Data: []byte(`# METADATA
# title: Mapping
# custom:
#   id: map-test
#   severity: deny
#   remediation: Default remediation.
#   resource_types: [t]
package paved.rules.map_test

deny contains {"address": r.address, "msg": "m", "path": "a.b[0]", "value": {"k": [1, "x"]}} if some r in input.by_type.t
warn contains {"address": "missing.addr", "msg": "w", "remediation": "Own remediation."} if some r in input.by_type.t
warn contains {"address": "", "msg": "whole input"} if some r in input.by_type.t
`)},
	}
	e := newTestEngine(t, Options{Library: lib, DocBase: "https://docs.example/"})
	r := &paved.IaCResource{Address: "t.a", Type: "t", Action: "update", Actions: []string{"update"}, File: "main.tf", Line: 7, After: map[string]any{"password": paved.SensitiveValue}}
	fs, err := e.Check(context.Background(), []*iac.Document{{Input: "plan.json", Kind: iac.KindTerraformPlan, Resources: []*paved.IaCResource{r}}}, paved.ServiceContext{})
	if err != nil {
		t.Fatal(err)
	}
	testutil.GoldenJSON(t, "testdata/golden/mapping.json", fs)
	for _, f := range fs {
		if f.Fingerprint != f.ComputeFingerprint() {
			t.Errorf("fingerprint of %+v", f)
		}
	}

	for name, body := range map[string]string{
		"no msg":     `deny contains {"address": "x"} if some r in input.by_type.t`,
		"not object": `deny contains "just a string" if some r in input.by_type.t`,
	} {
		lib := fstest.MapFS{"rules/x/bad.rego": {Data: []byte("# METADATA\n# title: Bad\n# custom:\n#   id: bad\n#   severity: deny\n#   resource_types: [t]\npackage paved.rules.bad\n\n" + body + "\n")}}
		e := newTestEngine(t, Options{Library: lib})
		_, err := e.Check(context.Background(), []*iac.Document{{Input: "p", Resources: []*paved.IaCResource{r}}}, paved.ServiceContext{})
		if err == nil || !strings.Contains(err.Error(), "rule bad") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestLibraryErrors: a broken rule fails New with file:line and says what
// is wrong.
func TestLibraryErrors(t *testing.T) {
	meta := func(custom string) string {
		return "# METADATA\n# title: T\n# custom:\n" + custom + "package paved.rules.r_one\n\ndeny contains {\"address\": \"\", \"msg\": \"m\"} if true\n"
	}
	for _, c := range []struct {
		name, file, src, field, msg string
	}{
		{"syntax error", "rules/a/r.rego", "package paved.rules.r_one\n\ndeny contains x if {\n  x := \n}\n", "rego/rules/a/r.rego:5:1", "unexpected } token"},
		{"compile error", "rules/a/r.rego", meta("#   id: r-one\n#   severity: deny\n#   resource_types: [t]\n") + "warn contains f if { f := undefined_fn(1) }\n", "rego/rules/a/r.rego:10:", "undefined function"},
		{"no metadata", "rules/a/r.rego", "package paved.rules.r_one\n\ndeny contains 1 if true\n", "rego/rules/a/r.rego", "no package METADATA"},
		{"id mismatch", "rules/a/r.rego", meta("#   id: r-two\n#   severity: deny\n#   resource_types: [t]\n"), "rego/rules/a/r.rego:1", "belongs in package paved.rules.r_two"},
		{"bad severity", "rules/a/r.rego", meta("#   id: r-one\n#   severity: error\n#   resource_types: [t]\n"), "rego/rules/a/r.rego:1", "custom.severity: want deny or warn"},
		{"no types", "rules/a/r.rego", meta("#   id: r-one\n#   severity: deny\n"), "rego/rules/a/r.rego:1", "must list the resource types"},
		{"unknown key", "rules/a/r.rego", meta("#   id: r-one\n#   severity: deny\n#   resource_types: [t]\n#   remedation: x\n"), "rego/rules/a/r.rego:1", "custom.remedation is not a known key"},
		{"checkov not a list", "rules/a/r.rego", meta("#   id: r-one\n#   severity: deny\n#   resource_types: [t]\n#   checkov: CKV_AWS_79\n"), "rego/rules/a/r.rego:1", "custom.checkov: want a list of check ids"},
		{"bad trivy id", "rules/a/r.rego", meta("#   id: r-one\n#   severity: deny\n#   resource_types: [t]\n#   trivy: [aws-ec2-enforce-http-token-imds]\n"), "rego/rules/a/r.rego:1", `custom.trivy[0]: want a check id such as AWS-0028, got "aws-ec2-enforce-http-token-imds"`},
		{"param without default", "rules/a/r.rego", meta("#   id: r-one\n#   severity: deny\n#   resource_types: [t]\n#   parameters:\n#     p: {description: x}\n"), "rego/rules/a/r.rego:1", "custom.parameters.p has no default"},
		{"boolean deny", "rules/a/r.rego", "# METADATA\n# title: T\n# custom:\n#   id: r-one\n#   severity: deny\n#   resource_types: [t]\npackage paved.rules.r_one\n\ndeny if true\n", "rego/rules/a/r.rego:9:", "must be a partial set"},
		{"bad data", "data/x.json", "{\n  \"a\": [1,\n}", "rego/data/x.json", "3:1: invalid JSON"},
		{"reserved data", "data/params.json", "{}", "rego/data/params.json", "reserved"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(Options{Library: fstest.MapFS{c.file: {Data: []byte(c.src)}}})
			wantFieldError(t, err, c.field)
			if err != nil && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %q, want %q", err, c.msg)
			}
		})
	}
}
