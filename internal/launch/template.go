package launch

// Launch templates: the green-light questionnaire and the operational-
// readiness checklist. Both are versioned YAML files; the defaults are
// embedded (templates/*.yaml) and the platform config's templates/ folder
// replaces them per kind. docs/launch-templates.md is the user guide.
//
// The format (every key shown; unknown keys are errors):
//
//	kind: checklist              # questionnaire | checklist
//	version: 1                   # positive whole number; raise it whenever the content changes
//	title: Operational readiness checklist
//	description: ...             # optional, Markdown
//	areas:                       # at least one
//	  - id: deployment           # lowercase kebab-case, unique in the template
//	    title: Deployment
//	    description: ...         # optional, Markdown
//	    items:                   # at least one
//	      - id: deploy-rollback  # lowercase kebab-case, unique across the questionnaire AND the checklist
//	        title: How is a release deployed, and how is it rolled back?
//	        form: text           # text (default) | link: the answer must carry at least one link
//	        required_for: [1, 2, 3]  # tiers 1-4 that must answer; "all"; or [] for optional everywhere
//	        guidance: |          # Markdown: why it matters, what good looks like
//	          ...
//	        evidence:            # optional: paved can answer the item from facts it holds
//	          source: check-rules     # catalog-link | catalog-field | check-rules | assessment
//	          rules: [db-storage-encrypted]
//	          sources: [ci]      # check-rules only, optional: whose checks count (ci, person);
//	                             # default: ci for tiers 1-2, both for tiers 3-4
//	          note: ...          # optional: what the evidence shows, in the item's words
//
// Evidence sources and what each needs:
//
//	catalog-link   value: a link type (runbook, dashboard, on-call, repo, docs)
//	catalog-field  value: an annotation key (pagerduty.com/service-id)
//	check-rules    rules: guard-rail ids (db-storage-encrypted, backup-retention ...)
//	assessment     value: security | load
//	fact           value: a fact expression (github.branch_protection.required_reviews >= 1);
//	               the short form is "fact: EXPRESSION" in place of source and value
//
// A template is parsed strictly: YAML syntax errors, unknown or repeated
// keys, values of the wrong shape and broken rules are all refused with
// file:line and what was expected, before anything uses the template. Files
// are capped at 1 MiB and alias expansion is bounded.

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts/expr"
	"github.com/paved-dev/paved/internal/yamlnode"
)

//go:embed templates/*.yaml
var embeddedTemplates embed.FS

// Limits on what one template file may make paved do. The embedded
// checklist, the largest real template, is well under 100 KiB and a few
// thousand YAML nodes.
const (
	maxTemplateBytes = 1 << 20
	// maxTemplateNodes bounds the nodes read, counting every expansion of
	// an alias, so that an alias bomb stops early.
	maxTemplateNodes = 200_000
	maxIDLen         = 63
	maxTitleLen      = 200
)

// Evidence sources (paved.EvidenceRule.Source).
const (
	evidenceCatalogLink  = "catalog-link"
	evidenceCatalogField = "catalog-field"
	evidenceCheckRules   = "check-rules"
	evidenceAssessment   = "assessment"
	evidenceFact         = "fact"
)

// templateSourceEmbedded is Template.Source for the embedded defaults.
const templateSourceEmbedded = "embedded"

// idRE is lowercase kebab-case: what item, area and rule ids look like.
var idRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ---- Library ---------------------------------------------------------------

var (
	defaultOnce    sync.Once
	defaultLibrary *Library
)

// DefaultLibrary returns the embedded default templates, parsed once. The
// templates are shared: callers must not modify them.
func DefaultLibrary() *Library {
	defaultOnce.Do(func() {
		l, err := loadEmbedded()
		if err != nil {
			// The embedded templates are fixed at build time and tested
			// (TestDefaultTemplates); this cannot happen in a built binary.
			panic("launch: embedded templates are broken: " + err.Error())
		}
		defaultLibrary = l
	})
	return defaultLibrary
}

