package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paved-dev/paved/internal/api"
)

// TestFactsEndToEnd walks the facts commands on the local database and
// through a server: a push recorded as its pusher, the list, a
// collector of paved.yaml run once against a provider that fails (its
// run is recorded as failing, the command exits non-zero, the other
// commands go on), drift without cluster facts, and the server's routes
// with a team's token and an admin's.
func TestFactsEndToEnd(t *testing.T) {
	dir := t.TempDir()
	// GitHub refusing the token: the run fails as a whole.
	var calls atomic.Int64
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`))
	}))
	defer gh.Close()
	cfg := filepath.Join(dir, "config")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := "facts:\n  collectors:\n    - name: github\n      token_env: GH_TOKEN\n      base_url: " + gh.URL + "\n      organisation: acme\n      timeout: 5s\n"
	if err := os.WriteFile(filepath.Join(cfg, "paved.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	e := env{"PAVED_DATABASE": filepath.Join(dir, "paved.db"), "PAVED_CONFIG": cfg, "GH_TOKEN": "t0ken"}
	must(t, e, "team", "create", "shop", "--kind", "product")
	must(t, e, "user", "create", "ann", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "root", "--role", "admin")
	// The repository on the collector's host (an Enterprise server's).
	must(t, e, "service", "create", "checkout", "--owner", "shop", "--tier", "1", "--data-class", "confidential", "--link", "repo="+gh.URL+"/acme/checkout")

	if out := must(t, e, "facts", "list", "checkout"); !strings.Contains(out, "no facts for checkout") {
		t.Errorf("list before anything: %s", out)
	}
	out := must(t, e, "facts", "push", "checkout", "backup.last_restore_test=2026-03-01T02:00:00Z", "loadtest.peak_rps=1200", "--expires-in", "90d")
	if !strings.Contains(out, "pushed 2 facts for checkout: 2 changed") {
		t.Errorf("push: %s", out)
	}
	var sf api.ServiceFacts
	if err := json.Unmarshal([]byte(must(t, e, "facts", "list", "checkout", "--source", "push", "-o", "json")), &sf); err != nil || len(sf.Facts) != 2 {
		t.Fatalf("list -o json: %v %+v", err, sf)
	}
	if sf.Facts[1].Key != "loadtest.peak_rps" || sf.Facts[1].Value != 1200.0 {
		t.Errorf("a JSON value on the command line: %+v", sf.Facts[1])
	}
	expect(t, 1, "github.* facts are observed by paved's github collector", e, "facts", "push", "checkout", "github.repository.exists=true")
	expect(t, 2, "want KEY=VALUE", e, "facts", "push", "checkout", "backup")
	expect(t, 2, "--collector is required", e, "facts", "collect")
	expect(t, 2, `no collector "gitlab": paved.yaml configures github`, e, "facts", "collect", "--collector", "gitlab")

	// The provider refuses: the run fails, is recorded, and says so.
	r := expect(t, 2, "collector github failed", e, "facts", "collect", "--collector", "github", "--service", "checkout")
	if !strings.Contains(r.out, "github (github): 0 services observed") || !strings.Contains(r.errOut, "Bad credentials") || calls.Load() == 0 {
		t.Errorf("collect against a provider that refuses (%d calls):\n%s", calls.Load(), r.out)
	}
	if out := must(t, e, "facts", "collectors"); !strings.Contains(out, "failing (1)") || !strings.Contains(out, "Bad credentials") {
		t.Errorf("collectors: %s", out)
	}
	if out := must(t, e, "facts", "drift"); !strings.Contains(out, "no drift") {
		t.Errorf("drift: %s", out)
	}

	// Through a server: ann pushes for her team's service; the collectors
	// are the admin's.
	annTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ann"))
	rootTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "root"))
	srv := startServer(t, e)
	ann := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", annTok)
	root := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", rootTok)
	if out := must(t, ann, "facts", "push", "checkout", "deploy.last=2026-03-02T10:00:00Z"); !strings.Contains(out, "1 changed") {
		t.Errorf("push through the server: %s", out)
	}
	out = must(t, ann, "facts", "list", "checkout")
	if !strings.Contains(out, "deploy.last") || !strings.Contains(out, "push by ann") || !strings.Contains(out, "backup.last_restore_test") {
		t.Errorf("list through the server:\n%s", out)
	}
	expect(t, 1, "running collectors and reading their health is for admins", ann, "facts", "collectors")
	if out := must(t, root, "facts", "collectors"); !strings.Contains(out, "github") {
		t.Errorf("collectors through the server: %s", out)
	}
	expect(t, 2, "collector github failed", root, "facts", "collect", "--collector", "github", "--service", "checkout")
	if out := must(t, ann, "facts", "drift", "checkout"); !strings.Contains(out, "checkout: no drift") {
		t.Errorf("drift through the server: %s", out)
	}
}
