package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/demo"
	"github.com/paved-dev/paved/internal/testutil"
)

// env is the environment a test run sees; nothing leaks in from the
// machine's own PAVED_* variables.
type env map[string]string

func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

type result struct {
	code        int
	out, errOut string
}

// cli runs one paved command line in-process, as main would, and returns
// its exit code and output.
func cli(t *testing.T, e env, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return e[k] }}
	err := a.run(context.Background(), args)
	return result{exitCode(err), out.String(), errOut.String()}
}

// must runs a command that has to succeed.
func must(t *testing.T, e env, args ...string) string {
	t.Helper()
	r := cli(t, e, args...)
	if r.code != 0 {
		t.Fatalf("paved %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.errOut)
	}
	return r.out
}

// expect runs a command and checks its exit code and that stderr holds want.
func expect(t *testing.T, code int, want string, e env, args ...string) result {
	t.Helper()
	r := cli(t, e, args...)
	if r.code != code {
		t.Errorf("paved %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.out, r.errOut)
	}
	if !strings.Contains(r.errOut, want) {
		t.Errorf("paved %s: stderr %q does not contain %q", strings.Join(args, " "), r.errOut, want)
	}
	return r
}

// syncBuffer is a bytes.Buffer that the server goroutine writes while the
// test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type server struct {
	url    string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

var runningRE = regexp.MustCompile(`open (http://127\.0\.0\.1:\d+)/`)

// startServer runs `paved serve` in-process on a free loopback port and
// waits until it prints its URL.
func startServer(t *testing.T, e env, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: s.stderr, getenv: func(k string) string { return e[k] }}
	go func() {
		s.done <- a.run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	}()
	// Generous: seeding the demo organisation takes about a second, but
	// twenty times that under -race with every other package's tests
	// running beside it on two cores.
	deadline := time.After(2 * time.Minute)
	for {
		if m := runningRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case err := <-s.done:
			cancel()
			t.Fatalf("paved serve ended before it was ready: %v\n%s", err, s.stderr.String())
		case <-deadline:
			cancel()
			t.Fatalf("paved serve not ready after 2 minutes:\n%s", s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down as SIGTERM would and checks it ended cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("paved serve: %v\n%s", err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("paved serve did not shut down within 30s")
	}
}

func (s *server) get(t *testing.T, path, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestEndToEnd walks the CLI through a whole story: import a Backstage
// folder, list, filter, show, update, retire, create a token, repeat
// commands against a server, verify the audit log, then tamper with the
// database and see verification fail.
func TestEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "paved.db")
	e := env{"PAVED_DATABASE": db}

	// Import, then import again: the second run changes nothing.
	testutil.Golden(t, filepath.Join("testdata", "golden", "import.txt"), []byte(must(t, e, "catalog", "import", "testdata/backstage")))
	if out := must(t, e, "catalog", "import", "testdata/backstage"); !strings.Contains(out, "0 created, 0 updated, 9 unchanged, 1 skipped, 0 invalid") {
		t.Errorf("re-import was not idempotent:\n%s", out)
	}

	// Invalid entities: a dry run writes nothing; a real run imports the
	// valid rest; both exit 2. A component whose owner no Group defines is
	// kept with a warning (a placeholder owner), as Backstage keeps the
	// dangling reference; --strict refuses it.
	r := expect(t, 2, "paved: 1 invalid entities were left out (see above); the valid rest would be imported", e, "catalog", "import", "--dry-run", "testdata/invalid.yaml")
	if !strings.Contains(r.out, "(dry run: nothing was written)") || !strings.Contains(r.out, `created  testdata/invalid.yaml:20  warning: spec.owner (testdata/invalid.yaml:26): team "nobody" is neither in this import nor in the catalog`) ||
		!strings.Contains(r.out, "1 warning(s): dangling references kept (--strict refuses them)") {
		t.Errorf("dry run output:\n%s", r.out)
	}
	expect(t, 2, "paved: 2 invalid entities were left out (see above); the valid rest would be imported", e, "catalog", "import", "--dry-run", "--strict", "testdata/invalid.yaml")
	expect(t, 2, `paved: service "status-page" does not exist`, e, "service", "show", "status-page")
	r = expect(t, 2, "the valid rest was imported", e, "catalog", "import", "--strict", "testdata/invalid.yaml")
	testutil.Golden(t, filepath.Join("testdata", "golden", "import-invalid.txt"), []byte(r.out))
	must(t, e, "service", "show", "status-page")

	// List, filter, show.
	listPayments := must(t, e, "service", "list", "--team", "payments")
	testutil.Golden(t, filepath.Join("testdata", "golden", "list-payments.txt"), []byte(listPayments))
	var page struct {
		Items []paved.Service `json:"items"`
		Total int             `json:"total"`
	}
	if err := json.Unmarshal([]byte(must(t, e, "service", "list", "--phase", "production", "-o", "json")), &page); err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || len(page.Items) != 3 {
		t.Errorf("production services: total %d, %d items; want 3", page.Total, len(page.Items))
	}
	if out := must(t, e, "service", "list", "--q", "index", "--limit", "1"); !strings.Contains(out, "search-indexer") || !strings.Contains(out, "showing 1-1 of 1 services") {
		t.Errorf("free-text filter:\n%s", out)
	}
	if out := must(t, e, "service", "list", "--limit", "2", "--offset", "2"); !strings.Contains(out, "showing 3-4 of 5 services") {
		t.Errorf("paging:\n%s", out)
	}
	var svc paved.Service
	if err := json.Unmarshal([]byte(must(t, e, "service", "show", "payments-api", "-o", "json")), &svc); err != nil {
		t.Fatal(err)
	}
	if svc.Tier != 1 || svc.DataClass != paved.DataRestricted || svc.Phase != paved.PhaseProduction || svc.Owner != "payments" {
		t.Errorf("payments-api = %+v", svc)
	}

	// Update: only the flags given change.
	must(t, e, "service", "update", "payments-api", "--tier", "2", "--title", "Payments")
	if err := json.Unmarshal([]byte(must(t, e, "service", "show", "payments-api", "-o", "json")), &svc); err != nil {
		t.Fatal(err)
	}
	if svc.Tier != 2 || svc.Title != "Payments" || svc.DataClass != paved.DataRestricted || svc.Description != "Authorises card payments." {
		t.Errorf("after update: %+v", svc)
	}
	expect(t, 2, "paved: nothing to update", e, "service", "update", "payments-api")
	expect(t, 2, `paved: --tier: unknown tier "9"`, e, "service", "update", "payments-api", "--tier", "9")

	// Retire: gone from the default list, back with --include-retired.
	must(t, e, "service", "retire", "search-indexer")
	if out := must(t, e, "service", "list", "--team", "search"); strings.Contains(out, "search-indexer") {
		t.Errorf("retired service listed by default:\n%s", out)
	}
	if out := must(t, e, "service", "list", "--team", "search", "--include-retired"); !strings.Contains(out, "search-indexer  search  retired") {
		t.Errorf("retired service not listed with --include-retired:\n%s", out)
	}

	// Create: a missing owner and a duplicate name are input errors.
	expect(t, 2, "nobody", e, "service", "create", "refunds", "--owner", "nobody")
	must(t, e, "service", "create", "refunds", "--owner", "payments", "--tier", "2", "--data-class", "confidential", "--link", "repo=https://git.example.com/payments/refunds")
	expect(t, 2, `"refunds" already exists`, e, "service", "create", "refunds", "--owner", "payments")
	expect(t, 2, "--owner is required", e, "service", "create", "x")

	// Teams and users.
	if out := must(t, e, "team", "list", "--kind", "reliability"); !strings.Contains(out, "sre") || strings.Contains(out, "payments") {
		t.Errorf("team list --kind reliability:\n%s", out)
	}
	if out := must(t, e, "user", "list", "--team", "payments"); !strings.Contains(out, "alice") || strings.Contains(out, "bob") {
		t.Errorf("user list --team payments:\n%s", out)
	}
	must(t, e, "team", "create", "checkout", "--title", "Checkout")
	must(t, e, "user", "update", "alice", "--role", "admin")
	must(t, e, "user", "create", "carol", "--role", "developer", "--team", "checkout")
	if out := must(t, e, "user", "show", "alice"); !strings.Contains(out, "admin") {
		t.Errorf("alice is not admin:\n%s", out)
	}

	// A token: only the secret on stdout.
	tr := cli(t, e, "token", "create", "--user", "alice", "--name", "e2e", "--expires-in", "30d")
	secret := strings.TrimSpace(tr.out)
	if tr.code != 0 || !strings.HasPrefix(secret, paved.TokenPrefix) || strings.Contains(secret, "\n") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", tr.code, tr.out, tr.errOut)
	}
	expect(t, 2, "--user is required", e, "token", "create")
	expect(t, 2, `user "nobody" does not exist`, e, "token", "create", "--user", "nobody")

	// The audit log holds every change, by the local OS user.
	if out := must(t, e, "audit", "verify"); !strings.HasPrefix(out, "audit log intact: ") {
		t.Errorf("audit verify: %s", out)
	}
	if out := must(t, e, "audit", "list", "--object-type", "service", "--object-id", "payments-api"); !strings.Contains(out, "service.update") || !strings.Contains(out, "local:") {
		t.Errorf("audit list:\n%s", out)
	}

	// The same commands through a server.
	srv := startServer(t, e)
	re := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", secret)
	if out := must(t, re, "service", "list", "--team", "payments"); out == listPayments {
		t.Error("server listing equals the listing before the update: the update did not show")
	}
	localList := must(t, e, "service", "list", "--team", "payments")
	if out := must(t, re, "service", "list", "--team", "payments"); out != localList {
		t.Errorf("local and server listings differ:\nlocal:\n%s\nserver:\n%s", localList, out)
	}
	localErr := expect(t, 2, "", e, "service", "show", "nope").errOut
	if r := expect(t, 2, "", re, "service", "show", "nope"); r.errOut != localErr {
		t.Errorf("local and server errors differ: %q vs %q", localErr, r.errOut)
	}
	expect(t, 2, `paved: --phase: unknown phase`, re, "service", "list", "--phase", "launched")
	must(t, re, "service", "update", "refunds", "--description", "Refunds through the server")
	if out := must(t, e, "service", "show", "refunds"); !strings.Contains(out, "Refunds through the server") {
		t.Errorf("update through the server not visible locally:\n%s", out)
	}
	if out := must(t, re, "token", "list"); !strings.Contains(out, "e2e") {
		t.Errorf("token list through the server:\n%s", out)
	}
	if out := must(t, re, "audit", "verify"); !strings.HasPrefix(out, "audit log intact: ") {
		t.Errorf("audit verify through the server: %s", out)
	}
	expect(t, 1, "paved: ", e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", "pvd_wrong"), "service", "list")
	expect(t, 1, "PAVED_TOKEN", e.with("PAVED_SERVER", srv.url), "service", "list") // unauthorized, as docs/cli.md says

	// Export through the server imports back into a fresh database as the
	// same catalog.
	exported := filepath.Join(t.TempDir(), "catalog-info.yaml")
	must(t, re, "catalog", "export", "-o", exported)
	fresh := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "fresh.db")}
	if out := must(t, fresh, "catalog", "import", exported); !strings.Contains(out, " 0 invalid") {
		t.Errorf("export did not import back cleanly:\n%s", out)
	}
	if got, want := must(t, fresh, "service", "list", "--include-retired"), must(t, e, "service", "list", "--include-retired"); got != want {
		t.Errorf("round trip changed the services:\ngot:\n%s\nwant:\n%s", got, want)
	}
	srv.stop(t)

	// Tamper with one event: verification fails and names it.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	r = expect(t, 1, "paved: audit log verification failed: ", e, "audit", "verify")
	if !strings.Contains(r.out, "event 3: content does not match its hash (altered)") {
		t.Errorf("audit verify after tampering:\n%s", r.out)
	}
}

