package catalog

import (
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestDanglingReferences: a reference to an entity that is neither in the
// import nor in the catalog is kept, as Backstage keeps it: the entity
// imports, the reference resolves to a placeholder team with the name as
// written, and the entry warns; a strict import refuses the entity instead.
// Nobody becomes a member of a placeholder, so nobody gains rights over
// the services it owns; importing its Group defines it.
func TestDanglingReferences(t *testing.T) {
	team := func(p *paved.ImportPlan, name string) *paved.Team {
		for _, tm := range p.Teams {
			if tm.Name == name {
				return tm
			}
		}
		return nil
	}
	withPlaceholder := func() *paved.Catalog {
		c := current()
		c.Teams = append(c.Teams, &paved.Team{ID: 6, Name: "Radio", Namespace: "music", Kind: paved.KindProduct, Placeholder: true})
		c.Services = append(c.Services, &paved.Service{ID: 24, Name: "stations", Owner: "Radio", Type: "service", Lifecycle: "experimental", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground})
		return c
	}
	tests := []struct {
		name         string
		cur          *paved.Catalog
		docs         []string
		kind, entity string
		warning      string // substring of the one warning; the strict import fails with it
		check        func(t *testing.T, p *paved.ImportPlan)
	}{
		{
			name: "a group's parent that nobody defines",
			docs: []string{doc("Group", "search", "type: team", "parent: group:corp/Engineering")},
			kind: "Group", entity: "search",
			warning: `spec.parent (catalog-info.yaml:7): team "Engineering" is neither in this import nor in the catalog; kept as a placeholder parent`,
			check: func(t *testing.T, p *paved.ImportPlan) {
				ph := team(p, "Engineering")
				if ph == nil || !ph.Placeholder || ph.Namespace != "corp" || ph.ID != 0 || ph.Kind != paved.KindProduct {
					t.Fatalf("placeholder = %+v", ph)
				}
				if s := team(p, "search"); s == nil || s.Parent != "Engineering" || s.Placeholder {
					t.Errorf("search = %+v", s)
				}
				if p.Teams[0] != ph {
					t.Errorf("the placeholder is planned after the teams that refer to it")
				}
			},
		},
		{
			name: "a component's owner that nobody defines",
			docs: []string{doc("Component", "radio-stations", "type: service", "lifecycle: experimental", "owner: radio")},
			kind: "Component", entity: "radio-stations",
			warning: `spec.owner (catalog-info.yaml:8): team "radio" is neither in this import nor in the catalog; the service is owned by a placeholder team`,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if len(p.Services) != 1 || p.Services[0].Owner != "radio" {
					t.Fatalf("services = %+v", p.Services)
				}
				if ph := team(p, "radio"); ph == nil || !ph.Placeholder {
					t.Errorf("placeholder = %+v", ph)
				}
			},
		},
		{
			name: "two references to one missing team make one placeholder",
			docs: []string{
				doc("Component", "a", "type: service", "lifecycle: experimental", "owner: group:Radio"),
				doc("Component", "b", "type: service", "lifecycle: experimental", "owner: radio"),
			},
			kind: "Component", entity: "b",
			warning: `team "radio" is neither in this import nor in the catalog`,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if len(p.Teams) != 1 || p.Teams[0].Name != "Radio" || p.Services[1].Owner != "Radio" {
					t.Errorf("teams = %+v, services = %+v", p.Teams, p.Services)
				}
			},
		},
		{
			name: "an owner that is a placeholder already still warns",
			cur:  withPlaceholder(),
			docs: []string{doc("Component", "stations", "type: service", "lifecycle: experimental", "owner: radio")},
			kind: "Component", entity: "stations",
			warning: `spec.owner (catalog-info.yaml:8): team "radio" is referenced but not defined`,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if len(p.Teams) != 0 || entry(t, p, "Component", "stations").Outcome != paved.OutcomeUnchanged {
					t.Errorf("teams = %+v, entries = %+v", p.Teams, p.Entries)
				}
			},
		},
		{
			name: "nobody becomes a member of a placeholder",
			cur:  withPlaceholder(),
			docs: []string{doc("User", "mallory", "memberOf: [radio, payments]")},
			kind: "User", entity: "mallory",
			warning: `spec.memberOf[0] (catalog-info.yaml:6): team "radio" is referenced but not defined`,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if u := p.Users[0]; !slices.Equal(u.Teams, []string{"Payments"}) {
					t.Errorf("teams = %v: a claim of membership in an undefined team was recorded", u.Teams)
				}
			},
		},
		{
			name: "nor of a placeholder this import creates",
			docs: []string{
				doc("Component", "c", "type: service", "lifecycle: experimental", "owner: ghosts"),
				doc("User", "mallory", "memberOf: [ghosts]"),
			},
			kind: "User", entity: "mallory",
			warning: `spec.memberOf[0] (catalog-info.yaml:15): team "ghosts" is neither in this import nor in the catalog; membership not recorded`,
			check: func(t *testing.T, p *paved.ImportPlan) {
				if u := p.Users[0]; len(u.Teams) != 0 {
					t.Errorf("teams = %v", u.Teams)
				}
			},
		},
		{
			name: "a providesApis entry that names no API of the import",
			docs: []string{
				doc("Component", "orders", "type: service", "lifecycle: experimental", "owner: payments", "providesApis: [orders-api, api:default/Refunds]"),
				doc("API", "orders-api", "type: openapi", "lifecycle: production", "owner: payments", "definition: openapi"),
			},
			kind: "Component", entity: "orders",
			warning: `spec.providesApis[1] (catalog-info.yaml:1): "api:default/Refunds" names no API entity of this import`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := tt.cur
			if cur == nil {
				cur = current()
			}
			p := planOf(cur, stream(tt.docs...), DefaultOptions())
			e := entry(t, p, tt.kind, tt.entity)
			if e.Outcome == paved.OutcomeInvalid || len(e.Warnings) != 1 || !strings.Contains(e.Warnings[0], tt.warning) {
				t.Fatalf("entry = %s (%s), warnings %q; want it imported with a warning containing %q", e.Outcome, e.Reason, e.Warnings, tt.warning)
			}
			if p.Warnings() == 0 {
				t.Error("the plan counts no warning")
			}
			if tt.check != nil {
				tt.check(t, p)
			}

			strict := DefaultOptions()
			strict.Strict = true
			sp := planOf(cur, stream(tt.docs...), strict)
			se := entry(t, sp, tt.kind, tt.entity)
			what, _, _ := strings.Cut(tt.warning, ";") // the reference, without what a lenient import does
			if se.Outcome != paved.OutcomeInvalid || !strings.Contains(se.Reason, what) || !strings.Contains(se.Reason, "strict import") || len(se.Warnings) != 0 {
				t.Errorf("strict: %s (%s) %q; want invalid naming %q", se.Outcome, se.Reason, se.Warnings, what)
			}
			for _, tm := range sp.Teams {
				if tm.Placeholder {
					t.Errorf("strict: planned placeholder %s", tm.Name)
				}
			}
		})
	}
}

