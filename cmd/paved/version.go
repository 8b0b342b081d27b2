package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set by the linker: go build -ldflags "-X main.version=1.2.3 -X main.commit=abc -X main.date=2026-11-25".
// Left empty, they are read from the build information Go embeds.
var (
	version string
	commit  string
	date    string
)

// build describes this binary.
type build struct {
	Version, Commit, Date, Go string
	Modified                  bool
}

func buildInfo() build {
	b := build{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	return b
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and build date",
		Args:  cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, _ []string) error {
			b := buildInfo()
			commit := b.Commit
			if commit == "" {
				commit = "unknown"
			} else if len(commit) > 12 {
				commit = commit[:12]
			}
			if b.Modified {
				commit += " (modified)"
			}
			d := b.Date
			if d == "" {
				d = "unknown"
			}
			fmt.Fprintf(a.stdout, "paved %s\ncommit %s\nbuilt  %s\ngo     %s\n", b.Version, commit, d, b.Go)
			return nil
		}),
	}
}
