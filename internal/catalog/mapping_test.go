package catalog

import (
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestComponentMapping maps one Component at a time next to its team.
func TestComponentMapping(t *testing.T) {
	team := doc("Group", "Team-A", "type: team")
	tests := []struct {
		name    string
		lines   []string
		outcome paved.Outcome
		reason  string
		want    func(s *paved.Service) bool
	}{
		{"bare owner", []string{"owner: team-a", "lifecycle: experimental"}, paved.OutcomeCreated, "",
			func(s *paved.Service) bool {
				return s.Owner == "Team-A" && s.Phase == paved.PhasePlayground && !s.Grandfathered
			}},
		{"group: owner", []string{"owner: group:team-a", "lifecycle: production"}, paved.OutcomeCreated, "",
			func(s *paved.Service) bool {
				return s.Owner == "Team-A" && s.Phase == paved.PhaseProduction && s.Grandfathered
			}},
		{"group:namespace/ owner in other case", []string{"owner: GROUP:default/TEAM-A", "lifecycle: Deprecated"}, paved.OutcomeCreated, "",
			func(s *paved.Service) bool { return s.Owner == "Team-A" && s.Phase == paved.PhaseRetired }},
		{"user owner nobody knows", []string{"owner: user:default/jane", "lifecycle: production"}, paved.OutcomeInvalid,
			`spec.owner (c.yaml:13): "user:jane" names a user who is neither in this import nor in the catalog; paved services are owned by teams, so name a team (group:name)`, nil},
		{"owner with a space", []string{"owner: team a", "lifecycle: production"}, paved.OutcomeInvalid,
			`spec.owner (c.yaml:13): name "team a" is not valid`, nil},
		{"tier, data class and phase annotations", []string{"owner: team-a", "type: service", "lifecycle: experimental", "m:annotations: {paved.dev/tier: 'Tier 1', paved.dev/data-class: Restricted, paved.dev/phase: greenlight}"}, paved.OutcomeCreated, "",
			func(s *paved.Service) bool {
				return s.Tier == 1 && s.DataClass == paved.DataRestricted && s.Phase == paved.PhaseGreenLight && len(s.Annotations) == 0 && s.Lifecycle == "experimental"
			}},
		{"invalid phase annotation", []string{"owner: team-a", "m:annotations: {paved.dev/phase: launched}"}, paved.OutcomeInvalid,
			`metadata.annotations.paved.dev/phase (c.yaml:12): unknown phase "launched"`, nil},
		{"invalid grandfathered annotation", []string{"owner: team-a", "m:annotations: {paved.dev/grandfathered: maybe}"}, paved.OutcomeInvalid,
			`metadata.annotations.paved.dev/grandfathered (c.yaml:12): "maybe" is not a boolean`, nil},
		{"fields kept as written", []string{"owner: team-a", "lifecycle: production", "type: Website", "system: System:Audio", "dependsOn: [Resource:db]", "providesApis: [a-api]", "consumesApis: [b-api, c-api]",
			"m:title: The Title", "m:description: Says what it does", "m:namespace: music", "m:links: [{url: 'https://x', title: X, icon: github, type: repo}]"}, paved.OutcomeCreated, "",
			func(s *paved.Service) bool {
				return s.Type == "Website" && s.System == "System:Audio" && strings.Join(s.DependsOn, ",") == "Resource:db" &&
					strings.Join(s.ProvidesAPIs, ",") == "a-api" && strings.Join(s.ConsumesAPIs, ",") == "b-api,c-api" &&
					s.Title == "The Title" && s.Description == "Says what it does" && s.Namespace == "music" &&
					len(s.Links) == 1 && s.Links[0] == paved.Link{URL: "https://x", Title: "X", Icon: "github", Type: "repo"}
			}},
		{"annotations that are not a mapping", []string{"m:annotations: x"}, paved.OutcomeInvalid,
			"metadata.annotations (c.yaml:12): want a mapping, got a string", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := tt.lines
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "type:") }) {
				lines = append(slices.Clone(lines), "type: service") // Backstage requires it
			}
			c := doc("Component", "svc", lines...)
			p := planOf(nil, []File{{Name: "c.yaml", Data: []byte(team + "---\n" + c)}}, DefaultOptions())
			e := entry(t, p, "Component", "svc")
			if e.Outcome != tt.outcome || !strings.Contains(e.Reason, tt.reason) || (tt.reason == "") != (e.Reason == "") {
				t.Fatalf("entry = %s %q; want %s %q", e.Outcome, e.Reason, tt.outcome, tt.reason)
			}
			if tt.want != nil && (len(p.Services) != 1 || !tt.want(p.Services[0])) {
				t.Errorf("service = %+v", p.Services)
			}
		})
	}
}

// TestGroupAndUserMapping maps Groups and Users.
func TestGroupAndUserMapping(t *testing.T) {
	p := planOf(nil, stream(
		doc("Group", "org", "type: organization", "m:title: From title", "profile: {displayName: From profile, email: org@example.com}"),
		doc("Group", "sre", "type: Reliability", "parent: org", "members: [user:default/ann]"),
		doc("Group", "kinded", "type: squad", "parent: org", "m:annotations: {paved.dev/team-kind: developer-productivity}"),
		doc("Group", "titled", "type: team", "m:title: Only a title"),
		doc("User", "ann", "profile: {displayName: Ann Example, email: ann@example.com}", "memberOf: [group:kinded]"),
		doc("User", "bob", "m:title: Bob by title", "memberOf: [org, sre, ORG]"),
	), DefaultOptions())
	teams := map[string]*paved.Team{}
	for _, tm := range p.Teams {
		teams[tm.Name] = tm
	}
	checks := []struct {
		name                      string
		kind                      paved.TeamKind
		typ, parent, title, email string
	}{
		{"org", paved.KindProduct, "organization", "", "From profile", "org@example.com"},
		{"sre", paved.KindReliability, "Reliability", "org", "", ""},
		{"kinded", paved.KindDeveloperProductivity, "squad", "org", "", ""},
		{"titled", paved.KindProduct, "team", "", "Only a title", ""},
	}
	for _, c := range checks {
		tm := teams[c.name]
		if tm == nil || tm.Kind != c.kind || tm.Type != c.typ || tm.Parent != c.parent || tm.Title != c.title || tm.Email != c.email {
			t.Errorf("team %s = %+v", c.name, tm)
		}
	}
	users := map[string]*paved.User{}
	for _, u := range p.Users {
		users[u.Name] = u
	}
	if u := users["ann"]; u == nil || u.DisplayName != "Ann Example" || u.Email != "ann@example.com" || strings.Join(u.Teams, ",") != "kinded,sre" {
		t.Errorf("ann = %+v", u)
	}
	if u := users["bob"]; u == nil || u.DisplayName != "Bob by title" || strings.Join(u.Teams, ",") != "org,sre" {
		t.Errorf("bob = %+v", u)
	}
}
