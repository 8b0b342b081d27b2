package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/catalog"
	"github.com/paved-dev/paved/internal/client"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/launch"
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
	CreateToken(ctx context.Context, user, name string, days int) (*paved.Token, string, error)
	RevokeToken(ctx context.Context, id int64) error

	FindAuditEvents(ctx context.Context, f paved.AuditFilter) ([]*paved.AuditEvent, int, error)
	VerifyAudit(ctx context.Context) (*api.AuditVerification, error)

	// The notifications outbox and the webhook delivery log (admins).
	FindNotifications(ctx context.Context, f paved.NotificationFilter) ([]*paved.Notification, int, error)
	FindDeliveries(ctx context.Context, f paved.DeliveryFilter) ([]*paved.Delivery, int, error)

	ImportCatalog(ctx context.Context, files []catalog.File, dryRun bool) (*api.ImportResult, error)
	ExportCatalog(ctx context.Context, w io.Writer) error

	launchBackend
	ownershipBackend // ownership_backend.go
	exceptionBackend
	costBackend // cost_backend.go

	Close() error
}

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
	return &local{DB: db, opt: cfg.CatalogOptions(), templatesDir: cfg.TemplatesDir(), as: as, cfg: cfg}, nil
}

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
func (r remote) ImportCatalog(ctx context.Context, files []catalog.File, dryRun bool) (*api.ImportResult, error) {
	out := make([]api.ImportFile, len(files))
	for i, f := range files {
		out[i] = api.ImportFile{Name: f.Name, Content: string(f.Data)}
	}
	return r.Client.ImportCatalog(ctx, out, dryRun)
}

// local is the local database. Whoever can open the database file can
// change anything in it, so there is no authorisation here; the audit log
// records the operating-system user as the actor. Launch changes are the
// exception: they are made as a paved user (--as), under that user's rules
// (see launch_backend.go).
type local struct {
	*store.DB
	opt catalog.Options

	// The path to production (launch_backend.go): the templates folder of
	// the platform config, the user launch changes are made as (--as or
	// PAVED_AS), and the launch service, built on first use.
	templatesDir string
	as           string
	launch       *launch.Service

	// Exceptions (exception_backend.go): the config's policy, key file and
	// guard rails, and the service, built on first use.
	cfg *config.Config
	exc *exception.Service
}

// CreateService applies the rules the API applies to a new service
// (paved.PrepareNewService), without the admin check: locally there is no
// authorisation.
func (l *local) CreateService(ctx context.Context, s *paved.Service) error {
	def := paved.ServiceDefaults{Tier: l.opt.DefaultTier, DataClass: l.opt.DefaultDataClass}
	if err := paved.PrepareNewService(s, def, nil); err != nil {
		return err
	}
	return l.DB.CreateService(ctx, s)
}

// maxTokenDays bounds token lifetimes as the API does: longer is a typo.
const maxTokenDays = paved.MaxTokenDays

// CreateToken shadows the store's method of the same name: it makes the
// secret and checks the user, as the API does for a server.
func (l *local) CreateToken(ctx context.Context, user, name string, days int) (*paved.Token, string, error) {
	t, secret, err := paved.NewToken(user, name, days, time.Now(), "expires-in")
	if err != nil {
		return nil, "", err
	}
	u, err := l.FindUser(ctx, user)
	if err != nil {
		return nil, "", err
	}
	if u.RetiredAt != nil {
		return nil, "", paved.FieldErrorf(paved.EUNPROCESSABLE, "user", "user %q is retired: a retired user gets no new tokens", user)
	}
	if err := l.DB.CreateToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// FindTokens needs a user locally: there is no signed-in caller.
func (l *local) FindTokens(ctx context.Context, user string) ([]*paved.Token, error) {
	if user == "" {
		return nil, usagef("--user is required without --server (there is no signed-in user locally)")
	}
	if _, err := l.FindUser(ctx, user); err != nil {
		return nil, err
	}
	return l.DB.FindTokens(ctx, user)
}

// VerifyAudit streams the whole log through the chain check.
func (l *local) VerifyAudit(ctx context.Context) (*api.AuditVerification, error) {
	var v paved.ChainVerifier
	err := l.AllAuditEvents(ctx, func(e *paved.AuditEvent) error {
		v.Add(e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	p := v.Problems()
	return &api.AuditVerification{OK: len(p) == 0, Events: v.Events(), Problems: p}, nil
}

// ImportCatalog plans the files against the current catalog and, unless
// dryRun, applies the plan in one transaction: the same steps as the API.
func (l *local) ImportCatalog(ctx context.Context, files []catalog.File, dryRun bool) (*api.ImportResult, error) {
	read := catalog.LoadFiles(files, l.opt)
	cur, err := l.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	plan := catalog.Plan(cur, read, l.opt)
	if !dryRun {
		if err := l.ApplyImport(ctx, plan); err != nil {
			return nil, err
		}
	}
	res := &api.ImportResult{DryRun: dryRun, Counts: plan.Counts(), Entries: plan.Entries}
	return res, nil
}

// ExportCatalog writes the catalog as Backstage YAML.
func (l *local) ExportCatalog(ctx context.Context, w io.Writer) error {
	cat, err := l.Catalog(ctx)
	if err != nil {
		return err
	}
	return catalog.Export(w, cat)
}
