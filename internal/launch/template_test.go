package launch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// ---- The embedded defaults ------------------------------------------------

func TestDefaultTemplates(t *testing.T) {
	l := DefaultLibrary()
	if l != DefaultLibrary() {
		t.Error("DefaultLibrary parses again on each call")
	}
	q, c := l.Current(paved.KindQuestionnaire), l.Current(paved.KindChecklist)
	if q == nil || c == nil {
		t.Fatalf("defaults missing: questionnaire %v, checklist %v", q != nil, c != nil)
	}
	// The checklist is at version 2 since facts evidence it (issue 17).
	for _, tp := range []*paved.Template{q, c} {
		if want := map[paved.TemplateKind]int{paved.KindQuestionnaire: 1, paved.KindChecklist: 2}[tp.Kind]; tp.Version != want {
			t.Errorf("%s: version %d, want %d", tp.Kind, tp.Version, want)
		}
		if tp.Source != "embedded" {
			t.Errorf("%s: source %q, want embedded", tp.Kind, tp.Source)
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(tp.Digest) {
			t.Errorf("%s: digest %q is not sha256 hex", tp.Kind, tp.Digest)
		}
		for _, it := range tp.Items() {
			// Guidance teaches: why it matters and what good looks like,
			// in two to five sentences.
			if n := len(it.Guidance); n < 120 || n > 1000 {
				t.Errorf("%s: guidance is %d characters: want 120 to 1000", it.ID, n)
			}
			if s := templateSentences(it.Guidance); s < 2 || s > 6 {
				t.Errorf("%s: guidance has %d sentences: want 2 to 5", it.ID, s)
			}
			if !strings.HasSuffix(it.Title, "?") {
				t.Errorf("%s: title %q is not a question", it.ID, it.Title)
			}
			// Tiers are nested: what tier n must answer, every more
			// critical tier must answer too.
			for _, tier := range it.RequiredFor {
				for more := paved.Tier(1); more < tier; more++ {
					if !it.Required(more) {
						t.Errorf("%s: required for tier %d but not for tier %d", it.ID, tier, more)
					}
				}
			}
		}
	}

	// The checklist: exactly the ten areas of the design, in order, each
	// with at least six items.
	wantAreas := []struct{ id, title string }{
		{"deployment", "Deployment"},
		{"testing", "Testing"},
		{"reliability", "Reliability and failover"},
		{"architecture", "Architecture"},
		{"costs", "Costs"},
		{"security", "Security"},
		{"cicd", "CI/CD"},
		{"infrastructure", "Infrastructure"},
		{"capacity", "Capacity and performance estimates"},
		{"operations", "Operations and support"},
	}
	if len(c.Areas) != len(wantAreas) {
		t.Fatalf("checklist has %d areas, want %d", len(c.Areas), len(wantAreas))
	}
	for i, w := range wantAreas {
		a := c.Areas[i]
		if a.ID != w.id || a.Title != w.title {
			t.Errorf("checklist area %d is %s (%s), want %s (%s)", i, a.ID, a.Title, w.id, w.title)
		}
		if len(a.Items) < 6 {
			t.Errorf("checklist area %s has %d items, want at least 6", a.ID, len(a.Items))
		}
	}
	if n := len(c.Items()); n < 60 {
		t.Errorf("checklist has %d items, want at least 60", n)
	}

	// The topics the issue names, present by id in the right area.
	for _, w := range []struct{ area, item string }{
		{"deployment", "deploy-rollback"},
		{"deployment", "config-management"},
		{"architecture", "api-versioning"},
		{"operations", "incident-response"},
		{"operations", "dashboards"},
		{"operations", "alerting"},
		{"operations", "logging-tracing"},
		{"reliability", "restore-tested"},
		{"reliability", "rto-rpo"},
		{"reliability", "dependency-failure-modes"},
		{"capacity", "capacity-estimate"},
		{"costs", "cost-estimate"},
		{"security", "threat-model"},
		{"security", "secrets-management"},
		{"operations", "on-call-rotation"},
		{"operations", "runbooks"},
		{"operations", "slos"},
	} {
		a, it := c.Item(w.item)
		if it == nil {
			t.Errorf("checklist has no item %s", w.item)
		} else if a.ID != w.area {
			t.Errorf("checklist item %s is in area %s, want %s", w.item, a.ID, w.area)
		}
	}

	// Tiers: tier 1 answers nearly everything, tier 4 a small core.
	perTier := map[paved.Tier]int{}
	for _, it := range c.Items() {
		for _, tier := range it.RequiredFor {
			perTier[tier]++
		}
	}
	total := len(c.Items())
	if perTier[1] < total*9/10 {
		t.Errorf("tier 1 must answer %d of %d checklist items: want nearly all", perTier[1], total)
	}
	if perTier[4] > total*3/10 || perTier[4] < 10 {
		t.Errorf("tier 4 must answer %d of %d checklist items: want a small core (10 to 30%%)", perTier[4], total)
	}
	if !(perTier[1] > perTier[2] && perTier[2] > perTier[3] && perTier[3] > perTier[4]) {
		t.Errorf("required items per tier %v: want fewer for each less critical tier", perTier)
	}

	// The questionnaire: one page (10-14 items), mostly required for every
	// tier, asking what the issue lists.
	qi := q.Items()
	if len(qi) < 10 || len(qi) > 14 {
		t.Errorf("questionnaire has %d items, want 10 to 14", len(qi))
	}
	all := 0
	for _, it := range qi {
		if len(it.RequiredFor) == 4 {
			all++
		}
	}
	if all*3 < len(qi)*2 {
		t.Errorf("%d of %d questionnaire items are required for every tier: want most", all, len(qi))
	}
	for _, id := range []string{
		"ha-approach", "data-classes", "data-protection", "traffic-profile", "scaling-approach",
		"authn-authz", "dependencies", "consumers", "production-support", "cicd-story", "testing-strategy",
	} {
		if _, it := q.Item(id); it == nil {
			t.Errorf("questionnaire has no item %s", id)
		}
	}

	// Ids are unique across both templates (items and areas).
	seen := map[string]paved.TemplateKind{}
	for _, tp := range []*paved.Template{q, c} {
		for _, a := range tp.Areas {
			if k, ok := seen["area:"+a.ID]; ok {
				t.Errorf("area id %s is in the %s and the %s", a.ID, k, tp.Kind)
			}
			seen["area:"+a.ID] = tp.Kind
			for _, it := range a.Items {
				if k, ok := seen[it.ID]; ok {
					t.Errorf("item id %s is in the %s and the %s", it.ID, k, tp.Kind)
				}
				seen[it.ID] = tp.Kind
			}
		}
	}
}

// templateSentences counts sentence ends roughly: ". ", "? ", "! " and the end.
func templateSentences(s string) int {
	s = strings.NewReplacer("e.g.", "eg", "i.e.", "ie", "a.m.", "am.", "p.m.", "pm.").Replace(s)
	n := 0
	for _, sep := range []string{". ", "? ", "! ", ".\n", ".) "} {
		n += strings.Count(s, sep)
	}
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, ")") {
		n++
	}
	return n
}

