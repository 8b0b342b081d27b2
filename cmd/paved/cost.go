package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// paved cost: billing ingest, reports, budgets and alerts (docs/spend.md).

const formatTable, formatCSV = "table", "csv"

// addTableFlag adds -o table|csv|json.
func addTableFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVarP(dst, "output", "o", formatTable, "output format: table, csv or json")
}

func checkTableFormat(f string) error {
	switch f {
	case formatTable, formatText, formatCSV, formatJSON:
		return nil
	}
	return usagef("-o %q: want table, csv or json", f)
}

func (a *app) costCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "Spend: ingest FOCUS billing files, reports by team and service, budgets and alerts",
		Long: `Spend: billing lines from FOCUS (1.0 to 1.3) exports, allocated to services
and teams by tags or the account mapping of paved.yaml, reports, budgets and
the alerts they raise. Months are written YYYY-MM; without --month a command
uses the month of the latest billing data.

Runs on the local database, or through a server with --server (ingest,
budgets and re-allocation need the admin role there).`,
	}
	cmd.AddCommand(a.costIngest(), a.costReport(), a.costMovers(), a.costUntagged(), a.costBatches(),
		a.costBudget(), a.costAlerts(), a.costAlert(), a.costEvaluate(), a.costReallocate())
	return cmd
}

func (a *app) costIngest() *cobra.Command {
	var (
		skip     bool
		accounts []string
		o        string
		noBar    bool
	)
	cmd := &cobra.Command{
		Use:   "ingest FILE... [--skip-invalid] [--account-map ACCOUNT=TEAM]...",
		Short: "Ingest FOCUS CSV files (plain or gzip): each billing account and period replaces what was stored",
		Long: `Ingest FOCUS 1.0 to 1.3 cost and usage CSV files, plain or gzip (told apart by
their first bytes). All files go in one transaction: each billing account
and billing period in them replaces what was stored for it, atomically, so
give every part of a split export in one command.

An invalid line stops the ingest with the file and line; with --skip-invalid
invalid lines are counted, the first ones listed, and the rest ingested.
--account-map maps a billing or sub-account to a team for this ingest, over
spend.accounts of paved.yaml. After the ingest the budget, forecast, spike
and burn-rate rules run and new alerts are listed.`,
		Args: cobra.MinimumNArgs(1),
	}
	cmd.Flags().BoolVar(&skip, "skip-invalid", false, "count and report invalid lines instead of stopping at the first")
	cmd.Flags().StringArrayVar(&accounts, "account-map", nil, "ACCOUNT=TEAM: allocate untagged lines of this billing or sub-account to TEAM (repeatable)")
	cmd.Flags().BoolVar(&noBar, "no-progress", false, "do not draw a progress bar on a terminal")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		acc, err := parseAccountMap(accounts)
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			bar := a.progressBar(noBar)
			req := cost.IngestRequest{Files: args, SkipInvalid: skip, Accounts: acc, Progress: bar.start}
			res, err := b.CostIngest(ctx, req)
			bar.stop()
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, res)
			}
			printIngest(a.stdout, res)
			return nil
		})
	})
	return cmd
}

// parseAccountMap reads ACCOUNT=TEAM flags.
func parseAccountMap(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		for _, kv := range strings.Split(f, ",") {
			acc, team, ok := strings.Cut(kv, "=")
			acc, team = strings.TrimSpace(acc), strings.TrimSpace(team)
			if !ok || acc == "" || team == "" {
				return nil, usagef("--account-map %q: want ACCOUNT=TEAM", kv)
			}
			if err := paved.ValidateName("team", team); err != nil {
				return nil, flagError("account-map", err)
			}
			out[acc] = team
		}
	}
	return out, nil
}

