// Package config reads paved.yaml, the platform configuration that an
// enablement team keeps in its git repository, and layers the PAVED_*
// environment variables over it. Every part has a default, so paved runs
// with no configuration at all.
//
// Decoding is strict: an unknown key, a value of the wrong type or an
// invalid value is an error that names the file, the line and what was
// expected. A typo in a reviewed config file must fail loudly rather than
// silently fall back to a default.
//
// Adding a section means adding a field (with a yaml tag) to Config, its
// default to Default, and checks that need more than one field to Validate.
// The decoder finds the new keys by reflection.
package config

import (
	"net"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/catalog"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/identity"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/policy"
)

// FileName is the name of the platform config file inside a config directory.
const FileName = "paved.yaml"

// Config is the whole platform configuration.
type Config struct {
	Organisation Organisation `yaml:"organisation"`
	Server       Server       `yaml:"server"`
	Catalog      Catalog      `yaml:"catalog"`
	// Guardrails tunes the guard-rail rules (parameters per tier and
	// phase, severities, rollout dates); the policy engine validates it
	// against the rules' metadata when it compiles them.
	Guardrails policy.Config `yaml:"guardrails"`
	// PlanCost sets the thresholds of the cost-monthly-increase guard rail
	// (plan cost estimates, docs/cost.md).
	PlanCost cost.GuardConfig `yaml:"plan_cost"`
	// Notifications are the outgoing webhooks (internal/notify).
	Notifications notify.Config `yaml:"notifications"`
	// Exceptions sets the expiry of sign-offs (exceptions.go in this package).
	Exceptions Exceptions `yaml:"exceptions"`
	// Spend allocates billing lines, sets budgets and tunes the alert
	// rules (docs/spend.md).
	Spend cost.SpendConfig `yaml:"spend"`
	// Facts configures the collectors and pushed facts (docs/facts.md).
	Facts facts.Config `yaml:"facts"`
	// CI lists the CI issuers whose jobs may exchange their ID token for a
	// short-lived token that records checks (internal/identity, docs/ci.md).
	CI identity.CI `yaml:"ci"`

	// Source is the file the config was read from; empty for defaults only.
	Source string `yaml:"-"`
	// origin maps a dotted key path ("server.addr") to where its value came
	// from ("paved.yaml:12", "PAVED_ADDR", "--addr"), so that checks made
	// after decoding can still point at the right place.
	origin map[string]string
}

// Organisation names the organisation paved serves.
type Organisation struct {
	Name string `yaml:"name"`
}

// Server configures `paved serve`.
type Server struct {
	// Addr is the listen address, host:port.
	Addr string `yaml:"addr"`
	// Database is a SQLite file path or a postgres:// URL.
	Database string `yaml:"database"`
	// MaxBodyBytes limits API request bodies; "1MiB" and 1048576 both work.
	MaxBodyBytes ByteSize `yaml:"max_body_bytes"`
	// SecureCookies sets the Secure flag on the portal's session cookie.
	SecureCookies bool `yaml:"secure_cookies"`
	// PublicURL is where users reach the portal (https://paved.example.com);
	// notifications link to it. Empty: links stay portal paths.
	PublicURL string `yaml:"public_url"`
	// TrustedProxies and AuthFailures: the failed-authentication limit
	// per client address (security.go).
	TrustedProxies []ProxyPrefix `yaml:"trusted_proxies"`
	AuthFailures   AuthFailures  `yaml:"auth_failures"`
	// OIDC is single sign-on through the organisation's OpenID provider
	// (internal/identity, docs/sso.md).
	OIDC identity.OIDC `yaml:"oidc"`
	// TokenSignin keeps the portal's "sign in with an API token" form: the
	// break-glass way in when the provider is down. false switches it off
	// (it needs server.oidc then).
	TokenSignin bool `yaml:"token_signin"`
	// Session bounds portal sessions: an idle and an absolute timeout.
	Session identity.Session `yaml:"session"`
}

// Catalog shapes how Backstage catalog files map onto paved's catalog.
type Catalog struct {
	// Lifecycles maps Backstage spec.lifecycle values to phases; entries
	// are merged over the defaults.
	Lifecycles       map[string]paved.Phase `yaml:"lifecycles"`
	DefaultTier      paved.Tier             `yaml:"default_tier"`
	DefaultDataClass paved.DataClass        `yaml:"default_data_class"`
	DefaultUserRoles []paved.Role           `yaml:"default_user_roles"`
}

// Defaults.
const (
	DefaultAddr         = ":8080"
	DefaultDatabase     = "paved.db"
	DefaultOrganisation = "paved"
	DefaultMaxBodyBytes = 1 << 20
	// maxMaxBodyBytes caps max_body_bytes: a bigger request body limit would
	// let one request hold a large share of the server's memory.
	maxMaxBodyBytes = 1 << 30
)

// Default returns the configuration used when there is no paved.yaml.
func Default() *Config {
	opt := catalog.DefaultOptions()
	lc := make(map[string]paved.Phase, len(opt.Lifecycles))
	for k, v := range opt.Lifecycles {
		lc[k] = v
	}
	return &Config{
		Organisation: Organisation{Name: DefaultOrganisation},
		Server: Server{
			Addr:          DefaultAddr,
			Database:      DefaultDatabase,
			MaxBodyBytes:  DefaultMaxBodyBytes,
			SecureCookies: true,
			AuthFailures:  AuthFailures{PerMinute: DefaultAuthFailuresPerMinute, Burst: DefaultAuthFailuresBurst},
			TokenSignin:   true,
			Session:       identity.DefaultSession(),
		},
		Catalog: Catalog{
			Lifecycles:       lc,
			DefaultTier:      opt.DefaultTier,
			DefaultDataClass: opt.DefaultDataClass,
			DefaultUserRoles: append([]paved.Role(nil), opt.DefaultUserRoles...),
		},
		PlanCost: cost.DefaultGuardConfig(),
		origin:   map[string]string{},
	}
}

