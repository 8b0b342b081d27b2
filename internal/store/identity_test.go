package store

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

const testIssuer = "https://login.example.com/realms/acme"

func identityCatalog(t *testing.T, e *env) {
	t.Helper()
	for _, tm := range []*paved.Team{
		{Name: "payments", Kind: paved.KindProduct},
		{Name: "search", Kind: paved.KindProduct},
		{Name: "old", Kind: paved.KindProduct},
	} {
		must(t, e.db.CreateTeam(e.ctx, tm))
	}
	must(t, e.db.RetireTeam(e.ctx, "old"))
	must(t, e.db.CreateUser(e.ctx, &paved.User{Name: "bob", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"search"}}))
	must(t, e.db.CreateUser(e.ctx, &paved.User{Name: "gone"}))
	must(t, e.db.RetireUser(e.ctx, "gone"))
}

// TestExternalSignIn: users are created on first sign-in, bound to the
// provider's subject, and their teams and roles follow the group rules at
// every sign-in, leaving what an admin gave alone; every change is audited
// as the mapping's.
func TestExternalSignIn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		identityCatalog(t, e)
		ctx := e.ctx
		in := &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-jane", Username: "jane", DisplayName: "Jane Doe", Email: "jane@example.com",
			Groups: []string{"payments-devs", "everyone"}, Teams: []string{"payments"}, Roles: []paved.Role{paved.RoleDeveloper}, Matched: true}
		res, err := e.db.ExternalSignIn(ctx, in)
		must(t, err)
		if !res.Created || !reflect.DeepEqual(res.User.Teams, []string{"payments"}) || !reflect.DeepEqual(res.User.Roles, []paved.Role{paved.RoleDeveloper}) ||
			res.User.DisplayName != "Jane Doe" || !res.Identity.Matched || !reflect.DeepEqual(res.Identity.Groups, []string{"everyone", "payments-devs"}) {
			t.Fatalf("first sign-in = %s", jsonOf(res))
		}
		got, err := e.db.FindUser(ctx, "jane")
		must(t, err)
		if !reflect.DeepEqual(got.Teams, []string{"payments"}) || !got.HasRole(paved.RoleDeveloper) {
			t.Errorf("stored user = %s", jsonOf(got))
		}

		// An admin adds a team and a role by hand.
		teams, roles := []string{"payments", "search"}, []paved.Role{paved.RoleDeveloper, paved.RoleReviewer}
		_, err = e.db.UpdateUser(ctx, "jane", paved.UserUpdate{Teams: &teams, Roles: &roles})
		must(t, err)

		// Jane leaves payments-devs: the rules grant nothing now.
		in2 := *in
		in2.Groups, in2.Teams, in2.Roles, in2.Matched = []string{"everyone"}, nil, nil, false
		res, err = e.db.ExternalSignIn(ctx, &in2)
		must(t, err)
		if res.Created || !reflect.DeepEqual(res.User.Teams, []string{"search"}) || !reflect.DeepEqual(res.User.Roles, []paved.Role{paved.RoleReviewer}) {
			t.Errorf("after leaving the group: %s (want the admin's search and reviewer only)", jsonOf(res.User))
		}
		got, err = e.db.FindUser(ctx, "jane")
		must(t, err)
		if slices.Contains(got.Teams, "payments") || got.HasRole(paved.RoleDeveloper) {
			t.Errorf("stored after leaving: %s", jsonOf(got))
		}
		unmapped, n, err := e.db.FindUnmappedSignIns(ctx, paved.Page{})
		must(t, err)
		if n != 1 || unmapped[0].User != "jane" || unmapped[0].Matched || !reflect.DeepEqual(unmapped[0].Groups, []string{"everyone"}) {
			t.Errorf("unmapped = %d %s", n, jsonOf(unmapped))
		}

		// Grants of teams that do not exist or are retired are skipped.
		in3 := *in
		in3.Teams = []string{"nope", "old", "payments"}
		res, err = e.db.ExternalSignIn(ctx, &in3)
		must(t, err)
		if !reflect.DeepEqual(res.Skipped, []string{"team nope does not exist", "team old is retired"}) || !slices.Contains(res.User.Teams, "payments") {
			t.Errorf("skipped grants: %s", jsonOf(res))
		}
		if _, n, _ := e.db.FindUnmappedSignIns(ctx, paved.Page{}); n != 0 {
			t.Errorf("jane matched again but is still listed as unmapped")
		}

		// The provider renames her: the subject decides who she is.
		in4 := *in
		in4.Username = "jane.doe"
		res, err = e.db.ExternalSignIn(ctx, &in4)
		must(t, err)
		if res.Created || res.User.Name != "jane" {
			t.Errorf("renamed at the provider: %s", jsonOf(res.User))
		}

		// A catalog user signs in for the first time. Someone choosing the
		// name bob at the provider does not become him: without a trusted
		// username claim the provider must vouch for bob's address.
		_, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-bob", Username: "bob", Email: "bob@evil.example", EmailVerified: true})
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		_, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-bob", Username: "bob", Email: "bob@example.com"})
		wantErr(t, err, paved.EUNAUTHORIZED, "") // the right address, unverified
		must(t, e.db.CreateUser(ctx, &paved.User{Name: "carol", Email: "Carol@Example.com"}))
		res, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-carol", Username: "carol", Email: "carol@example.com", EmailVerified: true})
		must(t, err)
		if res.Created || res.User.Name != "carol" {
			t.Errorf("carol by her verified address: %s", jsonOf(res))
		}
		// With link_by_username: bound, not created, catalog memberships kept.
		res, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-bob", Username: "bob", LinkByUsername: true})
		must(t, err)
		if res.Created || !reflect.DeepEqual(res.User.Teams, []string{"search"}) || !res.User.HasRole(paved.RoleDeveloper) {
			t.Errorf("bob's first sign-in: %s", jsonOf(res))
		}
		// Another account at the same provider claiming the name bob.
		_, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-mallory", Username: "bob", Teams: []string{"payments"}, LinkByUsername: true})
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		if !strings.Contains(err.Error(), "already bound to another account") {
			t.Errorf("takeover refusal: %v", err)
		}
		// With group rules configured, the rules are the only source of
		// roles: bob, a developer by the catalog, in no mapped group, keeps
		// his membership but has no role left.
		res, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-bob", Username: "bob", RolesFromRules: true})
		must(t, err)
		if len(res.User.Roles) != 0 || !reflect.DeepEqual(res.User.Teams, []string{"search"}) {
			t.Errorf("bob with roles from the rules: %s", jsonOf(res.User))
		}
		if paved.Authorize(res.User, paved.ActUpdateService, paved.Resource{Team: "search"}) == nil {
			t.Error("a person in no mapped group can still change services")
		}
		// A retired user cannot come back through the provider.
		_, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-gone", Username: "gone", LinkByUsername: true})
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		if _, err := e.db.ExternalSignIn(ctx, &in2); err != nil { // unmapped again
			t.Fatal(err)
		}
		must(t, e.db.RetireUser(ctx, "jane"))
		_, err = e.db.ExternalSignIn(ctx, in)
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		if l, n, _ := e.db.FindUnmappedSignIns(ctx, paved.Page{}); n != 2 || l[0].User != "bob" || l[1].User != "carol" {
			t.Errorf("unmapped after jane's retirement: %s (want bob and carol)", jsonOf(l))
		}
		// Bad input.
		_, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s", Username: "no spaces"})
		wantErr(t, err, paved.EINVALID, "")
		_, err = e.db.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s\x00", Username: "x"})
		wantErr(t, err, paved.EINVALID, "")

		// The audit log names the mapping as the actor of every change.
		evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectType: "user", ObjectID: "jane", Page: paved.Page{Limit: 100}})
		must(t, err)
		actions := map[string]int{}
		for _, ev := range evs {
			if ev.Action != "user.retire" && ev.Action != "user.update" || ev.Actor != "tester" {
				if ev.Actor != "sso:"+testIssuer {
					t.Errorf("event %s by %q", ev.Action, ev.Actor)
				}
			}
			actions[ev.Action]++
		}
		if actions["user.create"] != 1 || actions["user.bind"] != 1 || actions["user.update"] < 3 {
			t.Errorf("audit actions %v", actions)
		}
	})
}

