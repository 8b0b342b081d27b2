package web

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

// portalFixture is a seeded SQLite store behind a test server.
type portalFixture struct {
	db       *store.DB
	path     string // the SQLite file, for tests that write behind the store
	srv      *httptest.Server
	tokens   map[string]string // user name -> token secret
	services []*paved.Service  // as seeded
}

// seedServiceNames are the services the fixture creates: enough for two
// catalog pages, and realistic enough for the browser screenshots.
var seedServiceNames = []string{
	"checkout-api", "payments-gateway", "invoice-service", "refund-worker", "fraud-scoring", "ledger",
	"search-api", "search-indexer", "query-suggest", "ranking-model", "catalog-feed", "synonyms",
	"login", "sessions", "mfa-service", "user-profile", "consent-store", "password-reset",
	"card-vault", "payout-scheduler", "billing-events", "tax-calculator", "currency-rates", "receipts",
	"autocomplete", "crawl-scheduler", "spellcheck", "click-logger", "ab-testing", "facet-service",
	"sso-bridge", "scim-sync", "audit-trail", "device-registry", "risk-engine", "oauth-server",
}

var seedOwners = []string{"payments", "search", "identity"}

// newPortalFixture opens a fresh SQLite store, seeds teams, users with every
// interesting role, tokens and services, and serves the web server on it.
func newPortalFixture(t testing.TB) *portalFixture {
	t.Helper()
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "seed"})
	path := filepath.Join(t.TempDir(), "paved.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	f := &portalFixture{db: db, path: path, tokens: map[string]string{}}

	teams := []*paved.Team{
		{Name: "commerce", Kind: paved.KindProduct, Title: "Commerce", Description: "Everything that takes money."},
		{Name: "payments", Kind: paved.KindProduct, Title: "Payments", Parent: "commerce", Email: "payments@example.com"},
		{Name: "search", Kind: paved.KindProduct, Title: "Search"},
		{Name: "identity", Kind: paved.KindProduct, Title: "Identity"},
		{Name: "security", Kind: paved.KindSecurity, Title: "Security"},
		{Name: "platform", Kind: paved.KindDeveloperProductivity, Title: "Developer productivity"},
	}
	for _, tm := range teams {
		if err := db.CreateTeam(ctx, tm); err != nil {
			t.Fatalf("create team %s: %v", tm.Name, err)
		}
	}
	users := []*paved.User{
		{Name: "alice", DisplayName: "Alice Adams", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
		{Name: "dave", DisplayName: "Dave Dorn", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"search"}},
		{Name: "bob", DisplayName: "Bob Brown", Roles: []paved.Role{paved.RoleViewer}, Teams: []string{"search"}},
		{Name: "sam", DisplayName: "Sam Sec", Roles: []paved.Role{paved.RoleSecurity}, Teams: []string{"security"}},
		{Name: "root", DisplayName: "Root Admin", Roles: []paved.Role{paved.RoleAdmin}, Teams: []string{"platform"}},
	}
	for _, u := range users {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user %s: %v", u.Name, err)
		}
		secret := paved.NewTokenSecret()
		tok := &paved.Token{User: u.Name, Name: "test", Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret)}
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatalf("create token for %s: %v", u.Name, err)
		}
		f.tokens[u.Name] = secret
	}
	for i, name := range seedServiceNames {
		s := &paved.Service{
			Name:        name,
			Title:       strings.ReplaceAll(name, "-", " "),
			Description: fmt.Sprintf("Handles %s for the %s team.", strings.ReplaceAll(name, "-", " "), seedOwners[i%len(seedOwners)]),
			Owner:       seedOwners[i%len(seedOwners)],
			Type:        "service",
			Lifecycle:   "production",
			Tier:        paved.Tier(i%4 + 1),
			DataClass:   paved.DataClasses[(i/2)%4],
			Phase:       paved.Phases[i%4],
			Tags:        []string{"go"},
			Links: []paved.Link{
				{URL: "https://git.example.com/" + name, Title: "Repository", Type: "repo"},
				{URL: "https://runbooks.example.com/" + name, Title: "Runbook", Type: "runbook"},
			},
			Annotations: map[string]string{"backstage.io/techdocs-ref": "dir:."},
			DependsOn:   []string{"resource:default/postgres"},
		}
		if i == 1 {
			s.Grandfathered = true
			s.Phase = paved.PhaseProduction
		}
		if err := db.CreateService(ctx, s); err != nil {
			t.Fatalf("create service %s: %v", name, err)
		}
		f.services = append(f.services, s)
	}

	srv, err := NewServer(Config{App: acmeApp(t, db), Version: "v0.0.0-test"})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	f.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// countServices counts the seeded services that keep(s) accepts and that
