package web

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	paved "github.com/paved-dev/paved"
)

// Browser tests drive the portal in headless Chromium, the way a person
// would: sign in, search, filter, page, open, edit, sign out. They check
// what only a browser shows: that the Content-Security-Policy lets the
// stylesheet load, that forms post with their CSRF tokens and cookies, and
// that redirects land where they should.
//
// They are skipped when no Chromium is installed, unless
// PAVED_TEST_BROWSER_REQUIRED=1 (CI), where a missing browser fails.
// PAVED_TEST_SCREENSHOTS=DIR writes screenshots of the catalog and a
// service page to DIR for a human to look at.

// browserTimeout bounds each step; the machine may be busy with other builds.
const browserTimeout = 45 * time.Second

func chromiumPath() string {
	if p := os.Getenv("PAVED_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts one headless Chromium for the test and returns a tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("PAVED_TEST_BROWSER_REQUIRED") == "1" {
			t.Fatal("no Chromium found (install it with apt-get install chromium) and PAVED_TEST_BROWSER_REQUIRED=1")
		}
		t.Skip("no Chromium found; set PAVED_TEST_BROWSER_REQUIRED=1 to fail instead")
	}
	// The flags keep Chromium from calling home: this machine cannot reach
	// the internet, and retries would slow every test (see NOTES.md).
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // needed when running as root, as in containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	// The first Run starts the browser; it must not carry a timeout, which
	// would stop the browser with it. Starting is bounded by the test's own
	// deadline instead.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return ctx
}

// portalBrowser wraps a tab with helpers that fail the test with context.
type portalBrowser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b *portalBrowser) step(what string, fn func(ctx context.Context) error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if err := fn(ctx); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *portalBrowser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.step(what, func(ctx context.Context) error { return chromedp.Do(ctx, steps...) })
}

// navigating runs act, which makes the page navigate (a link click, a form
// submit), and waits until the new page has loaded. Subscribing to the load
// event before acting means the event cannot be missed, and no sleep is
// needed.
func (b *portalBrowser) navigating(what string, act chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.step(what, func(ctx context.Context) error {
		loaded := chromedp.Events(ctx, page.LoadEventFired)
		if err := chromedp.Do(ctx, act); err != nil {
			return err
		}
		for _, err := range loaded {
			return err
		}
		return errors.New("no page load")
	})
}

func (b *portalBrowser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

func (b *portalBrowser) text(sel string) string {
	b.t.Helper()
	var s string
	b.step("read "+sel, func(ctx context.Context) (err error) {
		s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		return err
	})
	return s
}

func (b *portalBrowser) eval(js string) string {
	b.t.Helper()
	var s string
	b.step("evaluate "+js, func(ctx context.Context) (err error) {
		s, err = chromedp.Run(ctx, chromedp.Evaluate[string](js))
		return err
	})
	return s
}

func (b *portalBrowser) path() string {
	b.t.Helper()
	return b.eval(`location.pathname + location.search`)
}

func (b *portalBrowser) wantPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.t.Fatalf("at %s, want %s", got, want)
	}
}

func (b *portalBrowser) wantText(sel, sub string) {
	b.t.Helper()
	if got := b.text(sel); !strings.Contains(got, sub) {
		b.t.Fatalf("%s says %q, want it to contain %q", sel, got, sub)
	}
}

func (b *portalBrowser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("PAVED_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	b.step("screenshot "+name, func(ctx context.Context) error {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), png, 0o644)
	})
}

// signin goes to path while signed out, signs in on the page it is sent
// to, and checks that it comes back to path.
func (b *portalBrowser) signin(path, token string) {
	b.t.Helper()
	b.open(path)
	if got := b.eval(`location.pathname`); got != "/signin" {
		b.t.Fatalf("signed out, %s shows %s instead of the sign-in page", path, got)
	}
	b.do("type token", chromedp.SendKeys(chromedp.CSS("#token"), token))
	b.navigating("sign in", chromedp.Submit(chromedp.CSS("#token")))
	b.wantPath(path)
}

