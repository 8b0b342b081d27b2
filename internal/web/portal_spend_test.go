package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// spendCSV is October 2026 for the portal fixture: checkout-api (payments)
// at 100 a day and search-indexer (search) at 50 a day for two weeks, an
// untagged bucket, a credit, then a 900 day for checkout-api.
func spendCSV() string {
	var b strings.Builder
	b.WriteString("BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargePeriodEnd,ChargePeriodStart,EffectiveCost,ProviderName,ServiceName,SubAccountId,ResourceId,Tags\n")
	line := func(cost string, day int, cat, svc, res, tags string) {
		start := time.Date(2026, 10, day, 0, 0, 0, 0, time.UTC)
		fmt.Fprintf(&b, "%s,payer,USD,2026-11-01,2026-10-01,%s,%s,%s,%s,AWS,%s,acc-1,%s,%s\n", cost, cat,
			start.AddDate(0, 0, 1).Format(time.DateOnly), start.Format(time.DateOnly), cost, svc, res, tags)
	}
	for d := 1; d <= 14; d++ {
		line(fmt.Sprintf("%d", 100+d%3), d, "Usage", "Amazon EC2", "i-checkout", `"{""service"":""checkout-api""}"`)
		line("50", d, "Usage", "Amazon RDS", "db-search", `"{""service"":""search-indexer""}"`)
		line("5", d, "Usage", "Amazon S3", "bucket-orphan", "")
	}
	line("-20", 1, "Credit", "Credits", "", "")
	line("900", 15, "Usage", "Amazon EC2", "i-checkout", `"{""service"":""checkout-api""}"`)
	return b.String()
}

// seedSpend ingests spendCSV with a 1,000 budget for payments and runs the
// alert rules (the ingest does): a budget alert and spike alerts.
func seedSpend(t testing.TB, f *portalFixture) {
	t.Helper()
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "seed"})
	if err := f.db.SetBudget(ctx, &paved.Budget{Scope: paved.ScopeTeam, Name: "payments", Amount: 1000 * paved.MoneyUnit}); err != nil {
		t.Fatal(err)
	}
	sp := &cost.Spend{Store: f.db, Config: &cost.SpendConfig{}}
	res, err := sp.Ingest(ctx, cost.IngestRequest{Next: func(i int) (string, io.Reader, error) {
		if i > 0 {
			return "", nil, io.EOF
		}
		return "october.csv", strings.NewReader(spendCSV()), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) == 0 {
		t.Fatalf("the seed raised no alert: %+v", res)
	}
}

// paymentsAlert returns the id of the payments team's budget alert.
func paymentsAlert(t testing.TB, f *portalFixture) int64 {
	t.Helper()
	as, err := f.db.FindCostAlerts(context.Background(), paved.CostAlertFilter{Scope: paved.ScopeTeam, Name: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Rule == paved.RuleBudget {
			return a.ID
		}
	}
	t.Fatalf("no budget alert for payments: %+v", as)
	return 0
}

func TestPortalSpend(t *testing.T) {
	f := newPortalFixture(t)
	seedSpend(t, f)
	bob := f.client(t) // viewer
	bob.signin(f.tokens["bob"])
	resp, body := bob.get("/spend")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `<strong id="month">2026-10</strong>`, `id="daily-chart"`, `id="row-payments"`, `id="row-search"`,
		"bucket-orphan", `id="budget-team-payments"`, "Cost spike", "EffectiveCost", `<a href="/spend" aria-current="page">Spend</a>`)
	// A viewer reads but cannot mark an alert as planned.
	wantPageLacks(t, body, "Mark as planned")
	wantUniqueIDs(t, "/spend", body)
	// The credit does not hide the untagged bucket; it is not listed itself.
	wantPageLacks(t, body, "Credits</td>")

	resp, body = bob.get("/spend?month=2026-10&by=service")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="row-checkout-api"`, `href="/services/checkout-api#spend"`)
	resp, body = bob.get("/spend?by=account")
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	resp, body = bob.get("/spend?month=October")
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	resp, body = bob.get("/spend?month=2026-09")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="chart-empty"`, `id="alerts-empty"`)

	// The service page's trend.
	resp, body = bob.get("/services/checkout-api")
	wantPageContains(t, body, `id="spend-trend"`, `src="/services/checkout-api/spend.svg"`)
	resp, body = bob.get("/services/checkout-api/spend.svg")
	wantPageStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.Contains(body, "<rect x=") || !strings.Contains(body, "checkout-api, Thu 15 Oct: 900.00 USD") {
		t.Errorf("svg %s:\n%.600s", ct, body)
	}
	resp, body = bob.get("/services/nope/spend.svg")
	wantPageStatus(t, resp, body, http.StatusNotFound)

	id := paymentsAlert(t, f)
	path := fmt.Sprintf("/spend/alerts/%d/plan", id)
	// Another team's developer may not plan payments' alert.
	lf := &launchFixture{portalFixture: f, clients: map[string]*signedIn{}}
	dave := lf.user(t, "dave")
	resp, body = dave.post(path, url.Values{"reason": {"not mine"}})
	wantPageStatus(t, resp, body, http.StatusForbidden)
	// Without CSRF: refused.
	alice := lf.user(t, "alice")
	resp, body = alice.pc.post(path, url.Values{"reason": {"x"}}, nil)
	wantPageStatus(t, resp, body, http.StatusForbidden)
	// The team's developer sees the form; an empty reason is refused on the page.
	resp, body = alice.pc.get("/spend")
	wantPageContains(t, body, fmt.Sprintf(`id="plan-%d"`, id))
	resp, body = alice.post(path, url.Values{"reason": {"  "}})
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	wantPageContains(t, body, fmt.Sprintf(`id="plan-error-%d"`, id), "say what the planned activity is")
	resp, body = alice.follow(path, url.Values{"reason": {"Load test of the new checkout"}})
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "Alert marked as planned", "Planned activity, marked by alice: Load test of the new checkout")
	a, err := f.db.FindCostAlert(context.Background(), id)
	if err != nil || !a.Planned() {
		t.Errorf("alert %+v %v", a, err)
	}
}

