package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSSO signs in through the real OpenID provider process in
// headless Chromium, as a person would: the sign-in page's "Sign in with"
// button, the provider's login form, back to the page asked for with the
// group rules' role; sign-out ends the provider's session and comes back
// to the sign-in page.
func TestBrowserSSO(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	e := newSSOEnv(t, nil)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: e.srv.URL}

	b.open("/services")
	b.wantPath("/signin?next=%2Fservices")
	b.wantText("#sso", "Sign in with Test IdP")
	b.navigating("sign in with the provider", chromedp.Click(chromedp.CSS("#sso")))
	if got := b.eval(`location.origin + location.pathname`); got != e.p.Issuer+"/login/username" {
		t.Fatalf("at %s, want the provider's login form", got)
	}
	b.do("type the provider's credentials",
		chromedp.SendKeys(chromedp.CSS("#username"), ssoJane.Username),
		chromedp.SendKeys(chromedp.CSS("#password"), ssoJane.Password))
	b.navigating("sign in at the provider", chromedp.Click(chromedp.CSS("#submit")))
	b.wantPath("/services")
	b.wantText("header.site .who", "Jane Doe")
	if !strings.Contains(b.text("main"), "Services") {
		t.Errorf("the services page did not render")
	}
	b.screenshot("sso-signed-in.png")

	before := e.p.Ended(t)
	b.navigating("sign out", chromedp.Click(chromedp.CSS("#signout")))
	if got := b.eval(`location.origin + location.pathname`); got != e.srv.URL+"/signin" {
		t.Errorf("after sign-out at %s, want paved's sign-in page", got)
	}
	if e.p.Ended(t) != before+1 {
		t.Errorf("sign-out did not end the provider's session")
	}
	b.open("/services")
	b.wantPath("/signin?next=%2Fservices")
}
