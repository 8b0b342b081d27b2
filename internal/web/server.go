// Package web serves paved over HTTP: the REST API under /api/v1, the
// server-rendered portal, and the operational endpoints (/healthz, /readyz,
// /metrics). Every route is registered in routes.go, and every route that
// touches data passes the one authorisation point, paved.Authorize.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/ownership"
)

// Config holds every dependency of the server; NewServer takes nothing
// else. App holds what comes from the platform config (the application
// services over the store); the rest are settings of the process, which a
// config reload does not change.
type Config struct {
	// App is the application services, built from the platform config in
	// force (internal/app); Prepare takes the App of a reloaded config.
	App      *app.App
	Logger   *slog.Logger
	Registry *prometheus.Registry // nil: a fresh registry
	// MaxBodyBytes limits request bodies (default 1 MiB; imports 32 MiB).
	MaxBodyBytes int64
	// SecureCookies sets the Secure flag on the session cookie. It is on by
	// default; turn it off only for plain-HTTP development on localhost.
	SecureCookies bool
	Version       string
	Now           func() time.Time
	// Webhooks reports the job runner's webhook deliveries for /metrics
	// (notify.Runner); nil: only the database's pending and failed counts.
	Webhooks WebhookCounts
	// ConfigStatus reports the config reloader of paved serve --config
	// (the version in force, a refused config) for the admins' banner,
	// GET /api/v1/config and /metrics; nil: the status of the App's
	// snapshot.
	ConfigStatus func() paved.ConfigStatus
	// AuthFailures limits failed authentications per client address
	// (ratelimit.go); zero: no limit. TrustedProxies are the reverse
	// proxies whose X-Forwarded-For names the client.
	AuthFailures   AuthLimit
	TrustedProxies []netip.Prefix
}

// Server is paved's HTTP face.
type Server struct {
	cfg     Config
	store   paved.Store
	log     *slog.Logger
	handler http.Handler
	metrics *metrics
	openapi []byte // the OpenAPI document, built once from the route table
	now     func() time.Time
	portal  *portal // templates and assets, prepared by initPortal
	cache   *readCache
	// csp is the Content-Security-Policy of every response (the provider's
	// origin is a form target when single sign-on is on: cspWithSignOut).
	csp string
	// app is the application services of the config in force; the
	// fields below are its services under the names the handlers use
	// (configure sets them).
	app *app.App
	// launch runs the path to production for the API and the portal.
	launch *launch.Service
	// exceptions runs exception requests and decisions for the API and the portal.
	exceptions *exception.Service
	// ownership answers the ownership map, responsibilities and gaps.
	ownership *ownership.Service
	// spend ingests billing files and answers reports, budgets and alerts.
	spend *cost.Spend
	// facts serves the facts, runs the collectors and takes pushes.
	facts *facts.Service

	// live is the root handler: it serves every request with the server
	// of the config in force. NewServer sets it to itself; Prepare builds
	// a copy of the server for a reloaded config, and its apply function
	// swaps the copy in with one atomic store. Copies share live, the
	// metrics, the portal's templates, the read cache and the store.
	live *liveHandler
	// campaigns caches the campaigns page's evaluation (portal_campaigns.go).
	campaigns *campaignCache
	// impactBusy lets one impact analysis run at a time (api_config.go).
	impactBusy chan struct{}
	// authLimit refuses addresses that failed to authenticate too often
	// (ratelimit.go); shared by Prepare's copies.
	authLimit *authLimiter
}

// liveHandler serves each request with the server in force.
type liveHandler struct{ cur atomic.Pointer[Server] }

func (l *liveHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.cur.Load().handler.ServeHTTP(w, r)
}

// NewServer builds the server and parses its templates (so a broken template
// fails at start-up, not on first request).
func NewServer(cfg Config) (*Server, error) {
	if cfg.App == nil {
		return nil, errors.New("web: Config.App is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, store: cfg.App.Store, log: cfg.Logger, now: cfg.Now, cache: newReadCache(),
		live: &liveHandler{}, campaigns: &campaignCache{}, impactBusy: make(chan struct{}, 1)}
	s.configure(cfg.App)
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, fmt.Errorf("web: registering metrics: %w", err)
	}
	s.metrics = m
	if s.authLimit, err = newAuthLimiter(cfg.AuthFailures, cfg.Now, cfg.Registry); err != nil {
		return nil, fmt.Errorf("web: registering auth metrics: %w", err)
	}
	if _, err := register(cfg.Registry, newWebhookCollector(s.store, cfg.Webhooks)); err != nil {
		return nil, fmt.Errorf("web: registering webhook metrics: %w", err)
	}
	if _, err := register(cfg.Registry, newConfigCollector(s.configStatus)); err != nil {
		return nil, fmt.Errorf("web: registering config metrics: %w", err)
	}
	if err := s.initPortal(); err != nil {
		return nil, err
	}
	h, err := s.routes()
	if err != nil {
		return nil, err
	}
	s.handler = h
	s.live.cur.Store(s)
	return s, nil
}

// configure takes the application services of a (reloaded) config:
// everything the server derives from the platform config comes from the
// App, so that Prepare swaps all of it at once. The store stays the one of
// NewServer.
func (s *Server) configure(a *app.App) {
	s.app = a
	s.launch, s.exceptions, s.ownership, s.spend, s.facts = a.Launch, a.Exceptions, a.Ownership, a.Spend, a.Facts
	s.csp = contentSecurityPolicy
	if a.SignIns != nil {
		s.csp = cspWithSignOut(a.SignIns.RP.Config().Origin())
	}
}

// Prepare readies the server for a reloaded platform config without
// applying it: a copy of the server that takes its application services
// from a (an App built from the new snapshot over the same store), while
// the process-wide parts (store, logger, metrics, clock, body limit,
// cookies, version, webhook counts, config status, rate limits) stay
// those of NewServer. The returned function swaps the copy in with one
// atomic store: each request runs entirely on one config, old or new.
func (s *Server) Prepare(a *app.App) (apply func(), err error) {
	if a == nil {
		return nil, errors.New("web: Prepare needs an App")
	}
	n := *s
	n.cfg.App = a
	n.configure(a)
	h, err := n.routes()
	if err != nil {
		return nil, err
	}
	n.handler = h
	return func() { s.live.cur.Store(&n) }, nil
}

// Handler returns the root handler with all middleware applied. It
// follows Prepare's swaps.
func (s *Server) Handler() http.Handler { return s.live }

// Serve serves on l until ctx is cancelled, then shuts down gracefully,
// letting requests in flight finish for up to 20 seconds.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", "20s")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
