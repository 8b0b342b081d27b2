package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	pavedapp "github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/store"
)

// paved config: the platform config directory as a whole
// (docs/config-as-code.md). validate checks every part of it and the
// references between them; version prints its content hash and commit.

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the platform config directory (paved.yaml, policies/, templates/, ownership.yaml, pricebook.yaml) and print its version",
	}
	cmd.AddCommand(a.configValidateCmd(), a.configVersionCmd())
	return cmd
}

// configDir is the platform config directory of --config (or
// PAVED_CONFIG): the folder itself, or the folder of the paved.yaml named;
// "" for none.
func (a *app) configDir() string {
	path := a.config
	if path == "" {
		path = config.FromEnv(a.getenv).Config
	}
	return platform.ResolveDir(path)
}

// snapshot is the platform config directory of --config (or PAVED_CONFIG;
// none: the built-in defaults), loaded whole once per command by
// platform.Load as paved serve loads it, with the environment and flags
// laid over paved.yaml. For the commands other than paved check it holds
// the exceptions signing key but not the webhooks (the CLI delivers
// none), and compiles the rules on first use: most commands evaluate none.
func (a *app) snapshot() (*platform.Snapshot, error) {
	a.snapOnce.Do(func() {
		o := platform.Options{Adjust: a.adjustConfig}
		if c := a.forCheck; c != nil {
			o.Policy, o.NoPrices = c.policy, c.noPrices
		} else {
			o.Secrets = &platform.Secrets{Getenv: a.getenv, ReadFile: os.ReadFile}
			o.NoTargets, o.DeferEngine = true, true
		}
		a.snap, a.snapErr = platform.Load(a.configDir(), o)
	})
	return a.snap, a.snapErr
}

// dropSnapshot forgets the snapshot, so that the collector may have it
// once a command no longer needs it; a later snapshot call loads the
// directory again.
func (a *app) dropSnapshot() {
	a.snapOnce = sync.Once{}
	a.snap, a.snapErr = nil, nil
}

// adjustConfig lays the environment and --database over a paved.yaml just
// read, as loadConfig does.
func (a *app) adjustConfig(c *config.Config) error {
	if err := c.ApplyEnv(config.FromEnv(a.getenv)); err != nil {
		return err
	}
	if a.database != "" {
		c.Server.Database = a.database
		c.SetBy("server.database", "--database")
	}
	return nil
}

// argDir is the directory a config command works on: its argument, else
// --config, else the current folder.
func (a *app) argDir(args []string) string {
	if len(args) > 0 {
		return platform.ResolveDir(args[0])
	}
	if d := a.configDir(); d != "" {
		return d
	}
	return "."
}

const formatGitHub = "github"

func (a *app) configValidateCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Check a platform config directory: every file, the policies, and the references between them",
		Long: `Check a platform config directory (default: --config, else the current
folder) without running anything: paved.yaml strictly (unknown keys, types,
values), the custom policies of policies/ (they compile; their METADATA is
complete; no rule id twice; enforce_from dates), paved.yaml's guard-rail
settings against the rules (rules named exist, parameter types), the
templates of templates/ (and the rules their evidence names),
ownership.yaml and pricebook.yaml. Every problem is listed with file:line.

With --server, or a database given by --database or PAVED_DATABASE, the
team and service names of ownership.yaml, the spend section and the rules'
owners are checked against the catalog too; without one they are not, and
the report says so. Webhook secrets and exceptions.key_file are read only by
paved serve.

Exit codes: 0 valid (warnings allowed), 2 a problem was found.
-o github prints GitHub Actions annotations.`,
		Example: `  paved config validate platform/
  paved config validate -o github           # in the config repository's CI
  paved config validate --server https://paved.example.com platform/`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if output != formatText && output != formatJSON && output != formatGitHub {
				return usagef("-o %q: want text, json or github", output)
			}
			dir := a.argDir(args)
			cat, note, err := a.validationCatalog(cmd)
			if err != nil {
				return err
			}
			rep := platform.Validate(dir, platform.ValidateOptions{Catalog: cat})
			if note != "" {
				rep.NotChecked = append([]string{note}, rep.NotChecked...)
			}
			switch output {
			case formatJSON:
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			case formatGitHub:
				writeValidationGitHub(a.stdout, rep)
			default:
				writeValidationText(a.stdout, rep)
			}
			if !rep.Valid {
				return &exitError{code: 2}
			}
			return nil
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", formatText, "output format: text, json or github (workflow annotations)")
	return cmd
}

