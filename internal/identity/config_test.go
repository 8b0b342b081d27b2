package identity

import (
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestOIDCValidate(t *testing.T) {
	good := func() *OIDC {
		return &OIDC{Issuer: "https://login.example.com/realms/acme", ClientID: "paved", ClientSecretEnv: "PAVED_OIDC_CLIENT_SECRET",
			RedirectURL: "https://paved.example.com/auth/oidc/callback", Groups: []GroupRule{{Group: "devs", Team: "payments", Role: paved.RoleDeveloper}}}
	}
	if err := good().Validate(nil); err != nil {
		t.Fatal(err)
	}
	if err := (&OIDC{}).Validate(nil); err != nil {
		t.Errorf("an empty section: %v", err)
	}
	tests := []struct {
		name string
		edit func(*OIDC)
		want string
	}{
		{"client without issuer", func(o *OIDC) { o.Issuer = "" }, "has no issuer"},
		{"http issuer", func(o *OIDC) { o.Issuer = "http://login.example.com" }, "want https://"},
		{"issuer with query", func(o *OIDC) { o.Issuer = "https://login.example.com/?x=1" }, "not an issuer URL"},
		{"no client id", func(o *OIDC) { o.ClientID = "" }, "client_id is required"},
		{"a secret instead of its variable", func(o *OIDC) { o.ClientSecretEnv = "hunter2-secret!" }, "not an environment variable name"},
		{"no redirect", func(o *OIDC) { o.RedirectURL = "" }, "redirect_url is required"},
		{"http redirect", func(o *OIDC) { o.RedirectURL = "http://paved.example.com/auth/oidc/callback" }, "want an https:// URL"},
		{"wrong redirect path", func(o *OIDC) { o.RedirectURL = "https://paved.example.com/callback" }, "must end in /auth/oidc/callback"},
		{"redirect with query", func(o *OIDC) { o.RedirectURL = "https://paved.example.com/auth/oidc/callback?x=1" }, "with no query"},
		{"bad scope", func(o *OIDC) { o.Scopes = []string{"openid", "a b"} }, "not a valid OAuth scope"},
		{"rule without group", func(o *OIDC) { o.Groups = []GroupRule{{Team: "payments"}} }, "has no group"},
		{"rule granting nothing", func(o *OIDC) { o.Groups = []GroupRule{{Group: "g"}} }, "grants nothing"},
		{"rule with a bad team name", func(o *OIDC) { o.Groups = []GroupRule{{Group: "g", Team: "no spaces"}} }, "not valid"},
		{"claim with spaces", func(o *OIDC) { o.GroupsClaim = "my groups" }, "not a claim name"},
		{"required mapping without rules", func(o *OIDC) { o.RequireMapping, o.Groups = true, nil }, "nobody could sign in"},
	}
	for _, tc := range tests {
		o := good()
		tc.edit(o)
		err := o.Validate(func(p string) string { return "paved.yaml:" + p })
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "paved.yaml:") {
			t.Errorf("%s: %v; want %q with a location", tc.name, err, tc.want)
		}
	}
	// Loopback http is for tests and local trials.
	o := good()
	o.Issuer, o.RedirectURL = "http://127.0.0.1:5556/dex", "http://localhost:8080/auth/oidc/callback"
	if err := o.Validate(nil); err != nil {
		t.Errorf("loopback http: %v", err)
	}
	if got := o.ScopeList(); !reflect.DeepEqual(got, []string{"openid", "profile", "email"}) {
		t.Errorf("default scopes %v", got)
	}
	o.Scopes = []string{"profile", "groups"}
	if got := o.ScopeList(); !reflect.DeepEqual(got, []string{"openid", "profile", "groups"}) {
		t.Errorf("openid is always asked for: %v", got)
	}
	if o.DisplayName() != "127.0.0.1" {
		t.Errorf("display name %q", o.DisplayName())
	}
}

func TestAdmit(t *testing.T) {
	o := &OIDC{Groups: []GroupRule{{Group: "devs", Role: paved.RoleDeveloper}}}
	p := &Person{Username: "jane"}
	none, some := MapGroups(o.Groups, []string{"other"}), MapGroups(o.Groups, []string{"devs"})
	if o.Admit(p, none) != nil || o.Admit(p, some) != nil {
		t.Error("without require_mapping everyone is admitted")
	}
	o.RequireMapping = true
	if err := o.Admit(p, none); ReasonOf(err) != ReasonUnmapped || !strings.Contains(err.Error(), "jane is in no group") {
		t.Errorf("unmapped: %v", err)
	}
	if o.Admit(p, some) != nil {
		t.Error("a mapped person refused")
	}
}

