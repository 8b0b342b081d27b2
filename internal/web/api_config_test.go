package web

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/platform"
)

// campaignClock is the servers' clock in the config tests: a month before
// the test campaign's enforcement.
var campaignClock = time.Date(2029, 12, 1, 9, 0, 0, 0, time.UTC)

const testOwnerRule = `# METADATA
# title: Resources carry an owner tag
# custom:
#   id: require-owner-tag
#   severity: deny
#   remediation: Add an owner tag.
#   resource_types: [aws_s3_bucket]
package paved.rules.require_owner_tag

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket"])
	not r.tags.owner
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no owner tag", [r.address]), "tags", null)
}
`

// writeConfigDir writes a platform config directory with the owner-tag
// campaign (enforced from 2030-01-01) and extra paved.yaml lines.
func writeConfigDir(t testing.TB, org, extra string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"paved.yaml":        "organisation:\n  name: " + org + "\nguardrails:\n  rules:\n    require-owner-tag:\n      enforce_from: \"2030-01-01\"\n" + extra,
		"policies/own.rego": testOwnerRule,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadSnapshot(t testing.TB, dir string) *platform.Snapshot {
	t.Helper()
	s, err := platform.Load(dir, platform.Options{Now: func() time.Time { return campaignClock }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recordResources records a check of service with one bucket; owner ""
// leaves its owner tag out.
func recordResources(t testing.TB, db paved.Store, service, owner, version string) *paved.CheckRecord {
	t.Helper()
	tags := map[string]string{"team": "t", "service": service}
	if owner != "" {
		tags["owner"] = owner
	}
	c := &paved.CheckRecord{Service: service, ConfigVersion: version, ResourceTypes: map[string]int{"aws_s3_bucket": 1}, Rules: []string{}, Findings: []paved.Finding{},
		Resources: []*paved.CheckResource{{Address: "aws_s3_bucket." + strings.ReplaceAll(service, "-", "_"), Type: "aws_s3_bucket", Action: "create",
			Tags: tags, After: map[string]any{"bucket": service, "tags": tags}}}}
	if err := db.RecordCheck(paved.WithActor(context.Background(), paved.Actor{Name: "ci"}), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// configAPIEnv is the API test environment with a server on a platform
// snapshot and a settable reloader status.
type configAPIEnv struct {
	*apiEnv
	snap   *platform.Snapshot
	status atomic.Pointer[paved.ConfigStatus]
}

func newConfigAPIEnv(t *testing.T) *configAPIEnv {
	t.Helper()
	e := &configAPIEnv{apiEnv: newAPIEnv(t)}
	e.snap = loadSnapshot(t, writeConfigDir(t, "Acme", ""))
	st := paved.ConfigStatus{Dir: "/etc/paved", Version: e.snap.Version.String(), Hash: e.snap.Version.Hash, LoadedAt: campaignClock}
	e.status.Store(&st)
	srv, err := NewServer(Config{App: testApp(t, e.snap, e.db, func() time.Time { return campaignClock }), Version: "test", Now: func() time.Time { return campaignClock },
		ConfigStatus: func() paved.ConfigStatus { return *e.status.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.h = srv, srv.Handler()
	recordResources(t, e.db, "svc-alpha", "", "other")
	recordResources(t, e.db, "svc-beta", "beta", e.snap.Version.String())
	return e
}

func TestConfigStatusAPI(t *testing.T) {
	e := newConfigAPIEnv(t)
	now := campaignClock
	st := *e.status.Load()
	st.Error, st.ErrorVersion, st.ErrorAt, st.Errors = "paved.yaml:4: unknown key rulez", "0123456789abcdef", &now, 1
	e.status.Store(&st)

	admin := decode[api.ConfigStatusResponse](t, e.as("admin", "GET", "/api/v1/config", ""))
	if admin.Error == "" || admin.Dir != "/etc/paved" || admin.Version != e.snap.Version.String() || admin.Campaigns != 1 || admin.Rules < 40 {
		t.Fatalf("admin status = %+v", admin)
	}
	viewer := decode[api.ConfigStatusResponse](t, e.as("viewer", "GET", "/api/v1/config", ""))
	if viewer.Error != "" || viewer.Dir != "" || viewer.ErrorAt != nil || viewer.Version != admin.Version || viewer.Errors != 1 {
		t.Fatalf("viewer status = %+v", viewer)
	}
	// /metrics exports the version and the refused configs.
	rec := e.do("GET", "/metrics", "", "")
	body := rec.Body.String()
	for _, want := range []string{
		`paved_config_version{commit="",hash="` + e.snap.Version.Short() + `"} 1`,
		"paved_config_reload_errors_total 1",
		"paved_config_refused 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func impactBody(t testing.TB, files map[string]string) string {
	t.Helper()
	b, err := json.Marshal(paved.ConfigBundle{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConfigImpactAPI(t *testing.T) {
	e := newConfigAPIEnv(t)
	// The proposal enforces the owner tag now, as a deny rule with no date.
	proposed := map[string]string{"paved.yaml": "organisation:\n  name: Acme\n", "policies/own.rego": testOwnerRule}
	rec := e.as("reviewer", "POST", "/api/v1/config/impact", impactBody(t, proposed))
	if rec.Code != 200 {
		t.Fatalf("impact = %d %s", rec.Code, rec.Body.String())
	}
	rep := decode[paved.ImpactReport](t, rec)
	if rep.Services != 2 || len(rep.Teams) != 1 || rep.Teams[0].Team != "alpha" || rep.Summary.Change != 1 || rep.Summary.NewDeny != 1 {
		t.Fatalf("impact = %+v", rep)
	}
	c := rep.Teams[0].Services[0].Changes[0]
	if c.Rule != "require-owner-tag" || c.Before.Severity != paved.SeverityWarn || c.After.Severity != paved.SeverityDeny {
		t.Fatalf("change = %+v", c)
	}
	if rep.Current != e.snap.Version.String() {
		t.Fatalf("current = %s", rep.Current)
	}

	// The same directory as a .tar.gz.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range proposed {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	req := httptest.NewRequest("POST", "/api/v1/config/impact", bytes.NewReader(buf.Bytes()))
	req.Header.Set("Authorization", "Bearer "+tokenOf("admin"))
	req.Header.Set("Content-Type", "application/gzip")
	tr := httptest.NewRecorder()
	e.h.ServeHTTP(tr, req)
	if tr.Code != 200 || decode[paved.ImpactReport](t, tr).Proposed != rep.Proposed {
		t.Fatalf("tar.gz impact = %d %s", tr.Code, tr.Body.String())
	}

	// Bad input.
	p := wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, map[string]string{"paved.yaml": "organisation:\n  name: A\nguardrails:\n  rulez: {}\n"})), 400, "invalid")
	if p.Field != "paved.yaml:4" || !strings.Contains(p.Detail, "rulez") {
		t.Errorf("invalid config: %+v", p)
	}
	wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, map[string]string{"paved.yaml": "x", "../../etc/passwd": "x"})), 400, "invalid")
	p = wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, map[string]string{"paved.yaml": "organisation:\n  name: A\n",
		"policies/x.rego": "package main\n\ndeny contains m if {\n\tm := http.send({\"method\": \"get\", \"url\": \"http://169.254.169.254/\"})\n}\n"})), 422, "unprocessable")
	if p.Field != "policies/x.rego:4" {
		t.Errorf("unsafe policy: %+v", p)
	}
	wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", `{"files":{"paved.yaml":"`+strings.Repeat("x", 2*platform.MaxBundleBytes)+`"}}`), 413, "too_large")
	req = httptest.NewRequest("POST", "/api/v1/config/impact", strings.NewReader("x"))
	req.Header.Set("Authorization", "Bearer "+tokenOf("admin"))
	req.Header.Set("Content-Type", "text/plain")
	tr = httptest.NewRecorder()
	e.h.ServeHTTP(tr, req)
	wantProblem(t, tr, 400, "invalid")
	// One analysis at a time, and the guard comes before any work on the
	// body: a second request is turned away before its policies are even
	// parsed (an unsafe one answers 409, not 422).
	e.srv.impactBusy <- struct{}{}
	wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, proposed)), 409, "conflict")
	wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, map[string]string{"paved.yaml": "organisation:\n  name: A\n",
		"policies/x.rego": "package main\n\ndeny contains m if {\n\tm := net.cidr_expand(\"10.0.0.0/4\")\n}\n"})), 409, "conflict")
	<-e.srv.impactBusy
	// The proposals that took the server down are refused, and it goes on
	// answering.
	for _, call := range []string{`net.cidr_expand("10.0.0.0/4")`, `numbers.range(1, 10000000000)`, `replace("aaaa", "a", "bbbb")`} {
		p := wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, map[string]string{"paved.yaml": "organisation:\n  name: A\n",
			"policies/x.rego": "package main\n\ndeny contains m if {\n\tm := " + call + "\n}\n"})), 422, "unprocessable")
		if p.Field != "policies/x.rego:4" {
			t.Errorf("%s: %+v", call, p)
		}
	}
	p = wantProblem(t, e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, map[string]string{"paved.yaml": "organisation:\n  name: A\n",
		"policies/big.rego": "package main\n#" + strings.Repeat("x", platform.MaxPolicyFileBytes)})), 413, "too_large")
	if p.Field != "files.policies/big.rego" {
		t.Errorf("big policy: %+v", p)
	}
	if tr := e.as("admin", "POST", "/api/v1/config/impact", impactBody(t, proposed)); tr.Code != 200 {
		t.Fatalf("after the refusals: %d %s", tr.Code, tr.Body.String())
	}
}

