package launch

import (
	"os"
	"reflect"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestTemplateEvidenceSources: a check-rules item may say whose checks
// count; an item without sources reads as before (no Sources), so the
// embedded templates' digests do not change.
func TestTemplateEvidenceSources(t *testing.T) {
	src, err := os.ReadFile("testdata/templates/bad/evidence-sources-twice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := strings.Replace(string(src), "sources: [ci, CI]", "sources: [ci]", 1)
	tpl, err := ParseTemplate("good.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	_, it := tpl.Item("deploy-rollback")
	if !reflect.DeepEqual(it.Evidence.Sources, []paved.CheckSource{paved.SourceCI}) {
		t.Errorf("sources = %v", it.Evidence.Sources)
	}
	if got := it.Evidence.CheckSourcesFor(4); !reflect.DeepEqual(got, []paved.CheckSource{paved.SourceCI}) {
		t.Errorf("a template's sources hold for every tier: %v", got)
	}
	lib, err := LoadLibrary("")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range paved.TemplateKinds {
		for _, it := range lib.Current(k).Items() {
			if it.Evidence != nil && len(it.Evidence.Sources) > 0 {
				t.Errorf("embedded item %s names sources: the default applies to embedded templates", it.ID)
			}
		}
	}
}
