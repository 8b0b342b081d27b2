package policy

import (
	"context"
	"testing"
	"testing/fstest"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"go.yaml.in/yaml/v3"
)

// FuzzRuleMetadata feeds arbitrary METADATA blocks and rule bodies through
// the library loader: New must return a rule or an error, never panic, and
// a loaded rule must evaluate.
func FuzzRuleMetadata(f *testing.F) {
	f.Add("# title: T\n# custom:\n#   id: f-r\n#   severity: deny\n#   resource_types: [t]\n", `deny contains {"address": r.address, "msg": "m"} if some r in input.by_type.t`)
	f.Add("# title: T\n# custom:\n#   id: f-r\n#   severity: warn\n#   scope: plan\n#   parameters:\n#     p: {default: [1, 2]}\n", `warn contains {"address": "", "msg": sprintf("%v", [data.paved.params.f_r.p])} if true`)
	f.Add("# custom: [1, 2]\n", "deny contains 1 if true")
	f.Add("# custom:\n#   id: 3\n#   parameters: {p: 1}\n#   examples: {pass: [1]}\n", "")
	f.Fuzz(func(t *testing.T, meta, body string) {
		src := "# METADATA\n" + meta + "package paved.rules.f_r\n\n" + body + "\n"
		e, err := New(Options{Library: fstest.MapFS{"rules/f/r.rego": {Data: []byte(src)}}})
		if err != nil {
			if paved.ErrorCode(err) != paved.EINVALID {
				t.Fatalf("non-EINVALID error %v", err)
			}
			return
		}
		for _, r := range e.Rules() {
			_ = e.Explain(r.ID)
		}
		r := &paved.IaCResource{Address: "t.a", Type: "t", Action: "create", Actions: []string{"create"}, After: map[string]any{"x": 1.0}}
		_, _ = e.Check(context.Background(), []*iac.Document{{Input: "p", Resources: []*paved.IaCResource{r}}}, paved.ServiceContext{Tier: 1})
	})
}

// FuzzConfig decodes arbitrary guardrails YAML and validates it against the
// test library: an error or an engine, never a panic.
func FuzzConfig(f *testing.F) {
	f.Add("rules: {test-db-memory: {params: {max_gib: 256}, tiers: {1: {max_gib: 1}}, phases: {playground: {max_gib: 2}}}}")
	f.Add("rules: {test-required-tags: {params: {keys: [a, {b: c}]}}}\ndisabled: [x]")
	f.Add("rules: {test-db-memory: {enforce_from: 2026-01-01, severity: warn}}")
	f.Add("rules: {test-pdb: {params: {tiers: [1, 2.5, .inf]}}}")
	lib := testLibraryFS()
	f.Fuzz(func(t *testing.T, src string) {
		var cfg Config
		if yaml.Unmarshal([]byte(src), &cfg) != nil {
			return
		}
		e, err := New(Options{Library: lib, Config: cfg})
		if err != nil {
			if paved.ErrorCode(err) != paved.EINVALID {
				t.Fatalf("non-EINVALID error %v", err)
			}
			return
		}
		for _, r := range e.Rules() {
			_ = e.Explain(r.ID)
			for _, tier := range []paved.Tier{0, 1, 4} {
				if _, ok := e.Params(r.ID, paved.ServiceContext{Tier: tier, Phase: paved.PhasePlayground}); !ok {
					t.Fatal("no params")
				}
			}
		}
		if _, err := e.Check(context.Background(), []*iac.Document{tfDoc("p", db("aws_db_instance.a", "db.x2g.16xlarge", nil))}, paved.ServiceContext{Tier: 1, Phase: paved.PhasePlayground}); err != nil {
			t.Fatalf("Check after a valid config: %v", err)
		}
	})
}
