package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	pavedapp "github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/catalog"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/client"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/identity"
	"github.com/paved-dev/paved/internal/store"
)

// backend is everything the state commands need. The local database
// (store plus catalog planning) and a paved server (the REST client) both
// implement it, so each command is written once and behaves the same way
// on either.
type backend interface {
	FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error)
	FindService(ctx context.Context, name string) (*paved.Service, error)
	CreateService(ctx context.Context, s *paved.Service) error
	UpdateService(ctx context.Context, name string, u paved.ServiceUpdate) (*paved.Service, error)
	RetireService(ctx context.Context, name string) error

	FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error)
	FindTeam(ctx context.Context, name string) (*paved.Team, error)
	CreateTeam(ctx context.Context, t *paved.Team) error
	UpdateTeam(ctx context.Context, name string, u paved.TeamUpdate) (*paved.Team, error)
	RetireTeam(ctx context.Context, name string) error

	FindUsers(ctx context.Context, f paved.UserFilter) ([]*paved.User, int, error)
	FindUser(ctx context.Context, name string) (*paved.User, error)
	CreateUser(ctx context.Context, u *paved.User) error
	UpdateUser(ctx context.Context, name string, u paved.UserUpdate) (*paved.User, error)
	RetireUser(ctx context.Context, name string) error

	// FindTokens lists a user's tokens; "" means the caller (server only).
	FindTokens(ctx context.Context, user string) ([]*paved.Token, error)
	// CreateToken issues a token that expires after days (0: never) and
	// returns it with its secret, which exists nowhere else.
	CreateToken(ctx context.Context, user, name string, days int, scope *paved.TokenScope) (*paved.Token, string, error)
	RevokeToken(ctx context.Context, id int64) error

	FindAuditEvents(ctx context.Context, f paved.AuditFilter) ([]*paved.AuditEvent, int, error)
	// VerifyAudit verifies the whole chain, which must still reach every
	// head in expect (signed anchors).
	VerifyAudit(ctx context.Context, expect ...paved.AuditHead) (*api.AuditVerification, error)
	// AnchorAudit signs the head of the verified log with the server's key.
	AnchorAudit(ctx context.Context) (*paved.AuditAnchor, error)

	// The notifications outbox and the webhook delivery log (admins).
	FindNotifications(ctx context.Context, f paved.NotificationFilter) ([]*paved.Notification, int, error)
	FindDeliveries(ctx context.Context, f paved.DeliveryFilter) ([]*paved.Delivery, int, error)

	ImportCatalog(ctx context.Context, files []catalog.File, dryRun, strict bool) (*api.ImportResult, error)
	ExportCatalog(ctx context.Context, w io.Writer) error

	launchBackend
	ownershipBackend // ownership_backend.go
	exceptionBackend
	reclassBackend // reclass_backend.go
	costBackend    // cost_backend.go
	factsBackend   // facts_backend.go

	Close() error
}

// Both backends implement every method (local without embedding the
// store, so that a method left out is a compile error, not a silent
// bypass of the rules), and a backend is what a check needs of a store.
var (
	_ backend     = (*local)(nil)
	_ backend     = remote{}
	_ check.Store = backend(nil)
)

// open returns the backend the command line asks for: the server named by
// --server or PAVED_SERVER, else the local database.
func (a *app) open(ctx context.Context, cmd *cobra.Command) (backend, error) {
	if server := a.serverURL(); server != "" {
		if a.as != "" {
			return nil, usagef("--as names the acting user for the local database; with --server the API token (PAVED_TOKEN) says who you are")
		}
		c, err := client.New(server, a.getenv(config.EnvToken), client.WithUserAgent("paved/"+buildInfo().Version))
		if err != nil {
			return nil, err
		}
		return remote{c}, nil
	}
	// The database is a setting of the process (server.database, the
	// environment, --database): paved.yaml alone says where it is. The
	// rest of the platform config is loaded whole, and only by a command
	// that needs the application services.
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.Server.Database)
	if err != nil {
		return nil, err
	}
	as := a.as
	if as == "" {
		as = a.getenv(config.EnvAs)
	}
	l := &local{db: db, as: as}
	l.app = sync.OnceValues(func() (*pavedapp.App, error) {
		snap, err := a.snapshot()
		if err != nil {
			return nil, err
		}
		// The collectors take their credentials from this process's
		// environment, as paved serve's do.
		return pavedapp.New(snap, db, pavedapp.Options{Getenv: a.getenv})
	})
	return l, nil
}

