package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func newToken(t *testing.T, e *env, user string, expires *time.Time) (*paved.Token, string) {
	t.Helper()
	secret := paved.NewTokenSecret()
	tok := &paved.Token{User: user, Name: "test", Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret), ExpiresAt: expires}
	must(t, e.db.CreateToken(e.ctx, tok))
	return tok, secret
}

func TestTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx

		t.Run("create and authenticate", func(t *testing.T) {
			tok, secret := newToken(t, e, "bob", nil)
			if tok.ID == 0 || !tok.CreatedAt.Equal(e.clock.Now()) {
				t.Fatalf("token not filled: %+v", tok)
			}
			u, got, err := e.db.Authenticate(ctx, paved.HashToken(secret))
			must(t, err)
			if u.Name != "bob" || !reflect.DeepEqual(u.Teams, []string{"payments"}) || !reflect.DeepEqual(u.Roles, []paved.Role{paved.RoleDeveloper}) {
				t.Fatalf("authenticated user = %+v", u)
			}
			if got.ID != tok.ID || got.LastUsedAt == nil || !got.LastUsedAt.Equal(e.clock.Now()) {
				t.Fatalf("authenticated token = %+v", got)
			}
			// The audit log names the token but holds neither secret nor hash.
			var log strings.Builder
			must(t, e.db.AllAuditEvents(ctx, func(ev *paved.AuditEvent) error {
				log.WriteString(jsonOf(ev))
				return nil
			}))
			if strings.Contains(log.String(), secret) || strings.Contains(log.String(), tok.Hash) {
				t.Fatal("audit log holds the token secret or hash")
			}
			if !strings.Contains(log.String(), `"token.create"`) {
				t.Fatal("token.create not audited")
			}
		})

		t.Run("last used is written at most once a minute", func(t *testing.T) {
			tok, _ := newToken(t, e, "cy", nil)
			_, _, err := e.db.Authenticate(ctx, tok.Hash)
			must(t, err)
			first := e.clock.Now()
			e.clock.Advance(30 * time.Second)
			_, _, err = e.db.Authenticate(ctx, tok.Hash)
			must(t, err)
			read, err := e.db.FindToken(ctx, tok.ID)
			must(t, err)
			if !read.LastUsedAt.Equal(first) {
				t.Fatalf("last used rewritten within a minute: %v, want %v", read.LastUsedAt, first)
			}
			e.clock.Advance(31 * time.Second)
			_, _, err = e.db.Authenticate(ctx, tok.Hash)
			must(t, err)
			read, err = e.db.FindToken(ctx, tok.ID)
			must(t, err)
			if !read.LastUsedAt.Equal(e.clock.Now()) {
				t.Fatalf("last used not updated after a minute: %v", read.LastUsedAt)
			}
		})

		t.Run("refused", func(t *testing.T) {
			soon := e.clock.Now().Add(time.Hour)
			expiring, _ := newToken(t, e, "cy", &soon)
			revoked, _ := newToken(t, e, "cy", nil)
			must(t, e.db.RevokeToken(ctx, revoked.ID))
			must(t, e.db.RevokeToken(ctx, revoked.ID)) // idempotent
			_, _, err := e.db.Authenticate(ctx, expiring.Hash)
			must(t, err)
			cases := []struct {
				name, hash, msg string
				advance         time.Duration
			}{
				{"empty", "", "no token", 0},
				{"unknown", paved.HashToken("pvd_nope"), "unknown", 0},
				{"revoked", revoked.Hash, "revoked", 0},
				{"expired", expiring.Hash, "expired", time.Hour},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e.clock.Advance(c.advance)
					_, _, err := e.db.Authenticate(ctx, c.hash)
					wantErr(t, err, paved.EUNAUTHORIZED, "")
					if !strings.Contains(err.Error(), c.msg) {
						t.Fatalf("error %q does not say %q", err, c.msg)
					}
				})
			}
			_, _, err = e.db.Authenticate(ctx, revoked.Hash)
			wantErr(t, err, paved.EUNAUTHORIZED, "")
		})

		t.Run("errors", func(t *testing.T) {
			cases := []struct {
				name  string
				tok   *paved.Token
				code  string
				field string
			}{
				{"nil", nil, paved.EINVALID, ""},
				{"no hash", &paved.Token{User: "bob"}, paved.EINVALID, "hash"},
				{"no user", &paved.Token{Hash: "h"}, paved.EINVALID, "user"},
				{"long name", &paved.Token{User: "bob", Hash: "h", Name: strings.Repeat("n", 201)}, paved.EINVALID, "name"},
				{"unknown user", &paved.Token{User: "ghost", Hash: "h"}, paved.EUNPROCESSABLE, "user"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					wantErr(t, e.db.CreateToken(ctx, c.tok), c.code, c.field)
				})
			}
			tok, _ := newToken(t, e, "bob", nil)
			wantErr(t, e.db.CreateToken(ctx, &paved.Token{User: "ada", Hash: tok.Hash}), paved.ECONFLICT, "hash")
			_, err := e.db.FindToken(ctx, 99999)
			wantErr(t, err, paved.ENOTFOUND, "")
			wantErr(t, e.db.RevokeToken(ctx, 99999), paved.ENOTFOUND, "")
			_, err = e.db.FindTokens(ctx, "ghost")
			wantErr(t, err, paved.ENOTFOUND, "")
		})

		t.Run("find tokens", func(t *testing.T) {
			toks, err := e.db.FindTokens(ctx, "cy")
			must(t, err)
			if len(toks) != 3 || toks[0].ID >= toks[1].ID || toks[1].RevokedAt != nil || toks[2].RevokedAt == nil {
				t.Fatalf("FindTokens(cy) = %s", jsonOf(toks))
			}
			none, err := e.db.FindTokens(ctx, "ada")
			must(t, err)
			if none == nil || len(none) != 0 {
				t.Fatalf("FindTokens(ada) = %#v, want empty", none)
			}
		})
		verifyChain(t, e)
	})
}

