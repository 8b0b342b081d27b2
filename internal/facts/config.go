package facts

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/notify"
)

// Config is the facts: section of paved.yaml.
//
//	facts:
//	  push_ttl: 30d              # how long a pushed fact counts unless the push says
//	  collectors:
//	    - name: github           # unique; the Source of its facts
//	      kind: github           # github | gitlab | pagerduty | opsgenie | kubernetes (default: the name)
//	      token_env: PAVED_GITHUB_TOKEN
//	      base_url: https://github.example.com/api/v3   # Enterprise; default api.github.com
//	      organisation: acme     # discover catalog-info.yaml files in its repositories
//	      interval: 1h
//	      timeout: 5m
//	      ttl: 3h                # default: three intervals
//	    - name: gitlab
//	      token_env: PAVED_GITLAB_TOKEN
//	      base_url: https://gitlab.example.com/api/v4  # self-managed; default gitlab.com
//	      auth_scheme: private-token                   # or bearer (an OAuth token)
//	      organisation: acme     # the group whose projects (subgroups too) are searched
//	    - name: pagerduty
//	      token_env: PAVED_PAGERDUTY_TOKEN
//	    - name: opsgenie
//	      token_env: PAVED_OPSGENIE_KEY
//	      base_url: https://api.eu.opsgenie.com        # an EU account
type Config struct {
	Collectors []CollectorConfig `yaml:"collectors"`
	PushTTL    notify.Duration   `yaml:"push_ttl"`
}

// Collector kinds.
const (
	KindGitHub     = "github"
	KindGitLab     = "gitlab"
	KindPagerDuty  = "pagerduty"
	KindOpsgenie   = "opsgenie"
	KindKubernetes = "kubernetes"
)

// Kinds lists the collector kinds.
var Kinds = []string{KindGitHub, KindGitLab, KindPagerDuty, KindOpsgenie, KindKubernetes}

// KeyPrefix is the first segment of the fact keys a kind defines: a push
// may not write them, so that a pipeline cannot vouch for its own branch
// protection.
func KeyPrefix(kind string) string {
	if kind == KindKubernetes {
		return "kube"
	}
	return kind
}

// CollectorConfig is one collector.
type CollectorConfig struct {
	Name     string          `yaml:"name"`
	Kind     string          `yaml:"kind"`
	Interval notify.Duration `yaml:"interval"`
	Timeout  notify.Duration `yaml:"timeout"`
	TTL      notify.Duration `yaml:"ttl"`
	// RequestsPerSecond paces the collector's API calls (default 5); the
	// providers' rate-limit answers slow it further.
	RequestsPerSecond int `yaml:"requests_per_second"`

	// The SaaS and Git collectors: the API's base URL and the environment
	// variable that holds the token.
	BaseURL  string `yaml:"base_url"`
	TokenEnv string `yaml:"token_env"`
	// AuthScheme is how GitLab gets the token: private-token (the
	// PRIVATE-TOKEN header: personal, project and group access tokens;
	// the default) or bearer (Authorization: Bearer, for OAuth tokens).
	AuthScheme string `yaml:"auth_scheme"`

	// GitHub and GitLab.
	// Organisation (GitHub) or group (GitLab) whose repositories are
	// searched for catalog files; empty: no discovery.
	Organisation  string `yaml:"organisation"`
	DiscoveryPath string `yaml:"discovery_path"` // default catalog-info.yaml
	// PavedCheck is the name of the status check (GitHub) or the text in
	// .gitlab-ci.yml (GitLab) that is paved check; matched without case
	// (default "paved").
	PavedCheck string `yaml:"paved_check"`
	// EnablementOwners are the CODEOWNERS owners that count as the
	// enablement team (@acme/platform); InfrastructurePaths are paths
	// whose CODEOWNERS entry must name one of them.
	EnablementOwners    []string `yaml:"enablement_owners"`
	InfrastructurePaths []string `yaml:"infrastructure_paths"`
	// Environment names the deployment environment whose latest
	// deployment is a fact (default production).
	Environment string `yaml:"environment"`

	// Kubernetes: a kubeconfig file and context (kubeconfig empty: the
	// KUBECONFIG environment variable, as kubectl; both empty: in the
	// cluster, with the pod's service account); the label selector that
	// finds a service's workloads, where {{service}} stands for its name
	// (default app.kubernetes.io/part-of={{service}}; a service's
	// backstage.io/kubernetes-label-selector or backstage.io/kubernetes-id
	// annotation takes precedence, as in Backstage's Kubernetes plugin);
	// the namespaces to read (empty: all).
	Kubeconfig    string   `yaml:"kubeconfig"`
	Context       string   `yaml:"context"`
	LabelSelector string   `yaml:"label_selector"`
	Namespaces    []string `yaml:"namespaces"`
}

// ServicePlaceholder is what a label_selector writes for the service's
// name.
const ServicePlaceholder = "{{service}}"

// GitLab's auth schemes.
const (
	AuthPrivateToken = "private-token"
	AuthBearer       = "bearer"
)

