package web

import (
	"encoding/json"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/ownership"
)

// seedOwnershipEdit reassigns backups to sec, as an admin would.
func seedOwnershipEdit(e *apiEnv) {
	_, err := e.srv.ownership.Edit(e.actingAs("admin"), &paved.OwnershipEdit{Concern: "backups", Owner: "sec"})
	e.must(err)
}

// seedCheckResources records a check of svc-alpha with an RDS instance
// that keeps backups but is not encrypted.
func seedCheckResources(e *apiEnv) {
	c := &paved.CheckRecord{Service: "svc-alpha", Commit: "abc123", ResourceTypes: map[string]int{"aws_db_instance": 1},
		Resources: []*paved.CheckResource{{Address: "aws_db_instance.main", Type: "aws_db_instance", Action: "create",
			After: map[string]any{"backup_retention_period": 7, "storage_encrypted": false, "multi_az": true, "password": paved.SensitiveValue}}}}
	e.must(e.db.RecordCheck(e.actingAs("dev-alpha"), c))
}

func TestAPIOwnership(t *testing.T) {
	e := newAPIEnv(t)
	get := func(target string, want int) string {
		t.Helper()
		rec := e.as("viewer", "GET", target, "")
		if rec.Code != want {
			t.Fatalf("GET %s = %d %s, want %d", target, rec.Code, rec.Body.String(), want)
		}
		return rec.Body.String()
	}

	// The map, filtered by concern and by team; the test catalog has none
	// of the default's enablement teams but sec (security): the others are
	// problems.
	var v ownership.View
	json.Unmarshal([]byte(get("/api/v1/ownership", 200)), &v)
	if v.Source != "embedded" || len(v.Layers) != 6 || len(v.Problems) == 0 {
		t.Fatalf("map: %s %d layers %d problems", v.Source, len(v.Layers), len(v.Problems))
	}
	json.Unmarshal([]byte(get("/api/v1/ownership?concern=backups", 200)), &v)
	if len(v.Layers) != 1 || len(v.Layers[0].Concerns) != 1 || v.Layers[0].Concerns[0].Owner != paved.ProductTeam {
		t.Fatalf("backups: %+v", v.Layers)
	}
	json.Unmarshal([]byte(get("/api/v1/ownership?team=sec", 200)), &v)
	for _, l := range v.Layers {
		for _, c := range l.Concerns {
			if c.Role("security") == "" {
				t.Errorf("team filter let %s through", c.ID)
			}
		}
	}
	if b := get("/api/v1/ownership?concern=bakups", 404); !strings.Contains(b, `did you mean \"backups\"`) {
		t.Errorf("unknown concern: %s", b)
	}
	get("/api/v1/ownership?team=nobody", 404)
	get("/api/v1/ownership?colour=red", 400)

	// Admin edits: checked in full, stored, exported, reset.
	for _, tc := range []struct {
		body string
		code int
		want string
	}{
		{`{"owner":"nobody"}`, 404, `team \"nobody\" is not in the catalog`},
		{`{"owner":"sec","consulted":["sec"]}`, 400, "both as owner and as consulted"},
		{`{"owner":"sec","colour":"red"}`, 400, "colour"},
	} {
		rec := e.as("admin", "PUT", "/api/v1/ownership/concerns/backups", tc.body)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("PUT %s = %d %s, want %d %q", tc.body, rec.Code, rec.Body.String(), tc.code, tc.want)
		}
	}
	if rec := e.as("admin", "PUT", "/api/v1/ownership/concerns/nope", `{"owner":"sec"}`); rec.Code != 404 {
		t.Errorf("unknown concern: %d", rec.Code)
	}
	if rec := e.as("reviewer", "PUT", "/api/v1/ownership/concerns/backups", `{"owner":"sec"}`); rec.Code != 403 {
		t.Errorf("reviewer edits: %d", rec.Code)
	}
	rec := e.as("admin", "PUT", "/api/v1/ownership/concerns/backups", `{"owner":"sec","informed":["alpha"],"reason":"one backup team"}`)
	if rec.Code != 200 {
		t.Fatalf("edit: %d %s", rec.Code, rec.Body.String())
	}
	var c ownership.Concern
	json.Unmarshal(rec.Body.Bytes(), &c)
	if c.Owner != "sec" || c.Edit == nil || c.Edit.UpdatedBy != "admin" || c.Edit.Reason != "one backup team" || c.Title != "Backups" {
		t.Fatalf("edited concern %+v", c)
	}
	exp := e.as("viewer", "GET", "/api/v1/ownership/export", "")
	if exp.Code != 200 || exp.Header().Get("Content-Type") != "application/yaml" || !strings.Contains(exp.Header().Get("Content-Disposition"), "ownership.yaml") {
		t.Fatalf("export: %d %v", exp.Code, exp.Header())
	}
	back, err := ownership.Parse("export", exp.Body.Bytes())
	if err != nil || back.Concern("backups").Owner != "sec" || back.Concern("backups").Informed[0] != "alpha" {
		t.Fatalf("export does not parse back with the edit: %v", err)
	}
	if rec := e.as("admin", "DELETE", "/api/v1/ownership/concerns/backups", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"owner":"product-team"`) {
		t.Errorf("reset: %d %s", rec.Code, rec.Body.String())
	}
	if rec := e.as("admin", "DELETE", "/api/v1/ownership/concerns/backups", ""); rec.Code != 404 {
		t.Errorf("second reset: %d", rec.Code)
	}

	// Responsibilities.
	if b := get("/api/v1/ownership/responsibilities", 200); !strings.Contains(b, `"google_container_cluster"`) {
		t.Errorf("tables: %.200s", b)
	}
	if b := get("/api/v1/ownership/responsibilities/aws_rds_cluster", 200); !strings.Contains(b, `"storage_encrypted = true"`) {
		t.Errorf("aurora: %.200s", b)
	}
	get("/api/v1/ownership/responsibilities/aws_nope", 404)

	// A service's considerations and check resources.
	get("/api/v1/services/svc-alpha/check-resources", 404)
	if b := get("/api/v1/services/svc-alpha/ownership", 200); !strings.Contains(b, `"considerations":[]`) {
		t.Errorf("no check yet: %s", b)
	}
	seedCheckResources(e)
	var rs paved.CheckResources
	json.Unmarshal([]byte(get("/api/v1/services/svc-alpha/check-resources", 200)), &rs)
	if len(rs.Resources) != 1 || rs.Resources[0].After["password"] != paved.SensitiveValue {
		t.Errorf("resources: %+v", rs)
	}
	var rep ownership.ServiceReport
	json.Unmarshal([]byte(get("/api/v1/services/svc-alpha/ownership", 200)), &rep)
	states := map[string]paved.ConsiderationState{}
	for _, c := range rep.Considerations {
		states[c.Concern] = c.State
		if c.Owner != "alpha" && c.Concern != "disaster-recovery" {
			t.Errorf("%s owned by %q, want alpha (product-team)", c.Concern, c.Owner)
		}
	}
	if states["backups"] != paved.StateEnabled || states["encryption-at-rest"] != paved.StateNotEnabled || rep.Resources != 1 {
		t.Errorf("report: %+v", rep)
	}
	get("/api/v1/services/nope/ownership", 404)

	// The launch status carries them too.
	if b := get("/api/v1/services/svc-alpha/launch", 200); !strings.Contains(b, `"considerations":[`) {
		t.Errorf("launch status without considerations")
	}

	// The gap report: svc-alpha leaves encryption at rest unaddressed.
	var g ownership.GapReport
	json.Unmarshal([]byte(get("/api/v1/ownership/gaps", 200)), &g)
	if g.Checked != 1 || len(g.Services) != 1 || g.Services[0].Service != "svc-alpha" {
		t.Fatalf("gaps: %+v", g)
	}
	if len(g.Unowned) == 0 {
		t.Errorf("the test catalog lacks the default's teams: their concerns have no owner that resolves")
	}
}
