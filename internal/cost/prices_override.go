package cost

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/paved-dev/paved"
)

// OverrideFileName is the price book override file of a platform config
// directory, next to paved.yaml.
const OverrideFileName = "pricebook.yaml"

// Overrides is an organisation's pricebook.yaml: negotiated discounts, and
// rows for regions and products the embedded book lacks (or replaces).
//
//	discounts:
//	  - service: ec2
//	    product: "m6i.*"      # optional glob over the product
//	    region: eu-west-1     # optional glob over the region
//	    option: ""            # optional glob over the option
//	    percent: 12.5
//	    note: Enterprise agreement 2026
//	rows:
//	  - service: ec2
//	    region: eu-north-1
//	    product: m6i.large
//	    option: linux
//	    unit: hour
//	    usd: 0.0904
//	    source: https://aws.amazon.com/ec2/pricing/on-demand/
//	    as_of: 2026-10-01
type Overrides struct {
	File      string
	Discounts []Discount
	Rows      []*PriceRow
}

// Discount lowers the prices of the rows it matches by Percent.
type Discount struct {
	Service string `json:"service"`
	Product string `json:"product,omitempty"`
	Region  string `json:"region,omitempty"`
	Option  string `json:"option,omitempty"`
	// Percent is the exact percentage as written ("12.5").
	Percent string `json:"percent"`
	Note    string `json:"note,omitempty"`
	Origin  string `json:"origin"`
	pct     *big.Rat
}

func (d *Discount) factor() *big.Rat {
	return new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(d.pct, big.NewRat(100, 1)))
}

func (d *Discount) matches(r *PriceRow) bool {
	if d.Service != r.Service {
		return false
	}
	for _, p := range [][2]string{{d.Product, r.Product}, {d.Region, r.Region}, {d.Option, r.Option}} {
		if p[0] == "" {
			continue
		}
		if ok, _ := path.Match(p[0], p[1]); !ok {
			return false
		}
	}
	return true
}

const (
	maxOverrideBytes = 1 << 20
	maxOverrideNodes = 200_000
)

// LoadOverrides reads pricebook.yaml from dir (the platform config
// directory); no file means no overrides (nil, nil).
func LoadOverrides(dir string) (*Overrides, error) {
	if dir == "" {
		return nil, nil
	}
	name := path.Join(dir, OverrideFileName)
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "cannot read the price book overrides: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxOverrideBytes+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "cannot read the price book overrides: %v", err)
	}
	return ParseOverrides(name, data)
}

// ParseOverrides decodes a pricebook.yaml strictly: unknown keys, missing
// or malformed values, duplicate rows and aliases are errors naming
// file:line.
func ParseOverrides(name string, data []byte) (*Overrides, error) {
	if len(data) > maxOverrideBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, name, "file is larger than %d bytes", maxOverrideBytes)
	}
	o := &Overrides{File: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return o, nil
		}
		return nil, yamlErr(name, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", name, second.Line), "a second YAML document (after ---): %s holds exactly one", OverrideFileName)
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlErr(name, err)
	}
	p := &ovParser{file: name}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return o, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return o, nil
	}
	if err := p.walk(root); err != nil {
		return nil, err
	}
	top, err := p.mapping(root, "", []string{"discounts", "rows"})
	if err != nil {
		return nil, err
	}
	if n := top["discounts"]; n != nil {
		items, err := p.list(n, "discounts")
		if err != nil {
			return nil, err
		}
		for i, it := range items {
			d, err := p.discount(it, fmt.Sprintf("discounts[%d]", i))
			if err != nil {
				return nil, err
			}
			o.Discounts = append(o.Discounts, d)
		}
	}
	if n := top["rows"]; n != nil {
		items, err := p.list(n, "rows")
		if err != nil {
			return nil, err
		}
		seen := map[PriceKey]string{}
		for i, it := range items {
			r, err := p.row(it, fmt.Sprintf("rows[%d]", i))
			if err != nil {
				return nil, err
			}
			if prev, dup := seen[r.Key()]; dup {
				return nil, paved.FieldErrorf(paved.EINVALID, r.Origin, "%s in %s is already given at %s: keep one row per service, region, product, option and unit", r.Key(), r.Region, prev)
			}
			seen[r.Key()] = r.Origin
			o.Rows = append(o.Rows, r)
		}
	}
	return o, nil
}

func yamlErr(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	where := name
	var line int
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		where = fmt.Sprintf("%s:%d", name, line)
		msg = strings.TrimSpace(msg[strings.IndexByte(msg, ':')+1:])
	}
	return paved.FieldErrorf(paved.EINVALID, where, "not valid YAML: %s", msg)
}

type ovParser struct {
	file  string
	nodes int
}

func (p *ovParser) errorf(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", p.file, n.Line), "%s", msg)
}

// walk refuses aliases, merge keys and runaway sizes before anything is
// decoded.
func (p *ovParser) walk(n *yaml.Node) error {
	p.nodes++
	if p.nodes > maxOverrideNodes {
		return p.errorf(n, "", "more than %d values", maxOverrideNodes)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return p.errorf(n, "", "anchors and aliases are not supported in %s: write the values out", OverrideFileName)
	}
	if n.Tag == "!!merge" {
		return p.errorf(n, "", "merge keys (<<) are not supported: write the keys out")
	}
	for _, c := range n.Content {
		if err := p.walk(c); err != nil {
			return err
		}
	}
	return nil
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unexpected YAML node"
}

