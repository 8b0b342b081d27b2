package opsgenie

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/facts/expr"
	"go.yaml.in/yaml/v3"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	webTeam = "6fa2a5b5-3f51-4d8a-9c1e-2a4c1e9b7d10"
	opsTeam = "8418d193-2dab-4490-b331-8c02cdd196b7"
)

// server replays Opsgenie: web-team (by name) with a three-level
// escalation and someone on call; ops (by id) with one level and nobody
// on call; gone missing; flaky failing with 500. The first /v2/schedules
// answer is Opsgenie's 429.
func server(t *testing.T, schedules *atomic.Int32, listed *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Could not authenticate","took":0.0,"requestId":"6d7d8cc5-8b53-4e3a-a6b1-46b2ac3e5c1a"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-RateLimit-State", "OK")
		q := r.URL.Query()
		switch p := r.URL.Path; {
		case p == "/v2/teams/web-team" && q.Get("identifierType") == "name":
			w.Write([]byte(fixture(t, "team-web.json")))
		case p == "/v2/teams/"+opsTeam && q.Get("identifierType") == "":
			w.Write([]byte(fixture(t, "team-ops.json")))
		case p == "/v2/teams/flaky":
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"message":"Internal Server Error","took":0.0,"requestId":"0f0e2c1a-1111-4a4a-9b9b-000000000000"}`))
		case p == "/v2/escalations":
			listed.Add(1)
			w.Write([]byte(fixture(t, "escalations.json")))
		case p == "/v2/schedules" && schedules.Add(1) == 1:
			w.Header().Set("X-RateLimit-State", "THROTTLED")
			w.Header().Set("X-RateLimit-Period-In-Sec", "60")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"message":"You are making too many requests! To avoid errors, we recommend you limit requests.","took":0.0,"requestId":"3c1b0e0a-2222-4b4b-8c8c-111111111111"}`))
		case p == "/v2/schedules":
			w.Write([]byte(fixture(t, "schedules.json")))
		case p == "/v2/schedules/d875e654-9b4e-4219-a803-0c9c4e5a8f3a/on-calls" && q.Get("scheduleIdentifierType") == "id" && q.Get("date") == "":
			w.Write([]byte(fixture(t, "oncalls-web.json")))
		case p == "/v2/schedules/0c7e4b2f-4d5a-4b9f-bb44-7d2f8e0a1c55/on-calls":
			w.Write([]byte(fixture(t, "oncalls-ops.json")))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"No team exists with name [gone]","took":0.003,"requestId":"9a8b7c6d-3333-4c4c-9d9d-222222222222"}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func collector(t *testing.T, srv *httptest.Server, key string, deps facts.Deps) facts.Collector {
	t.Helper()
	c := facts.CollectorConfig{Name: "opsgenie", TokenEnv: "OG_KEY", BaseURL: srv.URL, RequestsPerSecond: 100}.Normalized()
	deps.Getenv = func(string) string { return key }
	if deps.Sleep == nil {
		deps.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	}
	col, err := New(c, deps)
	if err != nil {
		t.Fatal(err)
	}
	return col
}

