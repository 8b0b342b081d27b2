package identity

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/identity/oidctest"
)

func TestMain(m *testing.M) {
	oidctest.RunIfProvider()
	os.Exit(m.Run())
}

const (
	testClient   = "paved"
	testSecret   = "s3cret-for-tests"
	testRedirect = "http://127.0.0.1:1/auth/oidc/callback" // never served: Login stops at it
)

var jane = oidctest.User{ID: "u-jane", Username: "jane.doe@example.com", Password: "pw", FirstName: "Jane", LastName: "Doe",
	Email: "jane.doe@example.com", EmailVerified: true, Groups: []string{"payments-devs", "everyone"}}

// startProvider runs the test OpenID provider with paved as its client and
// jane as its user.
func startProvider(t *testing.T) *oidctest.Provider {
	t.Helper()
	p := oidctest.Start(t, oidctest.Options{ClientID: testClient, ClientSecret: testSecret, RedirectURLs: []string{testRedirect}})
	p.SetUser(t, jane)
	return p
}

func testConfig(issuer string) *OIDC {
	return &OIDC{
		Issuer: issuer, ClientID: testClient, RedirectURL: testRedirect,
		Scopes: []string{"openid", "profile", "email", "groups"},
		Groups: []GroupRule{
			{Group: "payments-devs", Team: "payments", Role: paved.RoleDeveloper},
			{Group: "security", Role: paved.RoleSecurity},
		},
	}
}

