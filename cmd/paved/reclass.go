package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/spf13/cobra"
)

// Reclassification: lowering a service's tier or data class once its
// launch is under way is a request that an architect or security engineer
// outside the owning team decides (docs/path-to-production.md).

func reclassID(arg string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("reclassification id %q is not valid: want a whole number >= 1 (paved reclassification list shows them)", arg)
	}
	return id, nil
}

// classFlags reads --tier and --data-class (either may be left out).
func classFlags(cmd *cobra.Command, tier, dataClass string) (paved.Classification, error) {
	var c paved.Classification
	fl := cmd.Flags()
	if fl.Changed("tier") {
		t, err := paved.ParseTier(tier)
		if err != nil {
			return c, flagError("tier", err)
		}
		c.Tier = t
	}
	if fl.Changed("data-class") {
		d, err := paved.ParseDataClass(dataClass)
		if err != nil {
			return c, flagError("data-class", err)
		}
		c.DataClass = d
	}
	if c.IsZero() {
		return c, usagef("name the classification: --tier and/or --data-class")
	}
	return c, nil
}

func (a *app) serviceReclassify() *cobra.Command {
	var tier, dataClass, reason, o string
	var force bool
	cmd := &cobra.Command{
		Use:   "reclassify NAME [--tier N] [--data-class C] --reason TEXT [--force]",
		Short: "Change a service's tier or data class; lowering a launch under way is a request an architect or security engineer decides",
		Long: `Change a service's tier or data class.

Raising either takes effect at once. Lowering either on a service past
playground, or whose launch is under way, opens a reclassification request
that an architect or security engineer outside the owning team decides
(paved reclassification approve|reject); until then the gates of the
launch keep the stricter classification. An admin may --force a lowering
with a reason, which the audit log keeps.`,
		Args: cobra.ExactArgs(1),
	}
	fl := cmd.Flags()
	fl.StringVar(&tier, "tier", "", "the tier: 1 (business critical) to 4 (internal tool)")
	fl.StringVar(&dataClass, "data-class", "", "the data class: public, internal, confidential, restricted")
	fl.StringVar(&reason, "reason", "", "why (required to lower, and with --force)")
	fl.BoolVar(&force, "force", false, "set it without a decision (admins; --reason required)")
	fl.StringVar(&a.as, "as", "", "act as this paved user on the local database (env "+config.EnvAs+")")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		to, err := classFlags(cmd, tier, dataClass)
		if err != nil {
			return err
		}
		if force && strings.TrimSpace(reason) == "" {
			return usagef("--force needs --reason: say why no architect or security engineer decides it")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if force {
				r, err := b.ForceReclassification(ctx, args[0], to, reason)
				if err != nil {
					return err
				}
				if o == formatJSON {
					return writeJSON(a.stdout, r)
				}
				fmt.Fprintf(a.stdout, "%s forced from %s to %s (reclassification #%d, recorded in the audit log)\n", clean(r.Service), r.From, r.To, r.ID)
				return nil
			}
			res, err := b.ReclassifyService(ctx, args[0], to, reason)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, res)
			}
			if r := res.Reclassification; r != nil {
				fmt.Fprintf(a.stdout, "reclassification #%d: lowering %s from %s to %s waits for an architect or security engineer outside team %s; the gates keep %s until then\n",
					r.ID, clean(r.Service), r.From, r.To, clean(r.Team), r.From)
				return nil
			}
			fmt.Fprintf(a.stdout, "%s is now %s\n", clean(res.Service.Name), paved.ClassOf(res.Service))
			return nil
		})
	})
	return cmd
}

func (a *app) reclassCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "reclassification",
		Aliases: []string{"reclass"},
		Short:   "List and decide requests to lower a service's tier or data class",
	}
	cmd.PersistentFlags().StringVar(&a.as, "as", "", "act as this paved user on the local database (env "+config.EnvAs+")")
	cmd.AddCommand(a.reclassList(), a.reclassShow(), a.reclassDecide(true), a.reclassDecide(false), a.reclassWithdraw())
	return cmd
}

