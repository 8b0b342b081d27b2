package web

import (
	"context"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// TestPortalFacts: the service page lists the service's facts with their
// source, pusher and expiry (an expired fact marked so), and links the
// collectors' health for admins only; the Collectors page shows each
// collector's state and error, to admins only.
func TestPortalFacts(t *testing.T) {
	f := newPortalFixture(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "alice"})
	now := time.Now().UTC()
	_, err := f.db.RecordFacts(ctx, []*paved.FactObservation{
		{Service: "checkout-api", Source: "github", Version: "github/1", ObservedAt: now.Add(-4 * time.Hour), ExpiresAt: now.Add(-time.Hour), Complete: true,
			Facts: map[string]any{"github.branch_protection.required_reviews": 2}},
		{Service: "checkout-api", Source: paved.FactSourcePush, ObservedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour),
			Facts: map[string]any{"backup.last_restore_test": "2026-03-01T02:00:00Z"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.RecordCollectorRun(ctx, &paved.CollectorRun{Collector: "github", Kind: "github", StartedAt: now.Add(-time.Minute), FinishedAt: now,
		Services: 3, Failed: 1, Error: "GET /repos/acme/x: 401 Bad credentials"}); err != nil {
		t.Fatal(err)
	}

	alice := f.client(t)
	alice.signin(f.tokens["alice"])
	resp, body := alice.get("/services/checkout-api")
	wantPageStatus(t, resp, body, 200)
	wantPageContains(t, body, `id="facts"`, "github.branch_protection.required_reviews", "<code>2</code>", "backup.last_restore_test",
		`push by <a href="/users/alice">alice</a>`, `<span class="badge overdue">expired</span>`, `id="facts-expired"`)
	if strings.Contains(body, `href="/facts/collectors"`) {
		t.Error("a developer sees the link to the collectors' health")
	}
	resp, body = alice.get("/facts/collectors")
	wantPageStatus(t, resp, body, 403)

	root := f.client(t)
	root.signin(f.tokens["root"])
	_, body = root.get("/services/checkout-api")
	wantPageContains(t, body, `href="/facts/collectors"`)
	resp, body = root.get("/facts/collectors")
	wantPageStatus(t, resp, body, 200)
	wantPageContains(t, body, `id="collector-github"`, "failing", "401 Bad credentials", "3, 1 failed")

	// A service without facts says so.
	_, body = alice.get("/services/ledger")
	wantPageContains(t, body, `id="no-facts"`)
}
