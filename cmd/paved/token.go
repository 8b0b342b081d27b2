package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
)

func (a *app) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke API tokens",
	}
	cmd.AddCommand(a.tokenCreate(), a.tokenList(), a.tokenRevoke())
	return cmd
}

// parseExpiry reads --expires-in: a number of days ("90d", "90"), weeks
// ("12w") or "never". It returns days, 0 meaning never.
func parseExpiry(s string) (int, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "never" {
		return 0, nil
	}
	mult := 1
	switch {
	case strings.HasSuffix(v, "d"):
		v = strings.TrimSuffix(v, "d")
	case strings.HasSuffix(v, "w"):
		v, mult = strings.TrimSuffix(v, "w"), 7
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n*mult > maxTokenDays {
		return 0, paved.FieldErrorf(paved.EINVALID, "--expires-in", "%q: want a lifetime such as 30d, 12w or 365d (at most %d days), or never", s, maxTokenDays)
	}
	return n * mult, nil
}

func (a *app) tokenCreate() *cobra.Command {
	var user, name, expires, scopeFlag, o string
	cmd := &cobra.Command{
		Use:   "create --user NAME [--name NAME] [--expires-in 90d] [--scope read|checks:SERVICE,...]",
		Short: "Create an API token; the secret is printed once, on stdout",
		Long: `Create an API token for a user. The secret is printed once on stdout and
stored only as a hash: keep it now (TOKEN=$(paved token create --user ada)).
With --server and no --user, the token is for the signed-in user; a token
made with a token expires no later than it, is no wider in scope, and is
revoked with it. --scope read makes a read-only token; --scope
checks:SERVICE[,SERVICE...] one that only records checks and requests
exceptions for those services (CI without a full developer token).`,
		Args: cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&user, "user", "", "the user the token acts as")
	fl.StringVar(&name, "name", "cli", "what the token is for, e.g. ci")
	fl.StringVar(&expires, "expires-in", "90d", "lifetime: 30d, 12w ... or never")
	fl.StringVar(&scopeFlag, "scope", "", "limit the token: read, or checks:SERVICE[,SERVICE...]")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		days, err := parseExpiry(expires)
		if err != nil {
			return err
		}
		scope, err := paved.ParseTokenScope(scopeFlag)
		if err != nil {
			if pe, ok := err.(*paved.Error); ok && pe.Field == "scope" {
				pe.Field = "--scope"
			}
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if _, ok := b.(remote); !ok && user == "" {
				return usagef("--user is required without --server")
			}
			t, secret, err := b.CreateToken(ctx, user, name, days, scope)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, struct {
					Token  *paved.Token `json:"token"`
					Secret string       `json:"secret"`
				}{t, secret})
			}
			exp := "never expires"
			if t.ExpiresAt != nil {
				exp = "expires " + t.ExpiresAt.UTC().Format(time.DateOnly)
			}
			// Only the secret goes to stdout, so that it can be captured.
			fmt.Fprintf(a.stderr, "created token %d %q for %s (%s); the secret below is shown only now:\n", t.ID, t.Name, t.User, exp)
			fmt.Fprintln(a.stdout, secret)
			return nil
		})
	})
	return cmd
}

func (a *app) tokenList() *cobra.Command {
	var user, o string
	cmd := &cobra.Command{
		Use:   "list [--user NAME]",
		Short: "List a user's tokens (never their secrets)",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&user, "user", "", "whose tokens (with --server, default: yours)")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			toks, err := b.FindTokens(ctx, user)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(toks, len(toks), paved.Page{Limit: len(toks)}))
			}
			now := time.Now()
			tw := newTable(a.stdout)
			row(tw, "ID", "USER", "NAME", "PREFIX", "STATUS", "CREATED", "EXPIRES", "LAST USED")
			for _, t := range toks {
				status := "active"
				switch {
				case t.RevokedAt != nil:
					status = "revoked"
				case !t.Active(now):
					status = "expired"
				}
				row(tw, strconv.FormatInt(t.ID, 10), t.User, t.Name, t.Prefix, status, timeText(t.CreatedAt), timePtrText(t.ExpiresAt), timePtrText(t.LastUsedAt))
			}
			tw.Flush()
			fmt.Fprintf(a.stdout, "%d tokens\n", len(toks))
			return nil
		})
	})
	return cmd
}

func (a *app) tokenRevoke() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token (it stops working at once, and so do sessions signed in with it)",
		Args:  cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return paved.FieldErrorf(paved.EINVALID, "ID", "token id %q: want the number shown by paved token list", args[0])
			}
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				if err := b.RevokeToken(ctx, id); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "revoked token %d\n", id)
				return nil
			})
		}),
	}
}
