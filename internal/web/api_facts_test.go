package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/facts"
)

// fakeCollector observes what its function says: the collectors' own
// tests replay the providers' recorded APIs; here only the faces are
// under test.
type fakeCollector func(ctx context.Context, t *facts.Target) error

func (f fakeCollector) Collect(ctx context.Context, t *facts.Target) error { return f(ctx, t) }

// seedCollector configures a collector named fake (kind github) that
// observes every service it is given.
func seedCollector(e *apiEnv) {
	f := e.srv.facts
	f.Config = &facts.Config{Collectors: []facts.CollectorConfig{{Name: "fake", Kind: facts.KindGitHub, TokenEnv: "FAKE_TOKEN"}}}
	f.Factories = map[string]facts.Factory{facts.KindGitHub: func(facts.CollectorConfig, facts.Deps) (facts.Collector, error) {
		return fakeCollector(func(_ context.Context, t *facts.Target) error {
			for _, s := range t.Services {
				t.Observe(s.Name, map[string]any{"github.repository.exists": true, "github.branch_protection.required_reviews": 2})
			}
			return nil
		}), nil
	}}
}

// seedFacts records svc-alpha's facts: a collector's and a push.
func seedFacts(e *apiEnv) {
	now := time.Now().UTC()
	_, err := e.db.RecordFacts(e.actingAs("dev-alpha"), []*paved.FactObservation{
		{Service: "svc-alpha", Source: "github", Version: "github/1", ObservedAt: now, ExpiresAt: now.Add(time.Hour), Complete: true,
			Facts: map[string]any{"github.repository.exists": true}},
		{Service: "svc-alpha", Source: paved.FactSourcePush, ObservedAt: now, ExpiresAt: now.Add(time.Hour),
			Facts: map[string]any{"backup.last_restore_test": "2026-03-01T02:00:00Z"}},
	})
	e.must(err)
}

// TestAPIFacts: a pipeline pushes facts for its own team's service and
// they are recorded as its user's; keys of the collectors' kinds and
// malformed pushes are refused with a problem naming the field; an admin
// runs a collector and reads its health.
func TestAPIFacts(t *testing.T) {
	e := newAPIEnv(t)
	seedCollector(e)

	rec := e.as("dev-alpha", "POST", "/api/v1/services/svc-alpha/facts", `{"facts":{"backup.last_restore_test":"2026-03-01T02:00:00Z","loadtest.peak_rps":1200},"expires_in":"90d","version":"ci/7"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("push: %d %s", rec.Code, rec.Body)
	}
	pushed := decode[api.FactPushResult](t, rec)
	if pushed.Service != "svc-alpha" || len(pushed.Events) != 2 || pushed.Events[0].Actor != "dev-alpha" {
		t.Fatalf("push answer %+v", pushed)
	}
	// The same values again change nothing.
	rec = e.as("dev-alpha", "POST", "/api/v1/services/svc-alpha/facts", `{"facts":{"loadtest.peak_rps":1200}}`)
	if got := decode[api.FactPushResult](t, rec); rec.Code != http.StatusOK || len(got.Events) != 0 {
		t.Fatalf("repeated push: %d %s", rec.Code, rec.Body)
	}

	for name, c := range map[string]struct {
		body, code, field string
		status            int
	}{
		"a collector's kind": {`{"facts":{"github.branch_protection.required_reviews":2}}`, "forbidden", "facts.github.branch_protection.required_reviews", 403},
		"nothing":            {`{"facts":{}}`, "invalid", "facts", 400},
		"a bad key":          {`{"facts":{"Backup":true}}`, "invalid", "facts.Backup", 400},
		"a bad expiry":       {`{"facts":{"backup.ok":true},"expires_in":"soon"}`, "invalid", "expires_in", 400},
		"an unknown field":   {`{"facts":{"backup.ok":true},"service":"svc-beta"}`, "invalid", "service", 400},
	} {
		rec := e.as("dev-alpha", "POST", "/api/v1/services/svc-alpha/facts", c.body)
		p := wantProblem(t, rec, c.status, c.code)
		if p.Field != c.field {
			t.Errorf("%s: field %q, want %q (%s)", name, p.Field, c.field, p.Detail)
		}
	}
	if rec := e.as("dev-alpha", "POST", "/api/v1/services/svc-alpha/facts", `{"facts":{"x.y":"`+strings.Repeat("a", maxFactPushBytes)+`"}}`); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized push: %d", rec.Code)
	}

	// An admin runs the collector for one service.
	rec = e.as("admin", "POST", "/api/v1/facts/collectors/fake/run?service=svc-alpha", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("run: %d %s", rec.Code, rec.Body)
	}
	res := decode[facts.RunResult](t, rec)
	if res.Run.Services != 1 || len(res.Events) != 2 || res.Run.Error != "" {
		t.Fatalf("run result %+v", res)
	}
	wantProblem(t, e.as("admin", "POST", "/api/v1/facts/collectors/nope/run", ""), http.StatusNotFound, "not_found")
	wantProblem(t, e.as("admin", "POST", "/api/v1/facts/collectors/fake/run?service=nope", ""), http.StatusNotFound, "not_found")

	rec = e.as("viewer", "GET", "/api/v1/services/svc-alpha/facts", "")
	got := decode[api.ServiceFacts](t, rec)
	if rec.Code != http.StatusOK || len(got.Facts) != 4 {
		t.Fatalf("facts: %d %s", rec.Code, rec.Body)
	}
	for _, f := range got.Facts {
		if f.Source == paved.FactSourcePush && f.Actor != "dev-alpha" {
			t.Errorf("pushed fact %s recorded as %q", f.Key, f.Actor)
		}
	}
	rec = e.as("viewer", "GET", "/api/v1/services/svc-alpha/facts?source=fake", "")
	if got := decode[api.ServiceFacts](t, rec); len(got.Facts) != 2 {
		t.Errorf("facts of one source: %s", rec.Body)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/services/nope/facts", ""), http.StatusNotFound, "not_found")

	rec = e.as("admin", "GET", "/api/v1/facts/collectors", "")
	runs := decode[[]*paved.CollectorRun](t, rec)
	if rec.Code != http.StatusOK || len(runs) != 1 || runs[0].Collector != "fake" || runs[0].LastSuccessAt == nil {
		t.Fatalf("health: %d %s", rec.Code, rec.Body)
	}

	// The push is in the audit log under the pusher's name.
	evs, _, err := e.db.FindAuditEvents(context.Background(), paved.AuditFilter{ObjectType: "service", ObjectID: "svc-alpha", Actor: "dev-alpha", Page: paved.Page{Limit: 50}})
	e.must(err)
	found := false
	for _, ev := range evs {
		found = found || strings.HasPrefix(ev.Action, "fact.")
	}
	if !found {
		t.Errorf("no fact event by dev-alpha in the audit log: %+v", evs)
	}
}
