package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// BenchmarkScorecardDay stores the daily job's results for 10,000
// services on 5 scorecards (50,000 standings a day) on SQLite: a first day
// (every standing is new: 50,000 history rows), then a week in which 2% of
// the standings change each day (1,000 history rows a day, each a change
// of level, audited). It reports the time per day and the database's
// growth: the first day, and per change over the week (the current
// standings are rewritten in place and do not grow), from which
// docs/performance.md extrapolates a year. Every fourth service fails a
// few rules (a compact list of ids).
func BenchmarkScorecardDay(b *testing.B) {
	const (
		services = 10_000
		cards    = 5
		days     = 7
		churn    = 50 // one standing in churn changes each day: 2%
	)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dsn := testutil.DSN(b, EngineSQLite)
		db, err := Open(context.Background(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		ctx := paved.WithActor(context.Background(), paved.Actor{Name: "job:scorecards"})
		size := func() int64 {
			if _, err := db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				b.Fatal(err)
			}
			fi, err := os.Stat(dsn)
			if err != nil {
				b.Fatal(err)
			}
			return fi.Size()
		}
		before := size()
		levels := []string{"", "bronze", "silver", "gold"}
		day0 := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
		var (
			elapsed time.Duration
			first   int64
		)
		for d := 0; d <= days; d++ {
			at := day0.AddDate(0, 0, d)
			res := make([]*paved.ScorecardResult, 0, services*cards)
			for s := 0; s < services; s++ {
				for c := 0; c < cards; c++ {
					failing := []string{}
					if s%4 == 0 {
						failing = []string{"encryption-at-rest", "runbooks", "slos"}
					}
					// A standing changes on the days its turn comes
					// (from day 1) and keeps its level in between.
					k := s*cards + c
					lvl := levels[(k+(d+churn-1-k%churn)/churn)%4]
					res = append(res, &paved.ScorecardResult{Service: fmt.Sprintf("service-%05d", s), Team: fmt.Sprintf("team-%03d", s%300),
						Scorecard: fmt.Sprintf("scorecard-%d", c), Day: at.Format(time.DateOnly), Level: lvl, Score: float64(s%1000) / 1000,
						Failing: failing, EvaluatedAt: at})
				}
			}
			b.StartTimer()
			start := time.Now()
			if _, err := db.SaveScorecardDay(ctx, &paved.ScorecardDay{Complete: true, Results: res}); err != nil {
				b.Fatal(err)
			}
			if d > 0 {
				elapsed += time.Since(start)
			}
			b.StopTimer()
			if d == 0 {
				first = size()
			}
		}
		week := size() - first
		changes := float64(services * cards / churn * days)
		db.Close()
		b.StartTimer()
		b.ReportMetric(float64(elapsed.Milliseconds())/days, "ms/day")
		b.ReportMetric(float64(first-before)/(1<<20), "MiB-first-day")
		b.ReportMetric(float64(week)/changes, "bytes/change")
		b.ReportMetric((float64(first-before)+float64(week)*365/days)/(1<<20), "MiB/year")
	}
}
