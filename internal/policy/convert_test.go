package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// parallelValue must build exactly the value ast.InterfaceToValue builds.
func TestParallelValueMatches(t *testing.T) {
	var rc []any
	for i := range 1000 {
		rc = append(rc, map[string]any{"address": fmt.Sprintf("aws_s3_bucket.b%d", i), "n": json.Number("1.5"), "f": float64(i), "ok": i%2 == 0, "nil": nil,
			"nested": []any{map[string]any{"k": "v"}, "x"}})
	}
	docs := []any{
		map[string]any{"format_version": "1.2", "resource_changes": rc, "empty": map[string]any{}, "small": []any{1.0, "a"}},
		rc,
		"scalar",
		[]any{},
		map[string]any{},
	}
	for i, d := range docs {
		want, err := ast.InterfaceToValue(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parallelValue(d)
		if err != nil {
			t.Fatal(err)
		}
		if want.Compare(got) != 0 {
			t.Errorf("doc %d: values differ:\n%s\n%s", i, trunc(want.String()), trunc(got.String()))
		}
	}
}

func trunc(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return strings.TrimSpace(s)
}

func TestBeforeOnlyWhenMentioned(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.needBefore {
		t.Error("no built-in rule reads before, yet the engine would convert it")
	}
	for src, want := range map[string]bool{
		"package paved.rules.x\ndeny contains 1 if input.resources[_].before.size > 1":            true,
		"package paved.rules.x\ndeny contains 1 if object.get(input.resources[_], \"before\", 0)": true,
		"package paved.rules.x\ndeny contains 1 if input.resources[_].after.size > 1":             false,
	} {
		m := ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if got := stringLiterals(map[string]*ast.Module{"x.rego": m})["before"]; got != want {
			t.Errorf("%q: mentions before = %v, want %v", src, got, want)
		}
	}
}
