package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits on what one YAML file may make paved do. A catalog entity is a few
// levels deep and a few dozen nodes; these leave room for any real catalog
// while refusing inputs built to exhaust memory or the stack.
const (
	// maxDepth bounds nesting, counted through expanded aliases.
	maxDepth = 100
	// minAliasBudget is the number of nodes alias expansion may visit in one
	// document even when the document itself is tiny; beyond it the budget
	// grows with the document (aliasBudgetFactor times its own node count),
	// so that shared anchors in a large legitimate file keep working while a
	// "billion laughs" document of a few lines is refused.
	minAliasBudget    = 100_000
	aliasBudgetFactor = 4
)

// parseError is a malformed file: Line is 0 when the parser gave none.
type parseError struct {
	Line int
	Msg  string
	// Limit is set when the YAML is well-formed but over a limit.
	Limit bool
}

func (e *parseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

var yamlErrRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// toParseError turns the YAML library's "yaml: line N: msg" into a line and
// a message, so that entries can name file:line the same way everywhere.
func toParseError(err error) *parseError {
	s := err.Error()
	if m := yamlErrRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &parseError{Line: n, Msg: m[2]}
	}
	if len(s) > 6 && s[:6] == "yaml: " {
		s = s[6:]
	}
	return &parseError{Msg: s}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseDocuments splits a YAML stream into its documents' root nodes,
// leaving out documents that are empty or hold only comments. It refuses
// the whole file on the first syntax error (a half-read file would import
// some of its entities and silently drop the rest), on nesting past
// maxDepth and on alias expansion past the budget.
func parseDocuments(data []byte) (docs []*yaml.Node, err error) {
	// The parser is third-party code fed untrusted bytes: a panic in it must
	// become an error for this file, not bring down an import or a server.
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, &parseError{Msg: fmt.Sprintf("the YAML parser failed on this file (%v)", r)}
		}
	}()
	data = bytes.TrimPrefix(data, utf8BOM)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, toParseError(err)
		}
		root := &doc
		if doc.Kind == yaml.DocumentNode {
			if len(doc.Content) == 0 {
				continue
			}
			root = doc.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // "---" followed by nothing, or only comments
		}
		if err := checkLimits(root); err != nil {
			return nil, err
		}
		docs = append(docs, root)
	}
}

// checkLimits walks a document once as written (counting nodes, checking
// depth) and, only if it uses aliases, once more as expanded, stopping as
// soon as the expansion exceeds its budget.
func checkLimits(root *yaml.Node) error {
	w := &limitWalker{}
	if err := w.walk(root, 1, false); err != nil {
		return err
	}
	if !w.aliases {
		return nil
	}
	w.budget = max(minAliasBudget, aliasBudgetFactor*w.count)
	w.count = 0
	return w.walk(root, 1, true)
}

type limitWalker struct {
	count   int
	budget  int
	aliases bool
}

func (w *limitWalker) walk(n *yaml.Node, depth int, expand bool) error {
	if n == nil {
		return nil
	}
	if depth > maxDepth {
		return &parseError{Limit: true, Line: n.Line, Msg: fmt.Sprintf("nesting is deeper than %d levels: a catalog entity needs a handful", maxDepth)}
	}
	w.count++
	if expand && w.count > w.budget {
		return &parseError{Limit: true, Line: n.Line, Msg: fmt.Sprintf("expanding YAML aliases here would read more than %d nodes: refusing a possible alias bomb", w.budget)}
	}
	if n.Kind == yaml.AliasNode {
		w.aliases = true
		if expand {
			return w.walk(n.Alias, depth+1, true)
		}
		return nil
	}
	for _, c := range n.Content {
		if err := w.walk(c, depth+1, expand); err != nil {
			return err
		}
	}
	return nil
}

// resolve follows aliases to the node they stand for. The parser only lets
// an alias name an anchor defined before it, so chains end; the bound is
// belt and braces.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// pair is one key and value of a mapping.
type pair struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node
}

// pairs lists a mapping's entries with YAML merge keys ("<<: *base")
// applied: keys written in the mapping win over merged ones, and earlier
// merged mappings win over later ones, as the YAML merge spec says. Keys
// that are not scalars are left out (no catalog field has one).
func pairs(n *yaml.Node) []pair {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []pair
	var merges []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		if k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if !seen[k.Value] {
			seen[k.Value] = true
			out = append(out, pair{Key: k.Value, KeyN: k, Value: v})
		}
	}
	for _, m := range merges {
		m = resolve(m)
		if m == nil {
			continue
		}
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			for _, p := range pairs(s) { // merges inside a merged mapping apply too
				if !seen[p.Key] {
					seen[p.Key] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	// Fast path: a key written in the mapping itself wins over merged keys.
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode {
			if k.Tag == "!!merge" {
				hasMerge = true
			} else if k.Value == key {
				return resolve(n.Content[i+1])
			}
		}
	}
	if !hasMerge {
		return nil
	}
	for _, p := range pairs(n) {
		if p.Key == key {
			return resolve(p.Value)
		}
	}
	return nil
}

// kindName describes a node's kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!int", "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "empty"
		case "!!timestamp":
			return "a timestamp"
		}
		return "a string"
	}
	return "unknown"
}

func where(file string, line int) string {
	if line > 0 {
		return file + ":" + strconv.Itoa(line)
	}
	return file
}

// Scaffolder skeletons: catalog-info.yaml files inside a software
// template, whose values are filled in when the template runs. They are
// found wherever a whole repository is imported, and are not entities yet.
var (
	// placeholderRE matches the placeholders of Backstage's scaffolder
	// (${{ values.name }}), Nunjucks/Jinja tags ({% if %}, {%- endif %}) and
	// cookiecutter ({{cookiecutter.name}}).
	placeholderRE = regexp.MustCompile(`\$\{\{|\{%-?\s|\{\{\s*cookiecutter\.`)
)

// skeletonFileReason says why a file that is not YAML is a scaffolder
// skeleton, or "" when it does not look like one.
func skeletonFileReason(data []byte) string {
	if m := placeholderRE.Find(data); m != nil {
		return fmt.Sprintf("a software template skeleton, not a catalog file: it holds template placeholders (%s…) and becomes YAML only when the template runs; nothing in it was imported", m)
	}
	return ""
}

// skeletonReason says why a parsed document is a scaffolder skeleton (a
// placeholder in a value paved would read), or "". The text of an API
// definition is not looked at: it may legitimately hold ${{ }} (a CI
// workflow, say), and APIs are skipped anyway.
func skeletonReason(root *yaml.Node) string {
	var found string
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || found != "" || depth > maxDepth {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			if strings.Contains(n.Value, "${{") {
				found = n.Value
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind == yaml.ScalarNode && k.Value == "definition" {
					continue
				}
				if k.Kind == yaml.MappingNode {
					// {{cookiecutter.name}} parses as a mapping used as a key
					if s := flowText(k); strings.HasPrefix(s, "cookiecutter.") {
						found = "{{" + s + "}}"
						return
					}
				}
				walk(k, depth+1)
				walk(v, depth+1)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
	}
	walk(root, 0)
	if found == "" {
		return ""
	}
	if len(found) > 60 {
		found = found[:57] + "..."
	}
	return fmt.Sprintf("a software template skeleton, not an entity yet: it holds the placeholder %q, filled in when the template runs", found)
}

// flowText returns the first key of a mapping that is itself used as a key
// ({{a.b}} parses as {{a.b: null}: null}).
func flowText(n *yaml.Node) string {
	for n != nil && n.Kind == yaml.MappingNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}