func printIngest(w io.Writer, res *paved.CostIngest) {
	fmt.Fprintf(w, "ingested %d lines (FOCUS %s) from %s", res.Lines, res.Version, strings.Join(res.Files, ", "))
	if res.Elapsed > 0 {
		fmt.Fprintf(w, " in %.1f s", res.Elapsed.Seconds())
	}
	fmt.Fprintln(w)
	tw := newTable(w)
	row(tw, "  BILLING ACCOUNT", "PERIOD", "LINES", "COST", "CURRENCY", "NOTE")
	for _, b := range res.Batches {
		note := "new"
		if b.Replaced {
			note = "replaced the earlier ingest"
		}
		row(tw, "  "+b.BillingAccountID, b.Period, strconv.FormatInt(b.Lines, 10), b.Cost.StringFixed(2), b.Currency, note)
	}
	tw.Flush()
	cols := map[string]string{}
	for _, b := range res.Batches {
		for p, c := range b.CostColumns {
			if cols[p] != paved.ColumnBilled {
				cols[p] = c
			}
		}
	}
	col, _ := cost.DescribeCostColumns(cols)
	fmt.Fprintf(w, "cost column: %s\n", col)
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "ignored columns (not FOCUS, no x_ prefix): %s\n", strings.Join(res.Ignored, ", "))
	}
	if res.Skipped > 0 {
		fmt.Fprintf(w, "skipped %d invalid lines:\n", res.Skipped)
		for _, m := range res.Invalid {
			fmt.Fprintf(w, "  %s\n", clean(m))
		}
		if int64(len(res.Invalid)) < res.Skipped {
			fmt.Fprintf(w, "  ... and %d more\n", res.Skipped-int64(len(res.Invalid)))
		}
	}
	for _, al := range res.Alerts {
		fmt.Fprintf(w, "alert %d: %s\n", al.ID, clean(al.Message))
	}
}

// progress draws a bar on stderr while an ingest reads its files, when
// stderr is a terminal.
type progress struct {
	w       io.Writer
	on      bool
	mu      sync.Mutex
	done    chan struct{}
	wg      sync.WaitGroup
	started time.Time
}

func (a *app) progressBar(off bool) *progress {
	p := &progress{w: a.stderr}
	if f, ok := a.stderr.(*os.File); ok && !off && term.IsTerminal(int(f.Fd())) {
		p.on = true
	}
	return p
}

func (p *progress) start(get func() (done, total int64)) {
	if !p.on || p.done != nil {
		return
	}
	p.done, p.started = make(chan struct{}), time.Now()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				fmt.Fprint(p.w, "\r\033[K")
				return
			case <-t.C:
				done, total := get()
				fmt.Fprint(p.w, "\r"+progressLine(done, total, time.Since(p.started)))
			}
		}
	}()
}

func (p *progress) stop() {
	if p.done != nil {
		close(p.done)
		p.wg.Wait()
		p.done = nil
	}
}

// progressLine is one frame of the bar: "[#####---------] 34%  92 of 270 MiB  3.1 s".
func progressLine(done, total int64, elapsed time.Duration) string {
	mib := func(n int64) string { return fmt.Sprintf("%.0f", float64(n)/(1<<20)) }
	if total <= 0 {
		return fmt.Sprintf("reading ... %s MiB  %.1f s", mib(done), elapsed.Seconds())
	}
	f := float64(done) / float64(total)
	if done >= total {
		return fmt.Sprintf("%s 100%%  %s MiB read, writing ...  %.1f s", bar(1), mib(total), elapsed.Seconds())
	}
	return fmt.Sprintf("%s %3.0f%%  %s of %s MiB  %.1f s", bar(f), f*100, mib(done), mib(total), elapsed.Seconds())
}

// costFlagError names the flag of a domain error that names its field.
func costFlagError(flag string, err error) error {
	var pe *paved.Error
	if errors.As(err, &pe) {
		return paved.FieldErrorf(paved.EINVALID, "--"+flag, "%s", pe.Message)
	}
	return flagError(flag, err)
}

func monthFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "month", "", "the month, YYYY-MM (default: the month of the latest billing data)")
}

func checkMonth(m string) error {
	if m == "" {
		return nil
	}
	if _, err := paved.ParseMonth(m); err != nil {
		return costFlagError("month", err)
	}
	return nil
}

func (a *app) costReport() *cobra.Command {
	var (
		by, month, o, team, service string
	)
	cmd := &cobra.Command{
		Use:   "report [--by team|service|account|category] [--month YYYY-MM] [-o table|csv|json]",
		Short: "A month's cost by team, service, account or charge category, shared costs split, with the change against the month before",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&by, "by", "team", "group by team, service, account or category (the FOCUS ChargeCategory)")
	cmd.Flags().StringVar(&team, "team", "", "only this team's lines")
	cmd.Flags().StringVar(&service, "service", "", "only this service's lines")
	monthFlag(cmd, &month)
	addTableFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		d, err := paved.ParseCostDimension(by)
		if err != nil {
			return costFlagError("by", err)
		}
		if err := checkTableFormat(o); err != nil {
			return err
		}
		if err := checkMonth(month); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			r, err := b.CostReport(ctx, month, d, cost.ReportFilter{Team: team, Service: service})
			if err != nil {
				return err
			}
			return a.writeReport(r, o, r.Rows)
		})
	})
	return cmd
}

