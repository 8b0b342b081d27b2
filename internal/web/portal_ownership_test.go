package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/ownership"
)

// cellRole reads the RACI letters of one matrix cell.
func cellRole(t testing.TB, body, concern, ref string) string {
	t.Helper()
	marker := `id="cell-` + concern + `-` + ref + `" data-role="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no cell %s/%s on the page", concern, ref)
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}

func TestPortalOwnership(t *testing.T) {
	f := newLaunchFixture(t)
	viewer, admin := f.user(t, "bob"), f.user(t, "root")

	resp, body := viewer.pc.get("/ownership")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /ownership = %d", resp.StatusCode)
	}
	wantUniqueIDs(t, "/ownership", body)
	if got := cellRole(t, body, "base-images", "cloud-engineering"); got != "RA" {
		t.Errorf("base-images/cloud-engineering = %q", got)
	}
	if got := cellRole(t, body, "base-images", "security"); got != "C" {
		t.Errorf("base-images/security = %q", got)
	}
	if strings.Contains(body, "<select") || strings.Contains(body, `action="/ownership/concerns/`) {
		t.Error("a viewer gets the edit forms")
	}
	// The test catalog has no cloud-engineering team: the page says so.
	if !strings.Contains(body, `team &#34;cloud-engineering&#34; is not in the catalog`) || !strings.Contains(body, `id="gaps"`) {
		t.Error("problems or gaps missing")
	}
	if !strings.Contains(body, `<a href="/ownership" aria-current="page">Ownership</a>`) {
		t.Error("no navigation entry")
	}

	_, body = admin.pc.get("/ownership")
	wantUniqueIDs(t, "/ownership (admin)", body)
	if !strings.Contains(body, `<select id="role-backups-security" name="role-security" form="form-backups">`) {
		t.Fatal("the admin has no cell selects")
	}

	// A viewer cannot post; nobody can without CSRF.
	before, _ := f.ownershipOf(t, "backups")
	if resp, _ := viewer.post("/ownership/concerns/backups", url.Values{"role-security": {"R"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer edit = %d", resp.StatusCode)
	}
	if resp, _ := admin.pc.post("/ownership/concerns/backups", url.Values{"role-security": {"R"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("edit without CSRF = %d", resp.StatusCode)
	}
	// Two owners: refused inline, the choices kept, nothing stored.
	resp, body = admin.post("/ownership/concerns/backups", url.Values{"role-security": {"R"}, "role-platform": {"R"}, "reason": {"two"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="error-backups">backups has 2 owners (platform, security): one owner is required`) ||
		!strings.Contains(body, `value="two"`) {
		t.Errorf("two owners = %d\n%s", resp.StatusCode, body[strings.Index(body, "<main"):])
	}
	// An unknown team is refused by the service.
	resp, body = admin.post("/ownership/concerns/backups", url.Values{"role-nobody": {"R"}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `team &#34;nobody&#34; is not in the catalog`) {
		t.Errorf("unknown team = %d", resp.StatusCode)
	}
	if after, _ := f.ownershipOf(t, "backups"); after.Owner != before.Owner || after.Edit != nil {
		t.Fatalf("a refused edit changed the map: %+v", after)
	}

	// A good edit: security owns backups, the product team is consulted.
	resp, body = admin.follow("/ownership/concerns/backups", url.Values{"role-security": {"R"}, "role-product-team": {"C"}, "role-platform": {"I"}, "reason": {"one backup team"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Changes saved.") {
		t.Fatalf("edit = %d", resp.StatusCode)
	}
	if got := cellRole(t, body, "backups", "security") + "/" + cellRole(t, body, "backups", paved.ProductTeam) + "/" + cellRole(t, body, "backups", "platform"); got != "RA/C/I" {
		t.Errorf("backups row after the edit = %s", got)
	}
	if !strings.Contains(body, `id="edited-backups">edited by root`) {
		t.Error("no edited badge")
	}
	c, _ := f.ownershipOf(t, "backups")
	if c.Owner != "security" || c.Edit == nil || c.Edit.Reason != "one backup team" {
		t.Errorf("stored edit %+v", c)
	}

	// The export carries it.
	resp, body = viewer.pc.get("/ownership/export")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/yaml" || !strings.Contains(resp.Header.Get("Content-Disposition"), "ownership.yaml") {
		t.Fatalf("export = %d %v", resp.StatusCode, resp.Header)
	}
	if m, err := ownership.Parse("export", []byte(body)); err != nil || m.Concern("backups").Owner != "security" {
		t.Errorf("export: %v", err)
	}

	// Reset to the file.
	resp, body = admin.follow("/ownership/concerns/backups/reset", nil)
	if resp.StatusCode != 200 || cellRole(t, body, "backups", paved.ProductTeam) != "RA" || strings.Contains(body, `id="edited-backups"`) {
		t.Errorf("reset = %d", resp.StatusCode)
	}
	if resp, _ := viewer.post("/ownership/concerns/backups/reset", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer reset = %d", resp.StatusCode)
	}

	// Shared-responsibility pages.
	resp, body = viewer.pc.get("/ownership/responsibilities")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/ownership/responsibilities/aws_dynamodb_table"`) {
		t.Errorf("responsibilities index = %d", resp.StatusCode)
	}
	resp, body = viewer.pc.get("/ownership/responsibilities/aws_dynamodb_table")
	if resp.StatusCode != 200 || !strings.Contains(body, "<code>point_in_time_recovery.enabled = true</code>") ||
		!strings.Contains(body, `href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html"`) {
		t.Errorf("dynamodb table = %d", resp.StatusCode)
	}
	wantUniqueIDs(t, "/ownership/responsibilities/aws_dynamodb_table", body)
	if resp, _ := viewer.pc.get("/ownership/responsibilities/aws_nope"); resp.StatusCode != 404 {
		t.Errorf("unknown type = %d", resp.StatusCode)
	}
}

// ownershipOf reads a concern of the effective map as the server sees it.
func (f *launchFixture) ownershipOf(t testing.TB, concern string) (*ownership.Concern, error) {
	t.Helper()
	s := &ownership.Service{Store: f.db}
	m, _, err := s.Effective(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m.Concern(concern), nil
}

// TestPortalConsiderations: a check with resources puts the concerns they
// raise on the service page and the launch page.
func TestPortalConsiderations(t *testing.T) {
	f := newLaunchFixture(t)
	alice := f.user(t, "alice")
	_, body := alice.pc.get("/services/checkout-api")
	if strings.Contains(body, `id="considerations"`) {
		t.Error("considerations without a check")
	}
	rec := &paved.CheckRecord{Service: "checkout-api", Resources: []*paved.CheckResource{
		{Address: "aws_dynamodb_table.carts", Type: "aws_dynamodb_table", Action: "create", After: map[string]any{
			"billing_mode": "PROVISIONED", "point_in_time_recovery": []any{map[string]any{"enabled": false}}, "replica": []any{}}},
	}}
	if err := f.db.RecordCheck(f.as(t, "alice"), rec); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/services/checkout-api", "/services/checkout-api/launch"} {
		resp, body := alice.pc.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s = %d", path, resp.StatusCode)
		}
		wantUniqueIDs(t, path, body)
		for _, want := range []string{`id="considerations"`, "<code>aws_dynamodb_table.carts</code>", "point-in-time restore",
			"the vendor once point_in_time_recovery.enabled = true", "NOT enabled: point_in_time_recovery.enabled = false",
			`<a href="/teams/payments">payments</a>`, `href="/ownership/responsibilities/aws_dynamodb_table"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
	}
}
