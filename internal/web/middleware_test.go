package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSecurityHeadersEverywhere(t *testing.T) {
	e := newAPIEnv(t)
	for _, target := range []string{"/healthz", "/api/v1/services", "/api/v1/nope", "/signin", "/no-such-page", "https://paved.example/api/v1/me"} {
		rec := e.as("viewer", "GET", target, "")
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		if !strings.HasPrefix(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", target, csp)
		}
		for k, want := range map[string]string{
			"X-Content-Type-Options":     "nosniff",
			"Referrer-Policy":            "no-referrer",
			"X-Frame-Options":            "DENY",
			"Cross-Origin-Opener-Policy": "same-origin",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", target, k, got, want)
			}
		}
		hsts := h.Get("Strict-Transport-Security")
		if tls := strings.HasPrefix(target, "https:"); tls != (hsts != "") {
			t.Errorf("%s: Strict-Transport-Security = %q (only over TLS)", target, hsts)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", target)
		}
	}
}

func TestRequestID(t *testing.T) {
	e := newAPIEnv(t)
	send := func(id string) string {
		req := httptest.NewRequest("GET", "/healthz", nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec.Header().Get("X-Request-Id")
	}
	if got := send("trace-42"); got != "trace-42" {
		t.Errorf("sane incoming id replaced: %q", got)
	}
	for _, bad := range []string{"", "has space", strings.Repeat("x", 100), "inject\"quote"} {
		got := send(bad)
		if got == bad || !saneRequestID(got) || len(got) != 24 {
			t.Errorf("incoming %q: got %q", bad, got)
		}
	}
	if send("") == send("") {
		t.Error("generated ids repeat")
	}
}

// logLines parses a JSON log.
func logLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("log is not JSON lines: %v\n%s", err, b)
		}
		out = append(out, m)
	}
}

func TestAccessLogAndPanicRecovery(t *testing.T) {
	e := newAPIEnv(t)
	var logs bytes.Buffer
	s, err := NewServer(Config{App: testApp(t, nil, e.db, nil), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/services?team=alpha", nil)
	req.Header.Set("Authorization", "Bearer "+tokenOf("viewer"))
	req.Header.Set("X-Request-Id", "req-1")
	s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	lines := logLines(t, logs.Bytes())
	if len(lines) != 1 {
		t.Fatalf("want one access log line, got %d", len(lines))
	}
	l := lines[0]
	if l["request_id"] != "req-1" || l["route"] != "GET /api/v1/services" || l["status"] != float64(200) ||
		l["user"] != "viewer" || l["method"] != "GET" {
		t.Fatalf("access log line: %v", l)
	}
	if _, ok := l["duration_ms"].(float64); !ok {
		t.Fatalf("no duration: %v", l)
	}

	// A panicking handler becomes a 500 problem; the panic is logged, not
	// shown.
	logs.Reset()
	h := s.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("secret internals") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	p := wantProblem(t, rec, 500, "internal")
	if strings.Contains(rec.Body.String(), "secret internals") {
		t.Fatal("panic value shown to the client")
	}
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("500 without security headers")
	}
	if !strings.Contains(logs.String(), "secret internals") || !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("panic not logged: %s", logs.String())
	}
	if p.Instance != "/boom" {
		t.Errorf("instance %q", p.Instance)
	}

	// A panic after part of the response is out aborts the connection
	// (net/http's ErrAbortHandler) once it is logged: a 200 with half a
	// body must not look like success.
	logs.Reset()
	h = s.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("partial"))
		panic("midway")
	}))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	if !strings.Contains(logs.String(), "midway") || !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("mid-response panic not logged as a 500: %s", logs.String())
	}

	// net/http's own abort signal passes through untouched.
	h = s.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler re-panicked", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
}

func TestInternalErrorIsLoggedNotShown(t *testing.T) {
	e := newAPIEnv(t)
	var logs bytes.Buffer
	s, err := NewServer(Config{App: testApp(t, nil, e.db, nil), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.db.Close() // every store call now fails with an internal error
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/services", nil)
	req.Header.Set("Authorization", "Bearer "+tokenOf("viewer"))
	s.Handler().ServeHTTP(rec, req)
	p := wantProblem(t, rec, 500, "internal")
	if strings.Contains(p.Detail, "sql") || strings.Contains(p.Detail, "closed") {
		t.Fatalf("internal detail leaks: %q", p.Detail)
	}
	if !strings.Contains(logs.String(), "closed") {
		t.Fatalf("the real error is not in the log: %s", logs.String())
	}

	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed store: %d", rec.Code)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	e := newAPIEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if rec := e.do("GET", p, "", ""); rec.Code != 200 {
			t.Errorf("%s: %d %s", p, rec.Code, rec.Body)
		}
	}
	// Some traffic, then the metrics must show it by route pattern.
	e.as("viewer", "GET", "/api/v1/services?team=alpha", "")
	e.as("viewer", "GET", "/api/v1/services/svc-alpha", "")
	e.as("viewer", "GET", "/api/v1/services/nope", "")
	e.do("GET", "/api/v1/services", "", "")
	e.do("GET", "/api/v1/zzz/"+strings.Repeat("x", 10), "", "")
	rec := e.do("GET", "/metrics", "", "")
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`paved_http_requests_total{code="200",method="GET",route="GET /api/v1/services"} 1`,
		`paved_http_requests_total{code="200",method="GET",route="GET /api/v1/services/{name}"} 1`,
		`paved_http_requests_total{code="404",method="GET",route="GET /api/v1/services/{name}"} 1`,
		`paved_http_requests_total{code="401",method="GET",route="GET /api/v1/services"} 1`,
		`paved_http_request_duration_seconds_bucket{method="GET",route="GET /api/v1/services",le="0.02"}`,
		`go_goroutines`,
		`process_cpu_seconds_total`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "zzz") {
		t.Error("a raw path became a metric label")
	}
	// A second server on the same registry counts into the same series.
	s2, err := NewServer(Config{App: testApp(t, nil, e.db, nil), Registry: e.reg})
	if err != nil {
		t.Fatal(err)
	}
	s2.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	rec = e.do("GET", "/metrics", "", "")
	if want := `paved_http_requests_total{code="200",method="GET",route="GET /healthz"} 2`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("shared registry: metrics lack %s", want)
	}
}

