package ownership

// Conditions say when a managed service covers a concern, in terms of the
// planned attribute values of one resource:
//
//	backup_retention_period > 0
//	multi_az = true
//	point_in_time_recovery.enabled = true
//	settings.availability_type = "REGIONAL"
//	sqs_managed_sse_enabled = true or kms_master_key_id is set
//	release_channel.channel in ["RAPID", "REGULAR", "STABLE"]
//	not config startswith "regional-"
//	location matches "^[a-z]+-[a-z]+[0-9]+$"
//
// A path names an attribute and, through dots, attributes of nested blocks
// (a Terraform block is a list of objects: a path looks into every element).
// Comparisons: = (also ==), !=, >, >=, <, <=, in [list], contains,
// startswith, matches (a Go regular expression); "is set" and "is not set"
// (set: present, not null, not "" and not an empty list). Combine with
// and, or, not and parentheses; and binds tighter than or.
//
// Evaluation has three outcomes: true, false, and unknown when the plan
// does not hold the value (known only after apply, or not recorded). A
// null value is known: it is not set. and/or/not follow Kleene's logic, so
// "a or b" is true when one side is true even if the other is unknown.

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Limits on a condition's text and nesting.
const (
	maxCondLen   = 1000
	maxCondDepth = 32
	maxPathParts = 16
)

// Tri is a three-valued truth.
type Tri int8

const (
	Unknown Tri = iota
	False
	True
)

func (t Tri) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

func triOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

func (t Tri) not() Tri {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

// Cond is a parsed condition.
type Cond struct {
	text string
	root node
}

// String returns the condition as written (trimmed).
func (c *Cond) String() string {
	if c == nil {
		return ""
	}
	return c.text
}

// Paths returns the attribute paths the condition reads, in order of
// first use.
func (c *Cond) Paths() []string {
	var out []string
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case *binNode:
			walk(n.l)
			walk(n.r)
		case *notNode:
			walk(n.x)
		case *testNode:
			p := strings.Join(n.path, ".")
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	if c != nil {
		walk(c.root)
	}
	return out
}

type node interface {
	eval(attrs map[string]any) Tri
}

type binNode struct {
	and  bool
	l, r node
}

func (n *binNode) eval(a map[string]any) Tri {
	l, r := n.l.eval(a), n.r.eval(a)
	if n.and {
		switch {
		case l == False || r == False:
			return False
		case l == True && r == True:
			return True
		}
		return Unknown
	}
	switch {
	case l == True || r == True:
		return True
	case l == False && r == False:
		return False
	}
	return Unknown
}

type notNode struct{ x node }

func (n *notNode) eval(a map[string]any) Tri { return n.x.eval(a).not() }

type testNode struct {
	path []string
	op   string // "set", "unset", "=", "!=", ">", ">=", "<", "<=", "in", "contains", "startswith", "matches"
	val  any    // float64, string, bool, []any
	re   *regexp.Regexp
}

// Eval evaluates the condition on a resource's planned attribute values.
func (c *Cond) Eval(attrs map[string]any) Tri {
	if c == nil || c.root == nil {
		return Unknown
	}
	return c.root.eval(attrs)
}

// lookup returns the values at path (several when the path crosses a list
// of blocks) and whether the plan holds them at all: known is false when a
// key is missing from an object on the way.
func lookup(v any, path []string) (vals []any, known bool) {
	if len(path) == 0 {
		return []any{v}, true
	}
	switch t := v.(type) {
	case map[string]any:
		x, ok := t[path[0]]
		if !ok {
			return nil, false
		}
		return lookup(x, path[1:])
	case []any:
		known = true
		for _, e := range t {
			vs, k := lookup(e, path)
			if !k {
				known = false
				continue
			}
			vals = append(vals, vs...)
		}
		return vals, known || len(vals) > 0
	case nil:
		return nil, true // a null block: nothing under it is set
	}
	return nil, true // a scalar has no attributes
}

func isSet(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case []any:
		for _, e := range t {
			if isSet(e) {
				return true
			}
		}
		return false
	case map[string]any:
		return len(t) > 0
	}
	return true
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case float32:
		return float64(t), true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	case string:
		// Terraform plans carry some numbers as strings ("7").
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

func equal(a, b any) bool {
	switch bv := b.(type) {
	case float64:
		f, ok := number(a)
		return ok && f == bv
	case bool:
		if s, ok := a.(string); ok {
			return s == strconv.FormatBool(bv)
		}
		av, ok := a.(bool)
		return ok && av == bv
	case string:
		if s, ok := a.(string); ok {
			return s == bv
		}
		if f, ok := number(a); ok {
			g, err := strconv.ParseFloat(bv, 64)
			return err == nil && f == g
		}
		if ab, ok := a.(bool); ok {
			return strconv.FormatBool(ab) == bv
		}
	}
	return false
}

func (n *testNode) eval(attrs map[string]any) Tri {
	vals, known := lookup(map[string]any(attrs), n.path)
	if attrs == nil {
		known = false
	}
	switch n.op {
	case "set", "unset":
		set := false
		for _, v := range vals {
			if isSet(v) {
				set = true
			}
		}
		if !set && !known {
			return Unknown
		}
		return triOf(set == (n.op == "set"))
	case "!=":
		for _, v := range vals {
			if v != nil && equal(v, n.val) {
				return False
			}
		}
		if !known {
			return Unknown
		}
		return True
	}
	for _, v := range vals {
		if v != nil && n.test(v) {
			return True
		}
	}
	if !known {
		return Unknown
	}
	return False
}

func (n *testNode) test(v any) bool {
	switch n.op {
	case "=":
		return equal(v, n.val)
	case ">", ">=", "<", "<=":
		f, ok := number(v)
		if !ok {
			return false
		}
		g := n.val.(float64)
		switch n.op {
		case ">":
			return f > g
		case ">=":
			return f >= g
		case "<":
			return f < g
		}
		return f <= g
	case "in":
		for _, e := range n.val.([]any) {
			if equal(v, e) {
				return true
			}
		}
		return false
	case "contains":
		if s, ok := v.(string); ok {
			sub, ok := n.val.(string)
			return ok && strings.Contains(s, sub)
		}
		if l, ok := v.([]any); ok {
			for _, e := range l {
				if equal(e, n.val) {
					return true
				}
			}
		}
		return false
	case "startswith":
		s, ok := v.(string)
		return ok && strings.HasPrefix(s, n.val.(string))
	case "matches":
		s, ok := v.(string)
		return ok && n.re.MatchString(s)
	}
	return false
}

// ---- Parsing ---------------------------------------------------------------

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokOp
	tokLParen
	tokRParen
	tokLBrack
	tokRBrack
	tokComma
)

