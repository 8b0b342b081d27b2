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

// BenchmarkScorecardDay stores a week of the daily job's results for
// 10,000 services on 5 scorecards (50,000 rows a day) on SQLite and
// reports the time per day and the database's growth per stored row, from
// which docs/performance.md extrapolates a year. Every fourth service
// fails a few rules (a compact list of ids), every tenth changes level
// each day (an audited change).
func BenchmarkScorecardDay(b *testing.B) {
	const (
		services = 10_000
		cards    = 5
		days     = 7
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
		var elapsed time.Duration
		for d := 0; d < days; d++ {
			at := day0.AddDate(0, 0, d)
			res := make([]*paved.ScorecardResult, 0, services*cards)
			for s := 0; s < services; s++ {
				for c := 0; c < cards; c++ {
					failing := []string{}
					if s%4 == 0 {
						failing = []string{"encryption-at-rest", "runbooks", "slos"}
					}
					lvl := levels[(s+c)%4]
					if s%10 == 0 {
						lvl = levels[(s+c+d)%4]
					}
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
			elapsed += time.Since(start)
			b.StopTimer()
		}
		growth := size() - before
		db.Close()
		b.StartTimer()
		b.ReportMetric(float64(elapsed.Milliseconds())/days, "ms/day")
		b.ReportMetric(float64(growth)/(services*cards*days), "bytes/row")
		b.ReportMetric(float64(growth)/(1<<20), "MiB/week")
	}
}