// TestPlaceholderDefinedLater: importing the Group of a placeholder turns it
// into the team: same row (ID), placeholder cleared, references unchanged.
func TestPlaceholderDefinedLater(t *testing.T) {
	c := current()
	c.Teams = append(c.Teams, &paved.Team{ID: 6, Name: "radio", Kind: paved.KindProduct, Placeholder: true, Tags: []string{}, Links: []paved.Link{}, Annotations: map[string]string{}})
	p := planOf(c, stream(doc("Group", "radio", "type: team", "members: [carol]")), DefaultOptions())
	e := entry(t, p, "Group", "radio")
	if e.Outcome != paved.OutcomeUpdated || !slices.Contains(e.Changes, "placeholder") || len(e.Warnings) != 0 {
		t.Fatalf("entry = %+v", e)
	}
	if len(p.Teams) != 1 || p.Teams[0].ID != 6 || p.Teams[0].Placeholder {
		t.Fatalf("teams = %+v", p.Teams)
	}
	// Its Group's members are members now.
	found := false
	for _, u := range p.Users {
		found = found || u.Name == "carol" && slices.Contains(u.Teams, "radio")
	}
	if !found {
		t.Errorf("carol did not join the team its Group names: %+v", p.Users)
	}
}

// TestStrictGroupWarnings: a group's dangling children and members are
// warnings too, and a strict import leaves the group out (not planned).
func TestStrictGroupWarnings(t *testing.T) {
	d := doc("Group", "platform", "type: team", "children: [ghost-team]", "members: [nobody]")
	p := planOf(current(), stream(d), DefaultOptions())
	if e := entry(t, p, "Group", "platform"); e.Outcome != paved.OutcomeCreated || len(e.Warnings) != 2 {
		t.Fatalf("entry = %+v", e)
	}
	strict := DefaultOptions()
	strict.Strict = true
	p = planOf(current(), stream(d), strict)
	if e := entry(t, p, "Group", "platform"); e.Outcome != paved.OutcomeInvalid || strings.Count(e.Reason, "strict import") != 2 {
		t.Fatalf("strict entry = %+v", e)
	}
	if len(p.Teams) != 0 {
		t.Fatalf("strict: planned %+v", p.Teams)
	}
}