func loadEmbedded() (*Library, error) {
	l := &Library{
		current: map[paved.TemplateKind]*paved.Template{},
		lines:   map[paved.TemplateKind]map[string]int{},
	}
	for _, k := range paved.TemplateKinds {
		name := "templates/" + string(k) + ".yaml"
		data, err := embeddedTemplates.ReadFile(name)
		if err != nil {
			return nil, err
		}
		t, lines, err := parseTemplate("embedded:"+string(k)+".yaml", data)
		if err != nil {
			return nil, err
		}
		if t.Kind != k {
			return nil, fmt.Errorf("%s says kind: %s", name, t.Kind)
		}
		t.Source = templateSourceEmbedded
		l.current[k] = t
		l.lines[k] = lines
	}
	if err := l.validatePair(); err != nil {
		return nil, err
	}
	return l, nil
}

// LoadLibrary reads the platform config's templates/ folder. An empty dir
// or a folder that does not exist gives the defaults. Each *.yaml (or
// *.yml) file in the folder is a template that replaces the default of its
// kind; a file named questionnaire.yaml or checklist.yaml must hold that
// kind. Two files of one kind, a malformed file, or item ids shared by the
// questionnaire and the checklist are errors naming file:line.
func LoadLibrary(dir string) (*Library, error) {
	def := DefaultLibrary()
	if dir == "" {
		return def, nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return def, nil
		}
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "cannot read the templates folder: %v", paved.UnwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "templates must be a folder holding questionnaire.yaml and/or checklist.yaml, not a file")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "cannot read the templates folder: %v", paved.UnwrapPathError(err))
	}
	l := &Library{
		current: copyKinds(def.current),
		lines:   copyKinds(def.lines),
	}
	from := map[paved.TemplateKind]string{}
	for _, e := range entries {
		name := e.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := readCapped(path)
		if err != nil {
			return nil, err
		}
		t, lines, err := parseTemplate(path, data)
		if err != nil {
			return nil, err
		}
		base := strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))
		if k := paved.TemplateKind(base); k.Valid() && k != t.Kind {
			return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", path, lines[lineKind]),
				"the file is named %s but says kind: %s: rename the file or fix the kind", name, t.Kind)
		}
		if prev, ok := from[t.Kind]; ok {
			return nil, paved.FieldErrorf(paved.EINVALID, path,
				"a second %s template (the first is %s): keep one %s per templates folder", t.Kind, prev, t.Kind)
		}
		from[t.Kind] = path
		l.current[t.Kind] = t
		l.lines[t.Kind] = lines
	}
	if err := l.validatePair(); err != nil {
		return nil, err
	}
	return l, nil
}

func copyKinds[V any](m map[paved.TemplateKind]V) map[paved.TemplateKind]V {
	out := make(map[paved.TemplateKind]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "cannot read the template: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTemplateBytes+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "cannot read the template: %v", paved.UnwrapPathError(err))
	}
	return data, nil
}

// validatePair checks that the questionnaire and the checklist share no
// item id and no area id: an answer names its item, and readiness scores
// name their area, without naming the template.
func (l *Library) validatePair() error {
	q, c := l.current[paved.KindQuestionnaire], l.current[paved.KindChecklist]
	if q == nil || c == nil {
		return nil
	}
	// Blame the file that is not the embedded default; the checklist when
	// both (or neither) are overrides.
	blame, other := paved.KindChecklist, paved.KindQuestionnaire
	if c.Source == templateSourceEmbedded && q.Source != templateSourceEmbedded {
		blame, other = paved.KindQuestionnaire, paved.KindChecklist
	}
	bt, ot := l.current[blame], l.current[other]
	check := func(what, prefix string, ids []string) error {
		for _, id := range ids {
			if ol, ok := l.lines[other][prefix+id]; ok {
				return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", templateFile(bt), l.lines[blame][prefix+id]),
					"%s id %q is also used by the %s (%s:%d): %s ids must be unique across the questionnaire and the checklist; rename one of them",
					what, id, other, templateFile(ot), ol, what)
			}
		}
		return nil
	}
	var areas, items []string
	for _, a := range bt.Areas {
		areas = append(areas, a.ID)
		for _, it := range a.Items {
			items = append(items, it.ID)
		}
	}
	if err := check("item", lineItem, items); err != nil {
		return err
	}
	return check("area", lineArea, areas)
}

