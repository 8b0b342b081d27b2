package platform

import (
	"context"
	"fmt"
	"sort"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/policy"
)

// RecordStore is what the impact analysis and the campaigns read: the
// services and the resources of each one's latest recorded check.
type RecordStore interface {
	FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error)
	LatestCheckResources(ctx context.Context, service string) (*paved.CheckResources, error)
}

// ImpactStore adds the exceptions that a proposed config could make
// unnecessary.
type ImpactStore interface {
	RecordStore
	FindExceptions(ctx context.Context, f paved.ExceptionFilter) ([]*paved.Exception, int, error)
}

// EachRecorded calls fn for every service that is not retired and has
// recorded resources, in name order, and returns how many services have
// none.
func EachRecorded(ctx context.Context, st RecordStore, fn func(*paved.Service, *paved.CheckResources) error) (without int, err error) {
	for off := 0; ; off += paved.MaxLimit {
		svcs, total, err := st.FindServices(ctx, paved.ServiceFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return 0, err
		}
		for _, s := range svcs {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			rs, err := st.LatestCheckResources(ctx, s.Name)
			if err != nil {
				if paved.ErrorCode(err) == paved.ENOTFOUND {
					continue // retired or renamed since the list was read
				}
				return 0, err
			}
			if rs == nil {
				without++
				continue
			}
			if err := fn(s, rs); err != nil {
				return 0, err
			}
		}
		if len(svcs) == 0 || off+len(svcs) >= total {
			return without, nil
		}
	}
}

// Impact re-evaluates every service's latest recorded resources under the
// current and the proposed snapshot and reports, per team and service,
// the findings that would appear, disappear or change, and the pending or
// approved exceptions that would become unnecessary. Only paved-style
// rules are evaluated (see check.Recorded).
func Impact(ctx context.Context, st ImpactStore, current, proposed *Snapshot, now time.Time) (*paved.ImpactReport, error) {
	rep := &paved.ImpactReport{
		Current: current.Version.String(), Proposed: proposed.Version.String(), GeneratedAt: now.UTC(),
		Rules: policy.DiffRules(current.Engine, proposed.Engine), Teams: []*paved.TeamImpact{},
		Notes: []string{
			"Findings are re-evaluated from the resources the latest check of each service recorded: prior values, attributes known only after apply and resources over the recording limits are not there.",
			"Conftest-style policies (packages outside paved.rules) judge whole documents, which the server does not keep: they are not part of the analysis.",
		},
	}
	if rep.Rules == nil {
		rep.Rules = []paved.RuleChange{}
	}
	exc, err := liveExceptions(ctx, st, now)
	if err != nil {
		return nil, err
	}
	teams := map[string]*paved.TeamImpact{}
	without, err := EachRecorded(ctx, st, func(s *paved.Service, rs *paved.CheckResources) error {
		rep.Services++
		before, err := check.Recorded(ctx, current.Engine, s, rs)
		if err != nil {
			return fmt.Errorf("evaluating %s under the current config: %w", s.Name, err)
		}
		after, err := check.Recorded(ctx, proposed.Engine, s, rs)
		if err != nil {
			return fmt.Errorf("evaluating %s under the proposed config: %w", s.Name, err)
		}
		si := &paved.ServiceImpact{Service: s.Name, Team: s.Owner, CheckID: rs.CheckID, CheckedAt: rs.At, Omitted: rs.Omitted,
			Changes: policy.DiffFindings(before, after), Exceptions: []paved.ExceptionImpact{}}
		if si.Changes == nil {
			si.Changes = []paved.FindingChange{}
		}
		for _, e := range exc[s.Name] {
			if why := unnecessary(e, before, after); why != "" {
				si.Exceptions = append(si.Exceptions, paved.ExceptionImpact{ID: e.ID, Status: e.State(now), Rule: e.Rule, Resource: e.Resource, Link: e.Link(), Why: why})
			}
		}
		if len(si.Changes) == 0 && len(si.Exceptions) == 0 {
			return nil
		}
		t := teams[s.Owner]
		if t == nil {
			t = &paved.TeamImpact{Team: s.Owner}
			teams[s.Owner] = t
		}
		t.Services = append(t.Services, si)
		count(&t.Summary, si)
		count(&rep.Summary, si)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.WithoutCheck = without
	names := make([]string, 0, len(teams))
	for n := range teams {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rep.Teams = append(rep.Teams, teams[n])
	}
	return rep, nil
}

func count(sum *paved.ImpactSummary, si *paved.ServiceImpact) {
	sum.Services++
	sum.Unnecessary += len(si.Exceptions)
	for _, c := range si.Changes {
		switch c.Change {
		case paved.FindingAppears:
			sum.Appear++
			if c.After.Severity == paved.SeverityDeny {
				sum.NewDeny++
			}
		case paved.FindingDisappears:
			sum.Disappear++
		case paved.FindingChanges:
			sum.Change++
			if c.After.Severity == paved.SeverityDeny && c.Before.Severity != paved.SeverityDeny {
				sum.NewDeny++
			}
		}
	}
}

// liveExceptions returns the pending and approved (unexpired) exceptions
// by service.
func liveExceptions(ctx context.Context, st ImpactStore, now time.Time) (map[string][]*paved.Exception, error) {
	out := map[string][]*paved.Exception{}
	for _, status := range []paved.ExceptionStatus{paved.ExceptionPending, paved.ExceptionApproved} {
		for off := 0; ; off += paved.MaxLimit {
			es, total, err := st.FindExceptions(ctx, paved.ExceptionFilter{Status: status, Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				if s := e.State(now); s == paved.ExceptionPending || s == paved.ExceptionApproved {
					out[e.Service] = append(out[e.Service], e)
				}
			}
			if len(es) == 0 || off+len(es) >= total {
				break
			}
		}
	}
	return out, nil
}

// unnecessary says why exception e, needed under the current config's
// findings, would not be under the proposed one; "" when it still would
// be, or was not needed to begin with.
func unnecessary(e *paved.Exception, before, after []paved.Finding) string {
	match := func(fs []paved.Finding, deny bool) *paved.Finding {
		for i := range fs {
			f := &fs[i]
			if f.Rule == e.Rule && f.Resource == e.Resource && paved.ExceptionFingerprint(f) == e.Fingerprint &&
				(!deny || f.Severity == paved.SeverityDeny) {
				return f
			}
		}
		return nil
	}
	if match(before, true) == nil {
		return "" // not needed now either: the latest check no longer has the finding
	}
	if match(after, true) != nil {
		return ""
	}
	if f := match(after, false); f != nil {
		if f.EnforceFrom != "" {
			return "the finding would be a warning until " + f.EnforceFrom
		}
		return "the finding would be a warning"
	}
	for i := range after {
		if after[i].Rule == e.Rule && after[i].Resource == e.Resource {
			return "the rule would judge other values (the exception binds the old ones)"
		}
	}
	return "the finding would no longer be reported"
}
