package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// benchDB is a store on engine holding the import benchmark's catalog
// (10,000 services in 50 teams) and one token.
func benchDB(b *testing.B, engine string) (*DB, string) {
	b.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testutil.DSN(b, engine))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.ApplyImport(ctx, makePlan(50, 10000)); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateUser(ctx, &paved.User{Name: "bench", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"team-01"}}); err != nil {
		b.Fatal(err)
	}
	tok := &paved.Token{User: "bench", Hash: paved.HashToken("pvd_bench")}
	if err := db.CreateToken(ctx, tok); err != nil {
		b.Fatal(err)
	}
	return db, tok.Hash
}

// BenchmarkFindServices is the API's hot query: one team's services in one
// phase, first page, with the total; 50 callers at once on 2 CPUs.
func BenchmarkFindServices(b *testing.B) {
	for _, eng := range engineNames {
		b.Run(eng, func(b *testing.B) {
			db, _ := benchDB(b, eng)
			ctx := context.Background()
			b.SetParallelism(25)
			b.ResetTimer()
			c0 := processCPU()
			defer func() { reportCPU(b, processCPU()-c0) }()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					list, total, err := db.FindServices(ctx, paved.ServiceFilter{Team: fmt.Sprintf("team-%02d", i%50), Phase: paved.PhaseProduction})
					if err != nil || total == 0 || len(list) == 0 {
						b.Fatalf("FindServices: %d/%d, %v", len(list), total, err)
					}
				}
			})
		})
	}
}

// BenchmarkAuthenticate is the check every API request makes.
func BenchmarkAuthenticate(b *testing.B) {
	for _, eng := range engineNames {
		b.Run(eng, func(b *testing.B) {
			db, hash := benchDB(b, eng)
			ctx := context.Background()
			b.SetParallelism(25)
			b.ResetTimer()
			c0 := processCPU()
			defer func() { reportCPU(b, processCPU()-c0) }()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := db.Authenticate(ctx, hash); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// reportCPU reports the process's CPU time per operation: unlike ns/op it
// does not grow when other work shares the machine. On PostgreSQL the
// server's share is not included.
func reportCPU(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}