func (a *app) writeReport(r *cost.Report, o string, rows []*cost.Row) error {
	switch o {
	case formatJSON:
		return writeJSON(a.stdout, r)
	case formatCSV:
		cw := csv.NewWriter(a.stdout)
		cw.Write([]string{string(r.By), "direct", "shared", "total", "previous", "change", "currency"})
		for _, row := range rows {
			cw.Write([]string{row.Name, row.Direct.String(), row.Shared.String(), row.Total.String(), row.Previous.String(), row.Change.String(), r.Currency})
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(a.stdout, "%s by %s, %s (%s)\n", r.Month, r.By, orDash(r.Currency), r.CostColumn)
	tw := newTable(a.stdout)
	row(tw, strings.ToUpper(string(r.By)), "DIRECT", "SHARED", "TOTAL", "PREVIOUS", "CHANGE")
	for _, x := range rows {
		row(tw, x.Name, x.Direct.StringFixed(2), x.Shared.StringFixed(2), x.Total.StringFixed(2), x.Previous.StringFixed(2), signed(x.Change))
	}
	row(tw, "total", "", "", r.Total.StringFixed(2), r.Previous.StringFixed(2), signed(r.Total-r.Previous))
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range r.Shared {
		fmt.Fprintf(a.stdout, "shared %s: %s split %s\n", s.Rule, s.Amount.StringFixed(2), s.Split)
	}
	return nil
}

func signed(m paved.Money) string {
	if m > 0 {
		return "+" + m.StringFixed(2)
	}
	return m.StringFixed(2)
}

func orDash(s string) string {
	if s == "" {
		return "no data"
	}
	return s
}

func (a *app) costMovers() *cobra.Command {
	var (
		by, month, o string
		limit        int
	)
	cmd := &cobra.Command{
		Use:   "movers [--by team|service|account|category] [--month YYYY-MM] [--limit N]",
		Short: "The groups whose cost changed most against the month before",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&by, "by", "service", "group by team, service, account or category")
	cmd.Flags().IntVar(&limit, "limit", 10, "show at most this many")
	monthFlag(cmd, &month)
	addTableFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		d, err := paved.ParseCostDimension(by)
		if err != nil {
			return costFlagError("by", err)
		}
		if err := checkTableFormat(o); err != nil {
			return err
		}
		if err := checkMonth(month); err != nil {
			return err
		}
		if limit < 1 || limit > paved.MaxLimit {
			return usagef("--limit %d: want 1 to %d", limit, paved.MaxLimit)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			r, err := b.CostReport(ctx, month, d, cost.ReportFilter{})
			if err != nil {
				return err
			}
			m := r.Movers(limit)
			if o == formatJSON {
				return writeJSON(a.stdout, map[string]any{"month": r.Month, "by": r.By, "currency": r.Currency, "cost_column": r.CostColumn, "movers": m})
			}
			return a.writeReport(r, o, m)
		})
	})
	return cmd
}

func (a *app) costUntagged() *cobra.Command {
	var (
		month, o string
		limit    int
	)
	cmd := &cobra.Command{
		Use:   "untagged [--month YYYY-MM] [--limit N]",
		Short: "Untagged resources ranked by usage and purchase cost (credits do not hide them)",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().IntVar(&limit, "limit", 20, fmt.Sprintf("show at most this many (up to %d)", paved.MaxLimit))
	monthFlag(cmd, &month)
	addTableFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkTableFormat(o); err != nil {
			return err
		}
		if err := checkMonth(month); err != nil {
			return err
		}
		if limit < 1 || limit > paved.MaxLimit {
			return usagef("--limit %d: want 1 to %d", limit, paved.MaxLimit)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			items, err := b.CostUntagged(ctx, month, limit)
			if err != nil {
				return err
			}
			switch o {
			case formatJSON:
				return writeJSON(a.stdout, newListJSON(items, len(items), paved.Page{Limit: limit}))
			case formatCSV:
				cw := csv.NewWriter(a.stdout)
				cw.Write([]string{"resource_id", "service_name", "account", "team", "cost", "lines"})
				for _, u := range items {
					cw.Write([]string{u.ResourceID, u.ServiceName, u.Account, u.Team, u.Cost.String(), strconv.FormatInt(u.Lines, 10)})
				}
				cw.Flush()
				return cw.Error()
			}
			if len(items) == 0 {
				fmt.Fprintln(a.stdout, "no untagged usage or purchase cost")
				return nil
			}
			tw := newTable(a.stdout)
			row(tw, "RESOURCE", "SERVICE", "ACCOUNT", "TEAM", "COST")
			for _, u := range items {
				row(tw, u.ResourceID, u.ServiceName, u.Account, u.Team, u.Cost.StringFixed(2))
			}
			return tw.Flush()
		})
	})
	return cmd
}

