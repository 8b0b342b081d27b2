package cost

import (
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/paved-dev/paved"
)

// Reports: a month's cost by team, service, account or charge category,
// with shared costs split across the direct recipients, the change against
// the month before, and the cost column the numbers use.

// Report is one month's cost grouped by one dimension.
type Report struct {
	Month    string              `json:"month"`
	By       paved.CostDimension `json:"by"`
	Currency string              `json:"currency"`
	// CostColumn says which cost column the numbers are: EffectiveCost,
	// with BilledCost for the providers listed in BilledFor.
	CostColumn string      `json:"cost_column"`
	BilledFor  []string    `json:"billed_cost_for,omitempty"`
	Rows       []*Row      `json:"rows"`
	Total      paved.Money `json:"total"`
	Previous   paved.Money `json:"previous_total"`
	// Shared lists the shared-cost rules split into the rows.
	Shared []*SharedCost `json:"shared,omitempty"`
}

// Row is one group of a report.
type Row struct {
	Name     string      `json:"name"`
	Direct   paved.Money `json:"direct"`
	Shared   paved.Money `json:"shared"` // this row's part of the shared costs
	Total    paved.Money `json:"total"`
	Previous paved.Money `json:"previous"` // the month before, shared part included
	Change   paved.Money `json:"change"`
	Lines    int64       `json:"lines"`
}

// SharedCost is one shared-cost rule's amount and how it was split.
type SharedCost struct {
	Rule   string      `json:"rule"`
	Split  Split       `json:"split"`
	Amount paved.Money `json:"amount"`
}

// SplitShared divides each shared cost across the recipients: the groups
// with a positive direct cost, except Unallocated. Proportional splits
// follow each recipient's direct cost, even splits give equal parts; the
// parts add up exactly to the amount (the nanos left over by rounding go
// to the largest remainders, ties by name). A shared cost with no
// recipient stays as a group of its own, "shared:<rule>".
func SplitShared(direct map[string]paved.Money, shared []*SharedCost) map[string]paved.Money {
	var names []string
	for n, m := range direct {
		if m > 0 && n != paved.Unallocated && n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := map[string]paved.Money{}
	for _, s := range shared {
		if s.Amount == 0 {
			continue
		}
		if len(names) == 0 {
			out["shared:"+s.Rule] += s.Amount
			continue
		}
		weights := make([]*big.Int, len(names))
		sum := new(big.Int)
		for i, n := range names {
			w := int64(1)
			if s.Split != SplitEven {
				w = int64(direct[n])
			}
			weights[i] = big.NewInt(w)
			sum.Add(sum, weights[i])
		}
		parts := apportion(s.Amount, weights, sum)
		for i, n := range names {
			out[n] += parts[i]
		}
	}
	return out
}

// apportion splits amount by weights (largest remainder method): exact.
func apportion(amount paved.Money, weights []*big.Int, sum *big.Int) []paved.Money {
	neg := amount < 0
	a := new(big.Int).SetInt64(int64(amount))
	if neg {
		a.Neg(a)
	}
	parts := make([]paved.Money, len(weights))
	type rem struct {
		i int
		r *big.Int
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(a, w), sum, new(big.Int))
		parts[i] = paved.Money(q.Int64())
		given += q.Int64()
		rems[i] = rem{i, r}
	}
	left := a.Int64() - given
	sort.SliceStable(rems, func(x, y int) bool { return rems[x].r.Cmp(rems[y].r) > 0 })
	for k := 0; k < int(left) && k < len(rems); k++ {
		parts[rems[k].i]++
	}
	if neg {
		for i := range parts {
			parts[i] = -parts[i]
		}
	}
	return parts
}

