package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/client"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/store"
)

// paved policy impact: what a proposed platform config would change for
// the services whose latest check resources the server (or the local
// database) keeps.

const formatMarkdown = "markdown"

type policyImpactOptions struct {
	current    string
	output     string
	outFile    string
	failOnDeny bool
}

func (a *app) policyImpactCmd() *cobra.Command {
	var o policyImpactOptions
	cmd := &cobra.Command{
		Use:   "impact --config NEWDIR [--server URL | --current DIR]",
		Short: "Show what a proposed platform config would change for every service's latest check",
		Long: `Re-evaluate the resources of every service's latest recorded check under the
proposed platform config (--config NEWDIR, the directory of a pull request)
and under the config in force, and report per team and service which
findings would appear, disappear or change (severity or message), which of
them would start to block, and which pending or approved exceptions would
become unnecessary.

With --server the proposed directory is sent to the server, which compares
it with its own config against production data (the token needs the
reviewer, architect, security or admin role). Without, the local database
is used and the config in force is --current DIR (default: PAVED_CONFIG,
else the built-in defaults).

Only paved-style rules (built-in and custom, package paved.rules.*) are
evaluated: conftest-style policies judge whole documents, which are not
kept. -o markdown fits a pull-request comment (one collapsed section per
team). Exit codes: 0 the report was written (1 with --fail-on-deny when a
finding would start to block), 2 an invalid config or another input error.`,
		Example: `  paved policy impact --config ./ --server https://paved.example.com -o markdown > impact.md
  paved policy impact --config proposed/ --current live/ --database paved.db`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error { return a.policyImpact(cmd, &o) }),
	}
	f := cmd.Flags()
	f.StringVar(&o.current, "current", "", "without --server: the config directory in force to compare with (default PAVED_CONFIG, else the built-in defaults)")
	f.StringVarP(&o.output, "output", "o", formatText, "output format: text, json or markdown")
	f.StringVar(&o.outFile, "out", "", "write the report to this file instead of stdout")
	f.BoolVar(&o.failOnDeny, "fail-on-deny", false, "exit 1 when a finding would start to block (a new deny finding)")
	return cmd
}

func (a *app) policyImpact(cmd *cobra.Command, o *policyImpactOptions) error {
	ctx := cmd.Context()
	switch o.output {
	case formatText, formatJSON, formatMarkdown, "md":
	default:
		return usagef("-o %q: want text, json or markdown", o.output)
	}
	if a.config == "" {
		return usagef("name the proposed config directory with --config NEWDIR")
	}
	proposedDir := platform.ResolveDir(a.config)
	var rep *paved.ImpactReport
	if server := a.serverURL(); server != "" {
		if o.current != "" {
			return usagef("--current is for the local database; with --server the server compares with its own config")
		}
		// Validate locally first: the errors name the files as they are here.
		if _, err := platform.Load(proposedDir, platform.Options{}); err != nil {
			return err
		}
		b, err := platform.BundleFromDir(proposedDir)
		if err != nil {
			return err
		}
		c, err := client.New(server, a.getenv(config.EnvToken), client.WithUserAgent("paved/"+buildInfo().Version))
		if err != nil {
			return err
		}
		if rep, err = c.ConfigImpact(ctx, b); err != nil {
			return err
		}
	} else {
		proposed, err := platform.Load(proposedDir, platform.Options{})
		if err != nil {
			return err
		}
		curDir := o.current
		if curDir == "" {
			curDir = a.getenv(config.EnvConfig)
		}
		curDir = platform.ResolveDir(curDir)
		if curDir == "" {
			fmt.Fprintln(a.stderr, "paved: comparing with the built-in defaults (give the config in force with --current DIR)")
		}
		current, err := platform.Load(curDir, platform.Options{Adjust: a.adjustConfig})
		if err != nil {
			return fmt.Errorf("the config in force (--current): %w", err)
		}
		dsn := current.Config.Server.Database
		if !strings.Contains(dsn, "://") {
			if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
				return paved.FieldErrorf(paved.EINVALID, "--database", "the database %s does not exist: give the database that holds the recorded checks (--database or PAVED_DATABASE), or --server", dsn)
			}
		}
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if rep, err = platform.Impact(ctx, db, current, proposed, time.Now()); err != nil {
			return err
		}
	}
	w := a.stdout
	var out *os.File
	if o.outFile != "" {
		var err error
		if out, err = os.Create(o.outFile); err != nil {
			return paved.FieldErrorf(paved.EINVALID, "--out", "%v", err)
		}
		defer out.Close()
		w = out
	}
	if err := writeImpact(w, o.output, rep); err != nil {
		return err
	}
	if out != nil {
		if err := out.Close(); err != nil {
			return fmt.Errorf("--out %s: %w", o.outFile, err)
		}
	}
	if o.failOnDeny && rep.Summary.NewDeny > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d findings would start to block", rep.Summary.NewDeny)}
	}
	return nil
}

func writeImpact(w io.Writer, format string, rep *paved.ImpactReport) error {
	switch format {
	case formatJSON:
		return writeJSON(w, rep)
	case formatMarkdown, "md":
		return platform.WriteImpactMarkdown(w, rep)
	}
	return platform.WriteImpactText(w, rep)
}
