package config

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

const identityYAML = `server:
  oidc:
    issuer: https://login.example.com/realms/acme
    client_id: paved
    client_secret_env: PAVED_OIDC_CLIENT_SECRET
    redirect_url: https://paved.example.com/auth/oidc/callback
    scopes: [openid, profile, email, groups]
    provider_name: Keycloak
    groups:
      - {group: payments-devs, team: payments, role: developer}
      - {group: security, role: security}
  token_signin: false
  session:
    idle_timeout: 30m
    absolute_timeout: 8h
ci:
  token_lifetime: 10m
  trust:
    - issuer: https://token.actions.githubusercontent.com
      audience: paved
      repositories: ["acme/*"]
      branches: [main]
`

// TestIdentityConfig: the example decodes, and mistakes are
// refused with the file and line.
func TestIdentityConfig(t *testing.T) {
	c, err := Parse("paved.yaml", []byte(identityYAML))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Server.OIDC
	if !o.Enabled() || o.ClientSecretEnv != "PAVED_OIDC_CLIENT_SECRET" || len(o.Groups) != 2 || o.Groups[1].Role != paved.RoleSecurity || o.DisplayName() != "Keycloak" {
		t.Errorf("oidc %+v", o)
	}
	if c.Server.TokenSignin || time.Duration(c.Server.Session.IdleTimeout) != 30*time.Minute || time.Duration(c.Server.Session.AbsoluteTimeout) != 8*time.Hour {
		t.Errorf("server %+v", c.Server)
	}
	if len(c.CI.Trust) != 1 || c.CI.Lifetime() != 10*time.Minute || c.CI.Trust[0].Host() != "github.com" {
		t.Errorf("ci %+v", c.CI)
	}
	d := Default()
	if !d.Server.TokenSignin || time.Duration(d.Server.Session.AbsoluteTimeout) != 12*time.Hour || time.Duration(d.Server.Session.IdleTimeout) != 2*time.Hour || d.Server.OIDC.Enabled() {
		t.Errorf("defaults %+v", d.Server)
	}

	bad := []struct {
		name, old, new, want string
	}{
		{"a secret in the file", "    client_id: paved\n", "    client_id: paved\n    client_secret: hunter2\n", `paved.yaml:5: unknown key "client_secret" in server.oidc`},
		{"an unknown role", "role: security}", "role: superuser}", `paved.yaml:11: server.oidc.groups[1].role: unknown role "superuser"`},
		{"no repositories", `      repositories: ["acme/*"]` + "\n", "", "paved.yaml:19: ci.trust[0].repositories is required"},
		{"token sign-in off without sso", "    issuer: https://login.example.com/realms/acme\n", "", "paved.yaml:2: server.oidc has no issuer"},
		{"a bad duration", "idle_timeout: 30m", "idle_timeout: soon", `paved.yaml:14: server.session.idle_timeout: duration "soon"`},
		{"idle longer than absolute", "idle_timeout: 30m", "idle_timeout: 9h", "paved.yaml:14: server.session.idle_timeout 9h0m0s is longer than absolute_timeout 8h0m0s"},
		{"people's tokens as CI tokens", "    - issuer: https://token.actions.githubusercontent.com\n      audience: paved\n",
			"    - issuer: https://login.example.com/realms/acme\n      audience: paved\n", "people's ID tokens would be accepted as CI tokens"},
	}
	for _, tc := range bad {
		src := strings.Replace(identityYAML, tc.old, tc.new, 1)
		_, err := Parse("paved.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
	off := strings.Replace(identityYAML, "  oidc:\n", "  oidc_unused:\n", 1)
	if _, err := Parse("paved.yaml", []byte(off)); err == nil {
		t.Error("unknown section accepted")
	}
	if _, err := Parse("paved.yaml", []byte("server:\n  token_signin: false\n")); err == nil || !strings.Contains(err.Error(), "nobody could sign in") {
		t.Errorf("token sign-in off without single sign-on: %v", err)
	}
}
