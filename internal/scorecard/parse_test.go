package scorecard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

func TestParseErrors(t *testing.T) {
	const head = "id: t\ntitle: T\nlevels: [bronze, silver]\nrules:\n"
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "sc.yaml:1: the file is empty"},
		{"syntax", "id: [", "sc.yaml:1: not valid YAML"},
		{"two documents", "id: t\n---\nid: u\n", "sc.yaml:2: a second YAML document"},
		{"unknown key", "id: t\ntitel: T\n", `sc.yaml:2: unknown key "titel" in a scorecard: expected one of id, title, description, applies_to, levels, rules (did you mean "title"?)`},
		{"bad id", "id: T_1\ntitle: T\n", `sc.yaml:1: the scorecard id "T_1" is not valid`},
		{"no levels", "id: t\ntitle: T\nrules: []\n", "sc.yaml:1: the scorecard has no levels"},
		{"level twice", "id: t\ntitle: T\nlevels: [a, a]\n", `sc.yaml:3: level "a" is listed twice`},
		{"no rules", "id: t\ntitle: T\nlevels: [a]\nrules: []\n", "sc.yaml:4: the scorecard has no rules"},
		{"unknown level", head + "  - {id: r, title: R, level: gold, item: x}\n", `sc.yaml:5: rule r: unknown level "gold": expected one of bronze, silver`},
		{"nothing to check", head + "  - {id: r, title: R, level: bronze}\n", "sc.yaml:5: rule r says nothing to check"},
		{"two kinds", head + "  - {id: r, title: R, level: bronze, item: x, fact: a.b}\n", "sc.yaml:5: rule r has both item and fact"},
		{"states on a fact", head + "  - {id: r, title: R, level: bronze, fact: a.b, states: [settled]}\n", "sc.yaml:5: rule r: states is for item rules, not fact"},
		{"bad state", head + "  - {id: r, title: R, level: bronze, item: x, states: [done]}\n", `sc.yaml:5: rule r: unknown item state "done"`},
		{"bad fact", head + "  - id: r\n    title: R\n    level: bronze\n    fact: a.b >=\n", "sc.yaml:8: rule r fact:"},
		{"duplicate rule", head + "  - {id: r, title: R, level: bronze, item: x}\n  - {id: r, title: R, level: silver, item: y}\n", `sc.yaml:6: rule "r" appears twice (first at line 5)`},
		{"bad exceptions", head + "  - {id: r, title: R, level: bronze, exceptions: {max: -1}}\n", "sc.yaml:5: rule r exceptions max is"},
		{"bad max_age", head + "  - {id: r, title: R, level: bronze, exceptions: {max_age: soon}}\n", `sc.yaml:5: rule r exceptions max_age: duration "soon" is not valid`},
		{"bad field", head + "  - {id: r, title: R, level: bronze, catalog: owner.email}\n", `sc.yaml:5: rule r catalog: unknown catalog field "owner.email"`},
		{"bad budget", head + "  - {id: r, title: R, level: bronze, budget: {threshold: 0}}\n", "sc.yaml:5: rule r budget threshold is"},
		{"expr forward reference", head + "  - {id: r, title: R, level: bronze, expr: s}\n  - {id: s, title: S, level: silver, item: y}\n", `sc.yaml:5: rule r expr: no rule "s" above this one`},
		{"expr unclosed", head + "  - {id: a, title: A, level: bronze, item: x}\n  - {id: r, title: R, level: silver, expr: (a}\n", "sc.yaml:6: rule r expr: a ( is not closed"},
		{"level without rule", head + "  - {id: r, title: R, level: bronze, item: x}\n", `level "silver" has no rule`},
		{"bad tier", "id: t\ntitle: T\napplies_to: {tiers: [5]}\n", "sc.yaml:3: applies_to.tiers: unknown tier"},
		{"bad team kind", "id: t\ntitle: T\napplies_to:\n  team_kinds: [ops]\n", `sc.yaml:4: applies_to.team_kinds: unknown team kind "ops"`},
		{"anchors are no way around unknown keys", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nid: t\n", "sc.yaml:1: unknown key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("sc.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant it to contain %q", err, tc.want)
			}
			if paved.ErrorCode(err) != paved.EINVALID {
				t.Errorf("code %s, want %s", paved.ErrorCode(err), paved.EINVALID)
			}
		})
	}
	big := strings.Repeat("#", MaxFileBytes+1)
	if _, err := Parse("big.yaml", []byte(big)); paved.ErrorCode(err) != paved.ETOOLARGE {
		t.Errorf("a file over the cap: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	s := Defaults()
	var ids []string
	for _, c := range s.Cards {
		ids = append(ids, c.ID)
		if !c.Default || c.Source != "" {
			t.Errorf("%s: Default %v Source %q", c.ID, c.Default, c.Source)
		}
	}
	if got := strings.Join(ids, " "); got != "cost-hygiene production-readiness security-hygiene" {
		t.Errorf("default scorecards %q", got)
	}
	if g := s.GuardRails()["required-tags"]; g == "" {
		t.Error("cost hygiene does not read the required-tags guard rail")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(filepath.Join(dir, "none")); err != nil || len(s.Cards) != 3 {
		t.Fatalf("a missing folder gives the defaults: %v %v", s, err)
	}
	if s, err := Load(dir); err != nil || len(s.Cards) != 0 {
		t.Fatalf("an empty folder gives no scorecards: %v %v", s, err)
	}
	card := "id: same\ntitle: T\nlevels: [a]\nrules:\n  - {id: r, title: R, level: a, item: runbooks}\n"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(card), 0o644))
	must(os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a scorecard"), 0o644))
	s, err := Load(dir)
	must(err)
	if len(s.Cards) != 1 || s.Find("same") == nil || s.Cards[0].Source != filepath.Join(dir, "a.yaml") {
		t.Fatalf("loaded %+v", s.Cards)
	}
	if err := s.CheckItems(map[string]bool{"runbooks": true}); err != nil {
		t.Errorf("CheckItems: %v", err)
	}
	if err := s.CheckItems(map[string]bool{"slos": true}); err == nil || !strings.Contains(err.Error(), "a.yaml:5: rule r names item \"runbooks\"") {
		t.Errorf("CheckItems of an unknown item: %v", err)
	}
	must(os.WriteFile(filepath.Join(dir, "b.yml"), []byte(card), 0o644))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "b.yml:1: scorecard id \"same\" is also the id of") {
		t.Errorf("two scorecards with one id: %v", err)
	}
}
