package ownership

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// orgTeams is an organisation with one team of each enablement kind and
// two product teams, named unlike their kinds (as the demo's are).
func orgTeams() []*paved.Team {
	return []*paved.Team{
		{Name: "devprod", Title: "Developer Productivity", Kind: paved.KindDeveloperProductivity},
		{Name: "platform", Title: "Platform Engineering", Kind: paved.KindInfrastructure},
		{Name: "cloud", Title: "Cloud Engineering", Kind: paved.KindCloud},
		{Name: "sre", Title: "Site Reliability", Kind: paved.KindReliability},
		{Name: "security", Title: "Security Engineering", Kind: paved.KindSecurity},
		{Name: "payments", Title: "Payments", Kind: paved.KindProduct},
		{Name: "search", Title: "Search", Kind: paved.KindProduct},
	}
}

func TestDefaultMap(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m.Source != SourceEmbedded {
		t.Errorf("source %q", m.Source)
	}
	var layers []string
	for _, l := range m.Layers {
		layers = append(layers, l.ID)
	}
	if got := strings.Join(layers, " "); got != "delivery platform cloud-foundation security data operations" {
		t.Errorf("layers: %s", got)
	}
	// The concerns the issue names, each with an owner.
	for _, id := range []string{"base-images", "machine-images", "patching-os", "patching-runtime", "patching-managed-services",
		"certificates", "network", "logging-agents", "intrusion-detection", "siem", "cloud-accounts", "billing-visibility",
		"ci-cd", "artifact-repositories", "docs-portal", "onboarding", "clusters", "load-balancing", "logging", "monitoring",
		"deployments", "service-to-service", "instrumentation-standards", "incident-response", "on-call",
		"high-availability", "disaster-recovery", "backups", "point-in-time-restore", "encryption-at-rest",
		"encryption-in-transit", "secrets", "scaling", "capacity", "service-monitoring"} {
		c := m.Concern(id)
		if c == nil {
			t.Errorf("default map lacks %s", id)
			continue
		}
		if c.Owner == "" {
			t.Errorf("%s has no owner", id)
		}
	}
	// Every table concern is a map concern, so team rows have an owner.
	for _, id := range TableConcerns {
		if m.Concern(id) == nil {
			t.Errorf("table concern %s is not in the default map", id)
		}
	}
	// The organisation of the issue: who owns what.
	want := map[string]string{
		"ci-cd": "developer-productivity", "clusters": "infrastructure-engineering", "base-images": "cloud-engineering",
		"siem": "cloud-engineering", "incident-response": "reliability", "on-call": paved.ProductTeam,
		"backups": paved.ProductTeam, "security-assessments": "security",
	}
	for id, owner := range want {
		if got := m.Concern(id).Owner; got != owner {
			t.Errorf("%s owned by %s, want %s", id, got, owner)
		}
	}
	if ps := Validate(m, NewTeams(orgTeams())); len(ps) != 0 {
		t.Errorf("the default map has problems against a typical catalog: %+v", ps)
	}
}

func TestResolve(t *testing.T) {
	teams := orgTeams()
	teams = append(teams, &paved.Team{Name: "sec-a", Kind: paved.KindSecurity}, &paved.Team{Name: "old", Kind: paved.KindCloud, RetiredAt: &time0})
	tm := NewTeams(teams)
	for _, tc := range []struct{ ref, want, err string }{
		{"cloud", "cloud", ""},
		{"cloud-engineering", "cloud", ""}, // the retired team of the same kind does not count
		{"payments", "payments", ""},
		{paved.ProductTeam, "", ""},
		{"security", "security", ""}, // a name wins over a kind
		{"reliability", "sre", ""},
		{"product", "", `team "product" is not in the catalog`},
		{"old", "", `team "old" is not in the catalog`},
		{"paymnets", "", `did you mean "payments"?`},
	} {
		got, err := tm.Resolve(tc.ref)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want %q", tc.ref, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.ref, err)
		case (got == nil) != (tc.want == "") || (got != nil && got.Name != tc.want):
			t.Errorf("%s resolved to %v, want %q", tc.ref, got, tc.want)
		}
	}
	two := NewTeams(append(orgTeams(), &paved.Team{Name: "cloud-2", Kind: paved.KindCloud}))
	if _, err := two.Resolve("cloud-engineering"); err == nil || !strings.Contains(err.Error(), "2 teams have (cloud, cloud-2)") {
		t.Errorf("ambiguous kind: %v", err)
	}
}

// TestParseErrors holds the parser's messages for bad files
// (testdata/bad/*.yaml) to testdata/bad.golden.
func TestParseErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(filepath.Base(f), data)
		if err == nil {
			t.Errorf("%s: parsed without error", f)
			continue
		}
		if paved.ErrorCode(err) != paved.EINVALID && paved.ErrorCode(err) != paved.ETOOLARGE {
			t.Errorf("%s: code %s", f, paved.ErrorCode(err))
		}
		out.WriteString(err.Error() + "\n")
	}
	testutil.Golden(t, "testdata/bad.golden", []byte(out.String()))
}

