// Package app builds paved's application services once, from one platform
// config snapshot and one store. The web server, the CLI's local database,
// the job runner's periodic jobs and the demo all take an *App, so each
// capability's flow (read, decide with the pure rules, write through the
// store) is wired in one place, with the same settings for every face. A
// reloaded config is a new App: nothing in an App changes once built.
package app

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/catalog"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/facts/collectors"
	"github.com/paved-dev/paved/internal/identity"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/ownership"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/scorecard"
)

// Options are what an App takes besides the platform config and the store:
// what lasts for the process rather than for one config.
type Options struct {
	// Now is the services' clock; nil: time.Now.
	Now func() time.Time
	// Getenv reads the environment: the collectors' credentials (each
	// collector's token_env, KUBECONFIG) and the single sign-on client
	// secret (server.oidc.client_secret_env); nil: no credentials, so a
	// collector that needs one fails its runs and says which variable is
	// unset, and single sign-on runs as a public client (PKCE still
	// protects it). paved serve passes the process's environment; nothing
	// below main reads it itself.
	Getenv func(string) string
	// FactsMetrics are the collectors' Prometheus metrics, registered once
	// for the process (a reload builds a new App over the same metrics);
	// nil records nothing.
	FactsMetrics *facts.Metrics
	// Logger logs the collectors' runs; nil: nothing.
	Logger *slog.Logger
	// HTTPClient talks to the identity provider and the CI issuers; nil:
	// one with a 10-second timeout.
	HTTPClient *http.Client
}

// App holds the application services over one store, configured by one
// platform snapshot.
type App struct {
	Store paved.Store
	// Organisation names the organisation (the portal's header, the
	// issuer of exported exceptions).
	Organisation string
	// Catalog maps Backstage entities on import and holds the defaults of
	// a new service (ServiceDefaults).
	Catalog catalog.Options

	// The services, one per capability. Add a capability's service here
	// and build it in New.
	Launch     *launch.Service
	Exceptions *exception.Service
	Ownership  *ownership.Service
	Spend      *cost.Spend
	// Facts runs the collectors of paved.yaml's facts section and
	// serves and takes facts (internal/facts).
	Facts *facts.Service
	// Scorecards score every service on the config's scorecards
	// (internal/scorecard), on demand and daily.
	Scorecards *scorecard.Service

	// Identity (internal/identity, docs/sso.md, docs/ci.md). SignIns is
	// single sign-on; nil when server.oidc is not configured. CITokens is
	// the CI token exchange; it refuses every token while ci.trust lists
	// no issuer. Session bounds portal sessions; TokenSignin keeps the
	// portal's token sign-in (break-glass).
	SignIns     *identity.SignIns
	CITokens    *identity.Exchange
	Session     identity.Session
	TokenSignin bool

	snap    *platform.Snapshot
	builtin func() (*platform.Snapshot, error)
	checker func() (*check.Checker, error)
}

