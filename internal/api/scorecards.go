package api

// The scorecards' wire types, for clients that do not import
// internal/scorecard: GET /api/v1/services/{name}/scorecards answers a
// ScorecardStanding (the JSON of scorecard.Standing), GET
// /api/v1/scorecards the stored current standings
// ([]*paved.ScorecardResult) and POST /api/v1/scorecards/evaluate a
// ScorecardEvaluateResult.

// ScorecardStanding is one service's level per scorecard that applies to
// it, evaluated now.
type ScorecardStanding struct {
	Service    string                 `json:"service"`
	Team       string                 `json:"team"`
	Scorecards []*ScorecardEvaluation `json:"scorecards"`
}

// ScorecardEvaluation is the service's standing on one scorecard: its
// level, the next one, every rule, what is missing for the next level and
// the next step.
type ScorecardEvaluation struct {
	Scorecard  string           `json:"scorecard"`
	Title      string           `json:"title"`
	Service    string           `json:"service"`
	Team       string           `json:"team"`
	Level      string           `json:"level"`
	LevelTitle string           `json:"level_title,omitempty"`
	Next       string           `json:"next,omitempty"`
	NextTitle  string           `json:"next_title,omitempty"`
	Score      float64          `json:"score"`
	Rules      []*ScorecardRule `json:"rules"`
	Missing    []*ScorecardRule `json:"missing"`
	NextStep   string           `json:"next_step"`
}

// ScorecardRule is one rule's result: whether it passes and why.
type ScorecardRule struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Level    string `json:"level"`
	Pass     bool   `json:"pass"`
	Detail   string `json:"detail"`
	Guidance string `json:"guidance,omitempty"`
}

// ScorecardEvaluateResult is the answer of POST
// /api/v1/scorecards/evaluate: how many services and standings were
// evaluated and recorded, and how many regression notices were sent.
type ScorecardEvaluateResult struct {
	Services    int `json:"services"`
	Evaluations int `json:"evaluations"`
	Notices     int `json:"notices"`
}