// validationCatalog reads the catalog's teams and services for the
// reference checks: from --server, or from a database named explicitly
// (--database or PAVED_DATABASE); nil without either. A SQLite file that
// does not exist is not created.
func (a *app) validationCatalog(cmd *cobra.Command) (*platform.Catalog, string, error) {
	ctx := cmd.Context()
	var b interface {
		FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error)
		FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error)
		Close() error
	}
	source := ""
	switch {
	case a.serverURL() != "":
		bk, err := a.open(ctx, cmd)
		if err != nil {
			return nil, "", err
		}
		b, source = bk, a.serverURL()
	default:
		dsn := a.database
		if dsn == "" {
			dsn = a.getenv(config.EnvDatabase)
		}
		if dsn == "" {
			return nil, "", nil
		}
		if !strings.Contains(dsn, "://") {
			if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Sprintf("the catalog: the database %s does not exist", dsn), nil
			}
		}
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return nil, "", err
		}
		b, source = db, redactDSN(dsn)
	}
	defer b.Close()
	cat := &platform.Catalog{Source: source}
	for off := 0; ; off += paved.MaxLimit {
		ts, total, err := b.FindTeams(ctx, paved.TeamFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, "", err
		}
		cat.Teams = append(cat.Teams, ts...)
		if len(ts) == 0 || off+len(ts) >= total {
			break
		}
	}
	for off := 0; ; off += paved.MaxLimit {
		ss, total, err := b.FindServices(ctx, paved.ServiceFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, "", err
		}
		for _, s := range ss {
			cat.Services = append(cat.Services, s.Name)
		}
		if len(ss) == 0 || off+len(ss) >= total {
			break
		}
	}
	return cat, "", nil
}

func writeValidationText(w io.Writer, rep *platform.Report) {
	tw := newTable(w)
	for _, p := range rep.Parts {
		row(tw, p.Part, p.Status, p.Detail)
	}
	tw.Flush()
	if len(rep.Problems) > 0 {
		fmt.Fprintln(w)
	}
	for _, p := range rep.Problems {
		where := p.Where()
		if where != "" {
			where += ": "
		}
		fmt.Fprintf(w, "%s %s%s\n", strings.ToUpper(p.Severity), where, p.Message)
	}
	for _, n := range rep.NotChecked {
		fmt.Fprintf(w, "not checked: %s\n", n)
	}
	verdict := "valid"
	if !rep.Valid {
		verdict = fmt.Sprintf("%d problems", rep.Errors())
	}
	fmt.Fprintf(w, "\n%s (version %s): %s\n", rep.Dir, rep.Version, verdict)
}

// writeValidationGitHub writes workflow commands: one annotation per
// problem, on its file and line.
func writeValidationGitHub(w io.Writer, rep *platform.Report) {
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	escProp := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	for _, p := range rep.Problems {
		level := "error"
		if p.Severity == platform.SeverityWarning {
			level = "warning"
		}
		var props []string
		if p.File != "" {
			props = append(props, "file="+escProp.Replace(p.File))
		}
		if p.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", p.Line))
		}
		if p.Column > 0 {
			props = append(props, fmt.Sprintf("col=%d", p.Column))
		}
		props = append(props, "title="+escProp.Replace("paved config validate: "+p.Part))
		fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), esc.Replace(p.Message))
	}
	for _, n := range rep.NotChecked {
		fmt.Fprintf(w, "::notice title=paved config validate::%s\n", esc.Replace("not checked: "+n))
	}
	if rep.Valid {
		fmt.Fprintf(w, "paved config validate: %s (version %s) is valid\n", rep.Dir, rep.Version)
	} else {
		fmt.Fprintf(w, "paved config validate: %s (version %s): %d problems\n", rep.Dir, rep.Version, rep.Errors())
	}
}