// TestExternalSignInRace: two first sign-ins of one person at the same
// moment both succeed, with one user and one binding.
func TestExternalSignInRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		identityCatalog(t, e)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.db.ExternalSignIn(e.ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-kim", Username: "kim",
					Teams: []string{"payments"}, Matched: true})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("a concurrent first sign-in failed: %v", err)
			}
		}
		u, err := e.db.FindUser(e.ctx, "kim")
		must(t, err)
		if !reflect.DeepEqual(u.Teams, []string{"payments"}) {
			t.Errorf("kim = %s", jsonOf(u))
		}
		evs, _, err := e.db.FindAuditEvents(e.ctx, paved.AuditFilter{ObjectType: "user", ObjectID: "kim", Page: paved.Page{Limit: 100}})
		must(t, err)
		binds := 0
		for _, ev := range evs {
			if ev.Action == "user.bind" {
				binds++
			}
		}
		if binds != 1 {
			t.Errorf("%d bindings audited", binds)
		}
	})
}

// TestSignInFlows: a flow is handed out once, also to two callbacks at
// the same moment, and not after it expired.
func TestSignInFlows(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := &paved.SignInFlow{Hash: "h1", State: "s", Nonce: "n", Verifier: "v", Next: "/x", ExpiresAt: e.clock.Now().Add(10 * time.Minute)}
		must(t, e.db.CreateSignInFlow(ctx, f))
		wantErr(t, e.db.CreateSignInFlow(ctx, f), paved.ECONFLICT, "")
		got, err := e.db.TakeSignInFlow(ctx, "h1")
		must(t, err)
		if got.State != "s" || got.Nonce != "n" || got.Verifier != "v" || got.Next != "/x" {
			t.Errorf("flow %s", jsonOf(got))
		}
		_, err = e.db.TakeSignInFlow(ctx, "h1")
		wantErr(t, err, paved.EUNAUTHORIZED, "")

		must(t, e.db.CreateSignInFlow(ctx, &paved.SignInFlow{Hash: "h2", State: "s", Nonce: "n", Verifier: "v", ExpiresAt: e.clock.Now().Add(time.Minute)}))
		e.clock.Advance(2 * time.Minute)
		_, err = e.db.TakeSignInFlow(ctx, "h2")
		wantErr(t, err, paved.EUNAUTHORIZED, "")

		must(t, e.db.CreateSignInFlow(ctx, &paved.SignInFlow{Hash: "h3", State: "s", Nonce: "n", Verifier: "v", ExpiresAt: e.clock.Now().Add(time.Minute)}))
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.db.TakeSignInFlow(ctx, "h3"); err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				} else if paved.ErrorCode(err) != paved.EUNAUTHORIZED {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("%d callbacks took one flow", won)
		}
		wantErr(t, e.db.CreateSignInFlow(ctx, &paved.SignInFlow{Hash: "h4"}), paved.EINVALID, "")
	})
}