func (a *app) costBatches() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "batches",
		Short: "The billing accounts and periods ingested, with their lines, cost and cost column",
		Args:  cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			bs, err := b.CostBatches(ctx)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(bs, len(bs), paved.Page{}))
			}
			tw := newTable(a.stdout)
			row(tw, "BILLING ACCOUNT", "PERIOD", "LINES", "COST", "CURRENCY", "INGESTED")
			for _, x := range bs {
				row(tw, x.BillingAccountID, x.Period, strconv.FormatInt(x.Lines, 10), x.Cost.StringFixed(2), x.Currency,
					x.IngestedAt.Format(time.DateTime)+" by "+x.IngestedBy)
			}
			return tw.Flush()
		})
	})
	return cmd
}

func (a *app) costBudget() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "budget",
		Short: "Monthly budgets per team, service or (playground) account",
	}
	var month, o string
	list := &cobra.Command{
		Use:   "list [--month YYYY-MM]",
		Short: "Every budget (paved.yaml and the API) with the month's spend, forecast and alerts",
		Args:  cobra.NoArgs,
	}
	monthFlag(list, &month)
	addTableFlag(list, &o)
	list.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkTableFormat(o); err != nil {
			return err
		}
		if err := checkMonth(month); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			bs, err := b.CostBudgets(ctx, month)
			if err != nil {
				return err
			}
			switch o {
			case formatJSON:
				return writeJSON(a.stdout, newListJSON(bs, len(bs), paved.Page{}))
			case formatCSV:
				cw := csv.NewWriter(a.stdout)
				cw.Write([]string{"scope", "name", "month", "budget", "actual", "forecast", "percent", "currency", "source"})
				for _, s := range bs {
					cw.Write([]string{string(s.Scope), s.Name, s.Month, s.Amount.String(), s.Actual.String(), s.Forecast.String(), strconv.Itoa(s.Percent), s.Currency, s.Source})
				}
				cw.Flush()
				return cw.Error()
			}
			if len(bs) == 0 {
				fmt.Fprintln(a.stdout, "no budgets: set one in paved.yaml (spend.budgets) or with paved cost budget set")
				return nil
			}
			tw := newTable(a.stdout)
			row(tw, "SCOPE", "NAME", "BUDGET", "ACTUAL", "USED", "FORECAST", "ALERTS", "SOURCE")
			for _, s := range bs {
				scope := string(s.Scope)
				if s.Playground {
					scope += " (playground)"
				}
				row(tw, scope, s.Name, s.Amount.StringFixed(2), s.Actual.StringFixed(2), fmt.Sprintf("%s %d%%", bar(float64(min(s.Percent, 100))/100), s.Percent),
					s.Forecast.StringFixed(2), strconv.Itoa(len(s.Alerts)), s.Source)
			}
			return tw.Flush()
		})
	})
	var playground bool
	set := &cobra.Command{
		Use:   "set team|service|account NAME AMOUNT [--playground]",
		Short: "Set a monthly budget (it wins over paved.yaml's for the same scope and name)",
		Args:  cobra.ExactArgs(3),
	}
	set.Flags().BoolVar(&playground, "playground", false, "the account is a playground account: watch its burn rate")
	set.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		scope, err := paved.ParseBudgetScope(args[0])
		if err != nil {
			return err
		}
		amount, err := paved.ParseAmount(args[2])
		if err != nil {
			return err
		}
		bd := &paved.Budget{Scope: scope, Name: args[1], Amount: amount, Playground: playground}
		if err := bd.Validate(); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			out, err := b.CostSetBudget(ctx, bd)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "budget of %s %s: %s a month\n", out.Scope, out.Name, out.Amount.StringFixed(2))
			return nil
		})
	})
	del := &cobra.Command{
		Use:   "delete team|service|account NAME",
		Short: "Delete a budget set through the API or CLI",
		Args:  cobra.ExactArgs(2),
	}
	del.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		scope, err := paved.ParseBudgetScope(args[0])
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if err := b.CostDeleteBudget(ctx, scope, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted the budget of %s %s\n", scope, args[1])
			return nil
		})
	})
	cmd.AddCommand(list, set, del)
	return cmd
}

