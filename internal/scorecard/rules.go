package scorecard

import (
	"fmt"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// ItemStates are the states of a launch item (launch.ItemState), the
// values an item rule may name. DefaultItemStates are those that count
// towards readiness.
var (
	ItemStates        = []string{"settled", "evidenced", "na-pending", "missing"}
	DefaultItemStates = []string{"settled", "evidenced"}
)

// Input is what paved knows of one service, for every rule kind. The
// caller (Service, a benchmark, a test) gathers it; the rules only read.
type Input struct {
	Service  *paved.Service
	TeamKind paved.TeamKind
	// Items holds the state of each checklist and questionnaire item by
	// id (launch's item states: settled, evidenced, na-pending, missing).
	Items       map[string]string
	Facts       []*paved.Fact
	LatestCheck *paved.CheckRecord
	// Exceptions are the service's exceptions (any status: the rules
	// count the valid ones).
	Exceptions []*paved.Exception
	// BudgetAlerts are this period's budget alerts of the service and of
	// its owning team.
	BudgetAlerts []*paved.CostAlert
}

// RuleResult is one rule's verdict on one service.
type RuleResult struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Level string `json:"level"`
	Pass  bool   `json:"pass"`
	// Detail says why, in a sentence: the evidence that passed, or what
	// is missing.
	Detail   string `json:"detail"`
	Guidance string `json:"guidance,omitempty"`
}

// Evaluation is one service's standing on one scorecard.
type Evaluation struct {
	Scorecard string `json:"scorecard"`
	Title     string `json:"title"`
	Service   string `json:"service"`
	Team      string `json:"team"`
	// Level is the highest level reached ("" for none), LevelTitle its
	// title; Next is the level above it ("" at the top).
	Level      string        `json:"level"`
	LevelTitle string        `json:"level_title,omitempty"`
	Next       string        `json:"next,omitempty"`
	NextTitle  string        `json:"next_title,omitempty"`
	Score      float64       `json:"score"`
	Rules      []*RuleResult `json:"rules"`
	// Missing are the failing rules that stand between the service and
	// the next level.
	Missing []*RuleResult `json:"missing"`
	// NextStep is one sentence: the most useful thing to do now.
	NextStep string `json:"next_step"`
}

// Result is the row to store for the evaluation on day.
func (e *Evaluation) Result(day string, at time.Time) *paved.ScorecardResult {
	r := &paved.ScorecardResult{Service: e.Service, Team: e.Team, Scorecard: e.Scorecard, Day: day,
		Level: e.Level, Score: e.Score, Failing: []string{}, EvaluatedAt: at}
	for _, rr := range e.Rules {
		if !rr.Pass {
			r.Failing = append(r.Failing, rr.ID)
		}
	}
	return r
}

// Applies reports whether the scorecard selects the service. Retired
// services are never scored.
func (c *Card) Applies(svc *paved.Service, kind paved.TeamKind) bool {
	if svc == nil || svc.Phase == paved.PhaseRetired {
		return false
	}
	s := c.Selector
	if len(s.Tiers) > 0 && !slices.Contains(s.Tiers, svc.Tier) {
		return false
	}
	if len(s.Phases) > 0 && !slices.Contains(s.Phases, svc.Phase) {
		return false
	}
	if len(s.DataClasses) > 0 && !slices.Contains(s.DataClasses, svc.DataClass) {
		return false
	}
	if len(s.TeamKinds) > 0 && !slices.Contains(s.TeamKinds, kind) {
		return false
	}
	if len(s.Tags) > 0 && !slices.ContainsFunc(s.Tags, func(t string) bool { return slices.Contains(svc.Tags, t) }) {
		return false
	}
	return true
}

// Evaluate decides every rule of the card for one service at now, the
// level reached (every rule of that level and of the levels below it
// passes) and what is missing for the next level.
func (c *Card) Evaluate(in *Input, now time.Time) *Evaluation {
	ev := &Evaluation{Scorecard: c.ID, Title: c.Title, Rules: make([]*RuleResult, len(c.rules))}
	if in.Service != nil {
		ev.Service, ev.Team = in.Service.Name, in.Service.Owner
	}
	pass := make([]bool, len(c.rules))
	// lowest failing level: the level reached is the one below it.
	firstFail := len(c.Levels)
	passed := 0
	for i, r := range c.rules {
		rr := &RuleResult{ID: r.ID, Title: r.Title, Level: r.Level, Guidance: r.Guidance}
		rr.Pass, rr.Detail = r.decide(in, pass, c, now)
		pass[i] = rr.Pass
		ev.Rules[i] = rr
		if rr.Pass {
			passed++
		} else if r.level < firstFail {
			firstFail = r.level
		}
	}
	ev.Score = float64(passed) / float64(len(c.rules))
	if firstFail > 0 {
		l := c.Levels[firstFail-1]
		ev.Level, ev.LevelTitle = l.ID, l.Title
	}
	if firstFail < len(c.Levels) {
		l := c.Levels[firstFail]
		ev.Next, ev.NextTitle = l.ID, l.Title
		for i, r := range c.rules {
			if r.level == firstFail && !pass[i] {
				ev.Missing = append(ev.Missing, ev.Rules[i])
			}
		}
	}
	ev.NextStep = nextStep(ev)
	return ev
}

