// Package notify delivers paved's notifications to the outside world and
// runs its background work. Store writes record notifications in the
// outbox in the same transaction as their change (paved.Notification,
// w.notify in internal/store); the Runner inside `paved serve` fans each
// one out to the webhook targets of paved.yaml, posts it (generic JSON
// signed with HMAC-SHA256, or a Slack incoming-webhook payload), retries
// with exponential backoff and jitter, and logs every attempt. It also runs
// registered periodic jobs. Every piece of work is a leased row of the job
// table (paved.JobStore), so any number of replicas can share one
// PostgreSQL database and each delivery and job run happens once.
package notify

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Config is the notifications: section of paved.yaml.
type Config struct {
	// Webhooks are the targets notifications are posted to.
	Webhooks []Webhook `yaml:"webhooks"`
	// MaxAttempts is how often a delivery is tried before it is marked
	// failed (default 12).
	MaxAttempts int `yaml:"max_attempts"`
	// RetryInitial is the wait after the first failed attempt (default
	// 30s); each further failure doubles it up to RetryMax (default 1h).
	RetryInitial Duration `yaml:"retry_initial"`
	RetryMax     Duration `yaml:"retry_max"`
	// Timeout bounds one attempt, from connecting to the answer (default
	// 10s).
	Timeout Duration `yaml:"timeout"`
	// Retention is how long notifications are kept once their deliveries
	// have finished (default 90d).
	Retention Duration `yaml:"retention"`
	// AllowedHosts limits the hosts webhooks may reach: exact host names
	// or IP addresses, or *.suffix; an exact entry may be an internal
	// host. Empty: any public host (allow.go).
	AllowedHosts []string `yaml:"allowed_hosts"`
}

// Webhook is one target.
type Webhook struct {
	// Name labels the target's deliveries; unique, lower case.
	Name string `yaml:"name"`
	// URL is where to post; URLEnv names an environment variable holding
	// it instead (a Slack webhook URL is itself a secret).
	URL    string `yaml:"url"`
	URLEnv string `yaml:"url_env"`
	// Format is json (default: the notification, signed) or slack.
	Format Format `yaml:"format"`
	// The HMAC secret of a json target: the name of an environment
	// variable, or a file (read when paved serve starts).
	SecretEnv  string `yaml:"secret_env"`
	SecretFile string `yaml:"secret_file"`
	// Events limits the target to these kinds; empty: every kind.
	Events []EventKind `yaml:"events"`
	// Teams limits the target to notifications about these teams; empty:
	// every notification.
	Teams []string `yaml:"teams"`
}

// Defaults and bounds.
const (
	DefaultMaxAttempts  = 12
	DefaultRetryInitial = 30 * time.Second
	DefaultRetryMax     = time.Hour
	DefaultTimeout      = 10 * time.Second
	DefaultRetention    = 90 * 24 * time.Hour

	maxMaxAttempts  = 50
	maxRetryMax     = 24 * time.Hour
	maxTimeout      = 5 * time.Minute
	minRetention    = 24 * time.Hour
	maxRetention    = 3650 * 24 * time.Hour
	maxWebhooks     = 100
	minSecretLength = 16
)

// Format is how a target wants notifications.
type Format string

const (
	FormatJSON  Format = "json"
	FormatSlack Format = "slack"
)

// UnmarshalText accepts json or slack.
func (f *Format) UnmarshalText(b []byte) error {
	switch s := Format(strings.ToLower(strings.TrimSpace(string(b)))); s {
	case FormatJSON, FormatSlack:
		*f = s
		return nil
	}
	return paved.Errorf(paved.EINVALID, "unknown format %q: want json (the signed notification) or slack (an incoming-webhook message)", string(b))
}

// EventKind is a notification kind named in a webhook's events.
type EventKind string

// UnmarshalText accepts the kinds of paved.NotificationKinds.
func (k *EventKind) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if !paved.ValidNotificationKind(s) {
		return paved.Errorf(paved.EINVALID, "unknown event kind %q: want one of %s", s, strings.Join(paved.NotificationKinds, ", "))
	}
	*k = EventKind(s)
	return nil
}

