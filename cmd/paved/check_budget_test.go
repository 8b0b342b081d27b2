package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/store"
)

// TestCheckPlaygroundBudget runs paved check --service on the local
// database: a playground service with 100 USD spent of a 500 USD budget
// gets a deny finding for a plan adding about 6,110 a month; a production
// service does not, nor does a larger budget.
func TestCheckPlaygroundBudget(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "paved.db")
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateTeam(ctx, &paved.Team{Name: "growth", Kind: paved.KindProduct}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*paved.Service{
		{Name: "pg-svc", Owner: "growth", Tier: 4, DataClass: paved.DataInternal, Phase: paved.PhasePlayground},
		{Name: "prod-svc", Owner: "growth", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhaseProduction},
	} {
		if err := db.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetBudget(ctx, &paved.Budget{Scope: paved.ScopeService, Name: "pg-svc", Amount: 500 * paved.MoneyUnit}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetBudget(ctx, &paved.Budget{Scope: paved.ScopeService, Name: "prod-svc", Amount: 500 * paved.MoneyUnit}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	csv := filepath.Join(t.TempDir(), "oct.csv")
	var b strings.Builder
	b.WriteString("BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargePeriodEnd,ChargePeriodStart,EffectiveCost,ProviderName,ServiceName,Tags\n")
	for d := 1; d <= 10; d++ {
		fmt.Fprintf(&b, "10,acct,USD,2026-11-01,2026-10-01,Usage,2026-10-%02d,2026-10-%02d,10,AWS,EC2,\"{\"\"service\"\":\"\"pg-svc\"\"}\"\n", d+1, d)
	}
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	e := env{"PAVED_DATABASE": dbPath}
	must(t, e, "cost", "ingest", csv)

	findings := func(service string) []string {
		t.Helper()
		r := cli(t, e, "check", "-o", "json", "--service", service, costPlan)
		var rep struct {
			Findings []struct{ Rule, Severity, Message string }
		}
		if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
			t.Fatalf("%v\n%s%s", err, r.out, r.errOut)
		}
		var out []string
		for _, f := range rep.Findings {
			if f.Rule == check.RulePlaygroundBudget {
				out = append(out, f.Severity+": "+f.Message)
			}
		}
		return out
	}
	got := findings("pg-svc")
	if len(got) != 1 || !strings.Contains(got[0], "deny: playground service pg-svc has spent 100.00 of its 500.00 budget in 2026-10; the plan adds 6109.87 a month") {
		t.Errorf("playground: %v", got)
	}
	if r := cli(t, e, "check", "-o", "sarif", "--service", "pg-svc", costPlan); !strings.Contains(r.out, "Playground service would exceed its monthly budget") {
		t.Errorf("the SARIF report does not describe the rule:\n%.2000s", r.out)
	}
	if got := findings("prod-svc"); len(got) != 0 {
		t.Errorf("production: %v", got)
	}
	must(t, e, "cost", "budget", "set", "service", "pg-svc", "100000")
	if got := findings("pg-svc"); len(got) != 0 {
		t.Errorf("a large budget: %v", got)
	}
}
