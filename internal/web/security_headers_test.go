package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// wantSecurityHeaders are the headers of setSecurityHeaders, on every
// response over plain HTTP.
var wantSecurityHeaders = map[string]string{
	"Content-Security-Policy":      contentSecurityPolicy,
	"X-Content-Type-Options":       "nosniff",
	"Referrer-Policy":              "no-referrer",
	"X-Frame-Options":              "DENY",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           permissionsPolicy,
}

// strictCSP accepts a policy at least as strict as the default: nothing
// loads from elsewhere and nothing may frame the page.
func strictCSP(csp string) bool {
	return (strings.HasPrefix(csp, "default-src 'none'") || strings.HasPrefix(csp, "default-src 'self'")) &&
		strings.Contains(csp, "frame-ancestors 'none'") && !strings.Contains(csp, "unsafe-") && !strings.Contains(csp, "*")
}

var wildcardRE = regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)

// fillPattern turns a mux pattern into a method and a path to request.
func fillPattern(p string) (method, path string) {
	method, path, ok := strings.Cut(p, " ")
	if !ok {
		method, path = "GET", p
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = wildcardRE.ReplaceAllStringFunc(path, func(w string) string {
		switch wildcardRE.FindStringSubmatch(w)[1] {
		case "name":
			return "svc-alpha"
		case "id", "fid", "version":
			return "1"
		case "kind":
			return "checklist"
		case "scope":
			return "team"
		}
		return "x"
	})
	if strings.HasSuffix(path, "/static/") {
		path += "app.css"
	}
	return method, path
}

// portalSession signs in through the handler and returns the session
// cookie.
func portalSession(t *testing.T, h http.Handler, token string) *http.Cookie {
	t.Helper()
	page := httptest.NewRecorder()
	h.ServeHTTP(page, httptest.NewRequest("GET", "/signin", nil))
	var csrf *http.Cookie
	for _, c := range page.Result().Cookies() {
		if c.Name == signinCSRFCookie {
			csrf = c
		}
	}
	form := url.Values{"csrf": {csrfOf(t, page.Body.String())}, "token": {token}, "next": {"/"}}
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("sign-in gave no session: %d %s", rec.Code, rec.Body)
	return nil
}

// TestSecurityHeadersOnEveryRoute sends every registered route (the route
// table: API, portal and the operational endpoints) without credentials, with a wrong token, as a viewer and as
// an admin (bearer token and portal session), plus the error paths the
// router and the middleware produce, and checks that each response
// carries every security header: successes, redirects, 4xx problems,
// error pages and 429s alike.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	e := newAPIEnv(t)
	h, _ := limitedServer(t, e, AuthLimit{PerMinute: 1, Burst: 1})
	viewer := portalSession(t, e.h, tokenOf("viewer"))
	admin := portalSession(t, e.h, tokenOf("admin"))

	var patterns []string
	for _, rt := range e.srv.routeTable() {
		patterns = append(patterns, rt.Pattern)
	}

	type variant struct {
		name   string
		handle http.Handler
		set    func(*http.Request)
	}
	variants := []variant{
		{"anonymous", e.h, func(*http.Request) {}},
		{"wrong token", e.h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer pvd_wrong") }},
		{"viewer token", e.h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tokenOf("viewer")) }},
		{"admin token", e.h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tokenOf("admin")) }},
		{"viewer session", e.h, func(r *http.Request) { r.AddCookie(viewer) }},
		{"admin session", e.h, func(r *http.Request) { r.AddCookie(admin) }},
		// After one failure from this address every attempt is a 429.
		{"rate limited", h, func(r *http.Request) { r.Header.Set("Authorization", "Bearer pvd_wrong") }},
	}
	statuses := map[int]int{}
	check := func(what string, rec *httptest.ResponseRecorder) {
		t.Helper()
		statuses[rec.Code]++
		for k, want := range wantSecurityHeaders {
			got := rec.Header().Get(k)
			if k == "Content-Security-Policy" && strictCSP(got) {
				// A page may tighten the policy (the standalone
				// launch packet allows only its own inline style).
				continue
			}
			if got != want {
				t.Errorf("%s: %d with %s = %q, want %q", what, rec.Code, k, got, want)
			}
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", what)
		}
		if rec.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", what)
		}
	}
	for _, p := range patterns {
		method, path := fillPattern(p)
		for _, v := range variants {
			body := ""
			if method != "GET" && method != "HEAD" {
				body = "{}"
			}
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Content-Type", "application/json")
			} else if body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			v.set(req)
			rec := httptest.NewRecorder()
			v.handle.ServeHTTP(rec, req)
			check(p+" "+v.name, rec)
		}
	}

	// Error paths of the router and the middleware.
	over := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, tt := range []struct{ method, path, body string }{
		{"GET", "/api/v1/no-such-route", ""},
		{"DELETE", "/api/v1/services", ""},          // 405 with Allow
		{"TRACE", "/api/v1/services", ""},           // odd method
		{"BREW", "/", ""},                           // odd method on the portal
		{"GET", "/no/such/page", ""},                // portal 404
		{"GET", "/static/", ""},                     // no listings
		{"POST", "/api/v1/services", over},          // 413
		{"POST", "/signin", "token=x"},              // no CSRF
		{"GET", "/api/v1/services?bogus=1", ""},     // unknown query parameter
		{"PUT", "/api/v1/services/svc-alpha", "{}"}, // 405
		{"GET", "/metrics", ""},
		{"HEAD", "/healthz", ""},
	} {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		req.Header.Set("Authorization", "Bearer "+tokenOf("admin"))
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		check(tt.method+" "+tt.path, rec)
	}
	// A panic becomes a 500 that still carries the headers.
	rec := httptest.NewRecorder()
	e.srv.instrument(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })).
		ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	check("panic", rec)

	// The test saw the variety it claims to.
	for _, st := range []int{200, 303, 400, 401, 403, 404, 405, 413, 429, 500} {
		if statuses[st] == 0 {
			t.Errorf("no response with status %d among %v", st, statuses)
		}
	}
	t.Logf("%d patterns, statuses %v", len(patterns), statuses)

	// Over TLS, HSTS is added.
	req := httptest.NewRequest("GET", "https://paved.example/healthz", nil)
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Header().Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
}
