package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestNotificationText pins what the outbox holds after each write that
// announces something (exception requested, decided, revoked, expiring; a
// walkthrough scheduled; budget and spike alerts): kind, subject, service,
// team, link and data, byte for byte, on both engines. The text is the
// domain's (webhook receivers and Slack channels read it), so a change to
// it shows here in review.
func TestNotificationText(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		c := exceptionSeed(t, e)
		svc := exceptionService(e)
		big := requestBig(t, e, svc, c, "bob")
		e.clock.Advance(time.Hour)
		_, err := svc.Approve(userCtx(t, e, "rev"), big.ID, "30d", "Shard by Q3.")
		must(t, err)

		public, err := svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Rule: "aws-db-public", Reason: "The partner\n  reads it   directly."})
		must(t, err)
		_, err = svc.Reject(userCtx(t, e, "sec"), public.Exceptions[0].ID, "Use the private link.")
		must(t, err)

		e.clock.Advance(25 * excDay)
		n, err := svc.NotifyExpiring(context.Background())
		must(t, err)
		if n != 1 {
			t.Fatalf("NotifyExpiring sent %d, want 1", n)
		}
		_, err = svc.Revoke(userCtx(t, e, "bob"), big.ID, "Sharded early.")
		must(t, err)

		at := time.Date(2026, 4, 1, 14, 0, 0, 0, time.FixedZone("CEST", 2*3600))
		must(t, e.db.CreateWalkthrough(as("bob"), &paved.Walkthrough{Service: "checkout", ScheduledAt: at, Participants: []string{"rev", "sec"}}, launch.SignoffRequested))

		rc := &paved.Reclassification{Service: "checkout", To: paved.Classification{Tier: 4, DataClass: paved.DataPublic}, Reason: "Only\n  a demo   now."}
		must(t, e.db.RequestReclassification(as("bob"), rc, nil, launch.ReclassRequested))
		d := paved.ReclassDecision{Comment: "It still takes payments."}
		_, err = e.db.DecideReclassification(as("sec"), rc.ID, d, func(r *paved.Reclassification, _ string) (*paved.Notification, error) {
			return launch.ReclassDecided(r, d, "sec", false), nil
		})
		must(t, err)
		_, err = e.db.ForceReclassification(as("ada"), "checkout", paved.Classification{Tier: 3, DataClass: paved.DataInternal}, "Split into checkout-pci.",
			func(r *paved.Reclassification) *paved.Notification {
				return launch.ReclassDecided(r, paved.ReclassDecision{Approve: true, Comment: "Split into checkout-pci."}, "ada", true)
			})
		must(t, err)

		_, err = e.db.SaveCostAlerts(as("ada"), []*paved.CostAlert{
			{Key: "budget/team/payments/2026-03/80", Rule: paved.RuleBudget, Scope: paved.ScopeTeam, Name: "payments", Team: "payments",
				Period: "2026-03", Threshold: 80, Amount: paved.Money(4_100_000_000_000), Limit: paved.Money(5_000_000_000_000), Currency: "EUR",
				Message: "payments has spent 4100.00 EUR of its 5000.00 EUR budget for 2026-03 (82%)"},
			{Key: "spike/service/checkout/2026-03-14", Rule: paved.RuleSpike, Scope: paved.ScopeService, Name: "checkout", Team: "payments",
				Period: "2026-03", Day: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), Amount: paved.Money(900_000_000_000), Currency: "EUR",
				Message: "checkout spent 900.00 EUR on 2026-03-14, 6 times its usual day"},
		}, cost.AlertNotification)
		must(t, err)

		type row struct {
			Kind, Subject, Service, Team, Link, Actor string
			Data                                      json.RawMessage
		}
		var got []row
		err = eachRow(context.Background(), e.db.reader(), "SELECT kind, subject, service, team, link, actor, data FROM notifications ORDER BY id", nil,
			func(rows *sql.Rows) error {
				var r row
				var data string
				if err := rows.Scan(&r.Kind, &r.Subject, &r.Service, &r.Team, &r.Link, &r.Actor, &data); err != nil {
					return err
				}
				r.Data = json.RawMessage(data)
				got = append(got, r)
				return nil
			})
		must(t, err)
		golden := filepath.Join("testdata", "notifications.golden.json")
		if testutil.Updating() && e.db.Engine() != EngineSQLite {
			return // the SQLite run rewrites the file; every engine must match it
		}
		testutil.GoldenJSON(t, golden, got)
	})
}
