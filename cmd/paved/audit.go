package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
)

func (a *app) auditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the hash-chained audit log",
	}
	cmd.AddCommand(a.auditList(), a.auditVerify(), a.auditAnchor())
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
	fl.StringVar(&f.ObjectType, "object-type", "", "only events about this kind of object: "+strings.Join(paved.AuditObjectTypes, ", "))
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
	var o, anchorFile, trust string
	cmd := &cobra.Command{
		Use:   "verify [--anchor FILE [--trust KEY]]",
		Short: "Check the whole audit chain; exit 1 and name each broken event if it was tampered with",
		Long: `Check the whole audit chain; exit 1 and name each broken event if it was
tampered with. With --anchor, the log must also still reach every head in
the anchor file (paved audit anchor, paved serve --audit-anchor-file), with
the anchored hash, and each anchor's signature must be good: a log whose
tail was deleted, or which was rewritten whole, fails. The signatures are
checked with --trust (the key paved exception key printed, kept outside the
database: pin it) or else with the server's own key.`,
		Example: `  paved audit verify --anchor /var/lib/paved-anchors/anchors.jsonl --trust "$(cat paved.pub)"`,
		Args:    cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.Flags().StringVar(&anchorFile, "anchor", "", "an anchor file: the log must still reach each head in it")
	cmd.Flags().StringVar(&trust, "trust", "", "the public key the anchors are signed with (ed25519:BASE64, or a file holding it); default: the server's key")
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if trust != "" && anchorFile == "" {
			return usagef("--trust goes with --anchor")
		}
		var anchors []*paved.AuditAnchor
		if anchorFile != "" {
			f, err := os.Open(anchorFile)
			if err != nil {
				return paved.FieldErrorf(paved.EINVALID, "--anchor", "%v", paved.UnwrapPathError(err))
			}
			anchors, err = paved.ReadAuditAnchors(anchorFile, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			var heads []paved.AuditHead
			var bad []paved.ChainProblem
			if len(anchors) > 0 {
				k := trust
				if k == "" {
					var err error
					if k, err = b.ExceptionPublicKey(ctx); err != nil {
						return err
					}
				}
				pub, err := exception.LoadTrust(k)
				if err != nil {
					return err
				}
				for _, an := range anchors {
					if err := an.Verify(pub); err != nil {
						bad = append(bad, paved.ChainProblem{Seq: an.Seq, Problem: "anchor: " + paved.ErrorMessage(err)})
						continue
					}
					heads = append(heads, an.Head())
				}
			}
			rep, err := b.VerifyAudit(ctx, heads...)
			if err != nil {
				return err
			}
			if len(bad) > 0 {
				rep.Problems = append(rep.Problems, bad...)
				rep.OK = false
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

func (a *app) auditAnchor() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "anchor [--out FILE]",
		Short: "Verify the audit log and print its head (sequence number and hash) signed with the server's key",
		Long: `Verify the audit log and print its head, the last event's sequence number
and hash, signed with the server's Ed25519 key (the key that signs the
exceptions export; paved exception key prints its public half), as one line
of JSON. Keep anchors where the database's operators cannot write: paved
audit verify --anchor FILE then fails when the log no longer reaches them.
A log that does not verify is not anchored (exit 1).`,
		Example: `  paved --server https://paved.example.com audit anchor >> anchors.jsonl
  paved audit anchor --out anchor.json`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&out, "out", "", "write the anchor to this file (default: stdout)")
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			an, err := b.AnchorAudit(ctx)
			if err != nil {
				if paved.ErrorCode(err) == paved.EUNPROCESSABLE {
					return &exitError{code: 1, msg: paved.ErrorMessage(err)}
				}
				return err
			}
			data, err := json.Marshal(an)
			if err != nil {
				return err
			}
			data = append(data, '\n')
			if out == "" {
				_, err = a.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return paved.FieldErrorf(paved.EINVALID, "--out", "%v", err)
			}
			fmt.Fprintf(a.stderr, "paved: anchored event %d, signed by key %s, in %s\n", an.Seq, an.KeyID, out)
			return nil
		})
	})
	return cmd
}
