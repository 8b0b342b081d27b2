package scorecard

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// FuzzParse: no input panics or returns an error that is not a
// *paved.Error; whatever parses can be evaluated.
func FuzzParse(f *testing.F) {
	entries, _ := fs.ReadDir(defaultFiles, "defaults")
	for _, e := range entries {
		data, _ := defaultFiles.ReadFile("defaults/" + e.Name())
		f.Add(data)
	}
	f.Add([]byte(levelled))
	f.Add([]byte("id: t\ntitle: T\nlevels: [a]\nrules:\n  - {id: r, title: R, level: a, expr: not (r)}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("not a *paved.Error: %T %v", err, err)
			}
			return
		}
		ev := c.Evaluate(&Input{Service: svc()}, time.Unix(0, 0))
		if len(ev.Rules) != len(c.Rules) || ev.Score < 0 || ev.Score > 1 {
			t.Fatalf("evaluation %+v", ev)
		}
	})
}
