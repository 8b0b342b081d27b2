package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/facts"
)

// paved facts: what paved observed of each service (the collectors of
// paved.yaml's facts.collectors) and what its pipelines pushed, the
// collectors' health, and drift between the cluster and the checked
// manifests. docs/facts.md is the guide.

func (a *app) factsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "facts",
		Short: "What paved observes of each service (GitHub, GitLab, PagerDuty, Opsgenie, the clusters) and what pipelines push",
		Long: `Facts are what paved learns of a service instead of being told: the
collectors of paved.yaml (facts.collectors) observe the repository, the
paging tool and the cluster on their own interval, and pipelines push what
only they know (a restore test, a load test). Checklist items name the facts
that answer them; a fact counts until it expires. See docs/facts.md.`,
	}
	cmd.AddCommand(a.factsList(), a.factsCollect(), a.factsPush(), a.factsDrift(), a.factsCollectors())
	return cmd
}

func (a *app) factsBackend(cmd *cobra.Command, f func(ctx context.Context, b factsBackend) error) error {
	return a.withBackend(cmd, func(ctx context.Context, b backend) error { return f(ctx, b) })
}

func (a *app) factsList() *cobra.Command {
	var source, o string
	cmd := &cobra.Command{
		Use:   "list SERVICE [--source SOURCE]",
		Short: "List a service's facts with their source, age and expiry",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&source, "source", "", "only the facts of this source: a collector's name from paved.yaml, or push")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.factsBackend(cmd, func(ctx context.Context, b factsBackend) error {
			fs, err := b.ServiceFacts(ctx, args[0], source)
			if err != nil {
				return err
			}
			if o == formatJSON {
				if fs == nil {
					fs = []*paved.Fact{}
				}
				return writeJSON(a.stdout, api.ServiceFacts{Service: args[0], Facts: fs})
			}
			writeFacts(a.stdout, args[0], fs, time.Now())
			return nil
		})
	})
	return cmd
}

func writeFacts(w io.Writer, service string, fs []*paved.Fact, now time.Time) {
	if len(fs) == 0 {
		fmt.Fprintf(w, "no facts for %s: no collector has observed it and nothing was pushed (docs/facts.md)\n", service)
		return
	}
	tw := newTable(w)
	row(tw, "KEY", "VALUE", "SOURCE", "OBSERVED", "EXPIRES")
	for _, f := range fs {
		exp := f.ExpiresAt.UTC().Format(time.RFC3339)
		if !f.ExpiresAt.After(now) {
			exp = "EXPIRED " + exp
		}
		src := f.Source
		if f.Source == paved.FactSourcePush && f.Actor != "" {
			src += " by " + f.Actor
		}
		row(tw, f.Key, factValue(f.Value), src, f.ObservedAt.UTC().Format(time.RFC3339), exp)
	}
	tw.Flush()
}

// factValue is a fact's value as JSON, shortened for a table.
func factValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func (a *app) factsCollect() *cobra.Command {
	var (
		collector string
		services  []string
		o         string
	)
	cmd := &cobra.Command{
		Use:   "collect --collector NAME [--service SERVICE]...",
		Short: "Run a collector once now and print what changed",
		Long: `Runs one collector of paved.yaml's facts.collectors once, over every active
service (and the organisation's catalog files) or only the services named,
records what it observed and prints the changes. Locally the collector runs
in this process with the credentials of its environment (token_env,
KUBECONFIG); with --server it runs on the server (admins).`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVar(&collector, "collector", "", "the collector's name in paved.yaml (required)")
	cmd.Flags().StringArrayVar(&services, "service", nil, "observe only this service (repeat for several)")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if collector == "" {
			return usagef("--collector is required: the name of a collector in paved.yaml's facts.collectors")
		}
		return a.factsBackend(cmd, func(ctx context.Context, b factsBackend) error {
			res, err := b.CollectFacts(ctx, collector, services)
			if res == nil {
				return err
			}
			if o == formatJSON {
				if jerr := writeJSON(a.stdout, res); jerr != nil {
					return jerr
				}
			} else {
				writeRun(a.stdout, res)
			}
			if err == nil && res.Run.Error != "" {
				// A failed run on the server answers its result.
				err = paved.Errorf(paved.EUNPROCESSABLE, "collector %s failed: %s", collector, res.Run.Error)
			}
			return err
		})
	})
	return cmd
}

