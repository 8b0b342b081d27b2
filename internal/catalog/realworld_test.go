package catalog

import (
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestRealWorldGolden plans testdata/realworld, a catalog written in the
// shapes found in public Backstage catalogs (Backstage's own examples,
// company catalogs, software templates), into an empty catalog.
func TestRealWorldGolden(t *testing.T) {
	planGolden(t, []string{"testdata/realworld"}, "testdata/realworld.golden.json")
}

// TestUserOwner: spec.owner naming a user (user:guest is what Backstage's
// own templates write) goes to the user's team when there is exactly one.
func TestUserOwner(t *testing.T) {
	org := doc("Group", "team-a", "type: team", "children: []") + "---\n" +
		doc("Group", "team-b", "type: team", "members: [multi]") + "---\n" +
		doc("User", "Solo", "memberOf: [team-a]") + "---\n" +
		doc("User", "multi", "memberOf: [group:default/team-a]") + "---\n" +
		doc("User", "loner") + "---\n" +
		doc("User", "bad user", "memberOf: [team-a]")
	cur := &paved.Catalog{
		Teams: []*paved.Team{{ID: 1, Name: "old-team", Kind: paved.KindProduct}},
		Users: []*paved.User{{ID: 2, Name: "veteran", Teams: []string{"old-team"}}},
	}
	tests := []struct {
		owner   string
		outcome paved.Outcome
		team    string
		reason  string
	}{
		{"user:solo", paved.OutcomeCreated, "team-a", `"user:solo" is a user; paved services are owned by teams, so the owner is the user's team team-a`},
		{"User:Default/SOLO", paved.OutcomeCreated, "team-a", "the owner is the user's team team-a"},
		{"user:veteran", paved.OutcomeCreated, "old-team", "the owner is the user's team old-team"},
		{"user:multi", paved.OutcomeInvalid, "", `"user:multi" is a user in 2 teams (team-a, team-b); paved services are owned by teams, so name one of them (group:name)`},
		{"user:loner", paved.OutcomeInvalid, "", `"user:loner" is a user who is in no team`},
		{"user:nobody", paved.OutcomeInvalid, "", `"user:nobody" names a user who is neither in this import nor in the catalog`},
		{"user:guest", paved.OutcomeInvalid, "", `neither in this import nor in the catalog`},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			files := []File{{Name: "c.yaml", Data: []byte(org + "---\n" + doc("Component", "svc", "type: service", "lifecycle: production", "owner: "+tt.owner))}}
			p := planOf(cur, files, DefaultOptions())
			e := entry(t, p, "Component", "svc")
			if e.Outcome != tt.outcome || !strings.Contains(e.Reason, tt.reason) {
				t.Fatalf("entry = %s %q; want %s %q", e.Outcome, e.Reason, tt.outcome, tt.reason)
			}
			if tt.team != "" {
				s := findService(&paved.Catalog{Services: p.Services}, "svc")
				if s == nil || s.Owner != tt.team {
					t.Fatalf("service = %+v; want owner %s", s, tt.team)
				}
				// Re-importing the same file into the result changes nothing.
				again := planOf(apply(cur, p), files, DefaultOptions())
				if e := entry(t, again, "Component", "svc"); e.Outcome != paved.OutcomeUnchanged {
					t.Errorf("re-import: %s %v %s", e.Outcome, e.Changes, e.Reason)
				}
			}
		})
	}
}

// TestNameInSeveralNamespaces: Backstage's example organisation defines a
// user guest in the default namespace and another in development. paved
// keys by name, so the default one imports and the other is skipped,
// whichever comes first; with no default one, all are invalid.
func TestNameInSeveralNamespaces(t *testing.T) {
	team := doc("Group", "team-a", "type: team")
	def := doc("User", "guest", "memberOf: [team-a]")
	dev := doc("User", "guest", "m:namespace: development", "memberOf: [group:default/team-a]")
	prod := doc("User", "guest", "m:namespace: production")
	for _, order := range [][]string{{def, dev}, {dev, def}} {
		p := planOf(nil, stream(append([]string{team}, order...)...), DefaultOptions())
		var got []string
		for _, e := range p.Entries {
			if e.Kind == kindUser {
				got = append(got, string(e.Outcome)+" "+e.Source)
			}
		}
		if len(p.Users) != 1 || strings.Join(p.Users[0].Teams, ",") != "team-a" {
			t.Errorf("users = %+v; want the default guest only", p.Users)
		}
		for _, e := range p.Entries {
			if e.Kind == kindUser && e.Outcome == paved.OutcomeSkipped && !strings.Contains(e.Reason, "namespace development is left out") {
				t.Errorf("skipped reason = %q", e.Reason)
			}
		}
		if !strings.Contains(strings.Join(got, ";"), "skipped") {
			t.Errorf("entries = %v", got)
		}
	}
	p := planOf(nil, stream(team, dev, prod), DefaultOptions())
	for _, e := range p.Entries {
		if e.Kind == kindUser && (e.Outcome != paved.OutcomeInvalid || !strings.Contains(e.Reason, "rename one")) {
			t.Errorf("%s %s: %s %q; want invalid", e.Kind, e.Source, e.Outcome, e.Reason)
		}
	}
}

