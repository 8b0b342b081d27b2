package web

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	paved "github.com/paved-dev/paved"
)

// Browser tests of the path to production: a developer answers an item on
// the launch page and sees the item settle and its area move; an architect
// signs a walkthrough from the service page and sees the outcome. Like
// TestBrowserPortal they need Chromium (see browser_test.go).

func TestBrowserLaunchAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f := newLaunchFixture(t)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}
	const page = "/services/checkout-api/launch" // tier 1, playground, owned by payments
	b.signin(page, f.tokens["alice"])

	area := "#area-questionnaire-the-service-n"
	bar := `document.querySelector("#bar-questionnaire-the-service rect.fill").getAttribute("width")`
	before := b.text(area)
	barBefore := b.eval(bar)
	b.wantText("#state-purpose-and-impact", "missing")
	// The missing item's answer form is open, without a click.
	b.do("answer", chromedp.SendKeys(chromedp.CSS("#text-purpose-and-impact"),
		"Takes the customers' money at checkout. An hour down loses every order of that hour."))
	b.navigating("save", chromedp.Click(chromedp.CSS("#save-purpose-and-impact")))
	b.wantPath(page)
	b.wantText(".flash", "Answer saved.")
	b.wantText("#state-purpose-and-impact", "settled")
	b.wantText("#answer-purpose-and-impact", "An hour down loses every order")
	b.wantText("#answer-purpose-and-impact .meta", "alice")

	after := b.text(area)
	if n0, n1 := doneOf(t, before), doneOf(t, after); n1 != n0+1 {
		t.Errorf("area progress %q -> %q, want one more item done", before, after)
	}
	if w0, w1 := b.eval(bar), barBefore; w0 == w1 {
		t.Errorf("the area's bar stayed at width %s", w0)
	}
	// The stylesheet applies despite the strict CSP: the settled badge is
	// green (--ok-soft).
	if bg := b.eval(`getComputedStyle(document.querySelector("#state-purpose-and-impact")).backgroundColor`); bg != "rgb(231, 245, 236)" {
		t.Errorf("settled badge background %q: the stylesheet did not apply", bg)
	}

	// A wrong answer is refused on the page, with what was typed kept.
	b.do("link without a link", chromedp.SendKeys(chromedp.CSS("#text-architecture-sketch"), "On the wiki."))
	b.navigating("save", chromedp.Click(chromedp.CSS("#save-architecture-sketch")))
	b.wantText("#launch-error", "asks for a link")
	if v := b.eval(`document.querySelector("#text-architecture-sketch").value`); v != "On the wiki." {
		t.Errorf("the refused answer was not kept: %q", v)
	}

	// The comment thread of the item.
	b.open(page)
	b.do("comment",
		chromedp.Click(chromedp.CSS("#item-purpose-and-impact-comments > summary")),
		chromedp.SendKeys(chromedp.CSS("#comment-purpose-and-impact"), "Does checkout include refunds?"))
	b.navigating("send", chromedp.Click(chromedp.CSS("#send-purpose-and-impact")))
	b.wantText(".flash", "Comment added.")
	b.wantText("#item-purpose-and-impact-comments", "Does checkout include refunds?")
	b.wantText("#item-purpose-and-impact-comments summary", "Comments (1)")
	b.screenshot("paved-launch.png")

	// The service page shows the same progress.
	b.open("/services/checkout-api")
	b.wantText("#bar-questionnaire-the-service .n", after)
}

// doneOf reads "3 of 6" as 3.
func doneOf(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(strings.Split(strings.TrimSpace(s), " of ")[0]))
	if err != nil {
		t.Fatalf("progress %q: %v", s, err)
	}
	return n
}

func TestBrowserLaunchSignoff(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f := newLaunchFixture(t)
	const svc = "ranking-model" // tier 2, public data: peer and architect sign
	ws, err := f.ls.Schedule(f.as(t, "alice"), svc, time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC), []string{"pete", "arnold"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ls.Sign(f.as(t, "pete"), ws.ID, paved.SignPeer, paved.DecisionApprove, "Read it twice."); err != nil {
		t.Fatal(err)
	}

	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}
	b.signin("/services/"+svc, f.tokens["arnold"])
	b.wantText("#outcome", "pending")
	b.wantText("#role-peer .decision", "pete")
	b.do("comment", chromedp.SendKeys(chromedp.CSS("#comment-architect"), "Clean boundaries; keep the cache warm."))
	b.navigating("approve", chromedp.Click(chromedp.CSS("#sign-architect-approve")))
	b.wantPath("/services/" + svc)
	b.wantText(".flash", "Sign-off recorded.")
	b.wantText("#outcome", "approved")
	b.wantText("#role-architect .decision", "Approve")
	b.wantText("#role-architect .decision", "arnold")
	b.wantText("#role-architect", "keep the cache warm")
	if n := b.eval(`String(document.querySelectorAll("form.signoff").length)`); n != "0" {
		t.Errorf("%s sign-off forms left after signing", n)
	}
	b.screenshot("paved-walkthrough.png")
}
