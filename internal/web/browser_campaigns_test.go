package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCampaigns: a developer opens the campaigns page from the
// navigation, reads the deadline and the failing services of their own and
// other teams, opens the progress over time and follows a failing service
// to its page, where the latest check's config version is shown. Like
// TestBrowserPortal it needs Chromium (see browser_test.go).
func TestBrowserCampaigns(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f := newCampaignFixture(t)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}
	b.signin("/", f.tokens["alice"]) // a developer of payments, which owns checkout-api

	b.navigating("open campaigns", chromedp.Click(chromedp.CSS(`nav a[href="/campaigns"]`)))
	b.wantPath("/campaigns")
	b.wantText("#campaign-require-owner-tag", "Resources carry an owner tag")
	b.wantText("#require-owner-tag .deadline", "blocks from 2030-01-01")
	b.wantText("#require-owner-tag .days-left", "31 days left")
	b.wantText("#require-owner-tag .failing-count", "1 of 2 services would fail it today")
	// Alice's team is marked as hers.
	if got := b.eval(`document.querySelector("#require-owner-tag tr.team-payments").classList.contains("mine") + ""`); got != "true" {
		t.Errorf("the user's team row is not marked: %q", got)
	}
	b.wantText("#require-owner-tag tr.team-payments", "your team")
	// The bar's width is the share of services that pass.
	if got := b.eval(`document.querySelector("#require-owner-tag .progress rect.fill").getAttribute("width")`); got != "50" {
		t.Errorf("progress bar width = %q, want 50", got)
	}
	// Progress over time, folded away until opened.
	if got := b.eval(`document.querySelector("#require-owner-tag details.history").open + ""`); got != "false" {
		t.Errorf("history open before a click: %q", got)
	}
	b.do("open the history", chromedp.Click(chromedp.CSS("#require-owner-tag details.history summary")))
	if got := b.eval(`document.querySelectorAll("#require-owner-tag table.campaign-history tbody tr").length + ""`); got != "2" {
		t.Errorf("history rows = %q, want 2", got)
	}
	b.screenshot("paved-campaigns.png")

	// Follow the failing service.
	b.navigating("open the service", chromedp.Click(chromedp.CSS(`#require-owner-tag a[href="/services/checkout-api"]`)))
	b.wantPath("/services/checkout-api")
	b.wantText("#latest-check", "evaluated with platform config")
	b.wantText("#config-drift", "this server runs")
	if txt := b.text("#config-drift"); !strings.Contains(txt, f.snap.Version.String()) {
		t.Errorf("drift note %q does not name the server's version", txt)
	}
}
