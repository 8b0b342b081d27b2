package identity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestParseExchange(t *testing.T) {
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	const ctJSON, ctForm = "application/json", "application/x-www-form-urlencoded"
	tests := []struct {
		name, ct, body string
		want           *ExchangeRequest
		err            string
	}{
		{"json", ctJSON, `{"token":"eyJ.a.b","services":["shop"]}`, &ExchangeRequest{Token: "eyJ.a.b", Services: []string{"shop"}}, ""},
		{"json one service", ctJSON + "; charset=utf-8", `{"token":"t","service":"shop"}`, &ExchangeRequest{Token: "t", Services: []string{"shop"}}, ""},
		{"json no services", ctJSON, `{"token":"t"}`, &ExchangeRequest{Token: "t"}, ""},
		{"json unknown field", ctJSON, `{"token":"t","scope":"admin"}`, nil, "unknown field"},
		{"json two values", ctJSON, `{"token":"t"}{"token":"u"}`, nil, "more than one"},
		{"json no token", ctJSON, `{"services":["shop"]}`, nil, "no token"},
		{"json bad service", ctJSON, `{"token":"t","services":["../x"]}`, nil, "not valid"},
		{"rfc 8693", ctForm, form("grant_type", GrantTokenExchange, "subject_token", "t", "subject_token_type", TokenTypeIDToken, "scope", "shop shop-worker"),
			&ExchangeRequest{Token: "t", Services: []string{"shop", "shop-worker"}, OAuth: true}, ""},
		{"rfc 8693 jwt type", ctForm, form("grant_type", GrantTokenExchange, "subject_token", "t", "subject_token_type", TokenTypeJWT),
			&ExchangeRequest{Token: "t", OAuth: true}, ""},
		{"wrong grant", ctForm, form("grant_type", "client_credentials", "subject_token", "t", "subject_token_type", TokenTypeIDToken), nil, "grant_type"},
		{"wrong token type", ctForm, form("grant_type", GrantTokenExchange, "subject_token", "t", "subject_token_type", TokenTypeAccess), nil, "subject_token_type"},
		{"refresh token asked for", ctForm, form("grant_type", GrantTokenExchange, "subject_token", "t", "subject_token_type", TokenTypeIDToken,
			"requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token"), nil, "access tokens only"},
		{"repeated parameter", ctForm, form("grant_type", GrantTokenExchange, "subject_token", "t", "subject_token", "u", "subject_token_type", TokenTypeIDToken), nil, "given 2 times"},
		{"plain text", "text/plain", "t", nil, "send application/json"},
		{"too large", ctJSON, `{"token":"` + strings.Repeat("a", MaxExchangeBytes) + `"}`, nil, "larger than"},
	}
	for _, tc := range tests {
		got, err := ParseExchange(tc.ct, []byte(tc.body))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %+v, %v; want error %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestExchangeResponse(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	exp := now.Add(15 * time.Minute)
	r := NewExchangeResponse("pvd_x", &paved.Token{ExpiresAt: &exp, Scope: &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{"a", "b"}, CI: "ci:x/y@1"}}, now)
	if r.Token != "pvd_x" || r.AccessToken != "pvd_x" || r.ExpiresIn != 900 || r.Scope != "a b" || r.TokenType != "Bearer" ||
		r.IssuedTokenType != TokenTypeAccess || r.RecordedAs != "ci:x/y@1" || !r.ExpiresAt.Equal(exp) {
		t.Errorf("%+v", r)
	}
}

// TestJobToken: GitHub Actions' token service as it answers (a bearer
// request token, the audience in the query, {"count":..,"value":..}), and
// GitLab's id_tokens variable.
func TestJobToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer req-token" {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		if r.URL.Query().Get("audience") != "paved" || r.URL.Query().Get("api-version") != "2.0" {
			http.Error(w, "bad audience", http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"count":1969,"value":"eyJhbGciOiJSUzI1NiJ9.job.sig"}`))
	}))
	defer srv.Close()
	env := map[string]string{EnvGitHubRequestURL: srv.URL + "/token?api-version=2.0", EnvGitHubRequestToken: "req-token"}
	tok, from, err := JobToken(context.Background(), func(k string) string { return env[k] }, srv.Client(), "paved")
	if err != nil || tok != "eyJhbGciOiJSUzI1NiJ9.job.sig" || from != "GitHub Actions" {
		t.Errorf("GitHub: %q %q %v", tok, from, err)
	}
	env[EnvGitHubRequestToken] = "wrong"
	if _, _, err := JobToken(context.Background(), func(k string) string { return env[k] }, srv.Client(), "paved"); err == nil || !strings.Contains(err.Error(), "id-token: write") {
		t.Errorf("refused: %v", err)
	}
	env = map[string]string{EnvGitLabCI: "true", EnvGitLabIDToken: " eyJ.gl.sig\n"}
	tok, from, err = JobToken(context.Background(), func(k string) string { return env[k] }, nil, "paved")
	if err != nil || tok != "eyJ.gl.sig" || !strings.Contains(from, "GitLab") {
		t.Errorf("GitLab: %q %q %v", tok, from, err)
	}
	if tok, _, err := JobToken(context.Background(), func(string) string { return "" }, nil, "paved"); tok != "" || err != nil {
		t.Errorf("outside CI: %q %v", tok, err)
	}
	env = map[string]string{EnvGitHubRequestURL: "http://token.example.com/x", EnvGitHubRequestToken: "t"}
	if _, _, err := JobToken(context.Background(), func(k string) string { return env[k] }, nil, "paved"); err == nil {
		t.Error("a plain-http token service accepted")
	}
}

func FuzzParseExchange(f *testing.F) {
	f.Add("application/json", `{"token":"t","services":["a"]}`)
	f.Add("application/x-www-form-urlencoded", "grant_type="+url.QueryEscape(GrantTokenExchange)+"&subject_token=t&subject_token_type="+url.QueryEscape(TokenTypeIDToken)+"&scope=a+b")
	f.Fuzz(func(t *testing.T, ct, body string) {
		r, err := ParseExchange(ct, []byte(body))
		if err != nil {
			return
		}
		if r.Token == "" || len(r.Services) > paved.MaxScopeServices {
			t.Fatalf("%+v", r)
		}
		for _, s := range r.Services {
			if paved.ValidateName("s", s) != nil {
				t.Fatalf("service %q", s)
			}
		}
	})
}
