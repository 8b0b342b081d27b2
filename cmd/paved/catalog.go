package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/catalog"
)

func (a *app) catalogCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Import and export Backstage catalog files",
	}
	cmd.AddCommand(a.catalogImport(), a.catalogExport())
	return cmd
}

// outcomes in the order the summary reports them.
var outcomes = []paved.Outcome{paved.OutcomeCreated, paved.OutcomeUpdated, paved.OutcomeUnchanged, paved.OutcomeSkipped, paved.OutcomeInvalid}

func (a *app) catalogImport() *cobra.Command {
	var (
		dryRun, strict bool
		o              string
	)
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import Backstage catalog-info.yaml files and folders",
		Long: `Import Backstage catalog-info.yaml files and folders (every *.yaml and *.yml
under a folder; "-" reads stdin). Every entity is reported as created,
updated, unchanged, skipped (a kind or feature paved does not model, with the
reason) or invalid (with file:line and what is wrong). Invalid entities are
left out and the valid rest is imported; the exit code is then 2.
Re-importing the same files changes nothing.

A reference to an entity that is neither in the import nor in the catalog
(a Group's spec.parent, a Component's spec.owner, a membership) is kept
dangling, as Backstage keeps it: the entity imports, the referenced team is
a placeholder with no members until its Group is imported, and the entry
carries a warning. --strict makes each warning an error (the entity is left
out, exit 2).`,
		Args: cobra.MinimumNArgs(1),
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what the import would do without writing anything")
	cmd.Flags().BoolVar(&strict, "strict", false, "make every warning (a dangling reference) an error that leaves its entity out")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		cfg, err := a.loadConfig()
		if err != nil {
			return err
		}
		// Files are read here in both modes, so a server sees the same
		// bytes and reports problems with the same file names.
		opt := cfg.CatalogOptions()
		opt.Stdin = a.stdin
		files, err := catalog.Collect(args, opt)
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			res, err := b.ImportCatalog(ctx, files, dryRun, strict)
			if err != nil {
				return err
			}
			if o == formatJSON {
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			} else {
				tw := newTable(a.stdout)
				row(tw, "KIND", "NAME", "OUTCOME", "SOURCE", "REASON")
				warnings := 0
				for _, e := range res.Entries {
					reason := e.Reason
					if reason == "" && len(e.Changes) > 0 {
						reason = "changes " + join(e.Changes)
					}
					for _, w := range e.Warnings {
						if reason != "" {
							reason += "; "
						}
						reason += "warning: " + w
					}
					warnings += len(e.Warnings)
					row(tw, e.Kind, e.Name, string(e.Outcome), e.Source, reason)
				}
				tw.Flush()
				parts := make([]string, len(outcomes))
				for i, oc := range outcomes {
					parts[i] = fmt.Sprintf("%d %s", res.Counts[oc], oc)
				}
				line := strings.Join(parts, ", ")
				if warnings > 0 {
					line += fmt.Sprintf("; %d warning(s): dangling references kept (--strict refuses them)", warnings)
				}
				if dryRun {
					line += " (dry run: nothing was written)"
				}
				fmt.Fprintln(a.stdout, line)
			}
			if n := res.Counts[paved.OutcomeInvalid]; n > 0 {
				rest := "the valid rest was imported"
				if dryRun {
					rest = "the valid rest would be imported"
				}
				return &exitError{code: 2, msg: fmt.Sprintf("%d invalid entities were left out (see above); %s", n, rest)}
			}
			return nil
		})
	})
	return cmd
}

func (a *app) catalogExport() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [-o FILE]",
		Short: "Write the catalog as Backstage YAML that imports back to the same catalog",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVarP(&out, "output", "o", "-", "file to write (- for stdout)")
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if out == "-" || out == "" {
				return b.ExportCatalog(ctx, a.stdout)
			}
			return writeFileAtomic(out, func(f *os.File) error { return b.ExportCatalog(ctx, f) })
		})
	})
	return cmd
}

// writeFileAtomic writes through a temporary file in the same folder and
// renames it into place, so a failed export never leaves half a file where
// a good one was.
func writeFileAtomic(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, "--output", "cannot write to %s: %v", dir, paved.UnwrapPathError(err))
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return paved.FieldErrorf(paved.EINVALID, "--output", "cannot write %s: %v", path, paved.UnwrapPathError(err))
	}
	return nil
}
