package policy

import (
	"context"
	"os"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// The benchmarks and test below run on a real plan file named by
// PAVED_BENCH_PLAN (e.g. go run ./bench/genplan -n 10000 -o /tmp/plan.json)
// and are skipped without it. BenchmarkRealRuleCost times each rule alone,
// TestRealPhases the phases of a user-policy check.
func BenchmarkRealPlan(b *testing.B) {
	docs := realPlan(b)
	e, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs, err := e.Check(context.Background(), docs, paved.ServiceContext{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(fs)), "findings")
	}
}

func BenchmarkRealRuleCost(b *testing.B) {
	ruleCost(b, realPlan(b), paved.ServiceContext{})
}

// realPlan reads the plan named by PAVED_BENCH_PLAN, or skips.
func realPlan(tb testing.TB) []*iac.Document {
	tb.Helper()
	p := os.Getenv("PAVED_BENCH_PLAN")
	if p == "" {
		tb.Skip("PAVED_BENCH_PLAN names no plan")
	}
	docs, err := iac.ReadPaths([]string{p}, iac.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

func TestRealPhases(t *testing.T) {
	t0 := time.Now()
	docs := realPlan(t)
	t1 := time.Now()
	raw, _ := docs[0].Raw()
	t2 := time.Now()
	v, _ := toValue(raw)
	t3 := time.Now()
	e, err := New(Options{NoBuiltin: true, PolicyDirs: []string{"../../bench/policy"}, DataPaths: []string{"rego/data"}, AllNamespaces: true})
	if err != nil {
		t.Fatal(err)
	}
	t4 := time.Now()
	fs, err := e.Check(context.Background(), docs, paved.ServiceContext{})
	t5 := time.Now()
	_ = v
	t.Logf("read %v raw %v toValue %v new %v check(incl. toValue) %v findings %d", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3), t5.Sub(t4), len(fs))
}
