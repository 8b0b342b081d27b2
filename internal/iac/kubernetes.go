package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/paved-dev/paved"
)

// Limits for YAML, which unlike JSON can make a small file expand into a
// huge value (aliases: the "billion laughs") or nest deeply.
const (
	maxAliasExpansion = 1_000_000 // nodes produced by following aliases, per file
	maxYAMLDepth      = 1000
)

// clusterScoped are the built-in (and common add-on) kinds that live outside
// namespaces; their address is Kind/name. Custom resources not listed here
// are taken as namespaced when they carry a namespace.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true,
	"ClusterRoleBinding": true, "CustomResourceDefinition": true, "StorageClass": true,
	"PriorityClass": true, "ValidatingWebhookConfiguration": true,
	"MutatingWebhookConfiguration": true, "APIService": true, "IngressClass": true,
	"RuntimeClass": true, "CSIDriver": true, "CSINode": true, "VolumeAttachment": true,
	"PodSecurityPolicy": true, "ComponentStatus": true, "CertificateSigningRequest": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
	"FlowSchema": true, "PriorityLevelConfiguration": true, "VolumeSnapshotClass": true,
	"VolumeSnapshotContent": true, "ClusterIssuer": true, "GatewayClass": true,
	"ClusterTrustBundle": true, "DeviceClass": true, "IPAddress": true, "ServiceCIDR": true,
	"StorageVersionMigration": true, "ClusterPolicy": true, "ClusterSecretStore": true,
}

// kubeObjects normalises one decoded Kubernetes document: an object, a List
// (or typed list such as PodList) expanded into its items, or an array of
// objects. itemLines gives the line of each items[i] / array element when
// known.
//
// Address is Kind/namespace/name, or Kind/name for cluster-scoped kinds and
// for namespaced objects without metadata.namespace: the namespace is then
// chosen at apply time (kubectl -n, the context's default), and paved does
// not guess "default".
func kubeObjects(name string, v any, line int, itemLines []int, hasTemplate bool) ([]*paved.IaCResource, error) {
	lineOf := func(i int) int {
		if i < len(itemLines) && itemLines[i] > 0 {
			return itemLines[i]
		}
		return line
	}
	switch v := v.(type) {
	case []any:
		var out []*paved.IaCResource
		for i, it := range v {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, paved.FieldErrorf(paved.EINVALID, at(name, lineOf(i), 0), "array element %d: expected a Kubernetes object, found %s", i, describe(it))
			}
			rs, err := kubeObjects(name, m, lineOf(i), nil, hasTemplate)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		return out, nil
	case map[string]any:
		if msg := classifyMap(v); msg != "" {
			other := otherDocument(msg)
			if hasTemplate {
				msg = msgHelm
			}
			return nil, unsupportedError{err: paved.FieldErrorf(paved.EINVALID, at(name, line, 0), "%s", msg), other: other}
		}
		kind, ok := v["kind"].(string)
		if !ok || kind == "" {
			return nil, paved.FieldErrorf(paved.EINVALID, at(name, line, 0), "kind: expected a non-empty string, found %s", describe(v["kind"]))
		}
		if items, ok := v["items"].([]any); ok && (kind == "List" || strings.HasSuffix(kind, "List")) {
			// Items of a typed list (PodList) carry no kind of their own.
			itemKind := strings.TrimSuffix(kind, "List")
			out := make([]*paved.IaCResource, 0, len(items))
			for i, it := range items {
				m, ok := it.(map[string]any)
				if !ok {
					return nil, paved.FieldErrorf(paved.EINVALID, at(name, lineOf(i), 0), "items[%d]: expected a Kubernetes object, found %s", i, describe(it))
				}
				if _, ok := m["kind"]; !ok && itemKind != "" {
					m["kind"] = itemKind
				}
				if _, ok := m["apiVersion"]; !ok && itemKind != "" {
					m["apiVersion"] = v["apiVersion"]
				}
				rs, err := kubeObjects(name, m, lineOf(i), nil, hasTemplate)
				if err != nil {
					return nil, err
				}
				out = append(out, rs...)
			}
			return out, nil
		}
		return []*paved.IaCResource{kubeResource(name, kind, v, line)}, nil
	case nil:
		return nil, nil
	}
	return nil, notSupported(at(name, line, 0), "found "+describe(v)+": "+msgUnknown)
}

func kubeResource(file, kind string, obj map[string]any, line int) *paved.IaCResource {
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		if g, _ := meta["generateName"].(string); g != "" {
			name = g + "*"
		} else {
			name = "(unnamed)"
		}
	}
	ns, _ := meta["namespace"].(string)
	addr := kind + "/" + name
	if ns != "" && !clusterScoped[kind] {
		addr = kind + "/" + ns + "/" + name
	}
	return &paved.IaCResource{
		Address:  addr,
		Type:     kind,
		Name:     name,
		Source:   "kubernetes",
		Provider: "kubernetes",
		Actions:  []string{"apply"},
		Action:   "apply",
		After:    obj,
		File:     file,
		Line:     line,
	}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// readYAML reads a stream of YAML documents. Empty and comment-only