// TestFieldsLeftOut: every field paved does not keep is reported, not only
// labels: a profile picture, a user's annotations, a field of a newer
// schema; paved's own annotations and the fields it keeps are not.
func TestFieldsLeftOut(t *testing.T) {
	docs := []string{
		doc("User", "ada", "m:annotations: {github.com/user-login: ada, paved.dev/retired-at: '2026-01-01T00:00:00Z'}", "m:description: Ada", "profile: {displayName: Ada, email: ada@example.com, picture: 'https://example.com/ada.png'}", "memberOf: [payments]"),
		doc("Group", "radio", "type: team", "profile: {displayName: Radio, picture: 'https://example.com/radio.png'}", "children: []", "m:title: Radio"),
		doc("Component", "web", "type: website", "lifecycle: production", "owner: payments", "dependencyOf: [component:shop]"),
		doc("Component", "plain", "type: service", "lifecycle: production", "owner: payments", "m:annotations: {backstage.io/techdocs-ref: 'dir:.'}"),
	}
	p := planOf(current(), stream(docs...), DefaultOptions())
	for _, c := range []struct{ kind, name, want string }{
		{"User", "ada", "not recorded (paved has no field for them, and an export leaves them out): metadata.annotations.github.com/user-login, metadata.description, spec.profile.picture"},
		{"Group", "radio", "not recorded (paved has no field for them, and an export leaves them out): spec.profile.picture"},
		{"Component", "web", "not recorded (paved has no field for them, and an export leaves them out): spec.dependencyOf"},
	} {
		if e := entry(t, p, c.kind, c.name); !strings.Contains(e.Reason, c.want) {
			t.Errorf("%s %s: reason %q, want %q", c.kind, c.name, e.Reason, c.want)
		}
	}
	if e := entry(t, p, "Component", "plain"); e.Reason != "" {
		t.Errorf("a component with only recorded fields: reason %q", e.Reason)
	}
}

// TestSkippedKindsRequireTheirFields: an API without metadata.name is not
// just "skipped": the missing required field is named and the entity is
// invalid, as Backstage refuses it.
func TestSkippedKindsRequireTheirFields(t *testing.T) {
	nameless := "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  description: no name\nspec:\n  type: openapi\n  lifecycle: production\n  owner: payments\n  definition: x\n"
	p := planOf(current(), stream(nameless, doc("System", "shop"), doc("API", "ok", "type: openapi", "lifecycle: production", "owner: payments", "definition: x")), DefaultOptions())
	if e := p.Entries[0]; e.Outcome != paved.OutcomeInvalid || !strings.HasPrefix(e.Reason, "metadata.name is required for a Backstage API entity") {
		t.Errorf("nameless API: %+v", e)
	}
	if e := p.Entries[1]; e.Outcome != paved.OutcomeInvalid || !strings.HasPrefix(e.Reason, "spec.owner is required for a Backstage System entity") {
		t.Errorf("System without owner: %+v", e)
	}
	if e := p.Entries[2]; e.Outcome != paved.OutcomeSkipped || !strings.Contains(e.Reason, "paved does not model APIs") {
		t.Errorf("complete API: %+v", e)
	}
}
