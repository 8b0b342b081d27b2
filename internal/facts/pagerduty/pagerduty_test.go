package pagerduty

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
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// server replays PagerDuty: the Web shop (PIJ90N7) with a three-level
// policy and its on-calls over two offset pages, the first /oncalls
// answer a 429; "Checkout API" found by name on the second page of a
// query, with a one-level policy and a user on call without a schedule;
// PGONE01 missing; PFLAKY1 failing with 503.
func server(t *testing.T, oncalls429 *atomic.Int32) *httptest.Server {
	notFound := `{"error":{"message":"Not Found","code":2100}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token token=u+test" || r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"message":"Authentication failed","code":2006}}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		switch p := r.URL.Path; {
		case p == "/services/PIJ90N7":
			w.Write([]byte(fixture(t, "service-web.json")))
		case p == "/escalation_policies/PT20YPA":
			w.Write([]byte(fixture(t, "escalation-policy-web.json")))
		case p == "/oncalls" && q.Get("escalation_policy_ids[]") == "PT20YPA" && oncalls429.Add(1) == 1:
			w.Header().Set("ratelimit-limit", "960")
			w.Header().Set("ratelimit-remaining", "0")
			w.Header().Set("ratelimit-reset", "5")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":{"message":"Rate Limit Exceeded","code":2020}}`))
		case p == "/oncalls" && q.Get("escalation_policy_ids[]") == "PT20YPA" && q.Get("since") == "" && q.Get("offset") == "0":
			w.Write([]byte(fixture(t, "oncalls-web-page1.json")))
		case p == "/oncalls" && q.Get("escalation_policy_ids[]") == "PT20YPA" && q.Get("offset") == "2":
			w.Write([]byte(fixture(t, "oncalls-web-page2.json")))
		case p == "/services" && q.Get("query") == "Checkout API" && q.Get("offset") == "0":
			w.Write([]byte(fixture(t, "services-query-page1.json")))
		case p == "/services" && q.Get("query") == "Checkout API" && q.Get("offset") == "1":
			w.Write([]byte(fixture(t, "services-query-page2.json")))
		case p == "/services" && q.Get("query") != "":
			w.Write([]byte(`{"services":[],"limit":100,"offset":0,"more":false,"total":null}`))
		case p == "/escalation_policies/PONE001":
			w.Write([]byte(fixture(t, "escalation-policy-one.json")))
		case p == "/oncalls" && q.Get("escalation_policy_ids[]") == "PONE001":
			w.Write([]byte(fixture(t, "oncalls-one.json")))
		case p == "/services/PFLAKY1":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"message":"Service Unavailable","code":2000}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(notFound))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func collector(t *testing.T, srv *httptest.Server, token string, deps facts.Deps) facts.Collector {
	t.Helper()
	c := facts.CollectorConfig{Name: "pagerduty", TokenEnv: "PD_TOKEN", BaseURL: srv.URL, RequestsPerSecond: 100}.Normalized()
	deps.Getenv = func(string) string { return token }
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
	var oncalls atomic.Int32
	srv := server(t, &oncalls)
	var limited atomic.Int32
	var slept []time.Duration
	col := collector(t, srv, "u+test", facts.Deps{OnRateLimit: func() { limited.Add(1) },
		Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return ctx.Err() }})
	tgt := facts.NewTarget([]*paved.Service{
		{Name: "web", Annotations: map[string]string{AnnotationServiceID: "PIJ90N7"}},
		{Name: "checkout", Annotations: map[string]string{AnnotationServiceName: "Checkout API"}},
		{Name: "gone", Links: []paved.Link{{Type: "on-call", URL: "https://acme.pagerduty.com/service-directory/PGONE01"}}},
		{Name: "flaky", Annotations: map[string]string{AnnotationServiceID: "PFLAKY1"}},
		{Name: "nameless", Annotations: map[string]string{AnnotationServiceName: "No such service"}},
		{Name: "unpaged", Links: []paved.Link{{URL: "https://example.com/pagerduty.com/services/PIJ90N7"}}},
	}, time.Now())
	if err := col.Collect(context.Background(), tgt); err != nil {
		t.Fatal(err)
	}
	web := map[string]any{
		"pagerduty.service.exists":       true,
		"pagerduty.service.id":           "PIJ90N7",
		"pagerduty.service.status":       "active",
		"pagerduty.escalation_policy":    "Web shop escalation",
		"pagerduty.escalation_levels":    3,
		"pagerduty.escalation_schedules": 2,
		"pagerduty.oncall.now":           true,
		"pagerduty.oncall.users_now":     3, // two from schedules on page 1, the manager named on the policy on page 2
	}
	if g, w := paved.FactValueJSON(tgt.Observed()["web"]), paved.FactValueJSON(web); g != w {
		t.Fatalf("web facts:\n got %s\nwant %s", g, w)
	}
	checkout := map[string]any{
		"pagerduty.service.exists":       true,
		"pagerduty.service.id":           "PSVC002", // the exact name, not the staging service on page 1
		"pagerduty.service.status":       "active",
		"pagerduty.escalation_policy":    "Checkout, one level",
		"pagerduty.escalation_levels":    1,
		"pagerduty.escalation_schedules": 0,
		"pagerduty.oncall.now":           false, // a user named on the policy is no rotation
		"pagerduty.oncall.users_now":     1,
	}
	if g, w := paved.FactValueJSON(tgt.Observed()["checkout"]), paved.FactValueJSON(checkout); g != w {
		t.Fatalf("checkout facts:\n got %s\nwant %s", g, w)
	}
	for _, name := range []string{"gone", "nameless"} {
		if g := paved.FactValueJSON(tgt.Observed()[name]); g != `{"pagerduty.service.exists":false}` {
			t.Fatalf("%s: a missing service: %s", name, g)
		}
	}
	if msg := tgt.Failed()["flaky"]; !strings.Contains(msg, "503") {
		t.Fatalf("a 5xx fails the service only: %q (observed %v)", msg, tgt.Observed()["flaky"])
	}
	if _, ok := tgt.Observed()["unpaged"]; ok {
		t.Fatal("a link off pagerduty.com named a service")
	}
	// The 429 was counted and waited out for ratelimit-reset's 5 seconds.
	if limited.Load() != 1 || !slicesHasAtLeast(slept, 5*time.Second) {
		t.Fatalf("rate limit: counted %d, slept %v", limited.Load(), slept)
	}
}