func TestParseGood(t *testing.T) {
	src := `version: 1
layers:
  - id: data
    concerns:
      - id: backups            # standard: title from the default
        owner: [dba]           # a list of one is one owner
        consulted: sre         # a single name is a list of one
      - id: data-retention
        title: Data retention
        owner: legal
        accountable: legal     # the same as the owner: allowed
  - id: people
    title: People
    concerns:
      - id: hiring
        title: Hiring
`
	m, err := Parse("ownership.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b := m.Concern("backups")
	if b.Title != "Backups" || b.Owner != "dba" || len(b.Consulted) != 1 || b.Consulted[0] != "sre" || b.Line != 5 || b.Layer != "data" {
		t.Errorf("backups: %+v", b)
	}
	if m.Layer("data").Title != "Data" {
		t.Errorf("layer title from the default: %q", m.Layer("data").Title)
	}
	if r := m.Concern("data-retention").Role("legal"); r != "RA" {
		t.Errorf("legal's role %q", r)
	}
	if r := b.Role("dba"); r != "RA" {
		t.Errorf("dba's role %q, want RA (no other accountable team)", r)
	}
	if r := b.Role("sre"); r != "C" {
		t.Errorf("sre's role %q", r)
	}
	ps := Validate(m, NewTeams([]*paved.Team{{Name: "dba", Kind: paved.KindProduct}, {Name: "sre", Kind: paved.KindReliability}}))
	var msgs []string
	for _, p := range ps {
		msgs = append(msgs, p.Severity+" "+p.Where+" "+p.Message)
	}
	want := []string{
		`error ownership.yaml:8 concern data-retention, owner: team "legal" is not in the catalog: name a catalog team (paved team list), a team kind that exactly one team has, or product-team`,
		`error ownership.yaml:8 concern data-retention, accountable: team "legal" is not in the catalog: name a catalog team (paved team list), a team kind that exactly one team has, or product-team`,
		`warning ownership.yaml:15 concern hiring has no owner: name the team responsible for it`,
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoad(t *testing.T) {
	m, err := Load("")
	if err != nil || m.Source != SourceEmbedded {
		t.Fatalf("Load(\"\"): %v %v", m, err)
	}
	m, err = Load(filepath.Join(t.TempDir(), "ownership.yaml"))
	if err != nil || m.Source != SourceEmbedded {
		t.Fatalf("missing file: %v %v", m, err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "must be a file") {
		t.Errorf("a folder: %v", err)
	}
	p := filepath.Join(t.TempDir(), "ownership.yaml")
	os.WriteFile(p, []byte("version: 1\nlayers:\n  - id: x\n    title: X\n    concerns:\n      - id: backups\n        owner: sre\n"), 0o644)
	m, err = Load(p)
	if err != nil || m.Source != p || len(m.Concerns()) != 1 {
		t.Fatalf("file: %+v %v", m, err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	m := MustDefault()
	eff, stale := Apply(m, []*paved.OwnershipEdit{
		{Concern: "backups", Owner: "sre", Consulted: []string{paved.ProductTeam}, Informed: []string{}, UpdatedBy: "admin"},
		{Concern: "gone", Owner: "sre"},
	})
	if len(stale) != 1 || stale[0].Concern != "gone" {
		t.Errorf("stale: %+v", stale)
	}
	if m.Concern("backups").Owner != paved.ProductTeam {
		t.Fatal("Apply changed the shared default")
	}
	b, err := Marshal(eff, "exported\nfor a test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# exported\n# for a test\nversion: 1\n") {
		t.Errorf("header: %.60q", b)
	}
	back, err := Parse("export.yaml", b)
	if err != nil {
		t.Fatalf("the export does not parse: %v\n%s", err, b)
	}
	strip := func(m *Map) *Map {
		m = m.Clone()
		m.Source = ""
		for _, c := range m.Concerns() {
			c.Line, c.Edit = 0, nil
		}
		return m
	}
	if got, want := dump(strip(back)), dump(strip(eff)); got != want {
		t.Errorf("round trip differs:\n%s\nwant\n%s", got, want)
	}
	if back.Concern("backups").Owner != "sre" {
		t.Errorf("the edit is not exported")
	}
}

func dump(m *Map) string {
	b, _ := Marshal(m, "")
	return string(b)
}

func TestCheckEdit(t *testing.T) {
	m := MustDefault()
	teams := NewTeams(orgTeams())
	for _, tc := range []struct {
		e    paved.OwnershipEdit
		want string
	}{
		{paved.OwnershipEdit{Concern: "backups", Owner: "sre", Consulted: []string{" security ", ""}}, ""},
		{paved.OwnershipEdit{Concern: "backups", Owner: ""}, ""}, // deliberately unowned
		{paved.OwnershipEdit{Concern: "bakups", Owner: "sre"}, `concern: unknown concern "bakups": the ownership map has no such concern (paved ownership show lists them); did you mean "backups"?`},
		{paved.OwnershipEdit{Concern: "backups", Owner: "nobody"}, `owner: team "nobody" is not in the catalog`},
		{paved.OwnershipEdit{Concern: "backups", Owner: "bad name"}, `owner: name "bad name" is not valid`},
		{paved.OwnershipEdit{Concern: "backups", Owner: "sre", Consulted: []string{"sre"}}, `concern "backups" names sre both as owner and as consulted`},
		{paved.OwnershipEdit{Concern: "backups", Owner: "sre", Informed: []string{"cloud", "cloud"}}, `informed names cloud twice`},
	} {
		e := tc.e
		err := CheckEdit(m, teams, &e)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tc.e, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.e, err, tc.want)
		}
	}
	e := paved.OwnershipEdit{Concern: " backups ", Owner: "sre", Accountable: "sre", Consulted: []string{" security ", ""}}
	if err := CheckEdit(m, teams, &e); err != nil || e.Concern != "backups" || e.Accountable != "" || len(e.Consulted) != 1 || e.Consulted[0] != "security" {
		t.Errorf("normalised: %+v %v", e, err)
	}
}

var time0 = time.Time{}
