package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeClock is an injectable clock for the limiter's cool-downs.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// limitedServer serves the API env's store with a failed-authentication
// limit and a fake clock.
func limitedServer(t *testing.T, e *apiEnv, lim AuthLimit, trusted ...string) (http.Handler, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	var prefixes []netip.Prefix
	for _, p := range trusted {
		prefixes = append(prefixes, netip.MustParsePrefix(p))
	}
	s, err := NewServer(Config{App: testApp(t, nil, e.db, clock.Now), Registry: prometheus.NewRegistry(), Now: clock.Now,
		AuthFailures: lim, TrustedProxies: prefixes})
	if err != nil {
		t.Fatal(err)
	}
	return s.Handler(), clock
}

// apiFrom sends GET /api/v1/me from remote with token ("" sends none)
// and the given X-Forwarded-For ("" sends none).
func apiFrom(h http.Handler, remote, token, xff string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// metricValue reads one sample of the /metrics page.
func metricValue(t *testing.T, h http.Handler, series string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, l := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	t.Fatalf("no series %s in /metrics", series)
	return ""
}

// TestAuthRateLimitAPI: after Burst failures an address gets 429 with
// Retry-After, even with a correct token, until the cool-down passes;
// other addresses are not affected; requests without credentials count
// nothing.
func TestAuthRateLimitAPI(t *testing.T) {
	e := newAPIEnv(t)
	h, clock := limitedServer(t, e, AuthLimit{PerMinute: 3, Burst: 3})
	const bad, other = "192.0.2.10:5000", "198.51.100.7:6000"
	good := tokenOf("viewer")

	for i := 0; i < 3; i++ {
		wantProblem(t, apiFrom(h, bad, "pvd_wrong_guess_"+fmt.Sprint(i), ""), 401, "unauthorized")
	}
	// The fourth attempt is refused before its token is looked at: a
	// correct token waits like a wrong one.
	rec := apiFrom(h, bad, good, "")
	p := wantProblem(t, rec, 429, "rate_limited")
	if ra := rec.Header().Get("Retry-After"); ra != "20" {
		t.Errorf("Retry-After = %q, want 20 (one failure refills in 60s/3)", ra)
	}
	if !strings.Contains(p.Detail, "try again in 20 seconds") {
		t.Errorf("detail %q does not say when to try again", p.Detail)
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("429 without security headers")
	}
	// Other clients are unaffected, and have their own budget.
	if rec := apiFrom(h, other, good, ""); rec.Code != 200 {
		t.Fatalf("other address: status %d, want 200", rec.Code)
	}
	wantProblem(t, apiFrom(h, other, "pvd_wrong", ""), 401, "unauthorized")
	// Still in the cool-down a second before its end.
	clock.Advance(19 * time.Second)
	rec = apiFrom(h, bad, good, "")
	wantProblem(t, rec, 429, "rate_limited")
	if ra := rec.Header().Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After = %q, want 1", ra)
	}
	// After it, the correct token works.
	clock.Advance(time.Second)
	if rec := apiFrom(h, bad, good, ""); rec.Code != 200 {
		t.Fatalf("after the cool-down: status %d, want 200: %s", rec.Code, rec.Body)
	}
	// One failure refilled, so one more wrong guess brings the limit back.
	wantProblem(t, apiFrom(h, bad, "pvd_wrong_again", ""), 401, "unauthorized")
	wantProblem(t, apiFrom(h, bad, good, ""), 429, "rate_limited")

	// No Authorization header is no attempt: it never counts.
	for i := 0; i < 10; i++ {
		wantProblem(t, apiFrom(h, "203.0.113.5:1", "", ""), 401, "unauthorized")
	}
	if rec := apiFrom(h, "203.0.113.5:1", good, ""); rec.Code != 200 {
		t.Fatalf("requests without credentials were counted: status %d", rec.Code)
	}

	if got := metricValue(t, h, `paved_auth_failures_total{face="api"}`); got != "5" {
		t.Errorf("paved_auth_failures_total{face=api} = %s, want 5", got)
	}
	if got := metricValue(t, h, `paved_auth_rate_limited_total{face="api"}`); got != "3" {
		t.Errorf("paved_auth_rate_limited_total{face=api} = %s, want 3", got)
	}
	// Probes and scrapes never authenticate and are never limited.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = bad
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("%s from a limited address: %d", path, rec.Code)
		}
	}
}

