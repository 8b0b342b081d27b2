package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/ownership"
)

// TestOwnershipEndToEnd walks the ownership commands on the local
// database and through a server: the map, its validation, the tables, a
// service's considerations from a check recorded with its resources,
// admin edits, the gaps and the export.
func TestOwnershipEndToEnd(t *testing.T) {
	dir := t.TempDir()
	e := env{"PAVED_DATABASE": filepath.Join(dir, "paved.db")}
	for _, tm := range [][]string{
		{"devprod", "developer-productivity"}, {"platform", "infrastructure-engineering"}, {"cloud", "cloud-engineering"},
		{"sre", "reliability"}, {"security", "security"}, {"shop", "product"},
	} {
		must(t, e, "team", "create", tm[0], "--kind", tm[1])
	}
	must(t, e, "user", "create", "ann", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "root", "--role", "admin")
	must(t, e, "service", "create", "checkout-api", "--owner", "shop", "--tier", "1", "--data-class", "confidential")

	// The map: the default, its teams resolved by kind.
	out := must(t, e, "ownership", "show", "--concern", "base-images")
	if !strings.Contains(out, "Ownership map (embedded)") || !strings.Contains(out, "cloud-engineering (cloud)") || !strings.Contains(out, "security") {
		t.Errorf("show --concern:\n%s", out)
	}
	out = must(t, e, "ownership", "show", "--team", "sre")
	if !strings.Contains(out, "incident-response") || strings.Contains(out, "base-images") {
		t.Errorf("show --team sre:\n%s", out)
	}
	var v ownership.View
	if err := json.Unmarshal([]byte(must(t, e, "ownership", "show", "-o", "json")), &v); err != nil || len(v.Layers) != 6 || len(v.Problems) != 0 {
		t.Errorf("show -o json: %v %d layers, problems %+v", err, len(v.Layers), v.Problems)
	}
	expect(t, 2, `did you mean "backups"`, e, "ownership", "show", "--concern", "bakups")

	// Validation: the default against this catalog, a file with problems,
	// a malformed file.
	if out := must(t, e, "ownership", "validate"); !strings.Contains(out, "embedded: 6 layers") || !strings.Contains(out, "valid") {
		t.Errorf("validate: %s", out)
	}
	good := filepath.Join(dir, "ownership.yaml")
	os.WriteFile(good, []byte("version: 1\nlayers:\n  - id: data\n    concerns:\n      - id: backups\n        owner: dba\n      - id: scaling\n"), 0o644)
	r := expect(t, 2, "1 errors", e, "ownership", "validate", good)
	if !strings.Contains(r.out, `error: `+good+`:5: concern backups, owner: team "dba" is not in the catalog`) || !strings.Contains(r.out, "warning: "+good+":7: concern scaling has no owner") {
		t.Errorf("validate with problems:\n%s", r.out)
	}
	if out := must(t, e, "ownership", "validate", "--no-catalog", good); !strings.Contains(out, "the format is valid") {
		t.Errorf("--no-catalog: %s", out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nlayers:\n  - id: data\n    concerns:\n      - id: backups\n        owner: [dba, sre]\n"), 0o644)
	expect(t, 2, bad+`:6: concern "backups" has 2 owners (dba, sre): one owner is required`, e, "ownership", "validate", bad)
	expect(t, 2, "no such file", e, "ownership", "validate", filepath.Join(dir, "missing.yaml"))

	// The shared-responsibility tables.
	out = must(t, e, "ownership", "responsibilities", "aws_db_instance")
	for _, want := range []string{"Amazon RDS DB instance (aws_db_instance)", "vendor once backup_retention_period > 0", "vendor once storage_encrypted = true",
		"source: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html"} {
		if !strings.Contains(out, want) {
			t.Errorf("responsibilities lacks %q:\n%s", want, out)
		}
	}
	if out := must(t, e, "ownership", "responsibilities"); !strings.Contains(out, "google_spanner_instance") {
		t.Errorf("responsibilities list:\n%s", out)
	}
	expect(t, 2, `did you mean "aws_rds_cluster"`, e, "ownership", "responsibilities", "aws_rds_clustre")

	// No check yet.
	if out := must(t, e, "ownership", "service", "checkout-api"); !strings.Contains(out, "no check with resources is recorded yet") {
		t.Errorf("service before a check: %s", out)
	}
	expect(t, 2, `service "nope"`, e, "ownership", "service", "nope")

	// Edits on the local database.
	out = must(t, e, "ownership", "assign", "backups", "--owner", "sre", "--consulted", "product-team,security", "--reason", "one backup team")
	if !strings.Contains(out, "backups (Backups): owner sre, consulted product-team, security (admin edit by") {
		t.Errorf("assign: %s", out)
	}
	expect(t, 2, `team "nobody" is not in the catalog`, e, "ownership", "assign", "backups", "--owner", "nobody")
	expect(t, 2, "--owner", e, "ownership", "assign", "backups")
	if out := must(t, e, "ownership", "reset", "backups"); !strings.Contains(out, "owner product-team") || !strings.Contains(out, "(from the config file)") {
		t.Errorf("reset: %s", out)
	}
	expect(t, 2, "already follows the config file", e, "ownership", "reset", "backups")

	// Through a server: record a check with its resources, then ask.
	tok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ann"))
	adminTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "root"))
	srv := startServer(t, e)
	re := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", tok)
	r = cli(t, re, "check", "--service", "checkout-api", "testdata/check/bigdb.json")
	if r.code > 1 || !strings.Contains(r.errOut, "paved: recorded check #") {
		t.Fatalf("check --server --service: exit %d\n%s", r.code, r.errOut)
	}
	code, body := srv.get(t, "/api/v1/services/checkout-api/check-resources", tok)
	if code != 200 || !strings.Contains(string(body), `"aws_db_instance.orders"`) || strings.Contains(string(body), "hunter2") || !strings.Contains(string(body), paved.SensitiveValue) {
		t.Errorf("check resources: %d %s", code, body)
	}
	out = must(t, re, "ownership", "service", "checkout-api")
	for _, want := range []string{"checkout-api (team shop): check #", "aws_db_instance.orders (Amazon RDS DB instance)",
		"enabled  backups", "enabled, 14 days", "team     encryption in transit  shop"} {
		if !strings.Contains(out, want) {
			t.Errorf("ownership service lacks %q:\n%s", want, out)
		}
	}
	if local := must(t, e, "ownership", "service", "checkout-api"); local != out {
		t.Errorf("local and server differ:\nlocal:\n%s\nserver:\n%s", local, out)
	}
	// The launch status carries them, locally as through the server.
	for _, be := range []env{e, re} {
		if out := must(t, be, "launch", "status", "checkout-api", "-o", "json"); !strings.Contains(out, `"considerations": [`) || !strings.Contains(out, `"concern": "backups"`) {
			t.Errorf("launch status without considerations (server: %v)", be["PAVED_SERVER"] != "")
		}
	}
	expect(t, 1, "only an admin", re, "ownership", "assign", "backups", "--owner", "sre")
	admin := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", adminTok)
	must(t, admin, "ownership", "assign", "scaling", "--owner", "")
	out = must(t, re, "ownership", "gaps")
	if !strings.Contains(out, "scaling") || !strings.Contains(out, "no owner in the ownership map") {
		t.Errorf("gaps:\n%s", out)
	}
	exported := must(t, re, "ownership", "export")
	m, err := ownership.Parse("export", []byte(exported))
	if err != nil || m.Concern("scaling").Owner != "" || m.Concern("backups").Owner != paved.ProductTeam {
		t.Errorf("export: %v\n%.300s", err, exported)
	}
	must(t, admin, "ownership", "reset", "scaling")
	srv.stop(t)

	// The config's own ownership.yaml replaces the default.
	cfgDir := filepath.Join(dir, "config")
	os.MkdirAll(cfgDir, 0o755)
	os.WriteFile(filepath.Join(cfgDir, "paved.yaml"), []byte("organisation:\n  name: Shop\n"), 0o644)
	os.WriteFile(filepath.Join(cfgDir, "ownership.yaml"), []byte("version: 1\nlayers:\n  - id: data\n    concerns:\n      - id: backups\n        owner: sre\n"), 0o644)
	ce := e.with("PAVED_CONFIG", cfgDir)
	if out := must(t, ce, "ownership", "show"); !strings.Contains(out, "config/ownership.yaml") || !strings.Contains(out, "reliability") && !strings.Contains(out, "sre") {
		t.Errorf("config map:\n%s", out)
	}
	if out := must(t, ce, "ownership", "validate"); !strings.Contains(out, "1 concerns") {
		t.Errorf("validate the config's map: %s", out)
	}
}
