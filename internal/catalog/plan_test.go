package catalog

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// doc builds one Backstage document; extra lines go into the spec (or
// metadata, for lines starting with "m:").
func doc(kind, name string, lines ...string) string {
	var meta, spec []string
	for _, l := range lines {
		if m, ok := strings.CutPrefix(l, "m:"); ok {
			meta = append(meta, "  "+m)
		} else {
			spec = append(spec, "  "+l)
		}
	}
	s := "apiVersion: backstage.io/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n"
	if len(meta) > 0 {
		s += strings.Join(meta, "\n") + "\n"
	}
	if len(spec) > 0 {
		s += "spec:\n" + strings.Join(spec, "\n") + "\n"
	}
	return s
}

func stream(docs ...string) []File {
	return []File{{Name: "catalog-info.yaml", Data: []byte(strings.Join(docs, "---\n"))}}
}

func planOf(cur *paved.Catalog, files []File, opt Options) *paved.ImportPlan {
	return Plan(cur, LoadFiles(files, opt), opt)
}

// apply plays a plan onto a catalog the way the store does: new entities
// get the next ID, updates replace the entity with the same ID.
func apply(cur *paved.Catalog, p *paved.ImportPlan) *paved.Catalog {
	out := &paved.Catalog{
		Teams:    slices.Clone(cur.Teams),
		Users:    slices.Clone(cur.Users),
		Services: slices.Clone(cur.Services),
	}
	next := int64(1000)
	for _, t := range p.Teams {
		c := *t
		if c.ID == 0 {
			next++
			c.ID = next
			out.Teams = append(out.Teams, &c)
			continue
		}
		for i, o := range out.Teams {
			if o.ID == c.ID {
				out.Teams[i] = &c
			}
		}
	}
	for _, u := range p.Users {
		c := *u
		if c.ID == 0 {
			next++
			c.ID = next
			out.Users = append(out.Users, &c)
			continue
		}
		for i, o := range out.Users {
			if o.ID == c.ID {
				out.Users[i] = &c
			}
		}
	}
	for _, s := range p.Services {
		c := *s
		if c.ID == 0 {
			next++
			c.ID = next
			out.Services = append(out.Services, &c)
			continue
		}
		for i, o := range out.Services {
			if o.ID == c.ID {
				out.Services[i] = &c
			}
		}
	}
	return out
}

func entry(t *testing.T, p *paved.ImportPlan, kind, name string) paved.ImportEntry {
	t.Helper()
	for _, e := range p.Entries {
		if e.Kind == kind && e.Name == name {
			return e
		}
	}
	t.Fatalf("no entry for %s %s in %+v", kind, name, p.Entries)
	return paved.ImportEntry{}
}