// TestDefaultEvidence pins the automatic evidence the defaults promise: the
// facts paved holds answer these items.
func TestDefaultEvidence(t *testing.T) {
	l := DefaultLibrary()
	find := func(id string) *paved.TemplateItem {
		for _, k := range paved.TemplateKinds {
			if _, it := l.Current(k).Item(id); it != nil {
				return it
			}
		}
		t.Fatalf("no item %s", id)
		return nil
	}
	for _, w := range []struct {
		item, source, value string
		rules               []string
	}{
		{"runbooks", "catalog-link", "runbook", nil},
		{"dashboards", "catalog-link", "dashboard", nil},
		{"on-call-rotation", "fact", "(pagerduty.escalation_levels >= 2 and pagerduty.oncall.now) or (opsgenie.escalation_levels >= 2 and opsgenie.oncall.now)", nil},
		// Facts (issue 17): what the collectors and pushes observe.
		{"branch-protection", "fact", "(github.branch_protection.required_reviews >= 1 and github.branch_protection.status_checks >= 1) or (gitlab.branch_protection.required_reviews >= 1 and gitlab.branch_protection.pipeline_must_succeed)", nil},
		{"guardrail-checks", "fact", "github.branch_protection.paved_check or gitlab.ci.paved_check", nil},
		{"infrastructure-as-code", "fact", "github.codeowners.infra_enablement or gitlab.codeowners.infra_enablement", nil},
		{"running-replicas", "fact", "kube.replicas.ready_min >= 2", nil},
		{"running-disruption-budget", "fact", "kube.pdb.covered", nil},
		{"running-images", "fact", "kube.images.unapproved == 0", nil},
		{"restore-tested", "fact", "backup.last_restore_test within 180d", nil},
		{"alerting", "catalog-field", "pagerduty.com/service-id", nil},
		{"source-repository", "catalog-link", "repo", nil},
		{"encryption-at-rest", "check-rules", "", []string{"db-storage-encrypted", "ebs-encrypted", "s3-bucket-kms", "dynamodb-kms"}},
		{"multi-az", "check-rules", "", []string{"multi-az-tier1"}},
		{"backups", "check-rules", "", []string{"backup-retention"}},
		{"deletion-protection", "check-rules", "", []string{"deletion-protection"}},
		{"threat-model", "assessment", "security", nil},
		{"load-test", "assessment", "load", nil},
	} {
		it := find(w.item)
		e := it.Evidence
		if e == nil {
			t.Errorf("%s has no evidence rule", w.item)
			continue
		}
		if e.Source != w.source || e.Value != w.value {
			t.Errorf("%s evidence is %s %q, want %s %q", w.item, e.Source, e.Value, w.source, w.value)
		}
		for _, r := range w.rules {
			if !slices.Contains(e.Rules, r) {
				t.Errorf("%s evidence rules %v lack %s", w.item, e.Rules, r)
			}
		}
		if e.Note == "" {
			t.Errorf("%s evidence has no note saying what it shows", w.item)
		}
	}
}

