// Package web serves paved over HTTP: the REST API under /api/v1, the
// server-rendered portal, and the operational endpoints (/healthz, /readyz,
// /metrics). Every route is registered in routes.go, and every route that
// touches data passes the one authorisation point, paved.Authorize.
package web

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/catalog"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/ownership"
	"github.com/paved-dev/paved/internal/platform"
)

// Config holds every dependency of the server; NewServer takes nothing else.
type Config struct {
	Store    paved.Store
	Logger   *slog.Logger
	Registry *prometheus.Registry // nil: a fresh registry
	// Organisation is shown in the portal header.
	Organisation string
	// Catalog options apply to imports through the API.
	Catalog catalog.Options
	// Templates are the configured questionnaire and checklist (the
	// platform config's templates/ folder over the embedded defaults);
	// nil: the embedded defaults.
	Templates *launch.Library
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
	// Exceptions is the exception policy of paved.yaml (zero: the
	// defaults); Rules returns a guard rail's metadata (which rules are
	// security rules); ExceptionKey signs the offline export (nil: the
	// store's key, generated on first use).
	Exceptions   paved.ExceptionPolicy
	Rules        func(id string) (paved.Rule, bool)
	ExceptionKey ed25519.PrivateKey
	// Ownership is the platform config's ownership.yaml; nil: the embedded
	// default map. Admin edits in the database are laid over it.
	Ownership *ownership.Map
	// Spend is paved.yaml's spend section (allocation, budgets, alert
	// rules); nil: the defaults.
	Spend *cost.SpendConfig
	// Platform is the platform config snapshot the settings above came
	// from: the guard rails of the campaigns and of the impact analysis,
	// and the config version recorded checks are compared with. nil: the
	// built-in defaults (loaded on first use).
	Platform *platform.Snapshot
	// ConfigStatus reports the config reloader of paved serve --config
	// (the version in force, a refused config) for the admins' banner,
	// GET /api/v1/config and /metrics; nil: the status of Platform.
	ConfigStatus func() paved.ConfigStatus
	// AuthFailures limits failed authentications per client address
	// (ratelimit.go); zero: no limit. TrustedProxies are the reverse
	// proxies whose X-Forwarded-For names the client. Both last for the
	// process.
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
	// launch runs the path to production for the API and the portal.
	launch *launch.Service
	// exceptions runs exception requests and decisions for the API and the portal.
	exceptions *exception.Service
	// ownership answers the ownership map, responsibilities and gaps.
	ownership *ownership.Service
	// spend ingests billing files and answers reports, budgets and alerts.
	spend *cost.Spend

	// live is the root handler: it serves every request with the server
	// of the config in force. NewServer sets it to itself; Prepare builds
	// a copy of the server for a reloaded config, and its apply function
	// swaps the copy in with one atomic store. Copies share live, the
	// metrics, the portal's templates, the read cache and the store.
	live *liveHandler
	// builtin loads the built-in defaults' snapshot once, for servers
	// made without Config.Platform.
	builtin func() (*platform.Snapshot, error)
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
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is required")
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
	cfg = configDefaults(cfg)
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, cache: newReadCache(),
		live: &liveHandler{}, campaigns: &campaignCache{}, impactBusy: make(chan struct{}, 1)}
	s.builtin = sync.OnceValues(func() (*platform.Snapshot, error) { return platform.Load("", platform.Options{Now: cfg.Now}) })
	s.configure()
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, fmt.Errorf("web: registering metrics: %w", err)
	}
	s.metrics = m
	if s.authLimit, err = newAuthLimiter(cfg.AuthFailures, cfg.Now, cfg.Registry); err != nil {
		return nil, fmt.Errorf("web: registering auth metrics: %w", err)
	}
	if _, err := register(cfg.Registry, newWebhookCollector(cfg.Store, cfg.Webhooks)); err != nil {
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

// configDefaults fills what a Config leaves out.
func configDefaults(cfg Config) Config {
	if cfg.Catalog.Lifecycles == nil && cfg.Catalog.MaxFileBytes == 0 {
		// The zero Options is not a usable mapping (see catalog.Options).
		cfg.Catalog = catalog.DefaultOptions()
	}
	if cfg.Templates == nil {
		cfg.Templates = launch.DefaultLibrary()
	}
	return cfg
}

// configure builds the application services from s.cfg. Everything the
// server derives from the platform config belongs here, so that Prepare
// rebuilds it for a reloaded config.
func (s *Server) configure() {
	cfg := s.cfg
	s.launch = &launch.Service{Store: cfg.Store, Library: cfg.Templates, Now: cfg.Now}
	s.ownership = &ownership.Service{Store: cfg.Store, Map: cfg.Ownership, Now: cfg.Now}
	s.launch.Considerations = s.ownership.Considerations
	s.spend = &cost.Spend{Store: cfg.Store, Config: cfg.Spend, Now: cfg.Now}
	s.exceptions = &exception.Service{Store: cfg.Store, Policy: cfg.Exceptions, Rules: cfg.Rules, Key: cfg.ExceptionKey,
		Organisation: cfg.Organisation, Now: cfg.Now}
}

// Prepare readies the server for a reloaded platform config without
// applying it: a copy of the server whose config-derived parts
// (organisation, catalog mapping, templates, ownership map, exception
// settings, spend settings, the platform snapshot) come from cfg, while
// the process-wide parts (store, logger, metrics, clock, body limit,
// cookies, version, webhook counts, config status) stay those of
// NewServer. The returned function swaps the copy in with one atomic
// store: each request runs entirely on one config, old or new.
func (s *Server) Prepare(cfg Config) (apply func(), err error) {
	base := s.cfg
	cfg.Store, cfg.Logger, cfg.Registry, cfg.Now = base.Store, base.Logger, base.Registry, base.Now
	cfg.MaxBodyBytes, cfg.SecureCookies, cfg.Version = base.MaxBodyBytes, base.SecureCookies, base.Version
	cfg.Webhooks, cfg.ConfigStatus = base.Webhooks, base.ConfigStatus
	cfg.AuthFailures, cfg.TrustedProxies = base.AuthFailures, base.TrustedProxies
	n := *s
	n.cfg = configDefaults(cfg)
	n.configure()
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
