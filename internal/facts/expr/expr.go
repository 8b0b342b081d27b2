// Package expr is the small language in which launch templates and
// scorecards name the facts that answer them:
//
//	github.branch_protection.required_reviews >= 1
//	pagerduty.escalation_levels >= 2 and pagerduty.oncall.now
//	github.branch_protection.paved_check or gitlab.ci.paved_check
//	kube.replicas.ready_min@kube-prod >= 2
//	backup.last_restore_test within 90d
//	github.branch_protection.required_checks contains "paved check"
//
// A comparison reads the service's current facts with that key (from every
// source, or from the one named after @) and holds when there is at least
// one and every one of them satisfies it: two clusters must both run two
// replicas. An expired fact does not count: it is as if it were missing. A
// key alone holds when its value is true, a non-zero number, or a
// non-empty string or list. and, or, not and parentheses combine
// comparisons. It imports only the root package, so that the template
// parser and the scorecards can use it without the collectors.
package expr

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	paved "github.com/paved-dev/paved"
)

// MaxLen bounds an expression's text; maxDepth its nesting.
const (
	MaxLen   = 1000
	maxDepth = 20
)

// Expr is a parsed expression.
type Expr struct {
	text string
	root node
}

// String returns the expression as written.
func (e *Expr) String() string { return e.text }

// Keys returns the fact keys the expression reads, in order of appearance.
func (e *Expr) Keys() []string {
	var out []string
	walk(e.root, func(c *cmp) {
		if !slices.Contains(out, c.key) {
			out = append(out, c.key)
		}
	})
	return out
}

func walk(n node, fn func(*cmp)) {
	switch n := n.(type) {
	case *cmp:
		fn(n)
	case *boolNode:
		for _, x := range n.args {
			walk(x, fn)
		}
	case *notNode:
		walk(n.x, fn)
	}
}

// Result is what an expression found in a service's facts.
type Result struct {
	Satisfied bool
	// Detail says why, in a sentence: which fact had which value, which
	// was missing or expired.
	Detail string
	// Facts are the current facts the expression read, in order.
	Facts []*paved.Fact
}

// Source names the sources of the facts read ("github", "github,
// kube-prod"), for evidence shown "with source and age".
func (r *Result) Source() string {
	var out []string
	for _, f := range r.Facts {
		if !slices.Contains(out, f.Source) {
			out = append(out, f.Source)
		}
	}
	return strings.Join(out, ", ")
}

// AsOf is the oldest observation among the facts read: the age of the
// evidence is the age of its stalest part.
func (r *Result) AsOf() time.Time {
	var t time.Time
	for _, f := range r.Facts {
		if t.IsZero() || f.ObservedAt.Before(t) {
			t = f.ObservedAt
		}
	}
	return t
}

// Eval evaluates e over a service's facts at now.
func (e *Expr) Eval(facts []*paved.Fact, now time.Time) *Result {
	r := &Result{}
	ok, detail := e.root.eval(facts, now, r)
	r.Satisfied, r.Detail = ok, detail
	return r
}

type node interface {
	eval(facts []*paved.Fact, now time.Time, r *Result) (bool, string)
}

type boolNode struct {
	and  bool
	args []node
}

func (n *boolNode) eval(facts []*paved.Fact, now time.Time, r *Result) (bool, string) {
	var yes, no []string
	for _, x := range n.args {
		ok, d := x.eval(facts, now, r)
		if ok {
			yes = append(yes, d)
		} else {
			no = append(no, d)
		}
	}
	if n.and {
		if len(no) == 0 {
			return true, strings.Join(yes, "; ")
		}
		return false, strings.Join(no, "; ")
	}
	if len(yes) > 0 {
		return true, strings.Join(yes, "; ")
	}
	return false, strings.Join(no, "; ")
}

type notNode struct{ x node }

func (n *notNode) eval(facts []*paved.Fact, now time.Time, r *Result) (bool, string) {
	ok, d := n.x.eval(facts, now, r)
	return !ok, "not (" + d + ")"
}

// Operators.
const (
	opTruthy   = ""
	opEq       = "=="
	opNe       = "!="
	opGe       = ">="
	opLe       = "<="
	opGt       = ">"
	opLt       = "<"
	opContains = "contains"
	opWithin   = "within"
)

type cmp struct {
	key, source string
	op          string
	lit         any // float64, string, bool, time.Duration (within)
	litText     string
}

func (c *cmp) ref() string {
	if c.source != "" {
		return c.key + "@" + c.source
	}
	return c.key
}

