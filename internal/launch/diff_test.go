package launch

import (
	"encoding/json"
	"os"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

func templateFixture(t *testing.T, path string) *paved.Template {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := ParseTemplate(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// TestDiff pins the changes between two versions of a checklist in words:
// testdata/templates/diff/{old,new}.yaml -> diff.golden.json.
func TestDiff(t *testing.T) {
	old := templateFixture(t, "testdata/templates/diff/old.yaml")
	new := templateFixture(t, "testdata/templates/diff/new.yaml")
	changes := Diff(old, new)
	b, err := json.MarshalIndent(changes, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, "testdata/templates/diff/diff.golden.json", append(b, '\n'))

	// The same diff twice: the order is stable.
	again, _ := json.MarshalIndent(Diff(old, new), "", "  ")
	if string(again) != string(b) {
		t.Error("Diff is not deterministic")
	}
	// Going back is the mirror image: what was added is removed.
	back := Diff(new, old)
	count := func(cs []ItemChange, kind string) int {
		n := 0
		for _, c := range cs {
			if c.Change == kind {
				n++
			}
		}
		return n
	}
	if count(back, changeAdded) != count(changes, changeRemoved) || count(back, changeRemoved) != count(changes, changeAdded) {
		t.Errorf("reverse diff: %d added/%d removed, forward %d added/%d removed",
			count(back, changeAdded), count(back, changeRemoved), count(changes, changeAdded), count(changes, changeRemoved))
	}
}

func TestDiffEdges(t *testing.T) {
	def := DefaultLibrary()
	c := def.Current(paved.KindChecklist)
	if d := Diff(c, c); len(d) != 0 {
		t.Errorf("a template differs from itself: %v", d)
	}
	if d := Diff(nil, nil); d == nil || len(d) != 0 {
		t.Errorf("Diff(nil, nil) = %#v, want an empty list", d)
	}
	all := Diff(nil, c)
	if len(all) != len(c.Items()) {
		t.Fatalf("Diff(nil, checklist) has %d changes, want %d", len(all), len(c.Items()))
	}
	for i, it := range c.Items() {
		if all[i].Item != it.ID || all[i].Change != changeAdded {
			t.Errorf("change %d = %+v, want %s added", i, all[i], it.ID)
		}
	}
	gone := Diff(c, nil)
	if len(gone) != len(c.Items()) || gone[0].Change != changeRemoved || gone[0].Area != c.Areas[0].ID {
		t.Errorf("Diff(checklist, nil) = %d changes, first %+v", len(gone), gone[0])
	}
}

func TestTierWords(t *testing.T) {
	for _, tc := range []struct {
		tiers []paved.Tier
		want  string
	}{
		{nil, "no tier"},
		{[]paved.Tier{3}, "tier 3"},
		{[]paved.Tier{3, 4}, "tiers 3 and 4"},
		{[]paved.Tier{1, 2, 3}, "tiers 1, 2 and 3"},
		{[]paved.Tier{1, 2, 3, 4}, "every tier"},
	} {
		if got := tierWords(tc.tiers); got != tc.want {
			t.Errorf("tierWords(%v) = %q, want %q", tc.tiers, got, tc.want)
		}
	}
}