// TestBootstrap checks that an empty database gets an admin whose token is
// PAVED_BOOTSTRAP_TOKEN when set, and that a second start creates nothing.
func TestBootstrap(t *testing.T) {
	db := filepath.Join(t.TempDir(), "paved.db")
	secret := "pvd_bootstrap_for_automation_0123456789"
	e := env{"PAVED_DATABASE": db, "PAVED_BOOTSTRAP_TOKEN": secret}

	srv := startServer(t, e)
	if !strings.Contains(srv.stderr.String(), `Created the admin user "admin" with the token from PAVED_BOOTSTRAP_TOKEN`) {
		t.Errorf("first start:\n%s", srv.stderr.String())
	}
	if strings.Contains(srv.stderr.String(), secret) {
		t.Error("the bootstrap token from the environment was printed")
	}
	code, body := srv.get(t, "/api/v1/me", secret)
	var me paved.User
	if code != http.StatusOK || json.Unmarshal(body, &me) != nil || me.Name != "admin" || !me.HasRole(paved.RoleAdmin) {
		t.Fatalf("GET /api/v1/me with the bootstrap token: %d %s", code, body)
	}
	srv.stop(t)

	srv = startServer(t, e)
	if strings.Contains(srv.stderr.String(), "Created the admin") {
		t.Errorf("second start bootstrapped again:\n%s", srv.stderr.String())
	}
	if code, _ := srv.get(t, "/api/v1/me", secret); code != http.StatusOK {
		t.Errorf("bootstrap token after restart: %d", code)
	}
	srv.stop(t)
	if out := must(t, e, "user", "list", "--include-retired"); !strings.Contains(out, "showing 1-1 of 1 users") {
		t.Errorf("users after two starts:\n%s", out)
	}

	// Without PAVED_BOOTSTRAP_TOKEN a fresh token is printed once.
	e2 := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "other.db")}
	srv = startServer(t, e2)
	m := regexp.MustCompile(`(?m)^    (pvd_[a-z0-9]+)$`).FindStringSubmatch(srv.stderr.String())
	if m == nil {
		t.Fatalf("no token printed:\n%s", srv.stderr.String())
	}
	if code, _ := srv.get(t, "/api/v1/me", m[1]); code != http.StatusOK {
		t.Errorf("printed bootstrap token: %d", code)
	}
	srv.stop(t)

	// A guessable bootstrap token is refused before anything is written.
	e3 := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "third.db"), "PAVED_BOOTSTRAP_TOKEN": "short"}
	expect(t, 2, "paved: PAVED_BOOTSTRAP_TOKEN: the token is 5 characters long", e3, "serve", "--addr", "127.0.0.1:0")
	expect(t, 0, "", e3.with("PAVED_BOOTSTRAP_TOKEN", ""), "user", "list")
}

