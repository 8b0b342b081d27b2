package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/ownership"
)

// paved ownership: who owns each operational concern (ownership.yaml in
// the platform config, overlaid by admin edits), what the cloud vendor
// covers for each managed resource type, what a service's own resources
// ask of its team, and the gaps. docs/ownership.md is the guide.

func (a *app) ownershipCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ownership",
		Short: "Who owns each operational concern, what the cloud vendor covers, and what a service's resources ask of its team",
		Long: `The ownership map says which team owns each operational concern (base
images, patching, certificates, backups, on-call ...), grouped by layer, with
accountable, consulted and informed teams. It is ownership.yaml next to
paved.yaml (an embedded default otherwise), overlaid by the edits admins make
in the portal. The shared-responsibility tables say, per managed resource
type, what the vendor covers, what it covers once switched on, and what it
leaves to the team; a service's latest recorded check says what its own
resources ask of it.`,
	}
	cmd.AddCommand(a.ownershipShow(), a.ownershipValidate(), a.ownershipResponsibilities(), a.ownershipService(),
		a.ownershipGaps(), a.ownershipExport(), a.ownershipAssign(), a.ownershipReset())
	return cmd
}

func (a *app) ownershipBackend(cmd *cobra.Command, f func(ctx context.Context, b ownershipBackend) error) error {
	return a.withBackend(cmd, func(ctx context.Context, b backend) error {
		ob, ok := b.(ownershipBackend)
		if !ok {
			return fmt.Errorf("this backend has no ownership map")
		}
		return f(ctx, ob)
	})
}

func (a *app) ownershipShow() *cobra.Command {
	var (
		f ownership.Filter
		o string
	)
	cmd := &cobra.Command{
		Use:   "show [--team TEAM] [--concern CONCERN]",
		Short: "Show the ownership map: concerns by layer with their owner, accountable, consulted and informed teams",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&f.Team, "team", "", "only concerns where this team has a role (a catalog team, a team kind such as cloud-engineering, or product-team)")
	cmd.Flags().StringVar(&f.Concern, "concern", "", "only this concern")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.ownershipBackend(cmd, func(ctx context.Context, b ownershipBackend) error {
			v, err := b.OwnershipShow(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, v)
			}
			writeOwnershipView(a.stdout, v)
			return nil
		})
	})
	return cmd
}

// refLabel shows a team reference with the catalog team it resolves to.
func refLabel(ref string, cols map[string]*ownership.Column) string {
	if ref == "" {
		return ""
	}
	if c := cols[ref]; c != nil && c.Team != "" && c.Team != ref {
		return ref + " (" + c.Team + ")"
	}
	return ref
}

func writeOwnershipView(w io.Writer, v *ownership.View) {
	cols := map[string]*ownership.Column{}
	for _, c := range v.Columns {
		cols[c.Ref] = c
	}
	labels := func(refs []string) string {
		out := make([]string, len(refs))
		for i, r := range refs {
			out[i] = refLabel(r, cols)
		}
		return strings.Join(out, ", ")
	}
	fmt.Fprintf(w, "Ownership map (%s)\n", v.Source)
	for _, l := range v.Layers {
		fmt.Fprintf(w, "\n%s (%s)\n", l.Title, l.ID)
		tw := newTable(w)
		row(tw, "CONCERN", "OWNER (R)", "ACCOUNTABLE", "CONSULTED", "INFORMED", "")
		for _, c := range l.Concerns {
			owner := refLabel(c.Owner, cols)
			if owner == "" {
				owner = "NO OWNER"
			}
			edited := ""
			if c.Edit != nil {
				edited = "edited by " + c.Edit.UpdatedBy
			}
			row(tw, c.ID, owner, refLabel(c.Accountable, cols), labels(c.Consulted), labels(c.Informed), edited)
		}
		tw.Flush()
	}
	writeProblems(w, v.Problems)
	for _, e := range v.Stale {
		fmt.Fprintf(w, "warning: the admin edit of %s by %s applies to no concern of the config file: reset it with paved ownership reset %s\n", e.Concern, e.UpdatedBy, e.Concern)
	}
}

func writeProblems(w io.Writer, ps []ownership.Problem) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, p := range ps {
		where := ""
		if p.Where != "" {
			where = p.Where + ": "
		}
		fmt.Fprintf(w, "%s: %s%s\n", p.Severity, where, clean(p.Message))
	}
}

