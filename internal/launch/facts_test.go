package launch

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestFactEvidence(t *testing.T) {
	observed := now.Add(-2 * time.Hour)
	fact := func(key string, v any, expires time.Time) *paved.Fact {
		return &paved.Fact{Service: "payments-api", Source: "github", Key: key, Value: v, ObservedAt: observed, ExpiresAt: expires}
	}
	rule := &paved.EvidenceRule{Source: SourceFact, Value: "github.branch_protection.required_reviews >= 1"}
	tests := []struct {
		name  string
		facts []*paved.Fact
		want  Evidence
	}{
		{"satisfied", []*paved.Fact{fact("github.branch_protection.required_reviews", 2.0, now.Add(time.Hour))},
			Evidence{Source: "facts from github", Satisfied: true, Detail: "github.branch_protection.required_reviews = 2 (observed less than a day old)", AsOf: observed}},
		{"not satisfied", []*paved.Fact{fact("github.branch_protection.required_reviews", 0.0, now.Add(time.Hour))},
			Evidence{Source: "facts from github", Detail: "github.branch_protection.required_reviews = 0 (observed less than a day old)", AsOf: observed}},
		// A failing collector's facts age out and stop counting.
		{"expired", []*paved.Fact{fact("github.branch_protection.required_reviews", 2.0, now.Add(-time.Hour))},
			Evidence{Source: "facts", Detail: "github.branch_protection.required_reviews from github expired 1 hours ago (last observed 2026-03-14): is the collector failing?"}},
		{"missing", nil,
			Evidence{Source: "facts", Detail: "no github.branch_protection.required_reviews fact has been observed"}},
	}
	for _, tt := range tests {
		l := readyLaunch()
		l.Facts = tt.facts
		got := EvidenceFor(rule, l, now)
		if got == nil || *got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	bad := EvidenceFor(&paved.EvidenceRule{Source: SourceFact, Value: "nope"}, readyLaunch(), now)
	if bad.Satisfied || !strings.Contains(bad.Detail, "not valid") {
		t.Fatalf("a broken expression: %+v", bad)
	}
}

// TestParseFactEvidence: the short form and source: fact read the same.
func TestParseFactEvidence(t *testing.T) {
	src := `kind: checklist
version: 1
title: T
areas:
  - id: a
    title: A
    items:
      - id: x
        title: X?
        required_for: all
        guidance: G.
        evidence:
          fact: github.branch_protection.required_reviews >= 1
          note: Reviews are required.
      - id: y
        title: Y?
        required_for: all
        guidance: G.
        evidence:
          source: fact
          value: pagerduty.escalation_levels >= 2 and pagerduty.oncall.now
`
	tpl, err := ParseTemplate("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, x := tpl.Item("x")
	_, y := tpl.Item("y")
	if x.Evidence.Source != SourceFact || x.Evidence.Value != "github.branch_protection.required_reviews >= 1" || x.Evidence.Note != "Reviews are required." ||
		y.Evidence.Source != SourceFact || !strings.Contains(y.Evidence.Value, "oncall.now") {
		t.Fatalf("evidence = %+v, %+v", x.Evidence, y.Evidence)
	}
}

// BenchmarkFactEvidence: one fact-evidenced item of one service, parse
// included (factEvidence does not cache parsed expressions).
func BenchmarkFactEvidence(b *testing.B) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	facts := []*paved.Fact{{Service: "payments-api", Source: "github", Key: "github.branch_protection.required_reviews", Value: 2.0, ObservedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}}
	rule := &paved.EvidenceRule{Source: SourceFact, Value: "github.branch_protection.required_reviews >= 1 and oncall.now != \"\""}
	l := readyLaunch()
	l.Facts = facts
	b.ReportAllocs()
	for b.Loop() {
		if e := EvidenceFor(rule, l, now); e == nil {
			b.Fatal("no evidence")
		}
	}
}
