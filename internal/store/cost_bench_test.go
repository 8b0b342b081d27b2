package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// BenchmarkIngestCost ingests a generated FOCUS file of FOCUS_ROWS lines
// (default 100,000) into a fresh SQLite database per iteration; the
// numbers to quote come from bench/cost.sh, which runs the real binary.
func BenchmarkIngestCost(b *testing.B) {
	rows := 100_000
	if v := os.Getenv("FOCUS_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	dir := b.TempDir()
	file := filepath.Join(dir, "focus.csv")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var svcs []cost.GenService
	for i := 0; i < 200; i++ {
		svcs = append(svcs, cost.GenService{Name: fmt.Sprintf("svc-%03d", i), Team: fmt.Sprintf("team-%02d", i%20), Account: fmt.Sprintf("4000%08d", i%40)})
	}
	n, err := cost.GenerateFOCUS(bw, cost.GenOptions{Month: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Rows: rows, Services: svcs, Untagged: 0.1, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	bw.Flush()
	f.Close()
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "bench"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := Open(ctx, filepath.Join(dir, fmt.Sprintf("b%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		src := cost.NewSource([]string{file}, cost.IngestOptions{Allocator: cost.NewAllocator(cost.AllocationConfig{}, nil)})
		res, err := db.IngestCost(ctx, src)
		if err != nil {
			b.Fatal(err)
		}
		if res.Lines != int64(n) {
			b.Fatalf("ingested %d of %d", res.Lines, n)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