// documents are skipped but counted in Document.Index.
func readYAML(name string, text []byte, opt Options) (docs []*Document, err error) {
	defer func() {
		// The YAML library is not ours: a panic on a hostile input must
		// become an error, not a crash of paved check.
		if r := recover(); r != nil {
			docs, err = nil, paved.FieldErrorf(paved.EINVALID, name, "cannot parse YAML: %v", r)
		}
	}()
	hasTemplate := bytes.Contains(text, []byte("{{"))
	dec := yaml.NewDecoder(bytes.NewReader(text))
	for index := 0; ; index++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				if hasTemplate {
					return nil, paved.FieldErrorf(paved.EINVALID, name+":"+m[1], "%s (the YAML parser says: %s)", msgHelm, m[2])
				}
				return nil, paved.FieldErrorf(paved.EINVALID, name+":"+m[1], "invalid YAML: %s", m[2])
			}
			if hasTemplate {
				return nil, paved.FieldErrorf(paved.EINVALID, name, "%s (the YAML parser says: %s)", msgHelm, strings.TrimPrefix(err.Error(), "yaml: "))
			}
			return nil, paved.FieldErrorf(paved.EINVALID, name, "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		c := &converter{name: name, hasTemplate: hasTemplate}
		v, err := c.convert(root, 0, false)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue // "---" followed by nothing, or an explicit null
		}
		line := root.Line
		rs, err := kubeObjects(name, v, line, itemLines(root), hasTemplate)
		if err != nil && opt.AcceptOther && isOther(err) {
			docs = append(docs, document(name, KindDocument, index, line, nil, v))
			continue
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, document(name, KindKubernetes, index, line, rs, v))
	}
	if opt.AcceptOther {
		docs = withEmptyDocuments(name, text, docs)
	}
	return docs, nil
}

// withEmptyDocuments adds, for conftest-style policies (Options.AcceptOther),
// the empty documents of a YAML file as conftest gives them to its
// policies: conftest splits a file at every "\n---\n" ("\r\n---\r\n"
// when the file has CRLF line ends) and gives each part, a part that holds
// only comments or nothing becoming null. So a comment-only first
// document, or a "---" at the end, is a null element of the --combine input
// and a null input of its own otherwise; without them paved would give
// 54 documents where conftest gives 55, and a policy that counts or
// checks every document would disagree. The decoded documents keep their
// place; when the parts and the documents do not line up (a "---" with
// trailing text, a %YAML directive), the file is left as decoded.
func withEmptyDocuments(name string, text []byte, docs []*Document) []*Document {
	if bytes.HasPrefix(text, []byte("%")) {
		return docs
	}
	sep := []byte("\n---\n")
	if bytes.Contains(text, []byte("\r\n")) {
		sep = []byte("\r\n---\r\n")
	}
	parts := bytes.Split(text, sep)
	empty := make([]bool, len(parts))
	n := 0
	for i, p := range parts {
		empty[i] = emptyYAML(p)
		if !empty[i] {
			n++
		}
	}
	if n != len(docs) || n == len(parts) {
		return docs
	}
	out := make([]*Document, 0, len(parts))
	off, j := 0, 0
	for i, p := range parts {
		if empty[i] {
			line, _ := position(text, int64(off))
			out = append(out, document(name, KindDocument, i, line, nil, nil))
		} else {
			out = append(out, docs[j])
			j++
		}
		off += len(p) + len(sep)
	}
	return out
}

// emptyYAML reports whether a part of a YAML file holds no value: only
// blank lines, comments, document markers, or an explicit null.
func emptyYAML(p []byte) bool {
	value := ""
	for _, l := range strings.Split(string(p), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "", strings.HasPrefix(l, "#"), l == "---", l == "...":
			continue
		case value != "":
			return false
		}
		value = l
	}
	switch value {
	case "", "~", "null", "Null", "NULL":
		return true
	}
	return false
}

// document wraps one decoded document and its resources.
func document(name string, kind Kind, index, line int, rs []*paved.IaCResource, v any) *Document {
	if rs == nil {
		rs = []*paved.IaCResource{}
	}
	return &Document{Input: name, Kind: kind, Index: index, Line: line, Resources: rs, Raw: func() (any, error) { return v, nil }}
}

