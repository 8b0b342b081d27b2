package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/store"
)

// TestNotificationsEndToEnd schedules a walkthrough, starts paved serve
// with a signed webhook in paved.yaml, and sees the sign-off request
// arrive at the receiver, then in paved notifications list and deliveries,
// through the server and on the local database.
func TestNotificationsEndToEnd(t *testing.T) {
	const secret = "e2e-webhook-secret-0123456789"
	var mu sync.Mutex
	var got []*paved.Notification
	var verifyErr error
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := notify.Verify([]byte(secret), r.Header, body, time.Now(), 5*time.Minute); err != nil {
			verifyErr = err
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var n paved.Notification
		if err := json.Unmarshal(body, &n); err != nil {
			verifyErr = err
		}
		got = append(got, &n)
	}))
	defer rc.Close()

	dir := t.TempDir()
	db := filepath.Join(dir, "paved.db")
	cfgPath := filepath.Join(dir, "paved.yaml")
	if err := os.WriteFile(cfgPath, []byte(`server:
  public_url: https://paved.example.com
notifications:
  allowed_hosts: [127.0.0.1]   # the receiver is on loopback
  webhooks:
    - name: ops
      url: `+rc.URL+`/paved
      secret_env: HOOK_SECRET
      events: [walkthrough.signoff_requested]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A service with a scheduled walkthrough, and an admin's token,
	// straight into the database.
	token := "pvd_e2e_admin_token_0123456789"
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []error{
		st.CreateTeam(ctx, &paved.Team{Name: "payments", Kind: paved.KindProduct}),
		st.CreateUser(ctx, &paved.User{Name: "ada", Roles: []paved.Role{paved.RoleArchitect}}),
		st.CreateUser(ctx, &paved.User{Name: "root", Roles: []paved.Role{paved.RoleAdmin}}),
		st.CreateToken(ctx, &paved.Token{User: "root", Name: "e2e", Prefix: paved.DisplayPrefix(token), Hash: paved.HashToken(token)}),
		st.CreateService(ctx, &paved.Service{Name: "checkout", Owner: "payments", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhaseGreenLight}),
		st.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "checkout", ScheduledAt: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), Participants: []string{"ada"}}, launch.SignoffRequested),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	st.Close()

	e := env{"PAVED_DATABASE": db, "PAVED_CONFIG": cfgPath}
	// A webhook whose secret is missing stops the start.
	expect(t, 2, "secret_env HOOK_SECRET is empty or not set", e, "serve", "--addr", "127.0.0.1:0")

	s := startServer(t, e.with("HOOK_SECRET", secret))
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivery after 20s:\n%s", s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	if verifyErr != nil || len(got) != 1 || got[0].Kind != paved.NotifySignoffRequested || got[0].Link != "https://paved.example.com/services/checkout#walkthrough" {
		t.Fatalf("received %s (verify: %v)", jsonText(got), verifyErr)
	}
	mu.Unlock()

	remote := e.with("PAVED_SERVER", s.url, "PAVED_TOKEN", token)
	out := must(t, remote, "notifications", "list")
	if !strings.Contains(out, "walkthrough.signoff_requested") || !strings.Contains(out, "checkout") || !strings.Contains(out, "Walkthrough of checkout on 2026-06-01 09:00 UTC") {
		t.Errorf("notifications list:\n%s", out)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		out = must(t, remote, "notifications", "deliveries", "-o", "json")
		if strings.Contains(out, `"status": "delivered"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // the receiver answered; the outcome is being recorded
	}
	var l struct {
		Items []*paved.Delivery `json:"items"`
		Total int               `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &l); err != nil || l.Total != 1 || l.Items[0].Status != paved.DeliveryDelivered || l.Items[0].Target != "ops" || len(l.Items[0].Log) != 1 {
		t.Fatalf("deliveries: %v\n%s", err, out)
	}
	if out := must(t, remote, "notifications", "deliveries", "--failed"); !strings.Contains(out, "0 deliveries") && !strings.Contains(out, "no deliveries") {
		t.Logf("deliveries --failed:\n%s", out)
	}
	out = must(t, remote, "notifications", "deliveries")
	t.Logf("paved notifications deliveries:\n%s", out)
	if !strings.Contains(out, "ops") || !strings.Contains(out, "delivered") || !strings.Contains(out, "200") {
		t.Errorf("deliveries table:\n%s", out)
	}
	s.stop(t)

	// The same on the local database.
	if out := must(t, e, "notifications", "list", "--kind", "walkthrough.signoff_requested", "-o", "json"); !strings.Contains(out, `"total": 1`) {
		t.Errorf("local list:\n%s", out)
	}
	expect(t, 2, "--kind", e, "notifications", "list", "--kind", "exception.approved")
	expect(t, 2, "contradict", e, "notifications", "deliveries", "--failed", "--status", "pending")
	expect(t, 2, "status", e, "notifications", "deliveries", "--status", "lost")
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