// TestCITokens: CI tokens belong to the paved-ci service account, carry
// their scope into authentication, are swept a day after expiry, and stop
// when the account is retired.
func TestCITokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := paved.WithActor(context.Background(), paved.Actor{Name: "ci:gh/acme/shop@1"})
		exp := e.clock.Now().Add(15 * time.Minute)
		scope := &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{"shop"}, CI: "ci:gh/acme/shop@1"}
		tok := &paved.Token{Name: "ci acme/shop", Prefix: "pvd_x", Hash: "h-ci-1", ExpiresAt: &exp, Scope: scope}
		must(t, e.db.CreateCIToken(ctx, tok))
		if tok.User != paved.CIUser || tok.ID == 0 {
			t.Fatalf("token %s", jsonOf(tok))
		}
		u, got, err := e.db.Authenticate(ctx, "h-ci-1")
		must(t, err)
		if u.Name != paved.CIUser || len(u.Roles) != 0 || len(u.Teams) != 0 || !reflect.DeepEqual(u.Scope, scope) || !reflect.DeepEqual(got.Scope, scope) {
			t.Errorf("authenticated %s %s", jsonOf(u), jsonOf(got))
		}
		if err := paved.Authorize(u, paved.ActRecordCheck, paved.Resource{Team: "retail", Service: "shop"}); err != nil {
			t.Errorf("the CI token may not record for shop: %v", err)
		}
		if err := paved.Authorize(u, paved.ActRecordCheck, paved.Resource{Team: "retail", Service: "other"}); paved.ErrorCode(err) != paved.EFORBIDDEN {
			t.Errorf("the CI token records for another service: %v", err)
		}
		// Nobody signs in as the service account (here still active).
		_, err = e.db.ExternalSignIn(e.ctx, &paved.ExternalSignIn{Issuer: testIssuer, Subject: "s-x", Username: paved.CIUser, LinkByUsername: true})
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		if !strings.Contains(err.Error(), "service account") {
			t.Errorf("refusal: %v", err)
		}
		// Tokens without scope read back without one.
		must(t, e.db.CreateUser(e.ctx, &paved.User{Name: "ann"}))
		must(t, e.db.CreateToken(e.ctx, &paved.Token{User: "ann", Name: "full", Hash: "h-full"}))
		if u, tk, err := e.db.Authenticate(ctx, "h-full"); err != nil || u.Scope != nil || tk.Scope != nil {
			t.Errorf("full token: %v %v %v", u, tk, err)
		}

		// Expired, then a day later swept by the next exchange.
		e.clock.Advance(20 * time.Minute)
		_, _, err = e.db.Authenticate(ctx, "h-ci-1")
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		e.clock.Advance(25 * time.Hour)
		exp2 := e.clock.Now().Add(15 * time.Minute)
		must(t, e.db.CreateCIToken(ctx, &paved.Token{Name: "ci", Hash: "h-ci-2", ExpiresAt: &exp2, Scope: scope}))
		if _, err := e.db.FindToken(ctx, tok.ID); paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Errorf("the expired CI token was not swept: %v", err)
		}
		// The kill switch.
		must(t, e.db.RetireUser(e.ctx, paved.CIUser))
		_, _, err = e.db.Authenticate(ctx, "h-ci-2")
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		wantErr(t, e.db.CreateCIToken(ctx, &paved.Token{Name: "ci", Hash: "h-ci-3", ExpiresAt: &exp2, Scope: scope}), paved.EFORBIDDEN, "")
		// Bad input.
		wantErr(t, e.db.CreateCIToken(ctx, &paved.Token{Name: "ci", Hash: "h", ExpiresAt: &exp2}), paved.EINVALID, "scope")
		wantErr(t, e.db.CreateCIToken(ctx, &paved.Token{Name: "ci", Hash: "h", Scope: scope}), paved.EINVALID, "expires_at")
	})
}

