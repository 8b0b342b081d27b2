package check

import (
	"context"
	"fmt"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/report"
)

// The playground budget guard rail: a playground service whose
// month-to-date spend plus the plan's monthly increase would pass its
// monthly budget gets a deny finding, which a sign-off (an exception) can
// let through. The spend and the budget come from the store; the increase
// from the plan's cost estimate (cost.go).

// RulePlaygroundBudget is the guard rail's id.
const RulePlaygroundBudget = "playground-budget"

// budgetFinding adds the guard rail's finding to findings when it applies.
// When the spend cannot be read (no billing data, the server cannot be
// reached) the check goes on without it and says so: spend data must not
// break CI.
func (c *Checker) budgetFinding(ctx context.Context, st Store, pc *cost.PlanCost, svc paved.ServiceContext, findings []paved.Finding, note func(string)) []paved.Finding {
	if pc == nil || c.Policy.NoBuiltin || st == nil || svc.Name == "" || svc.Phase != paved.PhasePlayground {
		return findings
	}
	inc := pc.MonthlyIncrease()
	if inc <= 0 {
		return findings
	}
	sp, err := st.CostServiceSpend(ctx, svc.Name)
	if err != nil {
		note("the playground budget was not checked: " + paved.ErrorMessage(err))
		return findings
	}
	if f := PlaygroundBudgetFinding(sp, pc.Currency, paved.Money(inc)); f != nil {
		if len(pc.Resources) > 0 {
			f.Input = pc.Resources[0].Input
		}
		findings = append(findings, *f)
	}
	return findings
}

// PlaygroundBudgetFinding decides the guard rail: a finding when the
// month to date plus the monthly increase passes the budget, nil otherwise
// (no budget, no increase, or a budget in another currency than the
// estimate, which cannot be compared).
func PlaygroundBudgetFinding(sp *cost.ServiceSpend, currency string, increase paved.Money) *paved.Finding {
	if sp == nil || sp.Budget == nil || increase <= 0 {
		return nil
	}
	if sp.Currency != "" && currency != "" && sp.Currency != currency {
		return nil
	}
	total := sp.Actual + increase
	if total <= sp.Budget.Amount {
		return nil
	}
	f := &paved.Finding{
		Rule:     RulePlaygroundBudget,
		Severity: paved.SeverityDeny,
		Message: fmt.Sprintf("playground service %s has spent %s of its %s budget in %s; the plan adds %s a month, which would take it to %s, over the budget",
			sp.Service, sp.Actual.StringFixed(2), sp.Budget.Amount.StringFixed(2), sp.Month, increase.StringFixed(2), total.StringFixed(2)),
		Path:        "monthly_budget",
		Value:       sp.Budget.Amount.StringFixed(0), // a sign-off covers this budget, not the next
		Remediation: "Make the change smaller or shut down what is no longer needed, raise the budget (paved cost budget set service NAME AMOUNT), or ask for a sign-off.",
		DocURL:      "docs/spend.md#the-playground-budget-guard-rail",
	}
	f.Fingerprint = f.ComputeFingerprint()
	return f
}

// budgetRule is the guard rail's description in reports.
func budgetRule() paved.Rule {
	return paved.Rule{
		ID:          RulePlaygroundBudget,
		Title:       "Playground service would exceed its monthly budget",
		Description: "A playground service's spend this month plus the plan's monthly cost increase must stay within its budget; past it the change needs a sign-off.",
		Severity:    paved.SeverityDeny,
		Category:    "cost",
		Remediation: "Make the change smaller, raise the budget, or ask for a sign-off.",
		DocURL:      "docs/spend.md#the-playground-budget-guard-rail",
		Builtin:     true,
	}
}

// addBudgetRule describes the guard rail in the report when it fired.
func addBudgetRule(res *report.Result) {
	for _, f := range res.Findings {
		if f.Rule == RulePlaygroundBudget {
			res.Rules[f.Rule] = budgetRule()
			return
		}
	}
}
