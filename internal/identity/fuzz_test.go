package identity

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	paved "github.com/paved-dev/paved"
)

// FuzzRepoOfURL: a repository URL from the catalog never yields a path
// that could name another repository (.., empty segments) and never
// panics.
func FuzzRepoOfURL(f *testing.F) {
	for _, s := range []string{"https://github.com/acme/shop", "https://github.com/acme/shop.git", "https://github.com/acme/shop/tree/main",
		"https://gitlab.example.com/a/b/c/-/tree/x", "https://github.com/../x", "http://github.com//a//b", "url:https://github.com/a/b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p := repoOfURL(raw, "github.com")
		if p == "" {
			return
		}
		segs := strings.Split(p, "/")
		if !validRepoPath(p) || slices.Contains(segs, "..") || slices.Contains(segs, ".") || p != strings.ToLower(p) {
			t.Fatalf("repoOfURL(%q) = %q", raw, p)
		}
	})
}

// FuzzCIVerify: any input is refused with a reason before any network
// request (no issuer here is reachable), and never panics.
func FuzzCIVerify(f *testing.F) {
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3gifQ.c2ln")
	v, err := NewCIVerifier(&CI{Trust: []TrustRule{{Issuer: "https://ci.invalid", Audience: "paved", Repositories: []string{"acme/*"}}}},
		CIOptions{RetryAfter: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		if strings.Contains(tok, "ci.invalid") {
			return // would try to reach the issuer
		}
		if _, err := v.Verify(context.Background(), tok); err == nil {
			t.Fatalf("%q verified", tok)
		} else if ReasonOf(err) == ReasonInternal {
			t.Fatalf("%q: no reason: %v", tok, err)
		}
	})
}

// FuzzPersonFromClaims: claims decoded from any JSON-like strings either
// give a valid paved user name or an error.
func FuzzPersonFromClaims(f *testing.F) {
	f.Add("jane.doe@example.com", "payments-devs", "Jane")
	f.Add("", "", "")
	f.Add("JANE", "a\x00b", "\xff")
	o := &OIDC{Issuer: "https://idp", ClientID: "paved"}
	f.Fuzz(func(t *testing.T, user, group, name string) {
		p, err := o.PersonFromClaims("https://idp", "s", map[string]any{"preferred_username": user, "groups": []any{group}, "name": name})
		if err != nil {
			return
		}
		if paved.ValidateName("u", p.Username) != nil || !utf8.ValidString(p.Username) {
			t.Fatalf("username %q from %q", p.Username, user)
		}
	})
}

// FuzzDuration: a duration either parses to a non-negative value or is
// refused.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"15m", "7d", "-1h", "3650d", "99999999999d", "1e3h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var d Duration
		if d.UnmarshalText([]byte(in)) == nil && d < 0 {
			t.Fatalf("%q = %v", in, time.Duration(d))
		}
	})
}
