package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/store"
)

// TestSecretsNeverLogged starts paved serve with every kind of secret it
// takes (an API token, a webhook signing secret from the environment, a
// Slack URL whose path is the secret, the exceptions signing key from a
// file), exercises them (API calls with the right and wrong tokens until
// the address is rate-limited, a portal sign-in, a CLI command through
// the server, webhook deliveries that succeed and fail), stops it, and
// greps everything it wrote (the JSON log and its messages) and the
// delivery log for each secret: none may appear.
func TestSecretsNeverLogged(t *testing.T) {
	const (
		adminToken = "pvd_secret_admin_token_0123456789abcdef"
		wrongToken = "pvd_secret_wrong_guess_0123456789abcdef"
		hookSecret = "secret-hook-hmac-0123456789abcdef"
		slackPath  = "/services/T0SECRET/B0SECRET/SLACKPATHSECRET42"
	)
	var hooks, chats atomic.Int64
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.URL.Path, "/services/") {
			chats.Add(1)
			w.WriteHeader(http.StatusInternalServerError) // a failing receiver: its errors are logged
			return
		}
		hooks.Add(1)
	}))
	defer rc.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "paved.db")
	cfgDir := filepath.Join(dir, "config")
	if err := os.MkdirAll(filepath.Join(cfgDir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(filepath.Join(cfgDir, "keys", "exceptions.pem"), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfgDir, "paved.yaml"), []byte(`server:
  public_url: https://paved.example.com
  auth_failures: {per_minute: 2, burst: 3}
exceptions:
  key_file: keys/exceptions.pem
notifications:
  allowed_hosts: [127.0.0.1]
  retry_initial: 1s
  webhooks:
    - name: ops
      url: `+rc.URL+`/hook
      secret_env: HOOK_SECRET
    - name: chat
      format: slack
      url_env: CHAT_URL
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
		st.CreateUser(ctx, &paved.User{Name: "ada", Roles: []paved.Role{paved.RoleArchitect}}),
		st.CreateUser(ctx, &paved.User{Name: "root", Roles: []paved.Role{paved.RoleAdmin}}),
		st.CreateToken(ctx, &paved.Token{User: "root", Name: "secrets", Prefix: paved.DisplayPrefix(adminToken), Hash: paved.HashToken(adminToken)}),
		st.CreateService(ctx, &paved.Service{Name: "checkout", Owner: "payments", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhaseGreenLight}),
		st.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "checkout", ScheduledAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), Participants: []string{"ada"}}, launch.SignoffRequested),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	st.Close()

	e := env{"PAVED_DATABASE": db, "PAVED_CONFIG": cfgDir, "HOOK_SECRET": hookSecret, "CHAT_URL": rc.URL + slackPath}
	s := startServer(t, e, "--insecure-cookies")

	call := func(token string) int {
		t.Helper()
		code, _ := s.get(t, "/api/v1/me", token)
		return code
	}
	if code := call(adminToken); code != http.StatusOK {
		t.Fatalf("GET /api/v1/me: %d", code)
	}
	cookie, csrf := signinForTest(t, s.url, adminToken)
	// A CLI command through the server with PAVED_TOKEN.
	remote := e.with("PAVED_SERVER", s.url, "PAVED_TOKEN", adminToken)
	if r := cli(t, remote, "service", "list"); r.code != 0 {
		t.Errorf("service list through the server: %d %s", r.code, r.errOut)
	}

	// The webhooks: the signed one delivered, the Slack one failing.
	deadline := time.Now().Add(20 * time.Second)
	for hooks.Load() == 0 || chats.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("webhooks: %d hook, %d chat requests after 20s:\n%s", hooks.Load(), chats.Load(), s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Wrong tokens until the limit refuses them (a right one too).
	codes := map[int]int{}
	for i := 0; i < 5; i++ {
		codes[call(wrongToken)]++
	}
	codes[call(adminToken)]++
	if codes[http.StatusUnauthorized] != 3 || codes[http.StatusTooManyRequests] != 3 {
		t.Errorf("wrong tokens: %v, want three 401 and then 429", codes)
	}
	time.Sleep(300 * time.Millisecond) // the failed attempt's log line
	s.stop(t)

	logs := s.stderr.String()
	if !strings.Contains(logs, `"msg":"request"`) || !strings.Contains(logs, "webhook delivery failed") {
		t.Fatalf("the log lacks the lines this test looks through:\n%s", logs)
	}
	// The delivery log in the database, as the API shows it.
	out := must(t, e, "notifications", "deliveries", "-o", "json")
	keyBody := strings.Join(strings.Split(strings.TrimSpace(string(keyPEM)), "\n")[1:2], "")
	for name, secret := range map[string]string{
		"admin token":            adminToken,
		"wrong token":            wrongToken,
		"webhook secret":         hookSecret,
		"Slack URL path":         "SLACKPATHSECRET42",
		"exceptions key":         keyBody,
		"session cookie":         cookie,
		"CSRF token":             csrf,
		"token after its prefix": adminToken[len(paved.DisplayPrefix(adminToken)):],
	} {
		if secret == "" {
			t.Fatalf("%s: empty", name)
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the %s shows up in paved serve's output", name)
		}
		if strings.Contains(out, secret) {
			t.Errorf("the %s shows up in the delivery log", name)
		}
	}
}

// signinForTest signs in to the portal at base with token and returns the
// session cookie's value and the session's CSRF token.
func signinForTest(t *testing.T, base, token string) (cookie, csrf string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func() (string, *http.Cookie) {
		resp, err := c.Get(base + "/signin")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("no csrf on the sign-in page")
		}
		for _, ck := range resp.Cookies() {
			if ck.Name == "paved_signin_csrf" {
				return string(m[1]), ck
			}
		}
		t.Fatal("no sign-in cookie")
		return "", nil
	}
	{
		formCSRF, ck := get()
		req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"csrf": {formCSRF}, "token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(ck)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, sc := range resp.Cookies() {
			if sc.Name == "paved_session" && sc.Value != "" {
				// The home page carries the session's CSRF token.
				req, _ := http.NewRequest("GET", base+"/", nil)
				req.AddCookie(sc)
				home, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(home.Body)
				home.Body.Close()
				m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(b)
				if m == nil {
					t.Fatalf("no CSRF token on the home page")
				}
				return sc.Value, string(m[1])
			}
		}
		t.Fatalf("sign-in: %d without a session", resp.StatusCode)
	}
	return "", ""
}

// TestDatabasePasswordNeverShown: paved serve, migrate and audit verify
// given a PostgreSQL URL with a password (in the user part or as a
// parameter) that cannot connect or cannot be parsed never print the
// password; against a live PostgreSQL (PAVED_TEST_POSTGRES), the start-up
// log shows the URL with the password masked.
func TestDatabasePasswordNeverShown(t *testing.T) {
	const pw = "PGSECRETpw0123"
	for _, dsn := range []string{
		"postgres://paved:" + pw + "@127.0.0.1:1/paved?connect_timeout=2",
		"postgres://paved@127.0.0.1:1/paved?connect_timeout=2&password=" + pw,
		"postgres://paved:" + pw + "@127.0.0.1:notaport/paved",
		"postgresql://paved:" + pw + "@[::1/paved",
	} {
		for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}, {"audit", "verify"}} {
			r := cli(t, env{"PAVED_DATABASE": dsn}, args...)
			if r.code == 0 {
				t.Errorf("paved %s with %s: exit 0", args[0], dsn)
			}
			if strings.Contains(r.errOut+r.out, pw) {
				t.Errorf("paved %s shows the password:\n%s%s", args[0], r.out, r.errOut)
			}
		}
	}
	// In paved.yaml a password is refused without being shown.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "paved.yaml"), []byte("server:\n  database: postgres://paved:"+pw+"@db/paved\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := expect(t, 2, "server.database holds a password", env{"PAVED_CONFIG": dir}, "serve", "--addr", "127.0.0.1:0")
	if strings.Contains(r.errOut, pw) {
		t.Errorf("the refusal shows the password: %s", r.errOut)
	}

	base := os.Getenv("PAVED_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("PAVED_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal("PAVED_TEST_POSTGRES_REQUIRED=1 but PAVED_TEST_POSTGRES is empty")
		}
		t.Skip("PAVED_TEST_POSTGRES is not set: the live part is skipped")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	// The throwaway cluster trusts local logins, so any password works.
	u.User = url.UserPassword(u.User.Username(), pw)
	s := startServer(t, env{"PAVED_DATABASE": u.String()})
	s.stop(t)
	logs := s.stderr.String()
	if strings.Contains(logs, pw) {
		t.Errorf("paved serve on PostgreSQL shows the password:\n%s", logs)
	}
	if !strings.Contains(logs, ":xxxxx@") {
		t.Errorf("the start-up log does not show the masked URL:\n%s", logs)
	}
}