// the catalog lists by default (not retired).
func (f *portalFixture) countServices(keep func(*paved.Service) bool) int {
	n := 0
	for _, s := range f.services {
		if s.Phase != paved.PhaseRetired && keep(s) {
			n++
		}
	}
	return n
}

// portalClient is a browser-like client: it keeps cookies and does not
// follow redirects, so tests can assert on them.
type portalClient struct {
	t    testing.TB
	base string
	c    *http.Client
}

func (f *portalFixture) client(t testing.TB) *portalClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &portalClient{t: t, base: f.srv.URL, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (pc *portalClient) do(req *http.Request) (*http.Response, string) {
	pc.t.Helper()
	resp, err := pc.c.Do(req)
	if err != nil {
		pc.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		pc.t.Fatalf("read %s: %v", req.URL, err)
	}
	return resp, string(b)
}

func (pc *portalClient) get(path string) (*http.Response, string) {
	pc.t.Helper()
	req, err := http.NewRequest(http.MethodGet, pc.base+path, nil)
	if err != nil {
		pc.t.Fatal(err)
	}
	return pc.do(req)
}

func (pc *portalClient) post(path string, form url.Values, header map[string]string) (*http.Response, string) {
	pc.t.Helper()
	req, err := http.NewRequest(http.MethodPost, pc.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		pc.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return pc.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrfOf returns the CSRF token of the first form on a page.
func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// signin signs in with token and returns the page's CSRF token.
func (pc *portalClient) signin(token string) string {
	pc.t.Helper()
	_, body := pc.get("/signin")
	resp, body := pc.post("/signin", url.Values{"csrf": {csrfOf(pc.t, body)}, "token": {token}, "next": {"/"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		pc.t.Fatalf("sign-in: status %d, want 303:\n%s", resp.StatusCode, body)
	}
	resp, body = pc.get("/")
	if resp.StatusCode != http.StatusOK {
		pc.t.Fatalf("home after sign-in: status %d:\n%s", resp.StatusCode, body)
	}
	return csrfOf(pc.t, body)
}

func wantPageStatus(t testing.TB, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

func wantPageContains(t testing.TB, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestPortalSignin(t *testing.T) {
	f := newPortalFixture(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	revoked := paved.NewTokenSecret()
	tok := &paved.Token{User: "bob", Name: "old", Prefix: paved.DisplayPrefix(revoked), Hash: paved.HashToken(revoked)}
	if err := f.db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		token      string
		csrf       string // "" uses the form's own value
		noCookie   bool   // drop the double-submit cookie
		next       string
		header     map[string]string
		wantStatus int
		wantLoc    string // for 303
		wantText   string
	}{
		{name: "valid token", token: f.tokens["alice"], next: "/services?q=pay", wantStatus: 303, wantLoc: "/services?q=pay"},
		{name: "valid token, token with spaces around", token: "  " + f.tokens["alice"] + "\n", wantStatus: 303, wantLoc: "/"},
		{name: "unknown token", token: "pvd_notatoken", wantStatus: 401, wantText: "not valid"},
		{name: "revoked token", token: revoked, wantStatus: 401, wantText: "not valid"},
		{name: "empty token", token: "", wantStatus: 400, wantText: "Enter your API token"},
		{name: "missing csrf", token: f.tokens["alice"], csrf: "-", wantStatus: 403, wantText: "could not be verified"},
		{name: "wrong csrf", token: f.tokens["alice"], csrf: "forged", wantStatus: 403, wantText: "could not be verified"},
		{name: "no double-submit cookie", token: f.tokens["alice"], noCookie: true, wantStatus: 403, wantText: "could not be verified"},
		{name: "cross-site form", token: f.tokens["alice"], header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
		{name: "foreign origin", token: f.tokens["alice"], header: map[string]string{"Origin": "https://evil.example"}, wantStatus: 403},
		{name: "open redirect //", token: f.tokens["alice"], next: "//evil.example/x", wantStatus: 303, wantLoc: "/"},
		{name: "open redirect /\\", token: f.tokens["alice"], next: `/\evil.example`, wantStatus: 303, wantLoc: "/"},
		{name: "open redirect absolute", token: f.tokens["alice"], next: "https://evil.example/", wantStatus: 303, wantLoc: "/"},
		{name: "open redirect tab", token: f.tokens["alice"], next: "/\t/evil.example", wantStatus: 303, wantLoc: "/"},
		{name: "local next with query", token: f.tokens["alice"], next: "/teams/payments?x=1", wantStatus: 303, wantLoc: "/teams/payments?x=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc := f.client(t)
			_, page := pc.get("/signin")
			csrf := csrfOf(t, page)
			switch tt.csrf {
			case "":
			case "-":
				csrf = ""
			default:
				csrf = tt.csrf
			}
			if tt.noCookie {
				jar, _ := cookiejar.New(nil)
				pc.c.Jar = jar
			}
			form := url.Values{"token": {tt.token}, "next": {tt.next}}
			if csrf != "" {
				form.Set("csrf", csrf)
			}
			resp, body := pc.post("/signin", form, tt.header)
			wantPageStatus(t, resp, body, tt.wantStatus)
			if tt.wantText != "" {
				wantPageContains(t, body, tt.wantText)
			}
			var sess *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == sessionCookie && c.Value != "" {
					sess = c
				}
			}
			if tt.wantStatus != 303 {
				if sess != nil {
					t.Errorf("failed sign-in set a session cookie")
				}
				return
			}
			if got := resp.Header.Get("Location"); got != tt.wantLoc {
				t.Errorf("Location = %q, want %q", got, tt.wantLoc)
			}
			if sess == nil {
				t.Fatal("no session cookie")
			}
			if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Secure {
				t.Errorf("session cookie = %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure on a plain-HTTP config", sess)
			}
			resp, body = pc.get("/")
			wantPageStatus(t, resp, body, 200)
			wantPageContains(t, body, "Alice Adams")
		})
	}
}

// TestPortalSecureCookie checks that the default configuration marks the
// session cookie Secure.
func TestPortalSecureCookie(t *testing.T) {
	f := newPortalFixture(t)
	srv, err := NewServer(Config{App: testApp(t, nil, f.db, nil), SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var csrfCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == signinCSRFCookie {
			csrfCookie = c
		}
	}
	if csrfCookie == nil || !csrfCookie.Secure {
		t.Fatalf("sign-in CSRF cookie %+v: want Secure", csrfCookie)
	}
	form := url.Values{"csrf": {csrfOf(t, string(b))}, "token": {f.tokens["bob"]}}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrfCookie)
	resp, err = (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax", c)
			}
			return
		}
	}
	t.Fatalf("status %d and no session cookie", resp.StatusCode)
}

// TestPortalCredentialsEndSessions checks that a session lives no longer
// than what it stands on: the token it signed in with, and the user.
func TestPortalCredentialsEndSessions(t *testing.T) {
	tests := []struct {
		name string
		end  func(ctx context.Context, db *store.DB) error
	}{
		{"token revoked", func(ctx context.Context, db *store.DB) error {
			toks, err := db.FindTokens(ctx, "bob")
			if err != nil || len(toks) != 1 {
				return fmt.Errorf("FindTokens: %v, %d tokens", err, len(toks))
			}
			return db.RevokeToken(ctx, toks[0].ID)
		}},
		{"user retired", func(ctx context.Context, db *store.DB) error { return db.RetireUser(ctx, "bob") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPortalFixture(t)
			pc := f.client(t)
			pc.signin(f.tokens["bob"])
			if err := tt.end(paved.WithActor(context.Background(), paved.Actor{Name: "test"}), f.db); err != nil {
				t.Fatal(err)
			}
			resp, body := pc.get("/services")
			wantPageStatus(t, resp, body, http.StatusSeeOther)
			if loc := resp.Header.Get("Location"); loc != "/signin?next=%2Fservices" {
				t.Errorf("Location = %q, want the sign-in page coming back to /services", loc)
			}
			// Nor can the same token start a new session.
			_, page := pc.get("/signin")
			resp, body = pc.post("/signin", url.Values{"csrf": {csrfOf(t, page)}, "token": {f.tokens["bob"]}}, nil)
			wantPageStatus(t, resp, body, http.StatusUnauthorized)
		})
	}
}

func TestPortalSignout(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	csrf := pc.signin(f.tokens["bob"])

	// Without the CSRF token nothing happens: a foreign page cannot sign
	// the user out.
	resp, body := pc.post("/signout", url.Values{}, nil)
	wantPageStatus(t, resp, body, http.StatusForbidden)
	resp, body = pc.get("/")
	wantPageStatus(t, resp, body, http.StatusOK)

	// Keep a copy of the cookie: after sign-out it must not work either.
	u, _ := url.Parse(f.srv.URL)
	old := pc.c.Jar.Cookies(u)

	resp, body = pc.post("/signout", url.Values{"csrf": {csrf}}, nil)
	wantPageStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/signin" {
		t.Errorf("Location = %q, want /signin", loc)
	}
	resp, body = pc.get("/signin")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "You are signed out.")

	replay := f.client(t)
	replay.c.Jar.SetCookies(u, old)
	resp, body = replay.get("/")
	wantPageStatus(t, resp, body, http.StatusSeeOther)
}

func TestPortalNeedsSignin(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	tests := []struct{ path, wantLoc string }{
		{"/", "/signin"},
		{"/services?q=pay&phase=production", "/signin?next=%2Fservices%3Fq%3Dpay%26phase%3Dproduction"},
		{"/services/checkout-api", "/signin?next=%2Fservices%2Fcheckout-api"},
		{"/audit", "/signin?next=%2Faudit"},
		{"/teams/payments", "/signin?next=%2Fteams%2Fpayments"},
	}
	for _, tt := range tests {
		resp, body := pc.get(tt.path)
		wantPageStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != tt.wantLoc {
			t.Errorf("GET %s: Location = %q, want %q", tt.path, loc, tt.wantLoc)
		}
	}
	// A forged form post without a session changes nothing and asks to sign in.
	resp, body := pc.post("/services/checkout-api/edit", url.Values{"tier": {"1"}}, nil)
	wantPageStatus(t, resp, body, http.StatusSeeOther)
}

func TestLocalPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/services?q=a b", "/services?q=a b"},
		{"/teams/payments", "/teams/payments"},
		{"", "/"},
		{"services", "/"},
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{`/\evil.example`, "/"},
		{`/x\y`, "/"},
		{"https://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPortalServicesFilterAndPaging(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	pc.signin(f.tokens["bob"])

	all := func(*paved.Service) bool { return true }
	tests := []struct {
		name  string
		query string
		keep  func(*paved.Service) bool
		phase paved.Phase // for retired, which the default view hides
	}{
		{"everything", "", all, ""},
		{"team", "team=search", func(s *paved.Service) bool { return s.Owner == "search" }, ""},
		{"phase", "phase=green-light", func(s *paved.Service) bool { return s.Phase == paved.PhaseGreenLight }, ""},
		{"tier", "tier=1", func(s *paved.Service) bool { return s.Tier == 1 }, ""},
		{"data class", "data_class=restricted", func(s *paved.Service) bool { return s.DataClass == paved.DataRestricted }, ""},
		{"text", "q=search", func(s *paved.Service) bool {
			return strings.Contains(s.Name+s.Title+s.Description, "search")
		}, ""},
		{"combined", "team=payments&phase=production", func(s *paved.Service) bool {
			return s.Owner == "payments" && s.Phase == paved.PhaseProduction
		}, ""},
		{"nothing matches", "q=no-such-service", func(*paved.Service) bool { return false }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := f.countServices(tt.keep)
			resp, body := pc.get("/services?" + tt.query)
			wantPageStatus(t, resp, body, 200)
			if want == 0 {
				wantPageContains(t, body, "No service matches")
				return
			}
			wantPageContains(t, body, fmt.Sprintf("Showing 1–%d of %d", min(want, portalPageSize), want))
			for _, s := range f.services {
				row := `href="/services/` + s.Name + `" class="name"`
				listed := s.Phase != paved.PhaseRetired && tt.keep(s)
				if !listed && strings.Contains(body, row) {
					t.Errorf("%s is listed but does not match", s.Name)
				}
			}
		})
	}

	t.Run("retired only when asked", func(t *testing.T) {
		_, body := pc.get("/services?phase=retired")
		n := 0
		for _, s := range f.services {
			if s.Phase == paved.PhaseRetired {
				n++
				wantPageContains(t, body, `href="/services/`+s.Name+`"`)
			}
		}
		wantPageContains(t, body, fmt.Sprintf("of %d", n))
	})

	t.Run("paging", func(t *testing.T) {
		total := f.countServices(all)
		if total <= portalPageSize {
			t.Fatalf("fixture has %d listed services; paging needs more than %d", total, portalPageSize)
		}
		_, p1 := pc.get("/services?tier=&q=")
		wantPageContains(t, p1, `rel="next"`, "Page 1 of 2")
		if strings.Contains(p1, `rel="prev"`) {
			t.Error("first page has a previous link")
		}
		next := regexp.MustCompile(`href="([^"]*)" rel="next"`).FindStringSubmatch(p1)
		if next == nil {
			t.Fatal("no next link")
		}
		nextURL := html.UnescapeString(next[1])
		if nextURL != "/services?page=2&q=&tier=" {
			t.Errorf("next link %q does not keep the filter", nextURL)
		}
		resp, p2 := pc.get(nextURL)
		wantPageStatus(t, resp, p2, 200)
		wantPageContains(t, p2, fmt.Sprintf("Showing %d–%d of %d", portalPageSize+1, total, total), `rel="prev"`)
		if strings.Contains(p2, `rel="next"`) {
			t.Error("last page has a next link")
		}
		// Every listed service appears on exactly one of the two pages.
		for _, s := range f.services {
			if s.Phase == paved.PhaseRetired {
				continue
			}
			row := `href="/services/` + s.Name + `" class="name"`
			if strings.Contains(p1, row) == strings.Contains(p2, row) {
				t.Errorf("%s is on both pages or on neither", s.Name)
			}
		}
		// Past the end shows nothing rather than failing.
		resp, body := pc.get("/services?page=99")
		wantPageStatus(t, resp, body, 200)
		resp, body = pc.get("/services?page=-3")
		wantPageStatus(t, resp, body, 200)
		wantPageContains(t, body, "Showing 1–")
	})

	t.Run("invalid filter", func(t *testing.T) {
		for _, q := range []string{"phase=launched", "tier=9", "data_class=secret"} {
			resp, body := pc.get("/services?" + q)
			wantPageStatus(t, resp, body, http.StatusBadRequest)
			wantPageContains(t, body, `class="error"`)
		}
	})
}

func TestPortalPages(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	pc.signin(f.tokens["root"])
	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{"Acme Corp", "Services by phase", "Recent changes", "v0.0.0-test"}},
		{"/services/payments-gateway", 200, []string{"payments-gateway", "grandfathered", "Repository", "https://runbooks.example.com/payments-gateway",
			"backstage.io/techdocs-ref", "resource:default/postgres", "service.create", `href="/teams/search"`}},
		{"/teams/payments", 200, []string{"Payments", "commerce", "alice", "checkout-api", "payments@example.com"}},
		{"/teams/security", 200, []string{"enablement"}},
		{"/teams/commerce", 200, []string{`href="/teams/payments"`}},
		{"/teams", 200, []string{"identity", "platform"}},
		{"/teams?kind=security", 200, []string{`href="/teams/security"`}},
		{"/teams?kind=bogus", 400, []string{"unknown team kind"}},
		{"/users", 200, []string{"Alice Adams", "Sam Sec"}},
		{"/users?role=security", 200, []string{"Sam Sec"}},
		{"/users/alice", 200, []string{"Alice Adams", "developer", `href="/teams/payments"`}},
		{"/audit", 200, []string{"Chain verified", "service.create", "Showing 1–25 of"}},
		{"/audit?object_type=service&object_id=ledger", 200, []string{"ledger"}},
		{"/services/no-such-service", 404, []string{"Page not found"}},
		{"/teams/no-such-team", 404, []string{"Page not found"}},
		{"/users/nobody", 404, []string{"Page not found"}},
		{"/no/such/page", 404, []string{"Page not found", "/no/such/page"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := pc.get(tt.path)
			wantPageStatus(t, resp, body, tt.status)
			wantPageContains(t, body, tt.want...)
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("Content-Security-Policy = %q: want same-origin scripts and styles only", csp)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			// The CSP forbids inline styles and scripts; the templates must
			// not rely on them.
			for _, bad := range []string{"style=", "<script>", "<style", " onclick="} {
				if strings.Contains(body, bad) {
					t.Errorf("page contains %q, which the Content-Security-Policy blocks", bad)
				}
			}
		})
	}
	// The audit page's object filter on /audit?object_type=service&object_id=ledger
	// must not list events of other objects.
	_, body := pc.get("/audit?object_type=service&object_id=ledger")
	if strings.Contains(body, `href="/services/checkout-api"`) {
		t.Error("audit filter by object lists another service's events")
	}
}

