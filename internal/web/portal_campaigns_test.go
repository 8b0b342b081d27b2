package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/platform"
)

// campaignFixture is the portal fixture served on a platform snapshot
// with the owner-tag campaign: checkout-api's bucket lacks the tag,
// search-api's has it.
type campaignFixture struct {
	*portalFixture
	snap   *platform.Snapshot
	status atomic.Pointer[paved.ConfigStatus]
}

func newCampaignFixture(t testing.TB) *campaignFixture {
	t.Helper()
	f := &campaignFixture{portalFixture: newPortalFixture(t)}
	f.snap = loadSnapshot(t, writeConfigDir(t, "Acme Corp", ""))
	st := paved.ConfigStatus{Dir: "/etc/paved", Version: f.snap.Version.String(), LoadedAt: campaignClock}
	f.status.Store(&st)
	srv, err := NewServer(Config{App: testApp(t, f.snap, f.db, func() time.Time { return campaignClock }), Version: "v0.0.0-test",
		Now: func() time.Time { return campaignClock }, ConfigStatus: func() paved.ConfigStatus { return *f.status.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(f.srv.Close)
	recordResources(t, f.db, "checkout-api", "", "0123456789abcdef@0123456789ab")
	recordResources(t, f.db, "search-api", "search", f.snap.Version.String())
	// Two days of progress.
	for _, at := range []time.Time{campaignClock.Add(-24 * time.Hour), campaignClock} {
		if _, err := platform.RunCampaigns(context.Background(), f.db, f.snap, at); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestPortalCampaigns(t *testing.T) {
	f := newCampaignFixture(t)
	pc := f.client(t)
	pc.signin(f.tokens["dave"]) // a developer of search
	resp, body := pc.get("/campaigns")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /campaigns = %d", resp.StatusCode)
	}
	wantUniqueIDs(t, "/campaigns", body)
	for _, want := range []string{
		`<a href="/campaigns" aria-current="page">Campaigns</a>`,
		`id="require-owner-tag"`,
		`blocks from 2030-01-01`, `31 days left`,
		`1 of 2 services would fail it today (1 resource); 50% ready.`,
		`<a href="/services/checkout-api">checkout-api</a>`,
		`aws_s3_bucket.checkout_api has no owner tag (enforced from 2030-01-01)`,
		`Progress over time (2 days)`,
		`Announced to owners: 1 at the start.`,
		`Add an owner tag.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("campaigns page lacks %q", want)
		}
	}
	if strings.Contains(body, `<a href="/services/search-api">`) {
		t.Error("a passing service is listed")
	}
	if strings.Contains(body, `id="config-banner"`) {
		t.Error("a banner without a refused config")
	}
}

func TestPortalConfigBannerAndDrift(t *testing.T) {
	f := newCampaignFixture(t)
	now := campaignClock
	st := *f.status.Load()
	st.Error, st.ErrorVersion, st.ErrorAt, st.Errors = "policies/broken.rego:5:1: unexpected } token", "fedcba9876543210", &now, 1
	f.status.Store(&st)

	admin, viewer := f.client(t), f.client(t)
	admin.signin(f.tokens["root"])
	viewer.signin(f.tokens["bob"])
	_, body := admin.get("/services")
	if !strings.Contains(body, `id="config-banner"`) || !strings.Contains(body, "policies/broken.rego:5:1: unexpected } token") ||
		!strings.Contains(body, "<code>/etc/paved</code>") || !strings.Contains(body, "fedcba9876543210") {
		t.Errorf("the admin sees no banner:\n%s", body[strings.Index(body, "<main"):][:600])
	}
	if _, body := viewer.get("/services"); strings.Contains(body, `id="config-banner"`) || strings.Contains(body, "broken.rego") {
		t.Error("a viewer sees the refused config")
	}

	// The service page says when the latest check ran against another
	// config than the server's.
	_, body = viewer.get("/services/checkout-api")
	if !strings.Contains(body, `id="latest-check"`) || !strings.Contains(body, `id="config-drift"`) ||
		!strings.Contains(body, "against config <code>0123456789abcdef@0123456789ab</code>") || !strings.Contains(body, f.snap.Version.String()) {
		t.Errorf("no drift note on checkout-api:\n%s", section(body, "latest-check"))
	}
	_, body = viewer.get("/services/search-api")
	if !strings.Contains(body, `id="latest-check"`) || strings.Contains(body, `id="config-drift"`) {
		t.Errorf("search-api's check ran with the server's config:\n%s", section(body, "latest-check"))
	}
}

// section returns the HTML from the element with id on, for messages.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return "(no #" + id + ")"
	}
	return body[i:min(len(body), i+800)]
}
