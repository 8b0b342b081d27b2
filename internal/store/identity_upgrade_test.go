package store

import (
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// identityUpgrade carries what the 0010 fixture wrote to its check.
type identityUpgrade struct {
	ciToken *paved.Token
	sso     *paved.Session
	flow    *paved.SignInFlow
}

var idUp = map[*upgradeEnv]*identityUpgrade{}

// 0010: a user bound to a provider subject (unmapped), a sign-in flow in
// flight, a CI token with its scope, a session without a token.
func fillIdentity(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	res, err := u.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: "https://idp.example.com", Subject: "sub-grace",
		Username: "grace", DisplayName: "Grace H.", Email: "grace@example.com", Groups: []string{"everyone"}})
	must(t, err)
	if !res.Created {
		t.Fatal("grace was not created")
	}
	x := &identityUpgrade{}
	x.flow = &paved.SignInFlow{Hash: "hash-of-flow", State: "st", Nonce: "no", Verifier: "ve", Next: "/services",
		ExpiresAt: u.clock.Now().Add(365 * 24 * time.Hour)}
	must(t, u.db.CreateSignInFlow(ctx, x.flow))
	exp := u.clock.Now().Add(365 * 24 * time.Hour)
	x.ciToken = &paved.Token{Name: "ci", Prefix: "pvd_ci", Hash: "hash-of-ci-token", ExpiresAt: &exp,
		Scope: &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{"checkout"}, CI: "ci:gh/acme/checkout@1"}}
	must(t, u.db.CreateCIToken(ctx, x.ciToken))
	x.sso = &paved.Session{Hash: "hash-of-grace-session", User: "grace", Method: paved.SigninOIDC, CSRF: "c",
		ExpiresAt: u.clock.Now().Add(365 * 24 * time.Hour), IdleTimeout: 365 * 24 * time.Hour}
	must(t, u.db.CreateSession(ctx, x.sso))
	idUp[u] = x
	t.Cleanup(func() { delete(idUp, u) })
}

func checkIdentity(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	x := idUp[u]
	unmapped, n, err := u.db.FindUnmappedSignIns(ctx, paved.Page{})
	must(t, err)
	if n != 1 || unmapped[0].User != "grace" || unmapped[0].Subject != "sub-grace" {
		t.Errorf("unmapped sign-ins = %d %s", n, jsonOf(unmapped))
	}
	res, err := u.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: "https://idp.example.com", Subject: "sub-grace",
		Username: "grace", Teams: []string{"payments"}, Roles: []paved.Role{paved.RoleDeveloper}, Matched: true})
	must(t, err)
	if res.Created || res.User.Name != "grace" || len(res.User.Teams) != 1 {
		t.Errorf("second sign-in = %s", jsonOf(res))
	}
	f, err := u.db.TakeSignInFlow(ctx, x.flow.Hash)
	must(t, err)
	if f.State != "st" || f.Next != "/services" {
		t.Errorf("flow = %s", jsonOf(f))
	}
	user, tok, err := u.db.Authenticate(ctx, x.ciToken.Hash)
	must(t, err)
	if user.Name != paved.CIUser || tok.Scope.String() != "checks:checkout" || user.Scope.CI != "ci:gh/acme/checkout@1" {
		t.Errorf("CI token = %s %s", jsonOf(user), jsonOf(tok))
	}
	user, s, err := u.db.AuthenticateSession(ctx, x.sso.Hash)
	must(t, err)
	if user.Name != "grace" || s.Method != paved.SigninOIDC || s.TokenID != 0 {
		t.Errorf("single sign-on session = %s %s", jsonOf(user), jsonOf(s))
	}
	// The token session of 0001 reads through the new path too.
	user, s, err = u.db.AuthenticateSession(ctx, u.session.Hash)
	must(t, err)
	if user.Name != "ada" || s.Method != paved.SigninToken || s.TokenID != u.token.ID {
		t.Errorf("token session through the new path = %s %s", jsonOf(user), jsonOf(s))
	}
}
