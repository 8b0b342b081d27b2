package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
)

// Limits that keep a hostile or broken file from exhausting the process.
// A real paved.yaml is a few kilobytes with a few hundred values; these
// bounds are far above that and far below harm.
const (
	// MaxFileBytes bounds the size of paved.yaml.
	MaxFileBytes = 1 << 20
	// maxNodes bounds the values decoded, counting every expansion of an
	// alias, so that an alias bomb ("billion laughs") stops early.
	maxNodes = 20000
	// maxDepth bounds nesting, through aliases too.
	maxDepth = 32
)

// Load reads the platform config from path, which is a file or a directory
// holding paved.yaml. An empty path returns the defaults.
func Load(path string) (*Config, error) {
	if path == "" {
		return Default(), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, paved.FieldErrorf(paved.EINVALID, "config", "config %s does not exist: give a paved.yaml file or the directory that holds it", path)
		}
		return nil, paved.FieldErrorf(paved.EINVALID, "config", "cannot read config %s: %v", path, paved.UnwrapPathError(err))
	}
	if fi.IsDir() {
		path = filepath.Join(path, FileName)
		if fi, err = os.Stat(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, paved.FieldErrorf(paved.EINVALID, "config", "config directory has no %s: expected %s", FileName, path)
			}
			return nil, paved.FieldErrorf(paved.EINVALID, "config", "cannot read config %s: %v", path, paved.UnwrapPathError(err))
		}
	}
	if !fi.Mode().IsRegular() {
		return nil, paved.FieldErrorf(paved.EINVALID, "config", "config %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "config", "cannot read config %s: %v", path, paved.UnwrapPathError(err))
	}
	defer f.Close()
	// Read one byte past the limit to tell "exactly at the limit" from "over".
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "config", "cannot read config %s: %v", path, paved.UnwrapPathError(err))
	}
	return Parse(path, data)
}

// Parse decodes the contents of a paved.yaml named name (used in error
// messages) over the defaults and validates the result.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > MaxFileBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, name, "file is larger than %d bytes: a paved.yaml is a few kilobytes; is this the right file?", MaxFileBytes)
	}
	c := Default()
	c.Source = name
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return c, c.Validate() // an empty file: all defaults
		}
		return nil, yamlError(name, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", name, second.Line), "a second YAML document (after ---): paved.yaml holds exactly one")
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(name, err)
	}
	d := &decoder{file: name, origin: c.origin}
	doc := &root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return c, c.Validate()
		}
		doc = doc.Content[0]
	}
	if isNull(doc) {
		return c, c.Validate() // a file of comments only
	}
	if err := d.decode(doc, reflect.ValueOf(c).Elem(), "", 0); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// yamlLineRE finds the line in yaml.v3's syntax errors ("yaml: line 3: ...").
var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func yamlError(name string, err error) error {
	msg := err.Error()
	where := name
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			where = name + ":" + m[1]
		}
		msg = msg[len(m[0]):]
	}
	return paved.FieldErrorf(paved.EINVALID, where, "not valid YAML: %s", msg)
}

type decoder struct {
	file   string
	origin map[string]string
	nodes  int
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", d.file, n.Line), "%s", msg)
}

// textUnmarshaler is implemented by config value types such as ByteSize.
var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// domainParsers decode the domain's enumerations with the domain's own
// parsers, so paved.yaml accepts exactly what the CLI and API accept and
// the error lists the valid values.
var domainParsers = map[reflect.Type]func(string) (any, error){
	reflect.TypeFor[paved.Phase]():     func(s string) (any, error) { return paved.ParsePhase(s) },
	reflect.TypeFor[paved.Tier]():      func(s string) (any, error) { return paved.ParseTier(s) },
	reflect.TypeFor[paved.DataClass](): func(s string) (any, error) { return paved.ParseDataClass(s) },
	reflect.TypeFor[paved.Role]():      func(s string) (any, error) { return paved.ParseRole(s) },
	reflect.TypeFor[paved.TeamKind]():  func(s string) (any, error) { return paved.ParseTeamKind(s) },
}