// mapping returns the values of a mapping by key, refusing unknown and
// repeated keys.
func (p *ovParser) mapping(n *yaml.Node, path string, keys []string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, path, "want a mapping (key: value lines), got %s", kind(n))
	}
	out := map[string]*yaml.Node{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
			return nil, p.errorf(k, path, "keys must be plain strings, got %s", kind(k))
		}
		if !slices.Contains(keys, k.Value) {
			where := "at the top level"
			if path != "" {
				where = "in " + path
			}
			return nil, p.errorf(k, "", "unknown key %q %s: want one of %s", k.Value, where, strings.Join(keys, ", "))
		}
		if l, dup := lines[k.Value]; dup {
			return nil, p.errorf(k, path, "key %q is repeated (first at line %d)", k.Value, l)
		}
		lines[k.Value] = k.Line
		out[k.Value] = v
	}
	return out, nil
}

func (p *ovParser) list(n *yaml.Node, path string) ([]*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, path, "want a list, got %s", kind(n))
	}
	return n.Content, nil
}

// str returns a scalar's text; required scalars must be present and not
// empty.
func (p *ovParser) str(m map[string]*yaml.Node, parent *yaml.Node, path, key string, required bool) (string, error) {
	n := m[key]
	if n == nil {
		if required {
			return "", p.errorf(parent, path, "%s is missing", key)
		}
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", p.errorf(n, path+"."+key, "want a value, got %s", kind(n))
	}
	if n.Tag == "!!null" || (required && strings.TrimSpace(n.Value) == "") {
		if required {
			return "", p.errorf(n, path+"."+key, "has no value")
		}
		return "", nil
	}
	if len(n.Value) > maxFieldLen {
		return "", p.errorf(n, path+"."+key, "is %d characters long: at most %d", len(n.Value), maxFieldLen)
	}
	return n.Value, nil
}

func (p *ovParser) discount(n *yaml.Node, at string) (Discount, error) {
	m, err := p.mapping(n, at, []string{"service", "product", "region", "option", "percent", "note"})
	if err != nil {
		return Discount{}, err
	}
	d := Discount{Origin: fmt.Sprintf("%s:%d", p.file, n.Line)}
	fields := []struct {
		key string
		dst *string
		req bool
	}{{"service", &d.Service, true}, {"product", &d.Product, false}, {"region", &d.Region, false}, {"option", &d.Option, false}, {"percent", &d.Percent, true}, {"note", &d.Note, false}}
	for _, f := range fields {
		if *f.dst, err = p.str(m, n, at, f.key, f.req); err != nil {
			return Discount{}, err
		}
	}
	if !slices.Contains(Services, d.Service) {
		return Discount{}, p.errorf(m["service"], at+".service", "unknown service %q: want one of %s", d.Service, strings.Join(Services, ", "))
	}
	for _, g := range []struct{ key, pat string }{{"product", d.Product}, {"region", d.Region}, {"option", d.Option}} {
		if _, err := path.Match(g.pat, ""); err != nil {
			return Discount{}, p.errorf(m[g.key], at+"."+g.key, "pattern %q is malformed: use * and ? as in m6i.* or eu-*", g.pat)
		}
	}
	pn := m["percent"]
	pm, err := ParseMoney(d.Percent)
	if err != nil || pn.Tag == "!!bool" {
		return Discount{}, p.errorf(pn, at+".percent", "want a number of percent like 12.5, got %q", d.Percent)
	}
	pct := pm.Rat()
	if pct.Sign() <= 0 || pct.Cmp(big.NewRat(100, 1)) >= 0 {
		return Discount{}, p.errorf(pn, at+".percent", "%s %% is not a discount: want more than 0 and less than 100", d.Percent)
	}
	d.pct = pct
	return d, nil
}

func (p *ovParser) row(n *yaml.Node, path string) (*PriceRow, error) {
	m, err := p.mapping(n, path, CSVColumns)
	if err != nil {
		return nil, err
	}
	r := &PriceRow{Origin: fmt.Sprintf("%s:%d", p.file, n.Line)}
	var usd string
	fields := []struct {
		key string
		dst *string
		req bool
	}{{"service", &r.Service, true}, {"region", &r.Region, true}, {"product", &r.Product, true}, {"option", &r.Option, false}, {"unit", &r.Unit, true}, {"usd", &usd, true}, {"source", &r.Source, true}, {"as_of", &r.AsOf, true}, {"note", &r.Note, false}}
	for _, f := range fields {
		if *f.dst, err = p.str(m, n, path, f.key, f.req); err != nil {
			return nil, err
		}
	}
	if err := r.parsePrice(usd); err != nil {
		return nil, p.errorf(m["usd"], path, "%s", paved.ErrorMessage(err))
	}
	if err := r.validate(false); err != nil {
		at := n
		var fe *fieldError
		if errors.As(err, &fe) && m[fe.field] != nil {
			at = m[fe.field]
		}
		return nil, p.errorf(at, path, "%s", err)
	}
	return r, nil
}

// WithOverrides returns a new book: the override rows added (replacing an
// embedded row with the same key) and the discounts in force, applied in
// file order (the first discount matching a row applies; they do not add
// up). A nil o returns b.
func (b *PriceBook) WithOverrides(o *Overrides) *PriceBook {
	if o == nil {
		return b
	}
	nb := &PriceBook{Version: b.Version, rows: make(map[PriceKey]*PriceRow, len(b.rows)+len(o.Rows))}
	for k, r := range b.rows {
		nb.rows[k] = r
	}
	for _, r := range o.Rows {
		nb.rows[r.Key()] = r
	}
	nb.discounts = append(slices.Clip(b.discounts), o.Discounts...)
	if len(o.Rows) > 0 || len(o.Discounts) > 0 {
		nb.Version += " + " + o.File
	}
	nb.index()
	return nb
}

// Discounts returns the discounts in force, in the order they are tried.
func (b *PriceBook) Discounts() []Discount { return slices.Clone(b.discounts) }
