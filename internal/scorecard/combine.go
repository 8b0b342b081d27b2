package scorecard

import (
	"fmt"
	"strings"
)

// The expr rule kind combines other rules of the same scorecard:
//
//	encryption and (paging or on-call) and not public-bucket
//
// Names are rule ids defined above the rule (so there is no cycle);
// "not" binds tightest, then "and", then "or".

const maxCombineLen = 1000

type boolNode interface {
	eval(pass []bool) bool
}

type refNode int

func (n refNode) eval(pass []bool) bool { return pass[n] }

type notBool struct{ x boolNode }

func (n notBool) eval(pass []bool) bool { return !n.x.eval(pass) }

type opBool struct {
	and  bool
	args []boolNode
}

func (n opBool) eval(pass []bool) bool {
	for _, a := range n.args {
		if a.eval(pass) != n.and {
			return !n.and
		}
	}
	return n.and
}

// refs lists the rule indexes a combination reads.
func refs(n boolNode, out []int) []int {
	switch n := n.(type) {
	case refNode:
		out = append(out, int(n))
	case notBool:
		out = refs(n.x, out)
	case opBool:
		for _, a := range n.args {
			out = refs(a, out)
		}
	}
	return out
}

// parseBool reads a combination; ids maps the rules defined so far to
// their index.
func parseBool(s string, ids map[string]int) (boolNode, error) {
	if len(s) > maxCombineLen {
		return nil, fmt.Errorf("longer than %d characters", maxCombineLen)
	}
	toks := tokenize(s)
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty: expected rule ids combined with and, or, not and parentheses")
	}
	b := &boolParser{toks: toks, ids: ids}
	n, err := b.or(0)
	if err != nil {
		return nil, err
	}
	if b.i < len(b.toks) {
		return nil, fmt.Errorf("unexpected %q after a complete expression", b.toks[b.i])
	}
	return n, nil
}

func tokenize(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			flush()
			out = append(out, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

type boolParser struct {
	toks []string
	i    int
	ids  map[string]int
}

const maxCombineDepth = 32

func (b *boolParser) peek() string {
	if b.i < len(b.toks) {
		return b.toks[b.i]
	}
	return ""
}

func (b *boolParser) or(depth int) (boolNode, error)  { return b.chain(depth, "or", b.and) }
func (b *boolParser) and(depth int) (boolNode, error) { return b.chain(depth, "and", b.unary) }

func (b *boolParser) chain(depth int, op string, sub func(int) (boolNode, error)) (boolNode, error) {
	first, err := sub(depth)
	if err != nil {
		return nil, err
	}
	args := []boolNode{first}
	for b.peek() == op {
		b.i++
		n, err := sub(depth)
		if err != nil {
			return nil, err
		}
		args = append(args, n)
	}
	if len(args) == 1 {
		return first, nil
	}
	return opBool{and: op == "and", args: args}, nil
}

func (b *boolParser) unary(depth int) (boolNode, error) {
	if depth > maxCombineDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxCombineDepth)
	}
	t := b.peek()
	switch t {
	case "":
		return nil, fmt.Errorf("ends early: expected a rule id")
	case "not":
		b.i++
		x, err := b.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return notBool{x}, nil
	case "(":
		b.i++
		x, err := b.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if b.peek() != ")" {
			return nil, fmt.Errorf("a ( is not closed")
		}
		b.i++
		return x, nil
	case ")", "and", "or":
		return nil, fmt.Errorf("unexpected %q: expected a rule id", t)
	}
	b.i++
	i, ok := b.ids[t]
	if !ok {
		return nil, fmt.Errorf("no rule %q above this one: an expr combines rules defined before it", t)
	}
	return refNode(i), nil
}
