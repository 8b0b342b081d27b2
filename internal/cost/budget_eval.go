package cost

import (
	"context"
	"fmt"
	"time"

	"github.com/paved-dev/paved"
)

// EvalStore is what the evaluation reads and writes.
type EvalStore interface {
	paved.CostStore
	FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error)
	FindService(ctx context.Context, name string) (*paved.Service, error)
	FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error)
}

// AllServices pages through the catalog's services (retired ones too).
func AllServices(ctx context.Context, st EvalStore) ([]*paved.Service, error) {
	var out []*paved.Service
	for off := 0; ; off += paved.MaxLimit {
		page, total, err := st.FindServices(ctx, paved.ServiceFilter{IncludeRetired: true, Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// AllTeams pages through the catalog's teams.
func AllTeams(ctx context.Context, st EvalStore) ([]*paved.Team, error) {
	var out []*paved.Team
	for off := 0; ; off += paved.MaxLimit {
		page, total, err := st.FindTeams(ctx, paved.TeamFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// Budgets returns the effective budgets: paved.yaml's with the stored ones
// laid over them.
func Budgets(ctx context.Context, st paved.CostStore, cfg *SpendConfig) ([]*paved.Budget, error) {
	stored, err := st.FindBudgets(ctx)
	if err != nil {
		return nil, err
	}
	return MergeBudgets(cfg.Budgets, stored), nil
}

// Evaluation is the outcome of one evaluation of the alert rules.
type Evaluation struct {
	Month  string             `json:"month"`                    // the month evaluated: the one of the latest cost data
	AsOf   time.Time          `json:"as_of,omitempty,omitzero"` // the latest day with cost data
	Raised []*paved.CostAlert `json:"raised"`                   // alerts stored by this evaluation (new ones only)
}

// Evaluate applies the budget, forecast, spike and burn-rate rules to the
// month of the latest cost data and stores the alerts that are new (the
// store de-duplicates and honours alerts marked as planned). It runs after
// every ingest and as the periodic job "cost-alerts" in paved serve.
func Evaluate(ctx context.Context, st EvalStore, cfg *SpendConfig) (*Evaluation, error) {
	if cfg == nil {
		cfg = &SpendConfig{}
	}
	alerts := cfg.Alerts.WithDefaults()
	first, last, currency, err := st.CostRange(ctx)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{Raised: []*paved.CostAlert{}}
	if last.IsZero() {
		return ev, nil
	}
	ev.AsOf, ev.Month = last, paved.Period(last)
	monthStart, monthEnd := MonthRange(last)
	dataEnd := last.AddDate(0, 0, 1)
	histStart := monthStart.AddDate(0, 0, -alerts.Spike.WindowDays)
	if histStart.Before(first) {
		histStart = first
	}

	services, err := AllServices(ctx, st)
	if err != nil {
		return nil, err
	}
	owner := map[string]string{}
	for _, s := range services {
		owner[s.Name] = s.Owner
	}
	teamOf := func(scope paved.BudgetScope, name string) string {
		switch scope {
		case paved.ScopeTeam:
			return name
		case paved.ScopeService:
			return owner[name]
		}
		return cfg.Accounts[name]
	}

	// Month to date (every category) and daily usage per scope.
	dims := map[paved.BudgetScope]paved.CostDimension{paved.ScopeTeam: paved.ByTeam, paved.ScopeService: paved.ByService, paved.ScopeAccount: paved.ByAccount}
	actual := map[paved.BudgetScope]map[string]paved.Money{}
	usage := map[paved.BudgetScope]map[string][]paved.Money{}
	histDays := int(dataEnd.Sub(histStart).Hours() / 24)
	for scope, dim := range dims {
		tot, err := st.CostTotals(ctx, paved.CostQuery{From: monthStart, To: dataEnd, By: dim})
		if err != nil {
			return nil, err
		}
		actual[scope] = map[string]paved.Money{}
		for _, t := range tot {
			if t.Shared == "" || dim == paved.ByAccount {
				actual[scope][t.Group] += t.Cost
			}
		}
		daily, err := st.CostTotals(ctx, paved.CostQuery{From: histStart, To: dataEnd, By: dim, Daily: true, Categories: []string{paved.ChargeUsage}})
		if err != nil {
			return nil, err
		}
		usage[scope] = map[string][]paved.Money{}
		for _, t := range daily {
			if t.Shared != "" && dim != paved.ByAccount {
				continue
			}
			if t.Group == "" || t.Group == paved.Unallocated {
				continue
			}
			s := usage[scope][t.Group]
			if s == nil {
				s = make([]paved.Money, histDays)
				usage[scope][t.Group] = s
			}
			i := int(t.Day.Sub(histStart).Hours() / 24)
			if i >= 0 && i < len(s) {
				s[i] += t.Cost
			}
		}
	}

	// Budgets and forecasts.
	budgets, err := Budgets(ctx, st, cfg)
	if err != nil {
		return nil, err
	}
	offset := int(monthStart.Sub(histStart).Hours() / 24)
	daysInMonth := int(monthEnd.Sub(monthStart).Hours() / 24)
	var spends []BudgetSpend
	for _, b := range budgets {
		s := BudgetSpend{Budget: b, Team: teamOf(b.Scope, b.Name), Actual: actual[b.Scope][b.Name]}
		var days []paved.Money
		if u := usage[b.Scope][b.Name]; u != nil && offset < len(u) {
			days = u[offset:]
		} else {
			days = make([]paved.Money, int(dataEnd.Sub(monthStart).Hours()/24))
		}
		s.Forecast = Forecast(s.Actual, days, daysInMonth)
		spends = append(spends, s)
	}
	var out []*paved.CostAlert
	out = append(out, BudgetAlerts(ev.Month, currency, spends, alerts.Thresholds)...)

	// Spikes on every scope with usage, for the days of the month.
	for _, scope := range []paved.BudgetScope{paved.ScopeTeam, paved.ScopeService, paved.ScopeAccount} {
		for _, name := range paved.SortedKeys(usage[scope]) {
			out = append(out, Spikes(DaySeries{Scope: scope, Name: name, Team: teamOf(scope, name), Start: histStart, Days: usage[scope][name]},
				monthStart, alerts.Spike, currency)...)
		}
	}

	// Burn rate of the playground accounts.
	var pg []string
	pgBudget := map[string]*paved.Budget{}
	for _, b := range budgets {
		if b.Scope == paved.ScopeAccount && b.Playground {
			pg = append(pg, b.Name)
			pgBudget[b.Name] = b
		}
	}
	if len(pg) > 0 {
		hours, err := st.CostHours(ctx, pg, monthStart, dataEnd)
		if err != nil {
			return nil, err
		}
		byAcct := map[string][]*paved.CostHour{}
		for _, h := range hours {
			byAcct[h.Account] = append(byAcct[h.Account], h)
		}
		for _, name := range pg {
			if a := Burn(BurnInput{Budget: pgBudget[name], Team: teamOf(paved.ScopeAccount, name), MonthToDate: actual[paved.ScopeAccount][name], Hours: byAcct[name]}, alerts.Burn, currency); a != nil {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return ev, nil
	}
	saved, err := st.SaveCostAlerts(ctx, out, AlertNotification)
	if err != nil {
		return nil, fmt.Errorf("save alerts: %w", err)
	}
	ev.Raised = saved
	return ev, nil
}
