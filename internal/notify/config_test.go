package notify_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/testutil"
)

// configCases are paved.yaml files whose notifications: section is wrong;
// each error must name the file and line (testdata/config-errors.golden).
var configCases = []struct{ name, yaml string }{
	{"unknown key", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
      sekret_file: /run/secret
`},
	{"unknown event kind", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
      events:
        - exception.requested
        - exception.approved
`},
	{"duplicate event", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
      events: [budget.alert, budget.alert]
`},
	{"unknown format", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      format: teams
`},
	{"json without a secret", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
`},
	{"two secrets", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
      secret_file: /run/secrets/ops
`},
	{"slack with a secret", `
notifications:
  webhooks:
    - name: chat
      format: slack
      url_env: SLACK_URL
      secret_env: SLACK_SECRET
`},
	{"bad url", `
notifications:
  webhooks:
    - name: ops
      url: hooks.example.com/paved
      secret_env: OPS_SECRET
`},
	{"ftp url", `
notifications:
  webhooks:
    - name: ops
      url: ftp://hooks.example.com/paved/secret-path
      secret_env: OPS_SECRET
`},
	{"url with credentials", `
notifications:
  webhooks:
    - name: ops
      url: https://user:hunter2@hooks.example.com/paved
      secret_env: OPS_SECRET
`},
	{"url and url_env", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      url_env: OPS_URL
      secret_env: OPS_SECRET
`},
	{"no url", `
notifications:
  webhooks:
    - name: ops
      secret_env: OPS_SECRET
`},
	{"bad env name", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: "OPS SECRET"
`},
	{"no name", `
notifications:
  webhooks:
    - url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
`},
	{"bad name", `
notifications:
  webhooks:
    - name: Ops Hook
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
`},
	{"duplicate name", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/a
      secret_env: OPS_SECRET
    - name: ops
      url: https://hooks.example.com/b
      secret_env: OPS_SECRET
`},
	{"empty team", `
notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
      teams: [payments, ""]
`},
	{"bad duration", `
notifications:
  retry_initial: 30
`},
	{"retry max below initial", `
notifications:
  retry_initial: 10m
  retry_max: 1m
`},
	{"timeout too long", `
notifications:
  timeout: 1h
`},
	{"too many attempts", `
notifications:
  max_attempts: 500
`},
	{"retention too short", `
notifications:
  retention: 2h
`},
	{"retention in zero days", `
notifications:
  retention: 0d
`},
	{"public url with a query", `
server:
  public_url: https://paved.example.com/?x=1
`},
	{"public url not absolute", `
server:
  public_url: paved.example.com
`},
}

func TestConfigErrors(t *testing.T) {
	var out strings.Builder
	for _, c := range configCases {
		_, err := config.Parse("paved.yaml", []byte(strings.TrimPrefix(c.yaml, "\n")))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var pe *paved.Error
		if !errors.As(err, &pe) || pe.Code != paved.EINVALID || !strings.HasPrefix(pe.Field, "paved.yaml:") {
			t.Errorf("%s: error %v does not name paved.yaml:LINE", c.name, err)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secret-path") {
			t.Errorf("%s: the error shows a secret: %v", c.name, err)
		}
		fmt.Fprintf(&out, "%s:\n\t%v\n", c.name, err)
	}
	testutil.Golden(t, filepath.Join("testdata", "config-errors.golden"), []byte(out.String()))
}

const goodConfig = `
server:
  public_url: https://paved.example.com
notifications:
  max_attempts: 5
  retry_initial: 10s
  retry_max: 20m
  timeout: 5s
  retention: 30d
  webhooks:
    - name: ops
      url: https://hooks.example.com/paved
      secret_env: OPS_SECRET
    - name: payments-chat
      format: slack
      url_env: SLACK_URL
      events: [exception.requested, exception.decided]
      teams: [payments]
    - name: audit
      url: http://audit.internal:8080/hook
      secret_file: SECRETFILE
      events: [budget.alert]
`

func TestTargets(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("file-secret-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("paved.yaml", []byte(strings.ReplaceAll(goodConfig, "SECRETFILE", secretFile)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.PublicURL != "https://paved.example.com" {
		t.Fatalf("public_url = %q", cfg.Server.PublicURL)
	}
	o := cfg.Notifications.Options()
	if o.MaxAttempts != 5 || o.Backoff.Initial != 10*time.Second || o.Backoff.Max != 20*time.Minute || o.Timeout != 5*time.Second || o.Retention != 30*24*time.Hour {
		t.Fatalf("options = %+v", o)
	}
	env := map[string]string{"OPS_SECRET": "  env-secret-0123456789 ", "SLACK_URL": "https://hooks.slack.com/services/T0/B0/XYZ"}
	getenv := func(k string) string { return env[k] }
	targets, err := cfg.Notifications.Targets(getenv, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 3 || targets[1].Format != notify.FormatSlack || targets[0].Format != notify.FormatJSON {
		t.Fatalf("targets = %v", targets)
	}
	route := notify.Route(targets)
	for _, c := range []struct {
		n    *paved.Notification
		want string
	}{
		{&paved.Notification{Kind: paved.NotifyExceptionRequested, Team: "payments"}, "ops payments-chat"},
		{&paved.Notification{Kind: paved.NotifyExceptionRequested, Team: "search"}, "ops"},
		{&paved.Notification{Kind: paved.NotifyExceptionExpiring, Team: "payments"}, "ops"},
		{&paved.Notification{Kind: paved.NotifyBudgetAlert}, "ops audit"},
	} {
		if got := strings.Join(route(c.n), " "); got != c.want {
			t.Errorf("route(%s, %s) = %q, want %q", c.n.Kind, c.n.Team, got, c.want)
		}
	}
	for name, x := range targets {
		if s := x.String(); strings.Contains(s, "secret") || strings.Contains(s, "hooks") {
			t.Errorf("target %d prints %q", name, s)
		}
	}

	// What can only be checked when paved serve starts.
	for _, c := range []struct {
		name string
		env  map[string]string
		read func(string) ([]byte, error)
		want string
	}{
		{"unset secret", map[string]string{"SLACK_URL": env["SLACK_URL"]}, os.ReadFile, "secret_env OPS_SECRET is empty or not set"},
		{"unset url", map[string]string{"OPS_SECRET": env["OPS_SECRET"]}, os.ReadFile, "url_env SLACK_URL is empty or not set"},
		{"bad url in env", map[string]string{"OPS_SECRET": env["OPS_SECRET"], "SLACK_URL": "hooks.slack.com/x"}, os.ReadFile, "the URL in SLACK_URL"},
		{"short secret", map[string]string{"OPS_SECRET": "short", "SLACK_URL": env["SLACK_URL"]}, os.ReadFile, "the signing secret has 5 characters"},
		{"missing file", env, func(string) ([]byte, error) { return nil, &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist} }, "cannot read secret_file"},
		{"empty file", env, func(string) ([]byte, error) { return []byte("\n"), nil }, "is empty"},
	} {
		_, err := cfg.Notifications.Targets(func(k string) string { return c.env[k] }, c.read)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Targets error = %v, want %q", c.name, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), "env-secret") || strings.Contains(err.Error(), "XYZ")) {
			t.Errorf("%s: error shows a secret: %v", c.name, err)
		}
	}
}

func TestDefaultsWithoutNotifications(t *testing.T) {
	cfg, err := config.Parse("paved.yaml", []byte("organisation:\n  name: acme\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Notifications.Options()
	if o.MaxAttempts != notify.DefaultMaxAttempts || o.Backoff.Initial != notify.DefaultRetryInitial ||
		o.Backoff.Max != notify.DefaultRetryMax || o.Timeout != notify.DefaultTimeout || o.Retention != notify.DefaultRetention {
		t.Fatalf("default options = %+v", o)
	}
	targets, err := cfg.Notifications.Targets(func(string) string { return "" }, os.ReadFile)
	if err != nil || len(targets) != 0 {
		t.Fatalf("Targets = %v, %v", targets, err)
	}
}
