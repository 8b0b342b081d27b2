package cost

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/paved-dev/paved"
)

// Spend is the one place the CLI's local backend and the web server read
// and change spend through: it builds the allocator from the config and
// the catalog, ingests, evaluates the alert rules after each ingest, and
// builds reports and budget statuses from the store.
type Spend struct {
	Store  EvalStore
	Config *SpendConfig
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (s *Spend) cfg() *SpendConfig {
	if s.Config == nil {
		return &SpendConfig{}
	}
	return s.Config
}

// CanRead decides whether u may read team's spend (every team's at once
// when team is "") under the config's spend.visibility: every face asks
// here, so the setting is applied in one place (paved.AuthorizeSpend).
func (s *Spend) CanRead(u *paved.User, team string) error {
	return paved.AuthorizeSpend(u, s.cfg().Visibility, team)
}

// Reader is what one user may read of spend: every team's (All), or the
// spend of the teams in Teams.
type Reader struct {
	All   bool
	Teams []string
}

// ReaderOf is u's Reader under the config's spend.visibility.
func (s *Spend) ReaderOf(u *paved.User) Reader {
	if s.CanRead(u, "") == nil {
		return Reader{All: true}
	}
	var rd Reader
	if u != nil {
		for _, t := range u.Teams {
			if s.CanRead(u, t) == nil {
				rd.Teams = append(rd.Teams, t)
			}
		}
	}
	return rd
}

// Reads reports whether the reader may see team's spend; spend of no team
// (untagged, account-wide) only with All.
func (rd Reader) Reads(team string) bool {
	if rd.All {
		return true
	}
	for _, t := range rd.Teams {
		if t == team && team != "" {
			return true
		}
	}
	return false
}

// TeamOf is the team whose spend a budget is: a team budget's team, a
// service budget's owner team, an account budget's mapped team
// (spend.accounts), else "" (only readers of every team's spend see it).
func (s *Spend) TeamOf(b *BudgetStatus) string {
	switch b.Scope {
	case paved.ScopeTeam:
		return b.Name
	case paved.ScopeService:
		return b.Team
	}
	return s.cfg().Accounts[b.Name]
}

// Allocator builds the allocator from the config (with extra account
// mappings laid over it) and the current catalog.
func (s *Spend) Allocator(ctx context.Context, accounts map[string]string) (*Allocator, error) {
	services, err := AllServices(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	teams, err := AllTeams(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	c := *s.cfg()
	if len(accounts) > 0 {
		m := make(map[string]string, len(c.Accounts)+len(accounts))
		for k, v := range c.Accounts {
			m[k] = v
		}
		for k, v := range accounts {
			m[k] = v
		}
		c.Accounts = m
	}
	return c.Allocator(services, teams), nil
}

// IngestRequest names what to ingest.
type IngestRequest struct {
	Files []string // local files; or
	// Next hands out the files of a stream one after the other (the parts
	// of an upload), io.EOF after the last.
	Next func(i int) (name string, r io.Reader, err error)

	SkipInvalid bool
	Accounts    map[string]string // extra account -> team mappings (--account-map)
	// MaxUnpacked bounds what gzip files unpack to (IngestOptions).
	MaxUnpacked int64
	// Progress, when set, is called once before reading with a function
	// that reports the bytes read so far and the total (0 when unknown),
	// for a progress bar.
	Progress func(progress func() (done, total int64))
}

// Ingest reads the files (or stream) into the store in one transaction,
// then evaluates the alert rules; the outcome lists the alerts raised.
func (s *Spend) Ingest(ctx context.Context, req IngestRequest) (*paved.CostIngest, error) {
	alloc, err := s.Allocator(ctx, req.Accounts)
	if err != nil {
		return nil, err
	}
	opt := IngestOptions{SkipInvalid: req.SkipInvalid, Allocator: alloc, MaxUnpacked: req.MaxUnpacked}
	var src *Source
	if req.Next != nil {
		src = NewStreamSource(req.Next, opt)
	} else {
		if len(req.Files) == 0 {
			return nil, paved.Errorf(paved.EINVALID, "name the FOCUS files to ingest")
		}
		src = NewSource(req.Files, opt)
	}
	defer src.Close()
	if req.Progress != nil {
		req.Progress(src.Progress)
	}
	res, err := s.Store.IngestCost(ctx, src)
	if err != nil {
		return nil, err
	}
	res.Files = src.Files()
	res.Version = src.Version()
	res.Ignored = src.Ignored()
	_, res.Skipped, res.Invalid = src.Counts()
	if len(res.Batches) == 0 && res.Skipped == 0 {
		return nil, paved.Errorf(paved.EINVALID, "%s holds a header but no billing lines", strings.Join(res.Files, ", "))
	}
	ev, err := Evaluate(ctx, s.Store, s.cfg())
	if err != nil {
		return nil, err
	}
	res.Alerts = ev.Raised
	return res, nil
}

// Reallocate applies the current allocation rules to every stored key and
// returns how many changed place.
func (s *Spend) Reallocate(ctx context.Context) (int, error) {
	alloc, err := s.Allocator(ctx, nil)
	if err != nil {
		return 0, err
	}
	keys, err := s.Store.CostKeys(ctx)
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		alloc.Allocate(k)
	}
	return s.Store.Reallocate(ctx, keys)
}

// Evaluate runs the alert rules now.
func (s *Spend) Evaluate(ctx context.Context) (*Evaluation, error) {
	return Evaluate(ctx, s.Store, s.cfg())
}

// LatestMonth is the month of the latest cost data; the current month when
// nothing is stored.
func (s *Spend) LatestMonth(ctx context.Context) (time.Time, error) {
	_, last, _, err := s.Store.CostRange(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if last.IsZero() {
		now := time.Now
		if s.Now != nil {
			now = s.Now
		}
		last = now().UTC()
	}
	m, _ := MonthRange(last)
	return m, nil
}

// ReportFilter narrows a report.
type ReportFilter struct {
	Team    string
	Service string
}

// Report builds month's report grouped by `by`.
func (s *Spend) Report(ctx context.Context, month time.Time, by paved.CostDimension, f ReportFilter) (*Report, error) {
	if _, err := paved.ParseCostDimension(string(by)); err != nil {
		return nil, err
	}
	start, end := MonthRange(month)
	prevStart := start.AddDate(0, -1, 0)
	q := paved.CostQuery{From: start, To: end, By: by, Team: f.Team, Service: f.Service}
	cur, err := s.Store.CostTotals(ctx, q)
	if err != nil {
		return nil, err
	}
	q.From, q.To = prevStart, start
	prev, err := s.Store.CostTotals(ctx, q)
	if err != nil {
		return nil, err
	}
	batches, err := s.Store.FindCostBatches(ctx)
	if err != nil {
		return nil, err
	}
	r := BuildReport(paved.Period(start), by, cur, prev, s.cfg().SharedSplit, CostColumnsOf(batches, paved.Period(start)))
	if r.Currency == "" {
		for _, t := range prev {
			r.Currency = t.Currency
		}
	}
	return r, nil
}

// Point is one day of a chart.
type Point struct {
	Day  time.Time   `json:"day"`
	Cost paved.Money `json:"cost"`
}

// Trend is a named daily series.
type Trend struct {
	Name   string      `json:"name"`
	Points []Point     `json:"points"`
	Total  paved.Money `json:"total"`
}

// Daily returns one series per group of `by` (direct cost; shared cost as
// "shared:<rule>"), every day of [from, to) present, the largest first.
func (s *Spend) Daily(ctx context.Context, from, to time.Time, by paved.CostDimension, f ReportFilter) ([]*Trend, error) {
	ts, err := s.Store.CostTotals(ctx, paved.CostQuery{From: from, To: to, By: by, Team: f.Team, Service: f.Service, Daily: true})
	if err != nil {
		return nil, err
	}
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 || days > 400 {
		return nil, paved.Errorf(paved.EINVALID, "a chart covers 1 to 400 days")
	}
	byName := map[string]*Trend{}
	for _, t := range ts {
		name := t.Group
		if name == "" {
			name = paved.Unallocated
		}
		if t.Shared != "" && (by == paved.ByTeam || by == paved.ByService) {
			name = "shared:" + t.Shared
		}
		tr := byName[name]
		if tr == nil {
			tr = &Trend{Name: name, Points: make([]Point, days)}
			for i := range tr.Points {
				tr.Points[i].Day = from.AddDate(0, 0, i)
			}
			byName[name] = tr
		}
		i := int(t.Day.Sub(from).Hours() / 24)
		if i >= 0 && i < days {
			tr.Points[i].Cost += t.Cost
			tr.Total += t.Cost
		}
	}
	out := make([]*Trend, 0, len(byName))
	for _, t := range byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Untagged ranks the untagged resources of a month by usage and purchase
// cost.
func (s *Spend) Untagged(ctx context.Context, month time.Time, limit int) ([]*paved.UntaggedCost, error) {
	start, end := MonthRange(month)
	return s.Store.Untagged(ctx, start, end, limit)
}

// BudgetStatus is a budget with its month's spend.
type BudgetStatus struct {
	*paved.Budget
	Team     string      `json:"team,omitempty"`
	Month    string      `json:"month"`
	Actual   paved.Money `json:"actual"`
	Forecast paved.Money `json:"forecast"`
	Percent  int         `json:"percent"` // actual as a percentage of the budget
	// ForecastPercent is the forecast as a percentage of the budget.
	ForecastPercent int                `json:"forecast_percent"`
	Currency        string             `json:"currency"`
	Alerts          []*paved.CostAlert `json:"alerts"`
}

// Budgets returns every budget with its spend in month (and the forecast
// when month is the month of the latest data).
func (s *Spend) Budgets(ctx context.Context, month time.Time) ([]*BudgetStatus, error) {
	budgets, err := Budgets(ctx, s.Store, s.cfg())
	if err != nil {
		return nil, err
	}
	start, end := MonthRange(month)
	_, last, currency, err := s.Store.CostRange(ctx)
	if err != nil {
		return nil, err
	}
	dataEnd := end
	if !last.IsZero() && last.Before(end) && !last.Before(start) {
		dataEnd = last.AddDate(0, 0, 1)
	}
	services, err := AllServices(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	owner := map[string]string{}
	for _, sv := range services {
		owner[sv.Name] = sv.Owner
	}
	dims := map[paved.BudgetScope]paved.CostDimension{paved.ScopeTeam: paved.ByTeam, paved.ScopeService: paved.ByService, paved.ScopeAccount: paved.ByAccount}
	actual := map[paved.BudgetScope]map[string]paved.Money{}
	usage := map[paved.BudgetScope]map[string][]paved.Money{}
	days := int(dataEnd.Sub(start).Hours() / 24)
	for scope, dim := range dims {
		actual[scope], usage[scope] = map[string]paved.Money{}, map[string][]paved.Money{}
		ts, err := s.Store.CostTotals(ctx, paved.CostQuery{From: start, To: dataEnd, By: dim, Daily: true})
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.Shared != "" && dim != paved.ByAccount {
				continue
			}
			actual[scope][t.Group] += t.Cost
			if t.Currency != "" {
				currency = t.Currency
			}
		}
		us, err := s.Store.CostTotals(ctx, paved.CostQuery{From: start, To: dataEnd, By: dim, Daily: true, Categories: []string{paved.ChargeUsage}})
		if err != nil {
			return nil, err
		}
		for _, t := range us {
			if t.Shared != "" && dim != paved.ByAccount {
				continue
			}
			u := usage[scope][t.Group]
			if u == nil {
				u = make([]paved.Money, days)
				usage[scope][t.Group] = u
			}
			if i := int(t.Day.Sub(start).Hours() / 24); i >= 0 && i < days {
				u[i] += t.Cost
			}
		}
	}
	alerts, err := s.Store.FindCostAlerts(ctx, paved.CostAlertFilter{Period: paved.Period(start)})
	if err != nil {
		return nil, err
	}
	daysInMonth := int(end.Sub(start).Hours() / 24)
	out := make([]*BudgetStatus, 0, len(budgets))
	for _, b := range budgets {
		st := &BudgetStatus{Budget: b, Month: paved.Period(start), Currency: currency, Alerts: []*paved.CostAlert{}}
		switch b.Scope {
		case paved.ScopeTeam:
			st.Team = b.Name
		case paved.ScopeService:
			st.Team = owner[b.Name]
		default:
			st.Team = s.cfg().Accounts[b.Name]
		}
		st.Actual = actual[b.Scope][b.Name]
		u := usage[b.Scope][b.Name]
		if u == nil {
			u = make([]paved.Money, days)
		}
		st.Forecast = Forecast(st.Actual, u, daysInMonth)
		st.Percent = Percent(st.Actual, b.Amount)
		st.ForecastPercent = Percent(st.Forecast, b.Amount)
		for _, a := range alerts {
			if a.Scope == b.Scope && a.Name == b.Name {
				st.Alerts = append(st.Alerts, a)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// ServiceSpend is a service's spend in the month of the latest cost data,
// and its budget (nil when none is set).
type ServiceSpend struct {
	Service  string        `json:"service"`
	Month    string        `json:"month"`
	Actual   paved.Money   `json:"month_to_date"`
	Forecast paved.Money   `json:"forecast"`
	Currency string        `json:"currency"`
	Budget   *paved.Budget `json:"budget,omitempty"`
}

// Service returns a service's spend and budget for the latest month.
func (s *Spend) Service(ctx context.Context, name string) (*ServiceSpend, error) {
	if _, err := s.Store.FindService(ctx, name); err != nil {
		return nil, err
	}
	month, err := s.LatestMonth(ctx)
	if err != nil {
		return nil, err
	}
	bs, err := s.Budgets(ctx, month)
	if err != nil {
		return nil, err
	}
	out := &ServiceSpend{Service: name, Month: paved.Period(month)}
	for _, b := range bs {
		if b.Scope == paved.ScopeService && b.Name == name {
			out.Budget, out.Actual, out.Forecast, out.Currency = b.Budget, b.Actual, b.Forecast, b.Currency
			return out, nil
		}
	}
	start, end := MonthRange(month)
	ts, err := s.Store.CostTotals(ctx, paved.CostQuery{From: start, To: end, By: paved.ByService, Service: name})
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.Shared == "" {
			out.Actual += t.Cost
			out.Currency = t.Currency
		}
	}
	out.Forecast = out.Actual
	return out, nil
}