func slicesHasAtLeast(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x >= d {
			return true
		}
	}
	return false
}

func TestBadCredentials(t *testing.T) {
	var oncalls atomic.Int32
	srv := server(t, &oncalls)
	col := collector(t, srv, "revoked", facts.Deps{})
	tgt := facts.NewTarget([]*paved.Service{{Name: "web", Annotations: map[string]string{AnnotationServiceID: "PIJ90N7"}}}, time.Now())
	err := col.Collect(context.Background(), tgt)
	if err == nil || !strings.Contains(err.Error(), "Authentication failed") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(facts.CollectorConfig{Name: "pagerduty", TokenEnv: "NONE"}.Normalized(), facts.Deps{Getenv: func(string) string { return "" }}); err == nil || !strings.Contains(err.Error(), "NONE") {
		t.Fatalf("no token: want an error naming the variable, got %v", err)
	}
}

func TestService(t *testing.T) {
	for _, tt := range []struct {
		s    paved.Service
		want Ref
		ok   bool
	}{
		{paved.Service{Annotations: map[string]string{AnnotationServiceID: "P123ABC"}}, Ref{ID: "P123ABC"}, true},
		{paved.Service{Annotations: map[string]string{AnnotationServiceID: "../users"}}, Ref{}, false},
		{paved.Service{Links: []paved.Link{{URL: "https://acme.eu.pagerduty.com/services/PXYZ123/integrations"}}}, Ref{ID: "PXYZ123"}, true},
		{paved.Service{Links: []paved.Link{{URL: "https://acme.pagerduty.com/schedules/PXYZ123"}}}, Ref{}, false},
		{paved.Service{Annotations: map[string]string{AnnotationServiceName: " Checkout API "}}, Ref{Name: "Checkout API"}, true},
	} {
		got, ok := Service(&tt.s)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Service(%+v) = %+v, %v; want %+v, %v", tt.s, got, ok, tt.want, tt.ok)
		}
	}
}
