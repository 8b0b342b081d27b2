package identity

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	paved "github.com/paved-dev/paved"
)

// OIDC is server.oidc in paved.yaml: sign-in for people through the
// organisation's OpenID provider.
//
//	server:
//	  oidc:
//	    issuer: https://login.example.com/realms/acme
//	    client_id: paved
//	    client_secret_env: PAVED_OIDC_CLIENT_SECRET
//	    redirect_url: https://paved.example.com/auth/oidc/callback
//	    groups:
//	      - {group: payments-devs, team: payments, role: developer}
//	      - {group: security, role: security}
//
// The client secret is read from the environment variable named by
// client_secret_env, never from the file.
type OIDC struct {
	Issuer          string   `yaml:"issuer"`
	ClientID        string   `yaml:"client_id"`
	ClientSecretEnv string   `yaml:"client_secret_env"`
	RedirectURL     string   `yaml:"redirect_url"`
	Scopes          []string `yaml:"scopes"`
	// ProviderName is shown on the sign-in button ("Sign in with Okta");
	// empty: the issuer's host.
	ProviderName string `yaml:"provider_name"`
	// UsernameClaim names the claim that becomes the paved user name;
	// empty: preferred_username, else email. A value with an @ gives its
	// local part (jane.doe@example.com signs in as jane.doe).
	UsernameClaim string `yaml:"username_claim"`
	// NameClaim is the display name's claim (default name).
	NameClaim string `yaml:"name_claim"`
	// GroupsClaim is the claim listing the person's groups (default
	// groups); a dotted path reaches into objects (realm_access.roles).
	GroupsClaim string `yaml:"groups_claim"`
	// LinkByUsername binds a paved user that exists before its first
	// sign-in (a catalog import) by the username alone. Set it only when
	// the username claim is the directory's own and no person can choose
	// it (Okta's login, Entra's user principal name, Keycloak without
	// username editing). Off, such a user is bound only when the provider
	// vouches (email_verified) for the email address the user has in paved.
	LinkByUsername bool `yaml:"link_by_username"`
	// Groups map the provider's groups to team memberships and roles,
	// evaluated at every sign-in.
	Groups []GroupRule `yaml:"groups"`
	// RequireMapping refuses sign-in to people no group rule matches.
	// Off (the default), they sign in with no write access and admins see
	// them listed; on, for providers anyone can sign in to (Google
	// accounts outside an organisation's Workspace) or to keep the portal
	// to mapped groups only.
	RequireMapping bool `yaml:"require_mapping"`
}

// Admit decides whether a person with this mapping may sign in.
func (o *OIDC) Admit(p *Person, m Mapping) error {
	if o.RequireMapping && !m.Matched() {
		return refuse(ReasonUnmapped, fmt.Sprintf("%s is in no group that paved maps (server.oidc.require_mapping): ask an admin to add you to one", p.Username), nil)
	}
	return nil
}

// GroupRule maps one provider group to a team membership, a role, or both.
type GroupRule struct {
	Group string     `yaml:"group"`
	Team  string     `yaml:"team"`
	Role  paved.Role `yaml:"role"`
}

// Defaults of server.oidc.
const (
	DefaultNameClaim   = "name"
	DefaultGroupsClaim = "groups"
)

// DefaultScopes are asked for when server.oidc.scopes is not set. The
// groups claim needs a provider-specific scope or mapper on some providers
// (docs/sso.md).
var DefaultScopes = []string{"openid", "profile", "email"}

// Enabled reports whether single sign-on is configured.
func (o *OIDC) Enabled() bool { return o != nil && strings.TrimSpace(o.Issuer) != "" }

// ScopeList returns the scopes to ask for, openid always among them.
func (o *OIDC) ScopeList() []string {
	s := o.Scopes
	if len(s) == 0 {
		s = DefaultScopes
	}
	out := []string{"openid"}
	for _, v := range s {
		if v != "openid" {
			out = append(out, v)
		}
	}
	return out
}

