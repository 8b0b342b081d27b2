package catalog

import (
	"bytes"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// exportCatalog is the sample organisation as imported, plus what only
// paved produces: entities created without Backstage (no type, no
// lifecycle), retirements, a service that passed the launch gate, a
// grandfathered service that was later retired.
func exportCatalog(t *testing.T) *paved.Catalog {
	t.Helper()
	r, err := Load([]string{"testdata/sample/all.yaml"}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := apply(&paved.Catalog{}, Plan(nil, r, DefaultOptions()))
	retired := time.Date(2026, 2, 3, 4, 5, 6, 789, time.UTC)
	c.Teams = append(c.Teams,
		&paved.Team{ID: 501, Name: "made-in-paved", Kind: paved.KindReliability, Parent: "platform-group", Namespace: "ops",
			Tags: []string{"sre"}, Links: []paved.Link{{URL: "https://oncall.example", Title: "On call", Icon: "alert", Type: "on-call"}},
			Annotations: map[string]string{"example.com/cost-centre": "42"}},
		&paved.Team{ID: 502, Name: "disbanded", Kind: paved.KindProduct, Type: "team", RetiredAt: &retired},
	)
	c.Users = append(c.Users,
		&paved.User{ID: 601, Name: "left", DisplayName: "Left Us", Teams: []string{"disbanded"}, RetiredAt: &retired, Roles: []paved.Role{paved.RoleViewer}},
		&paved.User{ID: 602, Name: "no-teams", Roles: []paved.Role{paved.RoleAdmin}},
	)
	c.Services = append(c.Services,
		&paved.Service{ID: 701, Name: "bare", Owner: "made-in-paved", Tier: 2, DataClass: paved.DataPublic, Phase: paved.PhaseGreenLight},
		&paved.Service{ID: 702, Name: "launched", Owner: "cloud", Type: "service", Lifecycle: "experimental", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhaseProduction},
		&paved.Service{ID: 703, Name: "old-timer", Owner: "disbanded", Type: "service", Lifecycle: "production", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhaseRetired, Grandfathered: true},
	)
	return c
}

// TestExportRoundTrip: an export planned against the catalog it came from
// changes nothing, and into an empty catalog recreates it (roles aside:
// an import never grants roles).
func TestExportRoundTrip(t *testing.T) {
	c := exportCatalog(t)
	var buf bytes.Buffer
	if err := Export(&buf, c); err != nil {
		t.Fatal(err)
	}
	files := []File{{Name: "export.yaml", Data: buf.Bytes()}}

	same := Plan(c, LoadFiles(files, DefaultOptions()), DefaultOptions())
	for _, e := range same.Entries {
		if e.Outcome != paved.OutcomeUnchanged {
			t.Errorf("%s %s: %s %v %s", e.Kind, e.Name, e.Outcome, e.Changes, e.Reason)
		}
	}
	// A placeholder team (only referred to) has no Group in the export: the
	// references to it are, and importing them keeps it.
	placeholders := 0
	for _, tm := range c.Teams {
		if tm.Placeholder {
			placeholders++
		}
	}
	if placeholders == 0 {
		t.Error("the sample has no dangling reference: the round trip of placeholders is untested")
	}
	if n := len(same.Entries); n != len(c.Teams)-placeholders+len(c.Users)+len(c.Services) {
		t.Errorf("%d entries for %d entities", n, len(c.Teams)-placeholders+len(c.Users)+len(c.Services))
	}

	fresh := Plan(nil, LoadFiles(files, DefaultOptions()), DefaultOptions())
	for _, e := range fresh.Entries {
		if e.Outcome != paved.OutcomeCreated {
			t.Errorf("into an empty catalog, %s %s: %s %s", e.Kind, e.Name, e.Outcome, e.Reason)
		}
	}
	got, want := comparable(apply(&paved.Catalog{}, fresh)), comparable(c)
	if !reflect.DeepEqual(got, want) {
		for i := range want.Services {
			if i < len(got.Services) && !reflect.DeepEqual(got.Services[i], want.Services[i]) {
				t.Errorf("service:\n got %+v\nwant %+v", got.Services[i], want.Services[i])
			}
		}
		for i := range want.Teams {
			if i < len(got.Teams) && !reflect.DeepEqual(got.Teams[i], want.Teams[i]) {
				t.Errorf("team:\n got %+v\nwant %+v", got.Teams[i], want.Teams[i])
			}
		}
		for i := range want.Users {
			if i < len(got.Users) && !reflect.DeepEqual(got.Users[i], want.Users[i]) {
				t.Errorf("user:\n got %+v\nwant %+v", got.Users[i], want.Users[i])
			}
		}
		t.Error("the export did not recreate the catalog")
	}
}

// comparable drops what the store assigns (IDs, times, derived lists) and
// roles, and sorts, so that two catalogs compare by content.
func comparable(c *paved.Catalog) *paved.Catalog {
	out := &paved.Catalog{}
	for _, t := range c.Teams {
		x := *cloneTeam(t)
		x.ID, x.Members, x.Children, x.Services = 0, nil, nil, 0
		out.Teams = append(out.Teams, &x)
	}
	for _, u := range c.Users {
		x := *cloneUser(u)
		x.ID, x.Roles = 0, nil
		sort.Strings(x.Teams)
		out.Users = append(out.Users, &x)
	}
	for _, s := range c.Services {
		x := *cloneService(s)
		x.ID = 0
		out.Services = append(out.Services, &x)
	}
	sort.Slice(out.Teams, func(i, j int) bool { return out.Teams[i].Name < out.Teams[j].Name })
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].Name < out.Users[j].Name })
	sort.Slice(out.Services, func(i, j int) bool { return out.Services[i].Name < out.Services[j].Name })
	return out
}

// TestExportGolden shows what an export looks like.
func TestExportGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(&buf, exportCatalog(t)); err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/export.golden.yaml", buf.Bytes())
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestExportWriteError(t *testing.T) {
	err := Export(failWriter{}, exportCatalog(t))
	if err == nil || !strings.HasPrefix(err.Error(), "catalog export: ") || !strings.HasSuffix(err.Error(), "disk full") {
		t.Errorf("err = %v", err)
	}
}
