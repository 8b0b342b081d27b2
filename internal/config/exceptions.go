package config

import (
	"path/filepath"
	"time"

	paved "github.com/paved-dev/paved"
)

// Exceptions is the exceptions: section of paved.yaml: how long a
// sign-off lasts and when its expiry is announced.
//
//	exceptions:
//	  default_expiry: 90d    # when neither the request nor the approval names one
//	  max_expiry: 180d       # no exception lasts longer, counted from its decision
//	  expiring_notice: 14d   # announce exception.expiring this long before expiry
//	  key_file: keys/exceptions.pem  # Ed25519 key (PKCS#8 PEM) that signs exports
//
// Durations are days or weeks (90d, 12w). Left out, they take the
// defaults of paved.DefaultExceptionPolicy; a max_expiry below the default
// expiry lowers the default to it.
type Exceptions struct {
	DefaultExpiry  Days `yaml:"default_expiry"`
	MaxExpiry      Days `yaml:"max_expiry"`
	ExpiringNotice Days `yaml:"expiring_notice"`
	// KeyFile is the Ed25519 private key (PKCS#8 PEM, as `openssl genpkey
	// -algorithm ed25519` writes it) that signs exception exports,
	// relative to paved.yaml's folder. Empty: the server generates a key on
	// first use and keeps it in its database.
	KeyFile string `yaml:"key_file"`
}

// Days is a duration written in days or weeks (90d, 2w) in paved.yaml.
type Days time.Duration

// UnmarshalText parses a duration with paved.ParseDays.
func (d *Days) UnmarshalText(text []byte) error {
	v, err := paved.ParseDays(string(text))
	if err != nil {
		return err
	}
	*d = Days(v)
	return nil
}

// String writes the duration as it would be configured.
func (d Days) String() string { return paved.FormatDays(time.Duration(d)) }

// maxExceptionDays bounds max_expiry: an exception for more than five
// years is a standing rule, and belongs in the guard rails' parameters.
const maxExceptionDays = 5 * 365

// Policy returns the effective exception policy.
func (e Exceptions) Policy() paved.ExceptionPolicy {
	p := paved.DefaultExceptionPolicy()
	if e.MaxExpiry > 0 {
		p.MaxExpiry = time.Duration(e.MaxExpiry)
	}
	if e.DefaultExpiry > 0 {
		p.DefaultExpiry = time.Duration(e.DefaultExpiry)
	} else if p.DefaultExpiry > p.MaxExpiry {
		p.DefaultExpiry = p.MaxExpiry
	}
	if e.ExpiringNotice > 0 {
		p.ExpiringNotice = time.Duration(e.ExpiringNotice)
	}
	return p
}

// Validate checks the section as a whole; where names the origin of a key
// path for the error.
func (e Exceptions) Validate(where func(path string) string) error {
	if where == nil {
		where = func(p string) string { return p }
	}
	p := e.Policy()
	day := 24 * time.Hour
	switch {
	case p.MaxExpiry > maxExceptionDays*day:
		return paved.FieldErrorf(paved.EINVALID, where("exceptions.max_expiry"), "exceptions.max_expiry is %s: at most %dd; a longer exception is a standing rule (change the guard rail's parameters instead)",
			paved.FormatDays(p.MaxExpiry), maxExceptionDays)
	case p.MaxExpiry < day:
		return paved.FieldErrorf(paved.EINVALID, where("exceptions.max_expiry"), "exceptions.max_expiry is %s: want at least 1d", paved.FormatDays(p.MaxExpiry))
	case p.DefaultExpiry > p.MaxExpiry:
		return paved.FieldErrorf(paved.EINVALID, where("exceptions.default_expiry"), "exceptions.default_expiry %s is longer than max_expiry %s: lower it or raise the maximum",
			paved.FormatDays(p.DefaultExpiry), paved.FormatDays(p.MaxExpiry))
	case p.ExpiringNotice >= p.MaxExpiry:
		return paved.FieldErrorf(paved.EINVALID, where("exceptions.expiring_notice"), "exceptions.expiring_notice %s is not shorter than max_expiry %s: every exception would be announced as expiring at once",
			paved.FormatDays(p.ExpiringNotice), paved.FormatDays(p.MaxExpiry))
	}
	return nil
}

// ExceptionKeyFile returns the configured signing key file, relative paths
// taken from paved.yaml's folder; "" when none is configured.
func (c *Config) ExceptionKeyFile() string {
	f := c.Exceptions.KeyFile
	if f == "" || filepath.IsAbs(f) || c.Source == "" {
		return f
	}
	return filepath.Join(filepath.Dir(c.Source), f)
}
