package client

import (
	"context"
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// Scorecards. The methods mirror scorecard.Service (Current, Show,
// Record), so that `paved scorecard` can work the same on the local
// database or through a server.

// ScorecardStandings returns the stored current standings, filtered by
// team, scorecard and level ("none": the services that reach no level).
func (c *Client) ScorecardStandings(ctx context.Context, f paved.ScorecardFilter, level string) ([]*paved.ScorecardResult, error) {
	q := url.Values{}
	setIf(q, "team", f.Team)
	setIf(q, "scorecard", f.Scorecard)
	setIf(q, "level", level)
	var out []*paved.ScorecardResult
	if err := c.do(ctx, http.MethodGet, "/scorecards", q, nil, &out); err != nil {
		return nil, err
	}
	if f.Service != "" {
		kept := out[:0]
		for _, r := range out {
			if r.Service == f.Service {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	return out, nil
}

// ServiceScorecards evaluates one service's scorecards now: its level on
// each, what is missing for the next and the next step.
func (c *Client) ServiceScorecards(ctx context.Context, service string) (*api.ScorecardStanding, error) {
	var out api.ScorecardStanding
	if err := c.do(ctx, http.MethodGet, launchPath(service)+"/scorecards", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// EvaluateScorecards records every service's standing now on the server,
// as the daily job does (admins).
func (c *Client) EvaluateScorecards(ctx context.Context) (*api.ScorecardEvaluateResult, error) {
	var out api.ScorecardEvaluateResult
	if err := c.do(ctx, http.MethodPost, "/scorecards/evaluate", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
