package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
)

// FuzzLoad feeds arbitrary bytes through LoadFiles and Plan (next to a
// fixed file, so references across files are exercised) and checks that
// nothing panics, every entry is well-formed, and whatever the plan would
// create exports and imports back unchanged.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*/*")
	more, _ := filepath.Glob("testdata/sample/*/*.yaml")
	top, _ := filepath.Glob("testdata/sample/*.yaml")
	real, _ := filepath.Glob("testdata/realworld/*/*.yaml")
	skel, _ := filepath.Glob("testdata/realworld/templates/*/*/*.yaml")
	for _, p := range append(append(append(append(seeds, more...), top...), real...), skel...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	org := []byte(doc("Group", "fuzz-team", "type: team", "members: [fuzz-user]") + "---\n" + doc("User", "fuzz-user", "memberOf: [payments]"))
	opt := DefaultOptions()
	f.Fuzz(func(t *testing.T, data []byte) {
		cur := current()
		files := []File{{Name: "dir/fuzz.yaml", Data: data}, {Name: "dir/org.yaml", Data: org}}
		p := Plan(cur, LoadFiles(files, opt), opt)
		for _, e := range p.Entries {
			switch e.Outcome {
			case paved.OutcomeCreated, paved.OutcomeUpdated, paved.OutcomeUnchanged:
			case paved.OutcomeSkipped, paved.OutcomeInvalid:
				if e.Reason == "" {
					t.Errorf("%s %s at %s is %s without a reason", e.Kind, e.Name, e.Source, e.Outcome)
				}
			default:
				t.Errorf("%s %s: outcome %q", e.Kind, e.Name, e.Outcome)
			}
		}
		for _, s := range p.Services {
			if err := s.Validate(); err != nil {
				t.Errorf("planned service %s does not validate: %v", s.Name, err)
			}
		}
		for _, tm := range p.Teams {
			if err := tm.Validate(); err != nil {
				t.Errorf("planned team %s does not validate: %v", tm.Name, err)
			}
		}
		for _, u := range p.Users {
			if err := u.Validate(); err != nil {
				t.Errorf("planned user %s does not validate: %v", u.Name, err)
			}
		}
		// The round trip must hold for anything an import can produce.
		after := apply(cur, p)
		var buf bytes.Buffer
		if err := Export(&buf, after); err != nil {
			t.Fatal(err)
		}
		again := Plan(after, LoadFiles([]File{{Name: "export.yaml", Data: buf.Bytes()}}, opt), opt)
		for _, e := range again.Entries {
			if e.Outcome != paved.OutcomeUnchanged {
				t.Errorf("export round trip: %s %s %s %v %s\n%s", e.Kind, e.Name, e.Outcome, e.Changes, e.Reason, buf.Bytes())
			}
		}
	})
}
