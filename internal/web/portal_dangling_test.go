package web

import (
	"context"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestPortalDanglingReferences: a team that the catalog only refers to (a
// placeholder kept by an import) is shown as not defined on its own page,
// on the page of the team it parents and on the page of the service it owns.
func TestPortalDanglingReferences(t *testing.T) {
	f := newPortalFixture(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "seed"})
	if err := f.db.ApplyImport(ctx, &paved.ImportPlan{
		Teams: []*paved.Team{
			{Name: "radio", Namespace: "music", Kind: paved.KindProduct, Placeholder: true},
			{Name: "podcasts", Kind: paved.KindProduct, Parent: "radio", Type: "team"},
		},
		Services: []*paved.Service{{Name: "stations", Owner: "radio", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground}},
	}); err != nil {
		t.Fatal(err)
	}
	pc := f.client(t)
	pc.signin(f.tokens["alice"])
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/teams/radio", []string{`id="undefined"`, "No Group in the catalog defines this team", "<code>group:music/radio</code>", "No members.", `href="/services/stations"`}},
		{"/teams/podcasts", []string{`href="/teams/radio"`, `id="parent-undefined"`}},
		{"/services/stations", []string{`id="owner"`, `id="owner-undefined"`}},
	} {
		resp, body := pc.get(c.path)
		wantPageStatus(t, resp, body, 200)
		wantPageContains(t, body, c.want...)
	}
	for _, path := range []string{"/teams/payments", "/teams/commerce", "/services/checkout-api"} {
		if _, body := pc.get(path); strings.Contains(body, "not defined") {
			t.Errorf("%s marks a defined team as not defined", path)
		}
	}
	// Nobody is a member of the placeholder: a developer cannot edit its
	// service.
	if _, body := pc.get("/services/stations"); strings.Contains(body, `href="/services/stations/edit"`) {
		t.Error("a developer outside the (undefined) owner team may edit its service")
	}
}