func TestPortalStatic(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	resp, body := pc.get("/signin")
	css := regexp.MustCompile(`href="(/static/paved\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatalf("sign-in page links no versioned stylesheet:\n%s", body)
	}
	resp, body = pc.get(css[1])
	wantPageStatus(t, resp, body, 200)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control = %q, want a long max-age", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, p := range []string{"/static/", "/static/nope.css", "/static/templates/base.html"} {
		resp, body = pc.get(p)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}
	// Dot segments are cleaned by the mux (a redirect), never resolved
	// outside the embedded static directory.
	resp, body = pc.get("/static/../portal.go")
	if resp.StatusCode == http.StatusOK || strings.Contains(body, "package web") {
		t.Errorf("GET /static/../portal.go: status %d: the source leaked", resp.StatusCode)
	}
}

func TestPortalAuditAuthorization(t *testing.T) {
	f := newPortalFixture(t)
	tests := []struct {
		user    string
		status  int
		navLink bool
	}{
		{"bob", 403, false},   // viewer
		{"alice", 403, false}, // developer
		{"sam", 200, true},    // security
		{"root", 200, true},   // admin
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			pc := f.client(t)
			pc.signin(f.tokens[tt.user])
			resp, body := pc.get("/audit")
			wantPageStatus(t, resp, body, tt.status)
			if tt.status == 403 {
				wantPageContains(t, body, "Not allowed", "audit log is for admins")
			}
			_, home := pc.get("/")
			if got := strings.Contains(home, `href="/audit"`); got != tt.navLink {
				t.Errorf("home links the audit log: %v, want %v", got, tt.navLink)
			}
			_, svc := pc.get("/services/ledger")
			if got := strings.Contains(svc, "service.create"); got != tt.navLink {
				t.Errorf("service page shows history: %v, want %v", got, tt.navLink)
			}
		})
	}
}

func TestPortalServiceEdit(t *testing.T) {
	const svc = "checkout-api" // owned by payments; alice is a payments developer
	tests := []struct {
		name     string
		user     string
		form     url.Values
		header   map[string]string
		badCSRF  bool
		status   int
		wantText []string
		changed  bool
	}{
		{name: "owner saves", user: "alice", form: url.Values{"description": {"Takes the money.\r\nFast."}, "tier": {"1"}, "data_class": {"restricted"}},
			status: 303, changed: true},
		{name: "admin saves", user: "root", form: url.Values{"description": {"Admin edit"}, "tier": {"2"}, "data_class": {"internal"}},
			status: 303, changed: true},
		{name: "invalid tier", user: "alice", form: url.Values{"description": {"x"}, "tier": {"9"}, "data_class": {"internal"}},
			status: 422, wantText: []string{`id="tier-error"`, `unknown tier &#34;9&#34;`, `aria-invalid="true"`, "Nothing was saved"}},
		{name: "invalid data class", user: "alice", form: url.Values{"description": {"x"}, "tier": {"2"}, "data_class": {"top-secret"}},
			status: 422, wantText: []string{`id="data_class-error"`, "unknown data class"}},
		{name: "description too long", user: "alice", form: url.Values{"description": {strings.Repeat("é", maxDescription+1)}, "tier": {"2"}, "data_class": {"internal"}},
			status: 422, wantText: []string{`id="description-error"`, "at most 4000"}},
		{name: "developer of another team", user: "dave", form: url.Values{"description": {"hijack"}, "tier": {"4"}, "data_class": {"public"}},
			status: 403, wantText: []string{"not a member of team"}},
		{name: "viewer", user: "bob", form: url.Values{"description": {"hijack"}, "tier": {"4"}, "data_class": {"public"}},
			status: 403, wantText: []string{"developer role"}},
		{name: "missing csrf", user: "alice", badCSRF: true, form: url.Values{"description": {"forged"}, "tier": {"4"}, "data_class": {"public"}},
			status: 403, wantText: []string{"could not be verified"}},
		{name: "cross-site post", user: "alice", header: map[string]string{"Sec-Fetch-Site": "cross-site"},
			form: url.Values{"description": {"forged"}, "tier": {"4"}, "data_class": {"public"}}, status: 403},
		{name: "foreign origin", user: "alice", header: map[string]string{"Origin": "https://evil.example"},
			form: url.Values{"description": {"forged"}, "tier": {"4"}, "data_class": {"public"}}, status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPortalFixture(t)
			before, err := f.db.FindService(context.Background(), svc)
			if err != nil {
				t.Fatal(err)
			}
			pc := f.client(t)
			csrf := pc.signin(f.tokens[tt.user])

			resp, body := pc.get("/services/" + svc + "/edit")
			canEdit := tt.user == "alice" || tt.user == "root"
			if canEdit {
				wantPageStatus(t, resp, body, 200)
				csrf = csrfOf(t, body)
			} else {
				wantPageStatus(t, resp, body, 403)
			}
			_, page := pc.get("/services/" + svc)
			if got := strings.Contains(page, `id="edit"`); got != canEdit {
				t.Errorf("service page shows the edit button: %v, want %v", got, canEdit)
			}

			form := url.Values{}
			for k, v := range tt.form {
				form[k] = v
			}
			if tt.badCSRF {
				form.Set("csrf", "wrong")
			} else {
				form.Set("csrf", csrf)
			}
			resp, body = pc.post("/services/"+svc+"/edit", form, tt.header)
			wantPageStatus(t, resp, body, tt.status)
			wantPageContains(t, body, tt.wantText...)

			after, err := f.db.FindService(context.Background(), svc)
			if err != nil {
				t.Fatal(err)
			}
			changed := after.Description != before.Description || after.Tier != before.Tier || after.DataClass != before.DataClass
			if changed != tt.changed {
				t.Fatalf("service changed: %v, want %v (before %+v, after %+v)", changed, tt.changed, before, after)
			}
			if !tt.changed {
				return
			}
			if loc := resp.Header.Get("Location"); loc != "/services/"+svc {
				t.Errorf("Location = %q", loc)
			}
			wantDesc := strings.ReplaceAll(tt.form.Get("description"), "\r\n", "\n")
			if after.Description != wantDesc || fmt.Sprint(after.Tier) != tt.form.Get("tier") || string(after.DataClass) != tt.form.Get("data_class") {
				t.Errorf("saved %q/%d/%s, want %q/%s/%s", after.Description, after.Tier, after.DataClass,
					wantDesc, tt.form.Get("tier"), tt.form.Get("data_class"))
			}
			_, page = pc.get("/services/" + svc)
			wantPageContains(t, page, "Changes saved.")
			// The change is in the audit log, by the signed-in user.
			events, _, err := f.db.FindAuditEvents(context.Background(), paved.AuditFilter{ObjectType: "service", ObjectID: svc})
			if err != nil {
				t.Fatal(err)
			}
			if len(events) == 0 || events[0].Action != "service.update" || events[0].Actor != tt.user {
				t.Errorf("newest audit event of %s = %+v, want service.update by %s", svc, events[0], tt.user)
			}
		})
	}
}

