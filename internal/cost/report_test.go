package cost

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

func fmtParts(m map[string]paved.Money) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b []string
	for _, k := range keys {
		b = append(b, k+"="+m[k].String())
	}
	return strings.Join(b, " ")
}

func TestSplitShared(t *testing.T) {
	tests := []struct {
		name   string
		direct map[string]string
		shared []*SharedCost
		want   string
	}{
		{"proportional", map[string]string{"a": "300", "b": "100", paved.Unallocated: "50"},
			[]*SharedCost{{Rule: "p", Amount: 40 * paved.MoneyUnit}}, "a=30 b=10"},
		{"even", map[string]string{"a": "300", "b": "100", "c": "1"},
			[]*SharedCost{{Rule: "p", Split: SplitEven, Amount: 30 * paved.MoneyUnit}}, "a=10 b=10 c=10"},
		{"exact to the nano: remainders to the largest", map[string]string{"a": "1", "b": "1", "c": "1"},
			[]*SharedCost{{Rule: "p", Amount: 10}}, "a=0.000000004 b=0.000000003 c=0.000000003"},
		{"a credit splits too", map[string]string{"a": "75", "b": "25"},
			[]*SharedCost{{Rule: "p", Amount: -8 * paved.MoneyUnit}}, "a=-6 b=-2"},
		{"negative and zero direct costs receive nothing", map[string]string{"a": "10", "b": "-5", "c": "0"},
			[]*SharedCost{{Rule: "p", Amount: 7 * paved.MoneyUnit}}, "a=7"},
		{"no recipients: its own group", map[string]string{paved.Unallocated: "10"},
			[]*SharedCost{{Rule: "net", Amount: 7 * paved.MoneyUnit}}, "shared:net=7"},
		{"two rules", map[string]string{"a": "1", "b": "3"},
			[]*SharedCost{{Rule: "p", Amount: 4 * paved.MoneyUnit}, {Rule: "q", Split: SplitEven, Amount: 2 * paved.MoneyUnit}}, "a=2 b=4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := map[string]paved.Money{}
			for k, v := range tc.direct {
				d[k] = usd(t, v)
			}
			got := SplitShared(d, tc.shared)
			if s := fmtParts(got); s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
			var sum, want paved.Money
			for _, m := range got {
				sum += m
			}
			for _, s := range tc.shared {
				want += s.Amount
			}
			if sum != want {
				t.Errorf("parts add to %s, not %s", sum, want)
			}
		})
	}
}

func TestBuildReport(t *testing.T) {
	tot := func(group, shared, cost string) *paved.CostTotal {
		return &paved.CostTotal{Group: group, Shared: shared, Cost: usd(t, cost), Lines: 1, Currency: "USD"}
	}
	cur := []*paved.CostTotal{tot("payments", "", "600"), tot("growth", "", "200"), tot("", "platform", "80"), tot(paved.Unallocated, "", "50")}
	prev := []*paved.CostTotal{tot("payments", "", "500"), tot("growth", "", "300"), tot("search", "", "40")}
	r := BuildReport("2026-10", paved.ByTeam, cur, prev, nil, map[string]string{"AWS": paved.ColumnEffective, "Reseller": paved.ColumnBilled})
	var lines []string
	for _, row := range r.Rows {
		lines = append(lines, fmt.Sprintf("%s direct=%s shared=%s total=%s prev=%s change=%s", row.Name, row.Direct, row.Shared, row.Total, row.Previous, row.Change))
	}
	want := []string{
		"payments direct=600 shared=60 total=660 prev=500 change=160",
		"growth direct=200 shared=20 total=220 prev=300 change=-80",
		"unallocated direct=50 shared=0 total=50 prev=0 change=50",
		"search direct=0 shared=0 total=0 prev=40 change=-40",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if r.Total.String() != "930" || r.Previous.String() != "840" || r.Currency != "USD" {
		t.Errorf("total %s previous %s %s", r.Total, r.Previous, r.Currency)
	}
	if r.CostColumn != "EffectiveCost (BilledCost for Reseller: their EffectiveCost was empty or zero)" || len(r.BilledFor) != 1 {
		t.Errorf("cost column %q", r.CostColumn)
	}
	var movers []string
	for _, m := range r.Movers(3) {
		movers = append(movers, m.Name)
	}
	if strings.Join(movers, ",") != "payments,growth,unallocated" {
		t.Errorf("movers %v", movers)
	}
	// By category, shared lines keep their own category.
	r = BuildReport("2026-10", paved.ByCategory, []*paved.CostTotal{tot("Usage", "", "10"), tot("Usage", "platform", "5"), tot("Credit", "", "-3")}, nil, nil, nil)
	if len(r.Rows) != 2 || r.Rows[0].Total.String() != "15" || r.Rows[1].Name != "Credit" || r.CostColumn != paved.ColumnEffective {
		t.Errorf("by category %+v %+v", r.Rows[0], r.Rows[1])
	}
}
