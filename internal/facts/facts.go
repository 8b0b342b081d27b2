// Package facts is how paved learns the state of each service instead of
// being told: collectors observe GitHub, GitLab, PagerDuty, Opsgenie and
// the clusters, pipelines push what only they know, and the store keeps
// the current facts and their history (paved.FactStore). This package
// holds the rules (which keys a push may write, expiry, drift between the
// cluster and the checked manifests), the shared API client with its
// rate-limit handling, the metrics, and Service, which runs a collector
// once (the job runner's periodic jobs and `paved facts collect`) and
// serves the faces. The collectors are sub-packages; internal/facts/expr
// is the comparison language of templates and scorecards. docs/facts.md
// is the user guide.
package facts

import (
	"context"
	"net/http"
	"net/url"
	"time"

	paved "github.com/paved-dev/paved"
)

// Collector observes the services it can from one outside system.
type Collector interface {
	// Collect observes t.Services and reports each one's facts with
	// t.Observe (or its failure with t.Fail); a service it has no handle
	// on (no repository link, no PagerDuty id) is left out. It returns an
	// error only when the run failed as a whole (bad credentials, the API
	// unreachable): facts already observed are still recorded.
	Collect(ctx context.Context, t *Target) error
}

// Version is the version of the facts' meaning: raise it when a key's
// definition changes, so that a fact says which collector produced it.
const Version = "1"

// Target is one run's work and where its results go.
type Target struct {
	Services []*paved.Service
	// Teams are the catalog's teams (CODEOWNERS owners of enablement
	// teams).
	Teams []*paved.Team
	// Discover asks the collector to look for catalog files too (a full
	// run; not when run for a few services).
	Discover bool
	Now      time.Time

	observed    map[string]map[string]any
	failed      map[string]string
	discoveries []*paved.CatalogDiscovery
	discovered  bool
}

// NewTarget makes a target for services.
func NewTarget(services []*paved.Service, now time.Time) *Target {
	return &Target{Services: services, Now: now, observed: map[string]map[string]any{}, failed: map[string]string{}}
}

// Observe records a service's facts: everything the collector knows of
// it (a complete observation).
func (t *Target) Observe(service string, facts map[string]any) {
	t.observed[service] = facts
	delete(t.failed, service)
}

// Fail records that a service could not be observed; its facts stay as
// they were until they expire.
func (t *Target) Fail(service string, err error) {
	if _, ok := t.observed[service]; !ok {
		t.failed[service] = oneLine(err.Error())
	}
}

// Discovered records the catalog files found.
func (t *Target) Discovered(ds []*paved.CatalogDiscovery) {
	t.discoveries, t.discovered = ds, true
}

// Observed returns what the run observed, by service (tests).
func (t *Target) Observed() map[string]map[string]any { return t.observed }

// Failed returns the services that failed, with why (tests).
func (t *Target) Failed() map[string]string { return t.failed }

// Discoveries returns the catalog files found and whether the collector
// looked.
func (t *Target) Discoveries() ([]*paved.CatalogDiscovery, bool) { return t.discoveries, t.discovered }

// Deps is what a collector gets from the process: the environment for its
// credentials, an HTTP client, and, for the cluster, the approved
// registries.
type Deps struct {
	Getenv     func(string) string
	HTTPClient *http.Client
	// ApprovedRegistries returns the approved registries (the
	// k8s-approved-registries guard rail's parameter) for a service; nil
	// when paved cannot tell (the collector then judges no image).
	ApprovedRegistries func(svc *paved.Service) []string
	// OnRateLimit counts rate-limited answers (metrics).
	OnRateLimit func()
	// Sleep, when set, replaces waiting (tests).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Factory builds a collector from its configuration.
type Factory func(c CollectorConfig, d Deps) (Collector, error)

// NewAPI is the API client a SaaS collector uses: the base URL, a pace
// from requests_per_second, the process's HTTP client.
func NewAPI(c CollectorConfig, d Deps, header http.Header) (*API, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil, err
	}
	client := d.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	rate := c.RequestsPerSecond
	if rate <= 0 {
		rate = DefaultRequestsPerSec
	}
	return &API{Base: u, Client: client, Header: header, Interval: time.Second / time.Duration(rate), OnRateLimit: d.OnRateLimit, Sleep: d.Sleep}, nil
}