// IsSet reports whether the key path (e.g. "server.addr") was given by the
// config file, the environment or a flag. Defaults that callers adapt to
// context (the demo listens on localhost unless told otherwise) use it to
// leave explicit choices alone.
func (c *Config) IsSet(path string) bool {
	_, ok := c.origin[path]
	return ok
}

// SetBy records that the value at path came from origin (a flag name such
// as "--addr"), for IsSet and error messages.
func (c *Config) SetBy(path, origin string) {
	if c.origin == nil {
		c.origin = map[string]string{}
	}
	c.origin[path] = origin
}

// Where returns the origin of a key path for error messages:
// "paved.yaml:12", "PAVED_ADDR" or "--addr"; the path itself for a default.
func (c *Config) Where(path string) string {
	if o, ok := c.origin[path]; ok {
		return o
	}
	return path
}

// TemplatesDirName is the folder of the platform config directory, next to
// paved.yaml, that holds questionnaire and checklist overrides.
const TemplatesDirName = "templates"

// TemplatesDir returns the templates/ folder next to the paved.yaml the
// config was read from, for launch.LoadLibrary; "" when there is no config
// file (the embedded templates apply). The folder need not exist.
func (c *Config) TemplatesDir() string {
	if c.Source == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(c.Source), TemplatesDirName)
}

// PoliciesDirName is the folder of the platform config directory, next to
// paved.yaml, that holds the organisation's own Rego policies.
const PoliciesDirName = "policies"

// PoliciesDir returns the policies/ folder next to the paved.yaml the
// config was read from; "" when there is no config file. The folder need
// not exist.
func (c *Config) PoliciesDir() string {
	if c.Source == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(c.Source), PoliciesDirName)
}

// CatalogOptions returns the import mapping for the catalog package.
func (c *Config) CatalogOptions() catalog.Options {
	opt := catalog.DefaultOptions()
	for k, v := range c.Catalog.Lifecycles {
		opt.Lifecycles[k] = v
	}
	if c.Catalog.DefaultTier != 0 {
		opt.DefaultTier = c.Catalog.DefaultTier
	}
	if c.Catalog.DefaultDataClass != "" {
		opt.DefaultDataClass = c.Catalog.DefaultDataClass
	}
	if c.Catalog.DefaultUserRoles != nil {
		opt.DefaultUserRoles = append([]paved.Role(nil), c.Catalog.DefaultUserRoles...)
	}
	return opt
}

// Validate checks what single values cannot check on their own. Decoding
// already rejected wrong types and unknown enum values.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.Organisation.Name) == "" {
		return paved.FieldErrorf(paved.EINVALID, c.Where("organisation.name"), "organisation.name is empty: name the organisation (it is shown in the portal header)")
	}
	if err := ValidateAddr(c.Where("server.addr"), c.Server.Addr); err != nil {
		return err
	}
	if strings.TrimSpace(c.Server.Database) == "" {
		return paved.FieldErrorf(paved.EINVALID, c.Where("server.database"), "server.database is empty: want a SQLite file path or a postgres:// URL")
	}
	if c.Server.MaxBodyBytes <= 0 || c.Server.MaxBodyBytes > maxMaxBodyBytes {
		return paved.FieldErrorf(paved.EINVALID, c.Where("server.max_body_bytes"), "server.max_body_bytes is %d: want 1 byte to 1GiB", int64(c.Server.MaxBodyBytes))
	}
	if err := c.validateSecurity(); err != nil {
		return err
	}
	if err := notify.CheckPublicURL(c.Server.PublicURL); err != nil {
		return paved.FieldErrorf(paved.EINVALID, c.Where("server.public_url"), "server.public_url: %s", paved.ErrorMessage(err))
	}
	if err := c.Notifications.Validate(c.Where); err != nil {
		return err
	}
	if err := c.Exceptions.Validate(c.Where); err != nil {
		return err
	}
	if err := c.PlanCost.Validate(c.Where); err != nil {
		return err
	}
	if err := c.Spend.Validate(c.Where); err != nil {
		return err
	}
	if err := c.Facts.Validate(c.Where); err != nil {
		return err
	}
	if err := c.validateIdentity(); err != nil {
		return err
	}
	keys := make([]string, 0, len(c.Catalog.Lifecycles))
	for k := range c.Catalog.Lifecycles {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.TrimSpace(k) == "" || k != strings.ToLower(k) {
			return paved.FieldErrorf(paved.EINVALID, c.Where("catalog.lifecycles."+k), "lifecycle %q: keys are matched against the lower-case spec.lifecycle, so write them in lower case", k)
		}
	}
	return nil
}

// ValidateAddr checks a listen address of the form host:port.
func ValidateAddr(where, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, where, "address %q is not host:port (for example :8080 or localhost:8080)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return paved.FieldErrorf(paved.EINVALID, where, "address %q has port %q: want a number from 0 to 65535", addr, port)
	}
	return nil
}