func writeRun(w io.Writer, res *facts.RunResult) {
	r := res.Run
	fmt.Fprintf(w, "%s (%s): %d services observed, %d failed, %d facts, %d changes in %s\n", r.Collector, r.Kind, r.Services, r.Failed,
		r.Facts, r.Changes, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	if len(res.Events) > 0 {
		tw := newTable(w)
		row(tw, "SERVICE", "KEY", "CHANGE", "FROM", "TO")
		for _, e := range res.Events {
			from, to := "", ""
			if e.Previous != nil {
				from = factValue(e.Previous)
			}
			if e.Value != nil {
				to = factValue(e.Value)
			}
			row(tw, e.Service, e.Key, string(e.Kind), from, to)
		}
		tw.Flush()
	}
	for s, why := range res.Failed {
		fmt.Fprintf(w, "failed: %s: %s\n", s, why)
	}
}

func (a *app) factsPush() *cobra.Command {
	var (
		expiresIn, version, o string
	)
	cmd := &cobra.Command{
		Use:   "push SERVICE KEY=VALUE...",
		Short: "Push facts of a service from a pipeline (a restore test, a load test, a deploy)",
		Long: `Records facts of the service as yours (with --server, as the token's user; a
team's developers push for their own services). A VALUE that is JSON (a
number, true, false, a quoted string, a list) is taken as such; anything
else is a string. Keys are lower-case dotted names of your own kind, such as
backup.last_restore_test; the collectors' kinds (github.*, kube.* ...) are
refused.

  paved facts push checkout backup.last_restore_test=2026-03-01T02:00:00Z --expires-in 90d`,
		Args: cobra.MinimumNArgs(2),
	}
	cmd.Flags().StringVar(&expiresIn, "expires-in", "", "how long the facts count, such as 90d or 12h (default: facts.push_ttl of paved.yaml)")
	cmd.Flags().StringVar(&version, "version", "", "what produced the facts, such as velero/1.14")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		p := &api.FactPushRequest{Facts: map[string]any{}, ExpiresIn: expiresIn, Version: version}
		for _, kv := range args[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return usagef("%q: want KEY=VALUE, such as backup.last_restore_test=2026-03-01T02:00:00Z", kv)
			}
			if _, dup := p.Facts[k]; dup {
				return usagef("%s is given twice", k)
			}
			p.Facts[k] = pushedValue(v)
		}
		return a.factsBackend(cmd, func(ctx context.Context, b factsBackend) error {
			evs, err := b.PushFacts(ctx, args[0], p)
			if err != nil {
				return err
			}
			if o == formatJSON {
				if evs == nil {
					evs = []*paved.FactEvent{}
				}
				return writeJSON(a.stdout, api.FactPushResult{Service: args[0], Events: evs})
			}
			fmt.Fprintf(a.stdout, "pushed %d facts for %s: %d changed\n", len(p.Facts), args[0], len(evs))
			return nil
		})
	})
	return cmd
}

// pushedValue reads a command-line value: JSON when it parses as such,
// else the string itself.
func pushedValue(s string) any {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err == nil {
		return v
	}
	return s
}

func (a *app) factsDrift() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "drift [SERVICE]",
		Short: "Where the cluster contradicts the checked manifests: images never named, replica counts, unchecked workloads",
		Long: `Compares the cluster's facts (the Kubernetes collector's kube.workloads) with
the manifests of the service's latest recorded check: an image the manifests
never named, fewer replicas than declared, a workload the check never saw or
one it saw that does not run. Without SERVICE, every service with drift.`,
		Args: cobra.MaximumNArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.factsBackend(cmd, func(ctx context.Context, b factsBackend) error {
			var reps []*facts.DriftReport
			if len(args) == 1 {
				r, err := b.FactsDrift(ctx, args[0])
				if err != nil {
					return err
				}
				if o == formatJSON {
					return writeJSON(a.stdout, r)
				}
				reps = []*facts.DriftReport{r}
			} else {
				var err error
				if reps, err = b.FactsDriftAll(ctx); err != nil {
					return err
				}
				if o == formatJSON {
					if reps == nil {
						reps = []*facts.DriftReport{}
					}
					return writeJSON(a.stdout, reps)
				}
			}
			writeDrift(a.stdout, reps)
			return nil
		})
	})
	return cmd
}

func writeDrift(w io.Writer, reps []*facts.DriftReport) {
	for _, r := range reps {
		if len(r.Items) == 0 {
			fmt.Fprintf(w, "%s: no drift", r.Service)
			if r.Note != "" {
				fmt.Fprintf(w, " (%s)", r.Note)
			}
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "%s: %d differences from check #%d\n", r.Service, len(r.Items), r.Check)
		tw := newTable(w)
		row(tw, "  WORKLOAD", "KIND", "DETAIL", "SOURCE")
		for _, it := range r.Items {
			row(tw, "  "+it.Workload, it.Kind, it.Detail, it.Source)
		}
		tw.Flush()
	}
	if len(reps) == 0 {
		fmt.Fprintln(w, "no drift: the clusters run what the latest checks saw")
	}
}

func (a *app) factsCollectors() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "collectors",
		Short: "The collectors' health: latest run, last success, failures",
		Args:  cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.factsBackend(cmd, func(ctx context.Context, b factsBackend) error {
			runs, err := b.CollectorHealth(ctx)
			if err != nil {
				return err
			}
			if o == formatJSON {
				if runs == nil {
					runs = []*paved.CollectorRun{}
				}
				return writeJSON(a.stdout, runs)
			}
			if len(runs) == 0 {
				fmt.Fprintln(a.stdout, "no collectors: add facts.collectors to paved.yaml (docs/facts.md)")
				return nil
			}
			tw := newTable(a.stdout)
			row(tw, "COLLECTOR", "KIND", "STATE", "LATEST RUN", "LAST SUCCESS", "SERVICES", "FAILED", "ERROR")
			for _, r := range runs {
				state, latest, last := "ok", "", ""
				switch {
				case r.StartedAt.IsZero():
					state = "never run"
				case r.Error != "":
					state = fmt.Sprintf("failing (%d)", r.ConsecutiveFailures)
				}
				if !r.StartedAt.IsZero() {
					latest = r.StartedAt.UTC().Format(time.RFC3339)
				}
				if r.LastSuccessAt != nil {
					last = r.LastSuccessAt.UTC().Format(time.RFC3339)
				}
				row(tw, r.Collector, r.Kind, state, latest, last, fmt.Sprint(r.Services), fmt.Sprint(r.Failed), r.Error)
			}
			return tw.Flush()
		})
	})
	return cmd
}
