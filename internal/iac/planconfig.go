package iac

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// What a resource's configuration sets, read from the plan's configuration
// block, so that the guard rails can tell the two reasons Terraform shows an
// attribute as unknown (after_unknown) apart:
//
//   - the configuration does not set it and the provider computes it: every
//     Optional+Computed attribute of a new resource is unknown whether it is
//     set or not (AWS shows snapshot_identifier, kms_key_id, tags_all ...
//     unknown on every new database). The provider's default applies, and
//     that is what a rule judges;
//   - the configuration sets it from something known only after apply
//     (kms_key_id = aws_kms_key.new.arn): only then is the value unknown.
//
// Each attribute expression is reduced to one of three words, the form
// IaCResource.Config carries (CONTRACT.md in internal/policy):
//
//	"constant"  a literal in the configuration: in the resource block, or
//	            reaching it through module inputs (module "db" { x = 1 },
//	            then x = var.x) or a variable's default
//	"variable"  a root module input variable set from outside the
//	            configuration (tfvars, -var, TF_VAR_): known at plan time
//	"computed"  anything else: references to resources, data sources,
//	            locals, module outputs, functions. Known at plan time when
//	            its inputs are; the plan's after_unknown says whether it is
//
// An attribute the configuration leaves out, sets to null, or sets to a
// module input that is null (not passed, default null) is absent: the
// provider's default applies. Nested blocks are lists of such objects (one
// per block); "dynamic" blocks are not in the plan's configuration (Terraform
// leaves them out), so an attribute set only through one looks unset.

// exprKind is what an expression is, before module inputs are followed.
type exprKind uint8

const (
	exprUnset    exprKind = iota // an explicit null: the same as leaving the attribute out
	exprConstant                 // a literal
	exprComputed                 // references or function calls
	exprBlocks                   // nested blocks
)

// configExpr is one attribute expression or the nested blocks of one block
// type, reduced to what the rules need.
type configExpr struct {
	Kind exprKind
	// Var names the module input variable when the expression is exactly
	// var.NAME: then the module call (or, in the root module, the plan's
	// variable values) says what it is.
	Var string
	// Blocks are the nested blocks (exprBlocks), one map per block.
	Blocks []configBlock
}

// configBlock maps attribute names to expressions: a resource's
// "expressions", a nested block, or a module call's inputs.
type configBlock map[string]*configExpr

// UnmarshalJSON reads a block's expressions from generic JSON; the fast
// decoder (fastExprBlock) must agree with it (TestFastConfigMatchesEncodingJSON).
// Any shape is accepted: a plan is never refused for its configuration,
// which paved reads only to interpret unknown values.
func (b *configBlock) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	*b = blockFromValue(m)
	return nil
}

func blockFromValue(m map[string]any) configBlock {
	if m == nil {
		return nil
	}
	b := make(configBlock, len(m))
	for k, v := range m {
		b[k] = exprFromValue(v)
	}
	return b
}

// isExpression reports whether an object is an expression (only
// constant_value and references, or nothing) rather than a single nested
// block.
func isExpression(m map[string]any) bool {
	for k := range m {
		if k != "constant_value" && k != "references" {
			return false
		}
	}
	return true
}

func exprFromValue(v any) *configExpr {
	switch x := v.(type) {
	case map[string]any:
		if !isExpression(x) {
			return &configExpr{Kind: exprBlocks, Blocks: []configBlock{blockFromValue(x)}}
		}
		if c, ok := x["constant_value"]; ok {
			if c == nil {
				return &configExpr{Kind: exprUnset}
			}
			return &configExpr{Kind: exprConstant}
		}
		e := &configExpr{Kind: exprComputed}
		if refs, ok := x["references"].([]any); ok && len(refs) == 1 {
			if s, ok := refs[0].(string); ok {
				e.Var = inputVariable(s)
			}
		}
		return e
	case []any:
		e := &configExpr{Kind: exprBlocks, Blocks: []configBlock{}}
		for _, el := range x {
			if m, ok := el.(map[string]any); ok {
				e.Blocks = append(e.Blocks, blockFromValue(m))
			}
		}
		return e
	}
	// Not a shape Terraform writes: something is set.
	return &configExpr{Kind: exprComputed}
}