// Group turns store totals into rows: direct cost per group, shared costs
// kept apart (for team and service reports) or folded in (account and
// category reports, where a shared line has its own account and category).
// Service reports name lines without a service tag Unallocated.
func Group(by paved.CostDimension, totals []*paved.CostTotal, splitOf func(rule string) Split) (direct map[string]paved.Money, shared []*SharedCost, lines map[string]int64) {
	direct, lines = map[string]paved.Money{}, map[string]int64{}
	byRule := map[string]*SharedCost{}
	for _, t := range totals {
		name := t.Group
		if name == "" {
			name = paved.Unallocated
		}
		if t.Shared != "" && (by == paved.ByTeam || by == paved.ByService) {
			s := byRule[t.Shared]
			if s == nil {
				s = &SharedCost{Rule: t.Shared, Split: splitOf(t.Shared)}
				byRule[t.Shared] = s
				shared = append(shared, s)
			}
			s.Amount += t.Cost
			continue
		}
		direct[name] += t.Cost
		lines[name] += t.Lines
	}
	sort.Slice(shared, func(i, j int) bool { return shared[i].Rule < shared[j].Rule })
	return direct, shared, lines
}

// BuildReport builds a month's report from this month's and the previous
// month's totals (CostQuery by the same dimension, not daily).
func BuildReport(month string, by paved.CostDimension, cur, prev []*paved.CostTotal, splitOf func(string) Split, costColumns map[string]string) *Report {
	if splitOf == nil {
		splitOf = func(string) Split { return SplitProportional }
	}
	r := &Report{Month: month, By: by, Rows: []*Row{}}
	r.CostColumn, r.BilledFor = DescribeCostColumns(costColumns)
	for _, t := range cur {
		if r.Currency == "" {
			r.Currency = t.Currency
		}
	}
	d, sh, lines := Group(by, cur, splitOf)
	parts := SplitShared(d, sh)
	pd, psh, _ := Group(by, prev, splitOf)
	pparts := SplitShared(pd, psh)
	r.Shared = sh
	rows := map[string]*Row{}
	get := func(n string) *Row {
		if rows[n] == nil {
			rows[n] = &Row{Name: n}
		}
		return rows[n]
	}
	for n, m := range d {
		get(n).Direct += m
	}
	for n, m := range parts {
		get(n).Shared += m
	}
	for n, m := range pd {
		get(n).Previous += m
	}
	for n, m := range pparts {
		get(n).Previous += m
	}
	for n, l := range lines {
		get(n).Lines = l
	}
	for _, row := range rows {
		row.Total = row.Direct + row.Shared
		row.Change = row.Total - row.Previous
		r.Total += row.Total
		r.Previous += row.Previous
		r.Rows = append(r.Rows, row)
	}
	sort.Slice(r.Rows, func(i, j int) bool {
		a, b := r.Rows[i], r.Rows[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Name < b.Name
	})
	return r
}

// Movers returns the rows whose cost changed most against the month
// before, by the size of the change (up to n; n <= 0 for all).
func (r *Report) Movers(n int) []*Row {
	out := make([]*Row, 0, len(r.Rows))
	for _, row := range r.Rows {
		if row.Change != 0 {
			out = append(out, row)
		}
	}
	abs := func(m paved.Money) paved.Money {
		if m < 0 {
			return -m
		}
		return m
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := abs(out[i].Change), abs(out[j].Change)
		if a != b {
			return a > b
		}
		return out[i].Name < out[j].Name
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// DescribeCostColumns says which cost column numbers are in: "EffectiveCost"
// or "EffectiveCost (BilledCost for A, B)", and the providers on BilledCost.
func DescribeCostColumns(cols map[string]string) (string, []string) {
	var billed []string
	for p, c := range cols {
		if c == paved.ColumnBilled {
			billed = append(billed, p)
		}
	}
	sort.Strings(billed)
	if len(billed) == 0 {
		return paved.ColumnEffective, nil
	}
	if len(billed) == len(cols) {
		return paved.ColumnBilled, billed
	}
	return paved.ColumnEffective + " (" + paved.ColumnBilled + " for " + strings.Join(billed, ", ") + ": their EffectiveCost was empty or zero)", billed
}

// CostColumnsOf merges the cost columns of the batches of a month.
func CostColumnsOf(batches []*paved.CostBatch, month string) map[string]string {
	out := map[string]string{}
	for _, b := range batches {
		if b.Period != month {
			continue
		}
		for p, c := range b.CostColumns {
			if out[p] != paved.ColumnBilled {
				out[p] = c
			}
		}
	}
	return out
}

// MonthRange returns the first day of month and of the month after.
func MonthRange(month time.Time) (time.Time, time.Time) {
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}