func TestAPIFallbacks(t *testing.T) {
	e := newAPIEnv(t)
	p := wantProblem(t, e.as("viewer", "GET", "/api/v1/nope", ""), 404, "not_found")
	if !strings.Contains(p.Detail, "/api/v1/nope") {
		t.Errorf("detail %q", p.Detail)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v2/services", ""), 404, "not_found")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/services/", ""), 404, "not_found")

	for _, tt := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/services", "GET, HEAD, POST"},
		{"PUT", "/api/v1/services/svc-alpha", "GET, HEAD, PATCH"},
		{"GET", "/api/v1/tokens/1/revoke", "POST"},
		{"TRACE", "/api/v1/me", "GET, HEAD"},
	} {
		rec := e.as("viewer", tt.method, tt.path, "")
		wantProblem(t, rec, 405, codeMethodNotAllowed)
		if got := rec.Header().Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
	// Unknown query parameters are named.
	p = wantProblem(t, e.as("viewer", "GET", "/api/v1/services?phse=production", ""), 400, "invalid")
	if p.Field != "phse" {
		t.Errorf("field = %q", p.Field)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/me?x=1", ""), 400, "invalid")
}

func TestBodyLimits(t *testing.T) {
	e := newAPIEnv(t)
	s, err := NewServer(Config{App: testApp(t, nil, e.db, nil), MaxBodyBytes: 256})
	if err != nil {
		t.Fatal(err)
	}
	e.h = s.Handler()
	big := `{"name":"big","owner":"alpha","description":"` + strings.Repeat("d", 300) + `"}`
	p := wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/services", big), 413, "too_large")
	if !strings.Contains(p.Detail, "256") {
		t.Errorf("detail %q does not name the limit", p.Detail)
	}
	wantProblem(t, e.as("dev-alpha", "PATCH", "/api/v1/services/svc-alpha", big), 413, "too_large")
	wantProblem(t, e.as("admin", "POST", "/api/v1/teams", big), 413, "too_large")

	// Imports have their own, larger limit: a body over the general limit
	// is read, one over 32 MiB is refused.
	rec := e.as("admin", "POST", "/api/v1/catalog/import?dry_run=true", jsonImport(importYAML+"\n# "+strings.Repeat("p", 1000)+"\n"))
	if rec.Code != 200 {
		t.Fatalf("import over the general limit: %d %s", rec.Code, rec.Body)
	}
	huge := `{"files":[{"name":"a.yaml","content":"` + strings.Repeat("x", maxImportBytes) + `"}]}`
	wantProblem(t, e.as("admin", "POST", "/api/v1/catalog/import?dry_run=true", huge), 413, "too_large")
}

func TestStrictDecodingOverHTTP(t *testing.T) {
	e := newAPIEnv(t)
	for _, tt := range []struct{ body, field, detail string }{
		{`{"name":"x","owner":"alpha","ownr":"beta"}`, "ownr", "unknown field"},
		{`{"name":"x","owner":"alpha",`, "", "ends in the middle"},
		{`{"name":"x","owner":"alpha"}}`, "", "offset"},
		{`{"name":"x","owner":"alpha"} {"name":"y"}`, "", "after the JSON value"},
		{`{"name":"x","owner":"alpha","tags":"one"}`, "tags", "an array"},
		{`{"name":7}`, "name", "a string"},
		{``, "", "empty"},
	} {
		p := wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/services", tt.body), 400, "invalid")
		if p.Field != tt.field || !strings.Contains(p.Detail, tt.detail) {
			t.Errorf("%s: field %q detail %q; want %q ~%q", tt.body, p.Field, p.Detail, tt.field, tt.detail)
		}
	}
	// A key twice, and 200,000 tags in one PATCH (which fit in the body
	// limit), are refused naming the field.
	if rec := e.as("dev-alpha", "POST", "/api/v1/services", `{"name":"checkout","owner":"alpha"}`); rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	for _, tt := range []struct{ body, field, detail string }{
		{`{"description":"a","description":"b"}`, "description", "twice"},
		{`{"tags":[` + strings.Repeat(`"t",`, 199999) + `"t"]}`, "tags", "more than 200 items"},
		{`{"title":"a\u0000b"}`, "title", "NUL"},
		{`{"description":"\u001b[2J"}`, "description", "control character"},
		{`{"annotations":{"k\u0000":"v"}}`, "annotations", "NUL"},
		{`{"links":[{"url":"javascript:alert(document.cookie)","title":"x"}]}`, "links[0].url", "http, https or mailto"},
	} {
		p := wantProblem(t, e.as("dev-alpha", "PATCH", "/api/v1/services/checkout", tt.body), 400, "invalid")
		if p.Field != tt.field || !strings.Contains(p.Detail, tt.detail) {
			t.Errorf("PATCH %.40s: field %q detail %q; want %q ~%q", tt.body, p.Field, p.Detail, tt.field, tt.detail)
		}
	}
}