// TestDemo starts the server with --demo twice: the first start seeds the
// organisation and prints a token per demo user, the second changes
// nothing and says where the tokens went.
func TestDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "paved.db")
	e := env{"PAVED_DATABASE": db}
	srv := startServer(t, e, "--demo")
	first := srv.stderr.String()
	for _, u := range demo.Users() {
		if !regexp.MustCompile(`(?m)^    \S+\s+` + regexp.QuoteMeta(u.Name) + `\s.*pvd_[a-z0-9]+$`).MatchString(first) {
			t.Errorf("no token printed for %s", u.Name)
		}
	}
	if !strings.Contains(first, `"secure_cookies":false`) {
		t.Errorf("demo on loopback kept secure cookies:\n%s", first)
	}
	m := regexp.MustCompile(`(?m)^    admin\s+morgan\.lee\s+\S+\s+(pvd_[a-z0-9]+)$`).FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("no admin token in:\n%s", first)
	}
	before := must(t, env{"PAVED_SERVER": srv.url, "PAVED_TOKEN": m[1]}, "service", "list", "--include-retired", "--limit", "500")
	srv.stop(t)

	srv = startServer(t, e, "--demo")
	second := srv.stderr.String()
	if strings.Contains(second, "pvd_") || !strings.Contains(second, "its tokens were printed when it was first seeded") || !strings.Contains(second, "paved token create --user") {
		t.Errorf("second start:\n%s", second)
	}
	after := must(t, env{"PAVED_SERVER": srv.url, "PAVED_TOKEN": m[1]}, "service", "list", "--include-retired", "--limit", "500")
	if before != after || !strings.Contains(after, "of 36 services") {
		t.Errorf("second demo start changed the services:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	srv.stop(t)
	if out := must(t, e, "audit", "verify"); !strings.HasPrefix(out, "audit log intact") {
		t.Errorf("audit after demo: %s", out)
	}
}
