package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

// TestSeedExceptions: one request waits with its thread (the 1 TB story),
// one is approved, one is close to expiry; a second Seed adds none.
func TestSeedExceptions(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	pending, n, err := st.FindExceptions(ctx, paved.ExceptionFilter{Status: paved.ExceptionPending})
	if err != nil || n != 1 || pending[0].Service != "ml-feature-store" || pending[0].Value != "db.x2iedn.8xlarge" {
		t.Fatalf("pending: %d %+v %v", n, pending, err)
	}
	full, err := st.FindException(ctx, pending[0].ID)
	if err != nil || len(full.Comments) != 2 || full.Team != "data-platform" {
		t.Fatalf("the 1 TB request: %+v %v", full, err)
	}
	approved, n, err := st.FindExceptions(ctx, paved.ExceptionFilter{Status: paved.ExceptionApproved})
	if err != nil || n != 2 {
		t.Fatalf("approved: %d %v", n, err)
	}
	soon := time.Now().Add(14 * 24 * time.Hour)
	expiring, n, err := st.FindExceptions(ctx, paved.ExceptionFilter{ExpiringBefore: soon})
	if err != nil || n != 1 || expiring[0].Service != "event-pipeline" {
		t.Fatalf("expiring: %d %+v %v", n, expiring, err)
	}
	for _, e := range approved {
		if e.Conditions == "" || e.DecidedBy == "" {
			t.Errorf("approved without conditions or reviewer: %+v", e)
		}
	}
	for svc := range ExceptionStories {
		if _, err := st.FindService(ctx, svc); err != nil {
			t.Errorf("story service %s: %v", svc, err)
		}
	}
	h, err := st.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	if h2, _ := st.AuditHead(ctx); h2 != h {
		t.Fatalf("a second Seed wrote: head %d -> %d", h, h2)
	}
}
