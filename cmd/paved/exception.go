package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/exception"
)

func (a *app) exceptionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "exception",
		Aliases: []string{"exceptions"},
		Short:   "Ask for, decide and list sign-offs that let a deny finding through",
		Long: `An exception lets one deny finding through: it is bound to the service, the
rule, the resource and a fingerprint of the offending values, so the same
values pass on the next run while a changed value or another resource needs
a new request. The owning team asks with a justification (from a recorded
check: paved check --server URL --service NAME records one); a reviewer of an
enablement team outside that team (security, for security rules) approves
it with an expiry and conditions, rejects it with a reason, or asks a
question in its thread.

On the local database, changes are made as the paved user named by --as (or
PAVED_AS); with --server the API token says who you are.`,
	}
	cmd.PersistentFlags().StringVar(&a.as, "as", "", "act as this paved user on the local database (env "+config.EnvAs+")")
	cmd.AddCommand(
		a.exceptionRequest(),
		a.exceptionList(),
		a.exceptionShow(),
		a.exceptionApprove(),
		a.exceptionReject(),
		a.exceptionComment(),
		a.exceptionRevoke(),
		a.exceptionExport(),
		a.exceptionKey(),
	)
	return cmd
}

// exceptionID reads an exception id argument.
func exceptionID(arg string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("exception id %q is not valid: want a whole number >= 1 (paved exception list shows them)", arg)
	}
	return id, nil
}

func (a *app) exceptionRequest() *cobra.Command {
	var (
		in exception.RequestInput
		o  string
	)
	cmd := &cobra.Command{
		Use:   "request --check ID --reason TEXT [--finding FINGERPRINT | --rule RULE --resource ADDRESS] [--expires 30d]",
		Short: "Ask for exceptions for deny findings of a recorded check (every uncovered one, or those selected)",
		Long: `Ask for exceptions for deny findings of a recorded check. Without a selector
every deny finding that no valid exception covers is asked for; --finding
selects one by its fingerprint (paved check -o json shows it), --rule and
--resource select a rule on a resource. An identical request that is still
pending is reused, so running this twice opens nothing new.`,
		Example: `  paved exception request --check 42 --reason "The risk model holds 800 GiB in memory; sharding lands in Q3."
  paved exception request --check 42 --rule aws-db-max-memory --resource aws_db_instance.main --reason "..." --expires 30d`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.Int64Var(&in.Check, "check", 0, "the recorded check (its id is printed by paved check --server --service)")
	f.StringVar(&in.Reason, "reason", "", "the team's justification: why the change must go out of bounds")
	f.StringVar(&in.Fingerprint, "finding", "", "the fingerprint of one finding")
	f.StringVar(&in.Rule, "rule", "", "only findings of this rule")
	f.StringVar(&in.Resource, "resource", "", "only findings on this resource address")
	f.StringVar(&in.Expires, "expires", "", "the expiry asked for: 30d, 12w or YYYY-MM-DD (default: the configured default, 90 days)")
	f.StringVar(&in.Service, "service", "", "the service the check must belong to (a safeguard)")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		switch {
		case in.Check < 1:
			return usagef("--check is required: the id of a recorded check (paved check --server URL --service NAME prints it)")
		case strings.TrimSpace(in.Reason) == "":
			return usagef("--reason is required: say why the change must go out of bounds")
		case in.Fingerprint != "" && (in.Rule != "" || in.Resource != ""):
			return usagef("--finding selects one finding: leave out --rule and --resource")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			res, err := b.RequestExceptions(ctx, in)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, res)
			}
			a.printRequestResult(a.stdout, res)
			return nil
		})
	})
	return cmd
}

func (a *app) printRequestResult(w io.Writer, res *exception.RequestResult) {
	if len(res.Exceptions) == 0 {
		if res.Covered > 0 {
			fmt.Fprintf(w, "check #%d of %s: every deny finding is covered by a valid exception (%d); nothing to ask\n", res.Check, clean(res.Service), res.Covered)
		} else {
			fmt.Fprintf(w, "check #%d of %s has no deny finding: nothing to ask\n", res.Check, clean(res.Service))
		}
		return
	}
	fmt.Fprintf(w, "check #%d of %s: %d request(s) opened, %d already pending", res.Check, clean(res.Service), res.Created, res.Reused)
	if res.Covered > 0 {
		fmt.Fprintf(w, ", %d finding(s) already covered", res.Covered)
	}
	fmt.Fprintln(w)
	tw := newTable(w)
	row(tw, "ID", "RULE", "RESOURCE", "STATUS", "EXPIRES", "LINK")
	for _, e := range res.Exceptions {
		row(tw, "#"+strconv.FormatInt(e.ID, 10), e.Rule, e.Resource, string(e.Status), day(e.ExpiresAt), a.portalLink(e.Link()))
	}
	tw.Flush()
}

