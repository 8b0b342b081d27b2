package web

// Spend in the portal: /spend shows a month by team or service (a stacked
// daily chart and a table, both server-rendered; the chart is inline SVG
// coloured with SVG attributes, as the Content-Security-Policy forbids
// inline styles), the month's movers, untagged spend, budgets with burn
// bars and the alerts, which the alert's team can mark as planned. The
// service page shows the service's daily cost as an SVG image
// (/services/{name}/spend.svg).

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

const flashAlertPlanned = "alert-planned"

func init() {
	flashMessages[flashAlertPlanned] = "Alert marked as planned: no more alerts of its rule for its scope this month."
}

// chartPalette colours the series of a chart; the last is "other".
var chartPalette = []string{"#2f6fdf", "#e8833a", "#2a9d8f", "#c0392b", "#8e44ad", "#d4a017", "#5d6d7e", "#b0b7bf"}

// maxSeries is how many series a chart draws before folding the rest
// into "other".
const maxSeries = 7

// chartBar is one rectangle of a chart.
type chartBar struct {
	X, Y, W, H string
	Fill       string
	Title      string
}

// chartTick is a labelled grid line.
type chartTick struct {
	Y, Label string
}

// chartLabel is a label on the day axis.
type chartLabel struct {
	X, Text string
}

// legendItem names a series.
type legendItem struct {
	Name, Fill, Total string
}

// spendChart is a stacked daily bar chart, laid out for the template.
type spendChart struct {
	Width, Height int
	Bars          []chartBar
	Ticks         []chartTick
	Labels        []chartLabel
	Legend        []legendItem
	Summary       string // what the chart shows, for screen readers
	Empty         bool
	Budget        *chartTick // the daily even share of a budget, when one applies
}

// Chart geometry.
const (
	chartW, chartH               = 760, 240
	padLeft, padRight, padBottom = 64, 8, 24
	padTop                       = 8
)

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// buildChart stacks the daily series (the largest first; the rest folded
// into "other"). Negative days (credits) are not drawn; the table shows
// them.
func buildChart(trends []*cost.Trend, currency string) *spendChart {
	c := &spendChart{Width: chartW, Height: chartH}
	if len(trends) == 0 || len(trends[0].Points) == 0 {
		c.Empty = true
		c.Summary = "No cost in this month."
		return c
	}
	days := len(trends[0].Points)
	series := trends
	var other []paved.Money
	if len(series) > maxSeries {
		other = make([]paved.Money, days)
		for _, t := range series[maxSeries:] {
			for i, p := range t.Points {
				other[i] += p.Cost
			}
		}
		series = series[:maxSeries]
	}
	stack := make([]float64, days)
	for _, t := range series {
		for i, p := range t.Points {
			if p.Cost > 0 {
				stack[i] += p.Cost.Float()
			}
		}
	}
	for i, m := range other {
		if m > 0 {
			stack[i] += m.Float()
		}
	}
	peak := 0.0
	for _, v := range stack {
		peak = max(peak, v)
	}
	if peak == 0 {
		c.Empty = true
		c.Summary = "No positive cost in this month."
		return c
	}
	top := niceMax(peak)
	plotW := float64(chartW - padLeft - padRight)
	plotH := float64(chartH - padTop - padBottom)
	slot := plotW / float64(days)
	bw := slot * 0.8
	y := func(v float64) float64 { return float64(padTop) + plotH - v/top*plotH }
	for k := 0; k <= 4; k++ {
		v := top * float64(k) / 4
		c.Ticks = append(c.Ticks, chartTick{Y: f1(y(v)), Label: paved.Money(v * float64(paved.MoneyUnit)).StringFixed(0)})
	}
	base := make([]float64, days)
	add := func(name, fill string, pts []paved.Money, total paved.Money) {
		c.Legend = append(c.Legend, legendItem{Name: name, Fill: fill, Total: total.StringFixed(2)})
		for i, m := range pts {
			if m <= 0 {
				continue
			}
			v := m.Float()
			x := float64(padLeft) + float64(i)*slot + (slot-bw)/2
			top := y(base[i] + v)
			h := y(base[i]) - top
			base[i] += v
			day := trends[0].Points[i].Day
			c.Bars = append(c.Bars, chartBar{X: f1(x), Y: f1(top), W: f1(bw), H: f1(max(h, 0.5)), Fill: fill,
				Title: fmt.Sprintf("%s, %s: %s %s", name, day.Format("Mon 2 Jan"), m.StringFixed(2), currency)})
		}
	}
	for i, t := range series {
		pts := make([]paved.Money, days)
		for j, p := range t.Points {
			pts[j] = p.Cost
		}
		add(t.Name, chartPalette[i%(len(chartPalette)-1)], pts, t.Total)
	}
	if other != nil {
		var total paved.Money
		for _, m := range other {
			total += m
		}
		add(fmt.Sprintf("%d others", len(trends)-maxSeries), chartPalette[len(chartPalette)-1], other, total)
	}
	for i := 0; i < days; i += 7 {
		x := float64(padLeft) + float64(i)*slot + slot/2
		c.Labels = append(c.Labels, chartLabel{X: f1(x), Text: trends[0].Points[i].Day.Format("2 Jan")})
	}
	c.Summary = fmt.Sprintf("Daily cost from %s to %s, stacked by %d series; the highest day is %s %s.",
		trends[0].Points[0].Day.Format(time.DateOnly), trends[0].Points[days-1].Day.Format(time.DateOnly), len(c.Legend),
		paved.Money(peak*float64(paved.MoneyUnit)).StringFixed(2), currency)
	return c
}

