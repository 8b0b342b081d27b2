package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// TestAPIScorecards: an admin records every service's standing now; every
// signed-in user reads the standings (filtered by team, scorecard and
// level) and a service's levels with what is missing; others may not
// evaluate.
func TestAPIScorecards(t *testing.T) {
	e := newAPIEnv(t)
	ok := func(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		t.Helper()
		if rec.Code != http.StatusOK {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		return rec
	}
	if rec := e.as("dev-alpha", "POST", "/api/v1/scorecards/evaluate", ""); rec.Code != http.StatusForbidden {
		t.Fatalf("a developer evaluates: %d %s", rec.Code, rec.Body)
	}
	res := decodeBody[api.ScorecardEvaluateResult](t, ok(e.as("admin", "POST", "/api/v1/scorecards/evaluate", "")))
	if res.Services == 0 || res.Evaluations < res.Services {
		t.Fatalf("evaluate: %+v", res)
	}

	all := decodeBody[[]*paved.ScorecardResult](t, ok(e.as("viewer", "GET", "/api/v1/scorecards", "")))
	if len(all) != res.Evaluations {
		t.Fatalf("%d standings, %d evaluations recorded", len(all), res.Evaluations)
	}
	for _, r := range all {
		if r.Since == "" || r.Day == "" || r.EvaluatedAt.IsZero() {
			t.Fatalf("a standing without its days: %+v", r)
		}
	}
	card, team := all[0].Scorecard, all[0].Team
	for _, c := range []struct {
		query string
		keep  func(*paved.ScorecardResult) bool
	}{
		{"?team=" + team, func(r *paved.ScorecardResult) bool { return r.Team == team }},
		{"?scorecard=" + card, func(r *paved.ScorecardResult) bool { return r.Scorecard == card }},
		{"?level=none", func(r *paved.ScorecardResult) bool { return r.Level == "" }},
		{"?level=gold&team=" + team, func(r *paved.ScorecardResult) bool { return r.Level == "gold" && r.Team == team }},
	} {
		want := 0
		for _, r := range all {
			if c.keep(r) {
				want++
			}
		}
		got := decodeBody[[]*paved.ScorecardResult](t, ok(e.as("dev-alpha", "GET", "/api/v1/scorecards"+c.query, "")))
		if len(got) != want {
			t.Errorf("%s: %d standings, want %d", c.query, len(got), want)
		}
		for _, r := range got {
			if !c.keep(r) {
				t.Errorf("%s: %+v does not match", c.query, r)
			}
		}
	}

	rec := ok(e.as("viewer", "GET", "/api/v1/services/svc-alpha/scorecards", ""))
	st := decodeBody[api.ScorecardStanding](t, rec)
	if st.Service != "svc-alpha" || len(st.Scorecards) == 0 {
		t.Fatalf("standing %+v", st)
	}
	for _, ev := range st.Scorecards {
		if ev.Title == "" || len(ev.Rules) == 0 || (ev.Next != "" && (len(ev.Missing) == 0 || ev.NextStep == "")) {
			t.Errorf("an evaluation without its rules, missing or next step: %+v", ev)
		}
	}
	// The wire type carries every field the server writes.
	again, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(again), bytes.TrimSpace(mustCompact(t, rec.Body.Bytes()))) {
		t.Errorf("api.ScorecardStanding loses fields:\n got %s\nwant %s", again, rec.Body)
	}
	if rec := e.as("viewer", "GET", "/api/v1/services/nope/scorecards", ""); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown service: %d", rec.Code)
	}
}

func mustCompact(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