// portalLink is the absolute URL of a portal path with --server, else the
// path itself.
func (a *app) portalLink(path string) string {
	if s := a.serverURL(); s != "" {
		return strings.TrimRight(s, "/") + path
	}
	return path
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func (a *app) exceptionList() *cobra.Command {
	var (
		f        paved.ExceptionFilter
		status   string
		expiring bool
		o        string
	)
	cmd := &cobra.Command{
		Use:   "list [--service S] [--team T] [--status pending|approved|rejected|revoked|expired] [--expiring]",
		Short: "List exceptions: the reviewers' queue (--status pending), a service's exceptions, those about to expire",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Service, "service", "", "only this service's exceptions")
	fl.StringVar(&f.Team, "team", "", "only exceptions of this team's services")
	fl.StringVar(&status, "status", "", "pending, approved, rejected, revoked or expired")
	fl.BoolVar(&expiring, "expiring", false, "only approved exceptions within the configured notice of their expiry")
	fl.IntVar(&f.Page.Limit, "limit", 0, "at most this many (default 50)")
	fl.IntVar(&f.Page.Offset, "offset", 0, "skip this many")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if status != "" {
			st, err := paved.ParseExceptionStatus(status)
			if err != nil {
				return flagError("status", err)
			}
			f.Status = st
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			es, total, err := b.ListExceptions(ctx, f, expiring)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(es, total, f.Page.Normalize()))
			}
			now := time.Now()
			tw := newTable(a.stdout)
			row(tw, "ID", "SERVICE", "RULE", "RESOURCE", "VALUE", "STATUS", "EXPIRES", "REQUESTED BY")
			for _, e := range es {
				row(tw, "#"+strconv.FormatInt(e.ID, 10), e.Service, e.Rule, e.Resource, short(valueString(e.Value), 40),
					string(e.State(now)), day(e.ExpiresAt), e.RequestedBy)
			}
			tw.Flush()
			if total > len(es) {
				fmt.Fprintf(a.stdout, "(%d of %d shown: use --offset and --limit)\n", len(es), total)
			}
			return nil
		})
	})
	return cmd
}

// valueString writes an offending value: strings bare, the rest as JSON.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func (a *app) exceptionShow() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an exception: the offending values, the justification, the decision and the thread",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		id, err := exceptionID(args[0])
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			e, err := b.GetException(ctx, id)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, e)
			}
			a.printException(a.stdout, e)
			return nil
		})
	})
	return cmd
}

func (a *app) printException(w io.Writer, e *paved.Exception) {
	now := time.Now()
	fmt.Fprintf(w, "exception #%d: %s on %s of %s\n", e.ID, clean(e.Rule), clean(e.Resource), clean(e.Service))
	tw := newTable(w)
	row(tw, "  status:", string(e.State(now)))
	if e.Security {
		row(tw, "  security rule:", "yes (decided by the security role)")
	}
	row(tw, "  finding:", e.Message)
	if e.Path != "" || e.Value != nil {
		row(tw, "  value:", strings.TrimSpace(e.Path+" = "+valueString(e.Value)))
	}
	row(tw, "  fingerprint:", e.Fingerprint)
	row(tw, "  check:", "#"+strconv.FormatInt(e.Check, 10))
	row(tw, "  requested:", fmt.Sprintf("by %s (team %s) on %s", e.RequestedBy, e.Team, day(e.RequestedAt)))
	row(tw, "  reason:", e.Reason)
	switch e.Status {
	case paved.ExceptionApproved, paved.ExceptionRejected:
		if e.DecidedAt != nil {
			row(tw, "  decided:", fmt.Sprintf("%s by %s on %s", e.Status, e.DecidedBy, day(*e.DecidedAt)))
		}
	case paved.ExceptionRevoked:
		if e.RevokedAt != nil {
			row(tw, "  revoked:", fmt.Sprintf("by %s on %s: %s", e.RevokedBy, day(*e.RevokedAt), e.RevokeReason))
		}
	}
	if e.DecisionReason != "" {
		row(tw, "  decision reason:", e.DecisionReason)
	}
	if e.Conditions != "" {
		row(tw, "  conditions:", e.Conditions)
	}
	label := "  expires:"
	if e.Status == paved.ExceptionPending {
		label = "  asked until:"
	}
	row(tw, label, day(e.ExpiresAt))
	row(tw, "  link:", a.portalLink(e.Link()))
	tw.Flush()
	if len(e.Comments) > 0 {
		fmt.Fprintln(w, "\nthread:")
		for _, c := range e.Comments {
			fmt.Fprintf(w, "  %s  %s: %s\n", c.At.UTC().Format("2006-01-02 15:04"), clean(c.Author), clean(c.Body))
		}
	}
}

