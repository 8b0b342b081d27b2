package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserOwnership: an admin views the concerns x teams matrix,
// reassigns backups by choosing letters in its row, sees the refusal of a
// second owner, and downloads the effective map as ownership.yaml. Like
// TestBrowserPortal it needs Chromium (see browser_test.go).
func TestBrowserOwnership(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f := newLaunchFixture(t)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}
	b.signin("/ownership", f.tokens["root"])

	// Viewing: letters per team, layers as row groups.
	b.wantText("#layer-cloud-foundation", "Base container images")
	if got := b.eval(`document.querySelector("#cell-base-images-security").dataset.role`); got != "C" {
		t.Errorf("base-images/security = %q, want C", got)
	}
	if got := b.eval(`document.querySelector("#role-backups-product-team").value`); got != "R" {
		t.Errorf("backups/product-team select = %q, want R", got)
	}

	// A second owner is refused in the row, with the choices kept.
	b.do("two owners",
		chromedp.SetValue(chromedp.CSS("#role-backups-security"), "R"),
		chromedp.SendKeys(chromedp.CSS("#reason-backups"), "security runs backups"))
	b.navigating("save", chromedp.Click(chromedp.CSS("#save-backups")))
	b.wantText("#error-backups", "one owner is required")
	if got := b.eval(`document.querySelector("#role-backups-security").value`); got != "R" {
		t.Errorf("the refused choice was not kept: %q", got)
	}

	// The edit: security owns backups, the product team is consulted (and
	// reliability, which this catalog lacks, is dropped: kept, it would be
	// refused as an unknown team).
	b.do("reassign",
		chromedp.SetValue(chromedp.CSS("#role-backups-product-team"), "C"),
		chromedp.SetValue(chromedp.CSS("#role-backups-reliability"), ""))
	b.navigating("save", chromedp.Click(chromedp.CSS("#save-backups")))
	b.wantPath("/ownership")
	b.wantText(".flash", "Changes saved.")
	b.wantText("#edited-backups", "edited by root")
	if got := b.eval(`document.querySelector("#cell-backups-security").dataset.role + "/" + document.querySelector("#cell-backups-product-team").dataset.role`); got != "RA/C" {
		t.Errorf("backups row after the edit = %q", got)
	}
	if got := b.eval(`document.querySelector("#reason-backups").value`); got != "security runs backups" {
		t.Errorf("reason = %q", got)
	}
	b.screenshot("paved-ownership.png")

	// Export: the download link serves the effective map.
	if got := b.eval(`document.querySelector("#export").getAttribute("href")`); got != "/ownership/export" {
		t.Errorf("export link %q", got)
	}
	yaml := b.eval(`(() => { const x = new XMLHttpRequest(); x.open("GET", "/ownership/export", false); x.send();
		return x.status + " " + x.getResponseHeader("Content-Type") + "\n" + x.responseText; })()`)
	if !strings.HasPrefix(yaml, "200 application/yaml\n# Ownership map exported by paved") ||
		!strings.Contains(yaml, "- id: backups\n        title: Backups") || !strings.Contains(yaml, "owner: security") {
		t.Errorf("export:\n%.600s", yaml)
	}

	// Reset to the file.
	b.navigating("reset", chromedp.Click(chromedp.CSS("#reset-backups")))
	b.wantText(".flash", "Changes saved.")
	if got := b.eval(`document.querySelector("#cell-backups-product-team").dataset.role`); got != "RA" {
		t.Errorf("after the reset backups/product-team = %q", got)
	}
}
