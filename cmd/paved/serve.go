package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	pavedapp "github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/demo"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/scorecard"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/web"
)

// demoAddr is where --demo listens unless told otherwise: on loopback only,
// because the demo's tokens are printed to a terminal and its data is not
// meant for a network.
const demoAddr = "localhost:8080"

// bootstrapper creates the first admin and its token in one transaction
// (internal/store implements it).
type bootstrapper interface {
	Bootstrap(ctx context.Context, u *paved.User, t *paved.Token) (bool, error)
}

// bootstrapUser is the admin created on an empty database.
const bootstrapUser = "admin"

func (a *app) serveCmd() *cobra.Command {
	var (
		addr            string
		withDemo        bool
		insecureCookies bool
		reloadEvery     time.Duration
		auditEvery      time.Duration
		anchorEvery     time.Duration
		anchorFile      string
	)
	cmd := &cobra.Command{
		Use:   "serve [--addr :8080] [--database paved.db|postgres://...] [--config paved.yaml] [--demo]",
		Short: "Run the paved server: REST API, portal, /metrics, /healthz and /readyz",
		Long: `Run the paved server. On an empty database it creates an admin user and
prints its API token once (or uses PAVED_BOOTSTRAP_TOKEN as the token).
--demo seeds a demo organisation once and prints a token for each demo user;
it listens on localhost:8080 unless --addr, PAVED_ADDR or paved.yaml says
otherwise. Logs are JSON on stderr. SIGINT or SIGTERM shuts down gracefully.

With --config DIR (the platform config directory) the server reloads the
config when the directory's content changes (checked every --reload-every)
or on SIGHUP: a valid config is swapped in at once, an invalid one is
refused and the previous one stays in force (docs/config-as-code.md).`,
		Args: cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&addr, "addr", config.DefaultAddr, "listen address host:port (env PAVED_ADDR)")
	fl.BoolVar(&withDemo, "demo", false, "seed the demo organisation (once) and print its users' tokens")
	fl.BoolVar(&insecureCookies, "insecure-cookies", false, "send the session cookie without the Secure flag (plain-HTTP development only)")
	fl.DurationVar(&reloadEvery, "reload-every", platform.DefaultPoll, "how often to look for a changed platform config directory (0: only on SIGHUP)")
	fl.DurationVar(&auditEvery, "audit-verify-every", time.Hour, "how often to verify the audit hash chain in the background, for /metrics (0: never)")
	fl.DurationVar(&anchorEvery, "audit-anchor-every", 0, "how often to append a signed anchor of the audit log's head to --audit-anchor-file (0: never)")
	fl.StringVar(&anchorFile, "audit-anchor-file", "", "the file anchors are appended to, one JSON line each, for paved audit verify --anchor (keep it outside the database's reach)")
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		if err := checkAnchorFlags(anchorEvery, anchorFile); err != nil {
			return err
		}
		if cmd.Flags().Changed("addr") {
			if err := config.ValidateAddr("--addr", addr); err != nil {
				return err
			}
		}
		if reloadEvery < 0 {
			return usagef("--reload-every %s: want 0 or a positive duration", reloadEvery)
		}
		if auditEvery < 0 {
			return usagef("--audit-verify-every %s: want 0 or a positive duration", auditEvery)
		}
		// The platform config directory, loaded whole into one immutable
		// snapshot (internal/platform): a malformed paved.yaml, policy,
		// template, ownership.yaml or pricebook.yaml fails the start, not
		// the first request. Everything built from the config is built
		// from a snapshot, so that a reload swaps all of it at once.
		popts := platform.Options{
			Adjust: func(c *config.Config) error {
				if err := a.adjustConfig(c); err != nil {
					return err
				}
				if cmd.Flags().Changed("addr") {
					c.Server.Addr = addr
					c.SetBy("server.addr", "--addr")
				}
				return nil
			},
			Secrets: &platform.Secrets{Getenv: a.getenv, ReadFile: os.ReadFile},
		}
		snap, err := platform.Load(a.configDir(), popts)
		if err != nil {
			return err
		}
		cfg := snap.Config
		if withDemo && !cfg.IsSet("server.addr") && !cmd.Flags().Changed("addr") {
			cfg.Server.Addr = demoAddr
		}
		log := slog.New(slog.NewJSONHandler(a.stderr, nil))
		reloader := platform.NewReloader(snap.Dir, snap, popts, log)
		log.Info("platform config loaded", "dir", snap.Dir, "version", snap.Version.String(), "rules", len(snap.Engine.Rules()))

		secure := cfg.Server.SecureCookies
		switch {
		case insecureCookies:
			secure = false
			log.Warn("session cookies are sent without the Secure flag (--insecure-cookies): use this only for plain-HTTP development")
		case withDemo && secure && isLoopback(cfg.Server.Addr):
			// Browsers drop Secure cookies on plain http:// in some
			// setups; the demo on loopback must just work.
			secure = false
			log.Info("demo on a loopback address: session cookies are sent without the Secure flag so that plain http://localhost works")
		}

		db, err := store.Open(ctx, cfg.Server.Database)
		if err != nil {
			return err
		}
		defer db.Close()
		log.Info("database ready", "engine", db.Engine(), "database", redactDSN(cfg.Server.Database))

		env := config.FromEnv(a.getenv)
		if err := a.bootstrap(ctx, db, env.BootstrapToken, log); err != nil {
			return err
		}
		// The metrics registry: the audit chain, verified in the
		// background (audit_watch.go), then every other part's metrics.
		reg, auditWatch, err := newAuditWatchRegistry(db, log, auditEvery)
		if err != nil {
			return err
		}
		// The collectors' metrics last for the process; every App (one
		// per reload) counts into them.
		factsMetrics, err := facts.NewMetrics(reg)
		if err != nil {
			return err
		}
		appOpts := pavedapp.Options{Getenv: a.getenv, FactsMetrics: factsMetrics, Logger: log}
		// The application services, built from the snapshot; a reload
		// builds the new snapshot's App and swaps it in (live).
		ap, err := pavedapp.New(snap, db, appOpts)
		if err != nil {
			return err
		}
		var live atomic.Pointer[pavedapp.App]
		live.Store(ap)
		if withDemo {
			if err := a.seedDemo(ctx, ap, log); err != nil {
				return err
			}
		}

		// The job runner delivers webhooks and runs periodic jobs on every
		// replica; each piece of work is leased to one of them.
		runner, err := a.newJobRunner(cfg, db, log)
		if err != nil {
			return err
		}
		// Periodic jobs (notify.Job): each runs on one replica at a time,
		// every Every. Add yours to this list. A job takes the App in
		// force at each run (appJob), so that it follows reloads.
		jobs := []notify.Job{
			appJob(live.Load, func(ap *pavedapp.App) notify.Job { return exceptionExpiringJob(ap.Exceptions, log) }),
			appJob(live.Load, func(ap *pavedapp.App) notify.Job { return costAlertsJob(ap.Spend, log) }),
			campaignsJob(live.Load, log),
		}
		// One job per collector of facts.collectors, each alone on the
		// runner with its own interval (internal/facts).
		jobs = append(jobs, facts.LiveJobs(func() *facts.Service { return live.Load().Facts }, log)...)
		// The scorecards' daily evaluation of every service, with the
		// scorecards of the config in force (internal/scorecard).
		jobs = append(jobs, scorecard.LiveJob(func() *scorecard.Service { return live.Load().Scorecards }, log.Info))
		for _, j := range jobs {
			if err := runner.Register(j); err != nil {
				return err
			}
		}

		// The web server takes the App (what comes from the platform
		// config, swapped at every reload) and the settings that last for
		// the process (limits, cookies, metrics).
		wc := web.Config{App: ap, Logger: log, Version: buildInfo().Version,
			MaxBodyBytes: int64(cfg.Server.MaxBodyBytes), SecureCookies: secure,
			Webhooks: runner, ConfigStatus: reloader.Status,
			AuthFailures:   web.AuthLimit{PerMinute: cfg.Server.AuthFailures.PerMinute, Burst: cfg.Server.AuthFailures.Burst},
			TrustedProxies: cfg.TrustedProxyPrefixes()}
		wc.Registry = reg
		srv, err := web.NewServer(wc)
		if err != nil {
			return err
		}
		// A reload builds the new snapshot's App and readies the web
		// server's copy first; only when it is ready does the new snapshot
		// go in, with the web handler, the jobs' App and the webhook
		// targets swapped right after it.
		reloader.Prepare = func(s *platform.Snapshot) (func(), error) {
			warnRestartOnly(cfg, s.Config, log)
			next, err := pavedapp.New(s, db, appOpts)
			if err != nil {
				return nil, err
			}
			apply, err := srv.Prepare(next)
			if err != nil {
				return nil, err
			}
			return func() {
				apply()
				live.Store(next)
				if err := runner.SetTargets(s.Targets, s.Config.Server.PublicURL); err != nil {
					log.Error("webhook targets of the reloaded config", "error", err)
				}
			}, nil
		}
		l, err := net.Listen("tcp", cfg.Server.Addr)
		if err != nil {
			return paved.FieldErrorf(paved.EINVALID, cfg.Where("server.addr"), "cannot listen on %s: %v", cfg.Server.Addr, err)
		}
		url := "http://" + browseAddr(l.Addr())
		log.Info("listening", "addr", l.Addr().String(), "url", url, "secure_cookies", secure, "version", buildInfo().Version)
		fmt.Fprintf(a.stderr, "\npaved is running: open %s/ (Ctrl-C stops it)\n\n", url)
		rctx, stopRunner := context.WithCancel(ctx)
		runnerDone := make(chan struct{})
		go func() { defer close(runnerDone); runner.Run(rctx) }()
		// The config reloader: polls the directory, and SIGHUP reloads now.
		stopWatch := a.watchConfig(rctx, reloader, reloadEvery)
		defer stopWatch()
		// On the way out the runner stops taking work and lets the
		// deliveries in flight finish (each within its timeout).
		defer func() { stopRunner(); <-runnerDone }()
		auditDone := make(chan struct{})
		go func() { defer close(auditDone); auditWatch.run(rctx) }()
		defer func() { stopRunner(); <-auditDone }()
		anchorer := &auditAnchorer{every: anchorEvery, file: anchorFile, log: log,
			sign: func(ctx context.Context) (*paved.AuditAnchor, error) {
				return live.Load().Exceptions.AnchorAuditLog(ctx, db)
			}}
		anchorDone := make(chan struct{})
		go func() { defer close(anchorDone); anchorer.run(rctx) }()
		defer func() { stopRunner(); <-anchorDone }()
		if err := srv.Serve(ctx, l); err != nil {
			return fmt.Errorf("serving on %s: %w", l.Addr(), err)
		}
		log.Info("stopped")
		return nil
	})
	return cmd
}

