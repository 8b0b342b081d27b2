package web

import (
	"errors"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// FuzzDecodeRequestBody: whatever a client sends, decodeJSON answers with
// a *paved.Error (a 4xx problem), never a panic or an internal error.
func FuzzDecodeRequestBody(f *testing.F) {
	for _, s := range []string{`{"name":"x","tier":1,"tags":["a"]}`, `{"name":1}`, `{"nope":true}`, `{} {}`, `[`, ``, `"\ud800"`, `{"tier":1e999}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			Name string   `json:"name"`
			Tier int      `json:"tier"`
			Tags []string `json:"tags"`
		}
		req := httptest.NewRequest("POST", "/api/v1/services", strings.NewReader(body))
		err := decodeJSON(httptest.NewRecorder(), req, 1<<12, &v)
		var pe *paved.Error
		if err != nil && (!errors.As(err, &pe) || StatusFor(err) >= 500) {
			t.Fatalf("decodeJSON(%q) = %v, want a 4xx *paved.Error", body, err)
		}
	})
}

// FuzzClientAddr: the client address is always the peer's or one of the
// X-Forwarded-For hops, never anything else, and parsing never panics.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.0.0.1:443", "203.0.113.1, 10.0.0.2")
	f.Add("192.0.2.1:1", "garbage,,, [2001:db8::1]:80")
	f.Add("[fd12::1]:1", "")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd12::/16")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		got := clientAddr(req, trusted)
		if !got.IsValid() {
			return
		}
		if got == parseHostAddr(remote) {
			return
		}
		for _, h := range forwardedFor([]string{xff}) {
			if parseHostAddr(h) == got {
				return
			}
		}
		t.Fatalf("clientAddr(%q, %q) = %v: neither the peer nor a hop", remote, xff, got)
	})
}