func newRP(t *testing.T, cfg *OIDC, now func() time.Time) *RP {
	t.Helper()
	rp, err := NewRP(cfg, RPOptions{ClientSecret: testSecret, Now: now, RetryAfter: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// signIn runs one sign-in through the provider and returns the flow and
// the callback's query.
func signIn(t *testing.T, p *oidctest.Provider, rp *RP, user, password string) (*paved.SignInFlow, url.Values) {
	t.Helper()
	f, cookie, authURL, err := rp.Begin(context.Background(), "/services")
	if err != nil {
		t.Fatal(err)
	}
	if f.Hash != paved.HashToken(cookie) || f.Next != "/services" || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		t.Fatalf("flow %+v", f)
	}
	au, _ := url.Parse(authURL)
	q := au.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": testClient, "redirect_uri": testRedirect,
		"state": f.State, "nonce": f.Nonce, "code_challenge_method": "S256", "scope": "openid profile email groups"} {
		if q.Get(k) != want {
			t.Errorf("authorization URL %s = %q; want %q", k, q.Get(k), want)
		}
	}
	if q.Get("code_challenge") == "" || strings.Contains(authURL, f.Verifier) {
		t.Error("the authorization URL must carry the PKCE challenge and never the verifier")
	}
	cb := p.Login(t, browser(t), authURL, user, password)
	if cb.String()[:len(testRedirect)] != testRedirect {
		t.Fatalf("the provider redirected to %s", cb)
	}
	return f, cb.Query()
}

// TestSignInThroughProvider: the whole authorization code flow against the
// provider process, claims mapped, groups mapped.
func TestSignInThroughProvider(t *testing.T) {
	p := startProvider(t)
	rp := newRP(t, testConfig(p.Issuer), nil)
	f, q := signIn(t, p, rp, jane.Username, jane.Password)
	res, err := rp.Finish(context.Background(), f, q)
	if err != nil {
		t.Fatal(err)
	}
	want := &Person{Issuer: p.Issuer, Subject: "u-jane", Username: "jane.doe", DisplayName: "Jane Doe", Email: "jane.doe@example.com",
		EmailVerified: true, Groups: []string{"everyone", "payments-devs"}}
	if !reflect.DeepEqual(res.Person, want) {
		t.Errorf("person\n got %+v\nwant %+v", res.Person, want)
	}
	if res.IDToken == "" {
		t.Error("no ID token kept for the end-session hint")
	}
	for _, f := range []string{"%v", "%+v", "%#v"} {
		if strings.Contains(fmt.Sprintf(f, rp), testSecret) {
			t.Errorf("%s of the RP shows the client secret", f)
		}
	}
	m := MapGroups(rp.Config().Groups, res.Person.Groups)
	if !reflect.DeepEqual(m.Teams, []string{"payments"}) || !reflect.DeepEqual(m.Roles, []paved.Role{paved.RoleDeveloper}) || !m.Matched() {
		t.Errorf("mapping %+v", m)
	}
	if u, ok := rp.EndSessionURL(context.Background(), res.IDToken, "http://127.0.0.1:1/signin"); !ok || !strings.HasPrefix(u, p.Issuer) ||
		!strings.Contains(u, "id_token_hint=") || !strings.Contains(u, "post_logout_redirect_uri=") {
		t.Errorf("end-session URL %q, %v", u, ok)
	}
}

// TestSignInGroupRemoval: the mapping follows the provider's groups at
// every sign-in; a person who left the group is granted nothing.
func TestSignInGroupRemoval(t *testing.T) {
	p := startProvider(t)
	rp := newRP(t, testConfig(p.Issuer), nil)
	f, q := signIn(t, p, rp, jane.Username, jane.Password)
	res, err := rp.Finish(context.Background(), f, q)
	if err != nil {
		t.Fatal(err)
	}
	if m := MapGroups(rp.Config().Groups, res.Person.Groups); !m.Matched() {
		t.Fatalf("first sign-in unmapped: %+v", res.Person)
	}
	left := jane
	left.Groups = []string{"everyone"}
	p.SetUser(t, left)
	f, q = signIn(t, p, rp, jane.Username, jane.Password)
	res, err = rp.Finish(context.Background(), f, q)
	if err != nil {
		t.Fatal(err)
	}
	m := MapGroups(rp.Config().Groups, res.Person.Groups)
	if m.Matched() || len(m.Teams) != 0 || len(m.Roles) != 0 {
		t.Errorf("after leaving payments-devs: %+v (groups %v)", m, res.Person.Groups)
	}
}

// TestSignInRefusals: a replayed callback, a wrong state, an expired or
// missing flow, a provider error, wrong credentials at the token endpoint.
func TestSignInRefusals(t *testing.T) {
	p := startProvider(t)
	rp := newRP(t, testConfig(p.Issuer), nil)
	ctx := context.Background()

	f, q := signIn(t, p, rp, jane.Username, jane.Password)
	if _, err := rp.Finish(ctx, f, q); err != nil {
		t.Fatal(err)
	}
	// The same callback again: the store would have no flow left; even
	// with the flow at hand the provider refuses a used code.
	if _, err := rp.Finish(ctx, nil, q); ReasonOf(err) != ReasonFlow {
		t.Errorf("replay without the flow: %v", err)
	}
	if _, err := rp.Finish(ctx, f, q); ReasonOf(err) != ReasonExchange {
		t.Errorf("replay with the flow: %v", err)
	}

	f, q = signIn(t, p, rp, jane.Username, jane.Password)
	bad := url.Values{"code": {q.Get("code")}, "state": {"not-" + f.State}}
	if _, err := rp.Finish(ctx, f, bad); ReasonOf(err) != ReasonState {
		t.Errorf("wrong state: %v", err)
	}
	expired := *f
	expired.ExpiresAt = time.Now().Add(-time.Second)
	if _, err := rp.Finish(ctx, &expired, q); ReasonOf(err) != ReasonFlow {
		t.Errorf("expired flow: %v", err)
	}
	// Another flow's verifier: PKCE makes a stolen code useless.
	other := *f
	other.Verifier = strings.Repeat("x", 43)
	if _, err := rp.Finish(ctx, &other, q); ReasonOf(err) != ReasonExchange {
		t.Errorf("wrong PKCE verifier: %v", err)
	}
	// A code obtained for one sign-in, completed with another's nonce (a
	// token injected into a foreign flow): the nonce check refuses it.
	f, q = signIn(t, p, rp, jane.Username, jane.Password)
	injected := *f
	injected.Nonce = "another-flow-nonce"
	if _, err := rp.Finish(ctx, &injected, q); ReasonOf(err) != ReasonNonce {
		t.Errorf("foreign nonce: %v", err)
	}
	if _, err := rp.Finish(ctx, f, url.Values{"error": {"access_denied"}, "error_description": {"no\x00 way"}}); ReasonOf(err) != ReasonProvider ||
		strings.Contains(err.Error(), "\x00") {
		t.Errorf("provider error: %v", err)
	}
	// A client secret the provider does not know.
	wrong, err := NewRP(testConfig(p.Issuer), RPOptions{ClientSecret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	f, q = signIn(t, p, wrong, jane.Username, jane.Password)
	if _, err := wrong.Finish(ctx, f, q); ReasonOf(err) != ReasonExchange {
		t.Errorf("wrong client secret: %v", err)
	}
}

// TestIDTokenVerification: tokens signed by the provider's real key but
// expired, for another audience or another sign-in (nonce), from another
// issuer, issued to another party; and a forged signature.
func TestIDTokenVerification(t *testing.T) {
	p := startProvider(t)
	rp := newRP(t, testConfig(p.Issuer), nil)
	ctx := context.Background()
	now := time.Now()
	claims := func(over map[string]any) map[string]any {
		c := map[string]any{"iss": p.Issuer, "sub": "u-jane", "aud": testClient, "nonce": "n-1",
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
		for k, v := range over {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	if _, err := rp.VerifyIDToken(ctx, p.Sign(t, claims(nil), false), "n-1"); err != nil {
		t.Fatalf("a good token: %v", err)
	}
	tests := []struct {
		name   string
		claims map[string]any
		forged bool
		nonce  string
		reason string
	}{
		{"forged", claims(nil), true, "n-1", ReasonSignature},
		{"expired", claims(map[string]any{"exp": now.Add(-time.Minute).Unix()}), false, "n-1", ReasonExpired},
		{"wrong audience", claims(map[string]any{"aud": "another-app"}), false, "n-1", ReasonAudience},
		{"wrong nonce", claims(nil), false, "n-2", ReasonNonce},
		{"no nonce", claims(map[string]any{"nonce": nil}), false, "n-1", ReasonNonce},
		{"wrong issuer", claims(map[string]any{"iss": "http://127.0.0.1:2"}), false, "n-1", ReasonIssuer},
		{"another party", claims(map[string]any{"aud": []string{testClient, "other"}, "azp": "other"}), false, "n-1", ReasonAudience},
		{"several audiences, no azp", claims(map[string]any{"aud": []string{testClient, "other"}}), false, "n-1", ReasonAudience},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rp.VerifyIDToken(ctx, p.Sign(t, tc.claims, tc.forged), tc.nonce)
			if ReasonOf(err) != tc.reason {
				t.Errorf("got %v (%s); want reason %s", err, ReasonOf(err), tc.reason)
			}
		})
	}
	if _, err := rp.VerifyIDToken(ctx, "not.a.jwt", "n-1"); err == nil {
		t.Error("garbage verified")
	}
}

// TestKeyRotation: after the provider rotates its key, the next sign-in's
// token (signed with a key paved has not seen) verifies: go-oidc fetches
// the JWKS again.
func TestKeyRotation(t *testing.T) {
	p := startProvider(t)
	rp := newRP(t, testConfig(p.Issuer), nil)
	f, q := signIn(t, p, rp, jane.Username, jane.Password)
	if _, err := rp.Finish(context.Background(), f, q); err != nil {
		t.Fatal(err)
	}
	p.Rotate(t)
	f, q = signIn(t, p, rp, jane.Username, jane.Password)
	if _, err := rp.Finish(context.Background(), f, q); err != nil {
		t.Fatalf("after key rotation: %v", err)
	}
}

// TestUnreachableIssuer: a provider that is down gives a clear error and
// is asked again later; one that goes down mid-flow fails the callback.
func TestUnreachableIssuer(t *testing.T) {
	p := startProvider(t)
	down := oidctest.Start(t, oidctest.Options{ClientID: testClient})
	issuer := down.Issuer
	down.Stop()
	rp := newRP(t, testConfig(issuer), nil)
	_, _, _, err := rp.Begin(context.Background(), "/")
	if ReasonOf(err) != ReasonUnreachable || !strings.Contains(err.Error(), "cannot be reached") {
		t.Errorf("down provider: %v", err)
	}
	if rp.Check(context.Background()) == nil {
		t.Error("Check of a down provider passed")
	}
	if _, ok := rp.EndSessionURL(context.Background(), "", ""); ok {
		t.Error("an end-session URL for a provider paved cannot reach")
	}
	if err := Discover(context.Background(), nil, issuer); err == nil {
		t.Error("Discover of a down provider passed")
	}
	if err := Discover(context.Background(), nil, p.Issuer); err != nil {
		t.Errorf("Discover of the running provider: %v", err)
	}

	rp = newRP(t, testConfig(p.Issuer), nil)
	f, q := signIn(t, p, rp, jane.Username, jane.Password)
	p.Stop()
	if _, err := rp.Finish(context.Background(), f, q); ReasonOf(err) != ReasonUnreachable {
		t.Errorf("provider gone before the callback: %v", err)
	}
}

// TestUserinfoFallback: claims the ID token lacks come from the userinfo
// endpoint (here: groups, when the groups scope was not asked for in the
// token but the userinfo answer carries them).
func TestUserinfoFallback(t *testing.T) {
	p := startProvider(t)
	cfg := testConfig(p.Issuer)
	cfg.Scopes = []string{"openid", "profile", "email"}
	rp := newRP(t, cfg, nil)
	f, q := signIn2(t, p, rp)
	res, err := rp.Finish(context.Background(), f, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Person.Groups, []string{"everyone", "payments-devs"}) {
		t.Errorf("groups from userinfo: %v", res.Person.Groups)
	}
}

// signIn2 is signIn without the scope assertions.
func signIn2(t *testing.T, p *oidctest.Provider, rp *RP) (*paved.SignInFlow, url.Values) {
	t.Helper()
	f, _, authURL, err := rp.Begin(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	return f, p.Login(t, browser(t), authURL, jane.Username, jane.Password).Query()
}
