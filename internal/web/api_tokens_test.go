package web

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

func TestNewToken(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	days := func(n int) *int { return &n }
	tests := []struct {
		name    string
		req     api.TokenRequest
		field   string
		expires *time.Time
	}{
		{"no expiry", api.TokenRequest{User: "ann", Name: "ci"}, "", nil},
		{"30 days", api.TokenRequest{User: "ann", Name: " laptop ", ExpiresInDays: days(30)}, "", ptr(now.Add(30 * 24 * time.Hour))},
		{"max", api.TokenRequest{User: "ann", Name: "x", ExpiresInDays: days(MaxTokenDays)}, "", ptr(now.Add(MaxTokenDays * 24 * time.Hour))},
		{"zero days", api.TokenRequest{User: "ann", Name: "x", ExpiresInDays: days(0)}, "expires_in_days", nil},
		{"negative", api.TokenRequest{User: "ann", Name: "x", ExpiresInDays: days(-1)}, "expires_in_days", nil},
		{"too long", api.TokenRequest{User: "ann", Name: "x", ExpiresInDays: days(MaxTokenDays + 1)}, "expires_in_days", nil},
		{"no name", api.TokenRequest{User: "ann", Name: "  "}, "name", nil},
		{"long name", api.TokenRequest{User: "ann", Name: strings.Repeat("n", 101)}, "name", nil},
		{"control in name", api.TokenRequest{User: "ann", Name: "a\nb"}, "name", nil},
		{"bad user", api.TokenRequest{User: "a b", Name: "x"}, "user", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, secret, err := newToken(tt.req, now)
			if tt.field != "" {
				pe, ok := err.(*paved.Error)
				if !ok || pe.Field != tt.field || pe.Code != paved.EINVALID {
					t.Fatalf("got %v, want invalid on %s", err, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(secret, paved.TokenPrefix) || tok.Hash != paved.HashToken(secret) || tok.Prefix != paved.DisplayPrefix(secret) {
				t.Fatalf("secret %q, token %+v", secret, tok)
			}
			if strings.Contains(tok.Prefix, secret) || len(tok.Prefix) >= len(secret) {
				t.Fatal("prefix reveals the secret")
			}
			if (tt.expires == nil) != (tok.ExpiresAt == nil) || tt.expires != nil && !tt.expires.Equal(*tok.ExpiresAt) {
				t.Fatalf("expires %v, want %v", tok.ExpiresAt, tt.expires)
			}
			if tok.Name != strings.TrimSpace(tt.req.Name) {
				t.Fatalf("name %q", tok.Name)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestTokensAPI walks a token's life: created (secret shown once), used,
// listed (secret never again), revoked (no longer works).
func TestTokensAPI(t *testing.T) {
	e := newAPIEnv(t)
	var logs bytes.Buffer
	srv, err := NewServer(Config{App: testApp(t, nil, e.db, nil), Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.h = srv.Handler()

	rec := e.as("dev-alpha", "POST", "/api/v1/tokens", `{"name":"ci","expires_in_days":7}`)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("token response may be cached")
	}
	created := decode[api.TokenCreated](t, rec)
	if created.Token.User != "dev-alpha" || created.Token.ExpiresAt == nil || !strings.HasPrefix(created.Secret, "pvd_") {
		t.Fatalf("created: %+v", created)
	}
	if strings.Contains(rec.Body.String(), `"hash"`) {
		t.Error("response shows the hash")
	}

	// The new secret authenticates.
	me := e.do("GET", "/api/v1/me", created.Secret, "")
	if me.Code != 200 || decode[paved.User](t, me).Name != "dev-alpha" {
		t.Fatalf("me with new token: %d %s", me.Code, me.Body)
	}

	// Listing shows the token but never its secret.
	rec = e.as("dev-alpha", "GET", "/api/v1/tokens", "")
	l := decode[api.List[paved.Token]](t, rec)
	if l.Total != 3 || strings.Contains(rec.Body.String(), created.Secret) {
		t.Fatalf("list: %s", rec.Body)
	}
	// Others' tokens: admin yes, anyone else no.
	if rec := e.as("admin", "GET", "/api/v1/tokens?user=dev-alpha", ""); rec.Code != 200 || decode[api.List[paved.Token]](t, rec).Total != 3 {
		t.Fatalf("admin lists dev-alpha's tokens: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/tokens?user=dev-alpha", ""), 403, "forbidden")
	wantProblem(t, e.as("admin", "GET", "/api/v1/tokens?user=ghost", ""), 404, "not_found")
	wantProblem(t, e.as("viewer", "POST", "/api/v1/tokens", `{"user":"dev-alpha","name":"steal"}`), 403, "forbidden")
	p := wantProblem(t, e.as("admin", "POST", "/api/v1/tokens", `{"user":"ghost","name":"x"}`), 422, "unprocessable")
	if p.Field != "user" {
		t.Errorf("field %q", p.Field)
	}
	rec = e.as("admin", "POST", "/api/v1/tokens", `{"user":"viewer","name":"for viewer"}`)
	if rec.Code != 201 || decode[api.TokenCreated](t, rec).Token.User != "viewer" {
		t.Fatalf("admin creates for viewer: %d %s", rec.Code, rec.Body)
	}

	// Revoke: then the token is refused.
	id := strconv.FormatInt(created.Token.ID, 10)
	wantProblem(t, e.as("dev-beta", "POST", "/api/v1/tokens/"+id+"/revoke", ""), 403, "forbidden")
	rec = e.do("POST", "/api/v1/tokens/"+id+"/revoke", created.Secret, "")
	if rec.Code != 200 || decode[paved.Token](t, rec).RevokedAt == nil {
		t.Fatalf("revoke own: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.do("GET", "/api/v1/me", created.Secret, ""), 401, "unauthorized")
	wantProblem(t, e.as("admin", "POST", "/api/v1/tokens/999999/revoke", ""), 404, "not_found")
	p = wantProblem(t, e.as("admin", "POST", "/api/v1/tokens/abc/revoke", ""), 400, "invalid")
	if p.Field != "id" {
		t.Errorf("field %q", p.Field)
	}

	// Unknown and malformed credentials are all 401.
	for _, h := range []string{"", "Bearer pvd_unknown", "Basic YTpi", "Bearer", "Bearer " + tokenOf("revoked")} {
		wantProblem(t, e.doAuth("GET", "/api/v1/services", h), 401, "unauthorized")
	}

	// Unknown, revoked and expired tokens get one answer; the log keeps
	// which it was.
	// A token that expired yesterday, written as the store keeps it.
	expired, expiredSecret, err := paved.NewToken("dev-alpha", "old", 1, time.Now().Add(-48*time.Hour), "expires_in_days")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.CreateToken(paved.WithActor(context.Background(), paved.Actor{Name: "test"}), expired); err != nil {
		t.Fatal(err)
	}
	unknown := wantProblem(t, e.doAuth("GET", "/api/v1/services", "Bearer pvd_unknown"), 401, "unauthorized")
	for name, secret := range map[string]string{"revoked": tokenOf("revoked"), "revoked by its user": created.Secret, "expired": expiredSecret} {
		if p := wantProblem(t, e.doAuth("GET", "/api/v1/services", "Bearer "+secret), 401, "unauthorized"); p.Detail != unknown.Detail {
			t.Errorf("%s token: %q, unknown token: %q: want one message", name, p.Detail, unknown.Detail)
		}
	}
	for _, why := range []string{"unknown token", "was revoked", "has expired"} {
		if !strings.Contains(logs.String(), why) {
			t.Errorf("the log does not say %q", why)
		}
	}

	if strings.Contains(logs.String(), created.Secret) || strings.Contains(logs.String(), expiredSecret) {
		t.Fatal("a token secret reached the log")
	}
	if !strings.Contains(logs.String(), `"user":"dev-alpha"`) {
		t.Fatalf("access log does not name the user: %s", logs.String())
	}
}

// TestTokenParentsAPI: issue 15 §2 through the API. A token made with a
// 1-day token expires with it and is revoked with it; a read-only token
// changes nothing and makes no wider token.
func TestTokenParentsAPI(t *testing.T) {
	e := newAPIEnv(t)
	rec := e.as("dev-alpha", "POST", "/api/v1/tokens", `{"name":"one day","expires_in_days":1}`)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	day := decode[api.TokenCreated](t, rec)
	rec = e.do("POST", "/api/v1/tokens", day.Secret, `{"name":"forever"}`)
	if rec.Code != 201 {
		t.Fatalf("create with a token: %d %s", rec.Code, rec.Body)
	}
	child := decode[api.TokenCreated](t, rec)
	if child.Token.ParentID != day.Token.ID || child.Token.ExpiresAt == nil || !child.Token.ExpiresAt.Equal(*day.Token.ExpiresAt) {
		t.Fatalf("a child of a 1-day token asking for no expiry: %+v", child.Token)
	}
	rec = e.do("POST", "/api/v1/tokens", day.Secret, `{"name":"read","scope":"read"}`)
	if rec.Code != 201 {
		t.Fatalf("create read-only: %d %s", rec.Code, rec.Body)
	}
	ro := decode[api.TokenCreated](t, rec)
	if ro.Token.Scope.String() != "read" {
		t.Fatalf("scope %+v", ro.Token.Scope)
	}
	if rec := e.do("GET", "/api/v1/services/svc-alpha", ro.Secret, ""); rec.Code != 200 {
		t.Fatalf("a read-only token reads: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.do("PATCH", "/api/v1/services/svc-alpha", ro.Secret, `{"title":"x"}`), 403, "forbidden")
	wantProblem(t, e.do("POST", "/api/v1/tokens", ro.Secret, `{"name":"wider"}`), 403, "forbidden")
	wantProblem(t, e.do("POST", "/api/v1/tokens", day.Secret, `{"name":"bad","scope":"write"}`), 400, "invalid")

	// Revoking the parent revokes both children.
	if rec := e.as("dev-alpha", "POST", "/api/v1/tokens/"+strconv.FormatInt(day.Token.ID, 10)+"/revoke", ""); rec.Code != 200 {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	for _, secret := range []string{day.Secret, child.Secret, ro.Secret} {
		wantProblem(t, e.do("GET", "/api/v1/me", secret, ""), 401, "unauthorized")
	}
}
