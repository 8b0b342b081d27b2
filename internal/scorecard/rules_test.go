package scorecard

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, src string) *Card {
	t.Helper()
	c, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// oneRule wraps a rule's YAML in a scorecard of one level.
func oneRule(t *testing.T, rule string) *Card {
	return mustParse(t, "id: t\ntitle: T\nlevels: [bronze]\nrules:\n  - {id: r, title: R, level: bronze, "+rule+"}\n")
}

func svc() *paved.Service {
	return &paved.Service{Name: "checkout", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted,
		Phase: paved.PhaseProduction, Tags: []string{"pci"},
		Links:       []paved.Link{{URL: "https://runbooks/checkout", Type: "runbook"}},
		Annotations: map[string]string{"pagerduty.com/service-id": "P123"}}
}

func TestRuleKinds(t *testing.T) {
	decided := now.Add(-100 * 24 * time.Hour)
	fresh := now.Add(-10 * 24 * time.Hour)
	check := &paved.CheckRecord{ID: 7, Rules: []string{"db-storage-encrypted", "required-tags"},
		Findings: []paved.Finding{
			{Rule: "required-tags", Severity: paved.SeverityDeny, Resource: "aws_s3_bucket.logs"},
			{Rule: "db-storage-encrypted", Severity: paved.SeverityException, Resource: "aws_db_instance.old"},
		}}
	exc := func(at time.Time, st paved.ExceptionStatus) *paved.Exception {
		return &paved.Exception{Status: st, RequestedAt: at, DecidedAt: &at, ExpiresAt: now.Add(24 * time.Hour)}
	}
	fact := func(k string, v any) *paved.Fact {
		return &paved.Fact{Service: "checkout", Source: "github", Key: k, Value: v, ObservedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	tests := []struct {
		name   string
		rule   string
		in     Input
		pass   bool
		detail string
	}{
		{"item settled", "item: runbooks", Input{Items: map[string]string{"runbooks": "settled"}}, true, "item runbooks is settled"},
		{"item evidenced", "item: runbooks", Input{Items: map[string]string{"runbooks": "evidenced"}}, true, "evidenced"},
		{"item na-pending fails by default", "item: runbooks", Input{Items: map[string]string{"runbooks": "na-pending"}}, false, "is na-pending"},
		{"item unknown is missing", "item: runbooks", Input{}, false, "item runbooks is missing"},
		{"item states named", "item: runbooks, states: [na-pending]", Input{Items: map[string]string{"runbooks": "na-pending"}}, true, ""},
		{"fact passes", "fact: github.branch_protection.required_reviews >= 2", Input{Facts: []*paved.Fact{fact("github.branch_protection.required_reviews", 2.0)}}, true, ""},
		{"fact too low", "fact: github.branch_protection.required_reviews >= 2", Input{Facts: []*paved.Fact{fact("github.branch_protection.required_reviews", 1.0)}}, false, ""},
		{"fact missing", "fact: github.branch_protection.required_reviews >= 2", Input{}, false, ""},
		{"guardrail no check", "guardrail: required-tags", Input{}, false, "no guard-rail check recorded"},
		{"guardrail denies", "guardrail: required-tags", Input{LatestCheck: check}, false, "required-tags now denies on check #7: aws_s3_bucket.logs"},
		{"guardrail covered by exception", "guardrail: db-storage-encrypted", Input{LatestCheck: check}, true, "passed on check #7"},
		{"guardrail not run", "guardrail: iam-admin-policy", Input{LatestCheck: check}, false, "did not run iam-admin-policy"},
		{"exceptions within count", "exceptions: {max: 1}", Input{Exceptions: []*paved.Exception{exc(fresh, paved.ExceptionApproved), exc(fresh, paved.ExceptionRejected)}}, true, "1 valid exceptions"},
		{"exceptions over count", "exceptions: {max: 0}", Input{Exceptions: []*paved.Exception{exc(fresh, paved.ExceptionApproved)}}, false, "more than 0"},
		{"exceptions too old", "exceptions: {max_age: 90d}", Input{Exceptions: []*paved.Exception{exc(decided, paved.ExceptionApproved)}}, false, "more than 90d ago"},
		{"exceptions expired do not count", "exceptions: {max: 0}", Input{Exceptions: []*paved.Exception{{Status: paved.ExceptionApproved, ExpiresAt: now.Add(-time.Hour)}}}, true, ""},
		{"catalog link", "catalog: links.runbook", Input{Service: svc()}, true, "https://runbooks/checkout"},
		{"catalog link missing", "catalog: links.dashboard", Input{Service: svc()}, false, "catalog links.dashboard is empty"},
		{"catalog annotation", "catalog: annotations.pagerduty.com/service-id", Input{Service: svc()}, true, "P123"},
		{"catalog empty field", "catalog: description", Input{Service: svc()}, false, "is empty"},
		{"catalog equals", "catalog: tags, equals: pci", Input{Service: svc()}, true, ""},
		{"catalog not equal", "catalog: tags, equals: gdpr", Input{Service: svc()}, false, "is not gdpr"},
		{"budget within", "budget: true", Input{BudgetAlerts: []*paved.CostAlert{{Rule: paved.RuleBudget, Threshold: 80, Message: "80%"}}}, true, "within budget"},
		{"budget over", "budget: true", Input{BudgetAlerts: []*paved.CostAlert{{Rule: paved.RuleBudget, Threshold: 100, Message: "payments has spent 5100 EUR"}}}, false, "payments has spent"},
		{"budget threshold", "budget: {threshold: 80}", Input{BudgetAlerts: []*paved.CostAlert{{Rule: paved.RuleBudget, Threshold: 80, Message: "at 80"}}}, false, "at 80"},
		{"budget planned", "budget: true", Input{BudgetAlerts: []*paved.CostAlert{{Rule: paved.RuleBudget, Threshold: 100, PlannedBy: "ada"}}}, true, ""},
		{"budget forecast ignored", "budget: true", Input{BudgetAlerts: []*paved.CostAlert{{Rule: paved.RuleForecast, Threshold: 100}}}, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := oneRule(t, tc.rule)
			in := tc.in
			if in.Service == nil {
				in.Service = svc()
			}
			ev := c.Evaluate(&in, now)
			r := ev.Rules[0]
			if r.Pass != tc.pass || !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("pass %v %q, want %v containing %q", r.Pass, r.Detail, tc.pass, tc.detail)
			}
		})
	}
}

const levelled = `id: t
title: Readiness
levels: [bronze, silver, gold]
rules:
  - {id: a, title: Runbooks exist, level: bronze, item: a}
  - {id: b, title: Alerts fire, level: bronze, item: b}
  - {id: c, title: SLOs are measured, level: silver, item: c}
  - {id: d, title: Failover was tested, level: gold, item: d}
  - {id: e, title: Either c or d, level: gold, expr: c or (d and not a)}
`

func TestLevels(t *testing.T) {
	c := mustParse(t, levelled)
	tests := []struct {
		name    string
		done    string
		level   string
		next    string
		missing string
		score   float64
	}{
		{"nothing", "", "", "bronze", "a b", 0},
		{"half of bronze", "a", "", "bronze", "b", 0.2},
		{"bronze", "a b", "bronze", "silver", "c", 0.4},
		{"gold rules without silver stay bronze", "a b d", "bronze", "silver", "c", 0.6},
		{"silver", "a b c", "silver", "gold", "d", 0.8},
		{"gold", "a b c d", "gold", "", "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items := map[string]string{}
			for _, id := range strings.Fields(tc.done) {
				items[id] = "settled"
			}
			ev := c.Evaluate(&Input{Service: svc(), Items: items}, now)
			var missing []string
			for _, m := range ev.Missing {
				missing = append(missing, m.ID)
			}
			if ev.Level != tc.level || ev.Next != tc.next || strings.Join(missing, " ") != tc.missing || ev.Score != tc.score {
				t.Errorf("level %q next %q missing %v score %v; want %q %q %q %v", ev.Level, ev.Next, missing, ev.Score, tc.level, tc.next, tc.missing, tc.score)
			}
			res := ev.Result("2026-06-01", now)
			if res.Level != tc.level || len(res.Failing) != len(ev.Rules)-int(tc.score*5+0.5) {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestNextStep(t *testing.T) {
	c := mustParse(t, levelled)
	ev := c.Evaluate(&Input{Service: svc(), Items: map[string]string{"a": "settled"}}, now)
	want := "To reach Bronze: alerts fire. item b is missing: answer it on the launch page (or let its evidence fill it)"
	if ev.NextStep != want {
		t.Errorf("next step %q\nwant %q", ev.NextStep, want)
	}
	ev = c.Evaluate(&Input{Service: svc(), Items: map[string]string{"a": "settled", "b": "settled", "c": "settled", "d": "settled"}}, now)
	if !strings.Contains(ev.NextStep, "the top level") {
		t.Errorf("next step at the top: %q", ev.NextStep)
	}
}

func TestExprCombines(t *testing.T) {
	c := mustParse(t, levelled)
	tests := []struct {
		done string
		pass bool
	}{
		{"c", true},
		{"d", true},
		{"a d", false},
		{"", false},
	}
	for _, tc := range tests {
		items := map[string]string{}
		for _, id := range strings.Fields(tc.done) {
			items[id] = "settled"
		}
		ev := c.Evaluate(&Input{Service: svc(), Items: items}, now)
		if got := ev.Rules[4].Pass; got != tc.pass {
			t.Errorf("done %q: e passes %v, want %v (%s)", tc.done, got, tc.pass, ev.Rules[4].Detail)
		}
	}
}

func TestApplies(t *testing.T) {
	tests := []struct {
		selector string
		mutate   func(*paved.Service)
		kind     paved.TeamKind
		want     bool
	}{
		{"{}", nil, paved.KindProduct, true},
		{"{}", func(s *paved.Service) { s.Phase = paved.PhaseRetired }, paved.KindProduct, false},
		{"{tiers: [1, 2]}", nil, paved.KindProduct, true},
		{"{tiers: [3]}", nil, paved.KindProduct, false},
		{"{phases: [production]}", nil, paved.KindProduct, true},
		{"{phases: [playground]}", nil, paved.KindProduct, false},
		{"{data_classes: [restricted, confidential]}", nil, paved.KindProduct, true},
		{"{data_classes: [public]}", nil, paved.KindProduct, false},
		{"{team_kinds: [product]}", nil, paved.KindProduct, true},
		{"{team_kinds: [security]}", nil, paved.KindProduct, false},
		{"{tags: [pci, gdpr]}", nil, paved.KindProduct, true},
		{"{tags: [gdpr]}", nil, paved.KindProduct, false},
		{"{tiers: [1], tags: [gdpr]}", nil, paved.KindProduct, false},
	}
	for _, tc := range tests {
		c := mustParse(t, "id: t\ntitle: T\napplies_to: "+tc.selector+"\nlevels: [a]\nrules:\n  - {id: r, title: R, level: a, item: x}\n")
		s := svc()
		if tc.mutate != nil {
			tc.mutate(s)
		}
		if got := c.Applies(s, tc.kind); got != tc.want {
			t.Errorf("%s: Applies = %v, want %v", tc.selector, got, tc.want)
		}
	}
}
