package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/identity"
	"github.com/paved-dev/paved/internal/identity/oidctest"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/store"
)

const (
	ssoClient = "paved"
	ssoSecret = "s3cret-for-the-sso-tests"
	ssoEnv    = "PAVED_TEST_OIDC_SECRET"
)

var ssoJane = oidctest.User{ID: "u-jane", Username: "jane.doe@example.com", Password: "pw", FirstName: "Jane", LastName: "Doe",
	Email: "jane.doe@example.com", EmailVerified: true, Groups: []string{"payments-devs", "everyone"}}

// ssoEnvT is a paved server configured for single sign-on against the
// test OpenID provider (a real provider process, internal/identity/oidctest).
type ssoEnvT struct {
	p   *oidctest.Provider
	db  *store.DB
	srv *httptest.Server
	app *app.App
}

// newSSOEnv starts the provider and a paved server whose server.oidc
// names it; mutate adjusts the configuration.
func newSSOEnv(t *testing.T, mutate func(c *config.Config)) *ssoEnvT {
	t.Helper()
	p := oidctest.Start(t, oidctest.Options{ClientID: ssoClient, ClientSecret: ssoSecret})
	p.SetUser(t, ssoJane)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "paved.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, tm := range []string{"payments", "platform"} {
		if err := db.CreateTeam(ctx, &paved.Team{Name: tm, Kind: paved.KindProduct}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreateUser(ctx, &paved.User{Name: "admin", Roles: []paved.Role{paved.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateToken(ctx, &paved.Token{User: "admin", Name: "test", Prefix: "pvd_admin", Hash: paved.HashToken(tokenOf("admin"))}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	p.SetClient(t, []string{base + "/auth/oidc/callback"}, []string{base + "/signin"})
	snap, err := platform.Load("", platform.Options{Adjust: func(c *config.Config) error {
		c.Server.OIDC = identity.OIDC{Issuer: p.Issuer, ClientID: ssoClient, ClientSecretEnv: ssoEnv,
			RedirectURL: base + "/auth/oidc/callback", ProviderName: "Test IdP",
			Scopes: []string{"openid", "profile", "email", "groups"},
			Groups: []identity.GroupRule{{Group: "payments-devs", Team: "payments", Role: paved.RoleDeveloper}}}
		if mutate != nil {
			mutate(c)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(snap, db, app.Options{Getenv: func(k string) string {
		if k == ssoEnv {
			return ssoSecret
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(Config{App: a, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &ssoEnvT{p: p, db: db, srv: srv, app: a}
}

// browserClient keeps cookies and stops at every redirect, so that each
// hop can be looked at.
func browserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// ssoSignIn signs in through the provider and returns the callback URL
// (not yet visited).
func (e *ssoEnvT) ssoSignIn(t *testing.T, c *http.Client, username, password string) *url.URL {
	t.Helper()
	resp, _ := get(t, c, e.srv.URL+"/auth/oidc/start?next=/services")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), e.p.Issuer) {
		t.Fatalf("start: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	return e.p.Login(t, c, resp.Header.Get("Location"), username, password)
}

// TestSSOSignIn: a person signs in through the provider; the group rules
// make the memberships and the role at every sign-in; a replayed callback
// is refused; sign-out ends the provider's session too; a person removed
// from the group loses the grant and shows in the admins' list.
func TestSSOSignIn(t *testing.T) {
	e := newSSOEnv(t, nil)
	c := browserClient(t)

	_, page := get(t, c, e.srv.URL+"/signin")
	if !strings.Contains(page, "Sign in with Test IdP") || !strings.Contains(page, `name="token"`) {
		t.Fatalf("the sign-in page offers no single sign-on, or lost token sign-in:\n%s", page)
	}
	cb := e.ssoSignIn(t, c, ssoJane.Username, ssoJane.Password)
	resp, body := get(t, c, cb.String())
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/services" {
		t.Fatalf("callback: %s %q\n%s", resp.Status, resp.Header.Get("Location"), body)
	}
	resp, body = get(t, c, e.srv.URL+"/services")
	if resp.StatusCode != 200 || !strings.Contains(body, "jane.doe") {
		t.Fatalf("signed-in page: %s\n%.400s", resp.Status, body)
	}
	u, err := e.db.FindUser(context.Background(), "jane.doe")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Teams, []string{"payments"}) || !slices.Equal(u.Roles, []paved.Role{paved.RoleDeveloper}) || u.DisplayName != "Jane Doe" {
		t.Errorf("jane after her first sign-in: %+v", u)
	}

	// The same callback again (a replay, another tab): refused, and the
	// sign-in page says why.
	c2 := browserClient(t)
	resp, body = get(t, c2, cb.String())
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Single sign-on failed") {
		t.Errorf("replayed callback: %s\n%.300s", resp.Status, body)
	}
	resp, _ = get(t, c, cb.String())
	if resp.StatusCode == http.StatusSeeOther {
		t.Errorf("the callback was honoured twice")
	}

	// Sign-out ends paved's session and sends the browser to the
	// provider's end-session endpoint.
	_, page = get(t, c, e.srv.URL+"/services")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("no CSRF value on the page")
	}
	resp, err = c.PostForm(e.srv.URL+"/signout", url.Values{"csrf": {csrf[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	end := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(end, e.p.Issuer) || !strings.Contains(end, "id_token_hint=") {
		t.Fatalf("sign-out: %s, Location %q", resp.Status, end)
	}
	before := e.p.Ended(t)
	follow := *c
	follow.CheckRedirect = nil
	if resp, err = follow.Get(end); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if e.p.Ended(t) != before+1 {
		t.Errorf("the provider's session was not ended")
	}
	if resp, _ = get(t, c, e.srv.URL+"/services"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("still signed in after sign-out: %s", resp.Status)
	}

	// Removed from the group at the provider: the next sign-in takes the
	// grant back, and admins see her among the unmapped sign-ins.
	moved := ssoJane
	moved.Groups = []string{"everyone"}
	e.p.SetUser(t, moved)
	c3 := browserClient(t)
	if resp, _ = get(t, c3, e.ssoSignIn(t, c3, ssoJane.Username, ssoJane.Password).String()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second sign-in: %s", resp.Status)
	}
	if u, err = e.db.FindUser(context.Background(), "jane.doe"); err != nil {
		t.Fatal(err)
	}
	if len(u.Roles) != 0 || slices.Contains(u.Teams, "payments") {
		t.Errorf("jane keeps what the group gave after leaving it: %+v", u)
	}
	admin := browserClient(t)
	tokenSignin(t, admin, e.srv.URL, tokenOf("admin"))
	if resp, body = get(t, admin, e.srv.URL+"/admin/sign-ins"); resp.StatusCode != 200 || !strings.Contains(body, "jane.doe") || !strings.Contains(body, "everyone") {
		t.Errorf("unmapped sign-ins: %s\n%.400s", resp.Status, body)
	}
	if resp, _ = get(t, c3, e.srv.URL+"/admin/sign-ins"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a non-admin sees the unmapped sign-ins: %s", resp.Status)
	}
}

// tokenSignin signs c in through the token form.
func tokenSignin(t *testing.T, c *http.Client, base, token string) {
	t.Helper()
	_, page := get(t, c, base+"/signin")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no sign-in form:\n%s", page)
	}
	resp, err := c.PostForm(base+"/signin", url.Values{"csrf": {csrf[1]}, "token": {token}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("token sign-in: %s", resp.Status)
	}
}

// TestSSOProviderDown: with the provider unreachable, single sign-on says
// so on the sign-in page (503) and token sign-in still works; with token
// sign-in switched off, the token form is gone and refused.
func TestSSOProviderDown(t *testing.T) {
	e := newSSOEnv(t, nil)
	e.p.Stop()
	c := browserClient(t)
	resp, body := get(t, c, e.srv.URL+"/auth/oidc/start")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "cannot be reached") || !strings.Contains(body, `name="token"`) {
		t.Fatalf("provider down: %s\n%.500s", resp.Status, body)
	}
	tokenSignin(t, c, e.srv.URL, tokenOf("admin"))
	if resp, _ = get(t, c, e.srv.URL+"/services"); resp.StatusCode != 200 {
		t.Errorf("token sign-in while the provider is down: %s", resp.Status)
	}

	off := newSSOEnv(t, func(c *config.Config) { c.Server.TokenSignin = false })
	c2 := browserClient(t)
	_, page := get(t, c2, off.srv.URL+"/signin")
	if strings.Contains(page, `name="token"`) || !strings.Contains(page, "Sign in with Test IdP") {
		t.Errorf("token sign-in off, the page:\n%s", page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	form := url.Values{"token": {tokenOf("admin")}}
	if csrf != nil {
		form.Set("csrf", csrf[1])
	}
	resp, err := c2.PostForm(off.srv.URL+"/signin", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		t.Errorf("token sign-in works while switched off")
	}
}

// TestCITokenExchange: a CI job's ID token, signed by a trusted issuer's
// key (the provider process's, served as JWKS over HTTP), is exchanged for
// a token that records checks for the services of its repository only,
// and the checks say CI recorded them; each bad token is refused with a
// problem+json that says why.
func TestCITokenExchange(t *testing.T) {
	e := newSSOEnv(t, func(c *config.Config) {
		// The same provider process stands in for GitHub's issuer, with
		// another audience than the sign-in client's.
		c.CI = identity.CI{Trust: []identity.TrustRule{{Issuer: c.Server.OIDC.Issuer, Audience: "paved-ci", Kind: identity.KindGitHub,
			Repositories: []string{"acme/*"}, RepositoryHost: "github.com"}}}
	})
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	for _, s := range []*paved.Service{
		{Name: "shop", Owner: "payments", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhasePlayground,
			Annotations: map[string]string{"github.com/project-slug": "acme/shop"}},
		{Name: "ledger", Owner: "payments", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhasePlayground,
			Annotations: map[string]string{"github.com/project-slug": "acme/ledger"}},
	} {
		if err := e.db.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	claims := func(over map[string]any) map[string]any {
		c := map[string]any{
			"iss": e.p.Issuer, "aud": "paved-ci", "sub": "repo:acme/shop:ref:refs/heads/main",
			"repository": "acme/shop", "repository_owner": "acme", "ref": "refs/heads/main", "ref_type": "branch",
			"sha": "0123456789abcdef0123456789abcdef01234567", "workflow": "ci", "run_id": "4242",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
		}
		for k, v := range over {
			c[k] = v
		}
		return c
	}
	exchange := func(body string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Post(e.srv.URL+"/api/v1/auth/ci-token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	call := func(method, path, token, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	resp, body := exchange(`{"token":"` + e.p.Sign(t, claims(nil), false) + `"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("exchange: %s %s", resp.Status, body)
	}
	var got identity.ExchangeResponse
	if err := jsonUnmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	wantCI := paved.CIRecorder(e.p.Issuer, "acme/shop", "0123456789abcdef0123456789abcdef01234567")
	if !slices.Equal(got.Services, []string{"shop"}) || got.RecordedAs != wantCI || !strings.HasPrefix(got.Token, paved.TokenPrefix) ||
		got.ExpiresAt.After(now.Add(10*time.Minute+time.Second)) {
		t.Fatalf("exchange answer: %s", body)
	}
	if r := call("POST", "/api/v1/services/shop/checks", got.Token, `{"commit":"0123456","rules":["rds-encryption-at-rest"],"resource_types":{"aws_db_instance":1}}`); r.StatusCode != 201 {
		t.Fatalf("record a check with the CI token: %s", r.Status)
	}
	l, err := e.db.FindLaunch(ctx, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if l.LatestCheck == nil || l.LatestCheck.RecordedBy != wantCI || l.LatestCheck.Source() != paved.SourceCI {
		t.Errorf("the check is recorded by %+v", l.LatestCheck)
	}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/services/ledger/checks", `{"commit":"1"}`},
		{"PATCH", "/api/v1/services/shop", `{"title":"x"}`},
		{"POST", "/api/v1/tokens", `{"name":"more"}`},
	} {
		if r := call(c.method, c.path, got.Token, c.body); r.StatusCode != http.StatusForbidden {
			t.Errorf("the CI token %s %s: %s, want 403", c.method, c.path, r.Status)
		}
	}
	// A CI token opens no portal session.
	c := browserClient(t)
	_, page := get(t, c, e.srv.URL+"/signin")
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if r, err := c.PostForm(e.srv.URL+"/signin", url.Values{"csrf": {csrf[1]}, "token": {got.Token}}); err != nil {
		t.Fatal(err)
	} else if r.Body.Close(); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("portal sign-in with a CI token: %s", r.Status)
	}

	for _, c := range []struct {
		name   string
		token  string
		status int
		says   string
	}{
		{"forged", e.p.Sign(t, claims(nil), true), 401, "signature"},
		{"expired", e.p.Sign(t, claims(map[string]any{"exp": now.Add(-time.Minute).Unix(), "iat": now.Add(-time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix()}), false), 401, "expired"},
		{"wrong audience", e.p.Sign(t, claims(map[string]any{"aud": "someone-else"}), false), 401, "audience"},
		{"untrusted repository", e.p.Sign(t, claims(map[string]any{"repository": "evil/shop", "repository_owner": "evil", "sub": "repo:evil/shop:ref:refs/heads/main"}), false), 403, "evil/shop"},
		{"repository of no service", e.p.Sign(t, claims(map[string]any{"repository": "acme/other", "sub": "repo:acme/other:ref:refs/heads/main"}), false), 403, "acme/other"},
	} {
		resp, body := exchange(`{"token":"` + c.token + `"}`)
		if resp.StatusCode != c.status || !strings.Contains(resp.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(body, c.says) {
			t.Errorf("%s: %s %s", c.name, resp.Status, body)
		}
	}
	resp, body = exchange(`{"token":"` + e.p.Sign(t, claims(nil), false) + `","services":["ledger"]}`)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "ledger") {
		t.Errorf("a token for another service: %s %s", resp.Status, body)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "", time.Minute: "1 minute", 90 * time.Minute: "90 minutes", 2 * time.Hour: "2 hours",
		24 * time.Hour: "1 day", 30 * 24 * time.Hour: "30 days",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
