package config

import (
	"net/netip"
	"strings"
	"testing"
)

func TestRedactDatabase(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		hasPass  bool
	}{
		{"paved.db", "paved.db", false},
		{"/var/lib/paved/paved.db", "/var/lib/paved/paved.db", false},
		{"postgres://paved@db/paved", "postgres://paved@db/paved", false},
		{"postgres://paved:s3cret@db:5432/paved", "postgres://paved:xxxxx@db:5432/paved", true},
		{"postgresql://paved:s3cret@db/paved?sslmode=verify-full", "postgresql://paved:xxxxx@db/paved?sslmode=verify-full", true},
		{"postgres://paved@db/paved?password=s3cret&sslmode=require", "postgres://paved@db/paved?password=xxxxx&sslmode=require", true},
		{"POSTGRES://paved:s3cret@db/paved", "postgres://paved:xxxxx@db/paved", true},
		{"postgres://paved:s3%2Fcret@db/paved", "postgres://paved:xxxxx@db/paved", true},
		{"postgres://paved:s3cret@db:bad port/paved", "postgres://(unparsable URL hidden)", true},
		{"host=db user=paved password=s3cret dbname=paved", "host=db user=paved password=xxxxx dbname=paved", true},
		{"host=db password='s3 cret' user=paved", "host=db password=xxxxx user=paved", true},
	} {
		if got := RedactDatabase(tt.in); got != tt.want {
			t.Errorf("RedactDatabase(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(RedactDatabase(tt.in), "s3") {
			t.Errorf("RedactDatabase(%q) keeps the password", tt.in)
		}
		if got := DatabaseHasPassword(tt.in); got != tt.hasPass {
			t.Errorf("DatabaseHasPassword(%q) = %v, want %v", tt.in, got, tt.hasPass)
		}
	}
}

// TestDatabasePasswordOnlyFromEnvironment: paved.yaml may not hold the
// database password, the environment and flags may.
func TestDatabasePasswordOnlyFromEnvironment(t *testing.T) {
	c := Default()
	c.Server.Database = "postgres://paved:s3cret@db/paved"
	if err := c.Validate(); err != nil {
		t.Errorf("a default-origin value is refused: %v", err)
	}
	if err := c.ApplyEnv(Env{Database: "postgres://paved:s3cret@db/paved"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("PAVED_DATABASE with a password is refused: %v", err)
	}
	c, err := Parse("paved.yaml", []byte("server:\n  database: postgres://paved:s3cret@db/paved\n"))
	if err == nil {
		t.Fatal("paved.yaml with a database password was accepted")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("the refusal shows the password: %v", err)
	}
}

func TestTrustedProxyPrefixes(t *testing.T) {
	c, err := Parse("paved.yaml", []byte("server:\n  trusted_proxies: [10.0.0.0/8, 10.1.2.3, \"::ffff:192.0.2.1\", \"2001:db8::1/32\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.TrustedProxyPrefixes()
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("10.1.2.3/32"),
		netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("2001:db8::/32"),
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	d := Default()
	if d.Server.AuthFailures.PerMinute != DefaultAuthFailuresPerMinute || d.Server.AuthFailures.Burst != DefaultAuthFailuresBurst {
		t.Errorf("default auth_failures = %+v", d.Server.AuthFailures)
	}
}

// FuzzRedactDatabase: redaction never panics, and a password in a
// postgres URL's user part never survives it.
func FuzzRedactDatabase(f *testing.F) {
	f.Add("postgres://u:pw@h/d", "secretpw")
	f.Add("host=db password=x", "abcd")
	f.Add("paved.db", "zzzz")
	f.Fuzz(func(t *testing.T, dsn, pw string) {
		_ = RedactDatabase(dsn)
		_ = DatabaseHasPassword(dsn)
		if len(pw) < 4 || strings.ContainsAny(pw, "@/?#:%xX \t\r\n") || !isPrintable(pw) {
			return
		}
		u := "postgres://paved:" + pw + "@db.internal:5432/paved?sslmode=require"
		if got := RedactDatabase(u); strings.Contains(got, pw) {
			t.Fatalf("RedactDatabase(%q) = %q keeps the password", u, got)
		}
		if !DatabaseHasPassword(u) {
			t.Fatalf("DatabaseHasPassword(%q) = false", u)
		}
	})
}

func isPrintable(s string) bool {
	for _, c := range s {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}
