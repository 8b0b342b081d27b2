package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// The demo's spend lets a newcomer walk journey 5: a generated FOCUS export
// of the demo organisation's AWS accounts for last month and this month to
// yesterday (most resources tagged with their service and team, some with
// an owner only, some untagged, tax, a credit and support), ingested
// through cost.Spend as the cloud team would, with budgets per team and
// for the recommendations playground account, which an intern's GPU batch
// job set burning on the last Friday evening: the spike and burn-rate
// alerts caught it on the Saturday.

// PlaygroundAccount is the demo's playground AWS account (recommendations,
// search team) and its monthly budget.
const (
	PlaygroundAccount = "210987654321"
	playgroundBudget  = 300
)

// SpendStories says what the demo's spend holds, for serve --demo.
var SpendStories = []string{
	"/spend: last month and this month by team and service, untagged spend and the budgets",
	"the recommendations playground account " + PlaygroundAccount + ": a GPU batch job from Friday evening, caught by the spike and burn-rate alerts on the Saturday",
	"the search team is over its budget this month; checkout is forecast to pass it",
}

// demoAccount is the AWS account each team's services run in.
func demoAccount(team string) string {
	n := 0
	for _, c := range team {
		n = n*31 + int(c)
	}
	if n < 0 {
		n = -n
	}
	return fmt.Sprintf("1000%08d", n%100000000)
}

// SpendConfig is the allocation the demo's export needs: the playground
// account belongs to search, shared networking is split across teams.
func SpendConfig() *cost.SpendConfig {
	return &cost.SpendConfig{
		Accounts: map[string]string{PlaygroundAccount: "search"},
		Shared:   []cost.SharedRule{{Name: "shared-network", Tag: "cost-center=shared-network", Split: cost.SplitProportional}},
	}
}

// lastSaturday is the latest Saturday before `now` that is at least the
// 9th of its month: its Friday is in the same month, and the spike rule has
// a week of history to judge it by.
func lastSaturday(now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, -1)
	}
	for d.Day() < 9 {
		d = d.AddDate(0, 0, -7)
	}
	return d
}

// seedSpend ingests the demo's billing data once: when any billing data is
// stored it does nothing.
func seedSpend(ctx context.Context, st paved.Store, now time.Time) error {
	batches, err := st.FindCostBatches(ctx)
	if err != nil {
		return err
	}
	if len(batches) > 0 {
		return nil
	}
	now = now.UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	var svcs []cost.GenService
	for _, s := range services {
		if s.phase == retired {
			continue
		}
		w := map[paved.Tier]int{1: 6, 2: 3, 3: 2, 4: 1}[s.tier]
		if s.phase == playground {
			w = 1
		}
		if s.name == "recommendations" {
			continue // the playground account: a small steady baseline below
		}
		svcs = append(svcs, cost.GenService{Name: s.name, Team: s.owner, Account: demoAccount(s.owner), Weight: w})
	}
	sat := lastSaturday(now)
	spike := cost.GenSpike{Account: PlaygroundAccount, Service: "recommendations", Team: "search",
		Start: sat.Add(-5 * time.Hour), Hours: 29, PerHour: 38 * paved.MoneyUnit}
	// The ingests in order: last month, this month to yesterday. The
	// month of the spike is ingested first through the Friday (the export
	// as it stood on Saturday morning, when the hourly evaluation caught
	// the burn) and then whole, which replaces it.
	type ingest struct {
		month time.Time
		days  int
	}
	var runs []ingest
	for _, m := range []ingest{{lastMonth, 0}, {thisMonth, now.Day() - 1}} {
		if m.month.Equal(thisMonth) && m.days <= 0 {
			continue
		}
		if sat.Year() == m.month.Year() && sat.Month() == m.month.Month() {
			runs = append(runs, ingest{m.month, sat.Day() - 1})
		}
		runs = append(runs, m)
	}
	files := make([][]byte, len(runs))
	for i, m := range runs {
		var buf bytes.Buffer
		seed := uint64(7)
		if m.month.Equal(thisMonth) {
			seed = 8
		}
		// The playground account's usual cost: a small notebook instance,
		// 0.25 an hour.
		baseline := cost.GenSpike{Account: PlaygroundAccount, Service: "recommendations", Team: "search",
			Start: m.month, Hours: 24 * 31, PerHour: paved.MoneyUnit / 4}
		opt := cost.GenOptions{Month: m.month, Days: m.days, Rows: 20_000, Services: append([]cost.GenService(nil), svcs...),
			Untagged: 0.08, OwnerOnly: 0.05, Seed: seed, BillingAccount: "123456789012", Spikes: []cost.GenSpike{baseline, spike}}
		if m.month.Equal(thisMonth) {
			// This month search runs a reindex: more of everything.
			for j := range opt.Services {
				if opt.Services[j].Team == "search" {
					opt.Services[j].Weight *= 3
				}
			}
		}
		if _, err := cost.GenerateFOCUS(&buf, opt); err != nil {
			return fmt.Errorf("demo spend: %w", err)
		}
		files[i] = buf.Bytes()
	}
	// Not the App's spend service: the generated export needs the demo's
	// own allocation, and its alerts are judged as of the seeding moment.
	spend := &cost.Spend{Store: st, Config: SpendConfig(), Now: func() time.Time { return now }}
	// Budgets first, so that the ingest's evaluation raises the alerts.
	for _, b := range []*paved.Budget{
		{Scope: paved.ScopeTeam, Name: "payments", Amount: 9000 * paved.MoneyUnit},
		{Scope: paved.ScopeTeam, Name: "checkout", Amount: 6000 * paved.MoneyUnit},
		{Scope: paved.ScopeTeam, Name: "search", Amount: 2500 * paved.MoneyUnit},
		{Scope: paved.ScopeTeam, Name: "identity", Amount: 6000 * paved.MoneyUnit},
		{Scope: paved.ScopeService, Name: "gift-cards", Amount: 150 * paved.MoneyUnit},
		{Scope: paved.ScopeAccount, Name: PlaygroundAccount, Amount: playgroundBudget * paved.MoneyUnit, Playground: true},
	} {
		if err := st.SetBudget(ctx, b); err != nil {
			return err
		}
	}
	for i, data := range files {
		name := fmt.Sprintf("focus-%s.csv", paved.Period(runs[i].month))
		if _, err := spend.Ingest(ctx, cost.IngestRequest{Next: func(n int) (string, io.Reader, error) {
			if n > 0 {
				return "", nil, io.EOF
			}
			return name, bytes.NewReader(data), nil
		}}); err != nil {
			return fmt.Errorf("demo spend: ingest %s: %w", name, err)
		}
	}
	return nil
}

// sortedTeams lists the teams with demo spend, for tests.
func sortedTeams() []string {
	seen := map[string]bool{}
	for _, s := range services {
		if s.phase != retired {
			seen[s.owner] = true
		}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