// budgetRow is one budget with its burn bar.
type budgetRow struct {
	*cost.BudgetStatus
	UsedPct     int // percent of the budget spent, capped at 100 for the bar
	ForecastPct int // percent forecast, capped at 100 for the marker
	Over        bool
	Warn        bool
}

// alertRow is one alert with what the viewer may do about it.
type alertRow struct {
	*paved.CostAlert
	CanPlan bool
}

// spendView is the data of spend.html.
type spendView struct {
	Month, Prev, Next string
	By                paved.CostDimension
	Report            *cost.Report
	Change            paved.Money // against the month before
	Chart             *spendChart
	Movers            []*cost.Row
	Untagged          []*paved.UntaggedCost
	UntaggedTotal     paved.Money
	Budgets           []budgetRow
	Alerts            []alertRow
	Err               *formError
	Bars              map[string]int // row name -> percent of the largest row, for the table's bars
	// Team is the one team whose spend the page shows, for a user who may
	// not read every team's (spend.visibility: team); Teams are the teams
	// they may read.
	Team  string
	Teams []string
}

func (s *Server) spendPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSpend(w, r, nil)
}

func (s *Server) renderSpend(w http.ResponseWriter, r *http.Request, fe *formError) error {
	ctx := r.Context()
	q := r.URL.Query()
	by := paved.ByTeam
	if v := q.Get("by"); v != "" {
		d, err := paved.ParseCostDimension(v)
		if err != nil || (d != paved.ByTeam && d != paved.ByService) {
			return paved.FieldErrorf(paved.EINVALID, "by", "the spend page shows spend by team or service")
		}
		by = d
	}
	month, err := s.monthParam(r)
	if err != nil {
		return err
	}
	from, to := cost.MonthRange(month)
	v := spendView{Month: paved.Period(from), Prev: paved.Period(from.AddDate(0, -1, 0)), Next: paved.Period(to), By: by, Err: fe, Bars: map[string]int{}}
	// With spend.visibility team, a user who may not read every team's
	// spend sees one of their teams' (?team=, the first by default) and
	// only that team's untagged spend, budgets and alerts.
	var f cost.ReportFilter
	rd := s.spendReader(r)
	if !rd.All {
		team := q.Get("team")
		if team == "" {
			if len(rd.Teams) == 0 {
				return paved.Errorf(paved.EFORBIDDEN, "this organisation shows each team its own spend, and you are a member of no team: ask an admin to add you to your team")
			}
			team = rd.Teams[0]
		}
		if err := s.spend.CanRead(paved.UserFrom(ctx), team); err != nil {
			return err
		}
		f.Team, v.Team, v.Teams = team, team, rd.Teams
	}
	if v.Report, err = s.spend.Report(ctx, from, by, f); err != nil {
		return err
	}
	v.Change = v.Report.Total - v.Report.Previous
	var largest paved.Money
	for _, row := range v.Report.Rows {
		largest = max(largest, row.Total)
	}
	for _, row := range v.Report.Rows {
		if largest > 0 && row.Total > 0 {
			v.Bars[row.Name] = max(1, cost.Percent(row.Total, largest))
		}
	}
	trends, err := s.spend.Daily(ctx, from, to, by, f)
	if err != nil {
		return err
	}
	v.Chart = buildChart(trends, v.Report.Currency)
	v.Movers = v.Report.Movers(5)
	if v.Untagged, err = s.spend.Untagged(ctx, from, 10); err != nil {
		return err
	}
	v.Untagged = slices.DeleteFunc(v.Untagged, func(u *paved.UntaggedCost) bool { return !rd.Reads(u.Team) || (f.Team != "" && u.Team != f.Team) })
	for _, u := range v.Untagged {
		v.UntaggedTotal += u.Cost
	}
	bs, err := s.spend.Budgets(ctx, from)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if t := s.spend.TeamOf(b); !rd.Reads(t) || (f.Team != "" && t != f.Team) {
			continue
		}
		v.Budgets = append(v.Budgets, budgetRow{BudgetStatus: b, UsedPct: min(b.Percent, 100), ForecastPct: min(b.ForecastPercent, 100),
			Over: b.Percent >= 100, Warn: b.Percent >= 90 || b.ForecastPercent >= 100})
	}
	alerts, err := s.store.FindCostAlerts(ctx, paved.CostAlertFilter{Period: v.Month, Team: f.Team, Limit: 50})
	if err != nil {
		return err
	}
	for _, a := range alerts {
		v.Alerts = append(v.Alerts, alertRow{CostAlert: a, CanPlan: !a.Planned() && s.authorize(r, paved.ActPlanAlert, paved.Resource{Team: a.Team}) == nil})
	}
	status := http.StatusOK
	if fe != nil && fe.Status != 0 {
		status = fe.Status
	}
	return s.renderStatus(w, r, status, "spend.html", &v)
}

