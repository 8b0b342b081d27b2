// Command paved is the one binary of paved: the server (paved serve) and
// the CLI over the catalog, tokens and audit log. Commands that read or
// change state work on the local database, or on a paved server with
// --server (or PAVED_SERVER) and PAVED_TOKEN.
//
// Exit codes: 0 success; 1 a failing result (audit verify found problems,
// a launch gate refused a phase move) or an error that is not the input's fault (server unreachable, denied,
// internal); 2 a usage or input error (bad flags, unreadable files,
// invalid or unknown names).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/policy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// run executes one paved command line. It prints any error as
// "paved: <message>" on stderr and returns it; exitCode maps it to the
// process exit code. Nothing below main exits the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return a.run(ctx, args)
}

// app holds what every command shares: the standard streams and the
// environment (a function, so tests can supply their own).
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	// Global flags.
	server   string
	database string
	config   string
	as       string // --as of the launch commands

	// ran is set when a command's own code starts: errors before that
	// (unknown command, wrong number of arguments) are usage errors.
	ran bool

	// The platform config directory, loaded once by the first command
	// that needs it (snapshot); paved check sets forCheck before.
	snapOnce sync.Once
	snap     *platform.Snapshot
	snapErr  error
	forCheck *checkLoad
}

// checkLoad is how paved check loads the platform config: with the rules
// of its flags compiled in, at once (policy); without the exceptions
// signing key (a check signs nothing, and CI runners do not hold it); with
// --no-cost without the price book (noPrices).
type checkLoad struct {
	policy   func(*policy.Options)
	noPrices bool
}

func (a *app) run(ctx context.Context, args []string) error {
	ctx = paved.WithActor(ctx, paved.Actor{Name: localActor(a.getenv)})
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return nil
	}
	if !a.ran && !isExit(err) {
		err = usageError{err}
	}
	var ee *exitError
	if !errors.As(err, &ee) || ee.msg != "" {
		fmt.Fprintf(a.stderr, "paved: %s\n", message(err))
	}
	return err
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "paved",
		Short: "paved paves the path to production",
		Long: `paved paves the path to production: a catalog of teams and services,
launch gates, guard rails and spend, as one binary.

Commands that read or change state work on the local database (--database,
default ./paved.db), or on a paved server with --server URL (or PAVED_SERVER)
and an API token in PAVED_TOKEN.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Completion scripts are not worth a command of their own yet.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.server, "server", "", "URL of a paved server to talk to instead of the local database (env PAVED_SERVER; token in PAVED_TOKEN)")
	pf.StringVar(&a.database, "database", "", "SQLite file or postgres:// URL of the local database (env PAVED_DATABASE; default paved.db)")
	pf.StringVar(&a.config, "config", "", "paved.yaml, or the platform config directory holding it (env PAVED_CONFIG)")
	root.AddCommand(
		a.serveCmd(),
		a.catalogCmd(),
		a.checkCmd(),
		a.pricesCmd(),
		a.policyCmd(),
		a.configCmd(),
		a.serviceCmd(),
		a.launchCmd(),
		a.ownershipCmd(),
		a.costCmd(),
		a.exceptionCmd(),
		a.reclassCmd(),
		a.teamCmd(),
		a.userCmd(),
		a.tokenCmd(),
		a.auditCmd(),
		a.notificationsCmd(),
		a.factsCmd(),
		a.migrateCmd(),
		a.backupCmd(),
		a.restoreCmd(),
		a.versionCmd(),
	)
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands gives every group command (audit, service, ...)
// a body that refuses an unknown subcommand with exit 2 and a "did you
// mean". Cobra answers a mistyped subcommand of the root so, but prints
// the group's help and exits 0 for one of a group's (`paved audit verfy`),
// which lets a CI step pass without doing anything.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if c.HasParent() && c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs
		c.SuggestionsMinimumDistance = 2
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(": did you mean %q?", s[0])
			} else {
				msg += fmt.Sprintf(": run '%s --help' for its commands", cmd.CommandPath())
			}
			return usagef("%s", msg)
		}
	}
}

// runE adapts a command body: it marks that the command itself ran, so its
// errors keep their own exit code.
func (a *app) runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.ran = true
		return f(cmd, args)
	}
}

// usageError is a mistake in the command line itself.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef reports a bad combination of flags or arguments found by a
// command's own checks.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitError ends a command that completed but whose result is a failure
// (audit problems found, invalid catalog entities). msg may be empty when
// the command already printed everything.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func isExit(err error) bool {
	var ee *exitError
	return errors.As(err, &ee)
}

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	switch paved.ErrorCode(err) {
	case paved.EINVALID, paved.EUNPROCESSABLE, paved.ENOTFOUND, paved.ECONFLICT, paved.ETOOLARGE:
		return 2
	}
	return 1
}

// message is what the user sees after "paved: ". For local runs the full
// error text is shown, internal or not: it is the user's own machine and
// the detail is what they need to fix it.
func message(err error) string {
	var pe *paved.Error
	if errors.As(err, &pe) && pe.Code != paved.EINTERNAL {
		return pe.Error()
	}
	return err.Error()
}

// localActor names the person behind local changes in the audit log:
// "local:" and the operating system's user name.
func localActor(getenv func(string) string) string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = getenv("USER")
	}
	if name == "" {
		name = "unknown"
	}
	return "local:" + name
}