// decode stores n into v. Only keys present in the file change v, so v
// starts out holding the defaults.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, depth int) error {
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return d.errorf(n, path, "alias to an unknown anchor")
		}
		depth++
		n = n.Alias
	}
	d.nodes++
	if d.nodes > maxNodes {
		return d.errorf(n, path, "more than %d values (after expanding aliases): paved.yaml is too large or an alias expands too often", maxNodes)
	}
	if depth > maxDepth {
		return d.errorf(n, path, "nested more than %d levels deep", maxDepth)
	}
	t := v.Type()
	if parse, ok := domainParsers[t]; ok {
		s, err := d.scalar(n, path, "a string")
		if err != nil {
			return err
		}
		x, err := parse(s)
		if err != nil {
			return d.errorf(n, path, "%s", paved.ErrorMessage(err))
		}
		v.Set(reflect.ValueOf(x))
		return nil
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		s, err := d.scalar(n, path, "a value")
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return d.errorf(n, path, "%s", paved.ErrorMessage(err))
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Interface:
		// Free-form values (guard-rail parameters) are checked against
		// their rule's declared types by the policy engine; here they only
		// need to be plain JSON-compatible data.
		x, err := d.decodeAny(n, path, depth)
		if err != nil {
			return err
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	case reflect.Struct:
		return d.decodeStruct(n, v, path, depth)
	case reflect.Map:
		return d.decodeMap(n, v, path, depth)
	case reflect.Slice:
		return d.decodeSlice(n, v, path, depth)
	case reflect.String:
		s, err := d.scalar(n, path, "a string")
		if err != nil {
			return err
		}
		v.SetString(s)
		return nil
	case reflect.Bool:
		s, err := d.scalar(n, path, "true or false")
		if err != nil {
			return err
		}
		if n.Tag != "!!bool" {
			return d.errorf(n, path, "want true or false, got %q", s)
		}
		b, err := strconv.ParseBool(strings.ToLower(s))
		if err != nil {
			return d.errorf(n, path, "want true or false, got %q", s)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, err := d.scalar(n, path, "an integer")
		if err != nil {
			return err
		}
		var i int64
		if n.Tag != "!!int" || n.Decode(&i) != nil {
			return d.errorf(n, path, "want an integer, got %q", s)
		}
		if v.OverflowInt(i) {
			return d.errorf(n, path, "%d is out of range", i)
		}
		v.SetInt(i)
		return nil
	}
	// A field type the decoder does not handle is a programming error in
	// this package; report it rather than panic.
	return d.errorf(n, path, "internal: cannot decode into %s", t)
}

// decodeAny turns a node into JSON-compatible values (map[string]any,
// []any, string, int64/float64, bool, nil), counting nodes and depth like
// every other value so that an alias bomb cannot hide in a parameter.
func (d *decoder) decodeAny(n *yaml.Node, path string, depth int) (any, error) {
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return nil, d.errorf(n, path, "alias to an unknown anchor")
		}
		depth++
		n = n.Alias
	}
	d.nodes++
	if d.nodes > maxNodes {
		return nil, d.errorf(n, path, "more than %d values (after expanding aliases): paved.yaml is too large or an alias expands too often", maxNodes)
	}
	if depth > maxDepth {
		return nil, d.errorf(n, path, "nested more than %d levels deep", maxDepth)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, d.errorf(k, path, "want a plain key, got %s", kindName(k))
			}
			if _, dup := m[k.Value]; dup {
				return nil, d.errorf(k, path, "key %q appears twice", k.Value)
			}
			x, err := d.decodeAny(n.Content[i+1], join(path, k.Value), depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = x
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			x, err := d.decodeAny(c, path+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, x)
		}
		return l, nil
	case yaml.ScalarNode:
		if isNull(n) {
			return nil, nil
		}
		var x any
		switch n.Tag {
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, d.errorf(n, path, "integer %q is out of range", n.Value)
			}
			x = i
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, d.errorf(n, path, "bad number %q", n.Value)
			}
			x = f
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, d.errorf(n, path, "want true or false, got %q", n.Value)
			}
			x = b
		default:
			x = n.Value
		}
		return x, nil
	}
	return nil, d.errorf(n, path, "unsupported YAML value (%s)", kindName(n))
}

// scalar returns the text of a scalar node, or an error saying what was
// wanted instead of a mapping, a list or nothing.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", d.errorf(n, path, "want %s, got %s", want, kindName(n))
	}
	if isNull(n) {
		return "", d.errorf(n, path, "has no value: want %s", want)
	}
	return n.Value, nil
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string, depth int) error {
	if isNull(n) {
		return nil // "server:" with nothing under it keeps the defaults
	}
	if n.Kind != yaml.MappingNode {
		return d.errorf(n, path, "want a mapping (key: value lines), got %s", kindName(n))
	}
	fields := map[string]int{}
	var names []string
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	sort.Strings(names)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, err := d.key(k, path, seen)
		if err != nil {
			return err
		}
		idx, ok := fields[key]
		if !ok {
			where := "at the top level"
			if path != "" {
				where = "in " + path
			}
			return d.errorf(k, "", "unknown key %q %s: want one of %s", key, where, strings.Join(names, ", "))
		}
		sub := join(path, key)
		d.origin[sub] = fmt.Sprintf("%s:%d", d.file, k.Line)
		if err := d.decode(val, v.Field(idx), sub, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string, depth int) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errorf(n, path, "want a mapping (key: value lines), got %s", kindName(n))
	}
	if v.Type().Key().Kind() != reflect.String {
		return d.errorf(n, path, "internal: map keys must be strings")
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		key, err := d.key(k, path, seen)
		if err != nil {
			return err
		}
		sub := join(path, key)
		d.origin[sub] = fmt.Sprintf("%s:%d", d.file, k.Line)
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(val, elem, sub, depth+1); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), elem)
	}
	return nil
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string, depth int) error {
	if n.Kind != yaml.SequenceNode {
		return d.errorf(n, path, "want a list, got %s", kindName(n))
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		elem := reflect.New(v.Type().Elem()).Elem()
		if err := d.decode(item, elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
			return err
		}
		out = reflect.Append(out, elem)
	}
	v.Set(out) // a list in the file replaces the default list
	return nil
}

// key checks a mapping key: a plain string, not a merge key, not repeated.
func (d *decoder) key(k *yaml.Node, path string, seen map[string]int) (string, error) {
	if k.Kind != yaml.ScalarNode || isNull(k) {
		return "", d.errorf(k, path, "keys must be plain strings, got %s", kindName(k))
	}
	if k.Tag == "!!merge" {
		return "", d.errorf(k, path, "merge keys (<<) are not supported: write the keys out")
	}
	if line, dup := seen[k.Value]; dup {
		return "", d.errorf(k, path, "key %q is repeated (first at line %d)", k.Value, line)
	}
	seen[k.Value] = k.Line
	return k.Value, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "an unexpected YAML node"
}