type token struct {
	kind tokKind
	text string // identifier, operator, or the decoded string
	num  float64
	pos  int // byte offset, for messages
}

func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			out = append(out, token{kind: tokLParen, pos: i})
			i++
		case c == ')':
			out = append(out, token{kind: tokRParen, pos: i})
			i++
		case c == '[':
			out = append(out, token{kind: tokLBrack, pos: i})
			i++
		case c == ']':
			out = append(out, token{kind: tokRBrack, pos: i})
			i++
		case c == ',':
			out = append(out, token{kind: tokComma, pos: i})
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			raw := string(c)
			if i+1 < len(s) && s[i+1] == '=' {
				raw += "="
			}
			if raw == "!" {
				return nil, fmt.Errorf("at %d: ! must be followed by = (use not for negation)", i+1)
			}
			op := raw
			if op == "==" {
				op = "="
			}
			out = append(out, token{kind: tokOp, text: op, pos: i})
			i += len(raw)
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("at %d: the string is not closed with \"", i+1)
			}
			str, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("at %d: the string %s is not valid: %v", i+1, s[i:j+1], err)
			}
			out = append(out, token{kind: tokString, text: str, pos: i})
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			f, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, fmt.Errorf("at %d: %q is not a number", i+1, s[i:j])
			}
			out = append(out, token{kind: tokNumber, num: f, text: s[i:j], pos: i})
			i = j
		case c == '_' || c < 0x80 && unicode.IsLetter(rune(c)):
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '.' || s[j] == '-' || s[j] < 0x80 && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])))) {
				j++
			}
			out = append(out, token{kind: tokIdent, text: s[i:j], pos: i})
			i = j
		default:
			return nil, fmt.Errorf("at %d: unexpected character %q", i+1, rune(c))
		}
	}
	return append(out, token{kind: tokEOF, pos: len(s)}), nil
}

var attrRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

type condParser struct {
	toks  []token
	i     int
	depth int
}

func (p *condParser) peek() token { return p.toks[p.i] }
func (p *condParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *condParser) word(t token, w string) bool { return t.kind == tokIdent && t.text == w }

// ParseCond parses a condition. Errors say where (1-based byte offset)
// and what was expected.
func ParseCond(s string) (*Cond, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("the condition is empty: write one such as backup_retention_period > 0")
	}
	if len(s) > maxCondLen {
		return nil, fmt.Errorf("the condition is %d bytes long: at most %d", len(s), maxCondLen)
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, fmt.Errorf("at %d: unexpected %s after a complete condition: join conditions with and / or", t.pos+1, describeTok(t))
	}
	return &Cond{text: s, root: root}, nil
}

func describeTok(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of the condition"
	case tokString:
		return strconv.Quote(t.text)
	case tokLParen:
		return "("
	case tokRParen:
		return ")"
	case tokLBrack:
		return "["
	case tokRBrack:
		return "]"
	case tokComma:
		return ","
	}
	return strconv.Quote(t.text)
}