// New builds the services over st from snap. A nil snap stands for the
// built-in defaults without compiling anything: the embedded templates
// and ownership map, the default policies and no rule metadata; Platform
// loads the built-in snapshot when something needs it.
func New(snap *platform.Snapshot, st paved.Store, o Options) (*App, error) {
	if st == nil {
		return nil, errors.New("app: a store is required")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	a := &App{Store: st, snap: snap, Catalog: catalog.DefaultOptions()}
	a.builtin = sync.OnceValues(func() (*platform.Snapshot, error) { return platform.Load("", platform.Options{Now: now}) })
	a.checker = sync.OnceValues(func() (*check.Checker, error) {
		snap, err := a.Platform()
		if err != nil {
			return nil, err
		}
		c, err := NewChecker(snap)
		if c != nil {
			c.Now = now
		}
		return c, err
	})
	templates := launch.DefaultLibrary()
	var (
		ownershipMap *ownership.Map
		spend        *cost.SpendConfig
		policy       paved.ExceptionPolicy
		rules        func(string) (paved.Rule, bool)
		key          ed25519.PrivateKey // nil: the store's
		factsConfig  *facts.Config
		cards        = scorecard.Defaults()
	)
	if snap != nil {
		c := snap.Config
		a.Organisation, a.Catalog = c.Organisation.Name, c.CatalogOptions()
		templates, ownershipMap, spend, factsConfig = snap.Templates, snap.Ownership, &c.Spend, &c.Facts
		if snap.Scorecards != nil {
			cards = snap.Scorecards
		}
		// The key is in the snapshot when it was loaded with it
		// (platform.Options.Secrets).
		policy, rules, key = c.Exceptions.Policy(), snap.Rule, snap.ExceptionKey
	}
	a.Ownership = &ownership.Service{Store: st, Map: ownershipMap, Now: now}
	// A launch's status shows the concerns its own resources raise.
	a.Launch = &launch.Service{Store: st, Library: templates, Now: now, Considerations: a.Ownership.Considerations}
	a.Spend = &cost.Spend{Store: st, Config: spend, Now: now}
	a.Exceptions = &exception.Service{Store: st, Policy: policy, Rules: rules, Key: key,
		Organisation: a.Organisation, Now: now}
	a.Facts = &facts.Service{Store: st, Config: factsConfig, Factories: collectors.Factories(), Metrics: o.FactsMetrics, Logger: o.Logger, Now: now,
		Deps: facts.Deps{Getenv: o.Getenv, ApprovedRegistries: a.approvedRegistries}}
	a.Scorecards = &scorecard.Service{Store: st, Cards: cards, Now: now, Gather: a.scorecardInputs}
	if err := a.buildIdentity(snap, o, now); err != nil {
		return nil, err
	}
	return a, nil
}

// scoredPhases are the phases whose services the scorecards read (a
// retired service is never scored).
var scoredPhases = []paved.Phase{paved.PhasePlayground, paved.PhaseGreenLight, paved.PhaseProduction}

// scorecardInputs hands the scorecards what the launch knows of each
// service, so that internal/scorecard need not import internal/launch.
func (a *App) scorecardInputs(ctx context.Context, service string) ([]*scorecard.Input, error) {
	items, err := a.Launch.ItemStates(ctx, service, scoredPhases)
	if err != nil {
		return nil, err
	}
	out := make([]*scorecard.Input, 0, len(items))
	for _, it := range items {
		l := it.Launch
		out = append(out, &scorecard.Input{Service: l.Service, Items: it.Items, Facts: l.Facts, LatestCheck: l.LatestCheck})
	}
	return out, nil
}

// approvedRegistriesRule is the guard rail whose approved parameter says
// which registries a service's images may come from; the Kubernetes
// collector judges the images it sees running by it.
const approvedRegistriesRule = "k8s-approved-registries"

// approvedRegistries is the rule's approved parameter for svc, as a check
// of svc would see it (defaults, paved.yaml, the tier's and the phase's
// overrides); nil when the rules do not compile or the rule is disabled
// or unknown, so that the collector reports no verdict rather than a
// wrong one.
func (a *App) approvedRegistries(svc *paved.Service) []string {
	snap, err := a.Platform()
	if err != nil {
		return nil
	}
	eng, err := snap.Compiled()
	if err != nil || eng == nil || eng.Disabled(approvedRegistriesRule) {
		return nil
	}
	ps, ok := eng.Params(approvedRegistriesRule, check.ServiceContext(svc))
	if !ok {
		return nil
	}
	switch v := ps["approved"].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// buildIdentity builds single sign-on and the CI token exchange from the
// snapshot's server.oidc, server.session, server.token_signin and ci.
// Neither makes a request here: a provider that is down does not stop
// paved from starting (token sign-in still works).
func (a *App) buildIdentity(snap *platform.Snapshot, o Options, now func() time.Time) error {
	a.Session, a.TokenSignin = identity.DefaultSession(), true
	var ci identity.CI
	if snap != nil {
		c := snap.Config
		a.Session, a.TokenSignin, ci = c.Server.Session, c.Server.TokenSignin, c.CI
		if c.Server.OIDC.Enabled() {
			secret := ""
			if env := c.Server.OIDC.ClientSecretEnv; env != "" && o.Getenv != nil {
				secret = o.Getenv(env)
			}
			rp, err := identity.NewRP(&c.Server.OIDC, identity.RPOptions{ClientSecret: secret, HTTPClient: o.HTTPClient, Now: now})
			if err != nil {
				return fmt.Errorf("app: single sign-on: %w", err)
			}
			a.SignIns = &identity.SignIns{RP: rp, Store: a.Store}
		}
	}
	v, err := identity.NewCIVerifier(&ci, identity.CIOptions{HTTPClient: o.HTTPClient, Now: now})
	if err != nil {
		return fmt.Errorf("app: CI token exchange: %w", err)
	}
	a.CITokens = &identity.Exchange{Verifier: v, Store: a.Store, Services: a.allServices, Now: now}
	return nil
}

// allServices lists every active service, page by page: the CI token
// exchange matches the job's repository against all of them.
func (a *App) allServices(ctx context.Context) ([]*paved.Service, error) {
	var out []*paved.Service
	for {
		page, total, err := a.Store.FindServices(ctx, paved.ServiceFilter{Page: paved.Page{Offset: len(out), Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// Platform is the snapshot the App was built from, or the built-in
// defaults' (loaded once, on first use) for an App made without one: the
// config API, the impact analysis and the campaigns need one.
func (a *App) Platform() (*platform.Snapshot, error) {
	if a.snap != nil {
		return a.snap, nil
	}
	return a.builtin()
}

// Checker is the check pipeline's platform config (internal/check),
// made on first use: the rules of a snapshot loaded with
// platform.Options.DeferEngine compile then.
func (a *App) Checker() (*check.Checker, error) { return a.checker() }

// Snapshot is the snapshot the App was built from; nil for the built-in
// defaults.
func (a *App) Snapshot() *platform.Snapshot { return a.snap }

// ServiceDefaults are what a new service gets for what its creator left
// out (paved.PrepareNewService).
func (a *App) ServiceDefaults() paved.ServiceDefaults {
	return paved.ServiceDefaults{Tier: a.Catalog.DefaultTier, DataClass: a.Catalog.DefaultDataClass}
}