func TestSessions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx
		tok, _ := newToken(t, e, "bob", nil)
		other, _ := newToken(t, e, "cy", nil)
		events := auditCount(t, e)

		s := &paved.Session{Hash: "s1", User: "bob", TokenID: tok.ID, CSRF: "csrf1", ExpiresAt: e.clock.Now().Add(time.Hour)}
		must(t, e.db.CreateSession(ctx, s))
		if s.ID == 0 || !s.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("session not filled: %+v", s)
		}
		u, got, err := e.db.AuthenticateSession(ctx, "s1")
		must(t, err)
		if u.Name != "bob" || !reflect.DeepEqual(u.Roles, []paved.Role{paved.RoleDeveloper}) || !reflect.DeepEqual(got, s) {
			t.Fatalf("AuthenticateSession = %+v, %s; want %s", u, jsonOf(got), jsonOf(s))
		}
		if auditCount(t, e) != events {
			t.Fatal("sessions wrote audit events")
		}

		cases := []struct {
			name  string
			s     *paved.Session
			code  string
			field string
		}{
			{"nil", nil, paved.EINVALID, ""},
			{"no hash", &paved.Session{User: "bob", TokenID: tok.ID, ExpiresAt: s.ExpiresAt}, paved.EINVALID, "hash"},
			{"no user", &paved.Session{Hash: "x", TokenID: tok.ID, ExpiresAt: s.ExpiresAt}, paved.EINVALID, "user"},
			{"no token", &paved.Session{Hash: "x", User: "bob", ExpiresAt: s.ExpiresAt}, paved.EINVALID, "method"},
			{"no expiry", &paved.Session{Hash: "x", User: "bob", TokenID: tok.ID}, paved.EINVALID, "expires_at"},
			{"unknown user", &paved.Session{Hash: "x", User: "ghost", TokenID: tok.ID, ExpiresAt: s.ExpiresAt}, paved.EUNPROCESSABLE, "user"},
			{"unknown token", &paved.Session{Hash: "x", User: "bob", TokenID: 99999, ExpiresAt: s.ExpiresAt}, paved.EUNPROCESSABLE, "token_id"},
			{"someone else's token", &paved.Session{Hash: "x", User: "bob", TokenID: other.ID, ExpiresAt: s.ExpiresAt}, paved.EUNPROCESSABLE, "token_id"},
			{"duplicate", &paved.Session{Hash: "s1", User: "bob", TokenID: tok.ID, ExpiresAt: s.ExpiresAt}, paved.ECONFLICT, "hash"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, e.db.CreateSession(ctx, c.s), c.code, c.field)
			})
		}

		t.Run("expiry", func(t *testing.T) {
			short := &paved.Session{Hash: "s2", User: "bob", TokenID: tok.ID, CSRF: "c", ExpiresAt: e.clock.Now().Add(time.Minute)}
			must(t, e.db.CreateSession(ctx, short))
			e.clock.Advance(time.Minute)
			_, _, err := e.db.AuthenticateSession(ctx, "s2")
			wantErr(t, err, paved.EUNAUTHORIZED, "")
			// The next sign-in sweeps it away.
			must(t, e.db.CreateSession(ctx, &paved.Session{Hash: "s3", User: "bob", TokenID: tok.ID, CSRF: "c", ExpiresAt: e.clock.Now().Add(time.Hour)}))
			var n int
			must(t, e.db.db.QueryRowContext(context.Background(), rebind(e.db.engine, "SELECT COUNT(*) FROM sessions WHERE hash = ?"), "s2").Scan(&n))
			if n != 0 {
				t.Fatal("expired session not swept")
			}
		})

		t.Run("delete", func(t *testing.T) {
			must(t, e.db.DeleteSession(ctx, "s3"))
			must(t, e.db.DeleteSession(ctx, "s3"))
			_, _, err := e.db.AuthenticateSession(ctx, "s3")
			wantErr(t, err, paved.EUNAUTHORIZED, "")
			_, _, err = e.db.AuthenticateSession(ctx, "")
			wantErr(t, err, paved.EUNAUTHORIZED, "")
		})

		t.Run("revoking the token ends the session", func(t *testing.T) {
			_, _, err := e.db.AuthenticateSession(ctx, "s1")
			must(t, err)
			must(t, e.db.RevokeToken(ctx, tok.ID))
			_, _, err = e.db.AuthenticateSession(ctx, "s1")
			wantErr(t, err, paved.EUNAUTHORIZED, "")
			err = e.db.CreateSession(ctx, &paved.Session{Hash: "s4", User: "bob", TokenID: tok.ID, ExpiresAt: e.clock.Now().Add(time.Hour)})
			wantErr(t, err, paved.EUNPROCESSABLE, "token_id")
		})

		t.Run("an expired token fails the session", func(t *testing.T) {
			exp := e.clock.Now().Add(2 * time.Minute)
			tk, _ := newToken(t, e, "cy", &exp)
			must(t, e.db.CreateSession(ctx, &paved.Session{Hash: "s5", User: "cy", TokenID: tk.ID, ExpiresAt: e.clock.Now().Add(time.Hour)}))
			e.clock.Advance(3 * time.Minute)
			_, _, err := e.db.AuthenticateSession(ctx, "s5")
			wantErr(t, err, paved.EUNAUTHORIZED, "")
		})
	})
}