func TestCollect(t *testing.T) {
	var schedules, listed, limited atomic.Int32
	srv := server(t, &schedules, &listed)
	var slept []time.Duration
	col := collector(t, srv, "eb243592-faa2-4ba2-a551q-1afdf565c889", facts.Deps{OnRateLimit: func() { limited.Add(1) },
		Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return ctx.Err() }})
	tgt := facts.NewTarget([]*paved.Service{
		{Name: "web", Annotations: map[string]string{AnnotationTeam: "web-team", "opsgenie.com/component-selector": `tag:"service:web"`}},
		{Name: "ops", Links: []paved.Link{{Type: "on-call", URL: "https://acme.app.opsgenie.com/teams/dashboard/" + opsTeam + "/main"}}},
		{Name: "gone", Annotations: map[string]string{AnnotationTeam: "gone"}},
		{Name: "flaky", Annotations: map[string]string{AnnotationTeam: "flaky"}},
		{Name: "untracked", Annotations: map[string]string{"opsgenie.com/component-selector": `tag:"service:x"`}},
	}, time.Now())
	if err := col.Collect(context.Background(), tgt); err != nil {
		t.Fatal(err)
	}
	web := map[string]any{
		"opsgenie.team.exists":          true,
		"opsgenie.team.id":              webTeam,
		"opsgenie.escalation":           "Web escalation",
		"opsgenie.escalation_levels":    3, // four rules, two at once
		"opsgenie.schedules":            1, // the disabled holiday schedule does not count
		"opsgenie.oncall.schedules_now": 1,
		"opsgenie.oncall.now":           true,
	}
	if g, w := paved.FactValueJSON(tgt.Observed()["web"]), paved.FactValueJSON(web); g != w {
		t.Fatalf("web facts:\n got %s\nwant %s", g, w)
	}
	ops := map[string]any{
		"opsgenie.team.exists":          true,
		"opsgenie.team.id":              opsTeam,
		"opsgenie.escalation":           "Ops escalation",
		"opsgenie.escalation_levels":    1,
		"opsgenie.schedules":            1,
		"opsgenie.oncall.schedules_now": 0,
		"opsgenie.oncall.now":           false,
	}
	if g, w := paved.FactValueJSON(tgt.Observed()["ops"]), paved.FactValueJSON(ops); g != w {
		t.Fatalf("ops facts:\n got %s\nwant %s", g, w)
	}
	if g := paved.FactValueJSON(tgt.Observed()["gone"]); g != `{"opsgenie.team.exists":false}` {
		t.Fatalf("a missing team: %s", g)
	}
	if msg := tgt.Failed()["flaky"]; !strings.Contains(msg, "500") {
		t.Fatalf("a 5xx fails the service only: %q (observed %v)", msg, tgt.Observed()["flaky"])
	}
	if _, ok := tgt.Observed()["untracked"]; ok {
		t.Fatal("an alert selector named a team")
	}
	if listed.Load() != 1 {
		t.Fatalf("the account's escalations were listed %d times in one run, want once", listed.Load())
	}
	if limited.Load() != 1 || !hasAtLeast(slept, 60*time.Second) {
		t.Fatalf("rate limit: counted %d, slept %v", limited.Load(), slept)
	}

	// The on-call item of the default checklist accepts these facts.
	item := expr.MustParse(onCallEvidence(t))
	var fs []*paved.Fact
	for k, v := range tgt.Observed()["web"] {
		val, err := paved.ValidateFactValue(k, v)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, &paved.Fact{Service: "web", Source: "opsgenie", Key: k, Value: val, ExpiresAt: time.Now().Add(time.Hour)})
	}
	if res := item.Eval(fs, time.Now()); !res.Satisfied {
		t.Fatalf("the on-call item is not satisfied by web's Opsgenie facts: %+v", res)
	}
}

// onCallEvidence reads the fact expression of the default checklist's
// on-call-rotation item, so that the test follows the template.
func onCallEvidence(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../launch/templates/checklist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Areas []struct {
			Items []struct {
				ID       string `yaml:"id"`
				Evidence struct {
					Fact string `yaml:"fact"`
				} `yaml:"evidence"`
			} `yaml:"items"`
		} `yaml:"areas"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, a := range doc.Areas {
		for _, it := range a.Items {
			if it.ID == "on-call-rotation" && it.Evidence.Fact != "" {
				return it.Evidence.Fact
			}
		}
	}
	t.Fatal("the default checklist has no on-call-rotation item with fact evidence")
	return ""
}

func hasAtLeast(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x >= d {
			return true
		}
	}
	return false
}

func TestBadCredentials(t *testing.T) {
	var schedules, listed atomic.Int32
	srv := server(t, &schedules, &listed)
	col := collector(t, srv, "revoked", facts.Deps{})
	tgt := facts.NewTarget([]*paved.Service{{Name: "web", Annotations: map[string]string{AnnotationTeam: "web-team"}}}, time.Now())
	if err := col.Collect(context.Background(), tgt); err == nil || !strings.Contains(err.Error(), "Could not authenticate") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(facts.CollectorConfig{Name: "opsgenie", TokenEnv: "NONE"}.Normalized(), facts.Deps{Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "NONE") {
		t.Fatalf("no key: want an error naming the variable, got %v", err)
	}
}