// bootstrap creates the first admin on an empty database (no users at all,
// retired ones included) and prints its token once, or takes the token
// from PAVED_BOOTSTRAP_TOKEN so that automation knows it in advance.
func (a *app) bootstrap(ctx context.Context, st paved.Store, envSecret string, log *slog.Logger) error {
	_, n, err := st.FindUsers(ctx, paved.UserFilter{IncludeRetired: true, Page: paved.Page{Limit: 1}})
	if err != nil {
		return fmt.Errorf("bootstrap: counting users: %w", err)
	}
	if n > 0 {
		if envSecret != "" {
			log.Info("PAVED_BOOTSTRAP_TOKEN is ignored: the database already has users")
		}
		return nil
	}
	secret := envSecret
	if secret != "" {
		if err := checkBootstrapSecret(secret); err != nil {
			return err
		}
	} else {
		secret = paved.NewTokenSecret()
	}
	ctx = paved.WithActor(ctx, paved.Actor{Name: "bootstrap"})
	b, ok := st.(bootstrapper)
	if !ok {
		return fmt.Errorf("bootstrap: the store cannot bootstrap")
	}
	tok := &paved.Token{User: bootstrapUser, Name: "bootstrap", Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret)}
	created, err := b.Bootstrap(ctx, &paved.User{Name: bootstrapUser, DisplayName: "Administrator", Roles: []paved.Role{paved.RoleAdmin}, Teams: []string{}}, tok)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	if !created {
		// Another replica bootstrapped the same empty database at the same
		// moment; its admin stands.
		log.Info("bootstrap: another paved created the admin first")
		return nil
	}
	log.Info("bootstrap: created the first admin", "user", bootstrapUser, "token_id", tok.ID, "from_env", envSecret != "")
	if envSecret != "" {
		fmt.Fprintf(a.stderr, "\nCreated the admin user %q with the token from PAVED_BOOTSTRAP_TOKEN.\n\n", bootstrapUser)
		return nil
	}
	fmt.Fprintf(a.stderr, "\nCreated the admin user %q. Its API token is shown only now; keep it:\n\n    %s\n\n", bootstrapUser, secret)
	return nil
}

