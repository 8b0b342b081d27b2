package facts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestAPIRateLimits replays the rate-limit answers of the providers, as
// their documentation shows them: GitHub's primary limit (403 with
// X-RateLimit-Remaining: 0 and a Unix reset) and secondary limit (403 with
// Retry-After), a 429 with RateLimit-Reset in seconds (PagerDuty, GitLab),
// Opsgenie's 429 with X-RateLimit-Period-In-Sec, then a 5xx, then success.
func TestAPIRateLimits(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			t.Errorf("no credentials on %s", r.URL)
		}
		switch calls.Add(1) {
		case 1:
			w.Header().Set("X-RateLimit-Limit", "5000")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Unix()+30, 10))
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`))
		case 2:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`))
		case 3:
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", "12")
			w.WriteHeader(http.StatusTooManyRequests)
		case 4:
			w.Header().Set("X-RateLimit-State", "THROTTLED")
			w.Header().Set("X-RateLimit-Period-In-Sec", "60")
			w.WriteHeader(http.StatusTooManyRequests)
		case 5:
			w.WriteHeader(http.StatusBadGateway)
		default:
			w.Header().Set("Link", `<`+"http://"+r.Host+`/repos?page=2>; rel="next", <http://`+r.Host+`/repos?page=9>; rel="last"`)
			w.Write([]byte(`[{"name":"web"}]`))
		}
	}))
	defer srv.Close()
	var slept []time.Duration
	limited := 0
	api := newTestAPI(t, srv.URL, &slept)
	api.MaxRetries = 6
	clock := now
	api.Now = func() time.Time { return clock }
	sleep := api.Sleep
	api.Sleep = func(ctx context.Context, d time.Duration) error { clock = clock.Add(d); return sleep(ctx, d) }
	api.OnRateLimit = func() { limited++ }
	var out []struct{ Name string }
	resp, err := api.GetJSON(context.Background(), "/orgs/acme/repos?per_page=100", &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Name != "web" || resp.Next != srv.URL+"/repos?page=2" {
		t.Fatalf("out %v next %q", out, resp.Next)
	}
	if limited != 4 {
		t.Errorf("rate-limited answers counted %d, want 4", limited)
	}
	// The waits: the GitHub reset (30s + 1s), Retry-After 7s, RateLimit-Reset
	// 12s (+1s), Opsgenie's period 60s, then a backoff after the 502.
	want := []time.Duration{31 * time.Second, 7 * time.Second, 13 * time.Second, 60 * time.Second}
	if len(slept) != 5 {
		t.Fatalf("slept %v", slept)
	}
	for i, w := range want {
		if slept[i] != w {
			t.Errorf("wait %d = %s, want %s", i, slept[i], w)
		}
	}
	if b := slept[4]; b < 8*time.Second || b > 16*time.Second { // the fifth attempt: 16s halved, with jitter
		t.Errorf("backoff after a 5xx = %s", b)
	}
}

func newTestAPI(t *testing.T, base string, slept *[]time.Duration) *API {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return &API{Base: u, Client: &http.Client{Timeout: 5 * time.Second}, Header: http.Header{"Authorization": {"Bearer t0ken"}},
		Sleep: func(ctx context.Context, d time.Duration) error {
			if d > 0 {
				*slept = append(*slept, d)
			}
			return ctx.Err()
		}}
}

func TestAPIFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v3/repos/acme/gone":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}`))
		case "/api/v3/forbidden":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"message":"Resource not accessible by integration"}`))
		case "/api/v3/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/api/v3/big":
			w.Write([]byte(strings.Repeat("x", 2048)))
		case "/api/v3/slow":
			time.Sleep(300 * time.Millisecond)
		}
	}))
	defer srv.Close()
	var slept []time.Duration
	api := newTestAPI(t, srv.URL+"/api/v3", &slept)
	api.MaxBody = 1024
	ctx := context.Background()
	_, err := api.GetJSON(ctx, "/repos/acme/gone", nil)
	if !IsNotFound(err) || !strings.Contains(err.Error(), "Not Found") {
		t.Fatalf("404: %v", err)
	}
	// A 403 without rate-limit headers is a permission problem, not retried.
	slept = nil
	if _, err := api.GetJSON(ctx, "/forbidden", nil); err == nil || !strings.Contains(err.Error(), "not accessible") || len(slept) != 0 {
		t.Fatalf("403: %v, slept %v", err, slept)
	}
	if _, err := api.GetJSON(ctx, "/down", nil); err == nil || !strings.Contains(err.Error(), "503") || len(slept) != 4 {
		t.Fatalf("5xx: %v after %d retries", err, len(slept))
	}
	if _, err := api.GetJSON(ctx, "/big", nil); err == nil || !strings.Contains(err.Error(), "larger than 1024") {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := api.GetJSON(ctx, "https://elsewhere.example.com/api/v3/x", nil); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("off-host link: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := api.GetJSON(tctx, "/slow", nil); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("timeout: %v", err)
	}
	// The base path is kept and the path escaped as given.
	if got := api.URL("/projects/group%2Fweb", nil); got != srv.URL+"/api/v3/projects/group%2Fweb" {
		t.Fatalf("URL = %s", got)
	}
}
