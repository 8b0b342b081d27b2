package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
)

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the hash-chained audit log",
	}
	cmd.AddCommand(a.auditList(), a.auditVerify())
	return cmd
}

func (a *app) auditList() *cobra.Command {
	var (
		f paved.AuditFilter
		o string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List audit events, newest first",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.ObjectType, "object-type", "", "only events about this kind of object: team, user, service, token, catalog")
	fl.StringVar(&f.ObjectID, "object-id", "", "only events about this object (a name, or a token id)")
	fl.StringVar(&f.Actor, "actor", "", "only events by this actor")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkPage(f.Page); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			events, total, err := b.FindAuditEvents(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(events, total, f.Page))
			}
			tw := newTable(a.stdout)
			row(tw, "SEQ", "TIME", "ACTOR", "ACTION", "OBJECT", "CHANGED")
			for _, e := range events {
				row(tw, strconv.FormatInt(e.Seq, 10), timeText(e.Time), e.Actor, e.Action, e.ObjectType+" "+e.ObjectID, join(paved.ChangedFields(e.Changes)))
			}
			tw.Flush()
			showing(a.stdout, "events", len(events), total, f.Page)
			return nil
		})
	})
	return cmd
}

func (a *app) auditVerify() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the whole audit chain; exit 1 and name each broken event if it was tampered with",
		Args:  cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			rep, err := b.VerifyAudit(ctx)
			if err != nil {
				return err
			}
			if o == formatJSON {
				if rep.Problems == nil {
					rep.Problems = []paved.ChainProblem{}
				}
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else if rep.OK {
				fmt.Fprintf(a.stdout, "audit log intact: %d events verified\n", rep.Events)
			} else {
				for _, p := range rep.Problems {
					fmt.Fprintf(a.stdout, "event %d: %s\n", p.Seq, p.Problem)
				}
			}
			if !rep.OK {
				return &exitError{code: 1, msg: fmt.Sprintf("audit log verification failed: %d problems in %d events", len(rep.Problems), rep.Events)}
			}
			return nil
		})
	})
	return cmd
}