// inputVariable returns NAME for the reference "var.NAME", else "".
func inputVariable(ref string) string {
	name, ok := strings.CutPrefix(ref, "var.")
	if !ok || name == "" || strings.ContainsAny(name, ".[") {
		return ""
	}
	return name
}

// configVariable is a module's variable declaration; Default is the raw
// JSON of its default, nil when it has none (a required variable).
type configVariable struct {
	Default json.RawMessage
}

// configVariables are a module's variable declarations by name. Like
// configBlock, any shape is accepted.
type configVariables map[string]configVariable

func (vs *configVariables) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || m == nil {
		*vs = nil
		return nil
	}
	out := make(configVariables, len(m))
	for name, raw := range m {
		var decl map[string]json.RawMessage
		_ = json.Unmarshal(raw, &decl) // anything but an object declares no default
		out[name] = configVariable{Default: decl["default"]}
	}
	*vs = out
	return nil
}

// fastExprBlock decodes a block's expressions (an object, or null) at
// d.pos. It gives up (errConfigShape) on any shape it does not expect, and
// encoding/json then decodes the configuration with configBlock.UnmarshalJSON.
func (d *fastDecoder) fastExprBlock() (configBlock, error) {
	return d.fastExprBlockKeep(nil)
}

// fastExprBlockKeep is fastExprBlock skipping the attributes not in keep
// (nil keeps all).
func (d *fastDecoder) fastExprBlockKeep(keep map[string]bool) (configBlock, error) {
	d.ws()
	if d.s[d.pos] == 'n' {
		d.pos += 4
		return nil, nil
	}
	if d.s[d.pos] != '{' {
		return nil, errConfigShape
	}
	b := configBlock{}
	err := d.object(func(k string) error {
		if keep != nil && !keep[k] {
			d.skip()
			return nil
		}
		e, err := d.fastExpr()
		if err != nil {
			return err
		}
		b[k] = e
		return nil
	})
	return b, err
}