func (a *app) exceptionApprove() *cobra.Command {
	var expires, conditions string
	cmd := &cobra.Command{
		Use:   "approve ID [--expires 30d|YYYY-MM-DD] [--conditions TEXT]",
		Short: "Approve a pending request until an expiry (default: what the team asked for; never beyond the maximum)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&expires, "expires", "", "expiry: 30d, 12w or YYYY-MM-DD (default: the expiry the team asked for)")
	cmd.Flags().StringVar(&conditions, "conditions", "", "what the approval is subject to (e.g. \"shard by Q3\")")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := exceptionID(args[0])
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			e, err := b.ApproveException(ctx, id, expires, conditions)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "exception #%d approved by %s until %s: %s on %s of %s passes\n", e.ID, clean(e.DecidedBy), day(e.ExpiresAt),
				clean(e.Rule), clean(e.Resource), clean(e.Service))
			return nil
		})
	})
	return cmd
}

func (a *app) exceptionReject() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "reject ID --reason TEXT",
		Short: "Reject a pending request with a reason the team can act on",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why: what the team should do instead")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := exceptionID(args[0])
		if err != nil {
			return err
		}
		if strings.TrimSpace(reason) == "" {
			return usagef("--reason is required: say what the team should do instead")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			e, err := b.RejectException(ctx, id, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "exception #%d rejected by %s\n", e.ID, clean(e.DecidedBy))
			return nil
		})
	})
	return cmd
}

func (a *app) exceptionComment() *cobra.Command {
	return &cobra.Command{
		Use:   "comment ID MESSAGE",
		Short: "Ask or answer a question in a request's thread",
		Args:  cobra.ExactArgs(2),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := exceptionID(args[0])
			if err != nil {
				return err
			}
			if strings.TrimSpace(args[1]) == "" {
				return usagef("the comment is empty")
			}
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				c, err := b.CommentOnException(ctx, id, args[1])
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "comment #%d on exception #%d by %s\n", c.ID, c.Exception, clean(c.Author))
				return nil
			})
		}),
	}
}

func (a *app) exceptionRevoke() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke ID --reason TEXT",
		Short: "Withdraw a pending or approved exception: it covers nothing from now on",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why it is withdrawn")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := exceptionID(args[0])
		if err != nil {
			return err
		}
		if strings.TrimSpace(reason) == "" {
			return usagef("--reason is required: say why the exception is withdrawn")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			e, err := b.WithdrawException(ctx, id, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "exception #%d revoked by %s\n", e.ID, clean(e.RevokedBy))
			return nil
		})
	})
	return cmd
}

func (a *app) exceptionExport() *cobra.Command {
	var out, service string
	cmd := &cobra.Command{
		Use:   "export [-o exceptions.json] [--service S]",
		Short: "Write the approved, unexpired exceptions as a signed file for paved check --exceptions (CI without a server)",
		Long: `Write the approved, unexpired exceptions as a file signed with the server's
Ed25519 key. paved check --exceptions FILE --trust KEY honours it without a
server; KEY is what paved exception key prints. A changed byte anywhere in
the file, or a file signed by another key, covers nothing. A revoked
exception stays valid in files exported before its revocation until they
are replaced: export in the pipeline, or at least daily.`,
		Example: `  paved --server https://paved.example.com exception export --service checkout -o exceptions.json
  paved check --service checkout --exceptions exceptions.json --trust "$(cat paved-exceptions.pub)" plan.json`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the file here (default: stdout)")
	cmd.Flags().StringVar(&service, "service", "", "only this service's exceptions")
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			f, err := b.ExportExceptions(ctx, service)
			if err != nil {
				return err
			}
			data, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				return err
			}
			data = append(data, '\n')
			if out == "" {
				_, err = a.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return paved.FieldErrorf(paved.EINVALID, "--output", "%v", err)
			}
			fmt.Fprintf(a.stderr, "paved: wrote %d exception(s) signed by key %s to %s\n", len(f.Exceptions), f.KeyID, out)
			return nil
		})
	})
	return cmd
}

func (a *app) exceptionKey() *cobra.Command {
	return &cobra.Command{
		Use:   "key",
		Short: "Print the public key exception exports are signed with (paved check --trust takes it)",
		Args:  cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				k, err := b.ExceptionPublicKey(ctx)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(a.stdout, k)
				return err
			})
		}),
	}
}
