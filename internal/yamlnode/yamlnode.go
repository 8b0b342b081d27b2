// Package yamlnode reads YAML strictly at the node level, for the parsers
// of paved's own config files (launch templates, the ownership map): every
// error names file:line, unknown keys are refused with a "did you mean",
// repeated keys and merge keys are refused, and aliases are followed under
// a node budget so that an alias bomb is refused instead of expanded.
package yamlnode

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/suggest"
)

// Reader reads one file. The zero value is not usable: set File, MaxNodes
// and the words of its messages.
type Reader struct {
	File     string // named in every error as File:line
	MaxNodes int    // node budget, counting every expansion of an alias
	// Doc names the document in the alias-bomb message ("write the Doc
	// out"); In names where merge keys are refused ("not supported in
	// In").
	Doc, In string

	nodes int
}

// Entry is one key: value pair of a mapping.
type Entry struct{ Key, Val *yaml.Node }

// Errorf is an EINVALID error at n's line of the file.
func (r *Reader) Errorf(n *yaml.Node, format string, args ...any) error {
	line := 1
	if n != nil && n.Line > 0 {
		line = n.Line
	}
	return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", r.File, line), format, args...)
}

// Resolve follows aliases and counts the node against the budget.
func (r *Reader) Resolve(n *yaml.Node) (*yaml.Node, error) {
	for hops := 0; n.Kind == yaml.AliasNode; hops++ {
		if n.Alias == nil || hops > 100 {
			return nil, r.Errorf(n, "alias *%s points at no anchor", n.Value)
		}
		n = n.Alias
	}
	r.nodes++
	if r.nodes > r.MaxNodes {
		return nil, r.Errorf(n, "more than %d YAML values after expanding aliases: refusing a possible alias bomb; write the %s out", r.MaxNodes, r.Doc)
	}
	return n, nil
}

// Fields reads a mapping whose keys must be among allowed (in the order the
// message lists them).
func (r *Reader) Fields(n *yaml.Node, what string, allowed ...string) (map[string]Entry, error) {
	if n.Kind != yaml.MappingNode {
		return nil, r.Errorf(n, "%s must be a mapping of %s, found %s", what, strings.Join(allowed, ", "), Describe(n))
	}
	out := make(map[string]Entry, len(allowed))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := r.Resolve(n.Content[i])
		if err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode {
			return nil, r.Errorf(k, "%s has a key that is %s: keys are plain names (%s)", what, Describe(k), strings.Join(allowed, ", "))
		}
		key := k.Value
		if key == "<<" && k.Tag == "!!merge" {
			return nil, r.Errorf(k, "merge keys (<<) are not supported in %s: write the keys out", r.In)
		}
		if !slices.Contains(allowed, key) {
			msg := fmt.Sprintf("unknown key %q in %s: expected one of %s", key, what, strings.Join(allowed, ", "))
			if s := suggest.Closest(strings.ToLower(key), allowed, 2); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, r.Errorf(k, "%s", msg)
		}
		if prev, ok := out[key]; ok {
			return nil, r.Errorf(k, "key %q appears twice in %s (first at line %d): keep one", key, what, prev.Key.Line)
		}
		v, err := r.Resolve(n.Content[i+1])
		if err != nil {
			return nil, err
		}
		out[key] = Entry{k, v}
	}
	return out, nil
}

// Describe says what a node is, for messages: "a mapping", "a list",
// "nothing" or the quoted scalar.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}
