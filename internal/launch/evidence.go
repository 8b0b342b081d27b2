package launch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts/expr"
)

// Evidence sources of paved.EvidenceRule.Source.
const (
	SourceCatalogLink  = "catalog-link"
	SourceCatalogField = "catalog-field"
	SourceCheckRules   = "check-rules"
	SourceAssessment   = "assessment"
	SourceFact         = "fact"
)

// EvidenceFor computes what rule finds in l's facts now. It is computed on
// every read, so it follows the facts: add the runbook link to the catalog
// and the item is evidenced on the next status. nil when rule is nil.
func EvidenceFor(rule *paved.EvidenceRule, l *paved.Launch, now time.Time) *Evidence {
	if rule == nil || l == nil || l.Service == nil {
		return nil
	}
	svc := l.Service
	value := strings.TrimSpace(rule.Value)
	switch rule.Source {
	case SourceCatalogLink:
		e := &Evidence{Source: "catalog link " + value, AsOf: svc.UpdatedAt}
		if value == "" {
			e.Detail = "the template names no link type to look for"
			return e
		}
		for _, ln := range svc.Links {
			if strings.EqualFold(strings.TrimSpace(ln.Type), value) || (ln.Title != "" && strings.Contains(strings.ToLower(ln.Title), strings.ToLower(value))) {
				e.Satisfied = true
				e.Detail = fmt.Sprintf("%s link %s in the catalog", value, ln.URL)
				return e
			}
		}
		e.Detail = fmt.Sprintf("no %s link in the catalog: add one (type %s) to the service's links", value, value)
		return e
	case SourceCatalogField:
		e := &Evidence{Source: "catalog field " + value, AsOf: svc.UpdatedAt}
		if value == "" {
			e.Detail = "the template names no catalog field to look for"
			return e
		}
		if v := strings.TrimSpace(svc.Annotations[value]); v != "" {
			e.Satisfied = true
			e.Detail = fmt.Sprintf("annotation %s = %s in the catalog", value, v)
			return e
		}
		e.Detail = fmt.Sprintf("annotation %s is not set in the catalog: add it to the service's annotations", value)
		return e
	case SourceCheckRules:
		sources := checkSources(rule, svc.Tier)
		return checkEvidence(rule, pickCheck(sources, l), sources, svc.Tier, now)
	case SourceAssessment:
		kind := paved.AssessmentKind(strings.ToLower(value))
		name := map[paved.AssessmentKind]string{paved.AssessSecurity: "security assessment", paved.AssessLoad: "load profile"}[kind]
		if name == "" {
			return &Evidence{Source: "assessment " + value, Detail: fmt.Sprintf("unknown assessment kind %q in the template: want security or load", value)}
		}
		a := l.LatestAssessment(kind)
		if a == nil {
			return &Evidence{Source: name, Detail: fmt.Sprintf("no %s recorded yet", name)}
		}
		e := &Evidence{Source: fmt.Sprintf("%s #%d", name, a.ID), Satisfied: true, AsOf: a.RecordedAt}
		e.Detail = fmt.Sprintf("%s #%d recorded by %s on %s, %s", name, a.ID, a.RecordedBy, a.RecordedAt.UTC().Format(time.DateOnly), age(a.RecordedAt, now))
		switch kind {
		case paved.AssessSecurity:
			if a.RiskRating != "" {
				e.Detail += fmt.Sprintf(": risk %s", a.RiskRating)
			}
		case paved.AssessLoad:
			e.Detail += fmt.Sprintf(": tested %g rps against an expected peak of %g rps, p99 %g ms", a.TestedRPS, a.ExpectedPeakRPS, a.P99Millis)
		}
		return e
	case SourceFact:
		return factEvidence(value, l.Facts, now)
	}
	return &Evidence{Source: rule.Source, Detail: fmt.Sprintf("unknown evidence source %q in the template: want catalog-link, catalog-field, check-rules, assessment or fact", rule.Source)}
}

// factEvidence evaluates a fact expression over the service's facts: only
// current facts count, and the evidence is as old as its stalest fact. The
// expression is parsed on every evaluation rather than cached: a template's
// expressions are a few dozen bytes each, parsing one costs microseconds
// (BenchmarkFactEvidence), and a process-wide cache keyed by text would be
// global state that grows with every reloaded template.
func factEvidence(text string, facts []*paved.Fact, now time.Time) *Evidence {
	e, err := expr.Parse(text)
	if err != nil {
		return &Evidence{Source: "facts", Detail: fmt.Sprintf("the template's fact expression %q is not valid: %s", text, paved.ErrorMessage(err))}
	}
	r := e.Eval(facts, now)
	ev := &Evidence{Source: "facts", Satisfied: r.Satisfied, AsOf: r.AsOf()}
	if src := r.Source(); src != "" {
		ev.Source = "facts from " + src
	}
	ev.Detail = r.Detail
	if !ev.AsOf.IsZero() {
		ev.Detail += " (observed " + age(ev.AsOf, now) + ")"
	}
	return ev
}