// itemLines returns the lines of a List's items or of a sequence's elements.
func itemLines(n *yaml.Node) []int {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	var seq *yaml.Node
	switch n.Kind {
	case yaml.SequenceNode:
		seq = n
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "items" {
				seq = n.Content[i+1]
			}
		}
	}
	for seq != nil && seq.Kind == yaml.AliasNode {
		seq = seq.Alias
	}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(seq.Content))
	for i, it := range seq.Content {
		lines[i] = it.Line
	}
	return lines
}

// converter turns a yaml.Node tree into JSON-compatible values, following
// aliases and merge keys within limits.
type converter struct {
	name        string
	hasTemplate bool
	expanded    int
}

func (c *converter) errAt(n *yaml.Node, format string, args ...any) error {
	return paved.FieldErrorf(paved.EINVALID, at(c.name, n.Line, n.Column), format, args...)
}

func (c *converter) convert(n *yaml.Node, depth int, viaAlias bool) (any, error) {
	if depth > maxYAMLDepth {
		return nil, c.errAt(n, "YAML nested deeper than %d levels", maxYAMLDepth)
	}
	if viaAlias {
		c.expanded++
		if c.expanded > maxAliasExpansion {
			return nil, c.errAt(n, "YAML aliases expand to more than %d values: refusing what looks like an alias bomb", maxAliasExpansion)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.convert(n.Content[0], depth+1, viaAlias)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, c.errAt(n, "unknown YAML anchor %q", n.Value)
		}
		return c.convert(n.Alias, depth+1, true)
	case yaml.ScalarNode:
		return scalar(n), nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, it := range n.Content {
			v, err := c.convert(it, depth+1, viaAlias)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return c.mapping(n, depth, viaAlias)
	}
	return nil, c.errAt(n, "unsupported YAML node")
}

func (c *converter) mapping(n *yaml.Node, depth int, viaAlias bool) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merged map[string]any
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, vn := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			m, err := c.merge(vn, depth, viaAlias)
			if err != nil {
				return nil, err
			}
			if merged == nil {
				merged = map[string]any{}
			}
			for mk, mv := range m {
				if _, ok := merged[mk]; !ok {
					merged[mk] = mv
				}
			}
			continue
		}
		kn := k
		for kn.Kind == yaml.AliasNode && kn.Alias != nil {
			kn = kn.Alias
		}
		if kn.Kind != yaml.ScalarNode {
			if c.hasTemplate {
				return nil, c.errAt(k, "%s", msgHelm)
			}
			return nil, c.errAt(k, "a mapping key must be a string, found a %s", nodeKind(kn))
		}
		key := kn.Value
		boolKey := false
		if b, ok := yaml11Bools[key]; ok && kn.Style == 0 && kn.ShortTag() == "!!str" {
			// sigs.k8s.io/yaml (kubectl, conftest) reads an unquoted key
			// such as on: (GitHub workflows) as a boolean, written "true";
			// two such keys (on: and y:) collapse, the last one winning.
			key, boolKey = strconv.FormatBool(b), true
		}
		if first, dup := seen[key]; dup && !boolKey {
			return nil, c.errAt(k, "duplicate key %q (first defined at line %d)", key, first)
		}
		seen[key] = k.Line
		v, err := c.convert(vn, depth+1, viaAlias)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	for k, v := range merged {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out, nil
}

// merge resolves the value of a "<<" key: a mapping or a list of mappings,
// the earlier ones taking precedence.
func (c *converter) merge(vn *yaml.Node, depth int, viaAlias bool) (map[string]any, error) {
	target := vn
	for target.Kind == yaml.AliasNode && target.Alias != nil {
		target = target.Alias
	}
	switch target.Kind {
	case yaml.MappingNode:
		v, err := c.convert(vn, depth+1, viaAlias)
		if err != nil {
			return nil, err
		}
		m, _ := v.(map[string]any)
		return m, nil
	case yaml.SequenceNode:
		out := map[string]any{}
		for _, it := range target.Content {
			v, err := c.convert(it, depth+1, viaAlias || vn.Kind == yaml.AliasNode)
			if err != nil {
				return nil, err
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, c.errAt(it, "a merge key (<<) takes mappings, found %s", describe(v))
			}
			for k, val := range m {
				if _, ok := out[k]; !ok {
					out[k] = val
				}
			}
		}
		return out, nil
	}
	return nil, c.errAt(vn, "a merge key (<<) takes a mapping or a list of mappings")
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "node"
}