func (p *condParser) enter() error {
	p.depth++
	if p.depth > maxCondDepth {
		return fmt.Errorf("the condition nests deeper than %d levels", maxCondDepth)
	}
	return nil
}

func (p *condParser) or() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.word(p.peek(), "or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &binNode{and: false, l: l, r: r}
	}
	return l, nil
}

func (p *condParser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.word(p.peek(), "and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &binNode{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *condParser) unary() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := p.peek()
	switch {
	case p.word(t, "not"):
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &notNode{x: x}, nil
	case t.kind == tokLParen:
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, fmt.Errorf("at %d: expected ) to close the ( at %d, found %s", c.pos+1, t.pos+1, describeTok(c))
		}
		return x, nil
	}
	return p.test()
}

var keywords = []string{"and", "or", "not", "is", "in", "contains", "startswith", "matches", "set", "true", "false"}

func (p *condParser) test() (node, error) {
	t := p.next()
	if t.kind != tokIdent || slices.Contains(keywords, t.text) {
		return nil, fmt.Errorf("at %d: expected an attribute name such as multi_az, found %s", t.pos+1, describeTok(t))
	}
	parts := strings.Split(t.text, ".")
	if len(parts) > maxPathParts {
		return nil, fmt.Errorf("at %d: the path %s has more than %d parts", t.pos+1, t.text, maxPathParts)
	}
	for _, part := range parts {
		if !attrRE.MatchString(part) {
			return nil, fmt.Errorf("at %d: %q is not an attribute path (names joined by dots, such as point_in_time_recovery.enabled)", t.pos+1, t.text)
		}
	}
	n := &testNode{path: parts}
	op := p.next()
	switch {
	case p.word(op, "is"):
		n.op = "set"
		w := p.next()
		if p.word(w, "not") {
			n.op = "unset"
			w = p.next()
		}
		if !p.word(w, "set") {
			return nil, fmt.Errorf("at %d: expected \"is set\" or \"is not set\" after %s, found %s", w.pos+1, t.text, describeTok(w))
		}
		return n, nil
	case op.kind == tokOp:
		n.op = op.text
	case p.word(op, "in"), p.word(op, "contains"), p.word(op, "startswith"), p.word(op, "matches"):
		n.op = op.text
	default:
		return nil, fmt.Errorf("at %d: expected a comparison after %s (=, !=, >, >=, <, <=, in, contains, startswith, matches, is set), found %s",
			op.pos+1, t.text, describeTok(op))
	}
	v := p.next()
	switch n.op {
	case ">", ">=", "<", "<=":
		if v.kind != tokNumber {
			return nil, fmt.Errorf("at %d: %s compares with a number, found %s", v.pos+1, n.op, describeTok(v))
		}
		n.val = v.num
	case "in":
		if v.kind != tokLBrack {
			return nil, fmt.Errorf("at %d: in takes a list such as [\"RAPID\", \"REGULAR\"], found %s", v.pos+1, describeTok(v))
		}
		list := []any{}
		for {
			e := p.next()
			if e.kind == tokRBrack && len(list) == 0 {
				return nil, fmt.Errorf("at %d: the list is empty", e.pos+1)
			}
			x, err := literal(e)
			if err != nil {
				return nil, err
			}
			list = append(list, x)
			sep := p.next()
			if sep.kind == tokRBrack {
				break
			}
			if sep.kind != tokComma {
				return nil, fmt.Errorf("at %d: expected , or ] in the list, found %s", sep.pos+1, describeTok(sep))
			}
		}
		n.val = list
	case "startswith", "matches":
		if v.kind != tokString {
			return nil, fmt.Errorf("at %d: %s takes a quoted string, found %s", v.pos+1, n.op, describeTok(v))
		}
		n.val = v.text
		if n.op == "matches" {
			re, err := regexp.Compile(v.text)
			if err != nil {
				return nil, fmt.Errorf("at %d: %s is not a regular expression: %v", v.pos+1, strconv.Quote(v.text), err)
			}
			n.re = re
		}
	default:
		x, err := literal(v)
		if err != nil {
			return nil, err
		}
		n.val = x
	}
	return n, nil
}

// literal reads a number, a quoted string, true or false.
func literal(t token) (any, error) {
	switch {
	case t.kind == tokNumber:
		return t.num, nil
	case t.kind == tokString:
		return t.text, nil
	case t.kind == tokIdent && t.text == "true":
		return true, nil
	case t.kind == tokIdent && t.text == "false":
		return false, nil
	}
	return nil, fmt.Errorf("at %d: expected a value (a number, a quoted string, true or false), found %s", t.pos+1, describeTok(t))
}
