package web

import (
	"net/http"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// Scorecards (internal/scorecard): the stored current standings, one
// service's levels evaluated now, and an evaluation of every service on
// demand (what the daily job does).

func (s *Server) listScorecards(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rs, err := s.app.Scorecards.Current(r.Context(), paved.ScorecardFilter{Team: q.Get("team"), Scorecard: q.Get("scorecard")}, q.Get("level"))
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []*paved.ScorecardResult{}
	}
	writeJSON(w, http.StatusOK, rs)
	return nil
}

func (s *Server) getServiceScorecards(w http.ResponseWriter, r *http.Request) error {
	st, err := s.app.Scorecards.Show(r.Context(), targetOf(r).Service.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// evaluateScorecards records every service's standing now, as the daily
// job does (the day's last evaluation wins).
func (s *Server) evaluateScorecards(w http.ResponseWriter, r *http.Request) error {
	all, sent, err := s.app.Scorecards.Record(r.Context())
	if err != nil {
		return err
	}
	res := api.ScorecardEvaluateResult{Services: len(all), Notices: sent}
	for _, st := range all {
		res.Evaluations += len(st.Evaluations)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