// TestSignOnSessions: single sign-on sessions have no token; every session
// ends at its absolute expiry, after its idle timeout, at sign-out and
// when its user is retired; a request keeps it alive.
func TestSignOnSessions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		must(t, e.db.CreateUser(ctx, &paved.User{Name: "jane"}))
		s := &paved.Session{Hash: "h-s", User: "jane", Method: paved.SigninOIDC, CSRF: "c", ExpiresAt: e.clock.Now().Add(12 * time.Hour), IdleTimeout: time.Hour}
		must(t, e.db.CreateSession(ctx, s))
		u, got, err := e.db.AuthenticateSession(ctx, "h-s")
		must(t, err)
		if u.Name != "jane" || got.TokenID != 0 || got.Method != paved.SigninOIDC || got.IdleTimeout != time.Hour || got.CSRF != "c" {
			t.Errorf("session %s", jsonOf(got))
		}
		// Requests every 50 minutes keep it alive past the idle timeout.
		for range 3 {
			e.clock.Advance(50 * time.Minute)
			if _, _, err := e.db.AuthenticateSession(ctx, "h-s"); err != nil {
				t.Fatalf("an active session ended: %v", err)
			}
		}
		e.clock.Advance(61 * time.Minute)
		_, _, err = e.db.AuthenticateSession(ctx, "h-s")
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		if !strings.Contains(err.Error(), "idle") {
			t.Errorf("idle refusal: %v", err)
		}

		// The absolute timeout, whatever the activity.
		s2 := &paved.Session{Hash: "h-s2", User: "jane", Method: paved.SigninOIDC, CSRF: "c", ExpiresAt: e.clock.Now().Add(2 * time.Hour), IdleTimeout: time.Hour}
		must(t, e.db.CreateSession(ctx, s2))
		for range 4 {
			e.clock.Advance(30 * time.Minute)
			_, _, err = e.db.AuthenticateSession(ctx, "h-s2")
		}
		wantErr(t, err, paved.EUNAUTHORIZED, "")

		// Sign-out and retirement.
		s3 := &paved.Session{Hash: "h-s3", User: "jane", Method: paved.SigninOIDC, CSRF: "c", ExpiresAt: e.clock.Now().Add(2 * time.Hour)}
		must(t, e.db.CreateSession(ctx, s3))
		must(t, e.db.DeleteSession(ctx, "h-s3"))
		_, _, err = e.db.AuthenticateSession(ctx, "h-s3")
		wantErr(t, err, paved.EUNAUTHORIZED, "")
		s4 := &paved.Session{Hash: "h-s4", User: "jane", Method: paved.SigninOIDC, CSRF: "c", ExpiresAt: e.clock.Now().Add(2 * time.Hour)}
		must(t, e.db.CreateSession(ctx, s4))
		must(t, e.db.RetireUser(ctx, "jane"))
		_, _, err = e.db.AuthenticateSession(ctx, "h-s4")
		wantErr(t, err, paved.EUNAUTHORIZED, "")

		// A token session through the same path stays bound to its token.
		must(t, e.db.CreateUser(ctx, &paved.User{Name: "ann"}))
		tok := &paved.Token{User: "ann", Name: "t", Hash: "h-t"}
		must(t, e.db.CreateToken(ctx, tok))
		must(t, e.db.CreateSession(ctx, &paved.Session{Hash: "h-s5", User: "ann", TokenID: tok.ID, CSRF: "c", ExpiresAt: e.clock.Now().Add(time.Hour)}))
		if _, got, err := e.db.AuthenticateSession(ctx, "h-s5"); err != nil || got.Method != paved.SigninToken || got.TokenID != tok.ID {
			t.Errorf("token session %v %v", got, err)
		}
		must(t, e.db.RevokeToken(ctx, tok.ID))
		_, _, err = e.db.AuthenticateSession(ctx, "h-s5")
		wantErr(t, err, paved.EUNAUTHORIZED, "")

		// Neither or both of token and single sign-on.
		wantErr(t, e.db.CreateSession(ctx, &paved.Session{Hash: "h-x", User: "ann", CSRF: "c", ExpiresAt: e.clock.Now().Add(time.Hour)}), paved.EINVALID, "method")
		wantErr(t, e.db.CreateSession(ctx, &paved.Session{Hash: "h-y", User: "ann", TokenID: tok.ID, Method: paved.SigninOIDC, CSRF: "c",
			ExpiresAt: e.clock.Now().Add(time.Hour)}), paved.EINVALID, "method")
	})
}

