package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/report"
)

// The plan's monthly cost in paved check: an estimate from the price book
// (embedded, plus pricebook.yaml next to paved.yaml) in every report, and
// the cost-monthly-increase guard rail, whose finding goes with the
// others (so an exception can cover it). --no-cost skips both.

// checkCostFlags are the cost flags of paved check.
type checkCostFlags struct {
	off bool
}

func (f *checkCostFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.off, "no-cost", false, "do not estimate the plan's monthly cost (and do not apply the cost-monthly-increase guard rail)")
}

// attributes adds the attributes the estimate reads to those the rules
// read; nil (keep everything) stays nil.
func (f *checkCostFlags) attributes(keys map[string]bool) map[string]bool {
	if f.off || keys == nil {
		return keys
	}
	out := cost.AttributeKeys()
	for k := range keys {
		out[k] = true
	}
	return out
}

// priceBook returns the embedded price book with the platform config's
// pricebook.yaml over it.
func priceBook(cfg *config.Config) (*cost.PriceBook, error) {
	book, err := cost.Embedded()
	if err != nil {
		return nil, err
	}
	if cfg == nil || cfg.Source == "" {
		return book, nil
	}
	o, err := cost.LoadOverrides(filepath.Dir(cfg.Source))
	if err != nil {
		return nil, err
	}
	return book.WithOverrides(o), nil
}

// estimateCost prices the plans. Only the estimate and conftest-style
// policies read prior values: without --policy they are dropped once
// priced, so that the rules run on the smaller heap they had before the
// estimate existed.
func (o *checkOptions) estimateCost(cfg *config.Config, docs []*iac.Document) (*cost.PlanCost, error) {
	if o.cost.off {
		return nil, nil
	}
	book, err := priceBook(cfg)
	if err != nil {
		return nil, err
	}
	inputs := make([]cost.PlanInput, 0, len(docs))
	for _, d := range docs {
		inputs = append(inputs, cost.PlanInput{Name: d.Input, Resources: d.Resources})
	}
	pc := book.Estimate(inputs...)
	if len(o.policies) == 0 {
		dropped := false
		for _, d := range docs {
			for _, r := range d.Resources {
				dropped = dropped || r.Before != nil
				r.Before = nil
			}
		}
		if dropped {
			// As after reading (check.go): collect now, so that the
			// heap goal of the evaluation does not count them.
			runtime.GC()
		}
	}
	return pc, nil
}

// costFinding applies the cost guard rail: its finding, when the increase
// passes the threshold, joins the others (so an exception can cover it).
// --no-builtin leaves it out.
func (o *checkOptions) costFinding(cfg *config.Config, pc *cost.PlanCost, docs []*iac.Document, svc paved.ServiceContext, findings []paved.Finding) []paved.Finding {
	if pc == nil || o.noBuiltin {
		return findings
	}
	if f := cfg.PlanCost.Check(pc, svc, time.Now()); f != nil {
		if len(docs) > 0 {
			f.Input = docs[0].Input
		}
		f.DocURL = o.costDocURL()
		findings = append(findings, *f)
	}
	return findings
}

// costDocURL links the guard rail's documentation as the engine links the
// Rego rules': under --doc-base, by default the paved repository.
func (o *checkOptions) costDocURL() string {
	base := o.docBase
	if base == "" {
		base = policy.DefaultDocBase
	}
	return base + "docs/cost.md#the-cost-guard-rail"
}

// addCost puts the estimate and the guard rail's description into the
// report.
func (o *checkOptions) addCost(res *report.Result, cfg *config.Config, pc *cost.PlanCost) {
	res.Cost = pc
	for _, f := range res.Findings {
		if f.Rule == cost.RuleMonthlyIncrease {
			r := cost.GuardRule(cfg.PlanCost)
			r.DocURL = o.costDocURL()
			res.Rules[f.Rule] = r
		}
	}
}

// explainCostRule answers --explain cost-monthly-increase.
func (a *app) explainCostRule() (string, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return "", err
	}
	g := cfg.PlanCost
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
	return b.String(), nil
}

// costRule is the guard rail's entry in --list-rules, and whether
// plan_cost.disabled switched it off.
func (a *app) costRule() (paved.Rule, bool, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return paved.Rule{}, false, err
	}
	return cost.GuardRule(cfg.PlanCost), cfg.PlanCost.Disabled, nil
}
