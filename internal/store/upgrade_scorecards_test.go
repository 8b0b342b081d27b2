package store

import (
	"testing"

	paved "github.com/paved-dev/paved"
)

// fillScorecards: a day of scorecard results with an open notice (0012).
func fillScorecards(t *testing.T, u *upgradeEnv) {
	r := scResult("checkout", "security", "2026-03-14", "bronze", 0.5, "encryption")
	r.EvaluatedAt = u.clock.Now().UTC()
	_, err := u.db.SaveScorecardDay(u.ctx, &paved.ScorecardDay{Results: []*paved.ScorecardResult{r},
		Regressions: []*paved.ScorecardRegression{scRegression("checkout", "security", "encryption")}})
	must(t, err)
	r.Since = r.Day
	u.scorecards = []*paved.ScorecardResult{r}
}

func checkScorecards(t *testing.T, u *upgradeEnv) {
	cur, err := u.db.CurrentScorecardResults(u.ctx, paved.ScorecardFilter{Service: "checkout"})
	must(t, err)
	sameJSON(t, "scorecard results", cur, u.scorecards)
	open, err := u.db.OpenScorecardNotices(u.ctx, "checkout")
	must(t, err)
	if len(open["security"]) != 1 {
		t.Errorf("open notices after the upgrade: %v", open)
	}
}