func TestCIValidate(t *testing.T) {
	good := func() *CI {
		return &CI{Trust: []TrustRule{{Issuer: GitHubIssuer, Audience: "paved", Repositories: []string{"acme/*"}, Branches: []string{"main"}}}}
	}
	if err := good().Validate(nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*CI)
		want string
	}{
		{"no audience", func(c *CI) { c.Trust[0].Audience = "" }, "audience is required"},
		{"no repositories", func(c *CI) { c.Trust[0].Repositories = nil }, "signs tokens for everyone's"},
		{"every owner", func(c *CI) { c.Trust[0].Repositories = []string{"*/*"} }, "trusts everyone's"},
		{"no owner", func(c *CI) { c.Trust[0].Repositories = []string{"shop"} }, "want owner/name"},
		{"bad pattern", func(c *CI) { c.Trust[0].Repositories = []string{"acme/[x"} }, "not a valid pattern"},
		{"a ref for a branch", func(c *CI) { c.Trust[0].Branches = []string{"refs/heads/main"} }, "not the ref"},
		{"unknown kind", func(c *CI) { c.Trust[0].Kind = "jenkins" }, "want github or gitlab"},
		{"plain http", func(c *CI) { c.Trust[0].Issuer = "http://gitlab.example.com" }, "want https://"},
		{"lifetime too long", func(c *CI) { c.TokenLifetime = Duration(7 * time.Hour) }, "want 1m to 6h"},
		{"lifetime too short", func(c *CI) { c.TokenLifetime = Duration(time.Second) }, "want 1m to 6h"},
		{"host with a path", func(c *CI) { c.Trust[0].RepositoryHost = "github.com/acme" }, "want a host name"},
	}
	for _, tc := range tests {
		c := good()
		tc.edit(c)
		if err := c.Validate(nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct{ issuer, kind, host string }{
		{GitHubIssuer, KindGitHub, "github.com"},
		{"https://ghes.example.com/_services/token", KindGitHub, "ghes.example.com"},
		{"https://gitlab.example.com", KindGitLab, "gitlab.example.com"},
	} {
		r := TrustRule{Issuer: tc.issuer}
		if r.EffectiveKind() != tc.kind || r.Host() != tc.host {
			t.Errorf("%s: kind %s host %s; want %s %s", tc.issuer, r.EffectiveKind(), r.Host(), tc.kind, tc.host)
		}
	}
	if (&CI{}).Lifetime() != DefaultCITokenLifetime {
		t.Error("default lifetime")
	}
}

func TestSessionValidate(t *testing.T) {
	if err := DefaultSession().Validate(nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Session{
		{IdleTimeout: Duration(13 * time.Hour), AbsoluteTimeout: Duration(12 * time.Hour)},
		{AbsoluteTimeout: Duration(31 * 24 * time.Hour)},
		{AbsoluteTimeout: 0},
		{IdleTimeout: Duration(time.Second), AbsoluteTimeout: Duration(time.Hour)},
	} {
		if s.Validate(nil) == nil {
			t.Errorf("%+v validated", s)
		}
	}
	if (Session{AbsoluteTimeout: Duration(time.Hour)}).Validate(nil) != nil {
		t.Error("no idle timeout is allowed")
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "12h": 12 * time.Hour, "7d": 7 * 24 * time.Hour, " 90s ": 90 * time.Second} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err != nil || time.Duration(d) != want {
			t.Errorf("%q: %v, %v", in, time.Duration(d), err)
		}
	}
	for _, in := range []string{"", "-5m", "7", "xd", "1y"} {
		var d Duration
		if d.UnmarshalText([]byte(in)) == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

func TestPersonFromClaims(t *testing.T) {
	o := &OIDC{Issuer: "https://idp", ClientID: "paved"}
	tests := []struct {
		name   string
		cfg    func(*OIDC)
		claims map[string]any
		want   *Person
		err    string
	}{
		{"preferred username", nil, map[string]any{"preferred_username": "Jane.Doe", "name": "Jane Doe", "email": "j@x.org", "groups": []any{"b", "a", "a"}},
			&Person{Username: "jane.doe", DisplayName: "Jane Doe", Email: "j@x.org", Groups: []string{"a", "b"}}, ""},
		{"email local part", nil, map[string]any{"email": "jane.doe@example.com", "email_verified": true},
			&Person{Username: "jane.doe", DisplayName: "jane.doe", Email: "jane.doe@example.com", EmailVerified: true}, ""},
		{"unverified email", nil, map[string]any{"email": "jane@example.com", "email_verified": false}, nil, "not verified"},
		{"configured claim", func(o *OIDC) { o.UsernameClaim = "upn" }, map[string]any{"upn": "JDOE@corp.example", "preferred_username": "x"},
			&Person{Username: "jdoe", DisplayName: "jdoe"}, ""},
		{"configured claim missing", func(o *OIDC) { o.UsernameClaim = "upn" }, map[string]any{"preferred_username": "x"}, nil, "no upn claim"},
		{"no name at all", nil, map[string]any{"name": "Jane"}, nil, "no email claim"},
		{"not a paved name", nil, map[string]any{"preferred_username": "jane doe"}, nil, "does not make a paved user name"},
		{"plus address", nil, map[string]any{"email": "jane+x@example.com"}, nil, "does not make a paved user name"},
		{"groups as one string", nil, map[string]any{"preferred_username": "j", "groups": "admins"},
			&Person{Username: "j", DisplayName: "j", Groups: []string{"admins"}}, ""},
		{"nested groups claim", func(o *OIDC) { o.GroupsClaim = "realm_access.roles" }, map[string]any{"preferred_username": "j", "realm_access": map[string]any{"roles": []any{"dev"}}},
			&Person{Username: "j", DisplayName: "j", Groups: []string{"dev"}}, ""},
		{"namespaced groups claim", func(o *OIDC) { o.GroupsClaim = "https://acme.example/groups" }, map[string]any{"preferred_username": "j", "https://acme.example/groups": []any{"dev"}},
			&Person{Username: "j", DisplayName: "j", Groups: []string{"dev"}}, ""},
		{"groups of the wrong type", nil, map[string]any{"preferred_username": "j", "groups": 3.0}, nil, "neither a list"},
		{"a group that is not a string", nil, map[string]any{"preferred_username": "j", "groups": []any{"a", 1.0}}, nil, "not a group name"},
		{"too many groups", nil, map[string]any{"preferred_username": "j", "groups": manyGroups(maxGroups + 1)}, nil, "at most 1000"},
		{"control characters", nil, map[string]any{"preferred_username": "j\x00"}, nil, "control characters"},
	}
	for _, tc := range tests {
		c := *o
		if tc.cfg != nil {
			tc.cfg(&c)
		}
		got, err := c.PersonFromClaims("https://idp", "sub-1", tc.claims)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %+v, %v; want error %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		tc.want.Issuer, tc.want.Subject = "https://idp", "sub-1"
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
	if _, err := o.PersonFromClaims("https://idp", "", map[string]any{"preferred_username": "j"}); err == nil {
		t.Error("no subject accepted")
	}
}

func manyGroups(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "g" + strings.Repeat("x", i%5) + string(rune('a'+i%26))
	}
	return out
}

func TestMapGroups(t *testing.T) {
	rules := []GroupRule{
		{Group: "payments-devs", Team: "payments", Role: paved.RoleDeveloper},
		{Group: "payments-leads", Team: "payments", Role: paved.RoleReviewer},
		{Group: "sec", Role: paved.RoleSecurity},
		{Group: "search", Team: "search"},
	}
	tests := []struct {
		groups []string
		teams  []string
		roles  []paved.Role
		rules  []int
	}{
		{nil, []string{}, []paved.Role{}, nil},
		{[]string{"unrelated"}, []string{}, []paved.Role{}, nil},
		{[]string{"payments-devs"}, []string{"payments"}, []paved.Role{paved.RoleDeveloper}, []int{0}},
		{[]string{"search", "sec", "payments-leads", "payments-devs"}, []string{"payments", "search"}, []paved.Role{paved.RoleDeveloper, paved.RoleReviewer, paved.RoleSecurity}, []int{0, 1, 2, 3}},
		{[]string{"Payments-Devs"}, []string{}, []paved.Role{}, nil}, // exact match only
	}
	for _, tc := range tests {
		m := MapGroups(rules, tc.groups)
		if !reflect.DeepEqual(m.Teams, tc.teams) || !reflect.DeepEqual(m.Roles, tc.roles) || !reflect.DeepEqual(m.Rules, tc.rules) {
			t.Errorf("MapGroups(%v) = %+v; want %v %v %v", tc.groups, m, tc.teams, tc.roles, tc.rules)
		}
	}
}
