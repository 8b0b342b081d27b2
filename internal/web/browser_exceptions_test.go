package web

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	paved "github.com/paved-dev/paved"
)

// TestBrowserExceptionApprove: a reviewer of the enablement team finds the
// 1 TB request in the queue, reads the offending value and the team's
// justification, asks a question, then approves it for 30 days with a
// condition; the request shows approved and the service page lists it with
// its expiry. Needs Chromium, like TestBrowserPortal (browser_test.go).
func TestBrowserExceptionApprove(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f, e := newExceptionFixture(t)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}
	id := strconv.FormatInt(e.ID, 10)
	b.signin("/exceptions", f.tokens["rita"])

	b.wantPath("/exceptions")
	b.wantText("#exception-"+id, "db.x2iedn.8xlarge")
	b.wantText("#exception-"+id, "pending")
	b.navigating("open the request", chromedp.Click(chromedp.CSS(`#exception-`+id+` a.name`)))
	b.wantPath("/exceptions/" + id)
	b.wantText("#exception-value", "db.x2iedn.8xlarge")
	b.wantText("#exception-reason", "sharding in Q3")

	// A question first.
	b.do("ask", chromedp.SendKeys(chromedp.CSS("#comment-body"), "Why not a 512 GiB class?"))
	b.navigating("comment", chromedp.Click(chromedp.CSS("#comment-submit")))
	b.wantText(".flash", "Comment added.")
	b.wantText("#exception-thread", "Why not a 512 GiB class?")

	// Beyond the maximum: refused at the form, what was typed kept.
	b.do("expiry", chromedp.SetValue(chromedp.CSS("#approve-expires"), "400d"))
	b.do("conditions", chromedp.SendKeys(chromedp.CSS("#approve-conditions"), "Shard by Q3."))
	b.navigating("approve", chromedp.Click(chromedp.CSS("#approve-submit")))
	b.wantText("#exception-error", "beyond the maximum")
	if v := b.eval(`document.querySelector("#approve-conditions").value`); v != "Shard by Q3." {
		t.Errorf("the refused form lost the conditions: %q", v)
	}

	b.do("expiry", chromedp.SetValue(chromedp.CSS("#approve-expires"), "30d"))
	b.navigating("approve", chromedp.Click(chromedp.CSS("#approve-submit")))
	b.wantPath("/exceptions/" + id)
	b.wantText(".flash", "Exception approved.")
	b.wantText("#exception-state", "approved")
	b.wantText("#exception-decision", "rita")
	b.screenshot("exception-approved")

	got, err := f.db.FindException(f.as(t, "rita"), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != paved.ExceptionApproved || got.Conditions != "Shard by Q3." {
		t.Fatalf("stored: %+v", got)
	}
	b.open("/services/" + e.Service)
	b.wantText("#service-exception-"+id, "approved")
	b.wantText("#service-exception-"+id, got.ExpiresAt.UTC().Format("2006-01-02"))
}
