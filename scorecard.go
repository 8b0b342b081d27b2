package paved

import (
	"context"
	"time"
)

// Scorecards: an advisory score for every service, every day, including
// the grandfathered ones the launch gate never sees again. A scorecard
// (scorecards/*.yaml in the platform config) selects services, holds rules
// and orders its levels; a service reaches a level when every rule of that
// level and of the levels below it passes. internal/scorecard parses the
// files and decides; the store keeps each service's current standing and,
// as history, a row per change of standing (ScorecardStore), so that
// history stays small and trends are cheap to read.

// Scorecard is one scorecard of the platform config.
type Scorecard struct {
	// ID is the file's id (lower-case words joined by dashes); results
	// and notices name it.
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Levels are ordered from the lowest (reached first) to the highest.
	Levels []ScorecardLevel `json:"levels"`
	// Selector picks the services the scorecard applies to.
	Selector ScorecardSelector `json:"selector"`
	Rules    []*ScorecardRule  `json:"rules"`
}

// ScorecardLevel is one level: Bronze, Silver, Gold, or the organisation's
// own names.
type ScorecardLevel struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ScorecardSelector picks services. Every non-empty list must match (a
// service matches a list when it holds any of its values); an empty
// selector applies to every service that is not retired.
type ScorecardSelector struct {
	Tiers       []Tier      `json:"tiers,omitempty"`
	Phases      []Phase     `json:"phases,omitempty"`
	DataClasses []DataClass `json:"data_classes,omitempty"`
	TeamKinds   []TeamKind  `json:"team_kinds,omitempty"`
	Tags        []string    `json:"tags,omitempty"`
}

// ScorecardRuleKind says what a rule reads.
type ScorecardRuleKind string

const (
	// RuleKindItem: a checklist or questionnaire item's state.
	RuleKindItem ScorecardRuleKind = "item"
	// RuleKindFact: a facts/expr comparison over the service's facts.
	RuleKindFact ScorecardRuleKind = "fact"
	// RuleKindGuardRail: a guard rail passing on the latest recorded check.
	RuleKindGuardRail ScorecardRuleKind = "guardrail"
	// RuleKindExceptions: the service's valid exceptions, counted and aged.
	RuleKindExceptions ScorecardRuleKind = "exceptions"
	// RuleKindCatalog: a catalog field of the service.
	RuleKindCatalog ScorecardRuleKind = "catalog"
	// RuleKindBudget: the service's owning team is within its budget (no
	// open budget alert at or over the threshold this period).
	RuleKindBudget ScorecardRuleKind = "budget"
	// RuleKindExpr: other rules of the same scorecard combined with and,
	// or, not and parentheses.
	RuleKindExpr ScorecardRuleKind = "expr"
)

// ScorecardRule is one rule. Exactly one of the kind's fields is set.
type ScorecardRule struct {
	ID    string            `json:"id"`
	Title string            `json:"title"`
	Level string            `json:"level"` // a ScorecardLevel.ID
	Kind  ScorecardRuleKind `json:"kind"`
	// Why the rule matters and how to pass it: the "next step" shown when
	// it fails.
	Guidance string `json:"guidance,omitempty"`

	// Item: the item id and the states that pass (default: settled and
	// evidenced, the states that count towards readiness).
	Item       string   `json:"item,omitempty"`
	ItemStates []string `json:"item_states,omitempty"`
	// Fact: a facts/expr expression.
	Fact string `json:"fact,omitempty"`
	// GuardRail: a rule id of the guard-rail library or a custom policy.
	GuardRail string `json:"guardrail,omitempty"`
	// Exceptions: at most MaxCount valid exceptions, none granted more
	// than MaxAge ago (0: no age limit).
	MaxCount int           `json:"max_count,omitempty"`
	MaxAge   time.Duration `json:"max_age,omitempty"`
	// Catalog: a field of the service (CatalogFields) that must be present,
	// or equal Equals when it is set.
	Field  string `json:"field,omitempty"`
	Equals string `json:"equals,omitempty"`
	// Budget: the alert threshold (percent of the budget) at or over which
	// the team is out of budget (default 100).
	Threshold int `json:"threshold,omitempty"`
	// Expr: a boolean expression over the ids of other rules of the
	// scorecard ("encryption and (paging or on-call)").
	Expr string `json:"expr,omitempty"`
}

// ScorecardResult is one service's standing on one scorecard. The store
// keeps the latest standing per service and scorecard (the current one)
// and, as history, a row only when the standing changes: a history row's
// Day is the day the standing began, and it holds until the next row of
// the same service and scorecard.
type ScorecardResult struct {
	Service   string `json:"service"`
	Team      string `json:"team"`
	Scorecard string `json:"scorecard"`
	// Day is the day of the evaluation (YYYY-MM-DD, UTC): for the current
	// standing the day it was last evaluated, for a history row the day
	// the standing began.
	Day string `json:"day"`
	// Since is the day the standing began (the current standing only).
	Since string `json:"since,omitempty"`
	// Level is the highest level reached ("" for none).
	Level string `json:"level"`
	// Score is the share of the scorecard's rules that pass, 0..1.
	Score float64 `json:"score"`
	// Failing lists the ids of the rules that fail, in the scorecard's
	// order.
	Failing []string `json:"failing"`
	// EvaluatedAt is when it was last evaluated (the current standing
	// only; history keeps days).
	EvaluatedAt time.Time `json:"evaluated_at,omitzero"`
}

// ScorecardRegression is a service that lost ground on one scorecard
// since its previous result: the rules that stopped passing, and whether
// its level dropped. The store sends its notice at most once per service,
// scorecard and rule until the rule passes again.
type ScorecardRegression struct {
	Service   string `json:"service"`
	Scorecard string `json:"scorecard"`
	// Rules are the rules that fail now and passed in the previous result.
	Rules []string `json:"rules"`
	// Compose writes the notification for the rules not announced before
	// (a subset of Rules, in order); the store calls it inside its
	// transaction when there is at least one.
	Compose func(fresh []string) *Notification `json:"-"`
}

// ScorecardFilter selects stored results. Zero values select everything.
type ScorecardFilter struct {
	Service   string
	Team      string
	Scorecard string
	// Since and Until bound the day (inclusive), YYYY-MM-DD.
	Since, Until string
}

// ScorecardDay is one evaluation of the scorecards to store: its results
// and regressions. Complete says the results hold every service every
// scorecard applies to (the daily job, an evaluation of all): a service
// or scorecard that is no longer scored then leaves the current standing
// (its history stays).
type ScorecardDay struct {
	Results     []*ScorecardResult
	Regressions []*ScorecardRegression
	Complete    bool
}

// ScorecardStore persists scorecard results and the regression notices.
type ScorecardStore interface {
	// SaveScorecardDay stores each service's current standing, a history
	// row for each standing that changed (replacing the same service,
	// scorecard and day: the day's last evaluation wins), clears the
	// notices of rules that pass again, and records the regressions'
	// notifications for the rules not announced before, in one
	// transaction. A result whose level differs from the service's
	// previous standing is audited (scorecard.level); a first result is
	// not a change. It returns how many notifications it recorded.
	SaveScorecardDay(ctx context.Context, d *ScorecardDay) (sent int, err error)
	// CurrentScorecardResults returns each service's newest result per
	// scorecard, by service then scorecard.
	CurrentScorecardResults(ctx context.Context, f ScorecardFilter) ([]*ScorecardResult, error)
	// FindScorecardResults returns the history rows (changes of standing)
	// in the filter's days, oldest day first, then by service and
	// scorecard. With Since, each service and scorecard's standing in
	// force on that day (its last row before it) comes first, so that a
	// trend starts from a known standing. At most MaxScorecardResults
	// (EINVALID beyond: narrow the filter).
	FindScorecardResults(ctx context.Context, f ScorecardFilter) ([]*ScorecardResult, error)
	// OpenScorecardNotices returns the rules announced as regressed and
	// not recovered since, by scorecard, for one service.
	OpenScorecardNotices(ctx context.Context, service string) (map[string][]string, error)
}

// MaxScorecardResults bounds one FindScorecardResults answer.
const MaxScorecardResults = 100_000