// Origin is the issuer's scheme and host ("https://login.example.com"),
// where its end-session endpoint is expected; "" when the issuer is not a
// URL.
func (o *OIDC) Origin() string {
	u, err := url.Parse(o.Issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// DisplayName is what the sign-in button calls the provider.
func (o *OIDC) DisplayName() string {
	if o.ProviderName != "" {
		return o.ProviderName
	}
	if u, err := url.Parse(o.Issuer); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return "single sign-on"
}

func (o *OIDC) nameClaim() string   { return or(o.NameClaim, DefaultNameClaim) }
func (o *OIDC) groupsClaim() string { return or(o.GroupsClaim, DefaultGroupsClaim) }

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// maxGroupRules bounds server.oidc.groups.
const maxGroupRules = 1000

// Validate checks server.oidc; where names the origin of a key path
// (paved.yaml:12) for errors. A section without issuer must be empty.
func (o *OIDC) Validate(where func(string) string) error {
	where = whereOr(where)
	const p = "server.oidc"
	if !o.Enabled() {
		if o.ClientID != "" || o.RedirectURL != "" || len(o.Groups) > 0 || o.ClientSecretEnv != "" {
			return paved.FieldErrorf(paved.EINVALID, where(p), "server.oidc has no issuer: give the provider's issuer URL (https://login.example.com/realms/acme), or remove the section")
		}
		return nil
	}
	if err := checkIssuer(where(p+".issuer"), p+".issuer", o.Issuer); err != nil {
		return err
	}
	if strings.TrimSpace(o.ClientID) == "" {
		return paved.FieldErrorf(paved.EINVALID, where(p), "server.oidc.client_id is required: the client (application) id registered for paved at the provider")
	}
	if o.ClientSecretEnv != "" && !envNameOK(o.ClientSecretEnv) {
		return paved.FieldErrorf(paved.EINVALID, where(p+".client_secret_env"), "server.oidc.client_secret_env %q is not an environment variable name (letters, digits and _): name the variable that holds the secret, not the secret", o.ClientSecretEnv)
	}
	if o.RedirectURL == "" {
		return paved.FieldErrorf(paved.EINVALID, where(p), "server.oidc.redirect_url is required: paved's callback as registered at the provider, https://<paved>/auth/oidc/callback")
	}
	u, err := url.Parse(o.RedirectURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return paved.FieldErrorf(paved.EINVALID, where(p+".redirect_url"), "server.oidc.redirect_url %q: want an https:// URL (http:// only for localhost)", o.RedirectURL)
	}
	if u.Path != CallbackPath || u.RawQuery != "" || u.Fragment != "" {
		return paved.FieldErrorf(paved.EINVALID, where(p+".redirect_url"), "server.oidc.redirect_url %q must end in %s with no query: it is the address paved serves the callback on", o.RedirectURL, CallbackPath)
	}
	for i, s := range o.Scopes {
		if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r > '~' }) {
			return paved.FieldErrorf(paved.EINVALID, where(fmt.Sprintf("%s.scopes[%d]", p, i)), "scope %q is not a valid OAuth scope", s)
		}
	}
	if len(o.ProviderName) > 60 || strings.ContainsFunc(o.ProviderName, unicode.IsControl) {
		return paved.FieldErrorf(paved.EINVALID, where(p+".provider_name"), "server.oidc.provider_name: at most 60 printable characters")
	}
	for _, c := range []struct{ key, v string }{{"username_claim", o.UsernameClaim}, {"name_claim", o.NameClaim}, {"groups_claim", o.GroupsClaim}} {
		if len(c.v) > 200 || strings.ContainsFunc(c.v, unicode.IsSpace) {
			return paved.FieldErrorf(paved.EINVALID, where(p+"."+c.key), "server.oidc.%s %q is not a claim name", c.key, c.v)
		}
	}
	if o.RequireMapping && len(o.Groups) == 0 {
		return paved.FieldErrorf(paved.EINVALID, where(p+".require_mapping"), "server.oidc.require_mapping is on but there are no group rules: nobody could sign in")
	}
	if len(o.Groups) > maxGroupRules {
		return paved.FieldErrorf(paved.EINVALID, where(p+".groups"), "server.oidc.groups has %d rules: at most %d", len(o.Groups), maxGroupRules)
	}
	for i, g := range o.Groups {
		at := fmt.Sprintf("%s.groups[%d]", p, i)
		switch {
		case strings.TrimSpace(g.Group) == "":
			return paved.FieldErrorf(paved.EINVALID, where(at), "%s has no group: name the provider's group (as the groups claim lists it)", at)
		case g.Team == "" && g.Role == "":
			return paved.FieldErrorf(paved.EINVALID, where(at), "%s (group %q) grants nothing: give a team, a role or both", at, g.Group)
		}
		if g.Team != "" {
			if err := paved.ValidateName(at+".team", g.Team); err != nil {
				return paved.FieldErrorf(paved.EINVALID, where(at+".team"), "%s", paved.ErrorMessage(err))
			}
		}
	}
	return nil
}

// CallbackPath is where paved receives the provider's answer.
const CallbackPath = "/auth/oidc/callback"