// templateFile names where a template came from, for messages.
func templateFile(t *paved.Template) string {
	if t.Source == templateSourceEmbedded {
		return "embedded:" + string(t.Kind) + ".yaml"
	}
	return t.Source
}

// Current returns the configured template of kind (nil for an unknown
// kind). A nil Library is the defaults. The template is shared: callers
// must not modify it.
func (l *Library) Current(kind paved.TemplateKind) *paved.Template {
	if l == nil || l.current == nil {
		if d := DefaultLibrary(); l != d {
			return d.Current(kind)
		}
		return nil
	}
	return l.current[kind]
}

// ---- Parsing ---------------------------------------------------------------

// Keys of the lines map a parse returns.
const (
	lineKind = "kind"
	lineArea = "area:"
	lineItem = "item:"
)

// ParseTemplate parses and validates one template file. file names the
// file in errors (file:line) and becomes Template.Source; Digest is the
// sha256 of the canonical JSON of kind, version, title, description and
// areas. Every error is a *paved.Error (EINVALID, or ETOOLARGE over 1 MiB).
func ParseTemplate(file string, data []byte) (*paved.Template, error) {
	t, _, err := parseTemplate(file, data)
	return t, err
}

// parseTemplate is ParseTemplate that also returns the line of the kind
// key ("kind"), of each area ("area:ID") and of each item ("item:ID").
func parseTemplate(file string, data []byte) (t *paved.Template, lines map[string]int, err error) {
	if file == "" {
		file = "template"
	}
	if len(data) > maxTemplateBytes {
		return nil, nil, paved.FieldErrorf(paved.ETOOLARGE, file, "the template is larger than %d bytes: a real checklist is well under 100 KiB; is this the right file?", maxTemplateBytes)
	}
	// The YAML parser is third-party code fed files from a config repo: a
	// panic in it must become an error naming the file.
	defer func() {
		if r := recover(); r != nil {
			t, lines, err = nil, nil, paved.FieldErrorf(paved.EINVALID, file, "the YAML parser failed on this file (%v): check its syntax", r)
		}
	}()
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, emptyTemplate(file)
		}
		return nil, nil, yamlSyntaxError(file, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", file, max(second.Line, 1)),
			"a second YAML document (after ---): a template file holds exactly one template")
	} else if !errors.Is(err, io.EOF) {
		return nil, nil, yamlSyntaxError(file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil, emptyTemplate(file)
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil, emptyTemplate(file)
	}
	p := &parser{Reader: yamlnode.Reader{File: file, MaxNodes: maxTemplateNodes, Doc: "template", In: "templates"}, lines: map[string]int{}}
	t, err = p.template(root)
	if err != nil {
		return nil, nil, err
	}
	t.Digest = templateDigest(t)
	t.Source = file
	return t, p.lines, nil
}

