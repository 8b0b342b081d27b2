package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// notifyIn records notifications through w.notify in one write, the way a
// store write method does, and returns fail's error to roll it back.
func notifyIn(t *testing.T, e *env, fail error, ns ...*paved.Notification) error {
	t.Helper()
	return e.db.write(e.ctx, func(w *wtx) error {
		for _, n := range ns {
			if err := w.notify(n); err != nil {
				return err
			}
		}
		return fail
	})
}

func TestNotifyOutbox(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		n := &paved.Notification{Kind: paved.NotifyExceptionRequested, Subject: "  checkout asks for\nan exception ",
			Service: "checkout", Team: "payments", Link: "/exceptions/1", Data: map[string]any{"exception_id": 1, "rule": "db.size"}}
		must(t, notifyIn(t, e, nil, n))
		if n.ID == 0 || !n.CreatedAt.Equal(e.clock.Now()) {
			t.Fatalf("notify set ID %d, CreatedAt %v", n.ID, n.CreatedAt)
		}
		// A write that fails takes its notification with it.
		boom := errors.New("boom")
		if err := notifyIn(t, e, boom, &paved.Notification{Kind: paved.NotifyBudgetAlert, Subject: "rolled back"}); !errors.Is(err, boom) {
			t.Fatalf("write = %v, want boom", err)
		}
		// A notification without kind or subject, or with data that is not
		// JSON, fails the write.
		for _, bad := range []*paved.Notification{
			{Subject: "no kind"},
			{Kind: paved.NotifyCostSpike, Subject: " \n "},
			{Kind: paved.NotifyCostSpike, Subject: "chan", Data: map[string]any{"c": make(chan int)}},
		} {
			if err := notifyIn(t, e, nil, bad); err == nil {
				t.Fatalf("notify(%+v) succeeded", bad)
			}
		}
		got, total, err := e.db.FindNotifications(context.Background(), paved.NotificationFilter{})
		must(t, err)
		if total != 1 || len(got) != 1 {
			t.Fatalf("FindNotifications = %d (total %d), want 1", len(got), total)
		}
		want := `{"id":1,"kind":"exception.requested","subject":"checkout asks for an exception","service":"checkout","team":"payments","link":"/exceptions/1","data":{"exception_id":1,"rule":"db.size"},"created_at":"2026-03-14T09:26:53.589793238Z"}`
		if g := jsonOf(got[0]); g != want {
			t.Fatalf("stored notification\n got %s\nwant %s", g, want)
		}
		// A long subject is cut, not refused.
		long := &paved.Notification{Kind: paved.NotifyCostSpike, Subject: strings.Repeat("é", 600)}
		must(t, notifyIn(t, e, nil, long))
		if r := []rune(long.Subject); len(r) != maxSubject || r[len(r)-1] != '…' {
			t.Fatalf("long subject has %d runes", len(r))
		}
		for _, c := range []struct {
			f    paved.NotificationFilter
			want int
		}{
			{paved.NotificationFilter{Kind: paved.NotifyCostSpike}, 1},
			{paved.NotificationFilter{Service: "checkout"}, 1},
			{paved.NotificationFilter{Team: "payments", Kind: paved.NotifyCostSpike}, 0},
		} {
			_, n, err := e.db.FindNotifications(context.Background(), c.f)
			must(t, err)
			if n != c.want {
				t.Errorf("FindNotifications(%+v) total = %d, want %d", c.f, n, c.want)
			}
		}
	})
}

// routeAll sends every notification to targets a and b, and budget alerts
// nowhere.
func routeAll(n *paved.Notification) []string {
	if n.Kind == paved.NotifyBudgetAlert {
		return nil
	}
	return []string{"a", "b", "a"}
}

func TestDeliveryLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Nothing to do: no write at all.
		if n, err := e.db.FanOutNotifications(ctx, 10, routeAll); err != nil || n != 0 {
			t.Fatalf("FanOut on an empty outbox = %d, %v", n, err)
		}
		if c, err := e.db.ClaimDeliveries(ctx, "r1", 10, time.Minute); err != nil || len(c) != 0 {
			t.Fatalf("ClaimDeliveries on nothing = %v, %v", c, err)
		}
		must(t, notifyIn(t, e, nil,
			&paved.Notification{Kind: paved.NotifyExceptionDecided, Subject: "one", Service: "checkout", Data: map[string]any{"n": 1}},
			&paved.Notification{Kind: paved.NotifyBudgetAlert, Subject: "nowhere"}))
		n, err := e.db.FanOutNotifications(ctx, 10, routeAll)
		must(t, err)
		if n != 2 {
			t.Fatalf("FanOut handled %d notifications, want 2", n)
		}
		if n, _ := e.db.FanOutNotifications(ctx, 10, routeAll); n != 0 {
			t.Fatalf("second FanOut handled %d, want 0", n)
		}
		counts, err := e.db.DeliveryCounts(ctx)
		must(t, err)
		if counts[paved.DeliveryPending] != 2 || counts[paved.DeliveryFailed] != 0 {
			t.Fatalf("counts = %v, want 2 pending", counts)
		}

		claims, err := e.db.ClaimDeliveries(ctx, "r1", 10, time.Minute)
		must(t, err)
		if len(claims) != 2 || claims[0].Target != "a" || claims[1].Target != "b" || claims[0].Attempt != 1 {
			t.Fatalf("claims = %s", jsonOf(claims))
		}
		if x := claims[0].Notification; x.Subject != "one" || x.Service != "checkout" || x.Data["n"] != float64(1) {
			t.Fatalf("claimed notification = %s", jsonOf(x))
		}
		// Leased: nobody else gets them until the lease runs out.
		if c, _ := e.db.ClaimDeliveries(ctx, "r2", 10, time.Minute); len(c) != 0 {
			t.Fatalf("r2 claimed leased deliveries: %s", jsonOf(c))
		}
		started := e.clock.Now()
		e.clock.Advance(2 * time.Second)
		a, b := claims[0], claims[1]
		must(t, e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: a.ID, Attempt: 1, Runner: "r1", StartedAt: started,
			Duration: 1500 * time.Millisecond, StatusCode: 200, Status: paved.DeliveryDelivered}))
		must(t, e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: b.ID, Attempt: 1, Runner: "r1", StartedAt: started,
			Duration: 20 * time.Millisecond, StatusCode: 503, Error: "503 Service Unavailable", Status: paved.DeliveryPending, RetryIn: 30 * time.Second}))
		// Finishing twice (or by another runner) is a lost lease.
		err = e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: a.ID, Attempt: 1, Runner: "r1", StartedAt: started, Status: paved.DeliveryDelivered})
		wantErr(t, err, paved.ECONFLICT, "")

		// b is due again after 30 s, not before.
		e.clock.Advance(29 * time.Second)
		if c, _ := e.db.ClaimDeliveries(ctx, "r2", 10, time.Minute); len(c) != 0 {
			t.Fatalf("claimed before the retry is due: %s", jsonOf(c))
		}
		e.clock.Advance(time.Second)
		c2, err := e.db.ClaimDeliveries(ctx, "r2", 10, time.Minute)
		must(t, err)
		if len(c2) != 1 || c2[0].ID != b.ID || c2[0].Attempt != 2 {
			t.Fatalf("retry claim = %s", jsonOf(c2))
		}
		must(t, e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: b.ID, Attempt: 2, Runner: "r2", StartedAt: e.clock.Now(),
			Error: "dial tcp: connection refused", Status: paved.DeliveryFailed}))

		ds, total, err := e.db.FindDeliveries(ctx, paved.DeliveryFilter{})
		must(t, err)
		if total != 2 || ds[0].ID != b.ID {
			t.Fatalf("FindDeliveries = %s", jsonOf(ds))
		}
		gb, ga := ds[0], ds[1]
		if gb.Status != paved.DeliveryFailed || gb.Attempts != 2 || gb.LastError != "dial tcp: connection refused" ||
			gb.FinishedAt == nil || gb.NextAttemptAt != nil || len(gb.Log) != 2 || gb.Log[0].Attempt != 2 ||
			gb.Log[1].StatusCode != 503 || gb.Log[1].Runner != "r1" || gb.Kind != paved.NotifyExceptionDecided || gb.Subject != "one" {
			t.Fatalf("failed delivery = %s", jsonOf(gb))
		}
		if ga.Status != paved.DeliveryDelivered || ga.LastStatusCode != 200 || len(ga.Log) != 1 || ga.Log[0].DurationMS != 1500 {
			t.Fatalf("delivered delivery = %s", jsonOf(ga))
		}
		for _, c := range []struct {
			f    paved.DeliveryFilter
			want int
		}{
			{paved.DeliveryFilter{Status: paved.DeliveryFailed}, 1},
			{paved.DeliveryFilter{Status: paved.DeliveryPending}, 0},
			{paved.DeliveryFilter{Target: "a"}, 1},
			{paved.DeliveryFilter{NotificationID: a.Notification.ID}, 2},
			{paved.DeliveryFilter{NotificationID: 99}, 0},
		} {
			_, n, err := e.db.FindDeliveries(ctx, c.f)
			must(t, err)
			if n != c.want {
				t.Errorf("FindDeliveries(%+v) total = %d, want %d", c.f, n, c.want)
			}
		}
		counts, _ = e.db.DeliveryCounts(ctx)
		if counts[paved.DeliveryPending] != 0 || counts[paved.DeliveryFailed] != 1 {
			t.Fatalf("counts = %v", counts)
		}
	})
}

