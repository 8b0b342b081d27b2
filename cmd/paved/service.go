package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
)

func (a *app) serviceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "service",
		Short: "List, show, create, update and retire services",
	}
	cmd.AddCommand(a.serviceList(), a.serviceShow(), a.serviceCreate(), a.serviceUpdate(), a.serviceReclassify(), a.serviceRetire())
	return cmd
}

func (a *app) serviceList() *cobra.Command {
	var (
		f                     paved.ServiceFilter
		phase, tier, class, o string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List services, filtered by team, phase, tier, data class or text",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Team, "team", "", "only services owned by this team")
	fl.StringVar(&phase, "phase", "", "only services in this phase: playground, green-light, production, retired")
	fl.StringVar(&tier, "tier", "", "only services of this tier: 1 (business critical) to 4 (internal tool)")
	fl.StringVar(&class, "data-class", "", "only services with this data class: public, internal, confidential, restricted")
	fl.StringVar(&f.Query, "q", "", "only services whose name, title or description contains this text")
	fl.BoolVar(&f.IncludeRetired, "include-retired", false, "include retired services")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkPage(f.Page); err != nil {
			return err
		}
		var err error
		if phase != "" {
			if f.Phase, err = paved.ParsePhase(phase); err != nil {
				return flagError("phase", err)
			}
		}
		if tier != "" {
			if f.Tier, err = paved.ParseTier(tier); err != nil {
				return flagError("tier", err)
			}
		}
		if class != "" {
			if f.DataClass, err = paved.ParseDataClass(class); err != nil {
				return flagError("data-class", err)
			}
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			items, total, err := b.FindServices(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(items, total, f.Page))
			}
			tw := newTable(a.stdout)
			row(tw, "NAME", "OWNER", "PHASE", "TIER", "DATA CLASS", "TITLE")
			for _, s := range items {
				row(tw, s.Name, s.Owner, phaseText(s), fmt.Sprint(int(s.Tier)), string(s.DataClass), s.Title)
			}
			tw.Flush()
			showing(a.stdout, "services", len(items), total, f.Page)
			return nil
		})
	})
	return cmd
}

func phaseText(s *paved.Service) string {
	if s.Grandfathered {
		return string(s.Phase) + " (grandfathered)"
	}
	return string(s.Phase)
}

func (a *app) serviceShow() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one service",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			s, err := b.FindService(ctx, args[0])
			if err != nil {
				return err
			}
			return a.printService(s, o)
		})
	})
	return cmd
}

func (a *app) printService(s *paved.Service, o string) error {
	if o == formatJSON {
		return writeJSON(a.stdout, s)
	}
	tw := newTable(a.stdout)
	row(tw, "name:", s.Name)
	row(tw, "title:", s.Title)
	row(tw, "owner:", s.Owner)
	row(tw, "phase:", phaseText(s))
	row(tw, "tier:", fmt.Sprint(int(s.Tier)))
	row(tw, "data class:", string(s.DataClass))
	row(tw, "type:", s.Type)
	row(tw, "system:", s.System)
	row(tw, "lifecycle:", s.Lifecycle)
	row(tw, "description:", s.Description)
	row(tw, "tags:", join(s.Tags))
	row(tw, "depends on:", join(s.DependsOn))
	row(tw, "provides APIs:", join(s.ProvidesAPIs))
	row(tw, "consumes APIs:", join(s.ConsumesAPIs))
	printLinks(tw, s.Links)
	row(tw, "created:", timeText(s.CreatedAt))
	row(tw, "updated:", timeText(s.UpdatedAt))
	return tw.Flush()
}

func printLinks(w io.Writer, links []paved.Link) {
	if len(links) == 0 {
		row(w, "links:", "")
		return
	}
	for i, l := range links {
		label := ""
		if i == 0 {
			label = "links:"
		}
		name := l.Type
		if name == "" {
			name = l.Title
		}
		v := l.URL
		if name != "" {
			v = name + "  " + l.URL
		}
		// Not row: an empty label must stay empty, not read "-".
		fmt.Fprintf(w, "%s\t%s\n", label, clean(v))
	}
}

// serviceFlags are the settable fields of a service, shared by create and
// update so that both spell them the same way.
type serviceFlags struct {
	title, description, owner, typ, system, lifecycle string
	tier, dataClass                                   string
	tags, links, dependsOn                            []string
}

func (sf *serviceFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&sf.owner, "owner", "", "owning team")
	fl.StringVar(&sf.tier, "tier", "", "1 (business critical) to 4 (internal tool)")
	fl.StringVar(&sf.dataClass, "data-class", "", "public, internal, confidential or restricted")
	fl.StringVar(&sf.title, "title", "", "display title")
	fl.StringVar(&sf.description, "description", "", "one-line description")
	fl.StringVar(&sf.typ, "type", "", "Backstage component type (service, website, library ...)")
	fl.StringVar(&sf.system, "system", "", "the system the service belongs to")
	fl.StringVar(&sf.lifecycle, "lifecycle", "", "Backstage lifecycle as written (the phase moves through the launch gate)")
	fl.StringArrayVar(&sf.tags, "tag", nil, "a tag (repeat for several)")
	fl.StringArrayVar(&sf.links, "link", nil, "a link as TYPE=URL, e.g. repo=https://git.example.com/x (repeat for several)")
	fl.StringArrayVar(&sf.dependsOn, "depends-on", nil, "an entity this service depends on, e.g. component:ledger (repeat for several)")
}

