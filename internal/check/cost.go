package check

import (
	"fmt"
	"runtime"
	"strings"
	"text/tabwriter"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/report"
)

// The plan's monthly cost in a check: an estimate from the price book
// (embedded, plus the config's pricebook.yaml) in every report, and the
// cost-monthly-increase guard rail, whose finding goes with the others (so
// an exception can cover it). Options.NoCost skips both.

// costAttributes adds the attributes the estimate reads to those the rules
// read; nil (keep everything) stays nil.
func costAttributes(off bool, keys map[string]bool) map[string]bool {
	if off || keys == nil {
		return keys
	}
	out := cost.AttributeKeys()
	for k := range keys {
		out[k] = true
	}
	return out
}

// estimate prices the plans. Only the estimate and conftest-style policies
// read prior values: with drop (no policy folders) they are dropped once
// priced, so that the rules run on the smaller heap they had before the
// estimate existed.
func estimate(book *cost.PriceBook, docs []*iac.Document, drop bool) *cost.PlanCost {
	inputs := make([]cost.PlanInput, 0, len(docs))
	for _, d := range docs {
		inputs = append(inputs, cost.PlanInput{Name: d.Input, Resources: d.Resources})
	}
	pc := book.Estimate(inputs...)
	if drop {
		dropped := false
		for _, d := range docs {
			for _, r := range d.Resources {
				dropped = dropped || r.Before != nil
				r.Before = nil
			}
		}
		if dropped {
			// As after reading (Run): collect now, so that the heap goal
			// of the evaluation does not count them.
			runtime.GC()
		}
	}
	return pc
}

// costFinding applies the cost guard rail: its finding, when the increase
// passes the threshold, joins the others (so an exception can cover it).
// Without the built-in library it does not apply.
func (c *Checker) costFinding(pc *cost.PlanCost, docs []*iac.Document, svc paved.ServiceContext, findings []paved.Finding) []paved.Finding {
	if pc == nil || c.Policy.NoBuiltin {
		return findings
	}
	if f := c.PlanCost.Check(pc, svc, c.now()); f != nil {
		if len(docs) > 0 {
			f.Input = docs[0].Input
		}
		f.DocURL = c.costDocURL()
		findings = append(findings, *f)
	}
	return findings
}

// costDocURL links the guard rail's documentation as the engine links the
// Rego rules': under the doc base, by default the paved repository.
func (c *Checker) costDocURL() string {
	base := c.Policy.DocBase
	if base == "" {
		base = policy.DefaultDocBase
	}
	return base + "docs/cost.md#the-cost-guard-rail"
}

// addCost puts the estimate and the guard rail's description into the
// report.
func (c *Checker) addCost(res *report.Result, pc *cost.PlanCost) {
	res.Cost = pc
	for _, f := range res.Findings {
		if f.Rule == cost.RuleMonthlyIncrease {
			r := cost.GuardRule(c.PlanCost)
			r.DocURL = c.costDocURL()
			res.Rules[f.Rule] = r
		}
	}
}

// explainCost documents the cost guard rail with its thresholds.
func explainCost(g cost.GuardConfig) string {
	r := cost.GuardRule(g)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n", r.ID, r.Title)
	status := string(r.Severity)
	if g.Disabled {
		status = "disabled (plan_cost.disabled)"
	} else if g.EnforceFrom != "" {
		status += " from " + g.EnforceFrom
	}
	fmt.Fprintf(&b, "Severity: %s\nCategory: %s (built in, not Rego)\n\n%s\n\n", status, r.Category, r.Description)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "THRESHOLD\tMONTHLY INCREASE ALLOWED")
	fmt.Fprintf(tw, "default\t%s\n", cost.FormatUSD(g.MaxMonthlyIncrease))
	for t := paved.TierMin; t <= paved.TierMax; t++ {
		if v, ok := g.Tiers[fmt.Sprint(int(t))]; ok {
			fmt.Fprintf(tw, "tier %d\t%s\n", t, cost.FormatUSD(v))
		}
	}
	for _, p := range paved.Phases {
		if v, ok := g.Phases[string(p)]; ok {
			fmt.Fprintf(tw, "phase %s\t%s\n", p, cost.FormatUSD(v))
		}
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nThe phase's threshold wins over the tier's, the tier's over the default.\nRemediation: %s\nDocs: %s\n", r.Remediation, r.DocURL)
	return b.String()
}
