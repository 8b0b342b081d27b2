package scorecard

import (
	"context"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/notify"
)

// Gather returns what the launch knows of the services to score (one when
// service is not ""): the service, its facts, latest recorded check and
// item states. app.New wires it to launch.Service.ItemStates, so that this
// package depends on no other capability.
type Gather func(ctx context.Context, service string) ([]*Input, error)

// Service evaluates the scorecards for every face and for the daily job.
type Service struct {
	Store  paved.Store
	Cards  *Set
	Gather Gather
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Standing is one service's evaluations, one per scorecard that applies.
type Standing struct {
	Service     string        `json:"service"`
	Team        string        `json:"team"`
	Evaluations []*Evaluation `json:"scorecards"`
}

// inputs gathers the inputs and adds what the store holds beyond the
// launch: the owning teams' kinds, the valid exceptions and this month's
// budget alerts.
func (s *Service) inputs(ctx context.Context, service string, now time.Time) ([]*Input, error) {
	ins, err := s.Gather(ctx, service)
	if err != nil {
		return nil, err
	}
	teams, _, err := s.Store.FindTeams(ctx, paved.TeamFilter{IncludeRetired: true})
	if err != nil {
		return nil, err
	}
	kinds := make(map[string]paved.TeamKind, len(teams))
	for _, t := range teams {
		kinds[t.Name] = t.Kind
	}
	excBy := map[string][]*paved.Exception{}
	for off := 0; ; off += paved.MaxLimit {
		exc, total, err := s.Store.FindExceptions(ctx, paved.ExceptionFilter{Service: service, Status: paved.ExceptionApproved,
			Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		for _, e := range exc {
			excBy[e.Service] = append(excBy[e.Service], e)
		}
		if len(exc) == 0 || off+len(exc) >= total {
			break
		}
	}
	alerts, err := s.Store.FindCostAlerts(ctx, paved.CostAlertFilter{Period: now.Format("2006-01")})
	if err != nil {
		return nil, err
	}
	alertBy := map[string][]*paved.CostAlert{}
	for _, a := range alerts {
		if a.Rule != paved.RuleBudget {
			continue
		}
		switch a.Scope {
		case paved.ScopeService:
			alertBy["service/"+a.Name] = append(alertBy["service/"+a.Name], a)
		case paved.ScopeTeam:
			alertBy["team/"+a.Name] = append(alertBy["team/"+a.Name], a)
		}
	}
	for _, in := range ins {
		if in.Service == nil {
			continue
		}
		in.TeamKind = kinds[in.Service.Owner]
		in.Exceptions = excBy[in.Service.Name]
		in.BudgetAlerts = append(append([]*paved.CostAlert(nil), alertBy["service/"+in.Service.Name]...), alertBy["team/"+in.Service.Owner]...)
	}
	return ins, nil
}

// EvaluateAll scores every service on every scorecard that applies to it,
// now, without storing anything.
func (s *Service) EvaluateAll(ctx context.Context) ([]*Standing, error) {
	return s.evaluate(ctx, "")
}

// Show scores one service now.
func (s *Service) Show(ctx context.Context, service string) (*Standing, error) {
	st, err := s.evaluate(ctx, service)
	if err != nil {
		return nil, err
	}
	if len(st) == 0 {
		return &Standing{Service: service, Evaluations: []*Evaluation{}}, nil
	}
	return st[0], nil
}

func (s *Service) evaluate(ctx context.Context, service string) ([]*Standing, error) {
	now := s.now()
	ins, err := s.inputs(ctx, service, now)
	if err != nil {
		return nil, err
	}
	out := make([]*Standing, 0, len(ins))
	for _, in := range ins {
		if in.Service == nil {
			continue
		}
		st := &Standing{Service: in.Service.Name, Team: in.Service.Owner, Evaluations: []*Evaluation{}}
		if s.Cards != nil {
			for _, c := range s.Cards.Cards {
				if c.Applies(in.Service, in.TeamKind) {
					st.Evaluations = append(st.Evaluations, c.Evaluate(in, now))
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Current returns the stored current standings that match the filter (its
// service, team and scorecard) and, when level is not "", hold that level
// ("none" for the services that reach no level).
func (s *Service) Current(ctx context.Context, f paved.ScorecardFilter, level string) ([]*paved.ScorecardResult, error) {
	rs, err := s.Store.CurrentScorecardResults(ctx, f)
	if err != nil || level == "" {
		return rs, err
	}
	want := level
	if level == "none" {
		want = ""
	}
	out := rs[:0]
	for _, r := range rs {
		if r.Level == want {
			out = append(out, r)
		}
	}
	return out, nil
}

// Record scores every service now and stores the day's results: a change
// of level is audited, and a service that lost a level or a rule's
// evidence notifies its owning team (at most once per rule until it
// recovers). It returns the standings and how many notices it sent.
func (s *Service) Record(ctx context.Context) ([]*Standing, int, error) {
	now := s.now()
	all, err := s.EvaluateAll(ctx)
	if err != nil {
		return nil, 0, err
	}
	prev, err := s.Store.CurrentScorecardResults(ctx, paved.ScorecardFilter{})
	if err != nil {
		return nil, 0, err
	}
	type key struct{ service, card string }
	before := make(map[key]*paved.ScorecardResult, len(prev))
	for _, p := range prev {
		before[key{p.Service, p.Scorecard}] = p
	}
	day := &paved.ScorecardDay{Complete: true, Results: []*paved.ScorecardResult{}}
	for _, st := range all {
		for _, ev := range st.Evaluations {
			day.Results = append(day.Results, ev.Result(now.Format(time.DateOnly), now))
			if g := s.regression(before[key{st.Service, ev.Scorecard}], ev); g != nil {
				day.Regressions = append(day.Regressions, g)
			}
		}
	}
	sent, err := s.Store.SaveScorecardDay(ctx, day)
	if err != nil {
		return nil, 0, err
	}
	return all, sent, nil
}

// regression compares an evaluation with the previous result: the rules
// that passed then and fail now, announced by Regressed.
func (s *Service) regression(prev *paved.ScorecardResult, ev *Evaluation) *paved.ScorecardRegression {
	if prev == nil {
		return nil // a first result is where a service starts, not a loss
	}
	failedBefore := map[string]bool{}
	for _, id := range prev.Failing {
		failedBefore[id] = true
	}
	var lost []string
	for _, r := range ev.Rules {
		if !r.Pass && !failedBefore[r.ID] {
			lost = append(lost, r.ID)
		}
	}
	if len(lost) == 0 {
		return nil
	}
	card := s.Cards.Find(ev.Scorecard)
	prevLevel := prev.Level
	return &paved.ScorecardRegression{Service: ev.Service, Scorecard: ev.Scorecard, Rules: lost,
		Compose: func(fresh []string) *paved.Notification { return Regressed(card, ev, prevLevel, fresh) }}
}

// Every is how often the daily job runs: hourly runs would store the same
// day's row again and again, so once a day is the record; an evaluation
// on demand (paved scorecard evaluate) stores the day's row at once.
const Every = 24 * time.Hour

// JobName is the job runner's name for the daily evaluation.
const JobName = "scorecards.daily"

// LiveJob is the daily job, run by the Service in force at each run (paved
// serve swaps it at a reload, so the scorecards follow the config).
func LiveJob(cur func() *Service, log func(msg string, args ...any)) notify.Job {
	return notify.Job{
		Name:    JobName,
		Every:   Every,
		Timeout: 30 * time.Minute,
		Run: func(ctx context.Context) error {
			all, sent, err := cur().Record(ctx)
			if err == nil && log != nil {
				log("scorecards evaluated", "services", len(all), "regressions_announced", sent)
			}
			return err
		},
	}
}