func TestBootstrap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		mk := func(secret string) (*paved.User, *paved.Token) {
			return &paved.User{Name: "admin", Roles: []paved.Role{paved.RoleAdmin}},
				&paved.Token{User: "admin", Name: "bootstrap", Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret)}
		}
		// Several replicas start on one empty database at once: exactly
		// one creates the admin and its token, the others stand down.
		var wg sync.WaitGroup
		results := make([]bool, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, tok := mk(fmt.Sprintf("pvd_bootstrap_secret_%d", i))
				results[i], errs[i] = e.db.Bootstrap(e.ctx, u, tok)
			}()
		}
		wg.Wait()
		created := 0
		for i := range results {
			must(t, errs[i])
			if results[i] {
				created++
			}
		}
		if created != 1 {
			t.Fatalf("%d bootstraps created an admin, want exactly 1", created)
		}
		users, n, err := e.db.FindUsers(e.ctx, paved.UserFilter{IncludeRetired: true})
		must(t, err)
		if n != 1 || users[0].Name != "admin" || !users[0].HasRole(paved.RoleAdmin) {
			t.Fatalf("users after bootstrap: %d %+v", n, users)
		}
		toks, err := e.db.FindTokens(e.ctx, "admin")
		must(t, err)
		if len(toks) != 1 {
			t.Fatalf("admin has %d tokens, want 1 (user and token are one transaction)", len(toks))
		}
		// A database with users is never bootstrapped again.
		u, tok := mk("pvd_bootstrap_secret_again")
		again, err := e.db.Bootstrap(e.ctx, u, tok)
		if err != nil || again {
			t.Fatalf("second bootstrap: %v %v", again, err)
		}
		if _, _, err := e.db.Authenticate(e.ctx, paved.HashToken("pvd_bootstrap_secret_again")); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
			t.Fatalf("the refused bootstrap's token works: %v", err)
		}
		verifyChain(t, e)
	})
}

