package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/testutil"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestScorecardsDaily runs the daily evaluation over a grandfathered
// production service on both engines: its first day is where it starts;
// a guard rail that starts denying drops its level and notifies the
// owning team once, however many days it stays; fixed, it recovers and a
// new regression is announced again.
func TestScorecardsDaily(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) {
			clock := &testClock{t: time.Date(2026, 5, 4, 6, 0, 0, 0, time.UTC)}
			db, err := store.Open(context.Background(), testutil.DSN(t, eng), store.WithNow(clock.Now))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ctx := paved.WithActor(context.Background(), paved.Actor{Name: "job:scorecards"})
			a, err := app.New(nil, db, app.Options{Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(db.CreateTeam(ctx, &paved.Team{Name: "payments", Kind: paved.KindProduct}))
			must(db.CreateService(ctx, &paved.Service{Name: "checkout", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted,
				Phase: paved.PhaseProduction, Grandfathered: true}))
			rules := []string{"db-storage-encrypted", "security-group-open-ingress", "db-publicly-accessible", "iam-admin-policy", "required-tags", "lb-listener-https"}
			check := func(deny ...string) {
				c := &paved.CheckRecord{Service: "checkout", Actor: "ci", At: clock.Now(), Rules: rules, ResourceTypes: map[string]int{"aws_db_instance": 1}}
				for _, r := range deny {
					c.Findings = append(c.Findings, paved.Finding{Rule: r, Severity: paved.SeverityDeny, Resource: "aws_db_instance.main", Message: "no"})
				}
				must(db.RecordCheck(ctx, c))
			}
			level := func(card string) string {
				st, err := a.Scorecards.Show(ctx, "checkout")
				must(err)
				for _, ev := range st.Evaluations {
					if ev.Scorecard == card {
						return ev.Level
					}
				}
				t.Fatalf("checkout is not scored on %s: %+v", card, st)
				return ""
			}
			record := func(wantSent int) {
				t.Helper()
				_, sent, err := a.Scorecards.Record(ctx)
				must(err)
				if sent != wantSent {
					t.Fatalf("%s: sent %d notices, want %d", clock.Now().Format(time.DateOnly), sent, wantSent)
				}
				clock.Advance(24 * time.Hour)
			}

			check()
			if l := level("security-hygiene"); l != "bronze" {
				t.Fatalf("security hygiene with a clean check: %q, want bronze", l)
			}
			record(0) // day 1: where it starts
			check("db-storage-encrypted")
			if l := level("security-hygiene"); l != "" {
				t.Fatalf("security hygiene with an unencrypted database: %q, want none", l)
			}
			record(1) // day 2: dropped, announced
			record(0) // day 3: still failing, not again
			check()
			record(0) // day 4: recovered
			check("db-storage-encrypted")
			record(1) // day 5: regressed again, announced again

			notes, n, err := db.FindNotifications(ctx, paved.NotificationFilter{Kind: paved.NotifyScorecardRegressed})
			must(err)
			if n != 2 {
				t.Fatalf("%d scorecard.regressed notifications, want 2", n)
			}
			want := "checkout dropped from Bronze to no level on Security hygiene: db-storage-encrypted now denies on check #"
			if !strings.HasPrefix(notes[0].Subject, want) || notes[0].Team != "payments" || notes[0].Data["scorecard"] != "security-hygiene" {
				t.Fatalf("notification %+v\nwant a subject starting %q", notes[0], want)
			}
			hist, err := db.FindScorecardResults(ctx, paved.ScorecardFilter{Service: "checkout", Scorecard: "security-hygiene"})
			must(err)
			var levels []string
			for _, h := range hist {
				levels = append(levels, h.Level)
			}
			// History keeps a row only when the standing changes: day 3 (still
			// failing) adds none.
			if got := strings.Join(levels, ","); got != "bronze,,bronze," {
				t.Fatalf("history of levels %q", got)
			}
			events, _, err := db.FindAuditEvents(ctx, paved.AuditFilter{ObjectType: "service", ObjectID: "checkout"})
			must(err)
			changes := 0
			for _, e := range events {
				if e.Action == "scorecard.level" && e.Changes["security-hygiene"].To != nil {
					changes++
				}
			}
			if changes != 3 {
				t.Fatalf("%d changes of level audited on security hygiene, want 3", changes)
			}
		})
	}
}
