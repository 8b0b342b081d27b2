package catalog

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Plan compares what was read with the current catalog and decides, for
// every entity, what an import does: create (ID 0), update (ID copied from
// the current entity, only when an imported field differs; the entry names
// the changed fields), unchanged, skipped or invalid. Names are matched
// case-insensitively, as Backstage matches references; an entity that
// matches keeps the name it has in paved. Plan never changes r or cur, so
// one Read can be planned more than once (a dry run, then the write).
//
// What paved owns and Backstage does not carry is never clobbered:
//   - a user's roles: new users get opt.DefaultUserRoles, existing users
//     keep theirs;
//   - tier, data class and team kind: taken from the input only when it
//     says them (paved.dev/* annotations, or a Group spec.type that is a
//     team kind); otherwise an existing entity keeps its value and a new
//     one gets the default;
//   - grandfathered: decided when paved first sees a service;
//   - a service's phase, by this rule: an import sets the phase of a new
//     service, and moves an existing service only to retired (deprecated
//     is the owner saying it is gone). It never moves one backwards (a
//     Backstage lifecycle is coarser than paved's phases: "experimental"
//     covers playground and green-light, so a service paved advanced to
//     green-light stays there), never forwards (that is what the launch
//     gate is for; the entry says so), and never out of retired;
//   - retirement of teams and users: an export marks it with
//     paved.dev/retired-at and an import may retire, but never revives.
func Plan(cur *paved.Catalog, r *Read, opt Options) *paved.ImportPlan {
	o := opt.normalized()
	if cur == nil {
		cur = &paved.Catalog{}
	}
	if r == nil {
		r = &Read{}
	}
	p := newPlanner(cur, r, &o)
	p.findDuplicates()
	p.planTeams()
	p.planUsers()
	p.planServices()
	// Placeholders first: they have no parent, and other teams and
	// services refer to them.
	var ph []*paved.Team
	for _, k := range slices.Sorted(maps.Keys(p.placeholders)) {
		ph = append(ph, p.placeholders[k])
	}
	p.plan.Teams = append(ph, p.plan.Teams...)
	return p.result()
}

// state is Plan's view of one input entity; Read's entities stay as read.
type state struct {
	e       *Entity
	errs    []string
	notes   []string
	warns   []string // dangling references kept (an error with Options.Strict)
	skip    string   // why paved leaves out an entity that is not wrong
	outcome paved.Outcome
	changes []string
	name    string // canonical: as in paved when it exists, else as read

	parent        *ref // spec.parent, or the group whose spec.children names this one
	parentDerived bool

	team *paved.Team
	user *paved.User
	svc  *paved.Service
}

func (s *state) valid() bool { return s.e.Outcome == "" && len(s.errs) == 0 && s.skip == "" }

// notWritten is the outcome of an entity that is not valid(): skipped when
// the only reason is s.skip, else invalid.
func (s *state) notWritten() paved.Outcome {
	if s.skip != "" && len(s.errs) == 0 && s.e.Outcome == "" {
		return paved.OutcomeSkipped
	}
	return paved.OutcomeInvalid
}

