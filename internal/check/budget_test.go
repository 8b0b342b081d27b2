package check

import (
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

func TestPlaygroundBudgetFinding(t *testing.T) {
	budget := &paved.Budget{Scope: paved.ScopeService, Name: "pg", Amount: 500 * paved.MoneyUnit}
	sp := func(actual int64, b *paved.Budget, cur string) *cost.ServiceSpend {
		return &cost.ServiceSpend{Service: "pg", Month: "2026-10", Actual: paved.Money(actual) * paved.MoneyUnit, Currency: cur, Budget: b}
	}
	tests := []struct {
		name     string
		sp       *cost.ServiceSpend
		increase int64
		want     bool
	}{
		{"within the budget", sp(100, budget, "USD"), 400, false},
		{"exactly the budget", sp(100, budget, "USD"), 400, false},
		{"over", sp(100, budget, "USD"), 401, true},
		{"already over, any increase", sp(600, budget, "USD"), 1, true},
		{"no increase", sp(600, budget, "USD"), 0, false},
		{"no budget", sp(100, nil, "USD"), 10000, false},
		{"another currency", sp(100, budget, "EUR"), 10000, false},
		{"no billing data yet", sp(0, budget, ""), 501, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := PlaygroundBudgetFinding(tc.sp, "USD", paved.Money(tc.increase)*paved.MoneyUnit)
			if (f != nil) != tc.want {
				t.Fatalf("finding %+v, want %v", f, tc.want)
			}
			if f != nil && (f.Severity != paved.SeverityDeny || f.Fingerprint == "" || f.Value != "500") {
				t.Errorf("finding %+v", f)
			}
		})
	}
}
