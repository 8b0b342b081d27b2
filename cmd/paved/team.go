package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
)

func (a *app) teamCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "team",
		Short: "List, show, create, update and retire teams",
	}
	cmd.AddCommand(a.teamList(), a.teamShow(), a.teamCreate(), a.teamUpdate(), a.teamRetire())
	return cmd
}

func (a *app) teamList() *cobra.Command {
	var (
		f       paved.TeamFilter
		kind, o string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List teams, filtered by kind or text",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&kind, "kind", "", "only teams of this kind: product, developer-productivity, infrastructure-engineering, cloud-engineering, reliability, security")
	fl.StringVar(&f.Query, "q", "", "only teams whose name, title or description contains this text")
	fl.BoolVar(&f.IncludeRetired, "include-retired", false, "include retired teams")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkPage(f.Page); err != nil {
			return err
		}
		if kind != "" {
			k, err := paved.ParseTeamKind(kind)
			if err != nil {
				return flagError("kind", err)
			}
			f.Kind = k
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			items, total, err := b.FindTeams(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(items, total, f.Page))
			}
			tw := newTable(a.stdout)
			row(tw, "NAME", "KIND", "PARENT", "SERVICES", "TITLE")
			for _, t := range items {
				row(tw, t.Name, string(t.Kind), t.Parent, strconv.Itoa(t.Services), t.Title)
			}
			tw.Flush()
			showing(a.stdout, "teams", len(items), total, f.Page)
			return nil
		})
	})
	return cmd
}

func (a *app) teamShow() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one team",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			t, err := b.FindTeam(ctx, args[0])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, t)
			}
			tw := newTable(a.stdout)
			row(tw, "name:", t.Name)
			row(tw, "title:", t.Title)
			kind := string(t.Kind)
			if t.Kind.Enablement() {
				kind += " (enablement)"
			}
			row(tw, "kind:", kind)
			row(tw, "type:", t.Type)
			row(tw, "parent:", t.Parent)
			row(tw, "children:", join(t.Children))
			row(tw, "members:", join(t.Members))
			row(tw, "services:", strconv.Itoa(t.Services))
			row(tw, "email:", t.Email)
			row(tw, "description:", t.Description)
			row(tw, "tags:", join(t.Tags))
			printLinks(tw, t.Links)
			row(tw, "retired:", timePtrText(t.RetiredAt))
			row(tw, "created:", timeText(t.CreatedAt))
			row(tw, "updated:", timeText(t.UpdatedAt))
			return tw.Flush()
		})
	})
	return cmd
}

type teamFlags struct {
	kind, typ, parent, title, description, email string
	tags, links                                  []string
}

func (tf *teamFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&tf.kind, "kind", string(paved.KindProduct), "product, developer-productivity, infrastructure-engineering, cloud-engineering, reliability or security")
	fl.StringVar(&tf.typ, "type", "", "Backstage group type as written (team, business-unit ...)")
	fl.StringVar(&tf.parent, "parent", "", "parent team")
	fl.StringVar(&tf.title, "title", "", "display title")
	fl.StringVar(&tf.description, "description", "", "one-line description")
	fl.StringVar(&tf.email, "email", "", "team e-mail address")
	fl.StringArrayVar(&tf.tags, "tag", nil, "a tag (repeat for several)")
	fl.StringArrayVar(&tf.links, "link", nil, "a link as TYPE=URL (repeat for several)")
}

func (a *app) teamCreate() *cobra.Command {
	var (
		tf teamFlags
		o  string
	)
	cmd := &cobra.Command{
		Use:   "create NAME [--kind KIND] [--parent TEAM]",
		Short: "Create a team",
		Args:  cobra.ExactArgs(1),
	}
	tf.add(cmd)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		k, err := paved.ParseTeamKind(tf.kind)
		if err != nil {
			return flagError("kind", err)
		}
		links, err := parseLinks(tf.links)
		if err != nil {
			return err
		}
		t := &paved.Team{
			Name: args[0], Kind: k, Type: tf.typ, Parent: tf.parent, Title: tf.title,
			Description: tf.description, Email: tf.email, Tags: tf.tags, Links: links,
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if err := b.CreateTeam(ctx, t); err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, t)
			}
			fmt.Fprintf(a.stdout, "created team %s (%s)\n", t.Name, t.Kind)
			return nil
		})
	})
	return cmd
}

func (a *app) teamUpdate() *cobra.Command {
	var (
		tf teamFlags
		o  string
	)
	cmd := &cobra.Command{
		Use:   "update NAME [--title ...] [--kind ...] [--parent ...] ...",
		Short: "Change a team; only the flags given change",
		Args:  cobra.ExactArgs(1),
	}
	tf.add(cmd)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		var u paved.TeamUpdate
		fl := cmd.Flags()
		n := 0
		str := func(name string, v string, dst **string) {
			if fl.Changed(name) {
				*dst = &v
				n++
			}
		}
		str("type", tf.typ, &u.Type)
		str("parent", tf.parent, &u.Parent)
		str("title", tf.title, &u.Title)
		str("description", tf.description, &u.Description)
		str("email", tf.email, &u.Email)
		if fl.Changed("kind") {
			k, err := paved.ParseTeamKind(tf.kind)
			if err != nil {
				return flagError("kind", err)
			}
			u.Kind, n = &k, n+1
		}
		if fl.Changed("tag") {
			u.Tags, n = &tf.tags, n+1
		}
		if fl.Changed("link") {
			links, err := parseLinks(tf.links)
			if err != nil {
				return err
			}
			u.Links, n = &links, n+1
		}
		if n == 0 {
			return usagef("nothing to update: give at least one of --title, --description, --kind, --type, --parent, --email, --tag, --link")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			t, err := b.UpdateTeam(ctx, args[0], u)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, t)
			}
			fmt.Fprintf(a.stdout, "updated team %s\n", t.Name)
			return nil
		})
	})
	return cmd
}

func (a *app) teamRetire() *cobra.Command {
	return &cobra.Command{
		Use:   "retire NAME",
		Short: "Retire a team",
		Args:  cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				if err := b.RetireTeam(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "retired team %s\n", args[0])
				return nil
			})
		}),
	}
}
