package policy

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// Built-in plan-scoped rules receive only the resources of the types they
// list (see checkRules), so each must read nothing else: no
// input.resources, and every type it looks up in input.by_type (directly,
// with object.get or through lib.resources/lib.candidates) is listed.
func TestBuiltinPlanRulesListWhatTheyRead(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ri := range e.ordered {
		if ri.scope != scopePlan || !ri.rule.Builtin {
			continue
		}
		src, err := fs.ReadFile(embedded, ri.file)
		if err != nil {
			t.Fatalf("%s: %v", ri.file, err)
		}
		m, err := ast.ParseModuleWithOpts(ri.file, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		checked++
		read := map[string]bool{}
		ast.WalkRefs(m, func(r ast.Ref) bool {
			s := r.String()
			if strings.HasPrefix(s, "input.resources") {
				t.Errorf("%s reads input.resources: a built-in plan rule sees only its resource_types", ri.rule.ID)
			}
			if len(r) > 2 && r[0].Equal(ast.VarTerm("input")) && r[1].Equal(ast.StringTerm("by_type")) {
				if k, ok := r[2].Value.(ast.String); ok {
					read[string(k)] = true
				}
			}
			return false
		})
		// Calls appear as whole expressions and nested in terms
		// (some r in lib.resources([...]) is a call inside a membership test).
		visit := func(op string, args []*ast.Term) {
			switch {
			case op == "object.get" && len(args) >= 2 && args[0].String() == "input.by_type":
				if k, ok := args[1].Value.(ast.String); ok {
					read[string(k)] = true
				}
			case (op == "lib.resources" || op == "lib.candidates") && len(args) >= 1:
				if arr, ok := args[0].Value.(*ast.Array); ok {
					arr.Foreach(func(el *ast.Term) {
						if k, ok := el.Value.(ast.String); ok {
							read[string(k)] = true
						}
					})
				}
			}
		}
		ast.WalkExprs(m, func(x *ast.Expr) bool {
			if x.IsCall() {
				visit(x.Operator().String(), x.Operands())
			}
			return false
		})
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if c, ok := t.Value.(ast.Call); ok && len(c) > 0 {
				visit(c[0].String(), c[1:])
			}
			return false
		})
		for typ := range read {
			if !ri.typeSet[typ] {
				t.Errorf("%s reads resources of type %s but does not list it in resource_types", ri.rule.ID, typ)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no built-in plan-scoped rule found: the test checks nothing")
	}
}

// A context type (ebs-encrypted reads aws_ebs_encryption_by_default) reaches
// every chunk, also those without it, and is judged by nobody.
func TestContextTypesReachEveryChunk(t *testing.T) {
	e, err := New(Options{ChunkSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	vol := func(name string) *paved.IaCResource {
		return &paved.IaCResource{Address: "aws_ebs_volume." + name, Type: "aws_ebs_volume", Name: name, Source: "terraform", Provider: "aws", Mode: "managed",
			Actions: []string{"create"}, Action: "create", After: map[string]any{"size": 10.0, "type": "gp3"},
			AfterUnknown: map[string]any{"encrypted": true, "kms_key_id": true, "snapshot_id": true}, Config: map[string]any{}}
	}
	def := &paved.IaCResource{Address: "aws_ebs_encryption_by_default.this", Type: "aws_ebs_encryption_by_default", Name: "this", Source: "terraform", Provider: "aws", Mode: "managed",
		Actions: []string{"create"}, Action: "create", After: map[string]any{"enabled": true}, Config: map[string]any{}}
	count := func(rs ...*paved.IaCResource) int {
		fs, err := e.Check(context.Background(), []*iac.Document{{Input: "plan.json", Kind: iac.KindTerraformPlan, Resources: rs}}, paved.ServiceContext{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range fs {
			if f.Rule == "ebs-encrypted" {
				n++
			}
		}
		return n
	}
	if n := count(vol("a"), vol("b"), vol("c")); n != 3 {
		t.Errorf("without encryption by default: %d ebs-encrypted findings, want 3", n)
	}
	if n := count(vol("a"), vol("b"), def, vol("c")); n != 0 {
		t.Errorf("with encryption by default in the plan: %d ebs-encrypted findings, want 0", n)
	}
}