func (c *cmp) eval(facts []*paved.Fact, now time.Time, r *Result) (bool, string) {
	var cur []*paved.Fact
	var expired *paved.Fact
	for _, f := range facts {
		if f == nil || f.Key != c.key || (c.source != "" && f.Source != c.source) {
			continue
		}
		if !f.Current(now) {
			if expired == nil || f.ExpiresAt.After(expired.ExpiresAt) {
				expired = f
			}
			continue
		}
		cur = append(cur, f)
	}
	if len(cur) == 0 {
		if expired != nil {
			return false, fmt.Sprintf("%s from %s expired %s (last observed %s): is the collector failing?", c.ref(), expired.Source,
				ago(expired.ExpiresAt, now), expired.ObservedAt.UTC().Format(time.DateOnly))
		}
		return false, fmt.Sprintf("no %s fact has been observed", c.ref())
	}
	r.Facts = append(r.Facts, cur...)
	var parts []string
	all := true
	for _, f := range cur {
		ok, why := c.test(f.Value, now)
		all = all && ok
		s := fmt.Sprintf("%s = %s", c.key, show(f.Value))
		if len(cur) > 1 || c.source != "" {
			s += " (" + f.Source + ")"
		}
		if why != "" {
			s += ": " + why
		}
		parts = append(parts, s)
	}
	return all, strings.Join(parts, ", ")
}

// test applies the comparison to one value; why explains a failure that
// is not plain from the value (a type mismatch, an unreadable time).
func (c *cmp) test(v any, now time.Time) (bool, string) {
	switch c.op {
	case opTruthy:
		switch x := v.(type) {
		case bool:
			return x, ""
		case float64:
			return x != 0, ""
		case string:
			return x != "", ""
		case []any:
			return len(x) > 0, ""
		case map[string]any:
			return len(x) > 0, ""
		}
		return false, ""
	case opWithin:
		s, ok := v.(string)
		t, err := time.Parse(time.RFC3339, s)
		if !ok || err != nil {
			return false, "not a time (want RFC 3339, such as 2026-03-01T02:00:00Z)"
		}
		age := now.Sub(t)
		if age <= c.lit.(time.Duration) {
			return true, ""
		}
		return false, fmt.Sprintf("%s, more than %s ago", ago(t, now), c.litText)
	case opContains:
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if equal(e, c.lit) {
					return true, ""
				}
			}
			return false, "does not contain " + c.litText
		case string:
			if s, ok := c.lit.(string); ok && strings.Contains(x, s) {
				return true, ""
			}
			return false, "does not contain " + c.litText
		}
		return false, "is neither a list nor a string"
	case opEq:
		return equal(v, c.lit), ""
	case opNe:
		return !equal(v, c.lit), ""
	}
	a, ok1 := v.(float64)
	b, ok2 := c.lit.(float64)
	if !ok1 || !ok2 {
		if s1, ok := v.(string); ok {
			if s2, ok := c.lit.(string); ok {
				return order(strings.Compare(s1, s2), c.op), ""
			}
		}
		return false, fmt.Sprintf("is %s, not comparable with %s", typeName(v), c.litText)
	}
	switch {
	case a < b:
		return order(-1, c.op), ""
	case a > b:
		return order(1, c.op), ""
	}
	return order(0, c.op), ""
}

func order(c int, op string) bool {
	switch op {
	case opGe:
		return c >= 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	case opLt:
		return c < 0
	}
	return false
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

func typeName(v any) string {
	switch v.(type) {
	case bool:
		return "true/false"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a value"
}

// show renders a value short enough for a sentence.
func show(v any) string {
	s := paved.FactValueJSON(v)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in the future"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
}

// ---- parsing

// Parse reads an expression. Errors say where (the column) and what was
// expected; they are *paved.Error with EINVALID.
func Parse(s string) (*Expr, error) {
	if len(s) > MaxLen {
		return nil, paved.Errorf(paved.EINVALID, "the fact expression is %d characters long: at most %d", len(s), MaxLen)
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{src: s, toks: toks}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errorf(t, "unexpected %q: join comparisons with and / or", t.text)
	}
	return &Expr{text: strings.TrimSpace(s), root: n}, nil
}

// MustParse is Parse for expressions fixed in code.
func MustParse(s string) *Expr {
	e, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return e
}

type tokKind int

const (
	tEOF tokKind = iota
	tRef
	tOp
	tNum
	tStr
	tBool
	tDur
	tAnd
	tOr
	tNot
	tLParen
	tRParen
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset, for the column in errors
	val  any
}

var (
	refRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)+(@[a-zA-Z0-9][a-zA-Z0-9._-]*)?`)
	durRE = regexp.MustCompile(`^[0-9]+(d|h|m)\b`)
	numRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?`)
)