// TestAuthRateLimitSignin: the portal's sign-in form is limited the same
// way, with the form shown again (429, Retry-After) and a correct token
// refused until the cool-down passes.
func TestAuthRateLimitSignin(t *testing.T) {
	e := newAPIEnv(t)
	h, clock := limitedServer(t, e, AuthLimit{PerMinute: 2, Burst: 2})
	const addr = "192.0.2.20:4000"
	signin := func(token string) *httptest.ResponseRecorder {
		t.Helper()
		get := httptest.NewRequest("GET", "/signin", nil)
		get.RemoteAddr = addr
		page := httptest.NewRecorder()
		h.ServeHTTP(page, get)
		var cookie *http.Cookie
		for _, c := range page.Result().Cookies() {
			if c.Name == signinCSRFCookie {
				cookie = c
			}
		}
		if cookie == nil {
			t.Fatal("no sign-in CSRF cookie")
		}
		form := url.Values{"csrf": {csrfOf(t, page.Body.String())}, "token": {token}, "next": {"/"}}
		req := httptest.NewRequest("POST", "/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := 0; i < 2; i++ {
		if rec := signin("pvd_wrong"); rec.Code != 401 {
			t.Fatalf("wrong token %d: status %d, want 401", i, rec.Code)
		}
	}
	rec := signin(tokenOf("viewer"))
	if rec.Code != 429 {
		t.Fatalf("correct token from a limited address: status %d, want 429", rec.Code)
	}
	if ra := rec.Header().Get("Retry-After"); ra != "30" {
		t.Errorf("Retry-After = %q, want 30", ra)
	}
	if !strings.Contains(rec.Body.String(), "Too many failed sign-ins") || !strings.Contains(rec.Body.String(), `name="token"`) {
		t.Errorf("the limited sign-in does not show the form with the reason:\n%s", rec.Body)
	}
	clock.Advance(30 * time.Second)
	rec = signin(tokenOf("viewer"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("after the cool-down: status %d, want 303", rec.Code)
	}
	if got := metricValue(t, h, `paved_auth_failures_total{face="portal"}`); got != "2" {
		t.Errorf("portal failures = %s, want 2", got)
	}
	if got := metricValue(t, h, `paved_auth_rate_limited_total{face="portal"}`); got != "1" {
		t.Errorf("portal refusals = %s, want 1", got)
	}
}

// TestAuthRateLimitTrustedProxy: behind a trusted proxy each client is
// limited by its own address from X-Forwarded-For; an untrusted peer's
// X-Forwarded-For is ignored, so a client cannot dodge the limit by
// inventing addresses.
func TestAuthRateLimitTrustedProxy(t *testing.T) {
	e := newAPIEnv(t)
	h, _ := limitedServer(t, e, AuthLimit{PerMinute: 1, Burst: 1}, "10.0.0.0/8")
	const proxy = "10.1.2.3:443"
	wantProblem(t, apiFrom(h, proxy, "pvd_wrong", "203.0.113.9"), 401, "unauthorized")
	wantProblem(t, apiFrom(h, proxy, tokenOf("viewer"), "203.0.113.9"), 429, "rate_limited")
	// Another client behind the same proxy is fine.
	if rec := apiFrom(h, proxy, tokenOf("viewer"), "203.0.113.10"); rec.Code != 200 {
		t.Fatalf("another client behind the proxy: %d", rec.Code)
	}
	// A forged left-most hop does not help: the proxy appended the real one.
	wantProblem(t, apiFrom(h, proxy, tokenOf("viewer"), "198.51.100.1, 203.0.113.9"), 429, "rate_limited")
	// An untrusted peer is limited by its own address, whatever it claims.
	wantProblem(t, apiFrom(h, "192.0.2.50:1", "pvd_wrong", "198.51.100.2"), 401, "unauthorized")
	wantProblem(t, apiFrom(h, "192.0.2.50:1", tokenOf("viewer"), "198.51.100.3"), 429, "rate_limited")
}

// TestAuthRateLimitOff: the zero AuthLimit limits nothing (but counts).
func TestAuthRateLimitOff(t *testing.T) {
	e := newAPIEnv(t)
	h, _ := limitedServer(t, e, AuthLimit{})
	for i := 0; i < 50; i++ {
		wantProblem(t, apiFrom(h, "192.0.2.1:1", "pvd_wrong", ""), 401, "unauthorized")
	}
	if got := metricValue(t, h, `paved_auth_failures_total{face="api"}`); got != "50" {
		t.Errorf("failures = %s, want 50", got)
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd12::/16")}
	for _, tt := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"192.0.2.1:1234", nil, "192.0.2.1"},
		{"192.0.2.1:1234", []string{"203.0.113.1"}, "192.0.2.1"}, // untrusted peer: header ignored
		{"10.0.0.1:1234", nil, "10.0.0.1"},
		{"10.0.0.1:1234", []string{"203.0.113.1"}, "203.0.113.1"},
		{"10.0.0.1:1234", []string{"198.51.100.1, 203.0.113.1"}, "203.0.113.1"},
		{"10.0.0.1:1234", []string{"198.51.100.1, 203.0.113.1, 10.0.0.7"}, "203.0.113.1"}, // two proxies
		{"10.0.0.1:1234", []string{"198.51.100.1", "203.0.113.1"}, "203.0.113.1"},         // two header lines
		{"10.0.0.1:1234", []string{"10.0.0.9, 10.0.0.8"}, "10.0.0.9"},                     // all trusted: the left-most
		{"10.0.0.1:1234", []string{"203.0.113.1, garbage"}, "10.0.0.1"},                   // garbage: the nearest believable
		{"10.0.0.1:1234", []string{"[2001:db8::1]:5555"}, "2001:db8::1"},
		{"10.0.0.1:1234", []string{"203.0.113.1:80"}, "203.0.113.1"},
		{"[::ffff:10.0.0.1]:1234", []string{"203.0.113.1"}, "203.0.113.1"}, // v4-mapped peer
		{"[fd12::1]:1234", []string{"2001:db8::2"}, "2001:db8::2"},
		{"@", nil, "invalid IP"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(req, trusted).String(); got != tt.want {
			t.Errorf("clientAddr(%s, %q) = %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}

// TestAuthLimiterBounded: memory stays bounded whatever the number of
// addresses; the least recently seen are forgotten first; IPv6 clients
// share their /64; a bucket that refilled is dropped.
func TestAuthLimiterBounded(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	l, err := newAuthLimiter(AuthLimit{PerMinute: 6, Burst: 1, MaxAddresses: 100}, clock.Now, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}) }
	for i := 0; i < 1000; i++ {
		l.fail(addr(i))
	}
	if n := l.tracked(); n != 100 {
		t.Fatalf("tracked %d addresses, want at most 100", n)
	}
	if l.wait(addr(999)) == 0 || l.wait(addr(900)) == 0 {
		t.Error("the most recent addresses were forgotten")
	}
	if l.wait(addr(0)) != 0 {
		t.Error("the oldest address is still limited")
	}
	// IPv6: one /64 is one client.
	a1, a2 := netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db8:1:2:ffff::9")
	l.fail(a1)
	if l.wait(a2) == 0 {
		t.Error("an address in the same /64 is not limited")
	}
	if l.wait(netip.MustParseAddr("2001:db8:1:3::1")) != 0 {
		t.Error("another /64 is limited")
	}
	// Refilled buckets are forgotten when next looked at.
	clock.Advance(time.Minute)
	if l.wait(a2) != 0 {
		t.Error("still limited after the cool-down")
	}
	if n := l.tracked(); n != 99 {
		t.Errorf("tracked %d after one bucket refilled and was dropped, want 99", n)
	}
	// An invalid address is never limited.
	l.fail(netip.Addr{})
	if l.wait(netip.Addr{}) != 0 {
		t.Error("the invalid address is limited")
	}
}

// BenchmarkClientAddrAndWait is the cost of the limiter on the hot
// path of an authenticated request while no address is limited.
func BenchmarkClientAddrAndWait(b *testing.B) {
	l, _ := newAuthLimiter(AuthLimit{PerMinute: 10}, time.Now, prometheus.NewRegistry())
	l.fail(netip.MustParseAddr("192.0.2.200"))
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.RemoteAddr = "192.0.2.1:1234"
	b.ReportAllocs()
	for b.Loop() {
		_ = l.wait(clientAddr(req, nil))
	}
}

// TestHSTSBehindTrustedProxy: HSTS goes out when a trusted proxy says it
// received the request over HTTPS, and not on anyone else's word.
func TestHSTSBehindTrustedProxy(t *testing.T) {
	e := newAPIEnv(t)
	h, _ := limitedServer(t, e, AuthLimit{}, "10.0.0.0/8")
	for _, tt := range []struct {
		remote, proto string
		want          bool
	}{
		{"10.0.0.2:1", "https", true},
		{"10.0.0.2:1", "http, https", true},
		{"10.0.0.2:1", "http", false},
		{"10.0.0.2:1", "", false},
		{"192.0.2.9:1", "https", false}, // not a trusted proxy
	} {
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.RemoteAddr = tt.remote
		if tt.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tt.want {
			t.Errorf("%s with X-Forwarded-Proto %q: HSTS %v, want %v", tt.remote, tt.proto, got, tt.want)
		}
	}
}
