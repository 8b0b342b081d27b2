package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

// The read cache must never serve an answer older than the data: every
// change, through this server, through another handle on the same database
// (another replica, a CLI run) or a revocation, is visible on the next read.
func TestReadCacheIsExact(t *testing.T) {
	e := newAPIEnv(t)
	list := func(user string) string {
		t.Helper()
		rec := e.as(user, "GET", "/api/v1/services?team=alpha", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("list: %d %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	first := list("viewer")
	if list("viewer") != first || list("admin") != first {
		t.Fatal("the same filter gives different answers without a change")
	}

	// A change through the API.
	if rec := e.as("dev-alpha", "PATCH", "/api/v1/services/svc-alpha", `{"title":"Alpha, renamed"}`); rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if got := list("viewer"); !strings.Contains(got, "Alpha, renamed") {
		t.Fatalf("stale after an API change: %s", got)
	}

	// A change through a second handle on the same file, as another process
	// or replica would make it.
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "other-process"})
	other, err := store.Open(ctx, e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	title := "Changed elsewhere"
	if _, err := other.UpdateService(ctx, "svc-alpha", paved.ServiceUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if got := list("viewer"); !strings.Contains(got, title) {
		t.Fatalf("stale after a change by another handle: %s", got)
	}

	// A token revoked elsewhere stops working at once, not after the
	// authentication cache's TTL.
	if rec := e.do("GET", "/api/v1/me", "pvd_spare_dev-alpha", ""); rec.Code != http.StatusOK {
		t.Fatalf("spare token: %d", rec.Code)
	}
	if err := other.RevokeToken(ctx, e.spareTok); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, e.do("GET", "/api/v1/me", "pvd_spare_dev-alpha", ""), http.StatusUnauthorized, paved.EUNAUTHORIZED)

	// A retired user loses access at once too.
	if err := other.RetireUser(ctx, "viewer"); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/services", ""), http.StatusUnauthorized, paved.EUNAUTHORIZED)
}

func TestReadCacheGuards(t *testing.T) {
	c := newReadCache()
	c.answer(5, "k")
	c.keep(4, "k", []byte("old")) // computed under an older head: not kept
	if _, ok := c.answer(5, "k"); ok {
		t.Fatal("an answer from an older head was kept")
	}
	c.keep(5, "k", []byte("v"))
	if b, ok := c.answer(5, "k"); !ok || string(b) != "v" {
		t.Fatal("answer at the same head lost")
	}
	if _, ok := c.answer(6, "k"); ok {
		t.Fatal("answer survived a head change")
	}
	now := time.Now()
	past := now.Add(-time.Minute)
	u := &paved.User{Name: "u"}
	c.keepToken(6, "h", u, &paved.Token{}, now)
	if _, _, ok := c.token(6, "h", now.Add(authTTL+time.Second)); ok {
		t.Fatal("token trusted past the TTL")
	}
	c.keepToken(6, "h2", u, &paved.Token{ExpiresAt: &past}, now)
	if _, _, ok := c.token(6, "h2", now); ok {
		t.Fatal("expired token served from the cache")
	}
}
