package store

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func scResult(svc, card, day, level string, score float64, failing ...string) *paved.ScorecardResult {
	if failing == nil {
		failing = []string{}
	}
	return &paved.ScorecardResult{Service: svc, Team: "payments", Scorecard: card, Day: day, Level: level, Score: score,
		Failing: failing, EvaluatedAt: time.Date(2026, 3, 14, 6, 0, 0, 0, time.UTC)}
}

func scRegression(svc, card string, rules ...string) *paved.ScorecardRegression {
	return &paved.ScorecardRegression{Service: svc, Scorecard: card, Rules: rules,
		Compose: func(fresh []string) *paved.Notification {
			return &paved.Notification{Kind: paved.NotifyScorecardRegressed, Subject: svc + " regressed: " + strings.Join(fresh, ", "),
				Service: svc, Team: "payments", Data: map[string]any{"rules": fresh}}
		}}
}

// TestScorecardDays: history keeps a row only when a standing changes
// (the same day's row replaced), the current standing follows the newest
// evaluation and remembers since when it holds, a change of level is
// audited, and a regressed rule is announced once until it passes again.
func TestScorecardDays(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		// Day 1: two services, first results (no change of level).
		sent, err := e.db.SaveScorecardDay(ctx, &paved.ScorecardDay{Complete: true, Results: []*paved.ScorecardResult{
			scResult("checkout", "security", "2026-03-14", "silver", 0.8, "threat-model"),
			scResult("search", "security", "2026-03-14", "bronze", 0.5, "reviews", "threat-model"),
		}})
		must(t, err)
		if sent != 0 {
			t.Fatalf("sent %d on day 1", sent)
		}
		// Evaluated again the same day: the row is replaced.
		_, err = e.db.SaveScorecardDay(ctx, &paved.ScorecardDay{Results: []*paved.ScorecardResult{
			scResult("checkout", "security", "2026-03-14", "silver", 0.9, "threat-model"),
		}})
		must(t, err)
		// Day 2: checkout drops to bronze (encryption regressed).
		sent, err = e.db.SaveScorecardDay(ctx, &paved.ScorecardDay{Complete: true,
			Results: []*paved.ScorecardResult{
				scResult("checkout", "security", "2026-03-15", "bronze", 0.7, "encryption", "threat-model"),
				scResult("search", "security", "2026-03-15", "bronze", 0.5, "reviews", "threat-model"),
			},
			Regressions: []*paved.ScorecardRegression{scRegression("checkout", "security", "encryption")}})
		must(t, err)
		if sent != 1 {
			t.Fatalf("sent %d on day 2, want 1", sent)
		}
		// Day 3: still failing: no second notice.
		sent, err = e.db.SaveScorecardDay(ctx, &paved.ScorecardDay{Complete: true,
			Results: []*paved.ScorecardResult{
				scResult("checkout", "security", "2026-03-16", "bronze", 0.7, "encryption", "threat-model"),
				scResult("search", "security", "2026-03-16", "bronze", 0.5, "reviews", "threat-model"),
			},
			Regressions: []*paved.ScorecardRegression{scRegression("checkout", "security", "encryption")}})
		must(t, err)
		if sent != 0 {
			t.Fatalf("sent %d on day 3, want 0 (announced on day 2)", sent)
		}
		// search has not changed since day 1: evaluated on day 3, standing
		// since day 1, and no history row beyond day 1.
		cur, err := e.db.CurrentScorecardResults(ctx, paved.ScorecardFilter{Service: "search"})
		must(t, err)
		if len(cur) != 1 || cur[0].Day != "2026-03-16" || cur[0].Since != "2026-03-14" || cur[0].EvaluatedAt.IsZero() {
			t.Fatalf("search's current standing %s", jsonOf(cur))
		}
		open, err := e.db.OpenScorecardNotices(ctx, "checkout")
		must(t, err)
		if strings.Join(open["security"], ",") != "encryption" {
			t.Fatalf("open notices %v", open)
		}
		// Day 4: recovered; search is no longer scored (complete run).
		_, err = e.db.SaveScorecardDay(ctx, &paved.ScorecardDay{Complete: true, Results: []*paved.ScorecardResult{
			scResult("checkout", "security", "2026-03-17", "silver", 0.9, "threat-model"),
		}})
		must(t, err)
		open, err = e.db.OpenScorecardNotices(ctx, "checkout")
		must(t, err)
		if len(open) != 0 {
			t.Fatalf("open notices after recovery %v", open)
		}
		// Day 5: regresses again: announced again.
		sent, err = e.db.SaveScorecardDay(ctx, &paved.ScorecardDay{Complete: true,
			Results:     []*paved.ScorecardResult{scResult("checkout", "security", "2026-03-18", "bronze", 0.7, "encryption", "threat-model")},
			Regressions: []*paved.ScorecardRegression{scRegression("checkout", "security", "encryption")}})
		must(t, err)
		if sent != 1 {
			t.Fatalf("sent %d after a new regression, want 1", sent)
		}

		cur, err = e.db.CurrentScorecardResults(ctx, paved.ScorecardFilter{})
		must(t, err)
		if len(cur) != 1 || cur[0].Service != "checkout" || cur[0].Day != "2026-03-18" || cur[0].Since != "2026-03-18" || cur[0].Level != "bronze" ||
			cur[0].Score != 0.7 || strings.Join(cur[0].Failing, " ") != "encryption threat-model" {
			t.Fatalf("current %s", jsonOf(cur))
		}
		for _, c := range []struct {
			f    paved.ScorecardFilter
			want string
		}{
			// Day 3 repeats day 2: no row.
			{paved.ScorecardFilter{Service: "checkout", Since: "2026-03-14", Until: "2026-03-16"}, "2026-03-14:checkout:silver 2026-03-15:checkout:bronze"},
			// From day 3: the standing in force (day 2's) comes first.
			{paved.ScorecardFilter{Service: "checkout", Since: "2026-03-16"}, "2026-03-15:checkout:bronze 2026-03-17:checkout:silver 2026-03-18:checkout:bronze"},
			{paved.ScorecardFilter{Team: "payments", Since: "2026-03-16", Until: "2026-03-17"}, "2026-03-14:search:bronze 2026-03-15:checkout:bronze 2026-03-17:checkout:silver"},
			{paved.ScorecardFilter{Team: "payments"}, "2026-03-14:checkout:silver 2026-03-14:search:bronze 2026-03-15:checkout:bronze 2026-03-17:checkout:silver 2026-03-18:checkout:bronze"},
			{paved.ScorecardFilter{Scorecard: "cost", Since: "2026-03-16"}, ""},
		} {
			hist, err := e.db.FindScorecardResults(ctx, c.f)
			must(t, err)
			var got []string
			for _, h := range hist {
				got = append(got, h.Day+":"+h.Service+":"+h.Level)
				if h.Since != "" || !h.EvaluatedAt.IsZero() {
					t.Errorf("a history row carries since or evaluated_at: %s", jsonOf(h))
				}
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("history %+v:\n got %s\nwant %s", c.f, strings.Join(got, " "), c.want)
			}
			if c.f.Until == "2026-03-16" && hist[0].Score != 0.9 {
				t.Errorf("the same day's last evaluation should win: %s", jsonOf(hist[0]))
			}
		}
		if _, err := e.db.FindScorecardResults(ctx, paved.ScorecardFilter{Since: "March"}); paved.ErrorCode(err) != paved.EINVALID {
			t.Fatalf("a bad day: %v", err)
		}

		notes, n, err := e.db.FindNotifications(ctx, paved.NotificationFilter{Kind: paved.NotifyScorecardRegressed})
		must(t, err)
		if n != 2 || notes[0].Subject != "checkout regressed: encryption" {
			t.Fatalf("notifications %d %s", n, jsonOf(notes))
		}
		events, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectType: "service", ObjectID: "checkout"})
		must(t, err)
		var got []string
		for _, ev := range events {
			if strings.HasPrefix(ev.Action, "scorecard.") {
				got = append(got, ev.Action+" "+string(ev.Changes["security"].From)+">"+string(ev.Changes["security"].To))
			}
		}
		want := `scorecard.notify >["encryption"] scorecard.level "silver">"bronze" scorecard.level "bronze">"silver" scorecard.notify >["encryption"] scorecard.level "silver">"bronze"`
		if strings.Join(got, " ") != want {
			t.Fatalf("audit (newest first):\n got %s\nwant %s", strings.Join(got, " "), want)
		}
	})
}

func TestScorecardDayRefusesBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		bad := []*paved.ScorecardDay{
			nil,
			{Results: []*paved.ScorecardResult{scResult("checkout", "security", "14/03/2026", "", 0)}},
			{Results: []*paved.ScorecardResult{scResult("checkout", "security", "2026-03-14", "", 1.5)}},
			{Results: []*paved.ScorecardResult{scResult("checkout", "security", "2026-03-14", "", 0), scResult("checkout", "security", "2026-03-14", "", 0)}},
			{Regressions: []*paved.ScorecardRegression{{Service: "checkout", Scorecard: "security", Rules: []string{"x"}}}},
		}
		for i, d := range bad {
			if _, err := e.db.SaveScorecardDay(e.ctx, d); paved.ErrorCode(err) != paved.EINVALID {
				t.Errorf("case %d: %v", i, err)
			}
		}
		cur, err := e.db.CurrentScorecardResults(e.ctx, paved.ScorecardFilter{})
		must(t, err)
		if len(cur) != 0 {
			t.Fatalf("a refused day wrote %s", jsonOf(cur))
		}
	})
}
