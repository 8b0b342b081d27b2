package cost

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paved-dev/paved"
)

// RuleMonthlyIncrease is the id of the cost guard rail: a plan that raises
// the monthly cost by more than the threshold of the service's tier and
// phase needs a sign-off, like any deny finding.
const RuleMonthlyIncrease = "cost-monthly-increase"

// DefaultMaxMonthlyIncrease is the threshold when paved.yaml sets none:
// USD 1,000 a month.
const DefaultMaxMonthlyIncrease = 1000 * Unit

// GuardConfig is the plan_cost section of paved.yaml: the thresholds of
// the cost-monthly-increase guard rail. The most specific value wins, as
// for the Rego rules' parameters: max_monthly_increase, then the service's
// tier, then its phase.
//
//	plan_cost:
//	  max_monthly_increase: 1000
//	  tiers: {"1": 5000, "4": 250}
//	  phases: {playground: 100}
//	  severity: deny
//	  enforce_from: 2027-01-01
type GuardConfig struct {
	MaxMonthlyIncrease Money            `yaml:"max_monthly_increase"`
	Tiers              map[string]Money `yaml:"tiers"`
	Phases             map[string]Money `yaml:"phases"`
	// Severity is deny (a sign-off is needed) or warn (advice).
	Severity paved.Severity `yaml:"severity"`
	// EnforceFrom (YYYY-MM-DD): until that day a deny finding is a warning
	// that says when it starts to block.
	EnforceFrom string `yaml:"enforce_from"`
	Disabled    bool   `yaml:"disabled"`
}

// DefaultGuardConfig returns the thresholds used without a plan_cost
// section.
func DefaultGuardConfig() GuardConfig {
	return GuardConfig{MaxMonthlyIncrease: DefaultMaxMonthlyIncrease, Severity: paved.SeverityDeny}
}