func (a *app) ownershipValidate() *cobra.Command {
	var noCatalog bool
	cmd := &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check an ownership.yaml: its format (file:line), and its teams against the catalog",
		Long: `Check an ownership map: the format first (unknown keys, unknown concerns,
a concern owned twice, a team in two roles: errors with file:line), then
every team reference against the catalog (the local database, or --server).
A concern without an owner is a warning. FILE defaults to ownership.yaml next
to paved.yaml. Exit 0 when valid (warnings allowed), 2 on errors.`,
		Args: cobra.MaximumNArgs(1),
	}
	cmd.Flags().BoolVar(&noCatalog, "no-catalog", false, "check the format only, not the teams (for a config repository's CI without a catalog)")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		path := ""
		if len(args) == 1 {
			path = args[0]
		} else {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			path = ownershipFile(cfg)
		}
		var m *ownership.Map
		if path == "" {
			m = ownership.MustDefault()
		} else {
			data, err := os.ReadFile(path)
			switch {
			case errors.Is(err, fs.ErrNotExist) && len(args) == 0:
				m = ownership.MustDefault()
			case err != nil:
				return paved.FieldErrorf(paved.EINVALID, path, "cannot read the ownership map: %v", paved.UnwrapPathError(err))
			default:
				if m, err = ownership.Parse(path, data); err != nil {
					return err
				}
			}
		}
		concerns := len(m.Concerns())
		if noCatalog {
			fmt.Fprintf(a.stdout, "%s: %d layers, %d concerns: the format is valid (teams not checked)\n", m.Source, len(m.Layers), concerns)
			return nil
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			teams, err := allTeams(ctx, b)
			if err != nil {
				return err
			}
			ps := ownership.Validate(m, ownership.NewTeams(teams))
			writeProblems(a.stdout, ps)
			if errs := ownership.Errors(ps); len(errs) > 0 {
				return &exitError{code: 2, msg: fmt.Sprintf("%s: %d errors", m.Source, len(errs))}
			}
			fmt.Fprintf(a.stdout, "%s: %d layers, %d concerns, %d teams: valid", m.Source, len(m.Layers), concerns, len(m.Refs()))
			if len(ps) > 0 {
				fmt.Fprintf(a.stdout, " with %d warnings", len(ps))
			}
			fmt.Fprintln(a.stdout)
			return nil
		})
	})
	return cmd
}

// allTeams reads every team from the backend, page by page.
func allTeams(ctx context.Context, b backend) ([]*paved.Team, error) {
	var out []*paved.Team
	for off := 0; ; off += paved.MaxLimit {
		ts, total, err := b.FindTeams(ctx, paved.TeamFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
		if len(ts) == 0 || off+len(ts) >= total {
			return out, nil
		}
	}
}

func (a *app) ownershipResponsibilities() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "responsibilities [TYPE]",
		Short: "Print the shared-responsibility table of a resource type (aws_db_instance ...), or list the types",
		Long: `For a managed resource type, who covers each concern: the vendor, the vendor
once enabled (with the attribute and condition that enable it), or the team;
with a note and the provider documentation each row was written from.
Without TYPE, list the types paved knows.`,
		Args: cobra.MaximumNArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if len(args) == 0 {
			ts, err := ownership.Tables()
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(ts, len(ts), paved.Page{Limit: len(ts)}))
			}
			tw := newTable(a.stdout)
			row(tw, "TYPE", "PROVIDER", "SERVICE")
			for _, t := range ts {
				row(tw, t.Type, t.Provider, t.Title)
			}
			return tw.Flush()
		}
		t, err := ownership.Responsibilities(args[0])
		if err != nil {
			return err
		}
		if o == formatJSON {
			return writeJSON(a.stdout, t)
		}
		writeTable(a.stdout, t)
		return nil
	})
	return cmd
}

// coverageText says who covers a row.
func coverageText(r *ownership.Row) string {
	switch r.CoveredBy {
	case paved.CoverVendor:
		return "vendor"
	case paved.CoverVendorOnceEnabled:
		return "vendor once " + r.EnabledWhen
	case paved.CoverTeam:
		return "team"
	}
	return "does not apply"
}

func writeTable(w io.Writer, t *ownership.Table) {
	fmt.Fprintf(w, "%s (%s)\n\n", t.Title, t.Type)
	tw := newTable(w)
	row(tw, "CONCERN", "COVERED BY")
	for _, r := range t.Rows {
		row(tw, ownership.ConcernLabel(r.Concern), coverageText(r))
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, r := range t.Rows {
		fmt.Fprintf(w, "%s: %s\n  source: %s\n", ownership.ConcernLabel(r.Concern), clean(r.Note), r.Source)
	}
}

func (a *app) ownershipService() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "service NAME",
		Short: "What a service's own resources ask of its team, from its latest recorded check",
		Long: `From the resources of the service's latest check recorded with
paved check --server URL --service NAME, the concerns its managed resources
raise: what the vendor covers, what the team must switch on (and whether the
plan does), and what the team must handle itself, with the owning team from
the ownership map.`,
		Args: cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.ownershipBackend(cmd, func(ctx context.Context, b ownershipBackend) error {
			rep, err := b.ServiceOwnership(ctx, args[0])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, rep)
			}
			writeServiceReport(a.stdout, rep)
			return nil
		})
	})
	return cmd
}