func findService(c *paved.Catalog, name string) *paved.Service {
	for _, s := range c.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// TestReimportUnchanged: importing the sample, then importing it again
// into the result, changes nothing and reports every entity unchanged.
func TestReimportUnchanged(t *testing.T) {
	opt := DefaultOptions()
	r, err := Load([]string{"testdata/sample/all.yaml"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	first := Plan(&paved.Catalog{}, r, opt)
	if first.Counts()[paved.OutcomeCreated] == 0 {
		t.Fatal("the sample created nothing")
	}
	cur := apply(&paved.Catalog{}, first)
	second := Plan(cur, r, opt)
	if n := len(second.Teams) + len(second.Users) + len(second.Services); n != 0 {
		t.Errorf("re-import plans %d writes, want 0", n)
	}
	for i, e := range second.Entries {
		want := first.Entries[i].Outcome
		if want == paved.OutcomeCreated {
			want = paved.OutcomeUnchanged
		}
		if e.Outcome != want {
			t.Errorf("%s %s: re-import outcome %s, want %s (%s)", e.Kind, e.Name, e.Outcome, want, e.Reason)
		}
	}
}

// TestPlanDoesNotChangeRead: a Read can be planned twice with the same
// result (the API plans a dry run and then the write).
func TestPlanDoesNotChangeRead(t *testing.T) {
	r, err := Load([]string{"testdata/sample/all.yaml"}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	a := Plan(&paved.Catalog{}, r, DefaultOptions())
	b := Plan(&paved.Catalog{}, r, DefaultOptions())
	if !reflect.DeepEqual(a, b) {
		t.Fatal("planning the same Read twice gave different plans")
	}
	a.Teams[0].Name = "changed-by-the-caller"
	a.Services[0].Tags = append(a.Services[0].Tags[:0], "changed")
	c := Plan(&paved.Catalog{}, r, DefaultOptions())
	if !reflect.DeepEqual(b, c) {
		t.Error("changing a plan changed the Read it came from")
	}
}

func TestImportPhase(t *testing.T) {
	const (
		pg = paved.PhasePlayground
		gl = paved.PhaseGreenLight
		pr = paved.PhaseProduction
		rt = paved.PhaseRetired
	)
	tests := []struct {
		cur, imported, want paved.Phase
		note                string
	}{
		{pg, pg, pg, ""},
		{gl, pg, gl, ""}, // experimental covers green-light: paved's record stays
		{pr, pg, pr, ""},
		{pr, gl, pr, ""},
		{pg, pr, pg, "moves forward only through the launch gate"},
		{pg, gl, pg, "moves forward only through the launch gate"},
		{gl, pr, gl, "moves forward only through the launch gate"},
		{pg, rt, rt, ""},
		{pr, rt, rt, ""},
		{rt, pr, rt, "does not bring a service back"},
		{rt, pg, rt, "does not bring a service back"},
		{rt, rt, rt, ""},
	}
	for _, tt := range tests {
		got, note := importPhase(tt.cur, tt.imported)
		if got != tt.want || (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
			t.Errorf("importPhase(%s, %s) = %s, %q; want %s, %q", tt.cur, tt.imported, got, note, tt.want, tt.note)
		}
	}
}

func current() *paved.Catalog {
	retired := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &paved.Catalog{
		Teams: []*paved.Team{
			{ID: 1, Name: "Payments", Kind: paved.KindProduct, Type: "team", Tags: []string{}, Links: []paved.Link{}, Annotations: map[string]string{}},
			{ID: 2, Name: "sec", Kind: paved.KindSecurity, Type: "team", Parent: "Payments"},
			{ID: 3, Name: "old", Kind: paved.KindProduct, Type: "team", RetiredAt: &retired},
			{ID: 4, Name: "loop-b", Kind: paved.KindProduct, Parent: "loop-a"},
			{ID: 5, Name: "loop-a", Kind: paved.KindProduct},
		},
		Users: []*paved.User{
			{ID: 10, Name: "root", DisplayName: "Root", Roles: []paved.Role{paved.RoleAdmin}, Teams: []string{"sec"}},
			{ID: 11, Name: "carol", Roles: []paved.Role{paved.RoleViewer}, Teams: []string{"Payments"}},
		},
		Services: []*paved.Service{
			{ID: 20, Name: "ledger", Owner: "Payments", Type: "service", Lifecycle: "experimental", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhaseGreenLight},
			{ID: 21, Name: "till", Owner: "Payments", Type: "service", Lifecycle: "experimental", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground},
			{ID: 22, Name: "vault", Owner: "sec", Type: "service", Lifecycle: "production", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhaseProduction, Grandfathered: true},
			{ID: 23, Name: "gone", Owner: "Payments", Type: "service", Lifecycle: "deprecated", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhaseRetired},
		},
	}
}

// TestPlanAgainstCatalog checks, one entity at a time, what an import does
// with what paved already holds.
func TestPlanAgainstCatalog(t *testing.T) {
	payments := doc("Group", "payments", "type: team", "children: []")
	tests := []struct {
		name    string
		docs    []string
		kind    string
		entity  string
		outcome paved.Outcome
		changes []string
		reason  string // a substring of the entry's reason; "" means none
		check   func(t *testing.T, p *paved.ImportPlan)
	}{
		{
			name: "case-insensitive match keeps paved's name",
			docs: []string{payments}, kind: "Group", entity: "Payments", outcome: paved.OutcomeUnchanged,
		},
		{
			name: "a generic lifecycle does not move a green-light service back",
			docs: []string{doc("Component", "ledger", "type: service", "lifecycle: experimental", "owner: payments")},
			kind: "Component", entity: "ledger", outcome: paved.OutcomeUnchanged,
		},
		{
			name: "no tier or data class annotation keeps paved's values",
			docs: []string{doc("Component", "ledger", "type: service", "lifecycle: experimental", "owner: payments", "m:description: The ledger")},
			kind: "Component", entity: "ledger", outcome: paved.OutcomeUpdated, changes: []string{"description"},
			check: func(t *testing.T, p *paved.ImportPlan) {
				s := p.Services[0]
				if s.ID != 20 || s.Tier != 1 || s.DataClass != paved.DataRestricted || s.Phase != paved.PhaseGreenLight || s.Owner != "Payments" {
					t.Errorf("update = %+v", s)
				}
			},
		},
		{
			name: "annotations set tier and data class",
			docs: []string{doc("Component", "ledger", "type: service", "lifecycle: experimental", "owner: payments", "m:annotations: {paved.dev/tier: '2', paved.dev/data-class: confidential}")},
			kind: "Component", entity: "ledger", outcome: paved.OutcomeUpdated, changes: []string{"tier", "data_class"},
		},
		{
			name: "production lifecycle does not pass the gate for an existing service",
			docs: []string{doc("Component", "till", "type: service", "lifecycle: production", "owner: payments")},
			kind: "Component", entity: "till", outcome: paved.OutcomeUpdated, changes: []string{"lifecycle"},
			reason: "phase stays playground: the input says production",
			check: func(t *testing.T, p *paved.ImportPlan) {
				if s := p.Services[0]; s.Phase != paved.PhasePlayground || s.Grandfathered {
					t.Errorf("phase %s grandfathered %v, want playground and not grandfathered", s.Phase, s.Grandfathered)
				}
			},
		},
		{
			name: "deprecated retires",
			docs: []string{doc("Component", "vault", "type: service", "lifecycle: deprecated", "owner: sec")},
			kind: "Component", entity: "vault", outcome: paved.OutcomeUpdated, changes: []string{"lifecycle", "phase"},
			check: func(t *testing.T, p *paved.ImportPlan) {
				if s := p.Services[0]; s.Phase != paved.PhaseRetired || !s.Grandfathered {
					t.Errorf("phase %s grandfathered %v, want retired and still grandfathered", s.Phase, s.Grandfathered)
				}
			},
		},
		{
			name: "a retired service is not revived",
			docs: []string{doc("Component", "gone", "type: service", "lifecycle: production", "owner: Payments")},
			kind: "Component", entity: "gone", outcome: paved.OutcomeUpdated, changes: []string{"lifecycle"},
			reason: "does not bring a service back",
		},
		{
			name: "a new production service is grandfathered",
			docs: []string{doc("Component", "new-prod", "type: service", "lifecycle: production", "owner: group:default/PAYMENTS")},
			kind: "Component", entity: "new-prod", outcome: paved.OutcomeCreated,
			check: func(t *testing.T, p *paved.ImportPlan) {
				s := p.Services[0]
				if s.ID != 0 || s.Phase != paved.PhaseProduction || !s.Grandfathered || s.Owner != "Payments" || s.Tier != paved.DefaultTier || s.DataClass != paved.DataInternal {
					t.Errorf("create = %+v", s)
				}
			},
		},
		{
			name: "an owner that is invalid in the input but exists in paved is fine",
			docs: []string{doc("Group", "sec", "type: team", "parent: nowhere"), doc("Component", "vault", "type: service", "lifecycle: production", "owner: sec")},
			kind: "Component", entity: "vault", outcome: paved.OutcomeUnchanged,
		},
		{
			name: "a user's roles are never changed",
			docs: []string{doc("User", "root", "profile: {displayName: Root Admin}", "memberOf: [sec]")},
			kind: "User", entity: "root", outcome: paved.OutcomeUpdated, changes: []string{"display_name"},
			check: func(t *testing.T, p *paved.ImportPlan) {
				if u := p.Users[0]; u.ID != 10 || !slices.Equal(u.Roles, []paved.Role{paved.RoleAdmin}) {
					t.Errorf("user = %+v", u)
				}
			},
		},
		{
			name: "membership is replaced by the user's memberOf and the groups' members",
			docs: []string{payments, doc("User", "root", "profile: {displayName: Root}", "memberOf: [Payments]")},
			kind: "User", entity: "root", outcome: paved.OutcomeUpdated, changes: []string{"teams"},
			check: func(t *testing.T, p *paved.ImportPlan) {
				if u := p.Users[0]; !slices.Equal(u.Teams, []string{"Payments"}) {
					t.Errorf("teams = %v", u.Teams)
				}
			},
		},
		{
			name: "group members add to a user not in the input",
			docs: []string{doc("Group", "sec", "type: team", "parent: payments", "members: [carol, root]")},
			kind: "User", entity: "carol", outcome: paved.OutcomeUpdated, changes: []string{"teams"},
			reason: "added to teams by spec.members of Group sec",
			check: func(t *testing.T, p *paved.ImportPlan) {
				if len(p.Users) != 1 || !slices.Equal(p.Users[0].Teams, []string{"Payments", "sec"}) || p.Users[0].ID != 11 {
					t.Errorf("users = %+v (root already is in sec: no entry)", p.Users)
				}
			},
		},
		{
			name: "a team kind that Backstage does not say is kept",
			docs: []string{doc("Group", "sec", "type: team", "parent: Payments")},
			kind: "Group", entity: "sec", outcome: paved.OutcomeUnchanged,
		},
		{
			name: "the team-kind annotation sets the kind",
			docs: []string{doc("Group", "sec", "type: team", "parent: Payments", "m:annotations: {paved.dev/team-kind: reliability}")},
			kind: "Group", entity: "sec", outcome: paved.OutcomeUpdated, changes: []string{"kind"},
		},
		{
			name: "a parent that only paved has",
			docs: []string{doc("Group", "fraud", "type: team", "parent: group:payments")},
			kind: "Group", entity: "fraud", outcome: paved.OutcomeCreated,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if p.Teams[0].Parent != "Payments" {
					t.Errorf("parent = %q", p.Teams[0].Parent)
				}
			},
		},
		{
			name: "a parent cycle through paved's catalog",
			docs: []string{doc("Group", "loop-a", "type: team", "parent: loop-b")},
			kind: "Group", entity: "loop-a", outcome: paved.OutcomeInvalid,
			reason: "cycle (loop-a -> loop-b -> loop-a)",
		},
		{
			name: "a retired team stays retired",
			docs: []string{doc("Group", "old", "type: team")},
			kind: "Group", entity: "old", outcome: paved.OutcomeUnchanged,
			reason: "retired in paved; an import does not bring it back",
		},
		{
			name: "the retired-at annotation retires",
			docs: []string{doc("Group", "sec", "type: team", "parent: Payments", "m:annotations: {paved.dev/retired-at: '2026-03-01T00:00:00Z'}")},
			kind: "Group", entity: "sec", outcome: paved.OutcomeUpdated, changes: []string{"retired_at"},
		},
		{
			name: "memberOf a team that does not exist is dropped with a warning",
			docs: []string{doc("User", "dave", "memberOf: [ghosts, payments]")},
			kind: "User", entity: "dave", outcome: paved.OutcomeCreated,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if w := entry(t, p, "User", "dave").Warnings; len(w) != 1 || w[0] != `spec.memberOf[0] (catalog-info.yaml:6): team "ghosts" is neither in this import nor in the catalog; membership not recorded` {
					t.Errorf("warnings = %q", w)
				}
				u := p.Users[0]
				if !slices.Equal(u.Teams, []string{"Payments"}) || !slices.Equal(u.Roles, []paved.Role{paved.RoleDeveloper}) {
					t.Errorf("user = %+v", u)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := current()
			before := current()
			p := planOf(cur, stream(tt.docs...), DefaultOptions())
			e := entry(t, p, tt.kind, tt.entity)
			if e.Outcome != tt.outcome || !slices.Equal(e.Changes, tt.changes) {
				t.Errorf("entry = %s %v (%s); want %s %v", e.Outcome, e.Changes, e.Reason, tt.outcome, tt.changes)
			}
			if (tt.reason == "") != (e.Reason == "") || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("reason = %q; want it to contain %q", e.Reason, tt.reason)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
			if !reflect.DeepEqual(cur, before) {
				t.Error("Plan changed the current catalog")
			}
		})
	}
}

// TestTeamsParentsFirst: the plan writes a parent before its children
// whatever the file order.
func TestTeamsParentsFirst(t *testing.T) {
	p := planOf(&paved.Catalog{}, stream(
		doc("Group", "leaf", "type: team", "parent: mid"),
		doc("Group", "mid", "type: team", "parent: root"),
		doc("Group", "other", "type: team"),
		doc("Group", "root", "type: team", "children: [mid]"),
	), DefaultOptions())
	var got []string
	for _, t := range p.Teams {
		got = append(got, t.Name)
	}
	if want := []string{"other", "root", "mid", "leaf"}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

// TestChildrenConflicts: spec.children gives a parent, and contradicting
// parents make the child invalid.
func TestChildrenConflicts(t *testing.T) {
	p := planOf(&paved.Catalog{}, stream(
		doc("Group", "a", "type: team", "children: [x, y]"),
		doc("Group", "b", "type: team", "children: [x, z]"),
		doc("Group", "x", "type: team"),
		doc("Group", "y", "type: team"),
		doc("Group", "z", "type: team", "parent: a"),
	), DefaultOptions())
	want := map[string]string{
		"x": "spec.children of both Group a (catalog-info.yaml:7) and Group b (catalog-info.yaml:15) list this team: a team has one parent",
		"y": "",
		"z": `spec.parent (catalog-info.yaml:37): the parent is "a", but Group b lists this team in spec.children (catalog-info.yaml:15)`,
	}
	for name, reason := range want {
		e := entry(t, p, "Group", name)
		if e.Reason != reason || (reason == "") != (e.Outcome == paved.OutcomeCreated) {
			t.Errorf("%s: %s %q; want reason %q", name, e.Outcome, e.Reason, reason)
		}
	}
	for _, tm := range p.Teams {
		if tm.Name == "y" && tm.Parent != "a" {
			t.Errorf("y's parent = %q, want a (from a's spec.children)", tm.Parent)
		}
	}
}

// TestLifecycleOptions: organisations map their own lifecycles.
func TestLifecycleOptions(t *testing.T) {
	opt := DefaultOptions()
	opt.Lifecycles = map[string]paved.Phase{"Beta": paved.PhaseGreenLight}
	opt.DefaultTier, opt.DefaultDataClass = 4, paved.DataConfidential
	opt.DefaultUserRoles = []paved.Role{paved.RoleViewer}
	p := planOf(&paved.Catalog{}, stream(
		doc("Group", "g", "type: team"),
		doc("Component", "a", "type: service", "lifecycle: BETA", "owner: g"),
		doc("Component", "b", "type: service", "lifecycle: experimental", "owner: g"),
		doc("Component", "c", "type: service", "lifecycle: ga", "owner: g"),
		doc("User", "u"),
	), opt)
	want := map[string]paved.Phase{"a": paved.PhaseGreenLight, "b": paved.PhasePlayground, "c": paved.PhasePlayground}
	for _, s := range p.Services {
		if s.Phase != want[s.Name] || s.Tier != 4 || s.DataClass != paved.DataConfidential {
			t.Errorf("%s: phase %s tier %d class %s", s.Name, s.Phase, s.Tier, s.DataClass)
		}
	}
	if e := entry(t, p, "Component", "c"); !strings.Contains(e.Reason, `"ga" has no phase mapping (known: beta, deprecated, experimental, production); imported as playground`) {
		t.Errorf("reason = %q", e.Reason)
	}
	if r := p.Users[0].Roles; !slices.Equal(r, []paved.Role{paved.RoleViewer}) {
		t.Errorf("roles = %v", r)
	}
}