// Validate checks the section; where maps a key path (plan_cost.tiers.1)
// to its file:line.
func (c GuardConfig) Validate(where func(string) string) error {
	if where == nil {
		where = func(s string) string { return s }
	}
	if c.MaxMonthlyIncrease < 0 {
		return paved.FieldErrorf(paved.EINVALID, where("plan_cost.max_monthly_increase"), "plan_cost.max_monthly_increase is %s: want a monthly amount in USD, 0 or more", c.MaxMonthlyIncrease)
	}
	for _, k := range sortedKeys(c.Tiers) {
		path := "plan_cost.tiers." + k
		t, err := paved.ParseTier(k)
		if err != nil || !t.Valid() || k != strconv.Itoa(int(t)) {
			return paved.FieldErrorf(paved.EINVALID, where(path), "%s: want a tier 1, 2, 3 or 4 as the key, got %q", path, k)
		}
		if c.Tiers[k] < 0 {
			return paved.FieldErrorf(paved.EINVALID, where(path), "%s is %s: want a monthly amount in USD, 0 or more", path, c.Tiers[k])
		}
	}
	for _, k := range sortedKeys(c.Phases) {
		path := "plan_cost.phases." + k
		p, err := paved.ParsePhase(k)
		if err != nil || string(p) != k {
			return paved.FieldErrorf(paved.EINVALID, where(path), "%s: want a phase (playground, green-light, production, retired) as the key, got %q", path, k)
		}
		if c.Phases[k] < 0 {
			return paved.FieldErrorf(paved.EINVALID, where(path), "%s is %s: want a monthly amount in USD, 0 or more", path, c.Phases[k])
		}
	}
	switch c.Severity {
	case "", paved.SeverityDeny, paved.SeverityWarn:
	default:
		return paved.FieldErrorf(paved.EINVALID, where("plan_cost.severity"), "plan_cost.severity: want deny or warn, got %q", c.Severity)
	}
	if c.EnforceFrom != "" {
		if _, err := time.Parse("2006-01-02", c.EnforceFrom); err != nil {
			return paved.FieldErrorf(paved.EINVALID, where("plan_cost.enforce_from"), "plan_cost.enforce_from: want a date YYYY-MM-DD, got %q", c.EnforceFrom)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Threshold returns the monthly increase allowed for the service and
// what set it ("tier 1", "phase playground", "default").
func (c GuardConfig) Threshold(svc paved.ServiceContext) (Money, string) {
	m, by := c.MaxMonthlyIncrease, "default"
	if v, ok := c.Tiers[strconv.Itoa(int(svc.Tier))]; ok && svc.Tier != 0 {
		m, by = v, fmt.Sprintf("tier %d", svc.Tier)
	}
	if v, ok := c.Phases[string(svc.Phase)]; ok && svc.Phase != "" {
		m, by = v, "phase "+string(svc.Phase)
	}
	return m, by
}

// Check returns the guard rail's finding when the plan raises the monthly
// cost by more than the threshold, else nil. today decides enforce_from.
func (c GuardConfig) Check(pc *PlanCost, svc paved.ServiceContext, today time.Time) *paved.Finding {
	if c.Disabled || pc == nil {
		return nil
	}
	limit, by := c.Threshold(svc)
	inc := pc.MonthlyIncrease()
	if inc <= limit {
		return nil
	}
	who := "the default"
	switch {
	case strings.HasPrefix(by, "tier"):
		who = by + " services"
	case strings.HasPrefix(by, "phase"):
		who = "services in " + strings.TrimPrefix(by, "phase ")
	}
	msg := fmt.Sprintf("the plan raises the monthly cost by %s (from %s to %s): above the limit of %s a month for %s",
		FormatUSD(inc), FormatUSD(pc.Before), FormatUSD(pc.After), FormatUSD(limit), who)
	if pc.Unpriced > 0 {
		msg += fmt.Sprintf("; %d resource(s) could not be fully priced, so the increase may be larger", pc.Unpriced)
	}
	sev := c.Severity
	if sev == "" {
		sev = paved.SeverityDeny
	}
	f := &paved.Finding{
		Rule:        RuleMonthlyIncrease,
		Severity:    sev,
		Message:     msg,
		Path:        "monthly_change",
		Value:       inc.StringFixed(0), // whole dollars: a sign-off covers this increase, not the next
		Remediation: "Make the change smaller, or ask for a sign-off: a reviewer may approve the increase. `paved check -o json` lists the cost of every resource.",
		DocURL:      "docs/cost.md#the-cost-guard-rail",
	}
	if sev == paved.SeverityDeny && c.EnforceFrom != "" && today.UTC().Format("2006-01-02") < c.EnforceFrom {
		f.Severity = paved.SeverityWarn
		f.EnforceFrom = c.EnforceFrom
		f.Message += " (enforced from " + c.EnforceFrom + ")"
	}
	f.Fingerprint = f.ComputeFingerprint()
	return f
}

// GuardRule describes the guard rail for --list-rules and --explain.
func GuardRule(c GuardConfig) paved.Rule {
	sev := c.Severity
	if sev == "" {
		sev = paved.SeverityDeny
	}
	return paved.Rule{
		ID:          RuleMonthlyIncrease,
		Title:       "Plan raises the monthly cost above the threshold",
		Description: "A change that adds more than the threshold to the monthly bill (at 730 hours a month, from the price book) needs a conversation before it goes ahead. The threshold is set per service tier and phase in paved.yaml under plan_cost.",
		Severity:    sev,
		Category:    "cost",
		Remediation: "Make the change smaller, or ask for a sign-off.",
		DocURL:      "docs/cost.md#the-cost-guard-rail",
		EnforceFrom: c.EnforceFrom,
		Builtin:     true,
		Parameters: []paved.RuleParam{
			{Name: "max_monthly_increase", Description: "USD a month; plan_cost.tiers and plan_cost.phases set it per tier and phase", Default: DefaultMaxMonthlyIncrease.String()},
		},
	}
}

// FormatUSD prints an amount for people: "$1,234.57", "-$12.00".
func FormatUSD(m Money) string {
	s := m.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := "$" + b.String() + "." + fp
	if neg {
		out = "-" + out
	}
	return out
}
