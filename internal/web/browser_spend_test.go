package web

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSpend opens the spend page as a developer of payments: the
// chart is drawn (inline SVG under the strict CSP), the table and the
// budget's burn bar show the month, the untagged bucket is listed, and
// marking the team's budget alert as planned lands back on the alert with
// the reason. The service page shows its trend image.
func TestBrowserSpend(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f := newPortalFixture(t)
	seedSpend(t, f)
	id := paymentsAlert(t, f)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}
	b.signin("/spend", f.tokens["alice"])
	b.wantPath("/spend")
	b.wantText("#month", "2026-10")
	b.wantText("#total", "3065.00")
	if n, _ := strconv.Atoi(b.eval(`String(document.querySelectorAll("#daily-chart rect").length)`)); n < 30 {
		t.Errorf("the chart has %d bars", n)
	}
	// The chart takes the page's width: the SVG is laid out, not blank.
	if w, _ := strconv.ParseFloat(b.eval(`String(document.querySelector("#daily-chart").getBoundingClientRect().width)`), 64); w < 300 {
		t.Errorf("chart width %v", w)
	}
	b.wantText("#row-payments", "payments")
	b.wantText("#untagged", "bucket-orphan")
	b.wantText("#budget-team-payments", "of 1000.00")
	if fill := b.eval(`document.querySelector("#budget-team-payments svg rect:nth-of-type(2)").getAttribute("fill")`); fill != "#c0392b" {
		t.Errorf("the over-budget bar is %s, want red", fill)
	}
	// The stylesheet applies (CSP): the table's bar track has its colour.
	if c := b.eval(`getComputedStyle(document.querySelector("#spend-table svg.bar .track")).fill`); c != "rgb(228, 232, 238)" {
		t.Errorf("bar track fill %q: the stylesheet did not apply", c)
	}
	b.screenshot("paved-spend.png")

	b.do("reason", chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#reason-%d", id)), "Black Friday load test"))
	b.navigating("plan", chromedp.Click(chromedp.CSS(fmt.Sprintf("#plan-%d", id))))
	b.wantPath("/spend?month=2026-10")
	b.wantText(".flash", "Alert marked as planned")
	b.wantText(fmt.Sprintf("#alert-%d", id), "Black Friday load test")

	// By service, then the service page's trend image.
	b.navigating("by service", chromedp.Click(chromedp.CSS("#by-service")))
	b.wantText("#row-checkout-api", "checkout-api")
	b.open("/services/checkout-api")
	w := ""
	for i := 0; i < 50 && w != "760"; i++ {
		w = b.eval(`String(document.querySelector("#spend-trend").naturalWidth)`)
		time.Sleep(100 * time.Millisecond)
	}
	if w != "760" {
		t.Errorf("the trend image did not load: naturalWidth %s", w)
	}
}
