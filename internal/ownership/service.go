package ownership

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/suggest"
)

// Store is what Service needs from persistence.
type Store interface {
	paved.CatalogStore
	paved.OwnershipStore
}

// Service answers every ownership question for the CLI's local backend and
// the web server alike: the effective map (the config file overlaid by
// admin edits), its validation against the catalog, admin edits, the
// considerations of a service's own resources, and the gap report.
// Authorisation happens before, at the edge.
type Service struct {
	Store Store
	// Map is the platform config's map; nil means the embedded default.
	Map *Map
	Now func() time.Time
}

func (s *Service) base() *Map {
	if s.Map != nil {
		return s.Map
	}
	return MustDefault()
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AllTeams reads every team of the catalog, page by page.
func AllTeams(ctx context.Context, st paved.CatalogStore) ([]*paved.Team, error) {
	var out []*paved.Team
	for off := 0; ; off += paved.MaxLimit {
		ts, total, err := st.FindTeams(ctx, paved.TeamFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
		if len(ts) == 0 || off+len(ts) >= total {
			return out, nil
		}
	}
}

// Teams indexes the catalog's teams for resolving references.
func (s *Service) Teams(ctx context.Context) (*Teams, error) {
	ts, err := AllTeams(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	return NewTeams(ts), nil
}

// Effective returns the effective map and the stale admin edits.
func (s *Service) Effective(ctx context.Context) (*Map, []*paved.OwnershipEdit, error) {
	edits, err := s.Store.FindOwnershipEdits(ctx)
	if err != nil {
		return nil, nil, err
	}
	m, stale := Apply(s.base(), edits)
	return m, stale, nil
}

// Filter selects concerns for Show.
type Filter struct {
	Team    string // a team reference or catalog team name: concerns where it has a role
	Concern string // one concern id
}

// Column is one team of the matrix.
type Column struct {
	Ref   string `json:"ref"`             // as the map writes it
	Team  string `json:"team,omitempty"`  // the catalog team it resolves to ("" for product-team or unresolved)
	Title string `json:"title,omitempty"` // the team's title, or a description of product-team
	Error string `json:"error,omitempty"` // why it does not resolve
}

// View is the map as the CLI, the API and the portal show it.
type View struct {
	Source   string                 `json:"source"`
	Layers   []*Layer               `json:"layers"`
	Columns  []*Column              `json:"teams"`
	Problems []Problem              `json:"problems"`
	Stale    []*paved.OwnershipEdit `json:"stale,omitempty"`
}

// Show returns the effective map, filtered, with its teams resolved and
// its problems (unknown teams, concerns without an owner).
func (s *Service) Show(ctx context.Context, f Filter) (*View, error) {
	m, stale, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	v := &View{Source: m.Source, Columns: columns(m, teams), Problems: Validate(m, teams), Stale: stale}
	if v.Problems == nil {
		v.Problems = []Problem{}
	}
	if f.Concern != "" {
		if m.Concern(f.Concern) == nil {
			return nil, unknownConcern(m, f.Concern)
		}
	}
	if f.Team != "" {
		if !slices.ContainsFunc(v.Columns, func(c *Column) bool { return c.Ref == f.Team || c.Team == f.Team }) {
			if _, err := teams.Resolve(f.Team); err != nil {
				return nil, paved.FieldErrorf(paved.ErrorCode(err), "team", "%s", msgOf(err))
			}
		}
	}
	for _, l := range m.Layers {
		nl := *l
		nl.Concerns = nil
		for _, c := range l.Concerns {
			if f.Concern != "" && c.ID != f.Concern {
				continue
			}
			if f.Team != "" && !hasRole(c, f.Team, teams) {
				continue
			}
			nl.Concerns = append(nl.Concerns, c)
		}
		if len(nl.Concerns) > 0 {
			v.Layers = append(v.Layers, &nl)
		}
	}
	if v.Layers == nil {
		v.Layers = []*Layer{}
	}
	return v, nil
}

// hasRole reports whether team (a reference or a catalog team name) has a
// role in c.
func hasRole(c *Concern, team string, teams *Teams) bool {
	for _, ref := range append([]string{c.Owner, c.Accountable}, append(c.Consulted, c.Informed...)...) {
		if ref == "" {
			continue
		}
		if ref == team || teams.Name(ref, "") == team {
			return true
		}
	}
	return false
}

func unknownConcern(m *Map, id string) error {
	var ids []string
	for _, c := range m.Concerns() {
		ids = append(ids, c.ID)
	}
	msg := fmt.Sprintf("unknown concern %q: paved ownership show lists the concerns", id)
	if s := suggest.Closest(strings.ToLower(id), ids, 2); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return paved.FieldErrorf(paved.ENOTFOUND, "concern", "%s", msg)
}

// columns orders the map's teams: the enablement kinds in their usual
// order, then other teams by name, then product-team; active enablement
// teams the map does not name come after them, so that an admin can
// assign them.
func columns(m *Map, teams *Teams) []*Column {
	refs := m.Refs()
	rank := func(ref string) int {
		if ref == paved.ProductTeam {
			return 100
		}
		for i, k := range paved.TeamKinds {
			if string(k) == ref {
				return i
			}
		}
		if tm, err := teams.Resolve(ref); err == nil && tm != nil {
			for i, k := range paved.TeamKinds {
				if tm.Kind == k {
					return i
				}
			}
		}
		return 50
	}
	sort.SliceStable(refs, func(i, j int) bool {
		ri, rj := rank(refs[i]), rank(refs[j])
		if ri != rj {
			return ri < rj
		}
		return refs[i] < refs[j]
	})
	var out []*Column
	used := map[string]bool{}
	for _, ref := range refs {
		c := &Column{Ref: ref}
		if ref == paved.ProductTeam {
			c.Title = "The service's own team"
		} else if tm, err := teams.Resolve(ref); err != nil {
			c.Error = msgOf(err)
		} else {
			c.Team, c.Title = tm.Name, tm.Title
			used[tm.Name] = true
		}
		out = append(out, c)
	}
	if !slices.Contains(refs, paved.ProductTeam) {
		out = append(out, &Column{Ref: paved.ProductTeam, Title: "The service's own team"})
	}
	if teams != nil {
		var extra []*paved.Team
		for _, tm := range teams.byName {
			if tm.Kind.Enablement() && !used[tm.Name] {
				extra = append(extra, tm)
			}
		}
		sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
		for _, tm := range extra {
			out = append(out, &Column{Ref: tm.Name, Team: tm.Name, Title: tm.Title})
		}
	}
	return out
}

// Validate checks the map at hand (a file being validated, or nil for the
// effective map) against the catalog.
func (s *Service) Validate(ctx context.Context, m *Map) ([]Problem, error) {
	if m == nil {
		var err error
		if m, _, err = s.Effective(ctx); err != nil {
			return nil, err
		}
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	ps := Validate(m, teams)
	if ps == nil {
		ps = []Problem{}
	}
	return ps, nil
}

// Edit stores an admin's reassignment of one concern and returns the
// concern as it now stands in the effective map. The edit is checked in
// full before anything is written.
func (s *Service) Edit(ctx context.Context, e *paved.OwnershipEdit) (*Concern, error) {
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	if err := CheckEdit(s.base(), teams, e); err != nil {
		return nil, err
	}
	if err := s.Store.SaveOwnershipEdit(ctx, e); err != nil {
		return nil, err
	}
	m, _, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	return m.Concern(e.Concern), nil
}

// Reset removes the admin edit of a concern; the file's assignment
// applies again.
func (s *Service) Reset(ctx context.Context, concern string) (*Concern, error) {
	if err := s.Store.DeleteOwnershipEdit(ctx, strings.TrimSpace(concern)); err != nil {
		return nil, err
	}
	m, _, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	return m.Concern(concern), nil
}

// Export writes the effective map as an ownership.yaml to commit back to
// the platform config repository.
func (s *Service) Export(ctx context.Context) ([]byte, error) {
	m, _, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	edited := 0
	for _, c := range m.Concerns() {
		if c.Edit != nil {
			edited++
		}
	}
	header := fmt.Sprintf("Ownership map exported by paved on %s.\nThe config file (%s) with %d concern(s) reassigned by admins in the portal.\nCommit it as ownership.yaml next to paved.yaml; docs/ownership.md explains the format.",
		s.now().UTC().Format("2006-01-02 15:04 UTC"), m.Source, edited)
	return Marshal(m, header)
}

// Responsibilities returns the shared-responsibility table of a type.
func Responsibilities(typ string) (*Table, error) {
	if t := TableFor(strings.TrimSpace(typ)); t != nil {
		return t, nil
	}
	types := TableTypes()
	msg := fmt.Sprintf("no shared-responsibility table for %q: paved knows %s", typ, strings.Join(types, ", "))
	if s := suggest.Closest(strings.ToLower(typ), types, 2); s != "" {
		msg = fmt.Sprintf("no shared-responsibility table for %q (did you mean %q?): paved knows %s", typ, s, strings.Join(types, ", "))
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "%s", msg)
}

// ServiceReport is what a service's own resources ask of its team.
type ServiceReport struct {
	Service   string    `json:"service"`
	Team      string    `json:"team"`
	Check     int64     `json:"check,omitempty"` // 0: no check with resources recorded yet
	At        time.Time `json:"at,omitzero"`
	Resources int       `json:"resources"`
	Omitted   int       `json:"omitted,omitempty"`
	// Untabled counts the resources whose type has no table, by type.
	Untabled       map[string]int         `json:"untabled"`
	Considerations []*paved.Consideration `json:"considerations"`
}

// ServiceReport derives the considerations of a service from its latest
// check's resources.
func (s *Service) ServiceReport(ctx context.Context, name string) (*ServiceReport, error) {
	svc, err := s.Store.FindService(ctx, strings.TrimSpace(name))
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.LatestCheckResources(ctx, svc.Name)
	if err != nil {
		return nil, err
	}
	rep := &ServiceReport{Service: svc.Name, Team: svc.Owner, Untabled: map[string]int{}, Considerations: []*paved.Consideration{}}
	if rs == nil {
		return rep, nil
	}
	m, _, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	rep.Check, rep.At, rep.Resources, rep.Omitted = rs.CheckID, rs.At, len(rs.Resources), rs.Omitted
	for _, r := range rs.Resources {
		if r != nil && TableFor(r.Type) == nil {
			rep.Untabled[r.Type]++
		}
	}
	if cs := Evaluate(svc, rs, m, teams); cs != nil {
		rep.Considerations = cs
	}
	return rep, nil
}

// Considerations is the hook the launch checklist calls
// (launch.Service.Considerations): the considerations of svc's latest
// check, nil when none carried resources.
func (s *Service) Considerations(ctx context.Context, svc *paved.Service) ([]*paved.Consideration, error) {
	rs, err := s.Store.LatestCheckResources(ctx, svc.Name)
	if err != nil || rs == nil {
		return nil, err
	}
	m, _, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	return Evaluate(svc, rs, m, teams), nil
}

// Gaps reports the concerns no team owns and the services whose resources
// leave a team-owned concern unaddressed.
func (s *Service) Gaps(ctx context.Context) (*GapReport, error) {
	m, stale, err := s.Effective(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	var scs []ServiceConsiderations
	for off := 0; ; off += paved.MaxLimit {
		svcs, total, err := s.Store.FindServices(ctx, paved.ServiceFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		for _, svc := range svcs {
			if svc.Phase == paved.PhaseRetired {
				continue
			}
			rs, err := s.Store.LatestCheckResources(ctx, svc.Name)
			if err != nil {
				return nil, err
			}
			if rs == nil {
				continue
			}
			scs = append(scs, ServiceConsiderations{Service: svc, Considerations: Evaluate(svc, rs, m, teams)})
		}
		if len(svcs) == 0 || off+len(svcs) >= total {
			break
		}
	}
	g := Gaps(m, teams, scs)
	g.Stale = stale
	return g, nil
}