func checkIssuer(at, key, issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return paved.FieldErrorf(paved.EINVALID, at, "%s %q is not an issuer URL: want https://host[/path] exactly as the provider's discovery document names it", key, issuer)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return paved.FieldErrorf(paved.EINVALID, at, "%s %q: want https:// (http:// only for localhost): keys and tokens must not travel in the clear", key, issuer)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func envNameOK(s string) bool {
	if s == "" || len(s) > 200 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func whereOr(where func(string) string) func(string) string {
	if where == nil {
		return func(p string) string { return p }
	}
	return where
}

// Session is server.session: how long a portal sign-in lasts.
//
//	server:
//	  session:
//	    idle_timeout: 2h      # signed out after this long without a request
//	    absolute_timeout: 12h # signed out this long after signing in, whatever happens
type Session struct {
	IdleTimeout     Duration `yaml:"idle_timeout"`
	AbsoluteTimeout Duration `yaml:"absolute_timeout"`
}

// Defaults and bounds of server.session.
const (
	DefaultIdleTimeout     = 2 * time.Hour
	DefaultAbsoluteTimeout = 12 * time.Hour
	maxAbsoluteTimeout     = 30 * 24 * time.Hour
)

// DefaultSession returns the session defaults.
func DefaultSession() Session {
	return Session{IdleTimeout: Duration(DefaultIdleTimeout), AbsoluteTimeout: Duration(DefaultAbsoluteTimeout)}
}

// Validate checks server.session.
func (s Session) Validate(where func(string) string) error {
	where = whereOr(where)
	switch {
	case s.AbsoluteTimeout < Duration(time.Minute) || s.AbsoluteTimeout > Duration(maxAbsoluteTimeout):
		return paved.FieldErrorf(paved.EINVALID, where("server.session.absolute_timeout"), "server.session.absolute_timeout is %s: want 1m to 30d", s.AbsoluteTimeout)
	case s.IdleTimeout < 0 || (s.IdleTimeout > 0 && s.IdleTimeout < Duration(time.Minute)):
		return paved.FieldErrorf(paved.EINVALID, where("server.session.idle_timeout"), "server.session.idle_timeout is %s: want at least 1m, or 0 for none", s.IdleTimeout)
	case s.IdleTimeout > s.AbsoluteTimeout:
		return paved.FieldErrorf(paved.EINVALID, where("server.session.idle_timeout"), "server.session.idle_timeout %s is longer than absolute_timeout %s: it would never apply", s.IdleTimeout, s.AbsoluteTimeout)
	}
	return nil
}

// CI is the ci section of paved.yaml: which CI systems' ID tokens paved
// exchanges for short-lived tokens that record checks.
//
//	ci:
//	  token_lifetime: 15m
//	  trust:
//	    - issuer: https://token.actions.githubusercontent.com
//	      audience: paved
//	      repositories: ["acme/*"]
//	      branches: [main]
type CI struct {
	Trust []TrustRule `yaml:"trust"`
	// TokenLifetime is the longest a paved token from the exchange lives
	// (default 15m); never longer than the job's own token.
	TokenLifetime Duration `yaml:"token_lifetime"`
}

// TrustRule trusts one CI issuer's ID tokens for some repositories.
type TrustRule struct {
	Issuer   string `yaml:"issuer"`
	Audience string `yaml:"audience"`
	// Kind is github or gitlab: which claims name the repository and ref.
	// Empty: github for GitHub's issuer (and GitHub Enterprise Server's
	// .../_services/token), gitlab otherwise.
	Kind string `yaml:"kind"`
	// Repositories are patterns of owner/name (path.Match: * within one
	// segment), e.g. acme/* or acme/payments/*; at least one.
	Repositories []string `yaml:"repositories"`
	// Branches, when set, limit the refs a job may run on (patterns of
	// branch names, main or release/*); a tag or pull-request ref then
	// does not match.
	Branches []string `yaml:"branches"`
	// RepositoryHost is the host of the repositories' web addresses, for
	// matching services' repo links: github.com for GitHub's issuer, the
	// issuer's host otherwise.
	RepositoryHost string `yaml:"repository_host"`
}

// Kinds of CI issuer.
const (
	KindGitHub = "github"
	KindGitLab = "gitlab"
)

// GitHubIssuer is GitHub Actions' issuer on github.com.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// Defaults and bounds of the ci section.
const (
	DefaultCITokenLifetime = 15 * time.Minute
	maxCITokenLifetime     = 6 * time.Hour
	maxTrustRules          = 100
	maxPatterns            = 1000
)

// Lifetime is the configured token lifetime or its default.
func (c *CI) Lifetime() time.Duration {
	if c.TokenLifetime > 0 {
		return time.Duration(c.TokenLifetime)
	}
	return DefaultCITokenLifetime
}

// EffectiveKind returns the rule's kind, derived from the issuer when not set.
func (r *TrustRule) EffectiveKind() string {
	if r.Kind != "" {
		return r.Kind
	}
	if strings.TrimSuffix(r.Issuer, "/") == GitHubIssuer || strings.HasSuffix(strings.TrimSuffix(r.Issuer, "/"), "/_services/token") {
		return KindGitHub
	}
	return KindGitLab
}

// Host returns the host of the rule's repositories' web addresses.
func (r *TrustRule) Host() string {
	if r.RepositoryHost != "" {
		return strings.ToLower(r.RepositoryHost)
	}
	if strings.TrimSuffix(r.Issuer, "/") == GitHubIssuer {
		return "github.com"
	}
	if u, err := url.Parse(r.Issuer); err == nil {
		return strings.ToLower(u.Host)
	}
	return ""
}

// Validate checks the ci section.
func (c *CI) Validate(where func(string) string) error {
	where = whereOr(where)
	if c.TokenLifetime < 0 || (c.TokenLifetime > 0 && c.TokenLifetime < Duration(time.Minute)) || c.TokenLifetime > Duration(maxCITokenLifetime) {
		return paved.FieldErrorf(paved.EINVALID, where("ci.token_lifetime"), "ci.token_lifetime is %s: want 1m to 6h (a CI token is meant to last one job)", c.TokenLifetime)
	}
	if len(c.Trust) > maxTrustRules {
		return paved.FieldErrorf(paved.EINVALID, where("ci.trust"), "ci.trust has %d entries: at most %d", len(c.Trust), maxTrustRules)
	}
	for i, r := range c.Trust {
		at := fmt.Sprintf("ci.trust[%d]", i)
		// An entry has no origin of its own; its issuer line stands for it.
		entry := where(at + ".issuer")
		if err := checkIssuer(where(at+".issuer"), at+".issuer", r.Issuer); err != nil {
			return err
		}
		if strings.TrimSpace(r.Audience) == "" {
			return paved.FieldErrorf(paved.EINVALID, entry, "%s.audience is required: the audience the jobs ask their ID token for (paved, or paved's URL); it keeps tokens meant for other services out", at)
		}
		if r.Kind != "" && r.Kind != KindGitHub && r.Kind != KindGitLab {
			return paved.FieldErrorf(paved.EINVALID, where(at+".kind"), "%s.kind %q: want github or gitlab", at, r.Kind)
		}
		if len(r.Repositories) == 0 {
			// GitHub's issuer signs tokens for every repository on
			// github.com: without a list anyone's workflow would be trusted.
			return paved.FieldErrorf(paved.EINVALID, entry, "%s.repositories is required: list the repositories (owner/name patterns, acme/*) whose jobs may record checks; the issuer signs tokens for everyone's", at)
		}
		if len(r.Repositories)+len(r.Branches) > maxPatterns {
			return paved.FieldErrorf(paved.EINVALID, entry, "%s has more than %d patterns", at, maxPatterns)
		}
		for j, p := range r.Repositories {
			if err := checkPattern(p, true); err != nil {
				return paved.FieldErrorf(paved.EINVALID, where(fmt.Sprintf("%s.repositories[%d]", at, j)), "%s.repositories[%d] %q: %s", at, j, p, err)
			}
		}
		for j, p := range r.Branches {
			if err := checkPattern(p, false); err != nil {
				return paved.FieldErrorf(paved.EINVALID, where(fmt.Sprintf("%s.branches[%d]", at, j)), "%s.branches[%d] %q: %s", at, j, p, err)
			}
		}
		if r.RepositoryHost != "" && (strings.ContainsAny(r.RepositoryHost, "/@ ") || r.RepositoryHost != strings.TrimSpace(r.RepositoryHost)) {
			return paved.FieldErrorf(paved.EINVALID, where(at+".repository_host"), "%s.repository_host %q: want a host name (github.example.com)", at, r.RepositoryHost)
		}
	}
	return nil
}

func checkPattern(p string, repo bool) error {
	if strings.TrimSpace(p) == "" || p != strings.TrimSpace(p) {
		return fmt.Errorf("empty, or spaces around it")
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("not a valid pattern (path.Match: * within a segment, ?, [a-z])")
	}
	if repo {
		if !strings.Contains(p, "/") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			return fmt.Errorf("want owner/name (acme/shop, acme/*)")
		}
		if p == "*/*" || strings.HasPrefix(p, "*/") {
			return fmt.Errorf("a pattern for every owner trusts everyone's repositories: name your organisation (acme/*)")
		}
	}
	if strings.HasPrefix(p, "refs/") {
		return fmt.Errorf("write the branch name (main, release/*), not the ref")
	}
	return nil
}

// Duration is a duration in paved.yaml: Go's syntax (90s, 15m, 12h) or
// days (7d).
type Duration time.Duration

// UnmarshalText parses 15m, 12h, 7d.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 || v > 3650 {
			return paved.Errorf(paved.EINVALID, "duration %q: want a number of days (7d), or 15m, 12h", s)
		}
		*d = Duration(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return paved.Errorf(paved.EINVALID, "duration %q: want 90s, 15m, 12h or 7d", s)
	}
	*d = Duration(v)
	return nil
}

// String writes the duration as Go does (15m0s).
func (d Duration) String() string { return time.Duration(d).String() }
