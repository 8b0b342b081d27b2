package ownership

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/suggest"
)

// Teams resolves the map's team references against the catalog: a
// reference is an active team's name, or a team kind that exactly one
// active enablement team has, or paved.ProductTeam.
type Teams struct {
	byName map[string]*paved.Team
	byKind map[paved.TeamKind][]*paved.Team
}

// NewTeams indexes the catalog's teams (retired ones are left out).
func NewTeams(teams []*paved.Team) *Teams {
	t := &Teams{byName: map[string]*paved.Team{}, byKind: map[paved.TeamKind][]*paved.Team{}}
	for _, tm := range teams {
		if tm == nil || tm.RetiredAt != nil {
			continue
		}
		t.byName[tm.Name] = tm
		if tm.Kind.Enablement() {
			t.byKind[tm.Kind] = append(t.byKind[tm.Kind], tm)
		}
	}
	for _, ts := range t.byKind {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	}
	return t
}

// Resolve returns the catalog team a reference names. ProductTeam
// resolves to nil without error: it means each service's own owner.
func (t *Teams) Resolve(ref string) (*paved.Team, error) {
	if ref == paved.ProductTeam {
		return nil, nil
	}
	if t == nil {
		return nil, paved.Errorf(paved.ENOTFOUND, "team %q is unknown: the catalog has no teams", ref)
	}
	if tm, ok := t.byName[ref]; ok {
		return tm, nil
	}
	if k := paved.TeamKind(ref); k.Enablement() {
		switch ts := t.byKind[k]; len(ts) {
		case 1:
			return ts[0], nil
		case 0:
		default:
			names := make([]string, len(ts))
			for i, tm := range ts {
				names[i] = tm.Name
			}
			return nil, paved.Errorf(paved.EUNPROCESSABLE, "%q names a team kind that %d teams have (%s): name one of them instead", ref, len(ts), strings.Join(names, ", "))
		}
	}
	msg := fmt.Sprintf("team %q is not in the catalog: name a catalog team (paved team list), a team kind that exactly one team has, or %s", ref, paved.ProductTeam)
	if s := suggest.Closest(strings.ToLower(ref), t.names(), 2); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "%s", msg)
}

func (t *Teams) names() []string {
	out := make([]string, 0, len(t.byName)+len(t.byKind))
	for n := range t.byName {
		out = append(out, n)
	}
	for k := range t.byKind {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// Name returns the catalog team name a reference resolves to: the
// reference itself when it does not resolve, svcOwner for ProductTeam.
func (t *Teams) Name(ref, svcOwner string) string {
	if ref == "" {
		return ""
	}
	if ref == paved.ProductTeam {
		return svcOwner
	}
	if tm, err := t.Resolve(ref); err == nil && tm != nil {
		return tm.Name
	}
	return ref
}

// Problem is one thing wrong with a map, found by Validate.
type Problem struct {
	// Where is file:line of the concern ("" for an admin edit's concern
	// without a line).
	Where   string `json:"where,omitempty"`
	Concern string `json:"concern,omitempty"`
	// Severity is error (the map refers to something that does not exist)
	// or warning (a gap: a concern without an owner).
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// Problem severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Validate checks a parsed map against the catalog: every team reference
// resolves (unknown and ambiguous ones are errors), and every concern has
// an owner (a concern without one is a warning: the gap report lists it).
// Syntax and structure were checked by Parse.
func Validate(m *Map, teams *Teams) []Problem {
	var out []Problem
	for _, c := range m.Concerns() {
		where := ""
		if c.Line > 0 && c.Edit == nil {
			where = fmt.Sprintf("%s:%d", m.Source, c.Line)
		}
		by := ""
		if c.Edit != nil {
			by = fmt.Sprintf(" (admin edit by %s)", c.Edit.UpdatedBy)
		}
		check := func(role, ref string) {
			if ref == "" {
				return
			}
			if _, err := teams.Resolve(ref); err != nil {
				out = append(out, Problem{Where: where, Concern: c.ID, Severity: SeverityError,
					Message: fmt.Sprintf("concern %s%s, %s: %s", c.ID, by, role, msgOf(err))})
			}
		}
		if c.Owner == "" {
			out = append(out, Problem{Where: where, Concern: c.ID, Severity: SeverityWarning,
				Message: fmt.Sprintf("concern %s%s has no owner: name the team responsible for it", c.ID, by)})
		}
		check("owner", c.Owner)
		check("accountable", c.Accountable)
		for _, r := range c.Consulted {
			check("consulted", r)
		}
		for _, r := range c.Informed {
			check("informed", r)
		}
	}
	return out
}

// Errors returns the problems of severity error.
func Errors(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == SeverityError {
			out = append(out, p)
		}
	}
	return out
}

// msgOf is an error's message without its field.
func msgOf(err error) string {
	var e *paved.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return paved.ErrorMessage(err)
}
