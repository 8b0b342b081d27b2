package launch

import (
	"context"
	"fmt"

	paved "github.com/paved-dev/paved"
)

// Considerations raised by the service's own resources: the concerns its
// latest recorded check's resources leave to a team or ask to be switched
// on (internal/ownership decides them from the shared-responsibility
// tables and the ownership map). The checklist shows them beside its items,
// with automatic evidence where the plan answers them. They inform the
// team and its reviewers; they do not count towards readiness or gates.

// Consideration is one concern a resource raises, with its evidence.
type Consideration struct {
	*paved.Consideration
	// Evidence is what the plan shows: satisfied when the vendor covers
	// the concern or the plan enables it; nil when only the team can
	// answer it (the plan cannot show it).
	Evidence *Evidence `json:"evidence,omitempty"`
}

// ConsiderationsFunc returns the considerations of a service's latest
// check (ownership.Service.Considerations); nil when there are none.
type ConsiderationsFunc func(ctx context.Context, svc *paved.Service) ([]*paved.Consideration, error)

// ConsiderationEvidence turns a consideration into checklist evidence.
func ConsiderationEvidence(c *paved.Consideration) *Evidence {
	if c == nil || c.State == paved.StateTeam {
		return nil
	}
	src := "the latest check's resources"
	if c.Check > 0 {
		src = fmt.Sprintf("check #%d, %s", c.Check, c.Resource)
	}
	ev := &Evidence{Source: src, AsOf: c.AsOf, Detail: c.Detail}
	switch c.State {
	case paved.StateVendor:
		ev.Satisfied = true
		if ev.Detail == "" {
			ev.Detail = "covered by the vendor"
		} else {
			ev.Detail = "covered by the vendor: " + ev.Detail
		}
	case paved.StateEnabled:
		ev.Satisfied = true
	}
	return ev
}

// addConsiderations fills st.Considerations from s.Considerations.
func (s *Service) addConsiderations(ctx context.Context, st *Status) error {
	if s.Considerations == nil || st == nil || st.Service == nil {
		return nil
	}
	cs, err := s.Considerations(ctx, st.Service)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c != nil {
			st.Considerations = append(st.Considerations, &Consideration{Consideration: c, Evidence: ConsiderationEvidence(c)})
		}
	}
	return nil
}

// FactsFunc returns a service's facts, expired ones included
// (paved.FactStore.FindFacts).
type FactsFunc func(ctx context.Context, service string) ([]*paved.Fact, error)

// factFinder is the part of paved.FactStore that fact evidence reads.
type factFinder interface {
	FindFacts(ctx context.Context, f paved.FactFilter) ([]*paved.Fact, error)
}

// facts returns a service's facts for fact evidence: from s.Facts, or from
// the store when it keeps facts; none otherwise.
func (s *Service) facts(ctx context.Context, service string) ([]*paved.Fact, error) {
	if s.Facts != nil {
		return s.Facts(ctx, service)
	}
	if ff, ok := s.Store.(factFinder); ok {
		return ff.FindFacts(ctx, paved.FactFilter{Service: service})
	}
	return nil, nil
}

// addFacts fills the facts of many launches, with one read when the store
// keeps facts.
func (s *Service) addFacts(ctx context.Context, ls []*paved.Launch) error {
	if s.Facts != nil {
		for _, l := range ls {
			if l.Service == nil {
				continue
			}
			fs, err := s.Facts(ctx, l.Service.Name)
			if err != nil {
				return err
			}
			l.Facts = fs
		}
		return nil
	}
	ff, ok := s.Store.(factFinder)
	if !ok || len(ls) == 0 {
		return nil
	}
	all, err := ff.FindFacts(ctx, paved.FactFilter{})
	if err != nil {
		return err
	}
	by := map[string][]*paved.Fact{}
	for _, f := range all {
		by[f.Service] = append(by[f.Service], f)
	}
	for _, l := range ls {
		if l.Service != nil {
			l.Facts = by[l.Service.Name]
		}
	}
	return nil
}
