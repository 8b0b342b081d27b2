package cost

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"time"

	"github.com/paved-dev/paved"
)

// Budgets and alerts. The rules here are pure: given a scope's spend (and
// its daily or hourly series), they say which alert fires. Evaluate (in
// budget_eval.go) reads the store, applies them and stores the alerts.

// MergeBudgets lays the budgets set through the API over paved.yaml's: a
// stored budget wins for its scope and name. The result is sorted by scope
// and name.
func MergeBudgets(cfg []BudgetConfig, stored []*paved.Budget) []*paved.Budget {
	byKey := map[string]*paved.Budget{}
	for _, b := range cfg {
		bd := b.Budget()
		byKey[string(bd.Scope)+"\x00"+bd.Name] = bd
	}
	for _, b := range stored {
		v := *b
		byKey[string(v.Scope)+"\x00"+v.Name] = &v
	}
	out := make([]*paved.Budget, 0, len(byKey))
	for _, b := range byKey {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Scope != out[j].Scope {
			return out[i].Scope < out[j].Scope
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Forecast projects a month's spend: the month to date plus the mean daily
// usage cost of the last (up to) seven days with data, times the days of
// the month after the last day with data. monthToDate counts every charge
// category; usage is the usage cost of each day of the month so far, the
// last one being the latest day with data (counted as a whole day).
// One-time charges (purchases, tax, credits) are thus counted once, never
// extrapolated.
func Forecast(monthToDate paved.Money, usage []paved.Money, daysInMonth int) paved.Money {
	elapsed := len(usage)
	remaining := daysInMonth - elapsed
	if elapsed == 0 || remaining <= 0 {
		return monthToDate
	}
	k := min(7, elapsed)
	sum := new(big.Int)
	for _, m := range usage[elapsed-k:] {
		sum.Add(sum, big.NewInt(int64(m)))
	}
	// sum × remaining / k, rounded half away from zero.
	num := new(big.Int).Mul(sum, big.NewInt(int64(remaining)))
	q, r := new(big.Int).QuoRem(num, big.NewInt(int64(k)), new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(big.NewInt(int64(k))) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return paved.Money(math.MaxInt64)
	}
	return monthToDate + paved.Money(q.Int64())
}

// percentOf reports whether actual is at least pct % of budget, exactly.
func percentOf(actual, budget paved.Money, pct int) bool {
	a := new(big.Int).Mul(big.NewInt(int64(actual)), big.NewInt(100))
	b := new(big.Int).Mul(big.NewInt(int64(budget)), big.NewInt(int64(pct)))
	return a.Cmp(b) >= 0
}

// Percent is actual as a whole percentage of budget (rounded down), for
// messages and burn bars.
func Percent(actual, budget paved.Money) int {
	if budget <= 0 {
		return 0
	}
	p := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(int64(actual)), big.NewInt(100)), big.NewInt(int64(budget)))
	if !p.IsInt64() || p.Int64() > 100000 {
		return 100000
	}
	return int(p.Int64())
}

// BudgetSpend is one budget's spend for a month.
type BudgetSpend struct {
	Budget   *paved.Budget
	Team     string      // the team to tell
	Actual   paved.Money // month to date, every charge category
	Forecast paved.Money
}

// BudgetAlerts returns the alerts a month's spend raises: for actual spend,
// the highest threshold it reached (one alert per threshold and month, so
// a budget passed at once at 95 % raises the 90 % alert, not also the 50 %
// one); for the forecast, one alert when it reaches 100 % while the actual
// spend has not.
func BudgetAlerts(period, currency string, spends []BudgetSpend, thresholds []int) []*paved.CostAlert {
	ths := append([]int(nil), thresholds...)
	if len(ths) == 0 {
		ths = DefaultThresholds
	}
	sort.Ints(ths)
	var out []*paved.CostAlert
	for _, s := range spends {
		b := s.Budget
		if b == nil || b.Amount <= 0 {
			continue
		}
		top := 0
		for _, t := range ths {
			if percentOf(s.Actual, b.Amount, t) {
				top = t
			}
		}
		if top > 0 {
			out = append(out, &paved.CostAlert{
				Rule: paved.RuleBudget, Scope: b.Scope, Name: b.Name, Team: s.Team, Period: period, Threshold: top,
				Amount: s.Actual, Limit: b.Amount, Currency: currency,
				Key: fmt.Sprintf("%s|%s|%s|%s|%d", paved.RuleBudget, b.Scope, b.Name, period, top),
				Message: fmt.Sprintf("%s %s has spent %s %s in %s: %d%% of its %s %s budget",
					titleScope(b), b.Name, s.Actual.StringFixed(2), currency, period, Percent(s.Actual, b.Amount), b.Amount.StringFixed(2), currency),
			})
		}
		if !percentOf(s.Actual, b.Amount, 100) && percentOf(s.Forecast, b.Amount, 100) {
			out = append(out, &paved.CostAlert{
				Rule: paved.RuleForecast, Scope: b.Scope, Name: b.Name, Team: s.Team, Period: period, Threshold: 100,
				Amount: s.Forecast, Limit: b.Amount, Currency: currency,
				Key: fmt.Sprintf("%s|%s|%s|%s", paved.RuleForecast, b.Scope, b.Name, period),
				Message: fmt.Sprintf("%s %s is forecast to spend %s %s in %s, over its %s %s budget (%s spent so far)",
					titleScope(b), b.Name, s.Forecast.StringFixed(2), currency, period, b.Amount.StringFixed(2), currency, s.Actual.StringFixed(2)),
			})
		}
	}
	return out
}

func titleScope(b *paved.Budget) string {
	switch {
	case b.Scope == paved.ScopeAccount && b.Playground:
		return "Playground account"
	case b.Scope == paved.ScopeAccount:
		return "Account"
	case b.Scope == paved.ScopeService:
		return "Service"
	}
	return "Team"
}

// median of a sorted copy; the mean of the two middle values (rounded
// toward zero) for an even count.
func median(xs []paved.Money) paved.Money {
	if len(xs) == 0 {
		return 0
	}
	s := append([]paved.Money(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	a, b := s[n/2-1], s[n/2]
	return a/2 + b/2 + (a%2+b%2)/2
}

// SpikeThreshold is median + max(k × MAD, p × median) of the window, where
// MAD is the median absolute deviation from the median. The median and MAD
// resist the outliers a mean and standard deviation would chase; the p ×
// median floor keeps a perfectly flat history (MAD 0) from flagging every
// small wobble.
func SpikeThreshold(window []paved.Money, k, p Factor) (threshold, med, mad paved.Money) {
	med = median(window)
	dev := make([]paved.Money, len(window))
	for i, x := range window {
		d := x - med
		if d < 0 {
			d = -d
		}
		dev[i] = d
	}
	mad = median(dev)
	margin := math.Max(float64(k)*float64(mad), float64(p)*math.Abs(float64(med)))
	if margin > float64(math.MaxInt64/4) {
		margin = float64(math.MaxInt64 / 4)
	}
	return med + paved.Money(math.Round(margin)), med, mad
}

// DaySeries is one scope's daily usage cost: Days[i] is the cost of
// Start + i days.
type DaySeries struct {
	Scope paved.BudgetScope
	Name  string
	Team  string
	Start time.Time
	Days  []paved.Money
}

// Spikes checks every day of s from `from` on (earlier days are history
// only) against the trailing window, and returns an alert per spike. A
// day is judged once the scope has cost on at least MinHistory of the
// window's days (days before its first cost do not count).
func Spikes(s DaySeries, from time.Time, cfg SpikeConfig, currency string) []*paved.CostAlert {
	cfg = AlertConfig{Spike: cfg}.WithDefaults().Spike
	firstCost := -1
	for i, m := range s.Days {
		if m != 0 {
			firstCost = i
			break
		}
	}
	if firstCost < 0 {
		return nil
	}
	var out []*paved.CostAlert
	for i := range s.Days {
		day := s.Start.AddDate(0, 0, i)
		if day.Before(from) {
			continue
		}
		lo := max(i-cfg.WindowDays, firstCost)
		if i-lo < cfg.MinHistory {
			continue
		}
		window := s.Days[lo:i]
		cost := s.Days[i]
		th, med, _ := SpikeThreshold(window, cfg.K, cfg.P)
		if cost <= th || cost < cfg.MinAmount {
			continue
		}
		out = append(out, &paved.CostAlert{
			Rule: paved.RuleSpike, Scope: s.Scope, Name: s.Name, Team: s.Team, Period: paved.Period(day), Day: day,
			Amount: cost, Limit: th, Currency: currency,
			Key: fmt.Sprintf("%s|%s|%s|%s", paved.RuleSpike, s.Scope, s.Name, day.Format(time.DateOnly)),
			Message: fmt.Sprintf("Cost spike: %s %s cost %s %s on %s, above %s %s (median %s of the %d days before)",
				s.Scope, s.Name, cost.StringFixed(2), currency, day.Format("Mon 2006-01-02"), th.StringFixed(2), currency,
				med.StringFixed(2), len(window)),
		})
	}
	return out
}

// BurnInput is a playground account's state for the burn-rate rule.
type BurnInput struct {
	Budget      *paved.Budget
	Team        string
	MonthToDate paved.Money
	// Hours is the account's hourly usage cost; the window ends with the
	// latest hour in it.
	Hours []*paved.CostHour
}

// Burn returns an alert when a playground account burns its budget too
// fast: its usage cost over the last WindowHours hours (ending at the
// latest hour with data), continued at that rate, would use up the rest of
// the month's budget within HorizonHours (a weekend by default), while the
// rate is at least Multiple times the budget's even hourly rate and the
// window cost at least MinAmount. The intern's Friday-evening task bomb
// shows in the first hours of billing data, long before Monday.
func Burn(in BurnInput, cfg BurnConfig, currency string) *paved.CostAlert {
	cfg = AlertConfig{Burn: cfg}.WithDefaults().Burn
	b := in.Budget
	if b == nil || b.Amount <= 0 || len(in.Hours) == 0 {
		return nil
	}
	latest := in.Hours[0].Hour
	for _, h := range in.Hours {
		if h.Hour.After(latest) {
			latest = h.Hour
		}
	}
	end := latest.Add(time.Hour)
	start := end.Add(-time.Duration(cfg.WindowHours) * time.Hour)
	var window paved.Money
	for _, h := range in.Hours {
		if !h.Hour.Before(start) && h.Hour.Before(end) {
			window += h.Cost
		}
	}
	if window < cfg.MinAmount || window <= 0 {
		return nil
	}
	monthStart, monthEnd := MonthRange(latest)
	hoursInMonth := monthEnd.Sub(monthStart).Hours()
	rate := float64(window) / float64(cfg.WindowHours) // nanos per hour
	even := float64(b.Amount) / hoursInMonth
	if rate < float64(cfg.Multiple)*even {
		return nil
	}
	remaining := b.Amount - in.MonthToDate
	hoursLeft := 0.0
	if remaining > 0 {
		hoursLeft = float64(remaining) / rate
	}
	if hoursLeft > float64(cfg.HorizonHours) {
		return nil
	}
	exhaust := end.Add(time.Duration(hoursLeft * float64(time.Hour))).Truncate(time.Hour)
	perHour := paved.Money(math.Round(rate))
	msg := fmt.Sprintf("Playground account %s is burning %s %s an hour (last %d hours, to %s): at this rate its %s %s budget for %s runs out in %.0f hours, around %s",
		b.Name, perHour.StringFixed(2), currency, cfg.WindowHours, end.Format("Mon 15:04 UTC"), b.Amount.StringFixed(2), currency,
		paved.Period(latest), math.Ceil(hoursLeft), exhaust.Format("Mon 2006-01-02 15:04 UTC"))
	if remaining <= 0 {
		msg = fmt.Sprintf("Playground account %s is burning %s %s an hour (last %d hours, to %s) and has used up its %s %s budget for %s (%s spent)",
			b.Name, perHour.StringFixed(2), currency, cfg.WindowHours, end.Format("Mon 15:04 UTC"), b.Amount.StringFixed(2), currency,
			paved.Period(latest), in.MonthToDate.StringFixed(2))
	}
	return &paved.CostAlert{
		Rule: paved.RuleBurn, Scope: paved.ScopeAccount, Name: b.Name, Team: in.Team, Period: paved.Period(latest),
		Day: latest, Amount: perHour, Limit: b.Amount, Currency: currency,
		// One burn alert per account and day at most.
		Key:     fmt.Sprintf("%s|%s|%s|%s", paved.RuleBurn, paved.ScopeAccount, b.Name, latest.Format(time.DateOnly)),
		Message: msg,
	}
}