// A runner that dies holding a lease: once the lease runs out another
// runner takes the delivery, and the dead runner's late outcome is refused
// (but logged).
func TestDeliveryLeaseExpiry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		must(t, notifyIn(t, e, nil, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "spike"}))
		_, err := e.db.FanOutNotifications(ctx, 10, routeAll)
		must(t, err)
		dead, err := e.db.ClaimDeliveries(ctx, "dead", 1, 30*time.Second)
		must(t, err)
		if len(dead) != 1 {
			t.Fatalf("claimed %d", len(dead))
		}
		e.clock.Advance(29 * time.Second)
		if c, _ := e.db.ClaimDeliveries(ctx, "alive", 10, 30*time.Second); len(c) != 1 || c[0].Target != "b" {
			t.Fatalf("alive claimed %s, want only b", jsonOf(c))
		}
		e.clock.Advance(time.Second)
		c, err := e.db.ClaimDeliveries(ctx, "alive", 10, 30*time.Second)
		must(t, err)
		if len(c) != 1 || c[0].ID != dead[0].ID || c[0].Attempt != 2 {
			t.Fatalf("after the lease ran out alive claimed %s", jsonOf(c))
		}
		err = e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: dead[0].ID, Attempt: 1, Runner: "dead", StartedAt: e.clock.Now(), Status: paved.DeliveryDelivered, StatusCode: 200})
		wantErr(t, err, paved.ECONFLICT, "")
		must(t, e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: c[0].ID, Attempt: 2, Runner: "alive", StartedAt: e.clock.Now(), Status: paved.DeliveryDelivered, StatusCode: 204}))
		ds, _, err := e.db.FindDeliveries(ctx, paved.DeliveryFilter{Target: "a"})
		must(t, err)
		if d := ds[0]; d.Status != paved.DeliveryDelivered || d.LastStatusCode != 204 || len(d.Log) != 2 {
			t.Fatalf("delivery = %s", jsonOf(d))
		}
	})
}

// Many runners claiming at once each get disjoint deliveries.
func TestClaimDeliveriesConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var ns []*paved.Notification
		for i := range 60 {
			ns = append(ns, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: fmt.Sprint("n", i)})
		}
		must(t, notifyIn(t, e, nil, ns...))
		// Fan out concurrently too: each notification once.
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := e.db.FanOutNotifications(ctx, 7, routeAll)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		var mu sync.Mutex
		seen := map[int64]string{}
		for r := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runner := fmt.Sprint("r", r)
				for {
					c, err := e.db.ClaimDeliveries(ctx, runner, 5, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(c) == 0 {
						return
					}
					mu.Lock()
					for _, x := range c {
						if prev, dup := seen[x.ID]; dup {
							t.Errorf("delivery %d claimed by %s and %s", x.ID, prev, runner)
						}
						seen[x.ID] = runner
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 120 {
			t.Fatalf("claimed %d deliveries, want 120", len(seen))
		}
	})
}

func TestJobs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		run, ok, err := e.db.ClaimJob(ctx, "budgets", "r1", time.Minute)
		must(t, err)
		if !ok || run != 1 {
			t.Fatalf("first claim = %d, %v", run, ok)
		}
		if _, ok, _ := e.db.ClaimJob(ctx, "budgets", "r2", time.Minute); ok {
			t.Fatal("r2 claimed a leased job")
		}
		// Another job is independent.
		if _, ok, _ := e.db.ClaimJob(ctx, "expiring", "r2", time.Minute); !ok {
			t.Fatal("r2 could not claim another job")
		}
		e.clock.Advance(5 * time.Second)
		must(t, e.db.FinishJob(ctx, "budgets", "r1", run, 10*time.Minute, ""))
		wantErr(t, e.db.FinishJob(ctx, "budgets", "r1", run, 10*time.Minute, ""), paved.ECONFLICT, "")
		// Due every 10 minutes after the run started.
		e.clock.Advance(10*time.Minute - 6*time.Second)
		if _, ok, _ := e.db.ClaimJob(ctx, "budgets", "r2", time.Minute); ok {
			t.Fatal("claimed before it was due")
		}
		e.clock.Advance(time.Second)
		run2, ok, err := e.db.ClaimJob(ctx, "budgets", "r2", time.Minute)
		must(t, err)
		if !ok || run2 != 2 {
			t.Fatalf("second run = %d, %v", run2, ok)
		}
		// r2 dies; after the lease r1 takes over and r2's finish is refused.
		e.clock.Advance(time.Minute)
		run3, ok, err := e.db.ClaimJob(ctx, "budgets", "r1", time.Minute)
		must(t, err)
		if !ok || run3 != 3 {
			t.Fatalf("take-over run = %d, %v", run3, ok)
		}
		wantErr(t, e.db.FinishJob(ctx, "budgets", "r2", run2, 10*time.Minute, ""), paved.ECONFLICT, "")
		must(t, e.db.FinishJob(ctx, "budgets", "r1", run3, 10*time.Minute, strings.Repeat("x", 3000)))
		var last string
		must(t, e.db.reader().queryRow(ctx, "SELECT last_error FROM jobs WHERE name = 'budgets'").Scan(&last))
		if len(last) > maxLoggedError+4 {
			t.Fatalf("last_error kept %d bytes", len(last))
		}
	})
}