func TestPortalServiceEditUnchanged(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	pc.signin(f.tokens["alice"])
	_, body := pc.get("/services/checkout-api/edit")
	s := f.services[0]
	_, total0, _ := f.db.FindAuditEvents(context.Background(), paved.AuditFilter{})
	resp, body := pc.post("/services/checkout-api/edit", url.Values{
		"csrf": {csrfOf(t, body)}, "description": {s.Description}, "tier": {fmt.Sprint(s.Tier)}, "data_class": {string(s.DataClass)},
	}, nil)
	wantPageStatus(t, resp, body, http.StatusSeeOther)
	_, total1, _ := f.db.FindAuditEvents(context.Background(), paved.AuditFilter{})
	if total1 != total0 {
		t.Errorf("saving an unchanged form wrote %d audit events", total1-total0)
	}
	_, page := pc.get("/services/checkout-api")
	wantPageContains(t, page, "Nothing to save")
}

func TestPortalEscapesCatalogData(t *testing.T) {
	f := newPortalFixture(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "seed"})
	evil := &paved.Service{
		Name: "evil", Owner: "payments", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground,
		Title:       `<script>alert(1)</script>`,
		Description: `"><img src=x onerror=alert(1)>`,
		Links:       []paved.Link{{URL: "javascript:alert(1)", Title: "click me"}},
	}
	// The store refuses such a link now; a row written before that rule
	// (or behind paved's back) still shows safely.
	if err := f.db.CreateService(ctx, evil); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("a javascript: link was stored: %v", err)
	}
	evil.Links = []paved.Link{{URL: "https://example.com", Title: "click me"}}
	if err := f.db.CreateService(ctx, evil); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE services SET links = '[{"url":"javascript:alert(1)","title":"click me"}]' WHERE name = 'evil'`); err != nil {
		t.Fatal(err)
	}
	pc := f.client(t)
	pc.signin(f.tokens["bob"])
	for _, p := range []string{"/services/evil", "/services?q=evil"} {
		resp, body := pc.get(p)
		wantPageStatus(t, resp, body, 200)
		for _, bad := range []string{"<script>alert", "<img src=x", `href="javascript:`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: unescaped %q", p, bad)
			}
		}
	}
	_, body := pc.get("/services/evil")
	wantPageContains(t, body, "not a web link")
}