// nextStep is the "next step" voice of the launch page.
func nextStep(ev *Evaluation) string {
	if ev.Next == "" {
		return fmt.Sprintf("%s is at %s, the top level of %s: keep the evidence current.", ev.Service, ev.LevelTitle, ev.Title)
	}
	first := ev.Missing[0]
	s := fmt.Sprintf("To reach %s: %s", ev.NextTitle, lowerFirst(strings.TrimSuffix(first.Title, ".")))
	if len(ev.Missing) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(ev.Missing)-1)
	}
	return s + ". " + first.Detail
}

func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

func (r *rule) decide(in *Input, pass []bool, c *Card, now time.Time) (bool, string) {
	switch r.Kind {
	case paved.RuleKindItem:
		st, ok := in.Items[r.Item]
		if !ok {
			st = "missing"
		}
		want := r.ItemStates
		if len(want) == 0 {
			want = DefaultItemStates
		}
		if slices.Contains(want, st) {
			return true, fmt.Sprintf("item %s is %s", r.Item, st)
		}
		return false, fmt.Sprintf("item %s is %s: answer it on the launch page (or let its evidence fill it)", r.Item, st)
	case paved.RuleKindFact:
		res := r.fact.Eval(in.Facts, now)
		return res.Satisfied, res.Detail
	case paved.RuleKindGuardRail:
		return guardRail(r.GuardRail, in.LatestCheck)
	case paved.RuleKindExceptions:
		return exceptions(r, in.Exceptions, now)
	case paved.RuleKindCatalog:
		return catalogField(r.Field, r.Equals, in.Service)
	case paved.RuleKindBudget:
		return budget(r.Threshold, in.BudgetAlerts)
	case paved.RuleKindExpr:
		if r.comb.eval(pass) {
			return true, r.Expr + " holds"
		}
		var failing []string
		for _, i := range refs(r.comb, nil) {
			if !pass[i] && !slices.Contains(failing, c.rules[i].ID) {
				failing = append(failing, c.rules[i].ID)
			}
		}
		if len(failing) == 0 {
			return false, r.Expr + " does not hold"
		}
		return false, r.Expr + " does not hold (failing: " + strings.Join(failing, ", ") + ")"
	}
	return false, "unknown rule kind " + string(r.Kind)
}

// guardRail passes when the latest recorded check ran the rule over at
// least one resource and the rule denied nothing (a finding an exception
// covers does not deny).
func guardRail(id string, c *paved.CheckRecord) (bool, string) {
	if c == nil {
		return false, "no guard-rail check recorded for the service: run `paved check --server` in CI"
	}
	where := fmt.Sprintf("check #%d", c.ID)
	if !slices.Contains(c.Rules, id) {
		return false, fmt.Sprintf("%s did not run %s (is the rule disabled in the platform config?)", where, id)
	}
	var denied []string
	for _, f := range c.Findings {
		if f.Rule == id && f.Severity == paved.SeverityDeny {
			denied = append(denied, f.Resource)
		}
	}
	if len(denied) > 0 {
		if len(denied) > 3 {
			denied = append(denied[:3], fmt.Sprintf("%d more", len(denied)-3))
		}
		return false, fmt.Sprintf("%s now denies on %s: %s", id, where, strings.Join(denied, ", "))
	}
	return true, fmt.Sprintf("%s passed on %s", id, where)
}

func exceptions(r *rule, all []*paved.Exception, now time.Time) (bool, string) {
	valid, old := 0, 0
	for _, e := range all {
		if !e.Valid(now) {
			continue
		}
		valid++
		since := e.RequestedAt
		if e.DecidedAt != nil {
			since = *e.DecidedAt
		}
		if r.MaxAge > 0 && now.Sub(since) > r.MaxAge {
			old++
		}
	}
	switch {
	case r.MaxCount >= 0 && valid > r.MaxCount:
		return false, fmt.Sprintf("%d valid exceptions, more than %d: fix the findings they cover", valid, r.MaxCount)
	case old > 0:
		return false, fmt.Sprintf("%d exceptions granted more than %s ago: fix their findings or ask again", old, paved.FormatDays(r.MaxAge))
	}
	return true, fmt.Sprintf("%d valid exceptions", valid)
}

func budget(threshold int, alerts []*paved.CostAlert) (bool, string) {
	for _, a := range alerts {
		if a.Rule == paved.RuleBudget && a.Threshold >= threshold && !a.Planned() {
			return false, a.Message
		}
	}
	return true, fmt.Sprintf("within budget (no budget alert at %d%% this month)", threshold)
}