// Two runners racing for one due job: exactly one wins each round.
func TestClaimJobConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for round := range 5 {
			var wg sync.WaitGroup
			var mu sync.Mutex
			var winners []string
			for r := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					name := fmt.Sprint("r", r)
					_, ok, err := e.db.ClaimJob(ctx, "job", name, time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						winners = append(winners, name)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			sort.Strings(winners)
			if len(winners) != 1 {
				t.Fatalf("round %d: winners %v", round, winners)
			}
			e.clock.Advance(2 * time.Minute) // the lease runs out
		}
	})
}

// Scheduling a walkthrough announces it (walkthrough.signoff_requested) in
// the same transaction; a refused schedule announces nothing.
func TestWalkthroughNotifies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := context.Background()
		at := time.Date(2026, 4, 2, 14, 30, 0, 0, time.UTC)
		wantErr(t, e.db.CreateWalkthrough(e.ctx, &paved.Walkthrough{Service: "ledger", ScheduledAt: at, Participants: []string{"nobody"}}, launch.SignoffRequested), paved.ENOTFOUND, "")
		w := &paved.Walkthrough{Service: "ledger", ScheduledAt: at, Participants: []string{"bob", "ada", "bob"}}
		must(t, e.db.CreateWalkthrough(e.ctx, w, launch.SignoffRequested))
		ns, total, err := e.db.FindNotifications(ctx, paved.NotificationFilter{Kind: paved.NotifySignoffRequested})
		must(t, err)
		if total != 1 {
			t.Fatalf("%d notifications, want 1", total)
		}
		want := fmt.Sprintf(`{"id":1,"kind":"walkthrough.signoff_requested","subject":"Walkthrough of ledger on 2026-04-02 14:30 UTC: sign-off requested","service":"ledger","team":"payments","link":"/services/ledger#walkthrough","data":{"participants":["bob","ada"],"scheduled_at":"2026-04-02T14:30:00Z","walkthrough_id":%d},"created_at":"2026-03-14T09:26:53.589793238Z"}`, w.ID)
		if got := jsonOf(ns[0]); got != want {
			t.Fatalf("notification\n got %s\nwant %s", got, want)
		}
	})
}

func TestPruneNotifications(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		must(t, notifyIn(t, e, nil,
			&paved.Notification{Kind: paved.NotifyCostSpike, Subject: "old, delivered"},
			&paved.Notification{Kind: paved.NotifyCostSpike, Subject: "old, still pending"},
			&paved.Notification{Kind: paved.NotifyBudgetAlert, Subject: "old, no target"}))
		_, err := e.db.FanOutNotifications(ctx, 10, routeAll)
		must(t, err)
		claims, err := e.db.ClaimDeliveries(ctx, "r", 10, time.Minute)
		must(t, err)
		for _, c := range claims {
			if c.Notification.Subject == "old, delivered" {
				must(t, e.db.FinishDelivery(ctx, &paved.DeliveryOutcome{ID: c.ID, Attempt: 1, Runner: "r", StartedAt: e.clock.Now(), StatusCode: 200, Status: paved.DeliveryDelivered}))
			}
		}
		e.clock.Advance(48 * time.Hour)
		must(t, notifyIn(t, e, nil, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "new, not fanned out"}))
		n, err := e.db.PruneNotifications(ctx, e.clock.Now().Add(-24*time.Hour))
		must(t, err)
		if n != 2 {
			t.Fatalf("pruned %d, want 2 (old delivered, old without target)", n)
		}
		ns, _, err := e.db.FindNotifications(ctx, paved.NotificationFilter{})
		must(t, err)
		var left []string
		for _, x := range ns {
			left = append(left, x.Subject)
		}
		if strings.Join(left, "|") != "new, not fanned out|old, still pending" {
			t.Fatalf("left %q", left)
		}
		ds, total, err := e.db.FindDeliveries(ctx, paved.DeliveryFilter{})
		must(t, err)
		if total != 2 || ds[0].Subject != "old, still pending" {
			t.Fatalf("deliveries left: %s", jsonOf(ds))
		}
		if n, err := e.db.PruneNotifications(ctx, e.clock.Now().Add(-24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("second prune = %d, %v", n, err)
		}
	})
}
