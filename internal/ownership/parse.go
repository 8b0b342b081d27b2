package ownership

// The ownership.yaml format (every key shown; unknown keys are errors):
//
//	version: 1                      # the file format; 1 is the only one so far
//	layers:                         # at least one
//	  - id: data                    # lowercase kebab-case, unique
//	    title: Data
//	    description: ...            # optional
//	    concerns:                   # at least one
//	      - id: backups             # lowercase kebab-case, unique across the map
//	        title: Backups          # optional for the standard concerns, required for new ones
//	        description: ...        # optional
//	        owner: product-team     # one team reference (R); leave it out for a concern nobody owns yet
//	        accountable: reliability  # optional (A), when another team answers for it
//	        consulted: [security]   # optional (C)
//	        informed: [sre]         # optional (I)
//
// A team reference is a catalog team name, a team kind that exactly one
// active team has (cloud-engineering ...), or product-team: the team that
// owns the service. References are checked against the catalog by
// Validate, not here: the file is read before the catalog is known.
//
// Parsing is strict: YAML syntax errors, unknown or repeated keys, values
// of the wrong shape, a concern declared twice, a concern with two owners,
// a team named in two roles of one concern, and a concern that is neither
// one of the standard concerns nor titled are refused with file:line and
// what to do. Files are capped at 1 MiB and alias expansion is bounded.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/suggest"
	"github.com/paved-dev/paved/internal/yamlnode"
)

// Limits on what one file may make paved do. The default map is about
// 12 KiB and a few hundred YAML nodes.
const (
	maxFileBytes = 1 << 20
	maxNodes     = 200_000
	maxIDLen     = 63
	maxTitleLen  = 200
	maxDescLen   = 4000
	maxConcerns  = 1000
)

// idRE is lowercase kebab-case: what layer and concern ids look like.
var idRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Parse reads an ownership.yaml. file names it in errors (file:line) and
// becomes Map.Source. Concerns of the embedded default map may leave out
// their title and description, which they then take from it. Every error is
// a *paved.Error (EINVALID, or ETOOLARGE over 1 MiB).
func Parse(file string, data []byte) (*Map, error) {
	std, err := Default()
	if err != nil {
		return nil, err
	}
	return parse(file, data, std)
}

// Load reads the map at path: the embedded default when path is "" or
// names no file.
func Load(path string) (*Map, error) {
	if path == "" {
		return Default()
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Default()
		}
		return nil, paved.FieldErrorf(paved.EINVALID, path, "cannot read the ownership map: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "the ownership map must be a file (ownership.yaml), not a folder")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "cannot read the ownership map: %v", paved.UnwrapPathError(err))
	}
	return Parse(path, data)
}

func parse(file string, data []byte, std *Map) (m *Map, err error) {
	if file == "" {
		file = FileName
	}
	if len(data) > maxFileBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, file, "the ownership map is larger than %d bytes: a real one is a few dozen KiB; is this the right file?", maxFileBytes)
	}
	// The YAML parser is third-party code fed files from a config repo: a
	// panic in it must become an error naming the file.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, paved.FieldErrorf(paved.EINVALID, file, "the YAML parser failed on this file (%v): check its syntax", r)
		}
	}()
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, emptyFile(file)
		}
		return nil, yamlSyntaxError(file, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", file, max(second.Line, 1)),
			"a second YAML document (after ---): the ownership map is one document")
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlSyntaxError(file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, emptyFile(file)
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, emptyFile(file)
	}
	p := &parser{Reader: yamlnode.Reader{File: file, MaxNodes: maxNodes, Doc: "map", In: "the ownership map"}, std: std, seen: map[string]*Concern{}}
	m, err = p.parseMap(root)
	if err != nil {
		return nil, err
	}
	m.Source = file
	return m, nil
}

func emptyFile(file string) error {
	return paved.FieldErrorf(paved.EINVALID, file+":1", "the file is empty: expected version: 1 and layers (see docs/ownership.md)")
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func yamlSyntaxError(file string, err error) error {
	msg := err.Error()
	line := "1"
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line = m[1]
		}
		msg = msg[len(m[0]):]
	}
	return paved.FieldErrorf(paved.EINVALID, file+":"+line, "not valid YAML: %s", msg)
}

type parser struct {
	yamlnode.Reader
	std  *Map // the standard concerns; nil while the default itself is read
	seen map[string]*Concern
}

// str reads a plain string value.
func (p *parser) str(e yamlnode.Entry, what string, maxLen int) (string, error) {
	n := e.Val
	if n.Kind != yaml.ScalarNode {
		return "", p.Errorf(n, "%s must be text, found %s", what, yamlnode.Describe(n))
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	s := strings.TrimSpace(n.Value)
	if len(s) > maxLen {
		return "", p.Errorf(n, "%s is %d bytes long: at most %d", what, len(s), maxLen)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }) {
		return "", p.Errorf(n, "%s contains control characters", what)
	}
	return s, nil
}