// Duration is a duration in paved.yaml: a Go duration ("30s", "10m",
// "1h30m") or a whole number of days ("90d").
type Duration time.Duration

// UnmarshalText parses a Go duration or a number of days.
func (d *Duration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	v, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		if n, perr := strconv.Atoi(days); perr == nil && n > 0 && n <= 36500 {
			v, err = time.Duration(n)*24*time.Hour, nil
		}
	}
	if err != nil {
		return paved.Errorf(paved.EINVALID, "%q is not a duration: write it like 30s, 10m, 1h or 90d", string(b))
	}
	if v <= 0 {
		return paved.Errorf(paved.EINVALID, "duration %q must be positive", string(b))
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as Go does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	envVarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
)

// Validate checks the section. where maps a key path such as
// "notifications.webhooks[0].url" to where it was set (file:line), as
// config.Config.Where does.
func (c *Config) Validate(where func(path string) string) error {
	if where == nil {
		where = func(p string) string { return p }
	}
	bad := func(path, format string, args ...any) error {
		return paved.FieldErrorf(paved.EINVALID, where(path), "%s: %s", path, fmt.Sprintf(format, args...))
	}
	if c.MaxAttempts < 0 || c.MaxAttempts > maxMaxAttempts {
		return bad("notifications.max_attempts", "%d attempts: want 1 to %d", c.MaxAttempts, maxMaxAttempts)
	}
	initial, maxWait := c.retryInitial(), c.retryMax()
	if initial < time.Second {
		return bad("notifications.retry_initial", "%s is too short: want at least 1s", initial)
	}
	if maxWait < initial || maxWait > maxRetryMax {
		return bad("notifications.retry_max", "%s: want from retry_initial (%s) to %s", maxWait, initial, maxRetryMax)
	}
	if t := c.timeout(); t < time.Second || t > maxTimeout {
		return bad("notifications.timeout", "%s: want 1s to %s", t, maxTimeout)
	}
	if r := c.retention(); r < minRetention || r > maxRetention {
		return bad("notifications.retention", "%s: want 1d to 3650d", r)
	}
	if len(c.AllowedHosts) > maxAllowedHosts {
		return bad("notifications.allowed_hosts", "%d entries: at most %d; use *.suffix entries", len(c.AllowedHosts), maxAllowedHosts)
	}
	for i, h := range c.AllowedHosts {
		if err := checkAllowedHost(h); err != nil {
			return bad(fmt.Sprintf("notifications.allowed_hosts[%d]", i), "%s", paved.ErrorMessage(err))
		}
	}
	policy := c.Policy()
	if len(c.Webhooks) > maxWebhooks {
		return bad("notifications.webhooks", "%d webhooks: at most %d are supported", len(c.Webhooks), maxWebhooks)
	}
	names := map[string]int{}
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		p := fmt.Sprintf("notifications.webhooks[%d]", i)
		// at points at the key, or failing that at any key of the webhook
		// that was written (a missing key has no line of its own).
		at := func(key string) string {
			for _, k := range append([]string{key}, "name", "url", "url_env", "format", "secret_env", "secret_file", "events", "teams") {
				if w := where(p + "." + k); w != p+"."+k {
					return w
				}
			}
			return where("notifications.webhooks")
		}
		badAt := func(key, format string, args ...any) error {
			return paved.FieldErrorf(paved.EINVALID, at(key), "%s.%s: %s", p, key, fmt.Sprintf(format, args...))
		}
		if w.Name == "" {
			return badAt("name", "is missing: name the webhook (lower case, e.g. ops-slack); its deliveries are listed under the name")
		}
		if !nameRE.MatchString(w.Name) {
			return badAt("name", "%q: use lower-case letters, digits, '.', '-' and '_' (at most 63, starting with a letter or digit)", w.Name)
		}
		if first, dup := names[w.Name]; dup {
			return badAt("name", "%q is also the name of webhooks[%d]: names must be unique", w.Name, first)
		}
		names[w.Name] = i
		switch {
		case w.URL == "" && w.URLEnv == "":
			return badAt("url", "is missing: give url (or url_env naming an environment variable that holds it)")
		case w.URL != "" && w.URLEnv != "":
			return badAt("url_env", "give url or url_env, not both")
		case w.URL != "":
			if err := CheckURL(w.URL); err != nil {
				return badAt("url", "%s", paved.ErrorMessage(err))
			}
			if u, _ := url.Parse(w.URL); u != nil {
				if err := policy.CheckHost(u.Hostname()); err != nil {
					return badAt("url", "%s", paved.ErrorMessage(err))
				}
			}
		default:
			if !envVarRE.MatchString(w.URLEnv) {
				return badAt("url_env", "%q is not an environment variable name", w.URLEnv)
			}
		}
		if w.Format == "" {
			w.Format = FormatJSON
		}
		if w.SecretEnv != "" && w.SecretFile != "" {
			return badAt("secret_file", "give secret_env or secret_file, not both")
		}
		if w.SecretEnv != "" && !envVarRE.MatchString(w.SecretEnv) {
			return badAt("secret_env", "%q is not an environment variable name", w.SecretEnv)
		}
		switch w.Format {
		case FormatJSON:
			if w.SecretEnv == "" && w.SecretFile == "" {
				return badAt("secret_env", "a json webhook is signed: give secret_env (an environment variable) or secret_file (a file) holding at least %d random characters, e.g. from openssl rand -hex 32", minSecretLength)
			}
		case FormatSlack:
			if w.SecretEnv != "" || w.SecretFile != "" {
				key := "secret_env"
				if w.SecretFile != "" {
					key = "secret_file"
				}
				return badAt(key, "a slack webhook is not signed (Slack's incoming-webhook URL is the secret): drop the secret and keep the URL in url_env")
			}
		}
		kinds := map[EventKind]bool{}
		for _, k := range w.Events {
			if kinds[k] {
				return badAt("events", "%q is listed twice", k)
			}
			kinds[k] = true
		}
		teams := map[string]bool{}
		for _, t := range w.Teams {
			if strings.TrimSpace(t) == "" {
				return badAt("teams", "an empty team name")
			}
			if teams[t] {
				return badAt("teams", "%q is listed twice", t)
			}
			teams[t] = true
		}
	}
	return nil
}