func (s *state) fail(format string, args ...any) {
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

// dangling records a reference to an entity that is neither in the import
// nor defined in the catalog. Backstage keeps such a relation dangling, and
// real catalogs have many (a parent group another tool owns, an owner
// defined in another repository), so by default it is a warning and the
// entity imports; with Options.Strict it is an error and the entity is left
// out.
func (p *planner) dangling(s *state, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.opt.Strict {
		s.errs = append(s.errs, msg+" (a warning made an error by the strict import)")
		return
	}
	s.warns = append(s.warns, msg)
}

type planner struct {
	opt *Options
	r   *Read

	curTeams    map[string]*paved.Team
	curUsers    map[string]*paved.User
	curServices map[string]*paved.Service

	st       map[*Entity]*state
	teams    map[string]*state // by lower-case name; the first when a name repeats
	users    map[string]*state
	services map[string]*state
	order    map[string][]*state // per kind, input order

	plan  *paved.ImportPlan
	extra []paved.ImportEntry // updates to users that are not in the input

	// placeholders are the teams this import creates for dangling team
	// references, by lower-case name (see paved.Team.Placeholder).
	placeholders map[string]*paved.Team
	// apis are the names (lower case) of the API entities in the input, for
	// the components' spec.providesApis.
	apis map[string]bool
}

func newPlanner(cur *paved.Catalog, r *Read, o *Options) *planner {
	p := &planner{
		opt: o, r: r,
		curTeams:    make(map[string]*paved.Team, len(cur.Teams)),
		curUsers:    make(map[string]*paved.User, len(cur.Users)),
		curServices: make(map[string]*paved.Service, len(cur.Services)),
		st:          make(map[*Entity]*state, len(r.Entities)),
		teams:       map[string]*state{},
		users:       map[string]*state{},
		services:    map[string]*state{},
		order:       map[string][]*state{},
		plan:        &paved.ImportPlan{},

		placeholders: map[string]*paved.Team{},
		apis:         map[string]bool{},
	}
	for _, t := range cur.Teams {
		if t != nil {
			addFirst(p.curTeams, strings.ToLower(t.Name), t)
		}
	}
	for _, u := range cur.Users {
		if u != nil {
			addFirst(p.curUsers, strings.ToLower(u.Name), u)
		}
	}
	for _, s := range cur.Services {
		if s != nil {
			addFirst(p.curServices, strings.ToLower(s.Name), s)
		}
	}
	for _, e := range r.Entities {
		if e.Kind == kindAPI && e.Outcome != paved.OutcomeInvalid && e.Name != "" {
			p.apis[strings.ToLower(e.Name)] = true
		}
		byName := map[string]map[string]*state{kindGroup: p.teams, kindUser: p.users, kindComponent: p.services}[e.Kind]
		if byName == nil {
			continue
		}
		s := &state{e: e, name: e.Name}
		p.st[e] = s
		p.order[e.Kind] = append(p.order[e.Kind], s)
		if paved.ValidateName("name", e.Name) == nil {
			addFirst(byName, strings.ToLower(e.Name), s)
		}
	}
	return p
}

func addFirst[V any](m map[string]V, k string, v V) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// findDuplicates makes every entity invalid whose name another entity of
// the same kind also uses: paved keys by name alone, so picking one of
// them would depend on file order.
func (p *planner) findDuplicates() {
	for kind, list := range p.order {
		byName := map[string][]*state{}
		for _, s := range list {
			if paved.ValidateName("name", s.e.Name) == nil {
				k := strings.ToLower(s.e.Name)
				byName[k] = append(byName[k], s)
			}
		}
		for _, same := range byName {
			if len(same) < 2 {
				continue
			}
			var at, nss []string
			for _, s := range same {
				at = append(at, s.e.Source())
				ns := s.e.Namespace
				if ns == "" {
					ns = "default"
				}
				if !slices.Contains(nss, ns) {
					nss = append(nss, ns)
				}
			}
			if len(nss) > 1 && p.keepDefault(kind, same, at) {
				continue
			}
			for _, s := range same {
				if len(nss) > 1 {
					s.fail("metadata.name: %q is used in namespaces %s (at %s): paved keys %s by name alone, so rename one", s.e.Name, strings.Join(nss, " and "), strings.Join(at, ", "), plural(kind))
				} else {
					s.fail("metadata.name: %s %q is defined %d times (at %s): keep one", kind, s.e.Name, len(same), strings.Join(at, ", "))
				}
			}
		}
	}
}

// keepDefault settles a name used in several namespaces when exactly one of
// its entities is in the default namespace, as in Backstage's own example
// organisation (a guest user in default and in development): that one is
// imported and references by name resolve to it, while the others are
// skipped, since paved keys entities by name alone. Which one wins does
// not depend on file order.
func (p *planner) keepDefault(kind string, same []*state, at []string) bool {
	var keep *state
	for _, s := range same {
		if s.e.Namespace == "" {
			if keep != nil {
				return false
			}
			keep = s
		}
	}
	if keep == nil {
		return false
	}
	byName := map[string]map[string]*state{kindGroup: p.teams, kindUser: p.users, kindComponent: p.services}[kind]
	byName[strings.ToLower(keep.e.Name)] = keep
	for _, s := range same {
		if s != keep {
			s.skip = fmt.Sprintf("metadata.name: %q is also used in the default namespace (%s), which paved imports; paved keys %s by name alone, so this one in namespace %s is left out: rename it to import it too", s.e.Name, keep.e.Source(), plural(kind), s.e.Namespace)
		}
	}
	return true
}

func plural(kind string) string {
	switch kind {
	case kindGroup:
		return "teams"
	case kindUser:
		return "users"
	}
	return "services"
}

// teamName resolves a team reference to the canonical name, reporting
// whether the team will exist after the import: valid in the input or
// already in paved.
func (p *planner) teamName(k string) (string, bool) {
	if c := p.curTeams[k]; c != nil {
		return c.Name, true
	}
	if s := p.teams[k]; s != nil && s.valid() {
		return s.e.Name, true
	}
	if t := p.placeholders[k]; t != nil {
		return t.Name, true
	}
	return "", false
}

// undefined reports whether team k, which resolves, is only a placeholder
// after this import: referenced, defined by no Group in the import or the
// catalog.
func (p *planner) undefined(k string) bool {
	if s := p.teams[k]; s != nil && s.valid() {
		return false // the import defines it
	}
	if c := p.curTeams[k]; c != nil {
		return c.Placeholder
	}
	return p.placeholders[k] != nil
}

// placeholder resolves a team reference that names no team: it creates (once)
// the placeholder team that keeps the reference, with the name and
// namespace as first written, and returns its name.
func (p *planner) placeholder(r ref) string {
	k := r.key()
	if t := p.placeholders[k]; t != nil {
		return t.Name
	}
	t := &paved.Team{
		Name: r.Name, Namespace: normNamespace(r.Namespace), Kind: paved.KindProduct, Placeholder: true,
		Tags: []string{}, Links: []paved.Link{}, Annotations: map[string]string{},
	}
	p.placeholders[k] = t
	return t.Name
}

// danglingTeam handles a team reference that names no team in the import or
// the catalog (when missing) or only a placeholder: it warns (or, strictly,
// fails) and, unless strict, resolves the reference to the placeholder.
// It returns the team name to record and whether there is one.
func (p *planner) danglingTeam(s *state, r ref, what string) (string, bool) {
	k := r.key()
	if p.opt.Strict {
		what = "this entity is left out"
	}
	if p.curTeams[k] != nil {
		p.dangling(s, "%s (%s): team %q is referenced but not defined: no Group in this import or the catalog defines it; %s", r.Field, r.At, r.Name, what)
	} else {
		p.dangling(s, "%s (%s): team %q is neither in this import nor in the catalog; %s", r.Field, r.At, r.Name, what)
	}
	if p.opt.Strict {
		return "", false
	}
	if c := p.curTeams[k]; c != nil {
		return c.Name, true
	}
	return p.placeholder(r), true
}

// whyMissing explains why team k will not exist.
func (p *planner) whyMissing(k, written string) string {
	if s := p.teams[k]; s != nil {
		return fmt.Sprintf("team %q (%s) is invalid in this import", written, s.e.Source())
	}
	return fmt.Sprintf("team %q is neither in this import nor in the catalog", written)
}

func (p *planner) planTeams() {
	list := p.order[kindGroup]
	for _, s := range list {
		if c := p.curTeams[strings.ToLower(s.e.Name)]; c != nil {
			s.name = c.Name
		}
		if s.e.parent != nil {
			r := *s.e.parent
			s.parent = &r
		}
	}
	// spec.children: a child that names no parent takes this group as its
	// parent; one that names another parent is contradictory.
	for _, g := range list {
		if !g.valid() {
			continue
		}
		for _, c := range g.e.children {
			k := c.key()
			cs := p.teams[k]
			switch {
			case cs != nil && cs.e.Outcome == "":
				switch {
				case cs.parent == nil:
					cs.parent = &ref{Name: g.e.Name, Field: "spec.children of Group " + g.e.Name, At: c.At}
					cs.parentDerived = true
				case cs.parentDerived && !strings.EqualFold(cs.parent.Name, g.e.Name):
					cs.fail("spec.children of both Group %s (%s) and Group %s (%s) list this team: a team has one parent", cs.parent.Name, cs.parent.At, g.e.Name, c.At)
				case !strings.EqualFold(cs.parent.Name, g.e.Name):
					cs.fail("%s (%s): the parent is %q, but Group %s lists this team in spec.children (%s)", cs.parent.Field, cs.parent.At, cs.parent.Name, g.e.Name, c.At)
				}
			case cs != nil:
				// invalid in the input: its own entry says why
			case p.curTeams[k] != nil:
				if ct := p.curTeams[k]; !strings.EqualFold(ct.Parent, g.e.Name) {
					g.notes = append(g.notes, fmt.Sprintf("%s (%s): team %q is not in this import and its parent in paved is %q; set spec.parent in its own entity to move it", c.Field, c.At, c.Name, ct.Parent))
				}
			default:
				p.dangling(g, "%s (%s): team %q is neither in this import nor in the catalog; not recorded as a child", c.Field, c.At, c.Name)
			}
		}
	}
	// spec.members naming nobody: checked here, before the groups are
	// planned, so that a strict import leaves the group out.
	for _, g := range list {
		if g.e.Outcome != "" || g.skip != "" {
			continue // decided when read
		}
		for _, m := range g.e.members {
			if p.users[m.key()] == nil && p.curUsers[m.key()] == nil {
				p.dangling(g, "%s (%s): user %q is neither in this import nor in the catalog; membership not recorded", m.Field, m.At, m.Name)
			}
		}
	}
	// spec.parent names another team; one that is neither in the import
	// nor in the catalog is kept dangling (a placeholder parent), as
	// Backstage keeps it.
	for _, s := range list {
		if !s.valid() || s.parent == nil {
			continue
		}
		k := s.parent.key()
		switch {
		case k == strings.ToLower(s.e.Name):
			s.fail("%s (%s): a team cannot be its own parent", s.parent.Field, s.parent.At)
		case p.teams[k] == nil && (p.curTeams[k] == nil || p.curTeams[k].Placeholder):
			if _, ok := p.danglingTeam(s, *s.parent, "kept as a placeholder parent until its Group is imported"); !ok {
				s.parent = nil
			}
		}
	}
	p.findParentCycles(list)
	// A team whose parent is invalid in the input (and not already in
	// paved) cannot be written either. Parent chains are acyclic now.
	memo := map[*state]bool{}
	var ok func(s *state, depth int) bool
	ok = func(s *state, depth int) bool {
		if v, done := memo[s]; done {
			return v
		}
		v := s.valid()
		if v && s.parent != nil && depth < len(list)+1 {
			k := s.parent.key()
			if ps := p.teams[k]; ps != nil && p.curTeams[k] == nil && !ok(ps, depth+1) {
				s.fail("%s (%s): %s", s.parent.Field, s.parent.At, p.whyMissing(k, s.parent.Name))
				v = false
			}
		}
		memo[s] = v
		return v
	}
	for _, s := range list {
		ok(s, 0)
	}

	depth := map[string]int{}
	var planned []*state
	for _, s := range list {
		if !s.valid() {
			s.outcome = s.notWritten()
			continue
		}
		t := cloneTeam(s.e.Team)
		t.Name = s.name
		t.Parent = ""
		if s.parent != nil {
			t.Parent, _ = p.teamName(s.parent.key())
		}
		c := p.curTeams[strings.ToLower(s.e.Name)]
		if c == nil {
			s.team, s.outcome = t, paved.OutcomeCreated
		} else {
			m := cloneTeam(c)
			m.Namespace, m.Title, m.Description, m.Type = t.Namespace, t.Title, t.Description, t.Type
			m.Parent, m.Email, m.Tags, m.Links, m.Annotations = t.Parent, t.Email, t.Tags, t.Links, t.Annotations
			if s.e.teamKindSet {
				m.Kind = t.Kind
			}
			if c.Placeholder {
				// Its Group is imported at last: the placeholder becomes
				// the team, and every reference to it resolves.
				m.Placeholder = false
				s.notes = append(s.notes, "defines the team that earlier imports referred to without defining it")
			}
			m.RetiredAt = retire(c.RetiredAt, t.RetiredAt, &s.notes)
			s.team, s.changes = m, teamChanges(c, m)
			s.outcome = paved.OutcomeUnchanged
			if len(s.changes) > 0 {
				s.outcome = paved.OutcomeUpdated
			}
		}
		if s.outcome != paved.OutcomeUnchanged {
			planned = append(planned, s)
			depth[strings.ToLower(s.name)] = -1
		}
	}
	// Parents first: a team's depth counts its ancestors that are planned.
	var depthOf func(k string, n int) int
	depthOf = func(k string, n int) int {
		d, ok := depth[k]
		if !ok || n > len(planned) {
			return -1
		}
		if d >= 0 {
			return d
		}
		d = 0
		if s := p.teams[k]; s != nil && s.team != nil && s.team.Parent != "" {
			d = depthOf(strings.ToLower(s.team.Parent), n+1) + 1
		}
		depth[k] = d
		return d
	}
	for _, s := range planned {
		depthOf(strings.ToLower(s.name), 0)
	}
	sort.SliceStable(planned, func(i, j int) bool {
		return depth[strings.ToLower(planned[i].name)] < depth[strings.ToLower(planned[j].name)]
	})
	for _, s := range planned {
		p.plan.Teams = append(p.plan.Teams, s.team)
	}
}

// findParentCycles marks the input teams whose parent chain, through the
// input and the current catalog, comes back to them.
func (p *planner) findParentCycles(list []*state) {
	parentOf := func(k string) string {
		if s := p.teams[k]; s != nil && s.valid() {
			if s.parent == nil {
				return ""
			}
			return s.parent.key()
		}
		if c := p.curTeams[k]; c != nil {
			return strings.ToLower(c.Parent)
		}
		return ""
	}
	const (
		unseen = iota
		onPath
		done
	)
	mark := map[string]int{}
	for _, s := range list {
		if !s.valid() {
			continue
		}
		var path []string
		for k := strings.ToLower(s.e.Name); k != "" && mark[k] != done; k = parentOf(k) {
			if mark[k] == onPath {
				i := slices.Index(path, k)
				cycle := append(slices.Clone(path[i:]), k)
				names := make([]string, len(cycle))
				for j, c := range cycle {
					names[j] = p.displayTeam(c)
				}
				for _, c := range path[i:] {
					if cs := p.teams[c]; cs != nil && cs.valid() {
						cs.fail("spec.parent: the parents form a cycle (%s): a team cannot be its own ancestor", strings.Join(names, " -> "))
					}
				}
				break
			}
			mark[k] = onPath
			path = append(path, k)
		}
		for _, k := range path {
			mark[k] = done
		}
	}
}

func (p *planner) displayTeam(k string) string {
	if s := p.teams[k]; s != nil {
		return s.e.Name
	}
	if c := p.curTeams[k]; c != nil {
		return c.Name
	}
	return k
}

// retire applies the rule for retirement: an import may retire, never
// revive.
func retire[T any](cur, imported *T, notes *[]string) *T {
	switch {
	case cur != nil && imported == nil:
		*notes = append(*notes, "retired in paved; an import does not bring it back")
		return cur
	case cur == nil && imported != nil:
		return imported
	}
	return cur
}

func (p *planner) planUsers() {
	list := p.order[kindUser]
	for _, s := range list {
		if c := p.curUsers[strings.ToLower(s.e.Name)]; c != nil {
			s.name = c.Name
		}
	}
	// Group spec.members add to the memberships users declare themselves.
	fromGroups := map[string][]string{}
	type addition struct {
		team, at string
		group    *state
	}
	var toCurrent []string
	curAdds := map[string][]addition{}
	for _, g := range p.order[kindGroup] {
		if !g.valid() {
			continue
		}
		for _, m := range g.e.members {
			k := m.key()
			us := p.users[k]
			switch {
			case us != nil && us.valid():
				fromGroups[k] = append(fromGroups[k], g.name)
			case us != nil:
				g.notes = append(g.notes, fmt.Sprintf("%s (%s): user %q (%s) is invalid in this import; membership not recorded", m.Field, m.At, m.Name, us.e.Source()))
			case p.curUsers[k] != nil:
				if curAdds[k] == nil {
					toCurrent = append(toCurrent, k)
				}
				curAdds[k] = append(curAdds[k], addition{team: g.name, at: m.At, group: g})
			default:
				// reported by planTeams, before the groups are planned
			}
		}
	}
	for _, s := range list {
		if !s.valid() {
			s.outcome = s.notWritten()
			continue
		}
		var teams []string
		for _, r := range s.e.memberOf {
			name, ok := p.teamName(r.key())
			switch {
			case ok && p.undefined(r.key()):
				// A membership of a team no Group defines is not recorded:
				// it would give whoever claims it rights over the services
				// the placeholder owns.
				p.dangling(s, "%s (%s): team %q is referenced but not defined: no Group in this import or the catalog defines it; membership not recorded until its Group is imported", r.Field, r.At, r.Name)
			case ok:
				teams = append(teams, name)
			case p.teams[r.key()] != nil:
				s.notes = append(s.notes, fmt.Sprintf("%s (%s): %s; membership dropped", r.Field, r.At, p.whyMissing(r.key(), r.Name)))
			default:
				p.dangling(s, "%s (%s): team %q is neither in this import nor in the catalog; membership not recorded", r.Field, r.At, r.Name)
			}
		}
		if !s.valid() { // a dangling membership, with Options.Strict
			s.outcome = s.notWritten()
			continue
		}
		teams = sortedUnique(append(teams, fromGroups[strings.ToLower(s.e.Name)]...))
		u := cloneUser(s.e.User)
		u.Name, u.Teams = s.name, teams
		c := p.curUsers[strings.ToLower(s.e.Name)]
		if c == nil {
			u.Roles = slices.Clone(p.opt.DefaultUserRoles)
			s.user, s.outcome = u, paved.OutcomeCreated
			p.plan.Users = append(p.plan.Users, u)
			continue
		}
		m := cloneUser(c)
		m.DisplayName, m.Email, m.Teams = u.DisplayName, u.Email, u.Teams
		m.RetiredAt = retire(c.RetiredAt, u.RetiredAt, &s.notes)
		s.user, s.changes = m, userChanges(c, m)
		s.outcome = paved.OutcomeUnchanged
		if len(s.changes) > 0 {
			s.outcome = paved.OutcomeUpdated
			p.plan.Users = append(p.plan.Users, m)
		}
	}
	// Users in paved but not in the input gain the teams whose spec.members
	// name them; nothing is taken away, since their own entity is absent.
	for _, k := range toCurrent {
		c := p.curUsers[k]
		adds := curAdds[k]
		teams := slices.Clone(c.Teams)
		var via []string
		for _, a := range adds {
			if !slices.ContainsFunc(teams, func(t string) bool { return strings.EqualFold(t, a.team) }) {
				teams = append(teams, a.team)
				via = append(via, fmt.Sprintf("Group %s (%s)", a.team, a.at))
			}
		}
		if len(via) == 0 {
			continue
		}
		m := cloneUser(c)
		m.Teams = sortedUnique(teams)
		p.plan.Users = append(p.plan.Users, m)
		file, line := adds[0].group.e.File, adds[0].group.e.Line
		p.extra = append(p.extra, paved.ImportEntry{
			Kind: kindUser, Name: c.Name, Source: where(file, line), Outcome: paved.OutcomeUpdated,
			Reason:  "not in this import; added to teams by spec.members of " + strings.Join(via, ", "),
			Changes: []string{"teams"},
		})
	}
}

func (p *planner) planServices() {
	for _, s := range p.order[kindComponent] {
		k := strings.ToLower(s.e.Name)
		c := p.curServices[k]
		if c != nil {
			s.name = c.Name
		}
		var owner string
		if s.valid() {
			k := s.e.owner.key()
			switch name, ok := p.teamName(k); {
			case s.e.owner.Kind == "user":
				owner = p.userOwner(s)
			case p.teams[k] != nil && !p.teams[k].valid() && p.curTeams[k] == nil:
				s.fail("%s (%s): %s, so the service cannot be imported", s.e.owner.Field, s.e.owner.At, p.whyMissing(k, s.e.owner.Name))
			case !ok || p.undefined(k):
				owner, _ = p.danglingTeam(s, s.e.owner, "the service is owned by a placeholder team that nobody is a member of until its Group is imported")
			default:
				owner = name
			}
			p.checkAPIs(s)
		}
		if !s.valid() {
			s.outcome = s.notWritten()
			continue
		}
		v := cloneService(s.e.Service)
		v.Name = s.name
		v.Owner = owner
		if c == nil {
			s.svc, s.outcome = v, paved.OutcomeCreated
			p.plan.Services = append(p.plan.Services, v)
			continue
		}
		m := cloneService(c)
		m.Namespace, m.Title, m.Description, m.Owner = v.Namespace, v.Title, v.Description, v.Owner
		m.Type, m.System, m.Lifecycle = v.Type, v.System, v.Lifecycle
		m.Tags, m.Links, m.Annotations = v.Tags, v.Links, v.Annotations
		m.DependsOn, m.ProvidesAPIs, m.ConsumesAPIs = v.DependsOn, v.ProvidesAPIs, v.ConsumesAPIs
		if s.e.tierSet {
			m.Tier = v.Tier
		}
		if s.e.dataClassSet {
			m.DataClass = v.DataClass
		}
		var note string
		m.Phase, note = importPhase(c.Phase, v.Phase)
		if note != "" {
			s.notes = append(s.notes, note)
		}
		s.svc, s.changes = m, serviceChanges(c, m)
		s.outcome = paved.OutcomeUnchanged
		if len(s.changes) > 0 {
			s.outcome = paved.OutcomeUpdated
			p.plan.Services = append(p.plan.Services, m)
		}
	}
}

// checkAPIs warns about each spec.providesApis entry that names no API
// entity of this import: paved does not keep API entities, so only the
// files imported together can show that the API exists.
func (p *planner) checkAPIs(s *state) {
	if s.e.Service == nil {
		return
	}
	for i, a := range s.e.Service.ProvidesAPIs {
		name := a
		if j := strings.IndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		if j := strings.IndexByte(name, '/'); j >= 0 {
			name = name[j+1:]
		}
		if !p.apis[strings.ToLower(name)] {
			p.dangling(s, "spec.providesApis[%d] (%s): %q names no API entity of this import (paved keeps no APIs, so it looks only in the files imported together)", i, s.e.Source(), a)
		}
	}
}

// userOwner resolves a spec.owner that names a user. paved services are
// owned by teams, so a user who is in exactly one team (after this import)
// hands the service to that team, and the entry says so; otherwise the
// service is invalid, and the message names the user's teams to choose from.
func (p *planner) userOwner(s *state) string {
	r := s.e.owner
	k := r.key()
	var teams []string
	found := false
	if us := p.users[k]; us != nil && us.valid() && us.user != nil {
		teams, found = us.user.Teams, true
	} else if c := p.curUsers[k]; c != nil && (us == nil || !us.valid()) {
		teams, found = c.Teams, true
		// A current user named in spec.members of a group in this import
		// gains that team: the plan's updated copy says so.
		for _, u := range p.plan.Users {
			if strings.EqualFold(u.Name, c.Name) {
				teams = u.Teams
			}
		}
	}
	written := "user:" + r.Name
	switch {
	case !found && p.users[k] != nil:
		s.fail("%s (%s): %q names user %s (%s), which is invalid in this import; paved services are owned by teams, so name a team (group:name)", r.Field, r.At, written, r.Name, p.users[k].e.Source())
	case !found:
		s.fail("%s (%s): %q names a user who is neither in this import nor in the catalog; paved services are owned by teams, so name a team (group:name)", r.Field, r.At, written)
	case len(teams) == 1:
		s.notes = append(s.notes, fmt.Sprintf("%s (%s): %q is a user; paved services are owned by teams, so the owner is the user's team %s", r.Field, r.At, written, teams[0]))
		return teams[0]
	case len(teams) == 0:
		s.fail("%s (%s): %q is a user who is in no team; paved services are owned by teams, so name a team (group:name) or add the user to one", r.Field, r.At, written)
	default:
		s.fail("%s (%s): %q is a user in %d teams (%s); paved services are owned by teams, so name one of them (group:name)", r.Field, r.At, written, len(teams), strings.Join(teams, ", "))
	}
	return ""
}

// importPhase is the phase rule of Plan for a service paved already has:
// the import may retire it and nothing else. The note explains a refused
// move that the user may have meant (forward, or out of retired); a
// backward move is what a generic lifecycle says of a service paved has
// advanced, which is expected and needs no note.
func importPhase(cur, imported paved.Phase) (paved.Phase, string) {
	switch {
	case cur == imported:
		return cur, ""
	case imported == paved.PhaseRetired:
		return imported, ""
	case cur == paved.PhaseRetired:
		return cur, fmt.Sprintf("retired in paved; an import does not bring a service back (the input says %s)", imported)
	case phaseRank(imported) > phaseRank(cur):
		return cur, fmt.Sprintf("phase stays %s: the input says %s, and a service moves forward only through the launch gate", cur, imported)
	}
	return cur, ""
}

func phaseRank(p paved.Phase) int { return slices.Index(paved.Phases, p) }

func (p *planner) result() *paved.ImportPlan {
	entries := make([]paved.ImportEntry, 0, len(p.r.Entities)+len(p.extra))
	for _, e := range p.r.Entities {
		s := p.st[e]
		if s == nil {
			entries = append(entries, e.entry())
			continue
		}
		en := paved.ImportEntry{Kind: e.Kind, Name: s.name, Source: e.Source(), Outcome: s.outcome, Changes: s.changes}
		var parts []string
		if e.Outcome != "" {
			en.Outcome = e.Outcome
			parts = append(parts, e.Reason)
		}
		if s.skip != "" {
			parts = append(parts, s.skip)
		}
		parts = append(parts, s.errs...)
		if en.Outcome != paved.OutcomeInvalid {
			// Notes say how an entity was imported; an invalid one was not.
			parts = append(parts, e.Notes...)
			parts = append(parts, s.notes...)
		}
		en.Reason = strings.Join(parts, "; ")
		if en.Outcome != paved.OutcomeInvalid && len(s.warns) > 0 {
			en.Warnings = slices.Clone(s.warns)
		}
		entries = append(entries, en)
	}
	p.plan.Entries = append(entries, p.extra...)
	return p.plan
}

func teamChanges(a, b *paved.Team) []string {
	var ch []string
	add := func(name string, differ bool) {
		if differ {
			ch = append(ch, name)
		}
	}
	add("namespace", a.Namespace != b.Namespace)
	add("title", a.Title != b.Title)
	add("description", a.Description != b.Description)
	add("kind", a.Kind != b.Kind)
	add("type", a.Type != b.Type)
	add("parent", a.Parent != b.Parent)
	add("email", a.Email != b.Email)
	add("tags", !slices.Equal(a.Tags, b.Tags))
	add("links", !slices.Equal(a.Links, b.Links))
	add("annotations", !maps.Equal(a.Annotations, b.Annotations))
	add("retired_at", (a.RetiredAt == nil) != (b.RetiredAt == nil))
	add("placeholder", a.Placeholder != b.Placeholder)
	return ch
}

func userChanges(a, b *paved.User) []string {
	var ch []string
	if a.DisplayName != b.DisplayName {
		ch = append(ch, "display_name")
	}
	if a.Email != b.Email {
		ch = append(ch, "email")
	}
	// Membership has no order; the store may return it in any.
	if !slices.Equal(sortedUnique(a.Teams), sortedUnique(b.Teams)) {
		ch = append(ch, "teams")
	}
	if (a.RetiredAt == nil) != (b.RetiredAt == nil) {
		ch = append(ch, "retired_at")
	}
	return ch
}

func serviceChanges(a, b *paved.Service) []string {
	var ch []string
	add := func(name string, differ bool) {
		if differ {
			ch = append(ch, name)
		}
	}
	add("namespace", a.Namespace != b.Namespace)
	add("title", a.Title != b.Title)
	add("description", a.Description != b.Description)
	add("owner", a.Owner != b.Owner)
	add("type", a.Type != b.Type)
	add("system", a.System != b.System)
	add("lifecycle", a.Lifecycle != b.Lifecycle)
	add("tier", a.Tier != b.Tier)
	add("data_class", a.DataClass != b.DataClass)
	add("phase", a.Phase != b.Phase)
	add("tags", !slices.Equal(a.Tags, b.Tags))
	add("links", !slices.Equal(a.Links, b.Links))
	add("annotations", !maps.Equal(a.Annotations, b.Annotations))
	add("depends_on", !slices.Equal(a.DependsOn, b.DependsOn))
	add("provides_apis", !slices.Equal(a.ProvidesAPIs, b.ProvidesAPIs))
	add("consumes_apis", !slices.Equal(a.ConsumesAPIs, b.ConsumesAPIs))
	return ch
}

// The clones keep the plan independent of the Read and of the current
// catalog: the store may change what it is given.

func cloneTeam(t *paved.Team) *paved.Team {
	c := *t
	c.Tags = cloneList(t.Tags)
	c.Links = cloneList(t.Links)
	c.Annotations = cloneMap(t.Annotations)
	c.Members = slices.Clone(t.Members)
	c.Children = slices.Clone(t.Children)
	return &c
}

func cloneUser(u *paved.User) *paved.User {
	c := *u
	c.Roles = cloneList(u.Roles)
	c.Teams = cloneList(u.Teams)
	return &c
}

func cloneService(s *paved.Service) *paved.Service {
	c := *s
	c.Tags = cloneList(s.Tags)
	c.Links = cloneList(s.Links)
	c.Annotations = cloneMap(s.Annotations)
	c.DependsOn = cloneList(s.DependsOn)
	c.ProvidesAPIs = cloneList(s.ProvidesAPIs)
	c.ConsumesAPIs = cloneList(s.ConsumesAPIs)
	return &c
}

// cloneList copies a slice, never returning nil, so that JSON shows [].
func cloneList[T any](xs []T) []T {
	return append(make([]T, 0, len(xs)), xs...)
}

func cloneMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	maps.Copy(c, m)
	return c
}