// checkBootstrapSecret refuses a guessable or malformed bootstrap token:
// it grants admin on a server that may face a network.
func checkBootstrapSecret(s string) error {
	switch {
	case len(s) < 24:
		return paved.FieldErrorf(paved.EINVALID, config.EnvBootstrapToken, "the token is %d characters long: use at least 24 random characters (e.g. openssl rand -hex 32)", len(s))
	case len(s) > 200:
		return paved.FieldErrorf(paved.EINVALID, config.EnvBootstrapToken, "the token is %d characters long: at most 200 are allowed", len(s))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return paved.FieldErrorf(paved.EINVALID, config.EnvBootstrapToken, "the token contains white space or control characters")
	}
	return nil
}

// seedDemo seeds the demo organisation and prints the tokens it issued.
func (a *app) seedDemo(ctx context.Context, ap *pavedapp.App, log *slog.Logger) error {
	tokens, err := demo.Seed(paved.WithActor(ctx, paved.Actor{Name: demo.Actor}), ap)
	if err != nil {
		return err
	}
	users := demo.Users()
	if len(tokens) == 0 {
		log.Info("demo organisation already present")
		fmt.Fprintf(a.stderr, "\nThe demo organisation is already here; its tokens were printed when it was first seeded.\n"+
			"Make a new one with: paved token create --user %s --database <this database>\n\n", users[0].Name)
		return nil
	}
	log.Info("demo organisation seeded", "tokens", len(tokens))
	printDemoTokens(a.stderr, users, tokens)
	printDemoStories(a.stderr)
	printDemoExceptions(a.stderr)
	printDemoSpend(a.stderr)
	return nil
}