func emptyTemplate(file string) error {
	return paved.FieldErrorf(paved.EINVALID, file+":1", "the file is empty: expected a template with kind, version, title and areas (see docs/launch-templates.md)")
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

// templateDigest is the sha256 hex of the canonical JSON of the template's
// content (not its Digest or Source).
func templateDigest(t *paved.Template) string {
	body := struct {
		Kind        paved.TemplateKind    `json:"kind"`
		Version     int                   `json:"version"`
		Title       string                `json:"title"`
		Description string                `json:"description"`
		Areas       []*paved.TemplateArea `json:"areas"`
	}{t.Kind, t.Version, t.Title, t.Description, t.Areas}
	b, err := json.Marshal(body)
	if err != nil {
		// Only strings, ints and slices of them: Marshal cannot fail.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type parser struct {
	yamlnode.Reader
	lines map[string]int
}

// text reads an optional text value ("" when absent or null), trimmed.
func (p *parser) text(f map[string]yamlnode.Entry, key, what string) (string, error) {
	e, ok := f[key]
	if !ok {
		return "", nil
	}
	if e.Val.Kind != yaml.ScalarNode {
		return "", p.Errorf(e.Val, "%s %s must be text, found %s", what, key, yamlnode.Describe(e.Val))
	}
	if e.Val.Tag == "!!null" {
		return "", nil
	}
	return strings.TrimSpace(e.Val.Value), nil
}

// requiredText reads a text value that must be present and non-empty;
// parent is the mapping, for the line of a missing key.
func (p *parser) requiredText(parent *yaml.Node, f map[string]yamlnode.Entry, key, what, expected string) (string, error) {
	s, err := p.text(f, key, what)
	if err != nil {
		return "", err
	}
	if s == "" {
		at := parent
		if e, ok := f[key]; ok {
			at = e.Val
		}
		return "", p.Errorf(at, "%s has no %s: expected %s", what, key, expected)
	}
	return s, nil
}

// id reads a required kebab-case id.
func (p *parser) id(parent *yaml.Node, f map[string]yamlnode.Entry, what string) (string, *yaml.Node, error) {
	e, ok := f["id"]
	if !ok {
		return "", nil, p.Errorf(parent, "%s has no id: expected id: followed by a lowercase kebab-case name (deploy-rollback)", what)
	}
	if e.Val.Kind != yaml.ScalarNode || e.Val.Tag == "!!null" || e.Val.Value == "" {
		return "", nil, p.Errorf(e.Val, "%s id must be a lowercase kebab-case name (deploy-rollback), found %s", what, yamlnode.Describe(e.Val))
	}
	if err := p.checkID(e.Val, strings.TrimPrefix(what, "an ")+" id", e.Val.Value); err != nil {
		return "", nil, err
	}
	return e.Val.Value, e.Val, nil
}

func (p *parser) checkID(n *yaml.Node, what, id string) error {
	if len(id) > maxIDLen {
		return p.Errorf(n, "%s %q is %d characters long: at most %d are allowed", what, id, len(id), maxIDLen)
	}
	if !idRE.MatchString(id) {
		return p.Errorf(n, "%s %q is not valid: expected lowercase kebab-case (letters a-z, digits and single hyphens, like deploy-rollback)", what, id)
	}
	return nil
}

func (p *parser) list(f map[string]yamlnode.Entry, key, what string) ([]*yaml.Node, *yaml.Node, error) {
	e := f[key]
	if e.Val.Kind == yaml.ScalarNode && e.Val.Tag == "!!null" {
		return nil, e.Val, nil
	}
	if e.Val.Kind != yaml.SequenceNode {
		return nil, nil, p.Errorf(e.Val, "%s %s must be a list, found %s", what, key, yamlnode.Describe(e.Val))
	}
	out := make([]*yaml.Node, 0, len(e.Val.Content))
	for _, c := range e.Val.Content {
		n, err := p.Resolve(c)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, n)
	}
	return out, e.Val, nil
}

func (p *parser) template(root *yaml.Node) (*paved.Template, error) {
	root, err := p.Resolve(root)
	if err != nil {
		return nil, err
	}
	f, err := p.Fields(root, "the template", "kind", "version", "title", "description", "areas")
	if err != nil {
		return nil, err
	}
	t := &paved.Template{}

	ke, ok := f["kind"]
	if !ok {
		return nil, p.Errorf(root, "the template has no kind: expected kind: questionnaire or kind: checklist")
	}
	if ke.Val.Kind != yaml.ScalarNode || (ke.Val.Value != string(paved.KindQuestionnaire) && ke.Val.Value != string(paved.KindChecklist)) {
		return nil, p.Errorf(ke.Val, "unknown template kind %s: expected questionnaire or checklist", yamlnode.Describe(ke.Val))
	}
	t.Kind = paved.TemplateKind(ke.Val.Value)
	p.lines[lineKind] = ke.Key.Line

	ve, ok := f["version"]
	if !ok {
		return nil, p.Errorf(root, "the template has no version: expected version: 1 (a positive whole number, raised whenever the content changes)")
	}
	v, verr := strconv.Atoi(ve.Val.Value)
	if ve.Val.Kind != yaml.ScalarNode || ve.Val.Tag != "!!int" || verr != nil || v < 1 {
		return nil, p.Errorf(ve.Val, "version %s is not valid: expected a positive whole number (1, 2, 3 ...), raised whenever the content changes", yamlnode.Describe(ve.Val))
	}
	t.Version = v

	if t.Title, err = p.requiredText(root, f, "title", "the template", "a title such as \"Operational readiness checklist\""); err != nil {
		return nil, err
	}
	if t.Description, err = p.text(f, "description", "the template"); err != nil {
		return nil, err
	}

	if _, ok := f["areas"]; !ok {
		return nil, p.Errorf(root, "the template has no areas: expected areas: with at least one area and its items")
	}
	areas, an, err := p.list(f, "areas", "the template")
	if err != nil {
		return nil, err
	}
	if len(areas) == 0 {
		return nil, p.Errorf(an, "the template has no areas: expected at least one area with items")
	}
	for _, n := range areas {
		a, err := p.area(n)
		if err != nil {
			return nil, err
		}
		t.Areas = append(t.Areas, a)
	}
	return t, nil
}

func (p *parser) area(n *yaml.Node) (*paved.TemplateArea, error) {
	f, err := p.Fields(n, "an area", "id", "title", "description", "items")
	if err != nil {
		return nil, err
	}
	id, idn, err := p.id(n, f, "an area")
	if err != nil {
		return nil, err
	}
	if prev, ok := p.lines[lineArea+id]; ok {
		if prev == idn.Line {
			return nil, p.Errorf(idn, "area %s appears twice: a YAML alias repeats the area defined here; area ids are unique", id)
		}
		return nil, p.Errorf(idn, "area id %q is used twice (first at line %d): area ids are unique", id, prev)
	}
	p.lines[lineArea+id] = idn.Line
	what := "area " + id
	a := &paved.TemplateArea{ID: id}
	if a.Title, err = p.requiredText(n, f, "title", what, "a title such as \"Deployment\""); err != nil {
		return nil, err
	}
	if err := p.checkTitle(f, what, a.Title); err != nil {
		return nil, err
	}
	if a.Description, err = p.text(f, "description", what); err != nil {
		return nil, err
	}
	if _, ok := f["items"]; !ok {
		return nil, p.Errorf(n, "%s has no items: expected items: with at least one item", what)
	}
	items, in, err := p.list(f, "items", what)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, p.Errorf(in, "%s has no items: expected at least one item", what)
	}
	for _, c := range items {
		it, err := p.item(c)
		if err != nil {
			return nil, err
		}
		a.Items = append(a.Items, it)
	}
	return a, nil
}

