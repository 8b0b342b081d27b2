package config

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	paved "github.com/paved-dev/paved"
)

// AuthFailures is server.auth_failures: how many failed authentications
// (API bearer tokens, portal sign-ins) one client address may make before
// paved answers its attempts with 429 Too Many Requests.
//
//	server:
//	  auth_failures:
//	    per_minute: 10   # failures an address may make a minute, sustained
//	    burst: 20        # failures in a row before the limit applies
//	  trusted_proxies: [10.0.0.0/8]   # whose X-Forwarded-For names the client
//
// The limit is kept per replica, in memory.
type AuthFailures struct {
	PerMinute int `yaml:"per_minute"`
	Burst     int `yaml:"burst"`
}

// Defaults and bounds of server.auth_failures and server.trusted_proxies.
const (
	DefaultAuthFailuresPerMinute = 10
	DefaultAuthFailuresBurst     = 20
	maxAuthFailures              = 10000
	maxTrustedProxies            = 100
)

func (a AuthFailures) validate(where func(string) string) error {
	if a.PerMinute < 1 || a.PerMinute > maxAuthFailures {
		return paved.FieldErrorf(paved.EINVALID, where("server.auth_failures.per_minute"),
			"server.auth_failures.per_minute is %d: want 1 to %d failed authentications a minute per client address", a.PerMinute, maxAuthFailures)
	}
	if a.Burst < 1 || a.Burst > maxAuthFailures {
		return paved.FieldErrorf(paved.EINVALID, where("server.auth_failures.burst"),
			"server.auth_failures.burst is %d: want 1 to %d failed authentications in a row", a.Burst, maxAuthFailures)
	}
	return nil
}

// ProxyPrefix is an entry of server.trusted_proxies: a CIDR block or a
// single address.
type ProxyPrefix string

// UnmarshalText accepts a CIDR block or an IP address.
func (p *ProxyPrefix) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if _, err := parseProxy(s); err != nil {
		return paved.Errorf(paved.EINVALID, "%q is not an IP address or CIDR block (10.0.0.0/8, 2001:db8::/32, 192.0.2.7)", s)
	}
	*p = ProxyPrefix(s)
	return nil
}

// TrustedProxyPrefixes parses server.trusted_proxies: CIDRs (10.0.0.0/8)
// or single addresses. The config must have been validated.
func (c *Config) TrustedProxyPrefixes() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(c.Server.TrustedProxies))
	for _, s := range c.Server.TrustedProxies {
		if p, err := parseProxy(string(s)); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func parseProxy(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (c *Config) validateSecurity() error {
	if err := c.Server.AuthFailures.validate(c.Where); err != nil {
		return err
	}
	if n := len(c.Server.TrustedProxies); n > maxTrustedProxies {
		return paved.FieldErrorf(paved.EINVALID, c.Where("server.trusted_proxies"),
			"server.trusted_proxies has %d entries: at most %d; use CIDR blocks", n, maxTrustedProxies)
	}
	for i, s := range c.Server.TrustedProxies {
		// Decoding checked the file's entries; this catches the others.
		if _, err := parseProxy(string(s)); err != nil {
			return paved.FieldErrorf(paved.EINVALID, c.Where("server.trusted_proxies"),
				"server.trusted_proxies[%d] %q is not an IP address or CIDR block (10.0.0.0/8, 2001:db8::/32, 192.0.2.7)", i, s)
		}
	}
	if err := checkDatabaseSecret(c); err != nil {
		return err
	}
	return nil
}

// checkDatabaseSecret refuses a database password written in paved.yaml:
// the file is reviewed and kept in git, so secrets come from the
// environment (PAVED_DATABASE) instead. A URL from the environment or a
// flag may hold one.
func checkDatabaseSecret(c *Config) error {
	where := c.Where("server.database")
	if where == "server.database" || where == EnvDatabase || strings.HasPrefix(where, "--") {
		return nil
	}
	if DatabaseHasPassword(c.Server.Database) {
		return paved.FieldErrorf(paved.EINVALID, where,
			"server.database holds a password: keep secrets out of paved.yaml; set the URL in the environment variable %s (from a secret store or a Kubernetes Secret) instead", EnvDatabase)
	}
	return nil
}

// DatabaseHasPassword reports whether a postgres:// URL or key=value
// connection string carries a password.
func DatabaseHasPassword(dsn string) bool {
	l := strings.ToLower(strings.TrimSpace(dsn))
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		u, err := url.Parse(strings.TrimSpace(dsn))
		if err != nil {
			// Unparsable: look for user:pass@ by hand.
			rest := l[strings.Index(l, "://")+3:]
			at := strings.LastIndex(rest, "@")
			return at >= 0 && strings.Contains(rest[:at], ":")
		}
		if _, ok := u.User.Password(); ok {
			return true
		}
		return u.Query().Has("password")
	}
	return strings.Contains(l, "password=")
}

// RedactDatabase masks the password of a postgres:// URL or key=value
// connection string, for logs and messages; a SQLite path is returned as
// it is.
func RedactDatabase(dsn string) string {
	t := strings.TrimSpace(dsn)
	l := strings.ToLower(t)
	if strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://") {
		u, err := url.Parse(t)
		if err != nil {
			scheme, _, _ := strings.Cut(t, "://")
			return scheme + "://(unparsable URL hidden)"
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		if q := u.Query(); q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	// key=value form: host=db password=secret user=paved, or
	// password='with spaces'.
	return kvPasswordRE.ReplaceAllString(t, "${1}xxxxx")
}

var kvPasswordRE = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`)