// stateLabel is a consideration's state in the CLI's words.
var stateLabel = map[paved.ConsiderationState]string{
	paved.StateVendor:     "vendor",
	paved.StateEnabled:    "enabled",
	paved.StateNotEnabled: "NOT ENABLED",
	paved.StateUnknown:    "unknown",
	paved.StateTeam:       "team",
}

func writeServiceReport(w io.Writer, rep *ownership.ServiceReport) {
	if rep.Check == 0 {
		fmt.Fprintf(w, "%s (team %s): no check with resources is recorded yet.\nRecord one from CI: paved check --server URL --service %s plan.json\n", rep.Service, rep.Team, rep.Service)
		return
	}
	fmt.Fprintf(w, "%s (team %s): check #%d of %s, %d resources", rep.Service, rep.Team, rep.Check, rep.At.UTC().Format("2006-01-02 15:04 UTC"), rep.Resources)
	if rep.Omitted > 0 {
		fmt.Fprintf(w, " (%d more not recorded)", rep.Omitted)
	}
	fmt.Fprintln(w)
	if len(rep.Considerations) == 0 {
		fmt.Fprintln(w, "\nNone of its resources is a managed service paved has a shared-responsibility table for.")
	}
	todo := 0
	last := ""
	var tw *tabwriter.Writer
	for _, c := range rep.Considerations {
		if c.Resource != last {
			if tw != nil {
				tw.Flush()
			}
			last = c.Resource
			fmt.Fprintf(w, "\n%s (%s)\n", c.Resource, c.TypeTitle)
			tw = newTable(w)
			row(tw, "STATE", "CONCERN", "WHO", "COVERED BY", "HERE")
		}
		who := c.Owner
		if c.State == paved.StateVendor {
			who = "vendor"
		} else if who == "" {
			who = "NO OWNER"
		}
		cover := "vendor"
		switch c.Coverage {
		case paved.CoverVendorOnceEnabled:
			cover = "vendor once " + c.Condition
		case paved.CoverTeam:
			cover = "team"
		}
		if c.NeedsAction() {
			todo++
		}
		row(tw, stateLabel[c.State], ownership.ConcernLabel(c.Concern), who, cover, c.Detail)
	}
	if tw != nil {
		tw.Flush()
	}
	if len(rep.Untabled) > 0 {
		types := make([]string, 0, len(rep.Untabled))
		for t, n := range rep.Untabled {
			types = append(types, fmt.Sprintf("%s (%d)", t, n))
		}
		sort.Strings(types)
		fmt.Fprintf(w, "\nNo shared-responsibility table for: %s\n", strings.Join(types, ", "))
	}
	if todo > 0 {
		fmt.Fprintf(w, "\n%d considerations need the team: switch on what is NOT ENABLED, handle what is the team's, check what the plan does not say.\n", todo)
	}
}

func (a *app) ownershipGaps() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "gaps",
		Short: "Concerns no team owns, and services whose resources leave a team-owned concern unaddressed",
		Args:  cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.ownershipBackend(cmd, func(ctx context.Context, b ownershipBackend) error {
			g, err := b.OwnershipGaps(ctx)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, g)
			}
			writeGaps(a.stdout, g)
			return nil
		})
	})
	return cmd
}