func (a *app) configVersionCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version [DIR]",
		Short: "Print the version of a platform config directory: its content hash and git commit",
		Long: `Print the version paved records with each check: the first 16 hex digits of
the content hash of the directory's files (sorted paths, line endings
normalised, hidden files left out) and, when the directory is in a git
checkout, "@" and the commit. The same files give the same hash on any
machine. -o json prints the whole hash.`,
		Args: cobra.MaximumNArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			v, err := platform.DirVersion(a.argDir(args))
			if err != nil {
				return err
			}
			if output == formatJSON {
				return writeJSON(a.stdout, struct {
					Version string `json:"version"`
					Hash    string `json:"hash"`
					Commit  string `json:"commit,omitempty"`
				}{v.String(), v.Hash, v.Commit})
			}
			_, err = fmt.Fprintln(a.stdout, v.String())
			return err
		}),
	}
	addFormatFlag(cmd, &output)
	return cmd
}

// ---- paved serve: reloads and the jobs that follow them

// appJob builds a periodic job from the App in force at each run, so that
// a job configured by paved.yaml follows reloads.
func appJob(cur func() *pavedapp.App, mk func(*pavedapp.App) notify.Job) notify.Job {
	proto := mk(cur())
	return notify.Job{Name: proto.Name, Every: proto.Every, Timeout: proto.Timeout,
		Run: func(ctx context.Context) error { return mk(cur()).Run(ctx) }}
}

// campaignsEvery is how often paved serve records the campaigns' progress
// and sends the announcements due.
const campaignsEvery = time.Hour

// campaignsJob records each campaign's progress for the day and announces
// campaigns to the owners of affected services (campaign.started, and
// campaign.reminder two weeks before enforcement), each exactly once.
func campaignsJob(cur func() *pavedapp.App, log *slog.Logger) notify.Job {
	return notify.Job{
		Name:  "campaigns",
		Every: campaignsEvery,
		// Evaluating every service's latest check can take a while.
		Timeout: 10 * time.Minute,
		Run: func(ctx context.Context) error {
			ap := cur()
			snap, err := ap.Platform()
			if err != nil {
				return err
			}
			n, err := platform.RunCampaigns(ctx, ap.Store, snap, time.Now())
			if n > 0 {
				log.Info("campaigns announced", "notices", n)
			}
			return err
		},
	}
}

// watchConfig runs the reloader: it polls the directory every every (0:
// never) and reloads at once on SIGHUP. The returned function stops both.
func (a *app) watchConfig(ctx context.Context, r *platform.Reloader, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer close(done)
		go r.Watch(ctx, every)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				r.Trigger()
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		cancel()
		<-done
	}
}

// warnRestartOnly logs the settings a reload cannot change in a running
// server: they take effect at the next start.
func warnRestartOnly(old, next *config.Config, log *slog.Logger) {
	var changed []string
	if old.Server.Addr != next.Server.Addr {
		changed = append(changed, "server.addr")
	}
	if old.Server.Database != next.Server.Database {
		changed = append(changed, "server.database")
	}
	if old.Server.MaxBodyBytes != next.Server.MaxBodyBytes {
		changed = append(changed, "server.max_body_bytes")
	}
	if old.Server.SecureCookies != next.Server.SecureCookies {
		changed = append(changed, "server.secure_cookies")
	}
	if old.Server.AuthFailures != next.Server.AuthFailures || !slices.Equal(old.Server.TrustedProxies, next.Server.TrustedProxies) {
		changed = append(changed, "server.auth_failures, server.trusted_proxies")
	}
	if oo, no := old.Notifications.Options(), next.Notifications.Options(); oo.MaxAttempts != no.MaxAttempts ||
		oo.Backoff != no.Backoff || oo.Timeout != no.Timeout || oo.Retention != no.Retention {
		changed = append(changed, "notifications (attempts, backoff, timeout, retention)")
	}
	if !sameCollectorJobs(old.Facts.Collectors, next.Facts.Collectors) {
		changed = append(changed, "facts.collectors (which collectors run, and how often)")
	}
	if len(changed) > 0 {
		log.Warn("the reloaded platform config changes settings that apply only at start: restart paved serve to apply them", "settings", strings.Join(changed, ", "))
	}
}

// sameCollectorJobs reports whether two facts.collectors lists make the
// same periodic jobs (names and intervals): the job runner fixes them at
// start, while the rest of a collector's settings follow reloads.
func sameCollectorJobs(a, b []facts.CollectorConfig) bool {
	return slices.EqualFunc(a, b, func(x, y facts.CollectorConfig) bool {
		x, y = x.Normalized(), y.Normalized()
		return x.Name == y.Name && x.Interval == y.Interval && x.Timeout == y.Timeout
	})
}
