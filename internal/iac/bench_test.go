package iac

import (
	"os"
	"testing"
)

func benchmarkReadPlan(b *testing.B, n int) {
	tmpl, err := os.ReadFile("testdata/plan/aws.json")
	if err != nil {
		b.Fatal(err)
	}
	plan, err := ScalePlan(tmpl, n)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plan)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		docs, err := Read("plan.json", plan, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if got := len(docs[0].Resources); got != n {
			b.Fatalf("got %d resources, want %d", got, n)
		}
	}
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

func BenchmarkReadPlan1k(b *testing.B)  { benchmarkReadPlan(b, 1000) }
func BenchmarkReadPlan10k(b *testing.B) { benchmarkReadPlan(b, 10000) }
func BenchmarkReadPlan50k(b *testing.B) { benchmarkReadPlan(b, 50000) }

// BenchmarkScanPlan times the validating scan alone over the plan named by
// PAVED_BENCH_PLAN (skipped without it): the single-threaded part of
// reading a plan.
func BenchmarkScanPlan(b *testing.B) {
	p := os.Getenv("PAVED_BENCH_PLAN")
	if p == "" {
		b.Skip("PAVED_BENCH_PLAN names no plan")
	}
	text, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, serr := scanJSON(text); serr != nil {
			b.Fatal(serr)
		}
	}
}
