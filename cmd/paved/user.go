package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
)

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "List, show, create, update and retire users",
	}
	cmd.AddCommand(a.userList(), a.userShow(), a.userCreate(), a.userUpdate(), a.userRetire())
	return cmd
}

func (a *app) userList() *cobra.Command {
	var (
		f       paved.UserFilter
		role, o string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users, filtered by team, role or text",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Team, "team", "", "only members of this team")
	fl.StringVar(&role, "role", "", "only users with this role: viewer, developer, reviewer, architect, security, admin")
	fl.StringVar(&f.Query, "q", "", "only users whose name, display name or e-mail contains this text")
	fl.BoolVar(&f.IncludeRetired, "include-retired", false, "include retired users")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkPage(f.Page); err != nil {
			return err
		}
		if role != "" {
			r, err := paved.ParseRole(role)
			if err != nil {
				return flagError("role", err)
			}
			f.Role = r
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			items, total, err := b.FindUsers(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(items, total, f.Page))
			}
			tw := newTable(a.stdout)
			row(tw, "NAME", "ROLES", "TEAMS", "EMAIL")
			for _, u := range items {
				row(tw, u.Name, roles(u.Roles), join(u.Teams), u.Email)
			}
			tw.Flush()
			showing(a.stdout, "users", len(items), total, f.Page)
			return nil
		})
	})
	return cmd
}

func (a *app) userShow() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show one user",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			u, err := b.FindUser(ctx, args[0])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, u)
			}
			tw := newTable(a.stdout)
			row(tw, "name:", u.Name)
			row(tw, "display name:", u.DisplayName)
			row(tw, "email:", u.Email)
			row(tw, "roles:", roles(u.Roles))
			row(tw, "teams:", join(u.Teams))
			row(tw, "retired:", timePtrText(u.RetiredAt))
			row(tw, "created:", timeText(u.CreatedAt))
			row(tw, "updated:", timeText(u.UpdatedAt))
			return tw.Flush()
		})
	})
	return cmd
}

type userFlags struct {
	displayName, email string
	roles, teams       []string
}

func (uf *userFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&uf.displayName, "display-name", "", "the person's name as shown")
	fl.StringVar(&uf.email, "email", "", "e-mail address")
	fl.StringArrayVar(&uf.roles, "role", nil, "a role: viewer, developer, reviewer, architect, security, admin (repeat for several)")
	fl.StringArrayVar(&uf.teams, "team", nil, "a team the user belongs to (repeat for several)")
}

func parseRoles(vals []string) ([]paved.Role, error) {
	out := make([]paved.Role, 0, len(vals))
	for _, v := range vals {
		r, err := paved.ParseRole(v)
		if err != nil {
			return nil, flagError("role", err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (a *app) userCreate() *cobra.Command {
	var (
		uf userFlags
		o  string
	)
	cmd := &cobra.Command{
		Use:   "create NAME [--role ROLE]... [--team TEAM]... [--email ADDRESS]",
		Short: "Create a user (with no role, a user reads like a viewer)",
		Args:  cobra.ExactArgs(1),
	}
	uf.add(cmd)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		rs, err := parseRoles(uf.roles)
		if err != nil {
			return err
		}
		u := &paved.User{Name: args[0], DisplayName: uf.displayName, Email: uf.email, Roles: rs, Teams: uf.teams}
		if u.Teams == nil {
			u.Teams = []string{}
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if err := b.CreateUser(ctx, u); err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, u)
			}
			fmt.Fprintf(a.stdout, "created user %s\n", u.Name)
			return nil
		})
	})
	return cmd
}

func (a *app) userUpdate() *cobra.Command {
	var (
		uf userFlags
		o  string
	)
	cmd := &cobra.Command{
		Use:   "update NAME [--role ROLE]... [--team TEAM]... [--email ...] [--display-name ...]",
		Short: "Change a user; only the flags given change (--role and --team replace the lists)",
		Args:  cobra.ExactArgs(1),
	}
	uf.add(cmd)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		var u paved.UserUpdate
		fl := cmd.Flags()
		n := 0
		if fl.Changed("display-name") {
			u.DisplayName, n = &uf.displayName, n+1
		}
		if fl.Changed("email") {
			u.Email, n = &uf.email, n+1
		}
		if fl.Changed("role") {
			rs, err := parseRoles(uf.roles)
			if err != nil {
				return err
			}
			u.Roles, n = &rs, n+1
		}
		if fl.Changed("team") {
			u.Teams, n = &uf.teams, n+1
		}
		if n == 0 {
			return usagef("nothing to update: give at least one of --display-name, --email, --role, --team")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			v, err := b.UpdateUser(ctx, args[0], u)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, v)
			}
			fmt.Fprintf(a.stdout, "updated user %s\n", v.Name)
			return nil
		})
	})
	return cmd
}

func (a *app) userRetire() *cobra.Command {
	return &cobra.Command{
		Use:   "retire NAME",
		Short: "Retire a user",
		Args:  cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				if err := b.RetireUser(ctx, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "retired user %s\n", args[0])
				return nil
			})
		}),
	}
}
