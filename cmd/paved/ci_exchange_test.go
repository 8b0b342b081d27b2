package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/identity/oidctest"
	"github.com/paved-dev/paved/internal/store"
)

// TestCheckExchangesJobToken: inside a GitHub Actions job (its token
// service replayed by an HTTP server, the ID token signed by the test
// OpenID provider process whose JWKS paved fetches) and without
// PAVED_TOKEN, `paved check --server --service` exchanges the job's ID
// token for a short-lived token and the recorded check says CI recorded
// it. No stored secret is involved.
func TestCheckExchangesJobToken(t *testing.T) {
	p := oidctest.Start(t, oidctest.Options{ClientID: "unused"})
	dir := t.TempDir()
	db := filepath.Join(dir, "paved.db")
	cfgPath := filepath.Join(dir, "paved.yaml")
	if err := os.WriteFile(cfgPath, []byte(`ci:
  trust:
    - issuer: `+p.Issuer+`
      audience: paved-test
      kind: github
      repositories: ["acme/*"]
      repository_host: github.com
`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []error{
		st.CreateTeam(ctx, &paved.Team{Name: "payments", Kind: paved.KindProduct}),
		st.CreateService(ctx, &paved.Service{Name: "checkout-api", Owner: "payments", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhasePlayground,
			Annotations: map[string]string{"github.com/project-slug": "acme/checkout-api"}}),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	st.Close()

	sha := "0123456789abcdef0123456789abcdef01234567"
	var asked string
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer runner-request-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		asked = r.URL.Query().Get("audience")
		now := time.Now()
		tok := p.Sign(t, map[string]any{"iss": p.Issuer, "aud": asked, "sub": "repo:acme/checkout-api:ref:refs/heads/main",
			"repository": "acme/checkout-api", "repository_owner": "acme", "ref": "refs/heads/main", "ref_type": "branch",
			"sha": sha, "workflow": "ci", "run_id": "7", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}, false)
		json.NewEncoder(w).Encode(map[string]string{"value": tok})
	}))
	defer gh.Close()

	e := env{"PAVED_DATABASE": db, "PAVED_CONFIG": cfgPath}
	s := startServer(t, e)
	defer s.stop(t)
	job := env{"PAVED_SERVER": s.url, "PAVED_AUDIENCE": "paved-test",
		"ACTIONS_ID_TOKEN_REQUEST_URL": gh.URL + "/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runner-request-token"}
	r := cli(t, job, "check", "--service", "checkout-api", "testdata/check/bigdb.json")
	if r.code != 0 && r.code != 1 { // 1: the plan has findings
		t.Fatalf("paved check in the job: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	want := paved.CIRecorder(p.Issuer, "acme/checkout-api", sha)
	if asked != "paved-test" || !strings.Contains(r.errOut, "signed in as "+want) {
		t.Errorf("audience %q; stderr:\n%s", asked, r.errOut)
	}
	// The audience of another paved: refused by the server, with the reason.
	r = cli(t, job.with("PAVED_AUDIENCE", "someone-else"), "check", "--service", "checkout-api", "testdata/check/bigdb.json")
	if r.code == 0 || !strings.Contains(r.errOut, "audience") {
		t.Errorf("exchange for the wrong audience: exit %d\n%s", r.code, r.errOut)
	}
	s.stop(t)
	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.LatestCheck(ctx, "checkout-api")
	if err != nil || c == nil || c.RecordedBy != want {
		t.Fatalf("recorded check: %+v, %v", c, err)
	}
}