func (a *app) costAlerts() *cobra.Command {
	var (
		month, team, o string
		limit          int
	)
	cmd := &cobra.Command{
		Use:   "alerts [--month YYYY-MM] [--team TEAM]",
		Short: "Budget, forecast, spike and burn-rate alerts, newest first",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&month, "month", "", "only this month's alerts (YYYY-MM)")
	cmd.Flags().StringVar(&team, "team", "", "only this team's alerts")
	cmd.Flags().IntVar(&limit, "limit", paved.DefaultLimit, fmt.Sprintf("show at most this many (up to %d)", paved.MaxLimit))
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkMonth(month); err != nil {
			return err
		}
		if limit < 1 || limit > paved.MaxLimit {
			return usagef("--limit %d: want 1 to %d", limit, paved.MaxLimit)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			as, err := b.CostAlerts(ctx, paved.CostAlertFilter{Period: month, Team: team, Limit: limit})
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(as, len(as), paved.Page{Limit: limit}))
			}
			if len(as) == 0 {
				fmt.Fprintln(a.stdout, "no alerts")
				return nil
			}
			tw := newTable(a.stdout)
			row(tw, "ID", "RULE", "SCOPE", "NAME", "PERIOD", "RAISED", "MESSAGE")
			for _, x := range as {
				msg := x.Message
				if x.Planned() {
					msg = "[planned: " + x.PlannedReason + "] " + msg
				}
				row(tw, strconv.FormatInt(x.ID, 10), x.Rule, string(x.Scope), x.Name, x.Period, x.CreatedAt.Format(time.DateTime), msg)
			}
			return tw.Flush()
		})
	})
	return cmd
}

func (a *app) costAlert() *cobra.Command {
	cmd := &cobra.Command{Use: "alert", Short: "Act on one alert"}
	var reason string
	plan := &cobra.Command{
		Use:   "plan ID --reason TEXT",
		Short: "Mark an alert as planned activity: no more alerts of its rule for its scope this month",
		Args:  cobra.ExactArgs(1),
	}
	plan.Flags().StringVar(&reason, "reason", "", "what the planned activity is (required)")
	plan.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id <= 0 {
			return usagef("alert id %q: want a positive number (paved cost alerts lists them)", args[0])
		}
		if strings.TrimSpace(reason) == "" {
			return usagef("--reason is required: say what the planned activity is")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			al, err := b.CostPlanAlert(ctx, id, reason)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "alert %d marked as planned: no more %s alerts for %s %s in %s\n", al.ID, al.Rule, al.Scope, al.Name, al.Period)
			return nil
		})
	})
	cmd.AddCommand(plan)
	return cmd
}

func (a *app) costEvaluate() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Run the budget, forecast, spike and burn-rate rules now (paved serve runs them hourly and after each ingest)",
		Args:  cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ev, err := b.CostEvaluate(ctx)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, ev)
			}
			if ev.Month == "" {
				fmt.Fprintln(a.stdout, "no billing data: nothing to evaluate")
				return nil
			}
			fmt.Fprintf(a.stdout, "evaluated %s (data to %s): %d new alerts\n", ev.Month, ev.AsOf.Format(time.DateOnly), len(ev.Raised))
			for _, al := range ev.Raised {
				fmt.Fprintf(a.stdout, "alert %d: %s\n", al.ID, clean(al.Message))
			}
			return nil
		})
	})
	return cmd
}

func (a *app) costReallocate() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reallocate",
		Short: "Apply the current allocation rules (tag keys, account mapping, shared costs, catalog owners) to all stored billing lines",
		Args:  cobra.NoArgs,
	}
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			n, err := b.CostReallocate(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d allocation keys changed place\n", n)
			return nil
		})
	})
	return cmd
}
