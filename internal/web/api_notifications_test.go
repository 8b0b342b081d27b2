package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/launch"
)

// fakeCounts stands in for the job runner's counts.
type fakeCounts map[string]uint64

func (f fakeCounts) Counts() map[string]uint64 { return f }

// seedNotifications records a walkthrough of svc-alpha (one notification)
// and a budget alert, and delivers the walkthrough's to a target "ops"
// whose first attempt failed.
func seedNotifications(e *apiEnv) {
	ctx := e.actingAs("dev-alpha")
	e.must(e.db.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "svc-alpha", ScheduledAt: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC), Participants: []string{"architect"}}, launch.SignoffRequested))
	e.must(e.db.RecordNotification(ctx, &paved.Notification{Kind: paved.NotifyBudgetAlert, Subject: "beta is at 95% of its budget", Team: "beta"}))
	bg := context.Background()
	if _, err := e.db.FanOutNotifications(bg, 10, func(n *paved.Notification) []string {
		if n.Kind == paved.NotifySignoffRequested {
			return []string{"ops"}
		}
		return nil
	}); err != nil {
		e.t.Fatal(err)
	}
	cl, err := e.db.ClaimDeliveries(bg, "r1", 10, time.Minute)
	e.must(err)
	e.must(e.db.FinishDelivery(bg, &paved.DeliveryOutcome{ID: cl[0].ID, Attempt: 1, Runner: "r1", StartedAt: time.Now(),
		StatusCode: 500, Error: "500 Internal Server Error", Status: paved.DeliveryFailed}))
}

func TestAPINotifications(t *testing.T) {
	e := newAPIEnv(t)
	seedNotifications(e)

	rec := e.as("admin", "GET", "/api/v1/notifications", "")
	list := decode[api.List[*paved.Notification]](t, rec)
	if rec.Code != 200 || list.Total != 2 || list.Items[0].Kind != paved.NotifyBudgetAlert || list.Items[1].Kind != paved.NotifySignoffRequested ||
		list.Items[1].Service != "svc-alpha" || list.Items[1].Team != "alpha" || list.Items[1].Link != "/services/svc-alpha#walkthrough" {
		t.Fatalf("notifications: %d %s", rec.Code, rec.Body)
	}
	for target, want := range map[string]int{
		"/api/v1/notifications?kind=budget.alert":          1,
		"/api/v1/notifications?service=svc-alpha":          1,
		"/api/v1/notifications?team=beta&limit=1&offset=0": 1,
		"/api/v1/notifications?team=gamma":                 0,
		"/api/v1/deliveries":                               1,
		"/api/v1/deliveries?status=failed":                 1,
		"/api/v1/deliveries?status=PENDING":                0,
		"/api/v1/deliveries?target=ops&notification=1":     1,
		"/api/v1/deliveries?notification=2":                0,
	} {
		rec := e.as("admin", "GET", target, "")
		if got := decode[api.List[map[string]any]](t, rec); rec.Code != 200 || got.Total != want {
			t.Errorf("%s: %d, total %d, want %d: %s", target, rec.Code, got.Total, want, rec.Body)
		}
	}
	rec = e.as("admin", "GET", "/api/v1/deliveries", "")
	ds := decode[api.List[*paved.Delivery]](t, rec)
	if d := ds.Items[0]; d.Status != paved.DeliveryFailed || d.Target != "ops" || d.Kind != paved.NotifySignoffRequested ||
		d.LastStatusCode != 500 || len(d.Log) != 1 || d.Log[0].Error != "500 Internal Server Error" {
		t.Fatalf("delivery: %s", rec.Body)
	}
	for _, target := range []string{
		"/api/v1/notifications?kind=exception.approved",
		"/api/v1/notifications?team=Not%20A%20Name",
		"/api/v1/notifications?limit=100000",
		"/api/v1/deliveries?status=lost",
		"/api/v1/deliveries?notification=-1",
		"/api/v1/deliveries?notification=x",
	} {
		wantProblem(t, e.as("admin", "GET", target, ""), http.StatusBadRequest, paved.EINVALID)
	}
	p := wantProblem(t, e.as("security", "GET", "/api/v1/deliveries", ""), http.StatusForbidden, paved.EFORBIDDEN)
	if !strings.Contains(p.Detail, "admins") {
		t.Errorf("forbidden detail %q", p.Detail)
	}
}

func TestWebhookMetrics(t *testing.T) {
	e := newAPIEnv(t)
	seedNotifications(e)
	e.must(e.db.RecordNotification(context.Background(), &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "spike"}))
	if _, err := e.db.FanOutNotifications(context.Background(), 10, func(*paved.Notification) []string { return []string{"ops", "chat"} }); err != nil {
		t.Fatal(err)
	}
	c := newWebhookCollector(e.db, fakeCounts{"delivered": 7, "retry": 2, "failed": 1, "lease_lost": 0})
	body := scrape(t, c)
	for _, want := range []string{
		`paved_webhook_deliveries_total{result="delivered"} 7`,
		`paved_webhook_deliveries_total{result="retry"} 2`,
		`paved_webhook_deliveries_total{result="lease_lost"} 0`,
		"paved_webhook_deliveries_pending 2",
		"paved_webhook_deliveries_failed 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	// The server registers the collector: /metrics has the gauges.
	rec := e.do("GET", "/metrics", "", "")
	if !strings.Contains(rec.Body.String(), "paved_webhook_deliveries_pending 2") {
		t.Errorf("/metrics lacks the pending gauge:\n%s", rec.Body)
	}
}

// scrape collects c through a fresh registry, in the text format.
func scrape(t *testing.T, c prometheus.Collector) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