func TestPortalFormTooLarge(t *testing.T) {
	f := newPortalFixture(t)
	pc := f.client(t)
	csrf := pc.signin(f.tokens["alice"])
	big := strings.Repeat("x", 2<<20) // over the default 1 MiB body limit
	resp, body := pc.post("/services/checkout-api/edit", url.Values{"csrf": {csrf}, "description": {big}, "tier": {"1"}, "data_class": {"public"}}, nil)
	wantPageStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	wantPageContains(t, body, "larger than the limit")

	anon := f.client(t)
	_, page := anon.get("/signin")
	resp, body = anon.post("/signin", url.Values{"csrf": {csrfOf(t, page)}, "token": {big}}, nil)
	wantPageStatus(t, resp, body, http.StatusRequestEntityTooLarge)
}

// TestPortalEditLowersToRequest: the edit form says that lowering needs an
// architect's or security engineer's approval, and lowering a service in
// green-light becomes a request, shown on the service page, that a
// security engineer from another team approves there.
func TestPortalEditLowersToRequest(t *testing.T) {
	f := newPortalFixture(t)
	const svc = "ranking-model" // payments', tier 2, green-light
	pc := f.client(t)
	pc.signin(f.tokens["alice"])
	_, body := pc.get("/services/" + svc + "/edit")
	wantPageContains(t, body, "lowering it needs an architect's or security engineer's approval")
	form := url.Values{"csrf": {csrfOf(t, body)}, "description": {"x"}, "tier": {"4"}, "data_class": {"public"}}
	resp, page := pc.post("/services/"+svc+"/edit", form, nil)
	wantPageStatus(t, resp, page, http.StatusBadRequest)
	wantPageContains(t, page, "reason-error")
	form.Set("reason", "it became an offline batch job")
	resp, page = pc.post("/services/"+svc+"/edit", form, nil)
	wantPageStatus(t, resp, page, http.StatusSeeOther)
	got, err := f.db.FindService(context.Background(), svc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != 2 || got.Description != "x" {
		t.Errorf("after the edit: tier %d, description %q; want tier 2 kept and the description saved", got.Tier, got.Description)
	}
	_, page = pc.get("/services/" + svc)
	wantPageContains(t, page, "lowering waits for approval", "it became an offline batch job")
	if strings.Contains(page, `id="reclass-approve"`) {
		t.Error("the requester is offered the approve button")
	}
	wantPageContains(t, page, `id="reclass-withdraw"`)

	sec := f.client(t)
	sec.signin(f.tokens["sam"])
	_, page = sec.get("/services/" + svc)
	wantPageContains(t, page, `id="reclass-approve"`)
	if strings.Contains(page, `id="reclass-withdraw"`) {
		t.Error("a decider is offered the requester's withdraw button")
	}
	resp, page = sec.post("/reclassifications/1/approve", url.Values{"csrf": {csrfOf(t, page)}, "comment": {"agreed"}}, nil)
	wantPageStatus(t, resp, page, http.StatusSeeOther)
	if got, _ := f.db.FindService(context.Background(), svc); got.Tier != 4 {
		t.Errorf("after the approval: tier %d, want 4", got.Tier)
	}
}

// TestPortalWithdrawReclass: the requester withdraws her pending request
// from the service page; the classification stays and the button goes.
func TestPortalWithdrawReclass(t *testing.T) {
	f := newPortalFixture(t)
	const svc = "ranking-model" // payments', tier 2, green-light
	pc := f.client(t)
	pc.signin(f.tokens["alice"])
	_, body := pc.get("/services/" + svc + "/edit")
	form := url.Values{"csrf": {csrfOf(t, body)}, "tier": {"4"}, "data_class": {"public"}, "reason": {"an offline batch job"}}
	resp, page := pc.post("/services/"+svc+"/edit", form, nil)
	wantPageStatus(t, resp, page, http.StatusSeeOther)
	_, page = pc.get("/services/" + svc)
	wantPageContains(t, page, `id="reclass-withdraw"`)
	resp, page = pc.post("/reclassifications/1/withdraw", url.Values{"csrf": {csrfOf(t, page)}}, nil)
	wantPageStatus(t, resp, page, http.StatusSeeOther)
	_, page = pc.get("/services/" + svc)
	wantPageContains(t, page, "Request withdrawn", "withdrawn by alice")
	if strings.Contains(page, `id="reclass-withdraw"`) || strings.Contains(page, "lowering waits for approval") {
		t.Error("the withdrawn request still waits on the service page")
	}
	if got, _ := f.db.FindService(context.Background(), svc); got.Tier != 2 {
		t.Errorf("after the withdrawal: tier %d, want 2", got.Tier)
	}
}

// TestPortalForceReclass: only an admin sees the form to force a
// classification; without a reason nothing changes; with one the service
// and the gates take it and the decision is recorded as forced.
func TestPortalForceReclass(t *testing.T) {
	f := newPortalFixture(t)
	const svc = "ranking-model" // payments', tier 2, green-light
	dev := f.client(t)
	dev.signin(f.tokens["alice"])
	if _, page := dev.get("/services/" + svc); strings.Contains(page, `id="form-reclass-force"`) {
		t.Error("a developer is offered the force form")
	}
	root := f.client(t)
	root.signin(f.tokens["root"])
	_, page := root.get("/services/" + svc)
	wantPageContains(t, page, `id="form-reclass-force"`, `<option value="2" selected>`)
	csrf := csrfOf(t, page)
	resp, body := root.post("/services/"+svc+"/reclassifications/force", url.Values{"csrf": {csrf}, "tier": {"4"}, "data_class": {"public"}, "reason": {" "}}, nil)
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	resp, body = root.post("/services/"+svc+"/reclassifications/force", url.Values{"csrf": {csrf}, "tier": {"9"}, "data_class": {"public"}, "reason": {"x"}}, nil)
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	if got, _ := f.db.FindService(context.Background(), svc); got.Tier != 2 {
		t.Fatalf("after refused forces: tier %d, want 2", got.Tier)
	}
	resp, body = root.post("/services/"+svc+"/reclassifications/force", url.Values{"csrf": {csrf}, "tier": {"4"}, "data_class": {"public"}, "reason": {"the model is retired next week"}}, nil)
	wantPageStatus(t, resp, body, http.StatusSeeOther)
	if got, _ := f.db.FindService(context.Background(), svc); got.Tier != 4 {
		t.Errorf("after the force: tier %d, want 4", got.Tier)
	}
	_, page = root.get("/services/" + svc)
	wantPageContains(t, page, "Classification set without a decision", "forced by root", "the model is retired next week")
}