// fastExpr decodes one attribute expression, a single nested block (an
// object of expressions) or a list of blocks. Constant values are skipped,
// never built: only whether they are null matters.
func (d *fastDecoder) fastExpr() (*configExpr, error) {
	d.ws()
	switch d.s[d.pos] {
	case '[':
		e := &configExpr{Kind: exprBlocks, Blocks: []configBlock{}}
		d.pos++
		d.ws()
		if d.s[d.pos] == ']' {
			d.pos++
			return e, nil
		}
		for {
			d.ws()
			if d.s[d.pos] != '{' {
				return nil, errConfigShape
			}
			b, err := d.fastExprBlock()
			if err != nil {
				return nil, err
			}
			e.Blocks = append(e.Blocks, b)
			d.ws()
			if d.s[d.pos] == ',' {
				d.pos++
				continue
			}
			d.pos++ // ']'
			return e, nil
		}
	case '{':
	default:
		return nil, errConfigShape
	}
	// An expression or a single block: which one is known at the end.
	var (
		hasConst, constNull, hasRefs, other bool
		varName                             string
		block                               configBlock
	)
	err := d.object(func(k string) error {
		switch k {
		case "constant_value":
			d.ws()
			hasConst, constNull = true, d.s[d.pos] == 'n'
			d.skip()
		case "references":
			hasRefs = true
			name, err := d.fastReferences()
			if err != nil {
				return err
			}
			varName = name
		default:
			if foldsTo(k, "constant_value", "references") {
				return errConfigShape
			}
			other = true
			e, err := d.fastExpr()
			if err != nil {
				return err
			}
			if block == nil {
				block = configBlock{}
			}
			block[k] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case other && (hasConst || hasRefs):
		// A block with attributes named constant_value or references:
		// left to encoding/json.
		return nil, errConfigShape
	case other:
		return &configExpr{Kind: exprBlocks, Blocks: []configBlock{block}}, nil
	case hasConst && constNull:
		return &configExpr{Kind: exprUnset}, nil
	case hasConst:
		return &configExpr{Kind: exprConstant}, nil
	}
	return &configExpr{Kind: exprComputed, Var: varName}, nil
}

// fastReferences reads a references list and returns the input variable
// when it is the only reference (see inputVariable).
func (d *fastDecoder) fastReferences() (string, error) {
	d.ws()
	if d.s[d.pos] != '[' {
		d.skip()
		return "", nil
	}
	d.pos++
	d.ws()
	if d.s[d.pos] == ']' {
		d.pos++
		return "", nil
	}
	n, name := 0, ""
	for {
		d.ws()
		if d.s[d.pos] == '"' {
			if s := d.str(); n == 0 {
				name = inputVariable(s)
			}
		} else {
			d.skip()
			name = ""
		}
		n++
		d.ws()
		if d.s[d.pos] == ',' {
			d.pos++
			continue
		}
		d.pos++ // ']'
		break
	}
	if n != 1 {
		name = ""
	}
	return name, nil
}

// fastVariables decodes a module's variable declarations.
func (d *fastDecoder) fastVariables() (configVariables, error) {
	d.ws()
	if d.s[d.pos] == 'n' {
		d.pos += 4
		return nil, nil
	}
	if d.s[d.pos] != '{' {
		return nil, errConfigShape
	}
	vars := configVariables{}
	err := d.object(func(name string) error {
		var v configVariable
		d.ws()
		if d.s[d.pos] != '{' && d.s[d.pos] != 'n' {
			return errConfigShape
		}
		err := d.object(func(k string) error {
			if k != "default" {
				d.skip()
				return nil
			}
			d.ws()
			start := d.pos
			d.skip()
			v.Default = json.RawMessage(bytes.TrimRight(d.s[start:d.pos], " \t\r\n"))
			return nil
		})
		vars[name] = v
		return err
	})
	return vars, err
}

// moduleScope is where a module input variable gets its value: the module
// call's inputs in the parent module, else the declaration's default. The
// root module's inputs are the plan's variable values.
type moduleScope struct {
	parent *moduleScope
	call   configBlock
	vars   configVariables
}

// maxInputDepth bounds following module inputs (a module tree is at most
// as deep as the configuration index walks, 100).
const maxInputDepth = 128

// configValue turns a block's expressions into the form IaCResource.Config
// carries. At the top level only the attributes in keep are built (nil
// keeps all): the same projection as the resource's values.
func (pc *planContext) configValue(b configBlock, scope *moduleScope, top bool) map[string]any {
	out := make(map[string]any, len(b))
	for k, e := range b {
		if top && pc.keep != nil && !pc.keep[k] {
			continue
		}
		if v := pc.exprValue(e, scope, 0); v != nil {
			out[k] = v
		}
	}
	return out
}

// The words of IaCResource.Config.
var (
	cfgConstant any = "constant"
	cfgVariable any = "variable"
	cfgComputed any = "computed"
)

func (pc *planContext) exprValue(e *configExpr, scope *moduleScope, depth int) any {
	if e == nil {
		return nil
	}
	switch e.Kind {
	case exprUnset:
		return nil
	case exprConstant:
		return cfgConstant
	case exprBlocks:
		if depth > 0 {
			return cfgComputed // a module input is an attribute, never a block
		}
		list := make([]any, len(e.Blocks))
		for i, b := range e.Blocks {
			list[i] = pc.configValue(b, scope, false)
		}
		return list
	}
	if e.Var == "" || scope == nil {
		return cfgComputed
	}
	return pc.inputValue(e.Var, scope, depth+1)
}

// inputValue follows var.NAME of a module to what sets it.
func (pc *planContext) inputValue(name string, scope *moduleScope, depth int) any {
	if depth > maxInputDepth {
		return cfgComputed
	}
	if scope.parent == nil {
		// A root module variable: the plan holds its value.
		v := pc.variables[name]
		if v == nil {
			return cfgComputed
		}
		if v.Value == nil {
			return nil
		}
		if decl, ok := scope.vars[name]; ok && decl.Default != nil && sameJSON(decl.Default, v.Value) {
			return cfgConstant // the declaration's default: a literal in the configuration
		}
		return cfgVariable
	}
	if e, ok := scope.call[name]; ok {
		return pc.exprValue(e, scope.parent, depth)
	}
	decl, ok := scope.vars[name]
	switch {
	case !ok || decl.Default == nil:
		return cfgComputed // cannot happen in a valid configuration
	case string(decl.Default) == "null":
		return nil
	}
	return cfgConstant
}

// sameJSON compares a raw JSON default with a decoded plan value.
func sameJSON(raw json.RawMessage, v any) bool {
	var d any
	if json.Unmarshal(raw, &d) != nil {
		return false
	}
	return reflect.DeepEqual(d, v)
}