func TestBrowserPortal(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are slow; skipped with -short")
	}
	f := newPortalFixture(t)
	b := &portalBrowser{t: t, ctx: newBrowser(t), base: f.srv.URL}

	t.Run("sign-in rejects a wrong token", func(t *testing.T) {
		b.t = t
		b.open("/signin")
		b.do("type token", chromedp.SendKeys(chromedp.CSS("#token"), "pvd_wrong"))
		b.navigating("sign in", chromedp.Submit(chromedp.CSS("#token")))
		b.wantText("#signin-error", "not valid")
	})

	t.Run("sign in and come back to the catalog", func(t *testing.T) {
		b.t = t
		b.signin("/services", f.tokens["alice"])
		b.wantText("header.site .who", "Alice Adams")
		// The stylesheet loaded despite the strict CSP: the header has its
		// colour (rgb(31, 95, 139) is --accent).
		if bg := b.eval(`getComputedStyle(document.querySelector("header.site")).backgroundColor`); bg != "rgb(31, 95, 139)" {
			t.Fatalf("header background %q: the stylesheet did not apply", bg)
		}
		b.wantText(`nav a[aria-current="page"]`, "Services")
		total := f.countServices(func(*paved.Service) bool { return true })
		b.wantText(".pager .count", fmt.Sprintf("of %d", total))
		b.screenshot("paved-catalog.png")
	})

	t.Run("search", func(t *testing.T) {
		b.t = t
		b.do("type query", chromedp.SendKeys(chromedp.CSS("#q"), "gateway"))
		b.navigating("search", chromedp.Click(chromedp.CSS("#apply")))
		b.wantPath("/services?q=gateway&team=&phase=&tier=&data_class=")
		b.wantText(".pager .count", "Showing 1–1 of 1")
		b.wantText("table.services tbody", "payments-gateway")
	})

	t.Run("filter", func(t *testing.T) {
		b.t = t
		b.navigating("clear", chromedp.Click(chromedp.CSS(`a[href="/services"].button`)))
		b.do("choose phase", chromedp.SetValue(chromedp.CSS("#phase"), "production"))
		b.do("choose team", chromedp.SetValue(chromedp.CSS("#team"), "payments"))
		b.navigating("filter", chromedp.Click(chromedp.CSS("#apply")))
		want := f.countServices(func(s *paved.Service) bool { return s.Owner == "payments" && s.Phase == paved.PhaseProduction })
		b.wantText(".pager .count", fmt.Sprintf("of %d", want))
		phases := b.eval(`[...document.querySelectorAll("table.services tbody tr td:nth-child(3) .badge:first-child")].map(e => e.textContent).join(",")`)
		if phases != strings.TrimSuffix(strings.Repeat("production,", want), ",") {
			t.Fatalf("rows have phases %q, want %d× production", phases, want)
		}
		if v := b.eval(`document.querySelector("#phase").value`); v != "production" {
			t.Errorf("the phase menu forgot the filter: %q", v)
		}
	})

	t.Run("page", func(t *testing.T) {
		b.t = t
		b.open("/services")
		b.navigating("next page", chromedp.Click(chromedp.CSS(`a[rel="next"]`)))
		b.wantPath("/services?page=2")
		b.wantText(".pager .pageno", "Page 2 of 2")
		b.navigating("previous page", chromedp.Click(chromedp.CSS(`a[rel="prev"]`)))
		b.wantPath("/services")
	})

	t.Run("open a service", func(t *testing.T) {
		b.t = t
		b.navigating("open checkout-api", chromedp.Click(chromedp.CSS(`a[href="/services/checkout-api"]`)))
		b.wantPath("/services/checkout-api")
		b.wantText("h1", "checkout-api")
		b.wantText("#owner", "payments")
		b.wantText("#links-h + ul.links", "Repository")
		b.screenshot("paved-service.png")
	})

	t.Run("edit the service", func(t *testing.T) {
		b.t = t
		b.navigating("edit", chromedp.Click(chromedp.CSS("#edit")))
		b.wantPath("/services/checkout-api/edit")
		b.do("change description",
			chromedp.Clear(chromedp.CSS("textarea#description")),
			chromedp.SendKeys(chromedp.CSS("textarea#description"), "Takes the money, in the browser."),
			chromedp.SetValue(chromedp.CSS("#tier"), "1"),
			chromedp.SetValue(chromedp.CSS("#data_class"), "restricted"),
		)
		b.navigating("save", chromedp.Click(chromedp.CSS("#save")))
		b.wantPath("/services/checkout-api")
		b.wantText(".flash", "Changes saved.")
		b.wantText("#description", "Takes the money, in the browser.")
		b.wantText(".badges", "restricted")
		svc, err := f.db.FindService(context.Background(), "checkout-api")
		if err != nil {
			t.Fatal(err)
		}
		if svc.Tier != 1 || svc.DataClass != paved.DataRestricted || svc.Description != "Takes the money, in the browser." {
			t.Fatalf("stored %+v", svc)
		}
	})

	t.Run("open the owning team", func(t *testing.T) {
		b.t = t
		b.navigating("open team", chromedp.Click(chromedp.CSS("#owner")))
		b.wantPath("/teams/payments")
		b.wantText("h1", "payments")
		b.wantText("ul.members", "alice")
		b.wantText("#services-h", "Services (")
	})

	t.Run("sign out", func(t *testing.T) {
		b.t = t
		b.navigating("sign out", chromedp.Click(chromedp.CSS("#signout")))
		b.wantPath("/signin")
		b.wantText(".flash", "You are signed out.")
		b.open("/services")
		if got := b.eval(`location.pathname`); got != "/signin" {
			t.Fatalf("after sign-out /services shows %s", got)
		}
	})

	t.Run("audit log for security", func(t *testing.T) {
		b.t = t
		b.signin("/audit", f.tokens["sam"])
		b.wantText("#chain", "Chain verified")
		b.screenshot("paved-audit.png")
		b.do("filter by actor", chromedp.SendKeys(chromedp.CSS("#actor"), "alice"))
		b.navigating("filter", chromedp.Submit(chromedp.CSS("#actor")))
		b.wantText("table.events tbody", "service.update")
		b.wantText("table.events tbody", "checkout-api")
		b.navigating("sign out", chromedp.Click(chromedp.CSS("#signout")))
		b.wantPath("/signin")
	})
}