// yaml11Bools are the plain scalars YAML 1.1 reads as booleans. kubectl
// and conftest both read manifests with sigs.k8s.io/yaml, which follows
// YAML 1.1 here: readOnlyRootFilesystem: yes is true to the cluster, so it
// must be true to the guard rails too.
var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// scalar resolves a YAML scalar the way YAML 1.2's core schema (and the YAML
// library) does, into JSON-compatible values, except for YAML 1.1's extra
// booleans (yaml11Bools) on unquoted scalars. Integers that a float64
// cannot hold exactly stay exact as json.Number; infinities and NaN, which
// JSON cannot hold, stay strings.
func scalar(n *yaml.Node) any {
	if n.Style == 0 && n.ShortTag() == "!!str" {
		if b, ok := yaml11Bools[n.Value]; ok {
			return b
		}
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		s := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			if i >= -(1<<53) && i <= 1<<53 {
				return float64(i)
			}
			return json.Number(strconv.FormatInt(i, 10))
		}
		if u, err := strconv.ParseUint(strings.TrimPrefix(s, "+"), 0, 64); err == nil {
			return json.Number(strconv.FormatUint(u, 10))
		}
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

// readJSON reads JSON text: one Terraform plan, or one or more Kubernetes
// objects (a stream of values, an array, a List).
func readJSON(name string, text []byte, opt Options) ([]*Document, error) {
	vals, serr := scanJSON(text)
	if serr != nil {
		l, c := position(text, int64(serr.off))
		if serr.eof {
			return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "invalid JSON: unexpected end of input: the file looks truncated")
		}
		return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "invalid JSON: %s", serr.msg)
	}
	hasTemplate := bytes.Contains(text, []byte("{{"))
	var docs []*Document
	for i := range vals {
		tv := &vals[i]
		line, col := position(text, int64(tv.start))
		where := at(name, line, col)
		if tv.kind == 'n' {
			continue // a JSON null is an empty document
		}
		switch tv.kind {
		case '{':
			what, msg := classifyJSONObject(text, tv)
			switch what {
			case "plan":
				if len(vals) > 1 {
					other := vals[0]
					if i == 0 {
						other = vals[1]
					}
					l, c := position(text, int64(other.start))
					return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "a Terraform plan file must hold exactly one JSON object, found another value here")
				}
				doc, err := readPlan(name, text, tv, opt)
				if err != nil {
					return nil, err
				}
				return []*Document{doc}, nil
			case "kubernetes":
			default:
				if opt.AcceptOther && otherDocument(msg) {
					d, err := otherJSON(name, text, tv, i, line)
					if err != nil {
						return nil, err
					}
					docs = append(docs, d)
					continue
				}
				if hasTemplate && msg == msgUnknown {
					msg = msgHelm
				}
				return nil, notSupported(where, msg)
			}
		case '[':
		default:
			if opt.AcceptOther {
				d, err := otherJSON(name, text, tv, i, line)
				if err != nil {
					return nil, err
				}
				docs = append(docs, d)
				continue
			}
			what := "number"
			switch tv.kind {
			case '"':
				what = "string"
			case 't', 'f':
				what = "boolean"
			}
			return nil, notSupported(where, "found a JSON "+what+": "+msgUnknown)
		}
		var v any
		if err := json.Unmarshal(text[tv.start:tv.end], &v); err != nil {
			return nil, jsonError(name, text, err)
		}
		var lines []int
		if tv.kind == '[' {
			lines = elementLines(text, span{start: tv.start, end: tv.end})
		} else if sp, ok := tv.get("items"); ok {
			lines = elementLines(text, sp)
		}
		rs, err := kubeObjects(name, v, line, lines, hasTemplate)
		if err != nil && opt.AcceptOther && isOther(err) {
			docs = append(docs, document(name, KindDocument, i, line, nil, v))
			continue
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, document(name, KindKubernetes, i, line, rs, v))
	}
	return docs, nil
}

// otherJSON reads one JSON value as a KindDocument (Options.AcceptOther).
func otherJSON(name string, text []byte, tv *topValue, index, line int) (*Document, error) {
	var v any
	if err := json.Unmarshal(text[tv.start:tv.end], &v); err != nil {
		return nil, jsonError(name, text, err)
	}
	return document(name, KindDocument, index, line, nil, v), nil
}

// elementLines returns the line of each element of a JSON array span.
func elementLines(text []byte, sp span) []int {
	sc := &scanner{s: text[:sp.end], pos: sp.start}
	sc.ws()
	if sc.pos >= len(sc.s) || sc.s[sc.pos] != '[' {
		return nil
	}
	sc.pos++
	var lines []int
	line, last := 1, 0
	for {
		sc.ws()
		if sc.pos >= len(sc.s) || sc.s[sc.pos] == ']' {
			return lines
		}
		line += bytes.Count(text[last:sc.pos], []byte{'\n'})
		if last == 0 {
			line = bytes.Count(text[:sc.pos], []byte{'\n'}) + 1
		}
		last = sc.pos
		lines = append(lines, line)
		if err := sc.value(1); err != nil {
			return lines
		}
		sc.ws()
		if sc.pos < len(sc.s) && sc.s[sc.pos] == ',' {
			sc.pos++
		}
	}
}