// openForCheck is open for paved check --service: with a server and no
// PAVED_TOKEN, inside a CI job that offers its OpenID Connect ID token
// (GitHub Actions with id-token: write, GitLab's PAVED_ID_TOKEN), it
// exchanges that token for a short-lived one scoped to the service
// (POST /api/v1/auth/ci-token, docs/ci.md): no stored secret, and the
// check is recorded as CI's.
func (a *app) openForCheck(ctx context.Context, cmd *cobra.Command, service string) (backend, error) {
	server := a.serverURL()
	if server == "" || a.getenv(config.EnvToken) != "" {
		return a.open(ctx, cmd)
	}
	audience := a.getenv(config.EnvAudience)
	if audience == "" {
		audience = defaultAudience
	}
	idToken, from, err := identity.JobToken(ctx, a.getenv, nil, audience)
	if err != nil {
		return nil, fmt.Errorf("CI token exchange: %w", err)
	}
	if idToken == "" {
		return a.open(ctx, cmd) // no CI job token: "no API token" as before
	}
	ua := client.WithUserAgent("paved/" + buildInfo().Version)
	c, ans, err := client.ExchangeCIToken(ctx, server, idToken, []string{service}, ua)
	if err != nil {
		return nil, fmt.Errorf("CI token exchange with the ID token from %s: %w", from, err)
	}
	fmt.Fprintf(a.stderr, "paved: signed in as %s with the job's ID token from %s (token for %s until %s)\n",
		ans.RecordedAs, from, strings.Join(ans.Services, ", "), ans.ExpiresAt.UTC().Format(time.TimeOnly))
	return remote{c}, nil
}

// defaultAudience is the audience paved check asks the CI job's ID token
// for when PAVED_AUDIENCE is not set (ci.trust's audience, docs/ci.md).
const defaultAudience = "paved"

// serverURL is the server named by --server or PAVED_SERVER; "" for the
// local database.
func (a *app) serverURL() string {
	if a.server != "" {
		return a.server
	}
	return a.getenv(config.EnvServer)
}

// loadConfig reads paved.yaml (--config, else PAVED_CONFIG, else none) and
// layers the environment and the --database flag over it.
func (a *app) loadConfig() (*config.Config, error) {
	env := config.FromEnv(a.getenv)
	path := a.config
	if path == "" {
		path = env.Config
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.ApplyEnv(env); err != nil {
		return nil, err
	}
	if a.database != "" {
		cfg.Server.Database = a.database
		cfg.SetBy("server.database", "--database")
	}
	return cfg, nil
}

// remote is a paved server.
type remote struct{ *client.Client }

// ImportCatalog sends the files read locally to the server.
func (r remote) ImportCatalog(ctx context.Context, files []catalog.File, dryRun, strict bool) (*api.ImportResult, error) {
	out := make([]api.ImportFile, len(files))
	for i, f := range files {
		out[i] = api.ImportFile{Name: f.Name, Content: string(f.Data)}
	}
	return r.Client.ImportCatalog(ctx, out, dryRun, strict)
}

// local is the local database. Whoever can open the database file can
// change anything in it, so there is no authorisation here; the audit log
// records the operating-system user as the actor. Launch and exception
// changes are the exception: they are made as a paved user (--as), under
// that user's rules (see launch_backend.go).
//
// local does not embed the store: every method of backend is written out
// here or in *_backend.go, either as a call to the App's services (which
// apply the rules) or, for a plain read or a change without rules, as an
// explicit call to the store. A method left out does not compile.
type local struct {
	db *store.DB
	// app is the application services over db, built on first use from
	// the platform snapshot: a command that only reads the catalog does
	// not load the platform config.
	app func() (*pavedapp.App, error)
	// as is the user launch and exception changes are made as (--as or
	// PAVED_AS).
	as string
}

func (l *local) Close() error { return l.db.Close() }

func (l *local) FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error) {
	return l.db.FindServices(ctx, f)
}

func (l *local) FindService(ctx context.Context, name string) (*paved.Service, error) {
	return l.db.FindService(ctx, name)
}

// UpdateService goes through launch.Service.UpdateService, as the API's
// PATCH does, so that a lowering of the tier or data class of a service
// past playground becomes a reclassification request locally too: it is
// made as the --as user (a request has a requester) and needs u's
// ReclassifyReason. An update that lowers nothing needs no --as, as
// creating and retiring services locally need none; with --as, the user
// must be allowed to change the service (its current and any new owner),
// as through a server.
func (l *local) UpdateService(ctx context.Context, name string, u paved.ServiceUpdate) (*paved.Service, error) {
	svc, err := l.launchService()
	if err != nil {
		return nil, err
	}
	if l.as != "" {
		var user *paved.User
		if ctx, user, err = l.asUser(ctx); err != nil {
			return nil, err
		}
		cur, err := l.db.FindService(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := paved.Authorize(user, paved.ActUpdateService, paved.Resource{Team: cur.Owner}); err != nil {
			return nil, err
		}
		if u.Owner != nil && *u.Owner != cur.Owner {
			if err := paved.Authorize(user, paved.ActUpdateService, paved.Resource{Team: *u.Owner}); err != nil {
				return nil, err
			}
		}
	}
	res, err := svc.UpdateService(ctx, name, u, u.ReclassifyReason)
	if err != nil {
		return nil, err
	}
	return res.Service, nil
}

func (l *local) RetireService(ctx context.Context, name string) error {
	return l.db.RetireService(ctx, name)
}

func (l *local) FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error) {
	return l.db.FindTeams(ctx, f)
}

