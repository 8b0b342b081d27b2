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
	p := os.Getenv("PAVED_BENCH_PLAN")
	if p == "" {
		b.Skip()
	}
	docs, err := iac.ReadPaths([]string{p}, iac.Options{})
	if err != nil {
		b.Fatal(err)
	}
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
	p := os.Getenv("PAVED_BENCH_PLAN")
	if p == "" {
		b.Skip()
	}
	docs, err := iac.ReadPaths([]string{p}, iac.Options{})
	if err != nil {
		b.Fatal(err)
	}
	all, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range all.Rules() {
		b.Run(r.ID, func(b *testing.B) {
			var off []string
			for _, o := range all.Rules() {
				if o.ID != r.ID {
					off = append(off, o.ID)
				}
			}
			e, err := New(Options{Config: Config{Disabled: off}})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := e.Check(context.Background(), docs, paved.ServiceContext{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestRealPhases(t *testing.T) {
	p := os.Getenv("PAVED_BENCH_PLAN")
	if p == "" {
		t.Skip()
	}
	t0 := time.Now()
	docs, err := iac.ReadPaths([]string{p}, iac.Options{})
	if err != nil {
		t.Fatal(err)
	}
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
