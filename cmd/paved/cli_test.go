package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{&exitError{code: 1}, 1},
		{&exitError{code: 2, msg: "x"}, 2},
		{usageError{errors.New("bad flag")}, 2},
		{paved.Errorf(paved.EINVALID, "x"), 2},
		{paved.Errorf(paved.EUNPROCESSABLE, "x"), 2},
		{paved.Errorf(paved.ENOTFOUND, "x"), 2},
		{paved.Errorf(paved.ECONFLICT, "x"), 2},
		{paved.Errorf(paved.ETOOLARGE, "x"), 2},
		{fmt.Errorf("store: create: %w", paved.Errorf(paved.ENOTFOUND, "x")), 2},
		{paved.Errorf(paved.EUNAUTHORIZED, "x"), 1},
		{paved.Errorf(paved.EFORBIDDEN, "x"), 1},
		{paved.Errorf(paved.EINTERNAL, "x"), 1},
		{errors.New("disk full"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestUsage checks that command-line mistakes exit 2 with a message,
// before anything is opened.
func TestUsage(t *testing.T) {
	e := env{"PAVED_DATABASE": "/nonexistent/dir/paved.db"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"audit", "verfy"}, `unknown command "verfy" for "paved audit": did you mean "verify"?`},
		{[]string{"service", "lst"}, `unknown command "lst" for "paved service": did you mean "list"?`},
		{[]string{"launch", "zzzzzz"}, `unknown command "zzzzzz" for "paved launch": run 'paved launch --help'`},
		{[]string{"service", "list", "--colour"}, "unknown flag: --colour"},
		{[]string{"service", "show"}, "accepts 1 arg(s), received 0"},
		{[]string{"service", "list", "--limit", "0"}, "--limit 0: want 1 to 500"},
		{[]string{"service", "list", "--offset", "-1"}, "--offset -1"},
		{[]string{"service", "list", "-o", "yaml"}, `-o "yaml": want text or json`},
		{[]string{"service", "list", "--tier", "gold"}, `--tier: unknown tier "gold"`},
		{[]string{"service", "list", "--data-class", "secret"}, `--data-class: unknown data class "secret"`},
		{[]string{"team", "list", "--kind", "squad"}, `--kind: unknown team kind "squad"`},
		{[]string{"user", "list", "--role", "god"}, `--role: unknown role "god"`},
		{[]string{"token", "create", "--user", "x", "--expires-in", "forever"}, `--expires-in: "forever"`},
		{[]string{"token", "revoke", "abc"}, `ID: token id "abc"`},
		{[]string{"service", "create", "x", "--owner", "t", "--link", "not a url"}, `--link: link "not a url"`},
		{[]string{"catalog", "import"}, "requires at least 1 arg(s)"},
		{[]string{"catalog", "import", "/nonexistent/catalog-info.yaml"}, "/nonexistent/catalog-info.yaml"},
		{[]string{"serve", "--addr", "8080"}, `--addr: address "8080" is not host:port`},
		{[]string{"service", "list", "--config", "/nonexistent/paved.yaml"}, "config /nonexistent/paved.yaml does not exist"},
		{[]string{"service", "list", "--server", "localhost:8080"}, `server: server URL "localhost:8080" is not valid`},
		{[]string{"migrate", "--server", "http://localhost:1"}, "migrate works on a database"},
	}
	for _, tt := range tests {
		r := cli(t, e, tt.args...)
		if r.code != 2 || !strings.HasPrefix(r.errOut, "paved: ") || !strings.Contains(r.errOut, tt.want) {
			t.Errorf("paved %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), r.code, r.errOut, tt.want)
		}
	}
}

// TestGroupHelp: a group command alone still prints its help, exit 0.
func TestGroupHelp(t *testing.T) {
	r := cli(t, env{}, "audit")
	if r.code != 0 || !strings.Contains(r.out, "verify") {
		t.Fatalf("paved audit: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

func TestRunVersion(t *testing.T) {
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"version"}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "paved ") || !strings.Contains(out.String(), "\ncommit ") || errOut.Len() != 0 {
		t.Errorf("version printed %q, %q", out.String(), errOut.String())
	}
}

func TestMigrate(t *testing.T) {
	e := env{"PAVED_DATABASE": t.TempDir() + "/m.db"}
	out := must(t, e, "migrate")
	if !strings.HasPrefix(out, "schema version ") || !strings.HasSuffix(out, " (sqlite)\n") {
		t.Errorf("migrate printed %q", out)
	}
	if again := must(t, e, "migrate"); again != out {
		t.Errorf("second migrate printed %q, want %q", again, out)
	}
}

func TestParseExpiry(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"90d", 90, true}, {"90", 90, true}, {"12w", 84, true}, {"never", 0, true}, {" 1D ", 1, true},
		{"3650d", 3650, true}, {"3651d", 0, false}, {"0d", 0, false}, {"-1d", 0, false},
		{"1y", 0, false}, {"", 0, false}, {"d", 0, false}, {"999999999999w", 0, false},
	}
	for _, tt := range tests {
		got, err := parseExpiry(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseExpiry(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseLinks(t *testing.T) {
	links, err := parseLinks([]string{"repo=https://git.example.com/a", "https://docs.example.com/a?x=1", " runbook = http://r.example.com "})
	if err != nil {
		t.Fatal(err)
	}
	want := []paved.Link{
		{URL: "https://git.example.com/a", Type: "repo", Title: "repo"},
		{URL: "https://docs.example.com/a?x=1"},
		{URL: "http://r.example.com", Type: "runbook", Title: "runbook"},
	}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Errorf("parseLinks = %+v, want %+v", links, want)
	}
	for _, bad := range []string{"repo=", "ftp://x", "repo=git@host:x", ""} {
		if _, err := parseLinks([]string{bad}); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("parseLinks(%q) = %v, want an invalid error", bad, err)
		}
	}
}

func TestHelpers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://paved:s3cret@db:5432/paved", "postgres://paved:xxxxx@db:5432/paved"},
		{"postgres://paved@db/paved", "postgres://paved@db/paved"},
		{"paved.db", "paved.db"},
	} {
		if got := redactDSN(tt.in); got != tt.want {
			t.Errorf("redactDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		addr string
		want bool
	}{{"localhost:8080", true}, {"127.0.0.1:0", true}, {"[::1]:80", true}, {":8080", false}, {"0.0.0.0:80", false}, {"example.com:80", false}, {"bad", false}} {
		if got := isLoopback(tt.addr); got != tt.want {
			t.Errorf("isLoopback(%q) = %v", tt.addr, got)
		}
	}
	if got := browseAddr(&net.TCPAddr{Port: 8080}); got != "localhost:8080" {
		t.Errorf("browseAddr(:8080) = %q", got)
	}
	if got := clean("a\tb\x1b[31mc\n"); got != "a b [31mc " {
		t.Errorf("clean = %q", got)
	}
	for _, s := range []string{"pvd_" + strings.Repeat("a", 19), strings.Repeat("x", 201), "has space in it and is long"} {
		if err := checkBootstrapSecret(s); err == nil {
			t.Errorf("checkBootstrapSecret(%q) accepted it", s)
		}
	}
	if err := checkBootstrapSecret("pvd_" + strings.Repeat("a", 40)); err != nil {
		t.Error(err)
	}
}

// FuzzFlagParsers feeds arbitrary text to the CLI's own value parsers:
// they must not panic, and must either accept or fail with an invalid
// error that names the flag.
func FuzzFlagParsers(f *testing.F) {
	for _, s := range []string{"90d", "12w", "never", "repo=https://x", "https://x", "=", "d", "99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseExpiry(s); err == nil {
			if d < 0 || d > maxTokenDays {
				t.Fatalf("parseExpiry(%q) = %d", s, d)
			}
		} else if pe := (*paved.Error)(nil); !errors.As(err, &pe) || pe.Field != "--expires-in" {
			t.Fatalf("parseExpiry(%q): %v", s, err)
		}
		if links, err := parseLinks([]string{s}); err == nil {
			if len(links) != 1 || !strings.HasPrefix(links[0].URL, "http") {
				t.Fatalf("parseLinks(%q) = %+v", s, links)
			}
		} else if paved.ErrorCode(err) != paved.EINVALID {
			t.Fatalf("parseLinks(%q): %v", s, err)
		}
		row(io.Discard, s, clean(s))
	})
}

// TestImportStdin reads a catalog from stdin ("-"), through the app's own
// stdin rather than the process's.
func TestImportStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/backstage/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	db := filepath.Join(t.TempDir(), "stdin.db")
	a := &app{stdin: strings.NewReader(string(data)), stdout: &out, stderr: &errOut, getenv: func(k string) string { return map[string]string{"PAVED_DATABASE": db}[k] }}
	if err := a.run(context.Background(), []string{"catalog", "import", "-", "-o", "json"}); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var res struct {
		Counts map[paved.Outcome]int `json:"counts"`
	}
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil {
		t.Fatal(err)
	}
	if res.Counts[paved.OutcomeCreated] != 5 {
		t.Errorf("counts = %v, want 5 created", res.Counts)
	}
}
