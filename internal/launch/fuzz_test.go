package launch

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// FuzzParseTemplate feeds the parser arbitrary bytes, seeded with the
// defaults and every fixture: it must never panic, every error must be a
// *paved.Error naming the file, and whatever it accepts must be a valid
// template (ids well formed and unique, tiers in range, a digest that
// matches the content).
func FuzzParseTemplate(f *testing.F) {
	// The defaults, cut after their first area (TestDigest and
	// TestDefaultTemplates parse them whole): the engine minimizes every new
	// interesting input, which takes up to -fuzzminimizetime (60s by
	// default, shown as 0 execs/sec) and grows with the input. Run with
	// -fuzzminimizetime=5s to keep fuzzing.
	for _, k := range paved.TemplateKinds {
		data, err := embeddedTemplates.ReadFile("templates/" + string(k) + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		areas := bytes.Split(data, []byte("\n  - id: "))
		f.Add(bytes.Join(areas[:2], []byte("\n  - id: ")))
	}
	seeds, _ := filepath.Glob("testdata/templates/*/*.yaml")
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("kind: checklist\nversion: 1\ntitle: T\nareas: [{id: a, title: A, items: [{id: i, title: Q, required_for: all, guidance: G}]}]\n"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("? [a]\n: b\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := ParseTemplate("fuzz.yaml", data)
		if err != nil {
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *paved.Error", err, err)
			}
			if !strings.HasPrefix(pe.Field, "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if !tp.Kind.Valid() || tp.Version < 1 || tp.Title == "" || len(tp.Areas) == 0 {
			t.Fatalf("accepted an invalid template: %+v", tp)
		}
		if tp.Digest != templateDigest(tp) || len(tp.Digest) != 64 {
			t.Fatalf("digest %q does not match the content", tp.Digest)
		}
		areas, items := map[string]bool{}, map[string]bool{}
		for _, a := range tp.Areas {
			if !idRE.MatchString(a.ID) || areas[a.ID] || a.Title == "" || len(a.Items) == 0 {
				t.Fatalf("accepted area %+v", a)
			}
			areas[a.ID] = true
			for _, it := range a.Items {
				if !idRE.MatchString(it.ID) || items[it.ID] || it.Title == "" || it.Guidance == "" {
					t.Fatalf("accepted item %+v", it)
				}
				items[it.ID] = true
				if it.Form != paved.FormText && it.Form != paved.FormLink {
					t.Fatalf("item %s form %q", it.ID, it.Form)
				}
				for _, tier := range it.RequiredFor {
					if !tier.Valid() {
						t.Fatalf("item %s tier %d", it.ID, tier)
					}
				}
				if e := it.Evidence; e != nil {
					switch e.Source {
					case evidenceCheckRules:
						if len(e.Rules) == 0 || e.Value != "" {
							t.Fatalf("item %s evidence %+v", it.ID, e)
						}
					case evidenceCatalogLink, evidenceCatalogField, evidenceAssessment:
						if e.Value == "" || len(e.Rules) != 0 {
							t.Fatalf("item %s evidence %+v", it.ID, e)
						}
					default:
						t.Fatalf("item %s evidence source %q", it.ID, e.Source)
					}
				}
			}
		}
		// Diff of an accepted template with itself and with nothing.
		if d := Diff(tp, tp); len(d) != 0 {
			t.Fatalf("template differs from itself: %v", d)
		}
		_ = Diff(nil, tp)
	})
}