func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '(':
			out, i = append(out, token{kind: tLParen, text: "(", pos: i}), i+1
			continue
		case c == ')':
			out, i = append(out, token{kind: tRParen, text: ")", pos: i}), i+1
			continue
		case c == '"':
			j := i + 1
			var b strings.Builder
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
				j++
			}
			if j >= len(s) {
				return nil, paved.Errorf(paved.EINVALID, "column %d: the string is not closed: add a \"", i+1)
			}
			out, i = append(out, token{kind: tStr, text: s[i : j+1], pos: i, val: b.String()}), j+1
			continue
		case strings.ContainsRune("=!<>", rune(c)):
			op := string(c)
			if i+1 < len(s) && s[i+1] == '=' {
				op += "="
			}
			if op == "=" || op == "!" {
				return nil, paved.Errorf(paved.EINVALID, "column %d: unknown operator %q: want ==, !=, >=, <=, > or <", i+1, op)
			}
			out, i = append(out, token{kind: tOp, text: op, pos: i}), i+len(op)
			continue
		}
		rest := s[i:]
		if m := durRE.FindString(rest); m != "" {
			n, _ := strconv.Atoi(m[:len(m)-1])
			unit := map[byte]time.Duration{'d': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}[m[len(m)-1]]
			if n > 100000 {
				return nil, paved.Errorf(paved.EINVALID, "column %d: duration %s is too long", i+1, m)
			}
			out, i = append(out, token{kind: tDur, text: m, pos: i, val: time.Duration(n) * unit}), i+len(m)
			continue
		}
		if m := numRE.FindString(rest); m != "" {
			f, err := strconv.ParseFloat(m, 64)
			if err != nil || math.IsInf(f, 0) {
				return nil, paved.Errorf(paved.EINVALID, "column %d: %s is not a number", i+1, m)
			}
			out, i = append(out, token{kind: tNum, text: m, pos: i, val: f}), i+len(m)
			continue
		}
		word := rest
		if j := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("()=!<>\"", r) }); j >= 0 {
			word = rest[:j]
		}
		switch word {
		case "and":
			out = append(out, token{kind: tAnd, text: word, pos: i})
		case "or":
			out = append(out, token{kind: tOr, text: word, pos: i})
		case "not":
			out = append(out, token{kind: tNot, text: word, pos: i})
		case "true", "false":
			out = append(out, token{kind: tBool, text: word, pos: i, val: word == "true"})
		case opContains, opWithin:
			out = append(out, token{kind: tOp, text: word, pos: i})
		default:
			m := refRE.FindString(rest)
			if m == "" || m != word {
				if word == "" {
					word = rest[:1]
				}
				return nil, paved.Errorf(paved.EINVALID, "column %d: %q is not a fact key: want dotted lower-case words such as github.branch_protection.required_reviews (optionally @source)", i+1, word)
			}
			out = append(out, token{kind: tRef, text: m, pos: i})
		}
		i += len(word)
	}
	return append(out, token{kind: tEOF, pos: len(s)}), nil
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errorf(t token, format string, args ...any) error {
	return paved.Errorf(paved.EINVALID, "column %d: %s", t.pos+1, fmt.Sprintf(format, args...))
}

func (p *parser) or(depth int) (node, error) {
	return p.chain(depth, tOr, p.and)
}

func (p *parser) and(depth int) (node, error) {
	return p.chain(depth, tAnd, p.unary)
}

func (p *parser) chain(depth int, k tokKind, sub func(int) (node, error)) (node, error) {
	x, err := sub(depth)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != k {
		return x, nil
	}
	b := &boolNode{and: k == tAnd, args: []node{x}}
	for p.peek().kind == k {
		p.next()
		y, err := sub(depth)
		if err != nil {
			return nil, err
		}
		b.args = append(b.args, y)
	}
	return b, nil
}

func (p *parser) unary(depth int) (node, error) {
	if depth > maxDepth {
		return nil, p.errorf(p.peek(), "nested more than %d levels deep", maxDepth)
	}
	t := p.next()
	switch t.kind {
	case tNot:
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &notNode{x: x}, nil
	case tLParen:
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errorf(c, "want ) to close the ( at column %d", t.pos+1)
		}
		return x, nil
	case tRef:
		key, source, _ := strings.Cut(t.text, "@")
		c := &cmp{key: key, source: source}
		if p.peek().kind != tOp {
			return c, nil
		}
		op := p.next()
		c.op = op.text
		lit := p.next()
		c.litText = lit.text
		switch c.op {
		case opWithin:
			if lit.kind != tDur {
				return nil, p.errorf(lit, "within takes a duration such as 90d, 24h or 30m")
			}
		case opGe, opLe, opGt, opLt:
			if lit.kind != tNum && lit.kind != tStr {
				return nil, p.errorf(lit, "%s compares with a number (or a string)", c.op)
			}
		case opContains:
			if lit.kind != tStr && lit.kind != tNum && lit.kind != tBool {
				return nil, p.errorf(lit, "contains takes a value such as \"paved check\"")
			}
		default:
			if lit.kind != tStr && lit.kind != tNum && lit.kind != tBool {
				return nil, p.errorf(lit, "%s compares with a number, a \"string\", true or false", c.op)
			}
		}
		c.lit = lit.val
		return c, nil
	case tEOF:
		return nil, p.errorf(t, "the expression ends early: want a fact key such as github.branch_protection.required_reviews")
	}
	return nil, p.errorf(t, "unexpected %q: want a fact key, not, or (", t.text)
}
