package catalog

import (
	"os"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// goldenPlan is what a golden file holds: every entry, and the entities the
// plan would write.
type goldenPlan struct {
	Entries  []paved.ImportEntry `json:"entries"`
	Teams    []*paved.Team       `json:"teams"`
	Users    []*paved.User       `json:"users"`
	Services []*paved.Service    `json:"services"`
}

func planGolden(t *testing.T, paths []string, golden string) {
	t.Helper()
	r, err := Load(paths, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := Plan(&paved.Catalog{}, r, DefaultOptions())
	testutil.GoldenJSON(t, golden, goldenPlan{p.Entries, p.Teams, p.Users, p.Services})
}

// TestGoldenSample imports the sample organisation through its Location
// file, as a user would run `paved catalog import testdata/sample/all.yaml`.
func TestGoldenSample(t *testing.T) {
	planGolden(t, []string{"testdata/sample/all.yaml"}, "testdata/sample.golden.json")
}

// TestGolden plans each folder under testdata/golden into an empty catalog.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(filepath.Base(d), func(t *testing.T) {
			planGolden(t, []string{d}, d+".golden.json")
		})
	}
	if n == 0 {
		t.Fatal("no golden cases under testdata/golden")
	}
}