// CheckURL accepts an absolute http or https URL with a host and without
// credentials or a fragment.
func CheckURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "not a URL: %v", unwrapURLError(err))
	}
	if u.Scheme == "" {
		return paved.Errorf(paved.EINVALID, "not an absolute URL: write it with its scheme, https://host/path")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return paved.Errorf(paved.EINVALID, "want an http:// or https:// URL, got %q", redactURL(s))
	}
	if u.Host == "" || u.Hostname() == "" {
		return paved.Errorf(paved.EINVALID, "the URL has no host")
	}
	if u.User != nil {
		return paved.Errorf(paved.EINVALID, "the URL holds credentials: keep secrets out of paved.yaml (url_env names an environment variable holding the URL)")
	}
	if u.Fragment != "" {
		return paved.Errorf(paved.EINVALID, "the URL has a #fragment, which is never sent: drop it")
	}
	return nil
}

// redactURL keeps a URL's scheme and host for messages: its path and query
// may hold a secret (Slack's do).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "…"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func (c *Config) maxAttempts() int {
	if c.MaxAttempts == 0 {
		return DefaultMaxAttempts
	}
	return c.MaxAttempts
}

func (c *Config) retryInitial() time.Duration {
	if c.RetryInitial == 0 {
		return DefaultRetryInitial
	}
	return time.Duration(c.RetryInitial)
}

func (c *Config) retryMax() time.Duration {
	if c.RetryMax == 0 {
		return max(DefaultRetryMax, c.retryInitial())
	}
	return time.Duration(c.RetryMax)
}

func (c *Config) retention() time.Duration {
	if c.Retention == 0 {
		return DefaultRetention
	}
	return time.Duration(c.Retention)
}

func (c *Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return time.Duration(c.Timeout)
}
