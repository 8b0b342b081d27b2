package ownership

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
)

// FuzzParse holds the parser to: no panic, an *paved.Error on failure, and
// a map that Marshal writes and Parse reads back on success.
func FuzzParse(f *testing.F) {
	def, _ := embedded.ReadFile("default.yaml")
	f.Add(def)
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("version: 1\nlayers:\n  - id: a\n    title: A\n    concerns:\n      - {id: b, title: B, owner: x, consulted: [y]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("f.yaml", data)
		if err != nil {
			if paved.ErrorCode(err) == paved.EINTERNAL {
				t.Fatalf("not a *paved.Error: %v", err)
			}
			return
		}
		b, err := Marshal(m, "")
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := Parse("back.yaml", b); err != nil {
			t.Fatalf("the marshalled map does not parse: %v\n%s", err, b)
		}
		Validate(m, NewTeams(orgTeams()))
	})
}

// FuzzCond holds the condition parser to: no panic, and an evaluation on
// arbitrary attributes that returns one of the three values.
func FuzzCond(f *testing.F) {
	ts, _ := Tables()
	for _, tb := range ts {
		for _, r := range tb.Rows {
			if r.EnabledWhen != "" {
				f.Add(r.EnabledWhen, `{"backup_retention_period": 7}`)
			}
		}
	}
	f.Add(`a = 1 or (b.c is set and not a = "x")`, `{"a": [1, {"c": null}], "b": [{"c": "y"}]}`)
	f.Add(`x matches "^(a|b)+$"`, `{"x": "abab"}`)
	f.Fuzz(func(t *testing.T, cond, attrsJSON string) {
		c, err := ParseCond(cond)
		if err != nil {
			return
		}
		var a map[string]any
		_ = json.Unmarshal([]byte(attrsJSON), &a)
		switch c.Eval(a) {
		case True, False, Unknown:
		default:
			t.Fatal("a fourth truth value")
		}
		_ = c.Paths()
		if _, err := ParseCond(c.String()); err != nil {
			t.Fatalf("String does not parse back: %v", err)
		}
	})
}
