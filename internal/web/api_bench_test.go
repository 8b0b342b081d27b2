package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

// BenchmarkListServices measures the hot path of the catalog, GET
// /api/v1/services filtered by team and phase, through the whole handler
// (middleware, token authentication, store, encoding) on a SQLite store of
// 10,000 services in 50 teams. The HTTP load test over loopback is in
// bench/; this one isolates the server's own cost per request and its
// allocations.
func BenchmarkListServices(b *testing.B) {
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "bench"})
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "paved.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	plan := &paved.ImportPlan{}
	for i := range 50 {
		plan.Teams = append(plan.Teams, &paved.Team{Name: fmt.Sprintf("team-%02d", i), Kind: paved.KindProduct})
	}
	plan.Users = append(plan.Users, &paved.User{Name: "reader", Roles: []paved.Role{paved.RoleViewer}})
	for i := range 10000 {
		plan.Services = append(plan.Services, &paved.Service{
			Name: fmt.Sprintf("svc-%05d", i), Owner: fmt.Sprintf("team-%02d", i%50),
			Title: fmt.Sprintf("Service %d", i), Description: "a service of the benchmark catalog",
			Tier: paved.Tier(i%4 + 1), DataClass: paved.DataClasses[i%4], Phase: paved.Phases[i%3],
			Tags: []string{"bench"}, Links: []paved.Link{{URL: "https://git.example/svc", Title: "repo"}},
		})
	}
	if err := db.ApplyImport(ctx, plan); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateToken(ctx, &paved.Token{User: "reader", Name: "bench", Prefix: "pvd_bench", Hash: paved.HashToken("pvd_bench_reader")}); err != nil {
		b.Fatal(err)
	}
	srv, err := NewServer(Config{App: testApp(b, nil, db, nil)})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	// cached: the steady state, answers served from the read cache.
	// uncached: every request misses (the cache is emptied each time), the
	// cost of the first read after a change.
	for _, mode := range []string{"cached", "uncached"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if mode == "uncached" {
						srv.cache.mu.Lock()
						clear(srv.cache.answers)
						srv.cache.mu.Unlock()
					}
					req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/services?team=team-%02d&phase=production", i%50), nil)
					req.Header.Set("Authorization", "Bearer pvd_bench_reader")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}
