package cost

import (
	"fmt"
	"testing"

	"github.com/paved-dev/paved"
)

// BenchmarkEstimate10k prices 10,000 resources: the service-stack plan of
// bench/testdata (one production stack, 120 changes, mostly unchanged)
// repeated. paved check runs this after reading the plan
// (docs/performance.md).
func BenchmarkEstimate10k(b *testing.B) {
	in := planInputs(b, "../../bench/testdata/service-stack.plan.json")[0]
	var rs []*paved.IaCResource
	for i := 0; len(rs) < 10000; i++ {
		for _, r := range in.Resources {
			c := *r
			c.Address = fmt.Sprintf("module.s%d.%s", i, r.Address)
			rs = append(rs, &c)
		}
	}
	rs = rs[:10000]
	book := embedded(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		pc := book.Estimate(PlanInput{Name: "plan.json", Resources: rs})
		if pc.Unchanged.Resources == 0 {
			b.Fatal("nothing priced")
		}
	}
}

// BenchmarkEmbedded parses the embedded price book, as every paved check
// does once.
func BenchmarkEmbedded(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := Embedded(); err != nil {
			b.Fatal(err)
		}
	}
}