// TestTokenParents: issue 15 §2. A token made with a token expires no
// later than its parent, is no wider in scope, and is revoked with it, down
// the generations; a CI token opens no portal session; a session signed in
// with a scoped token carries the scope.
func TestTokenParents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx
		day := e.clock.Now().Add(24 * time.Hour)
		parent, _ := newToken(t, e, "bob", &day)

		// A child asking for no expiry, or a later one, gets the parent's.
		child := &paved.Token{User: "bob", Name: "child", Hash: "h-child", ParentID: parent.ID}
		must(t, e.db.CreateToken(ctx, child))
		if child.ExpiresAt == nil || !child.ExpiresAt.Equal(day) || child.ParentID != parent.ID {
			t.Fatalf("child of a 1-day token = %s", jsonOf(child))
		}
		week := e.clock.Now().Add(7 * 24 * time.Hour)
		late := &paved.Token{User: "bob", Name: "late", Hash: "h-late", ExpiresAt: &week, ParentID: parent.ID}
		must(t, e.db.CreateToken(ctx, late))
		if !late.ExpiresAt.Equal(day) {
			t.Errorf("a child asking for a week got %v, want the parent's %v", late.ExpiresAt, day)
		}
		hour := e.clock.Now().Add(time.Hour)
		short := &paved.Token{User: "bob", Name: "short", Hash: "h-short", ExpiresAt: &hour, ParentID: parent.ID}
		must(t, e.db.CreateToken(ctx, short))
		if !short.ExpiresAt.Equal(hour) {
			t.Errorf("a shorter child's expiry changed: %v", short.ExpiresAt)
		}
		// Grandchild, read back with its parent.
		grand := &paved.Token{User: "bob", Name: "grand", Hash: "h-grand", ParentID: child.ID}
		must(t, e.db.CreateToken(ctx, grand))
		got, err := e.db.FindToken(ctx, grand.ID)
		must(t, err)
		if got.ParentID != child.ID || !got.ExpiresAt.Equal(day) {
			t.Errorf("grandchild reads back as %s", jsonOf(got))
		}

		// Scopes only narrow.
		read := &paved.TokenScope{Access: paved.ScopeRead}
		ro := &paved.Token{User: "bob", Name: "ro", Hash: "h-ro", Scope: read, ParentID: parent.ID}
		must(t, e.db.CreateToken(ctx, ro))
		wantErr(t, e.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "wide", Hash: "h-wide", ParentID: ro.ID}), paved.EFORBIDDEN, "scope")
		checks := &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{"checkout"}}
		wantErr(t, e.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "wide", Hash: "h-wide", Scope: checks, ParentID: ro.ID}), paved.EFORBIDDEN, "scope")
		must(t, e.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "ro2", Hash: "h-ro2", Scope: read, ParentID: ro.ID}))
		wantErr(t, e.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "ci", Hash: "h-ci",
			Scope: &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{"checkout"}, CI: "ci:x/y@z"}}), paved.EINVALID, "scope")
		wantErr(t, e.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "orphan", Hash: "h-orphan", ParentID: 99999}), paved.EUNPROCESSABLE, "parent_id")

		// A session signed in with the read-only token can do no more.
		must(t, e.db.CreateSession(ctx, &paved.Session{Hash: "s-ro", User: "bob", TokenID: ro.ID, CSRF: "c", ExpiresAt: day}))
		u, _, err := e.db.AuthenticateSession(ctx, "s-ro")
		must(t, err)
		if u.Scope.String() != "read" || u.TokenID != ro.ID {
			t.Errorf("session of a read-only token: scope %q, token %d", u.Scope.String(), u.TokenID)
		}
		if err := paved.Authorize(u, paved.ActUpdateService, paved.Resource{Team: "payments"}); paved.ErrorCode(err) != paved.EFORBIDDEN {
			t.Errorf("a read-only session updates a service: %v", err)
		}
		must(t, e.db.CreateSession(ctx, &paved.Session{Hash: "s-grand", User: "bob", TokenID: grand.ID, CSRF: "c", ExpiresAt: day}))

		// Revoking the parent revokes every descendant and ends their
		// sessions; a token of another family is untouched.
		other, _ := newToken(t, e, "bob", nil)
		must(t, e.db.RevokeToken(ctx, parent.ID))
		for _, tk := range []*paved.Token{parent, child, late, short, grand, ro} {
			if _, _, err := e.db.Authenticate(ctx, tk.Hash); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
				t.Errorf("token %q still authenticates after its ancestor's revocation: %v", tk.Name, err)
			}
		}
		for _, h := range []string{"s-ro", "s-grand"} {
			if _, _, err := e.db.AuthenticateSession(ctx, h); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
				t.Errorf("session %s survives: %v", h, err)
			}
		}
		if _, _, err := e.db.Authenticate(ctx, other.Hash); err != nil {
			t.Errorf("an unrelated token was revoked: %v", err)
		}
		n := 0
		must(t, e.db.AllAuditEvents(ctx, func(ev *paved.AuditEvent) error {
			if ev.Action == "token.revoke" {
				n++
			}
			return nil
		}))
		if n != 7 { // parent, child, late, short, ro, grand, ro2: each once
			t.Errorf("%d token.revoke events, want 7", n)
		}
		// A revoked parent makes no children.
		wantErr(t, e.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "after", Hash: "h-after", ParentID: parent.ID}), paved.EUNAUTHORIZED, "")

		// Retiring a user revokes the children their tokens made for others.
		adaTok, _ := newToken(t, e, "ada", nil)
		forBob := &paved.Token{User: "bob", Name: "from ada", Hash: "h-from-ada", ParentID: adaTok.ID}
		must(t, e.db.CreateToken(ctx, forBob))
		must(t, e.db.RetireUser(ctx, "ada"))
		if _, _, err := e.db.Authenticate(ctx, forBob.Hash); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
			t.Errorf("a token made by a retired user's token still works: %v", err)
		}

		// The parent's expiry bounds the child even unrevoked.
		e.clock.Advance(24 * time.Hour)
		if _, _, err := e.db.Authenticate(ctx, "h-ro2"); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
			t.Errorf("h-ro2 outlived its parent: %v", err)
		}
	})
}

// TestTokenParentRace: a child created while its parent is revoked either
// fails or is revoked with it; none survives (PostgreSQL runs the two
// writes at once; SQLite serialises them).
func TestTokenParentRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx
		for i := range 10 {
			parent, _ := newToken(t, e, "bob", nil)
			var wg sync.WaitGroup
			child := &paved.Token{User: "bob", Name: "child", Hash: fmt.Sprintf("h-race-%d", i), ParentID: parent.ID}
			var createErr, revokeErr error
			wg.Add(2)
			go func() { defer wg.Done(); createErr = e.db.CreateToken(ctx, child) }()
			go func() { defer wg.Done(); revokeErr = e.db.RevokeToken(ctx, parent.ID) }()
			wg.Wait()
			must(t, revokeErr)
			if createErr != nil {
				continue
			}
			if _, _, err := e.db.Authenticate(ctx, child.Hash); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
				t.Fatalf("round %d: the child of a revoked parent works: %v", i, err)
			}
		}
	})
}