// printDemoStories points at the launches worth a look on the path to
// production.
func printDemoStories(w io.Writer) {
	names := make([]string, 0, len(demo.Stories))
	for n := range demo.Stories {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Launches to look at on the path to production (the service's page, or paved launch status NAME):\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "    %s\t%s\n", n, demo.Stories[n])
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// printDemoTokens lists the demo users by role, so a newcomer can sign in
// as each role in turn.
func printDemoTokens(w io.Writer, users []*paved.User, tokens map[string]string) {
	fmt.Fprintf(w, "\nDemo organisation seeded. Sign in as any of these users with its token (shown only now):\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "    ROLE\tUSER\tTEAMS\tTOKEN")
	for _, r := range paved.Roles {
		for _, u := range users {
			if len(u.Roles) == 0 || u.Roles[0] != r || tokens[u.Name] == "" {
				continue
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", r, u.Name, join(u.Teams), tokens[u.Name])
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// isLoopback reports whether addr listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// browseAddr is the host:port to put in a URL for a listener: an
// all-interfaces listener is reachable as localhost from this machine.
func browseAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return addr.String()
}

// redactDSN hides a PostgreSQL password (in the URL's user part or its
// password= parameter) before the DSN is logged.
func redactDSN(dsn string) string { return config.RedactDatabase(dsn) }