func TestCampaignsAPI(t *testing.T) {
	e := newConfigAPIEnv(t)
	if _, err := platform.RunCampaigns(context.Background(), e.db, e.snap, campaignClock); err != nil {
		t.Fatal(err)
	}
	rep := decode[paved.CampaignReport](t, e.as("viewer", "GET", "/api/v1/campaigns", ""))
	if len(rep.Campaigns) != 1 {
		t.Fatalf("campaigns = %+v", rep)
	}
	c := rep.Campaigns[0]
	if c.Rule.ID != "require-owner-tag" || c.DaysLeft != 31 || c.Failing != 1 || len(c.Teams) != 1 || c.Teams[0].Team != "alpha" ||
		len(c.History) != 1 || c.Sent[paved.NotifyCampaignStarted] != 1 {
		t.Fatalf("campaign = %+v", c)
	}
	// A new check moves the audit head: the cached evaluation is redone.
	recordResources(t, e.db, "svc-alpha", "alpha", "x")
	rep = decode[paved.CampaignReport](t, e.as("viewer", "GET", "/api/v1/campaigns", ""))
	if rep.Campaigns[0].Failing != 0 {
		t.Fatalf("after the fix: %+v", rep.Campaigns[0])
	}
}

// TestPrepareSwapsTheConfig: a reloaded config is served from the swap
// on; requests before it see the old one.
func TestPrepareSwapsTheConfig(t *testing.T) {
	e := newConfigAPIEnv(t)
	next := loadSnapshot(t, writeConfigDir(t, "Beta Corp", "    db-memory-ceiling:\n      enforce_from: \"2030-02-01\"\n"))
	apply, err := e.srv.Prepare(testApp(t, next, e.db, func() time.Time { return campaignClock }))
	if err != nil {
		t.Fatal(err)
	}
	if decode[api.ConfigStatusResponse](t, e.as("viewer", "GET", "/api/v1/config", "")).Campaigns != 1 {
		t.Fatal("Prepare applied the config before apply")
	}
	apply()
	if got := decode[api.ConfigStatusResponse](t, e.as("viewer", "GET", "/api/v1/config", "")); got.Campaigns != 2 {
		t.Fatalf("after apply: %+v", got)
	}
	if rep := decode[paved.CampaignReport](t, e.as("viewer", "GET", "/api/v1/campaigns", "")); rep.Version != next.Version.String() || len(rep.Campaigns) != 2 {
		t.Fatalf("campaigns after apply: %+v", rep)
	}
	rec := e.do("GET", "/signin", "", "")
	if !strings.Contains(rec.Body.String(), "Beta Corp") {
		t.Fatal("the portal does not show the new organisation")
	}
}
