package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/store"
)

// apiEnv is a server on a fresh SQLite store seeded with a small
// organisation: a user for every role the authorisation test covers, each
// with a known token secret.
type apiEnv struct {
	t        *testing.T
	db       *store.DB
	path     string // the SQLite file, for tests that tamper with it
	srv      *Server
	h        http.Handler
	reg      *prometheus.Registry
	spareTok int64 // id of a second token of dev-alpha, for revoke tests
}

// apiUsers are the seeded users: name -> roles and teams.
var apiUsers = []struct {
	name  string
	roles []paved.Role
	teams []string
}{
	{"viewer", []paved.Role{paved.RoleViewer}, []string{"alpha"}},
	{"dev-alpha", []paved.Role{paved.RoleDeveloper}, []string{"alpha"}},
	{"dev-beta", []paved.Role{paved.RoleDeveloper}, []string{"beta"}},
	{"reviewer", []paved.Role{paved.RoleReviewer}, []string{"sec"}},
	{"architect", []paved.Role{paved.RoleArchitect}, []string{"sec"}},
	{"security", []paved.Role{paved.RoleSecurity}, []string{"sec"}},
	{"admin", []paved.Role{paved.RoleAdmin}, nil},
	{"revoked", []paved.Role{paved.RoleAdmin}, nil}, // its token is revoked
	{"spare", []paved.Role{paved.RoleViewer}, nil},  // target of user writes
}

// tokenOf is the bearer secret of a seeded user.
func tokenOf(user string) string { return "pvd_test_" + user }

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	path := filepath.Join(t.TempDir(), "paved.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	for _, tm := range []paved.Team{
		{Name: "alpha", Kind: paved.KindProduct},
		{Name: "beta", Kind: paved.KindProduct},
		{Name: "gamma", Kind: paved.KindProduct},
		{Name: "sec", Kind: paved.KindSecurity},
	} {
		must(db.CreateTeam(ctx, &tm))
	}
	e := &apiEnv{t: t, db: db, path: path}
	for _, u := range apiUsers {
		must(db.CreateUser(ctx, &paved.User{Name: u.name, Roles: u.roles, Teams: u.teams}))
		tok := &paved.Token{User: u.name, Name: "test", Prefix: paved.DisplayPrefix(tokenOf(u.name)), Hash: paved.HashToken(tokenOf(u.name))}
		must(db.CreateToken(ctx, tok))
		if u.name == "revoked" {
			must(db.RevokeToken(ctx, tok.ID))
		}
	}
	spare := &paved.Token{User: "dev-alpha", Name: "spare", Prefix: "pvd_spare", Hash: paved.HashToken("pvd_spare_dev-alpha")}
	must(db.CreateToken(ctx, spare))
	e.spareTok = spare.ID
	for _, s := range []paved.Service{
		{Name: "svc-alpha", Owner: "alpha", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhasePlayground},
		{Name: "svc-beta", Owner: "beta", Tier: 3, DataClass: paved.DataPublic, Phase: paved.PhaseProduction},
	} {
		must(db.CreateService(ctx, &s))
	}
	e.reg = prometheus.NewRegistry()
	srv, err := NewServer(Config{App: testApp(t, nil, db, nil), Registry: e.reg, Version: "test"})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	e.srv, e.h = srv, srv.Handler()
	return e
}

// do sends a request straight to the handler; token "" sends none.
func (e *apiEnv) do(method, target, token, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// doAuth sends a GET-style request with a raw Authorization header ("" for
// none).
func (e *apiEnv) doAuth(method, target, authorization string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// as sends a request with the seeded user's token.
func (e *apiEnv) as(user, method, target, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(method, target, tokenOf(user), body)
}

// decode unmarshals a response body, failing the test on bad JSON.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %d %q: %v", v, rec.Code, rec.Body.String(), err)
	}
	return v
}

// wantProblem checks that rec is a problem+json with status and code and
// returns it.
func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) api.Problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	p := decode[api.Problem](t, rec)
	if p.Status != status || p.Code != code {
		t.Fatalf("problem status/code = %d/%q, want %d/%q: %+v", p.Status, p.Code, status, code, p)
	}
	if p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem lacks type, title or detail: %+v", p)
	}
	return p
}

// jsonBody compacts a JSON literal for use in tests.
func jsonBody(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