func (l *local) FindTeam(ctx context.Context, name string) (*paved.Team, error) {
	return l.db.FindTeam(ctx, name)
}

func (l *local) CreateTeam(ctx context.Context, t *paved.Team) error { return l.db.CreateTeam(ctx, t) }

func (l *local) UpdateTeam(ctx context.Context, name string, u paved.TeamUpdate) (*paved.Team, error) {
	return l.db.UpdateTeam(ctx, name, u)
}

func (l *local) RetireTeam(ctx context.Context, name string) error { return l.db.RetireTeam(ctx, name) }

func (l *local) FindUsers(ctx context.Context, f paved.UserFilter) ([]*paved.User, int, error) {
	return l.db.FindUsers(ctx, f)
}

func (l *local) FindUser(ctx context.Context, name string) (*paved.User, error) {
	return l.db.FindUser(ctx, name)
}

func (l *local) CreateUser(ctx context.Context, u *paved.User) error { return l.db.CreateUser(ctx, u) }

func (l *local) UpdateUser(ctx context.Context, name string, u paved.UserUpdate) (*paved.User, error) {
	return l.db.UpdateUser(ctx, name, u)
}

func (l *local) RetireUser(ctx context.Context, name string) error { return l.db.RetireUser(ctx, name) }

func (l *local) RevokeToken(ctx context.Context, id int64) error { return l.db.RevokeToken(ctx, id) }

func (l *local) FindAuditEvents(ctx context.Context, f paved.AuditFilter) ([]*paved.AuditEvent, int, error) {
	return l.db.FindAuditEvents(ctx, f)
}

func (l *local) FindNotifications(ctx context.Context, f paved.NotificationFilter) ([]*paved.Notification, int, error) {
	return l.db.FindNotifications(ctx, f)
}

func (l *local) FindDeliveries(ctx context.Context, f paved.DeliveryFilter) ([]*paved.Delivery, int, error) {
	return l.db.FindDeliveries(ctx, f)
}

// CreateService applies the rules the API applies to a new service
// (paved.PrepareNewService), without the admin check: locally there is no
// authorisation.
func (l *local) CreateService(ctx context.Context, s *paved.Service) error {
	ap, err := l.app()
	if err != nil {
		return err
	}
	if err := paved.PrepareNewService(s, ap.ServiceDefaults(), nil); err != nil {
		return err
	}
	return l.db.CreateService(ctx, s)
}

// maxTokenDays bounds token lifetimes as the API does: longer is a typo.
const maxTokenDays = paved.MaxTokenDays

// CreateToken makes the secret and checks the user, as the API does for a
// server.
func (l *local) CreateToken(ctx context.Context, user, name string, days int, scope *paved.TokenScope) (*paved.Token, string, error) {
	t, secret, err := paved.NewToken(user, name, days, time.Now(), "expires-in")
	if err != nil {
		return nil, "", err
	}
	t.Scope = scope
	u, err := l.db.FindUser(ctx, user)
	if err != nil {
		return nil, "", err
	}
	if u.RetiredAt != nil {
		return nil, "", paved.FieldErrorf(paved.EUNPROCESSABLE, "user", "user %q is retired: a retired user gets no new tokens", user)
	}
	if err := l.db.CreateToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// FindTokens needs a user locally: there is no signed-in caller.
func (l *local) FindTokens(ctx context.Context, user string) ([]*paved.Token, error) {
	if user == "" {
		return nil, usagef("--user is required without --server (there is no signed-in user locally)")
	}
	if _, err := l.db.FindUser(ctx, user); err != nil {
		return nil, err
	}
	return l.db.FindTokens(ctx, user)
}

// VerifyAudit streams the whole log through the chain check.
func (l *local) VerifyAudit(ctx context.Context, expect ...paved.AuditHead) (*api.AuditVerification, error) {
	v, known, err := paved.VerifyAuditLog(ctx, l.db, expect...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	p := v.Problems()
	return &api.AuditVerification{OK: len(p) == 0, Events: v.Events(), Problems: p, Head: v.Head(), Known: known}, nil
}

// ImportCatalog plans the files against the current catalog and, unless
// dryRun, applies the plan in one transaction: the same steps as the API.
func (l *local) ImportCatalog(ctx context.Context, files []catalog.File, dryRun, strict bool) (*api.ImportResult, error) {
	ap, err := l.app()
	if err != nil {
		return nil, err
	}
	opt := ap.Catalog
	opt.Strict = strict
	read := catalog.LoadFiles(files, opt)
	cur, err := l.db.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	plan := catalog.Plan(cur, read, opt)
	if !dryRun {
		if err := l.db.ApplyImport(ctx, plan); err != nil {
			return nil, err
		}
	}
	res := &api.ImportResult{DryRun: dryRun, Counts: plan.Counts(), Entries: plan.Entries}
	return res, nil
}

// ExportCatalog writes the catalog as Backstage YAML.
func (l *local) ExportCatalog(ctx context.Context, w io.Writer) error {
	cat, err := l.db.Catalog(ctx)
	if err != nil {
		return err
	}
	return catalog.Export(w, cat)
}