// TestSkeletons: catalog-info.yaml files of software templates are
// skipped with the reason, whether or not they parse as YAML, and the
// Template itself is skipped as a template.
func TestSkeletons(t *testing.T) {
	tests := []struct {
		name, data string
		kind       string
		reason     string
	}{
		{"scaffolder placeholders", doc("Component", "${{ values.name }}", "owner: ${{ values.owner }}", "lifecycle: experimental"), "Component", `it holds the placeholder "${{ values.name }}"`},
		{"placeholder in the owner only", doc("Component", "fixed", "owner: group:${{ values.owner }}", "lifecycle: experimental"), "Component", `"group:${{ values.owner }}"`},
		{"cookiecutter", doc("Component", "{{cookiecutter.component_id}}", "owner: team-a"), "Component", `"{{cookiecutter.component_id}}"`},
		{"nunjucks tags", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  {%- if values.description %}\n  description: y\n  {%- endif %}\n", "File", "a software template skeleton, not a catalog file"},
		{"directive and set", "%SKELETON\n{% set v = values.x %}\napiVersion: backstage.io/v1alpha1\nkind: System\n", "File", "a software template skeleton"},
		{"scaffolder template", "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  owner: user:guest\n  steps:\n    - input:\n        values:\n          name: ${{ parameters.name }}\n", "Template", "paved does not run scaffolder templates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(nil, []File{{Name: "s.yaml", Data: []byte(tt.data)}}, DefaultOptions())
			if len(p.Entries) != 1 {
				t.Fatalf("entries = %+v", p.Entries)
			}
			e := p.Entries[0]
			if e.Kind != tt.kind || e.Outcome != paved.OutcomeSkipped || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("entry = %s %s %q; want skipped %s %q", e.Kind, e.Outcome, e.Reason, tt.kind, tt.reason)
			}
		})
	}
	// A real entity whose API definition holds ${{ }} is not a skeleton, and
	// a malformed file without placeholders is still malformed.
	api := doc("API", "ci-api", "type: openapi", "lifecycle: production", "owner: team-a", "definition: 'run: ${{ secrets.X }}'")
	p := planOf(nil, []File{{Name: "a.yaml", Data: []byte(api)}, {Name: "b.yaml", Data: []byte("kind: [\n")}}, DefaultOptions())
	if e := p.Entries[0]; !strings.Contains(e.Reason, "paved does not model APIs") {
		t.Errorf("API entry = %+v", e)
	}
	if e := p.Entries[1]; e.Outcome != paved.OutcomeInvalid || !strings.Contains(e.Reason, "malformed YAML") {
		t.Errorf("malformed entry = %+v", e)
	}
}

// TestRealWorldFields: fields as public catalogs write them, one Component
// at a time next to its team.
func TestRealWorldFields(t *testing.T) {
	team := doc("Group", "team-a", "type: team")
	tests := []struct {
		name    string
		lines   []string
		outcome paved.Outcome
		reason  string
		want    func(s *paved.Service) bool
	}{
		{"tags with upper case and spaces", []string{"m:tags: [Java, 'Spring Boot', java, go 1.22, ok-tag]"}, paved.OutcomeCreated,
			`"Spring Boot" recorded as "spring-boot"`,
			func(s *paved.Service) bool { return strings.Join(s.Tags, ",") == "java,spring-boot,ok-tag" }},
		{"tag that cannot be fixed", []string{"m:tags: ['c++ / rust']"}, paved.OutcomeCreated,
			`"c++ / rust" is not a valid Backstage tag`,
			func(s *paved.Service) bool { return len(s.Tags) == 0 }},
		{"labels", []string{"m:labels: {example.com/team: a, tier: '1'}"}, paved.OutcomeCreated,
			"metadata.labels (c.yaml:5): paved does not store labels; not recorded: example.com/team, tier", nil},
		{"subcomponentOf", []string{"subcomponentOf: component:default/core"}, paved.OutcomeCreated,
			`spec.subcomponentOf (c.yaml:8): paved does not model subcomponents; "component:default/core" is not recorded`, nil},
		{"template placeholders in refs", []string{"dependsOn: ['<component_or_resource>', resource:db]"}, paved.OutcomeCreated,
			`spec.dependsOn[0] (c.yaml:8): "<component_or_resource>" is not an entity reference`,
			func(s *paved.Service) bool {
				return strings.Join(s.DependsOn, ",") == "<component_or_resource>,resource:db"
			}},
		{"empty type", []string{"type: ''"}, paved.OutcomeCreated, "spec.type (c.yaml:7): missing or empty", nil},
		{"$text description", []string{"m:description: {$text: ./README.md}"}, paved.OutcomeCreated,
			"metadata.description (c.yaml:5): $text: ./README.md is a Backstage placeholder",
			func(s *paved.Service) bool { return s.Description == "" }},
		{"$text owner", []string{"owner: {$text: ./OWNER}"}, paved.OutcomeInvalid,
			"spec.owner (c.yaml:8): $text: ./OWNER is a Backstage placeholder, which paved does not fetch", nil},
		{"namespace in upper case", []string{"m:namespace: Music"}, paved.OutcomeCreated, "",
			func(s *paved.Service) bool { return s.Namespace == "Music" }},
		{"invalid namespace", []string{"m:namespace: my namespace"}, paved.OutcomeInvalid,
			`metadata.namespace (c.yaml:5): "my namespace" is not a valid namespace`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := append([]string{"type: service", "lifecycle: production"}, tt.lines...)
			if !slices.ContainsFunc(tt.lines, func(l string) bool { return strings.HasPrefix(l, "owner:") }) {
				lines = append(lines, "owner: team-a")
			}
			if slices.ContainsFunc(tt.lines, func(l string) bool { return strings.HasPrefix(l, "type:") }) {
				lines = lines[1:]
			}
			c := doc("Component", "svc", lines...)
			p := planOf(nil, []File{{Name: "c.yaml", Data: []byte(c + "---\n" + team)}}, DefaultOptions())
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