// spendPlanAlert marks an alert as planned from the spend page.
func (s *Server) spendPlanAlert(w http.ResponseWriter, r *http.Request) error {
	id := targetOf(r).Alert.ID
	a, err := s.store.PlanCostAlert(r.Context(), id, formText(r, "reason"))
	if err == nil {
		setFlash(w, s.cfg.SecureCookies, flashAlertPlanned)
		http.Redirect(w, r, "/spend?"+url.Values{"month": {a.Period}}.Encode()+"#alert-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
	if !inlineError(err) {
		return err
	}
	// Show the alert's month with the message at its form.
	if a, ferr := s.store.FindCostAlert(r.Context(), id); ferr == nil {
		q := r.URL.Query()
		q.Set("month", a.Period)
		r.URL.RawQuery = q.Encode()
	}
	return s.renderSpend(w, r, &formError{Form: "plan-" + strconv.FormatInt(id, 10), Message: paved.ErrorMessage(err), Status: StatusFor(err), Values: r.PostForm})
}

// serviceSpendSVG draws a service's daily cost over the last three
// months of billing data as a standalone SVG image for the service page.
func (s *Server) serviceSpendSVG(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	svc, err := s.store.FindService(ctx, r.PathValue("name"))
	if err != nil {
		return err
	}
	if err := s.spend.CanRead(paved.UserFrom(ctx), svc.Owner); err != nil {
		return err
	}
	month, err := s.spend.LatestMonth(ctx)
	if err != nil {
		return err
	}
	from, to := month.AddDate(0, -2, 0), month.AddDate(0, 1, 0)
	trends, err := s.spend.Daily(ctx, from, to, paved.ByService, cost.ReportFilter{Service: svc.Name})
	if err != nil {
		return err
	}
	_, _, currency, err := s.store.CostRange(ctx)
	if err != nil {
		return err
	}
	c := buildChart(trends, currency)
	var buf bytes.Buffer
	if err := spendSVG.Execute(&buf, c); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "private, max-age=300")
	writeBody(w, http.StatusOK, "image/svg+xml", buf.Bytes())
	return nil
}

// spendSVG is the chart as a standalone image (the service page's trend).
var spendSVG = template.Must(template.New("svg").Parse(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="{{.Summary}}" font-family="system-ui, sans-serif" font-size="11">
<title>{{.Summary}}</title>
<rect width="{{.Width}}" height="{{.Height}}" fill="#ffffff"/>
{{- if .Empty}}
<text x="16" y="32" fill="#5d6d7e">No cost for this service yet.</text>
{{- else}}
{{- range .Ticks}}
<line x1="64" x2="752" y1="{{.Y}}" y2="{{.Y}}" stroke="#e3e7eb" stroke-width="1"/>
<text x="58" y="{{.Y}}" dy="4" text-anchor="end" fill="#5d6d7e">{{.Label}}</text>
{{- end}}
{{- range .Bars}}
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"><title>{{.Title}}</title></rect>
{{- end}}
{{- range .Labels}}
<text x="{{.X}}" y="236" text-anchor="middle" fill="#5d6d7e">{{.Text}}</text>
{{- end}}
{{- end}}
</svg>
`))

// spendFuncs are the template functions of the spend page.
func (s *Server) spendFuncs() template.FuncMap {
	return template.FuncMap{
		"money": func(m paved.Money) string { return m.StringFixed(2) },
		"signedMoney": func(m paved.Money) string {
			if m > 0 {
				return "+" + m.StringFixed(2)
			}
			return m.StringFixed(2)
		},
		"alertID": func(id int64) string { return "alert-" + strconv.FormatInt(id, 10) },
	}
}