func TestBuildChart(t *testing.T) {
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var trends []*cost.Trend
	for i := 0; i < 9; i++ {
		tr := &cost.Trend{Name: fmt.Sprintf("s%d", i)}
		for d := 0; d < 31; d++ {
			m := paved.Money(int64(9-i) * int64(paved.MoneyUnit))
			if d == 0 && i == 0 {
				m = -5 * paved.MoneyUnit // a credit: not drawn
			}
			tr.Points = append(tr.Points, cost.Point{Day: day.AddDate(0, 0, d), Cost: m})
			tr.Total += m
		}
		trends = append(trends, tr)
	}
	c := buildChart(trends, "USD")
	if c.Empty || len(c.Legend) != maxSeries+1 || c.Legend[maxSeries].Name != "2 others" {
		t.Fatalf("legend %+v", c.Legend)
	}
	// 31 days x 8 series, less the credit.
	if len(c.Bars) != 31*8-1 || len(c.Ticks) != 5 || c.Ticks[4].Label != "50" || len(c.Labels) != 5 {
		t.Errorf("bars %d ticks %+v labels %d", len(c.Bars), c.Ticks, len(c.Labels))
	}
	if c := buildChart(nil, "USD"); !c.Empty {
		t.Error("no trends: not empty")
	}
	for in, want := range map[float64]float64{0: 1, 0.3: 0.5, 7: 10, 45: 50, 101: 200, 240: 250, 999: 1000} {
		if got := niceMax(in); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", in, got, want)
		}
	}
}

// TestPortalSpendVisibilityTeam: with spend.visibility team, /spend shows
// a developer their team's spend only, another team's is 403, and the
// service page of another team's service has no spend section; security
// sees every team's (issue 15 §5).
func TestPortalSpendVisibilityTeam(t *testing.T) {
	f := newPortalFixture(t)
	seedSpend(t, f)
	a := acmeApp(t, f.db)
	cfg := cost.SpendConfig{}
	if a.Spend.Config != nil {
		cfg = *a.Spend.Config
	}
	cfg.Visibility = paved.SpendTeam
	a.Spend.Config = &cfg
	srv, err := NewServer(Config{App: a, Version: "v0.0.0-test"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(srv.Handler())
	t.Cleanup(f.srv.Close)

	lf := &launchFixture{portalFixture: f, clients: map[string]*signedIn{}}
	alice := lf.user(t, "alice") // developer of payments
	resp, body := alice.pc.get("/spend")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="spend-team"`, `id="row-payments"`, `id="budget-team-payments"`)
	wantPageLacks(t, body, `id="row-search"`, "bucket-orphan")
	resp, body = alice.pc.get("/spend?by=service")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="row-checkout-api"`)
	wantPageLacks(t, body, `id="row-search-indexer"`)
	resp, body = alice.pc.get("/spend?team=search")
	wantPageStatus(t, resp, body, http.StatusForbidden)
	resp, body = alice.pc.get("/services/search-indexer/spend.svg")
	wantPageStatus(t, resp, body, http.StatusForbidden)
	resp, body = alice.pc.get("/services/search-indexer")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageLacks(t, body, `id="spend-trend"`)
	resp, body = alice.pc.get("/services/checkout-api")
	wantPageContains(t, body, `id="spend-trend"`)

	sam := lf.user(t, "sam") // security
	resp, body = sam.pc.get("/spend")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="row-payments"`, `id="row-search"`, "bucket-orphan")
	wantPageLacks(t, body, `id="spend-team"`)
}
