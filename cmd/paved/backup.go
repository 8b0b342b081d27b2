package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/paved-dev/paved/internal/store"
)

func (a *app) backupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the SQLite database while paved keeps serving",
		Long: `Write a consistent, compacted copy of the SQLite database (--database) to
FILE, which must not exist. It is safe while paved serve runs on the same
database: SQLite copies what one read transaction sees, and writers go on.
The copy is then verified as paved restore would verify it. For PostgreSQL
use pg_dump (docs/operations.md).`,
		Example: `  paved backup /var/backups/paved-$(date +%F).db --database /var/lib/paved/paved.db`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if a.server != "" {
				return usagef("backup works on a database (--database), not through --server")
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
			if err := db.Backup(ctx, args[0]); err != nil {
				return err
			}
			rep, err := store.VerifyFile(ctx, args[0])
			if err != nil {
				return fmt.Errorf("the backup was written but does not verify: %w", err)
			}
			fmt.Fprintf(a.stdout, "backup %s: schema %d, %d audit events (chain intact), %d services, %d teams, %d users\n",
				args[0], rep.SchemaVersion, rep.AuditEvents, rep.Services, rep.Teams, rep.Users)
			return nil
		}),
	}
}

func (a *app) restoreCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the SQLite database with a verified backup",
		Long: `Replace the SQLite database (--database) with the backup FILE. The backup
is checked first (SQLite integrity check, a schema this paved knows, an
intact audit chain); nothing is replaced if it fails. Stop paved serve
first: a -wal file beside the database means it is open, and restore
refuses unless --force (for a database left behind by a crash).`,
		Example: `  systemctl stop paved && paved restore /var/backups/paved-2026-11-25.db --database /var/lib/paved/paved.db && systemctl start paved`,
		Args:    cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if a.server != "" {
				return usagef("restore works on a database (--database), not through --server")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			rep, err := store.Restore(cmd.Context(), args[0], cfg.Server.Database, force)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "restored %s from %s: schema %d, %d audit events (chain intact), %d services\n",
				cfg.Server.Database, args[0], rep.SchemaVersion, rep.AuditEvents, rep.Services)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "restore even if a -wal file says the database may be open")
	return cmd
}