func (a *app) reclassList() *cobra.Command {
	var (
		f      paved.ReclassFilter
		status string
		o      string
	)
	cmd := &cobra.Command{
		Use:   "list [--service S] [--status pending|approved|rejected|forced|withdrawn]",
		Short: "List reclassification requests, newest first (--status pending: what waits for a decision)",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Service, "service", "", "only this service's requests")
	fl.StringVar(&status, "status", "", "pending, approved, rejected, forced or withdrawn")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if status != "" {
			f.Status = paved.ReclassStatus(strings.ToLower(strings.TrimSpace(status)))
			if !f.Status.Valid() {
				return usagef("--status %q: want pending, approved, rejected, forced or withdrawn", status)
			}
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			rs, total, err := b.Reclassifications(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(rs, total, f.Page.Normalize()))
			}
			tw := newTable(a.stdout)
			row(tw, "ID", "SERVICE", "FROM", "TO", "STATUS", "REQUESTED BY", "DECIDED BY")
			for _, r := range rs {
				row(tw, "#"+strconv.FormatInt(r.ID, 10), r.Service, r.From.String(), r.To.String(), string(r.Status), r.RequestedBy, r.DecidedBy)
			}
			tw.Flush()
			if total > len(rs) {
				fmt.Fprintf(a.stdout, "(%d of %d shown: use --offset and --limit)\n", len(rs), total)
			}
			return nil
		})
	})
	return cmd
}

func (a *app) reclassShow() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one reclassification request",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		id, err := reclassID(args[0])
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			r, err := b.Reclassification(ctx, id)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, r)
			}
			writeReclass(a.stdout, r)
			return nil
		})
	})
	return cmd
}

func writeReclass(w io.Writer, r *paved.Reclassification) {
	fmt.Fprintf(w, "reclassification #%d of %s (team %s): %s -> %s, %s\n", r.ID, clean(r.Service), clean(r.Team), r.From, r.To, r.Status)
	fmt.Fprintf(w, "requested by %s on %s: %s\n", clean(r.RequestedBy), day(r.RequestedAt), clean(r.Reason))
	if r.DecidedBy != "" && r.DecidedAt != nil {
		fmt.Fprintf(w, "%s by %s on %s", r.Status, clean(r.DecidedBy), day(*r.DecidedAt))
		if r.Comment != "" {
			fmt.Fprintf(w, ": %s", clean(r.Comment))
		}
		fmt.Fprintln(w)
	}
}

func (a *app) reclassDecide(approve bool) *cobra.Command {
	var comment string
	use, short := "reject ID --comment TEXT", "Reject a pending request with a comment the team can act on"
	if approve {
		use, short = "approve ID [--comment TEXT]", "Approve a pending request: the service and the gates of its launch take the lower classification"
	}
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.ExactArgs(1)}
	cmd.Flags().StringVar(&comment, "comment", "", "your reasoning (required to reject)")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := reclassID(args[0])
		if err != nil {
			return err
		}
		if !approve && strings.TrimSpace(comment) == "" {
			return usagef("--comment is required: say why the classification stays")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			r, err := b.DecideReclassification(ctx, id, approve, comment)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "reclassification #%d %s by %s: %s is %s\n", r.ID, r.Status, clean(r.DecidedBy), clean(r.Service),
				map[bool]paved.Classification{true: r.To, false: r.From}[approve])
			return nil
		})
	})
	return cmd
}

func (a *app) reclassWithdraw() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "withdraw ID",
		Short: "Withdraw your own pending request; the classification stays as it is",
		Args:  cobra.ExactArgs(1),
	}
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := reclassID(args[0])
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			r, err := b.WithdrawReclassification(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "reclassification #%d withdrawn by %s: %s keeps its classification\n", r.ID, clean(r.DecidedBy), clean(r.Service))
			return nil
		})
	})
	return cmd
}