func (p *parser) checkTitle(f map[string]yamlnode.Entry, what, title string) error {
	if n := len([]rune(title)); n > maxTitleLen {
		return p.Errorf(f["title"].Val, "%s title is %d characters long: at most %d are allowed; put the detail in the guidance or description", what, n, maxTitleLen)
	}
	if strings.ContainsAny(title, "\n\r") {
		return p.Errorf(f["title"].Val, "%s title spans several lines: a title is one line; put the detail in the guidance or description", what)
	}
	return nil
}

func (p *parser) item(n *yaml.Node) (*paved.TemplateItem, error) {
	f, err := p.Fields(n, "an item", "id", "title", "form", "required_for", "guidance", "evidence")
	if err != nil {
		return nil, err
	}
	id, idn, err := p.id(n, f, "an item")
	if err != nil {
		return nil, err
	}
	if prev, ok := p.lines[lineItem+id]; ok {
		if prev == idn.Line {
			return nil, p.Errorf(idn, "item %s appears twice: a YAML alias repeats the item defined here; item ids are unique", id)
		}
		return nil, p.Errorf(idn, "item id %q is used twice (first at line %d): item ids are unique", id, prev)
	}
	p.lines[lineItem+id] = idn.Line
	what := "item " + id
	it := &paved.TemplateItem{ID: id, Form: paved.FormText}
	if it.Title, err = p.requiredText(n, f, "title", what, "the question or checklist item as the team reads it"); err != nil {
		return nil, err
	}
	if err := p.checkTitle(f, what, it.Title); err != nil {
		return nil, err
	}
	if it.Guidance, err = p.requiredText(n, f, "guidance", what, "guidance that says why the item matters and what a good answer looks like"); err != nil {
		return nil, err
	}
	if e, ok := f["form"]; ok {
		switch {
		case e.Val.Kind == yaml.ScalarNode && e.Val.Value == string(paved.FormText):
			it.Form = paved.FormText
		case e.Val.Kind == yaml.ScalarNode && e.Val.Value == string(paved.FormLink):
			it.Form = paved.FormLink
		default:
			return nil, p.Errorf(e.Val, "%s form %s is not valid: expected text (a written answer) or link (at least one link)", what, yamlnode.Describe(e.Val))
		}
	}
	if it.RequiredFor, err = p.tiers(n, f, what); err != nil {
		return nil, err
	}
	if e, ok := f["evidence"]; ok {
		if it.Evidence, err = p.evidence(e.Val, what); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// tiers reads required_for: a list of tiers 1-4, "all", or [] (optional
// for every tier). The result is sorted and never nil.
func (p *parser) tiers(parent *yaml.Node, f map[string]yamlnode.Entry, what string) ([]paved.Tier, error) {
	const expected = `expected a list of tiers such as [1, 2, 3], "all", or [] when no tier must answer`
	e, ok := f["required_for"]
	if !ok {
		return nil, p.Errorf(parent, "%s has no required_for: %s", what, expected)
	}
	if e.Val.Kind == yaml.ScalarNode && e.Val.Value == "all" && e.Val.Tag == "!!str" {
		return []paved.Tier{1, 2, 3, 4}, nil
	}
	if e.Val.Kind != yaml.SequenceNode {
		return nil, p.Errorf(e.Val, "%s required_for is %s: %s", what, yamlnode.Describe(e.Val), expected)
	}
	out := []paved.Tier{}
	for _, c := range e.Val.Content {
		c, err := p.Resolve(c)
		if err != nil {
			return nil, err
		}
		v, verr := strconv.Atoi(c.Value)
		if c.Kind != yaml.ScalarNode || c.Tag != "!!int" || verr != nil {
			return nil, p.Errorf(c, "%s required_for lists %s: %s", what, yamlnode.Describe(c), expected)
		}
		t := paved.Tier(v)
		if !t.Valid() {
			return nil, p.Errorf(c, "%s required_for lists tier %d: expected tiers 1 (business critical) to 4 (internal tool)", what, v)
		}
		if slices.Contains(out, t) {
			return nil, p.Errorf(c, "%s required_for lists tier %d twice: list each tier once", what, v)
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}

func (p *parser) evidence(n *yaml.Node, item string) (*paved.EvidenceRule, error) {
	what := item + " evidence"
	f, err := p.Fields(n, what, "source", "value", "rules", "sources", "note", "fact")
	if err != nil {
		return nil, err
	}
	ev := &paved.EvidenceRule{}
	const sources = "catalog-link, catalog-field, check-rules, assessment or fact"
	if fe, ok := f["fact"]; ok {
		// The short form: fact: EXPRESSION.
		for _, k := range []string{"source", "value", "rules"} {
			if x, ok := f[k]; ok {
				return nil, p.Errorf(x.Key, "%s names a fact expression: remove %s (fact: takes the place of source and value)", what, k)
			}
		}
		if fe.Val.Kind != yaml.ScalarNode || fe.Val.Tag == "!!null" {
			return nil, p.Errorf(fe.Val, "%s fact is %s: expected an expression such as github.branch_protection.required_reviews >= 1", what, yamlnode.Describe(fe.Val))
		}
		ev.Source, ev.Value = evidenceFact, strings.TrimSpace(fe.Val.Value)
		if ev.Note, err = p.text(f, "note", what); err != nil {
			return nil, err
		}
		if _, err := expr.Parse(ev.Value); err != nil {
			return nil, p.Errorf(fe.Val, "%s fact: %s", what, paved.ErrorMessage(err))
		}
		return ev, nil
	}
	se, ok := f["source"]
	if !ok {
		return nil, p.Errorf(n, "%s has no source: expected source: %s", what, sources)
	}
	if se.Val.Kind != yaml.ScalarNode {
		return nil, p.Errorf(se.Val, "%s source is %s: expected %s", what, yamlnode.Describe(se.Val), sources)
	}
	ev.Source = se.Val.Value
	if ev.Note, err = p.text(f, "note", what); err != nil {
		return nil, err
	}
	if ev.Value, err = p.text(f, "value", what); err != nil {
		return nil, err
	}
	var rules []*yaml.Node
	var rn *yaml.Node
	if _, ok := f["rules"]; ok {
		if rules, rn, err = p.list(f, "rules", what); err != nil {
			return nil, err
		}
	}
	if _, ok := f["sources"]; ok {
		srcs, sn, err := p.list(f, "sources", what)
		if err != nil {
			return nil, err
		}
		if se.Val.Value != evidenceCheckRules {
			return nil, p.Errorf(sn, "%s from %s takes no sources: sources say whose guard-rail checks count, for check-rules", what, se.Val.Value)
		}
		if len(srcs) == 0 {
			return nil, p.Errorf(sn, "%s sources is empty: no check could count; list ci, person or both, or leave sources out for the default", what)
		}
		for _, sv := range srcs {
			src, err := paved.ParseCheckSource(sv.Value)
			if sv.Kind != yaml.ScalarNode || err != nil {
				return nil, p.Errorf(sv, "%s sources lists %s: expected ci (a CI job that exchanged its ID token) or person", what, yamlnode.Describe(sv))
			}
			if slices.Contains(ev.Sources, src) {
				return nil, p.Errorf(sv, "%s lists source %s twice", what, src)
			}
			ev.Sources = append(ev.Sources, src)
		}
	}
	valueAt := n
	if e, ok := f["value"]; ok {
		valueAt = e.Val
	}
	needValue := func(expected string) error {
		if ev.Value == "" {
			return p.Errorf(valueAt, "%s from %s needs a value: expected %s", what, ev.Source, expected)
		}
		if rn != nil {
			return p.Errorf(rn, "%s from %s takes a value, not rules: remove rules (rules are for check-rules)", what, ev.Source)
		}
		return nil
	}
	switch ev.Source {
	case evidenceCatalogLink:
		if err := needValue("the link type to look for, such as runbook, dashboard, on-call, repo or docs"); err != nil {
			return nil, err
		}
	case evidenceCatalogField:
		if err := needValue("the catalog annotation key that must be set, such as pagerduty.com/service-id"); err != nil {
			return nil, err
		}
	case evidenceAssessment:
		if err := needValue("security or load"); err != nil {
			return nil, err
		}
		if k := paved.AssessmentKind(ev.Value); k != paved.AssessSecurity && k != paved.AssessLoad {
			return nil, p.Errorf(valueAt, "%s from assessment names kind %q: expected security or load", what, ev.Value)
		}
	case evidenceFact:
		if err := needValue("a fact expression such as github.branch_protection.required_reviews >= 1"); err != nil {
			return nil, err
		}
		if _, err := expr.Parse(ev.Value); err != nil {
			return nil, p.Errorf(valueAt, "%s fact: %s", what, paved.ErrorMessage(err))
		}
	case evidenceCheckRules:
		if _, ok := f["value"]; ok {
			return nil, p.Errorf(valueAt, "%s from check-rules takes rules, not a value: list the guard-rail ids under rules", what)
		}
		if len(rules) == 0 {
			at := n
			if rn != nil {
				at = rn
			}
			return nil, p.Errorf(at, "%s from check-rules needs rules: expected a list of guard-rail ids such as [db-storage-encrypted] (see docs/guardrails.md)", what)
		}
		for _, r := range rules {
			if r.Kind != yaml.ScalarNode || r.Tag == "!!null" {
				return nil, p.Errorf(r, "%s rules lists %s: expected guard-rail ids such as db-storage-encrypted", what, yamlnode.Describe(r))
			}
			if err := p.checkID(r, what+" rule", r.Value); err != nil {
				return nil, err
			}
			if slices.Contains(ev.Rules, r.Value) {
				return nil, p.Errorf(r, "%s lists rule %s twice: list each rule once", what, r.Value)
			}
			ev.Rules = append(ev.Rules, r.Value)
		}
	default:
		return nil, p.Errorf(se.Val, "%s source %s is unknown: expected %s", what, yamlnode.Describe(se.Val), sources)
	}
	return ev, nil
}