func writeGaps(w io.Writer, g *ownership.GapReport) {
	if len(g.Unowned) == 0 {
		fmt.Fprintln(w, "Every concern has an owner.")
	} else {
		fmt.Fprintf(w, "Concerns no team owns (%d):\n", len(g.Unowned))
		tw := newTable(w)
		row(tw, "CONCERN", "LAYER", "WHY", "RAISED BY")
		for _, u := range g.Unowned {
			row(tw, u.Concern, u.Layer, u.Reason, strings.Join(u.Services, ", "))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	if len(g.Services) == 0 {
		fmt.Fprintf(w, "No service leaves a team-owned concern unaddressed (%d services with a recorded check).\n", g.Checked)
	} else {
		fmt.Fprintf(w, "Services whose resources leave a team-owned concern unaddressed (%d of %d with a recorded check):\n", len(g.Services), g.Checked)
		tw := newTable(w)
		row(tw, "SERVICE", "TEAM", "CONCERN", "OWNER", "RESOURCE", "HERE")
		for _, s := range g.Services {
			for _, c := range s.Considerations {
				row(tw, s.Service, s.Team, ownership.ConcernLabel(c.Concern), c.Owner, c.Resource, c.Detail)
			}
		}
		tw.Flush()
	}
	for _, e := range g.Stale {
		fmt.Fprintf(w, "\nwarning: the admin edit of %s applies to no concern of the config file: reset it with paved ownership reset %s\n", e.Concern, e.Concern)
	}
}

func (a *app) ownershipExport() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [--out FILE]",
		Short: "Write the effective map (the config file with the admins' edits) as ownership.yaml",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		return a.ownershipBackend(cmd, func(ctx context.Context, b ownershipBackend) error {
			data, err := b.OwnershipExport(ctx)
			if err != nil {
				return err
			}
			if out == "" {
				_, err = a.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return paved.FieldErrorf(paved.EINVALID, "--out", "%v", paved.UnwrapPathError(err))
			}
			fmt.Fprintf(a.stderr, "paved: wrote %s\n", out)
			return nil
		})
	})
	return cmd
}

func (a *app) ownershipAssign() *cobra.Command {
	var (
		e                   paved.OwnershipEdit
		consulted, informed []string
		o                   string
	)
	cmd := &cobra.Command{
		Use:   "assign CONCERN --owner TEAM [--accountable TEAM] [--consulted A,B] [--informed C] [--reason TEXT]",
		Short: "Reassign a concern (admin): the owner and RACI teams replace the config file's until reset",
		Long: `Reassign a concern of the ownership map, as an admin does in the portal:
the given owner, accountable, consulted and informed teams replace the config
file's for this concern until paved ownership reset. Teams are catalog team
names, team kinds that one team has, or product-team. --owner "" leaves the
concern deliberately without an owner (the gap report lists it).`,
		Args: cobra.ExactArgs(1),
	}
	fl := cmd.Flags()
	fl.StringVar(&e.Owner, "owner", "", "the responsible team (R)")
	fl.StringVar(&e.Accountable, "accountable", "", "the accountable team (A), when not the owner")
	fl.StringSliceVar(&consulted, "consulted", nil, "consulted teams (C), separated by commas")
	fl.StringSliceVar(&informed, "informed", nil, "informed teams (I), separated by commas")
	fl.StringVar(&e.Reason, "reason", "", "why, recorded with the edit and in the audit log")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if !cmd.Flags().Changed("owner") {
			return usagef("name the owner with --owner TEAM (--owner \"\" for none)")
		}
		e.Concern, e.Consulted, e.Informed = args[0], consulted, informed
		return a.ownershipBackend(cmd, func(ctx context.Context, b ownershipBackend) error {
			c, err := b.OwnershipEdit(ctx, &e)
			if err != nil {
				return err
			}
			return a.writeConcern(c, o)
		})
	})
	return cmd
}

func (a *app) ownershipReset() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "reset CONCERN",
		Short: "Remove an admin's reassignment of a concern: the config file's applies again",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.ownershipBackend(cmd, func(ctx context.Context, b ownershipBackend) error {
			c, err := b.OwnershipReset(ctx, args[0])
			if err != nil {
				return err
			}
			return a.writeConcern(c, o)
		})
	})
	return cmd
}

func (a *app) writeConcern(c *ownership.Concern, o string) error {
	if o == formatJSON {
		return writeJSON(a.stdout, c)
	}
	if c == nil {
		return nil
	}
	owner := c.Owner
	if owner == "" {
		owner = "no owner"
	}
	fmt.Fprintf(a.stdout, "%s (%s): owner %s", c.ID, c.Title, owner)
	if c.Accountable != "" {
		fmt.Fprintf(a.stdout, ", accountable %s", c.Accountable)
	}
	if len(c.Consulted) > 0 {
		fmt.Fprintf(a.stdout, ", consulted %s", strings.Join(c.Consulted, ", "))
	}
	if len(c.Informed) > 0 {
		fmt.Fprintf(a.stdout, ", informed %s", strings.Join(c.Informed, ", "))
	}
	if c.Edit != nil {
		fmt.Fprintf(a.stdout, " (admin edit by %s)", c.Edit.UpdatedBy)
	} else {
		fmt.Fprint(a.stdout, " (from the config file)")
	}
	fmt.Fprintln(a.stdout)
	return nil
}

// ownershipFile is the platform config's ownership.yaml, next to paved.yaml;
// "" when there is no config file (the embedded default applies).
func ownershipFile(cfg *config.Config) string {
	if cfg == nil || cfg.Source == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(cfg.Source), ownership.FileName)
}
