package notify

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Target is a webhook ready to post to: its URL and secret resolved from
// the environment or a file. Neither is ever logged or shown.
type Target struct {
	Name   string
	Format Format
	url    string
	secret []byte
	events map[string]bool // nil: every kind
	teams  map[string]bool // nil: every notification
	// policy is notifications.allowed_hosts, checked at every delivery.
	policy *HostPolicy
}

// String names the target without its URL or secret.
func (t *Target) String() string { return fmt.Sprintf("%s (%s)", t.Name, t.Format) }

// Matches reports whether n goes to t.
func (t *Target) Matches(n *paved.Notification) bool {
	if t.events != nil && !t.events[n.Kind] {
		return false
	}
	if t.teams != nil && !t.teams[n.Team] {
		return false
	}
	return true
}

// Targets resolves the configured webhooks: URLs from url or url_env,
// secrets from secret_env or secret_file (trailing white space, such as a
// file's final newline, is dropped). getenv is os.Getenv and readFile
// os.ReadFile outside tests. The config must have been validated.
func (c *Config) Targets(getenv func(string) string, readFile func(string) ([]byte, error)) ([]*Target, error) {
	var out []*Target
	policy := c.Policy()
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		p := fmt.Sprintf("notifications.webhooks[%d] (%s)", i, w.Name)
		t := &Target{Name: w.Name, Format: w.Format, url: w.URL, policy: policy}
		if t.Format == "" {
			t.Format = FormatJSON
		}
		if w.URLEnv != "" {
			t.url = strings.TrimSpace(getenv(w.URLEnv))
			if t.url == "" {
				return nil, paved.FieldErrorf(paved.EINVALID, w.URLEnv, "%s: url_env %s is empty or not set: export the webhook's URL in it before paved serve starts", p, w.URLEnv)
			}
			if err := CheckURL(t.url); err != nil {
				return nil, paved.FieldErrorf(paved.EINVALID, w.URLEnv, "%s: the URL in %s: %s", p, w.URLEnv, paved.ErrorMessage(err))
			}
			if u, _ := url.Parse(t.url); u != nil {
				if err := policy.CheckHost(u.Hostname()); err != nil {
					return nil, paved.FieldErrorf(paved.EINVALID, w.URLEnv, "%s: the URL in %s: %s", p, w.URLEnv, paved.ErrorMessage(err))
				}
			}
		}
		switch {
		case w.SecretEnv != "":
			t.secret = bytes.TrimSpace([]byte(getenv(w.SecretEnv)))
			if len(t.secret) == 0 {
				return nil, paved.FieldErrorf(paved.EINVALID, w.SecretEnv, "%s: secret_env %s is empty or not set: export the signing secret in it before paved serve starts", p, w.SecretEnv)
			}
		case w.SecretFile != "":
			b, err := readFile(w.SecretFile)
			if err != nil {
				return nil, paved.FieldErrorf(paved.EINVALID, "secret_file", "%s: cannot read secret_file %s: %v", p, w.SecretFile, paved.UnwrapPathError(err))
			}
			t.secret = bytes.TrimSpace(b)
			if len(t.secret) == 0 {
				return nil, paved.FieldErrorf(paved.EINVALID, "secret_file", "%s: secret_file %s is empty", p, w.SecretFile)
			}
		}
		if t.secret != nil && len(t.secret) < minSecretLength {
			return nil, paved.FieldErrorf(paved.EINVALID, "secret", "%s: the signing secret has %d characters: use at least %d random ones (e.g. openssl rand -hex 32)", p, len(t.secret), minSecretLength)
		}
		if len(w.Events) > 0 {
			t.events = map[string]bool{}
			for _, k := range w.Events {
				t.events[string(k)] = true
			}
		}
		if len(w.Teams) > 0 {
			t.teams = map[string]bool{}
			for _, team := range w.Teams {
				t.teams[team] = true
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Route returns the names of the targets n goes to, for
// paved.JobStore.FanOutNotifications.
func Route(targets []*Target) func(*paved.Notification) []string {
	return func(n *paved.Notification) []string {
		var names []string
		for _, t := range targets {
			if t.Matches(n) && !slices.Contains(names, t.Name) {
				names = append(names, t.Name)
			}
		}
		return names
	}
}