// Defaults.
const (
	DefaultInterval       = time.Hour
	DefaultTimeout        = 5 * time.Minute
	DefaultPushTTL        = 30 * 24 * time.Hour
	DefaultRequestsPerSec = 5
	DefaultDiscoveryPath  = "catalog-info.yaml"
	DefaultPavedCheck     = "paved"
	DefaultEnvironment    = "production"
	DefaultLabelSelector  = "app.kubernetes.io/part-of={{service}}"

	minInterval = time.Minute
	maxTimeout  = time.Hour
	maxTTL      = 365 * 24 * time.Hour
	maxRate     = 100
)

// DefaultInfrastructurePaths are sample paths whose CODEOWNERS owners are
// checked when the config names none.
var DefaultInfrastructurePaths = []string{"terraform/main.tf", "infra/main.tf", "deploy/deployment.yaml", "k8s/deployment.yaml", ".github/workflows/deploy.yml"}

// DefaultBaseURL is each kind's public API.
var DefaultBaseURL = map[string]string{
	KindGitHub:    "https://api.github.com",
	KindGitLab:    "https://gitlab.com/api/v4",
	KindPagerDuty: "https://api.pagerduty.com",
	KindOpsgenie:  "https://api.opsgenie.com",
}

var (
	envRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	ownerRE = regexp.MustCompile(`^@?[A-Za-z0-9][A-Za-z0-9_.@/-]*$`)
)

// Normalized returns c with the defaults filled in.
func (c CollectorConfig) Normalized() CollectorConfig {
	if c.Kind == "" {
		c.Kind = c.Name
	}
	if c.Interval == 0 {
		c.Interval = notify.Duration(DefaultInterval)
	}
	if c.Timeout == 0 {
		c.Timeout = notify.Duration(min(DefaultTimeout, time.Duration(c.Interval)))
	}
	if c.TTL == 0 {
		c.TTL = notify.Duration(3 * time.Duration(c.Interval))
	}
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = DefaultRequestsPerSec
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL[c.Kind]
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.Kind == KindGitHub || c.Kind == KindGitLab {
		if c.DiscoveryPath == "" {
			c.DiscoveryPath = DefaultDiscoveryPath
		}
		if c.PavedCheck == "" {
			c.PavedCheck = DefaultPavedCheck
		}
		if c.Environment == "" {
			c.Environment = DefaultEnvironment
		}
		if len(c.InfrastructurePaths) == 0 {
			c.InfrastructurePaths = DefaultInfrastructurePaths
		}
	}
	if c.Kind == KindKubernetes && c.LabelSelector == "" {
		c.LabelSelector = DefaultLabelSelector
	}
	return c
}

// PushTTLOrDefault is how long a pushed fact counts by default.
func (c *Config) PushTTLOrDefault() time.Duration {
	if c == nil || c.PushTTL == 0 {
		return DefaultPushTTL
	}
	return time.Duration(c.PushTTL)
}

// Collector returns the normalised collector named name.
func (c *Config) Collector(name string) (CollectorConfig, bool) {
	if c == nil {
		return CollectorConfig{}, false
	}
	for _, x := range c.Collectors {
		if x.Name == name {
			return x.Normalized(), true
		}
	}
	return CollectorConfig{}, false
}