// checkSources is whose checks count for rule on a service of tier t: the
// template's sources when it names them, else paved.DefaultCheckSources
// (CI only for tiers 1-2: a person can post any findings).
func checkSources(rule *paved.EvidenceRule, t paved.Tier) []paved.CheckSource {
	return rule.CheckSourcesFor(t)
}

// pickCheck returns the check whose findings count: the latest, when its
// source counts; else the latest CI check, when CI counts and the store
// found one (Launch.LatestCICheck); else the latest, which checkEvidence
// then refuses with the reason.
func pickCheck(sources []paved.CheckSource, l *paved.Launch) *paved.CheckRecord {
	c := l.LatestCheck
	if c == nil || slices.Contains(sources, c.Source()) {
		return c
	}
	if l.LatestCICheck != nil && slices.Contains(sources, paved.SourceCI) {
		return l.LatestCICheck
	}
	return c
}

// checkEvidence: the check came from a source that counts for the
// service's tier, evaluated at least one resource, ran every rule the item
// names, and none of them denied.
func checkEvidence(rule *paved.EvidenceRule, c *paved.CheckRecord, sources []paved.CheckSource, tier paved.Tier, now time.Time) *Evidence {
	rules := strings.Join(rule.Rules, ", ")
	if c == nil {
		detail := "no guard-rail check recorded for the service: run `paved check --server` in CI"
		if !slices.Contains(sources, paved.SourcePerson) {
			detail += " (with the job's ID token: docs/ci.md)"
		}
		return &Evidence{Source: "guard-rail check", Detail: detail}
	}
	e := &Evidence{Source: fmt.Sprintf("check #%d", c.ID), AsOf: c.At}
	where := fmt.Sprintf("check #%d", c.ID)
	if c.Commit != "" {
		commit := c.Commit
		if len(commit) > 7 {
			commit = commit[:7]
		}
		e.Source += " (commit " + commit + ")"
		where += " on commit " + commit
	}
	where += ", " + age(c.At, now)
	if !slices.Contains(sources, c.Source()) {
		why := fmt.Sprintf("for a tier %d service", tier)
		if len(rule.Sources) > 0 {
			why = "for this item"
		}
		e.Detail = fmt.Sprintf("%s: recorded by %s, but guard-rail evidence %s must come from CI (a check that `paved check --server` records with the job's ID token, docs/ci.md): a person can send any findings", where, paved.DescribeRecorder(recorderOf(c)), why)
		return e
	}
	if len(rule.Rules) == 0 {
		e.Detail = where + ": the template names no rules to look for"
		return e
	}
	resources := 0
	for _, n := range c.ResourceTypes {
		resources += n
	}
	if resources == 0 {
		e.Detail = where + ": no resources were evaluated, so " + rules + " showed nothing"
		return e
	}
	var missing []string
	for _, r := range rule.Rules {
		if !slices.Contains(c.Rules, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		e.Detail = fmt.Sprintf("%s: %s did not run (is the rule disabled in the platform config?)", where, strings.Join(missing, ", "))
		return e
	}
	denied := map[string][]string{}
	for _, f := range c.Findings {
		if f.Severity == paved.SeverityDeny && slices.Contains(rule.Rules, f.Rule) {
			denied[f.Rule] = append(denied[f.Rule], f.Resource)
		}
	}
	if len(denied) > 0 {
		var parts []string
		ids := make([]string, 0, len(denied))
		for id := range denied {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf("%s denied %s", id, strings.Join(denied[id], ", ")))
		}
		e.Detail = where + ": " + strings.Join(parts, "; ")
		return e
	}
	e.Satisfied = true
	e.Detail = fmt.Sprintf("%s: %s passed on %s", where, rules, plural(resources, "resource"))
	return e
}

// recorderOf names who recorded c; checks recorded before recorders were
// kept name their actor.
func recorderOf(c *paved.CheckRecord) string {
	if c.RecordedBy != "" {
		return c.RecordedBy
	}
	return c.Actor
}

// age says how old a fact is, in whole days.
func age(t, now time.Time) string {
	if t.IsZero() {
		return "of unknown age"
	}
	d := now.Sub(t)
	switch {
	case d < 24*time.Hour:
		return "less than a day old"
	case d < 48*time.Hour:
		return "1 day old"
	}
	return fmt.Sprintf("%d days old", int(d/(24*time.Hour)))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