// TestDefaultRuleIDsExist checks every check-rules evidence rule of the
// defaults against the built-in guard rails, read as text from the Rego
// library (the launch package does not import the policy engine).
func TestDefaultRuleIDsExist(t *testing.T) {
	ids := map[string]bool{}
	idLine := regexp.MustCompile(`(?m)^#\s+id:\s*([a-z0-9-]+)\s*$`)
	root := filepath.Join("..", "policy", "rego", "rules")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range idLine.FindAllSubmatch(b, -1) {
			ids[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 20 {
		t.Fatalf("found only %d guard-rail ids under %s: has the METADATA format changed?", len(ids), root)
	}
	n := 0
	for _, k := range paved.TemplateKinds {
		for _, it := range DefaultLibrary().Current(k).Items() {
			if it.Evidence == nil || it.Evidence.Source != evidenceCheckRules {
				continue
			}
			for _, r := range it.Evidence.Rules {
				n++
				if !ids[r] {
					t.Errorf("item %s names guard rail %s, which is not a built-in rule", it.ID, r)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no check-rules evidence in the defaults")
	}
}

func TestDigest(t *testing.T) {
	for _, k := range paved.TemplateKinds {
		tp := DefaultLibrary().Current(k)
		data, err := embeddedTemplates.ReadFile("templates/" + string(k) + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseTemplate("copy.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		if again.Digest != tp.Digest {
			t.Errorf("%s: digest differs between parses", k)
		}
		// The digest does not depend on Source, and survives the JSON
		// round trip a store makes.
		b, err := json.Marshal(tp)
		if err != nil {
			t.Fatal(err)
		}
		var back paved.Template
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		back.Source = "elsewhere"
		if d := templateDigest(&back); d != tp.Digest {
			t.Errorf("%s: digest after a JSON round trip is %s, want %s", k, d, tp.Digest)
		}
		// Any change of content changes the digest.
		back.Areas[0].Items[0].RequiredFor = back.Areas[0].Items[0].RequiredFor[:1]
		if templateDigest(&back) == tp.Digest {
			t.Errorf("%s: digest ignores required tiers", k)
		}
		// Formatting does not: the same content written differently.
		reformatted := bytes.ReplaceAll(data, []byte("\n\n"), []byte("\n"))
		reformatted = append([]byte("# a comment added\n"), reformatted...)
		if r, err := ParseTemplate("r.yaml", reformatted); err != nil || r.Digest != tp.Digest {
			t.Errorf("%s: digest changed with formatting only (err %v)", k, err)
		}
	}
	if DefaultLibrary().Current(paved.KindQuestionnaire).Digest == DefaultLibrary().Current(paved.KindChecklist).Digest {
		t.Error("questionnaire and checklist share a digest")
	}
}

// ---- Parsing ---------------------------------------------------------------

func TestParseTemplate(t *testing.T) {
	data, err := os.ReadFile("testdata/templates/good/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tp, err := ParseTemplate("good/minimal.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if tp.Source != "good/minimal.yaml" {
		t.Errorf("source %q", tp.Source)
	}
	b, err := json.MarshalIndent(tp, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/templates/good/minimal.golden.json", append(b, '\n'))
}

// TestParseTemplateErrors runs every fixture under testdata/templates/bad:
// each must be refused with an EINVALID *paved.Error naming file:line, and
// the messages are pinned in bad/errors.golden.
func TestParseTemplateErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/templates/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("found %d bad fixtures", len(files))
	}
	var out bytes.Buffer
	for _, path := range files {
		name := "bad/" + filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := ParseTemplate(name, data)
		if err == nil {
			t.Errorf("%s: parsed (%d areas), want an error", name, len(tp.Areas))
			continue
		}
		var pe *paved.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %T %v is not a *paved.Error", name, err, err)
			continue
		}
		if pe.Code != paved.EINVALID {
			t.Errorf("%s: code %s, want %s", name, pe.Code, paved.EINVALID)
		}
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `:[1-9][0-9]*$`).MatchString(pe.Field) {
			t.Errorf("%s: error names %q, want %s:LINE", name, pe.Field, name)
		}
		fmt.Fprintf(&out, "%s\n", err)
	}
	testutil.Golden(t, "testdata/templates/bad/errors.golden", out.Bytes())
}

func TestParseTemplateLimits(t *testing.T) {
	valid := func(items string) string {
		return "kind: checklist\nversion: 1\ntitle: T\nareas:\n  - id: a\n    title: A\n    items:\n" + items
	}
	// A "billion laughs" document: each anchor a list of ten aliases of
	// the last. The parser refuses the shape before expanding anything.
	var bomb strings.Builder
	bomb.WriteString("kind: checklist\nversion: 1\ntitle: T\nareas:\n  - id: a\n    title: A\n    items:\n")
	bomb.WriteString("      - id: i\n        title: Q\n        required_for: all\n        guidance: G\n        evidence:\n          source: check-rules\n")
	bomb.WriteString("          rules:\n            - &l0 [r, r, r, r, r, r, r, r, r, r]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&bomb, "            - &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	// Areas aliased many times over: each expansion is counted.
	var wide strings.Builder
	wide.WriteString("kind: checklist\nversion: 1\ntitle: T\nareas:\n  - &a\n    id: a\n    title: A\n    items:\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&wide, "      - {id: i%d, title: Q, required_for: all, guidance: G}\n", i)
	}
	for i := 0; i < 200; i++ {
		wide.WriteString("  - *a\n")
	}
	for _, tc := range []struct {
		name, data, code, want string
	}{
		{"too large", valid("") + "# " + strings.Repeat("x", maxTemplateBytes) + "\n", paved.ETOOLARGE, "larger than"},
		{"alias bomb", bomb.String(), paved.EINVALID, "rules lists a list"},
		{"aliases expanded", wide.String(), paved.EINVALID, "area a appears twice: a YAML alias repeats"},
		{"nested lists", valid("      - id: i\n        title: Q\n        guidance: G\n        required_for: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"), paved.EINVALID, ""},
		{"binary", "\x00\x01\x02kind", paved.EINVALID, "not valid YAML"},
		{"BOM", "\xEF\xBB\xBF" + valid("      - {id: i, title: Q, required_for: all, guidance: G}\n"), "", ""},
		{"no file name", "kind: x", paved.EINVALID, "template:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "limits.yaml"
			if tc.name == "no file name" {
				name = ""
			}
			_, err := ParseTemplate(name, []byte(tc.data))
			if got := paved.ErrorCode(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// TestParseTemplateNodeBudget: a document whose aliases expand past
// maxTemplateNodes is refused, even when every expansion is valid.
func TestParseTemplateNodeBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("kind: checklist\nversion: 1\ntitle: T\nareas:\n  - id: a\n    title: A\n    items:\n")
	b.WriteString("      - id: i0\n        title: Q\n        guidance: G\n        required_for: all\n        evidence:\n          source: check-rules\n          rules: &r [")
	for i := 0; i < 200; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "rule-%d", i)
	}
	b.WriteString("]\n")
	for i := 1; i < 1500; i++ {
		fmt.Fprintf(&b, "      - {id: i%d, title: Q, guidance: G, required_for: all, evidence: {source: check-rules, rules: *r}}\n", i)
	}
	if b.Len() > maxTemplateBytes {
		t.Fatalf("the test document is %d bytes: over the size limit", b.Len())
	}
	_, err := ParseTemplate("budget.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Errorf("err = %v, want the node budget error", err)
	}
	// Without the repetition the same shape parses.
	small := strings.SplitAfterN(b.String(), "\n", 17)
	if _, err := ParseTemplate("small.yaml", []byte(strings.Join(small[:16], ""))); err != nil {
		t.Errorf("a few aliased rule lists are refused: %v", err)
	}
}

// ---- Library ---------------------------------------------------------------

const overrideChecklist = `kind: checklist
version: 2
title: Our checklist
areas:
  - id: basics
    title: Basics
    items:
      - id: deploy-rollback
        title: How do you roll back?
        required_for: [1, 2]
        guidance: Because every change can fail.
`

func templateFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadLibrary(t *testing.T) {
	def := DefaultLibrary()
	q, c := def.Current(paved.KindQuestionnaire), def.Current(paved.KindChecklist)

	t.Run("no folder", func(t *testing.T) {
		for _, dir := range []string{"", filepath.Join(t.TempDir(), "missing")} {
			l, err := LoadLibrary(dir)
			if err != nil || l != def {
				t.Errorf("LoadLibrary(%q) = %v, %v; want the defaults", dir, l, err)
			}
		}
	})
	t.Run("empty folder", func(t *testing.T) {
		l, err := LoadLibrary(templateFiles(t, map[string]string{"README.md": "# templates\n"}))
		if err != nil {
			t.Fatal(err)
		}
		if l.Current(paved.KindQuestionnaire) != q || l.Current(paved.KindChecklist) != c {
			t.Error("an empty folder changed the templates")
		}
	})
	t.Run("override one kind", func(t *testing.T) {
		dir := templateFiles(t, map[string]string{"checklist.yaml": overrideChecklist, "notes.txt": "ignored", "sub/x.yaml": "ignored: true"})
		l, err := LoadLibrary(dir)
		if err != nil {
			t.Fatal(err)
		}
		got := l.Current(paved.KindChecklist)
		if got.Version != 2 || got.Title != "Our checklist" || got.Source != filepath.Join(dir, "checklist.yaml") {
			t.Errorf("checklist = v%d %q from %s", got.Version, got.Title, got.Source)
		}
		if l.Current(paved.KindQuestionnaire) != q {
			t.Error("the questionnaire is not the default")
		}
		if def.Current(paved.KindChecklist) != c {
			t.Error("loading changed the defaults")
		}
	})
	t.Run("any name, kind decides", func(t *testing.T) {
		l, err := LoadLibrary(templateFiles(t, map[string]string{"ops-readiness.yml": overrideChecklist}))
		if err != nil {
			t.Fatal(err)
		}
		if l.Current(paved.KindChecklist).Version != 2 {
			t.Error("the checklist was not replaced")
		}
	})

	for _, tc := range []struct {
		name  string
		files map[string]string
		where string // the file:line the error names, relative to the folder
		want  string
	}{
		{
			name:  "file named for the other kind",
			files: map[string]string{"questionnaire.yaml": overrideChecklist},
			where: "questionnaire.yaml:1", want: "named questionnaire.yaml but says kind: checklist",
		},
		{
			name:  "two of one kind",
			files: map[string]string{"a.yaml": overrideChecklist, "b.yaml": overrideChecklist},
			where: "b.yaml", want: "a second checklist template",
		},
		{
			name:  "malformed override",
			files: map[string]string{"checklist.yaml": strings.Replace(overrideChecklist, "guidance:", "guidanc:", 1)},
			where: "checklist.yaml:11", want: `unknown key "guidanc"`,
		},
		{
			name:  "item id shared with the default questionnaire",
			files: map[string]string{"checklist.yaml": strings.Replace(overrideChecklist, "id: deploy-rollback", "id: dependencies", 1)},
			where: "checklist.yaml:8", want: `item id "dependencies" is also used by the questionnaire (embedded:questionnaire.yaml:`,
		},
		{
			name:  "area id shared with the default questionnaire",
			files: map[string]string{"checklist.yaml": strings.Replace(overrideChecklist, "id: basics", "id: data", 1)},
			where: "checklist.yaml:5", want: `area id "data" is also used by the questionnaire`,
		},
		{
			name: "questionnaire override sharing an id with the default checklist",
			files: map[string]string{"questionnaire.yaml": strings.NewReplacer(
				"kind: checklist", "kind: questionnaire", "id: basics", "id: intro").Replace(overrideChecklist)},
			where: "questionnaire.yaml:8", want: `item id "deploy-rollback" is also used by the checklist (embedded:checklist.yaml:`,
		},
		{
			name:  "too large",
			files: map[string]string{"checklist.yaml": overrideChecklist + "# " + strings.Repeat("x", maxTemplateBytes)},
			where: "checklist.yaml", want: "larger than",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := templateFiles(t, tc.files)
			_, err := LoadLibrary(dir)
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *paved.Error", err)
			}
			if want := filepath.Join(dir, tc.where); pe.Field != want {
				t.Errorf("error names %q, want %q", pe.Field, want)
			}
			if !strings.Contains(pe.Message, tc.want) {
				t.Errorf("message %q does not say %q", pe.Message, tc.want)
			}
		})
	}

	t.Run("not a folder", func(t *testing.T) {
		dir := templateFiles(t, map[string]string{"checklist.yaml": overrideChecklist})
		_, err := LoadLibrary(filepath.Join(dir, "checklist.yaml"))
		if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "must be a folder") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCurrent(t *testing.T) {
	var nilLib *Library
	if nilLib.Current(paved.KindChecklist) != DefaultLibrary().Current(paved.KindChecklist) {
		t.Error("a nil Library is not the defaults")
	}
	if (&Library{}).Current(paved.KindQuestionnaire) != DefaultLibrary().Current(paved.KindQuestionnaire) {
		t.Error("a zero Library is not the defaults")
	}
	if DefaultLibrary().Current("runbook") != nil {
		t.Error("an unknown kind has a template")
	}
}

// ---- Documentation --------------------------------------------------------

const (
	docsPath        = "../../docs/launch-templates.md"
	docsBeginMarker = "<!-- defaults:begin (generated by go test ./internal/launch -run TestDocsListDefaults -update) -->\n"
	docsEndMarker   = "<!-- defaults:end -->\n"
)

// TestDocsListDefaults keeps the item tables of docs/launch-templates.md in
// step with the embedded templates.
func TestDocsListDefaults(t *testing.T) {
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, docsBeginMarker), strings.Index(doc, docsEndMarker)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers around the generated tables", docsPath)
	}
	want := defaultsMarkdown()
	got := doc[i+len(docsBeginMarker) : j]
	if got == want {
		return
	}
	if testutil.Updating() {
		doc = doc[:i+len(docsBeginMarker)] + want + doc[j:]
		if err := os.WriteFile(docsPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the tables in %s are out of date: run go test ./internal/launch -run TestDocsListDefaults -update", docsPath)
}

// defaultsMarkdown lists every item of the defaults: id, question, tiers
// and automatic evidence, one table per area.
func defaultsMarkdown() string {
	var b strings.Builder
	for _, k := range paved.TemplateKinds {
		tp := DefaultLibrary().Current(k)
		per := map[paved.Tier]int{}
		for _, it := range tp.Items() {
			for _, tier := range it.RequiredFor {
				per[tier]++
			}
		}
		fmt.Fprintf(&b, "\n### %s (version %d)\n\n", tp.Title, tp.Version)
		fmt.Fprintf(&b, "%d items in %d areas; required for tier 1: %d, tier 2: %d, tier 3: %d, tier 4: %d.\n",
			len(tp.Items()), len(tp.Areas), per[1], per[2], per[3], per[4])
		for _, a := range tp.Areas {
			fmt.Fprintf(&b, "\n**%s** (`%s`)\n\n", a.Title, a.ID)
			b.WriteString("| id | item | required for | evidence |\n|---|---|---|---|\n")
			for _, it := range a.Items {
				tiers := "optional"
				if len(it.RequiredFor) == 4 {
					tiers = "all"
				} else if len(it.RequiredFor) > 0 {
					s := make([]string, len(it.RequiredFor))
					for i, tier := range it.RequiredFor {
						s[i] = fmt.Sprint(int(tier))
					}
					tiers = strings.Join(s, ", ")
				}
				ev := ""
				if e := it.Evidence; e != nil {
					switch e.Source {
					case evidenceCheckRules:
						ev = "check-rules: " + strings.Join(e.Rules, ", ")
					default:
						ev = e.Source + ": " + e.Value
					}
				}
				title := it.Title
				if it.Form == paved.FormLink {
					title += " *(link)*"
				}
				fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", it.ID, strings.ReplaceAll(title, "|", `\|`), tiers, ev)
			}
		}
	}
	b.WriteString("\n")
	return b.String()
}