func (a *app) serviceCreate() *cobra.Command {
	var (
		sf serviceFlags
		o  string
	)
	cmd := &cobra.Command{
		Use:   "create NAME --owner TEAM [--tier N] [--data-class CLASS]",
		Short: "Register a new service (it starts in playground)",
		Long: `Register a new service. It starts in playground; it moves on through the
launch gate. --tier and --data-class default to the catalog defaults of
paved.yaml (tier 3, internal) when left out.`,
		Args: cobra.ExactArgs(1),
	}
	sf.add(cmd)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if sf.owner == "" {
			return usagef("--owner is required: name the team that owns the service")
		}
		s := &paved.Service{
			Name: args[0], Owner: sf.owner, Title: sf.title, Description: sf.description,
			Type: sf.typ, System: sf.system, Lifecycle: sf.lifecycle, Phase: paved.PhasePlayground,
			Tags: sf.tags, DependsOn: sf.dependsOn,
		}
		var err error
		if sf.tier != "" {
			if s.Tier, err = paved.ParseTier(sf.tier); err != nil {
				return flagError("tier", err)
			}
		}
		if sf.dataClass != "" {
			if s.DataClass, err = paved.ParseDataClass(sf.dataClass); err != nil {
				return flagError("data-class", err)
			}
		}
		if s.Links, err = parseLinks(sf.links); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if err := b.CreateService(ctx, s); err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, s)
			}
			fmt.Fprintf(a.stdout, "created service %s (owner %s, tier %d, %s, %s)\n", s.Name, s.Owner, s.Tier, s.DataClass, s.Phase)
			return nil
		})
	})
	return cmd
}

func (a *app) serviceUpdate() *cobra.Command {
	var (
		sf serviceFlags
		o  string
	)
	cmd := &cobra.Command{
		Use:   "update NAME [--title ...] [--owner ...] [--tier ...] ...",
		Short: "Change a service; only the flags given change",
		Args:  cobra.ExactArgs(1),
	}
	sf.add(cmd)
	var reason string
	cmd.Flags().StringVar(&reason, "reason", "", "why, when --tier or --data-class lowers a service whose launch is under way (it becomes a reclassification request; see paved service reclassify)")
	cmd.Flags().StringVar(&a.as, "as", "", "act as this paved user on the local database (env "+config.EnvAs+"); needed when the update becomes a reclassification request")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		u := paved.ServiceUpdate{ReclassifyReason: reason}
		fl := cmd.Flags()
		n := 0
		str := func(name string, v string, dst **string) {
			if fl.Changed(name) {
				*dst = &v
				n++
			}
		}
		str("title", sf.title, &u.Title)
		str("description", sf.description, &u.Description)
		str("owner", sf.owner, &u.Owner)
		str("type", sf.typ, &u.Type)
		str("system", sf.system, &u.System)
		str("lifecycle", sf.lifecycle, &u.Lifecycle)
		if fl.Changed("tier") {
			t, err := paved.ParseTier(sf.tier)
			if err != nil {
				return flagError("tier", err)
			}
			u.Tier, n = &t, n+1
		}
		if fl.Changed("data-class") {
			d, err := paved.ParseDataClass(sf.dataClass)
			if err != nil {
				return flagError("data-class", err)
			}
			u.DataClass, n = &d, n+1
		}
		if fl.Changed("tag") {
			u.Tags, n = &sf.tags, n+1
		}
		if fl.Changed("depends-on") {
			u.DependsOn, n = &sf.dependsOn, n+1
		}
		if fl.Changed("link") {
			links, err := parseLinks(sf.links)
			if err != nil {
				return err
			}
			u.Links, n = &links, n+1
		}
		if n == 0 {
			return usagef("nothing to update: give at least one of --title, --description, --owner, --tier, --data-class, --type, --system, --lifecycle, --tag, --link, --depends-on")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			s, err := b.UpdateService(ctx, args[0], u)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, s)
			}
			fmt.Fprintf(a.stdout, "updated service %s\n", s.Name)
			if (u.Tier != nil && *u.Tier != s.Tier) || (u.DataClass != nil && *u.DataClass != s.DataClass) {
				// A server turns a lowering of a launch under way into a
				// request and keeps the classification.
				fmt.Fprintf(a.stdout, "%s stays %s: lowering it waits for an architect's or security engineer's approval (paved reclassification list --service %s)\n",
					s.Name, paved.ClassOf(s), s.Name)
			}
			return nil
		})
	})
	return cmd
}

func (a *app) serviceRetire() *cobra.Command {
	return &cobra.Command{
		Use:   "retire NAME",
		Short: "Retire a service (it stays in the catalog, in phase retired)",
		Args:  cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				if err := b.RetireService(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "retired service %s\n", args[0])
				return nil
			})
		}),
	}
}