// Validate checks the section; where maps a key path
// ("facts.collectors[0].kind") to where it was set, as config.Config.Where.
func (c *Config) Validate(where func(string) string) error {
	if c == nil {
		return nil
	}
	if c.PushTTL != 0 && time.Duration(c.PushTTL) > maxTTL {
		return paved.FieldErrorf(paved.EINVALID, where("facts.push_ttl"), "facts.push_ttl is %s: at most 365d", time.Duration(c.PushTTL))
	}
	seen := map[string]bool{}
	for i, raw := range c.Collectors {
		at := func(k string) string { return where(fmt.Sprintf("facts.collectors[%d].%s", i, k)) }
		p := fmt.Sprintf("facts.collectors[%d]", i)
		if err := paved.ValidateName(at("name"), raw.Name); err != nil {
			return paved.FieldErrorf(paved.EINVALID, at("name"), "%s.name: %s", p, paved.ErrorMessage(err))
		}
		if raw.Name == paved.FactSourcePush {
			return paved.FieldErrorf(paved.EINVALID, at("name"), "%s.name: %q is the source of pushed facts: name the collector otherwise", p, raw.Name)
		}
		if seen[raw.Name] {
			return paved.FieldErrorf(paved.EINVALID, at("name"), "%s.name: two collectors are named %q: names are unique", p, raw.Name)
		}
		seen[raw.Name] = true
		x := raw.Normalized()
		if !slices.Contains(Kinds, x.Kind) {
			return paved.FieldErrorf(paved.EINVALID, at("kind"), "%s.kind: unknown kind %q: want one of %s", p, x.Kind, strings.Join(Kinds, ", "))
		}
		if time.Duration(x.Interval) < minInterval {
			return paved.FieldErrorf(paved.EINVALID, at("interval"), "%s.interval is %s: at least 1m (the providers' rate limits are shared with everyone else)", p, time.Duration(x.Interval))
		}
		if t := time.Duration(x.Timeout); t > maxTimeout || t > time.Duration(x.Interval) {
			return paved.FieldErrorf(paved.EINVALID, at("timeout"), "%s.timeout is %s: at most the interval (%s) and 1h", p, t, time.Duration(x.Interval))
		}
		if t := time.Duration(x.TTL); t < time.Duration(x.Interval) || t > maxTTL {
			return paved.FieldErrorf(paved.EINVALID, at("ttl"), "%s.ttl is %s: at least the interval (%s), so that facts outlive one run, and at most 365d", p, t, time.Duration(x.Interval))
		}
		if x.RequestsPerSecond < 0 || x.RequestsPerSecond > maxRate {
			return paved.FieldErrorf(paved.EINVALID, at("requests_per_second"), "%s.requests_per_second is %d: want 1 to %d", p, x.RequestsPerSecond, maxRate)
		}
		// Settings of another kind are mistakes, not silently ignored.
		misplaced := func(key string, set bool, kinds ...string) error {
			if set && !slices.Contains(kinds, x.Kind) {
				return paved.FieldErrorf(paved.EINVALID, at(key), "%s.%s is for %s collectors, not %s", p, key, strings.Join(kinds, " and "), x.Kind)
			}
			return nil
		}
		git := []string{KindGitHub, KindGitLab}
		saas := []string{KindGitHub, KindGitLab, KindPagerDuty, KindOpsgenie}
		for _, m := range []struct {
			key   string
			set   bool
			kinds []string
		}{
			{"base_url", raw.BaseURL != "", saas}, {"token_env", raw.TokenEnv != "", saas},
			{"auth_scheme", raw.AuthScheme != "", []string{KindGitLab}},
			{"organisation", raw.Organisation != "", git}, {"discovery_path", raw.DiscoveryPath != "", git},
			{"paved_check", raw.PavedCheck != "", git}, {"enablement_owners", len(raw.EnablementOwners) > 0, git},
			{"infrastructure_paths", len(raw.InfrastructurePaths) > 0, git}, {"environment", raw.Environment != "", git},
			{"kubeconfig", raw.Kubeconfig != "", []string{KindKubernetes}}, {"context", raw.Context != "", []string{KindKubernetes}},
			{"label_selector", raw.LabelSelector != "", []string{KindKubernetes}}, {"namespaces", len(raw.Namespaces) > 0, []string{KindKubernetes}},
		} {
			if err := misplaced(m.key, m.set, m.kinds...); err != nil {
				return err
			}
		}
		if slices.Contains(saas, x.Kind) {
			if !envRE.MatchString(x.TokenEnv) {
				return paved.FieldErrorf(paved.EINVALID, at("token_env"), "%s.token_env: name the environment variable that holds the %s token (credentials never go in paved.yaml)", p, x.Kind)
			}
			u, err := url.Parse(x.BaseURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
				return paved.FieldErrorf(paved.EINVALID, at("base_url"), "%s.base_url %q: want an http(s) URL of the API without credentials or query, such as %s", p, x.BaseURL, DefaultBaseURL[x.Kind])
			}
		}
		if x.AuthScheme != "" && x.AuthScheme != AuthPrivateToken && x.AuthScheme != AuthBearer {
			return paved.FieldErrorf(paved.EINVALID, at("auth_scheme"), "%s.auth_scheme %q: want %s (the PRIVATE-TOKEN header; the default) or %s (an OAuth token)", p, x.AuthScheme, AuthPrivateToken, AuthBearer)
		}
		for j, o := range x.EnablementOwners {
			if !ownerRE.MatchString(o) {
				return paved.FieldErrorf(paved.EINVALID, at(fmt.Sprintf("enablement_owners[%d]", j)), "%s.enablement_owners[%d] %q: want a CODEOWNERS owner such as @acme/platform", p, j, o)
			}
		}
		for j, pth := range x.InfrastructurePaths {
			if pth == "" || strings.HasPrefix(pth, "/") || strings.Contains(pth, "..") {
				return paved.FieldErrorf(paved.EINVALID, at(fmt.Sprintf("infrastructure_paths[%d]", j)), "%s.infrastructure_paths[%d] %q: want a path inside the repository such as terraform/main.tf", p, j, pth)
			}
		}
		if x.Kind == KindKubernetes && !strings.Contains(x.LabelSelector, ServicePlaceholder) {
			return paved.FieldErrorf(paved.EINVALID, at("label_selector"), "%s.label_selector %q does not name the service: write %s where its name goes, such as %s", p, x.LabelSelector, ServicePlaceholder, DefaultLabelSelector)
		}
		for j, ns := range x.Namespaces {
			if err := paved.ValidateName(at(fmt.Sprintf("namespaces[%d]", j)), ns); err != nil {
				return err
			}
		}
	}
	return nil
}