// TestCheckRecorders: a recorded check says who recorded it, from the
// context and never from the body; FindLaunch keeps the newest CI check
// beside a newer person's (issue 15 §5, issue 16).
func TestCheckRecorders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ciUser := &paved.User{Name: paved.CIUser, Scope: &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{"checkout"}, CI: "ci:gh/acme/checkout@abc"}}
		ci := paved.WithActor(context.Background(), paved.Actor{User: ciUser})
		bob := paved.WithActor(context.Background(), paved.Actor{User: &paved.User{Name: "bob"}})

		c1 := &paved.CheckRecord{Service: "checkout", Commit: "abc", RecordedBy: "bob"}
		must(t, e.db.RecordCheck(ci, c1))
		if c1.RecordedBy != "ci:gh/acme/checkout@abc" || c1.Actor != "ci:gh/acme/checkout@abc" {
			t.Errorf("CI check recorded as %q (actor %q)", c1.RecordedBy, c1.Actor)
		}
		l, err := e.db.FindLaunch(e.ctx, "checkout")
		must(t, err)
		if l.LatestCheck.ID != c1.ID || l.LatestCheck.Source() != paved.SourceCI || l.LatestCICheck != nil {
			t.Errorf("launch after a CI check: latest %s, latest CI %s", jsonOf(l.LatestCheck), jsonOf(l.LatestCICheck))
		}

		e.clock.Advance(time.Minute)
		c2 := &paved.CheckRecord{Service: "checkout", Commit: "def", RecordedBy: "ci:gh/acme/checkout@def"}
		must(t, e.db.RecordCheck(bob, c2))
		if c2.RecordedBy != "bob" {
			t.Errorf("a person's body claimed CI: recorded by %q", c2.RecordedBy)
		}
		got, err := e.db.FindCheck(e.ctx, c2.ID)
		must(t, err)
		if got.RecordedBy != "bob" || got.Source() != paved.SourcePerson {
			t.Errorf("check read back as recorded by %q", got.RecordedBy)
		}
		l, err = e.db.FindLaunch(e.ctx, "checkout")
		must(t, err)
		if l.LatestCheck.ID != c2.ID || l.LatestCICheck == nil || l.LatestCICheck.ID != c1.ID || l.LatestCICheck.Service != "checkout" {
			t.Errorf("launch after a person's check: latest %s, latest CI %s", jsonOf(l.LatestCheck), jsonOf(l.LatestCICheck))
		}
		ls, err := e.db.FindLaunches(e.ctx, paved.LaunchFilter{Phases: []paved.Phase{paved.PhaseProduction}})
		must(t, err)
		for _, l := range ls {
			if l.Service.Name == "checkout" && (l.LatestCICheck == nil || l.LatestCICheck.ID != c1.ID) {
				t.Errorf("FindLaunches: latest CI check %s", jsonOf(l.LatestCICheck))
			}
		}
	})
}
