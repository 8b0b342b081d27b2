package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/paved-dev/paved/internal/store"
)

func (a *app) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date and print its version",
		Long: `Bring the database schema up to date and print its version. paved serve
does the same on start; run this first to migrate before a rolling upgrade
of several replicas.`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			if a.server != "" {
				return usagef("migrate works on a database (--database), not through --server")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := store.Open(ctx, cfg.Server.Database)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				return err
			}
			v, err := db.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "schema version %d (%s)\n", v, db.Engine())
			return nil
		}),
	}
}