func (p *parser) id(e yamlnode.Entry, what string) (string, error) {
	if e.Val == nil {
		return "", p.Errorf(e.Key, "%s needs an id", what)
	}
	s, err := p.str(e, what+" id", 1000)
	if err != nil {
		return "", err
	}
	switch {
	case s == "":
		return "", p.Errorf(e.Val, "%s has an empty id: give a lowercase kebab-case id such as backups", what)
	case len(s) > maxIDLen:
		return "", p.Errorf(e.Val, "%s id %q is %d characters long: at most %d", what, s, len(s), maxIDLen)
	case !idRE.MatchString(s):
		return "", p.Errorf(e.Val, "%s id %q is not lowercase kebab-case (letters, digits and single dashes, such as point-in-time-restore)", what, s)
	}
	return s, nil
}

// ref reads one team reference.
func (p *parser) ref(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.Errorf(n, "%s must be a team name, found %s", what, yamlnode.Describe(n))
	}
	s := strings.TrimSpace(n.Value)
	if err := paved.ValidateName(what, s); err != nil {
		return "", p.Errorf(n, "%s: %s", what, msgOf(err))
	}
	return s, nil
}

// refs reads a list of team references (a single name is a list of one).
func (p *parser) refs(e yamlnode.Entry, what string) ([]string, error) {
	n := e.Val
	if n.Kind == yaml.ScalarNode {
		if n.Tag == "!!null" {
			return []string{}, nil
		}
		r, err := p.ref(n, what)
		if err != nil {
			return nil, err
		}
		return []string{r}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, p.Errorf(n, "%s must be a list of team names, found %s", what, yamlnode.Describe(n))
	}
	out := []string{}
	for _, c := range n.Content {
		c, err := p.Resolve(c)
		if err != nil {
			return nil, err
		}
		r, err := p.ref(c, what)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, r) {
			return nil, p.Errorf(c, "%s names %s twice: name each team once", what, r)
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *parser) parseMap(root *yaml.Node) (*Map, error) {
	f, err := p.Fields(root, "the ownership map", "version", "layers")
	if err != nil {
		return nil, err
	}
	v, ok := f["version"]
	if !ok {
		return nil, p.Errorf(root, "the ownership map has no version: start the file with version: %d", FormatVersion)
	}
	if v.Val.Kind != yaml.ScalarNode || v.Val.Value != strconv.Itoa(FormatVersion) {
		return nil, p.Errorf(v.Val, "version is %s: this paved reads version %d of the ownership map format", yamlnode.Describe(v.Val), FormatVersion)
	}
	ls, ok := f["layers"]
	if !ok {
		return nil, p.Errorf(root, "the ownership map has no layers: list the layers and their concerns (see docs/ownership.md)")
	}
	if ls.Val.Kind != yaml.SequenceNode || len(ls.Val.Content) == 0 {
		return nil, p.Errorf(ls.Val, "layers must be a list of at least one layer, found %s", yamlnode.Describe(ls.Val))
	}
	m := &Map{Version: FormatVersion}
	layerLines := map[string]int{}
	for _, ln := range ls.Val.Content {
		ln, err := p.Resolve(ln)
		if err != nil {
			return nil, err
		}
		l, err := p.parseLayer(ln)
		if err != nil {
			return nil, err
		}
		if prev, ok := layerLines[l.ID]; ok {
			return nil, p.Errorf(ln, "layer %q is declared twice (first at line %d): merge the two", l.ID, prev)
		}
		layerLines[l.ID] = ln.Line
		m.Layers = append(m.Layers, l)
	}
	return m, nil
}

func (p *parser) parseLayer(n *yaml.Node) (*Layer, error) {
	f, err := p.Fields(n, "a layer", "id", "title", "description", "concerns")
	if err != nil {
		return nil, err
	}
	l := &Layer{}
	e, ok := f["id"]
	if !ok {
		return nil, p.Errorf(n, "a layer has no id: give it a lowercase kebab-case id such as operations")
	}
	if l.ID, err = p.id(e, "the layer"); err != nil {
		return nil, err
	}
	if e, ok := f["title"]; ok {
		if l.Title, err = p.str(e, "the title of layer "+l.ID, maxTitleLen); err != nil {
			return nil, err
		}
	}
	if l.Title == "" {
		if sl := p.std.Layer(l.ID); sl != nil {
			l.Title = sl.Title
		} else {
			return nil, p.Errorf(n, "layer %q has no title: give it one", l.ID)
		}
	}
	if e, ok := f["description"]; ok {
		if l.Description, err = p.str(e, "the description of layer "+l.ID, maxDescLen); err != nil {
			return nil, err
		}
	}
	cs, ok := f["concerns"]
	if !ok || cs.Val.Kind != yaml.SequenceNode || len(cs.Val.Content) == 0 {
		at := n
		if ok {
			at = cs.Val
		}
		return nil, p.Errorf(at, "layer %q has no concerns: list at least one under concerns:", l.ID)
	}
	for _, cn := range cs.Val.Content {
		cn, err := p.Resolve(cn)
		if err != nil {
			return nil, err
		}
		c, err := p.parseConcern(cn, l.ID)
		if err != nil {
			return nil, err
		}
		l.Concerns = append(l.Concerns, c)
	}
	return l, nil
}

func (p *parser) parseConcern(n *yaml.Node, layer string) (*Concern, error) {
	f, err := p.Fields(n, "a concern", "id", "title", "description", "owner", "accountable", "consulted", "informed")
	if err != nil {
		return nil, err
	}
	c := &Concern{Layer: layer, Line: n.Line, Consulted: []string{}, Informed: []string{}}
	e, ok := f["id"]
	if !ok {
		return nil, p.Errorf(n, "a concern in layer %s has no id: give it a lowercase kebab-case id such as backups", layer)
	}
	if c.ID, err = p.id(e, "the concern"); err != nil {
		return nil, err
	}
	if e, ok := f["title"]; ok {
		if c.Title, err = p.str(e, "the title of concern "+c.ID, maxTitleLen); err != nil {
			return nil, err
		}
	}
	if e, ok := f["description"]; ok {
		if c.Description, err = p.str(e, "the description of concern "+c.ID, maxDescLen); err != nil {
			return nil, err
		}
	}
	if sc := p.std.Concern(c.ID); sc != nil {
		if c.Title == "" {
			c.Title = sc.Title
		}
		if c.Description == "" {
			c.Description = sc.Description
		}
	} else if c.Title == "" {
		msg := fmt.Sprintf("unknown concern %q: it is not one of the standard concerns", c.ID)
		if s := suggest.Closest(strings.ToLower(c.ID), standardIDs(p.std), 2); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, p.Errorf(e.Val, "%s; to declare a new concern, give it a title", msg)
	}
	if e, ok := f["owner"]; ok {
		if e.Val.Kind == yaml.SequenceNode {
			owners, err := p.refs(e, "the owner of concern "+c.ID)
			if err != nil {
				return nil, err
			}
			if len(owners) > 1 {
				return nil, p.Errorf(e.Val, "concern %q has %d owners (%s): one owner is required; make the others accountable, consulted or informed",
					c.ID, len(owners), strings.Join(owners, ", "))
			}
			if len(owners) == 1 {
				c.Owner = owners[0]
			}
		} else if e.Val.Tag != "!!null" {
			if c.Owner, err = p.ref(e.Val, "the owner of concern "+c.ID); err != nil {
				return nil, err
			}
		}
	}
	if e, ok := f["accountable"]; ok && e.Val.Tag != "!!null" {
		if e.Val.Kind == yaml.SequenceNode {
			return nil, p.Errorf(e.Val, "concern %q lists several accountable teams: one team is accountable; make the others consulted or informed", c.ID)
		}
		if c.Accountable, err = p.ref(e.Val, "the accountable team of concern "+c.ID); err != nil {
			return nil, err
		}
	}
	if e, ok := f["consulted"]; ok {
		if c.Consulted, err = p.refs(e, "consulted of concern "+c.ID); err != nil {
			return nil, err
		}
	}
	if e, ok := f["informed"]; ok {
		if c.Informed, err = p.refs(e, "informed of concern "+c.ID); err != nil {
			return nil, err
		}
	}
	if err := checkRoles(c); err != nil {
		return nil, p.Errorf(n, "%s", paved.ErrorMessage(err))
	}
	if prev, ok := p.seen[c.ID]; ok {
		if prev.Owner != "" && c.Owner != "" && prev.Owner != c.Owner {
			return nil, p.Errorf(n, "concern %q is owned twice: by %s here and by %s at line %d; one owner is required: keep one entry and make the other team accountable, consulted or informed",
				c.ID, c.Owner, prev.Owner, prev.Line)
		}
		return nil, p.Errorf(n, "concern %q is declared twice (first at line %d, in layer %s): keep one", c.ID, prev.Line, prev.Layer)
	}
	p.seen[c.ID] = c
	if len(p.seen) > maxConcerns {
		return nil, p.Errorf(n, "more than %d concerns: split the map's concerns coarser", maxConcerns)
	}
	return c, nil
}

// checkRoles refuses a team named in two roles of one concern (owner and
// consulted, consulted and informed ...). The owner may also be the
// accountable team.
func checkRoles(c *Concern) error {
	role := map[string]string{}
	add := func(ref, what string) error {
		if ref == "" {
			return nil
		}
		if prev, ok := role[ref]; ok {
			return paved.Errorf(paved.EINVALID, "concern %q names %s both as %s and as %s: give each team one role", c.ID, ref, prev, what)
		}
		role[ref] = what
		return nil
	}
	if err := add(c.Owner, "owner"); err != nil {
		return err
	}
	if c.Accountable != c.Owner {
		if err := add(c.Accountable, "accountable"); err != nil {
			return err
		}
	}
	for _, r := range c.Consulted {
		if err := add(r, "consulted"); err != nil {
			return err
		}
	}
	for _, r := range c.Informed {
		if err := add(r, "informed"); err != nil {
			return err
		}
	}
	return nil
}

func standardIDs(std *Map) []string {
	var out []string
	for _, c := range std.Concerns() {
		out = append(out, c.ID)
	}
	return out
}
