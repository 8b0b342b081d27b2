package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
)

// Annotations paved reads and writes. tier and data-class are for people
// to write; the rest are written by Export so that an export imports back
// to exactly the catalog it came from. They map to fields, so they are
// taken out of the annotations paved stores.
const (
	annTier          = "paved.dev/tier"
	annDataClass     = "paved.dev/data-class"
	annPhase         = "paved.dev/phase"
	annGrandfathered = "paved.dev/grandfathered"
	annTeamKind      = "paved.dev/team-kind"
	annRetiredAt     = "paved.dev/retired-at"
	// annLifecycle and annType hold paved's value when Export had to write
	// something else into a field Backstage requires (an empty type, the
	// lifecycle of a retired service).
	annLifecycle = "paved.dev/lifecycle"
	annType      = "paved.dev/type"
)

// annotationUse says which kinds each reserved annotation applies to.
var annotationUse = map[string][]string{
	annTier:          {kindComponent},
	annDataClass:     {kindComponent},
	annPhase:         {kindComponent},
	annGrandfathered: {kindComponent},
	annLifecycle:     {kindComponent},
	annType:          {kindComponent, kindGroup},
	annTeamKind:      {kindGroup},
	annRetiredAt:     {kindGroup, kindUser},
}

const (
	kindComponent = "Component"
	kindGroup     = "Group"
	kindUser      = "User"
	kindLocation  = "Location"
	kindAPI       = "API"
	kindFile      = "File" // a file-level problem, not an entity
)

// skippedKinds are the Backstage kinds paved reads but does not store, with
// what paved does with that information instead.
var skippedKinds = map[string]struct{ Kind, Reason string }{
	"system":   {"System", "paved does not model systems: spec.system is recorded on each component that names it"},
	"api":      {"API", "paved does not model APIs: they are recorded as spec.providesApis and spec.consumesApis on the components that name them"},
	"resource": {"Resource", "paved does not model resources: they are recorded as spec.dependsOn on the components that name them, and guard rails check the infrastructure code itself"},
	"domain":   {"Domain", "paved does not model domains: a component's spec.system is recorded, and its owner team places it in the organisation"},
	"template": {"Template", "paved does not run scaffolder templates: register the services they create"},
}

var importedKinds = map[string]string{
	"component": kindComponent,
	"group":     kindGroup,
	"user":      kindUser,
	"location":  kindLocation,
}

// Entity is one document read from a catalog file. Exactly one of Team,
// User and Service is set for the kinds paved imports, unless reading the
// entity already found it invalid or skipped (Outcome set).
type Entity struct {
	Kind      string // canonical for the kinds paved knows (Component, Group ...), else as written
	Name      string
	Namespace string // "" for Backstage's default namespace
	File      string
	Line      int
	// Outcome is set when reading already decided the entity: skipped (a
	// kind paved does not model) or invalid. Plan decides the others.
	Outcome paved.Outcome
	Reason  string
	// Notes are remarks on an entity that still imports (a lifecycle
	// without a mapping, a non-string annotation); Plan adds its own.
	Notes []string

	Team    *paved.Team
	User    *paved.User
	Service *paved.Service

	// References, resolved by Plan against the input and the catalog.
	owner    ref
	parent   *ref
	children []ref
	members  []ref
	memberOf []ref
	// Whether the input said these, or Plan should keep the current value
	// (or the default, for a new entity).
	tierSet, dataClassSet, teamKindSet bool
	// type and targets of a Location, resolved by LoadFiles.
	locType string
	targets []target
}

// Source is the entity's file:line.
func (e *Entity) Source() string { return where(e.File, e.Line) }

func (e *Entity) entry() paved.ImportEntry {
	reason := e.Reason
	if len(e.Notes) > 0 && e.Outcome != paved.OutcomeInvalid {
		if reason != "" {
			reason += "; "
		}
		reason += strings.Join(e.Notes, "; ")
	}
	return paved.ImportEntry{Kind: e.Kind, Name: e.Name, Source: e.Source(), Outcome: e.Outcome, Reason: reason}
}

// target is one spec.target(s) of a Location.
type target struct {
	Value string
	Line  int
}

// decoder reads the fields of one entity, collecting every problem so that
// the user sees all of them at once rather than one per import attempt.
type decoder struct {
	file  string
	root  *yaml.Node // the entity: where a missing field is reported
	kind  string
	errs  []string
	notes []string
}

func (d *decoder) at(n *yaml.Node) string {
	if n == nil {
		n = d.root
	}
	if n == nil {
		return d.file
	}
	return where(d.file, n.Line)
}

func (d *decoder) fail(field string, n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, fmt.Sprintf("%s (%s): %s", field, d.at(n), fmt.Sprintf(format, args...)))
}

func (d *decoder) note(field string, n *yaml.Node, format string, args ...any) {
	d.notes = append(d.notes, fmt.Sprintf("%s (%s): %s", field, d.at(n), fmt.Sprintf(format, args...)))
}

// str reads an optional string field. Scalars that YAML types as numbers
// or booleans are read as written: "owner: 42" names team 42.
func (d *decoder) str(parent *yaml.Node, key, field string) (string, *yaml.Node) {
	n := get(parent, key)
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		if sub := substitution(n); sub != "" {
			// Optional fields are left empty; a required one fails where
			// it is checked, naming the placeholder.
			d.note(field, n, "%s is a Backstage placeholder that Backstage's processors replace with a file's contents; paved does not fetch it, so the field is left empty: write the value itself", sub)
			return "", n
		}
		d.fail(field, n, "want a string, got %s", kindName(n))
		return "", n
	}
	if n.Tag == "!!null" {
		return "", n
	}
	return strings.TrimSpace(n.Value), n
}

// substitution returns "$text: ./x" when n is a Backstage placeholder
// ($text, $json, $yaml and the like: a mapping with one $-key), else "".
func substitution(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return ""
	}
	k, v := n.Content[0], resolve(n.Content[1])
	if k.Kind != yaml.ScalarNode || !strings.HasPrefix(k.Value, "$") || v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return k.Value + ": " + v.Value
}

// mapping returns the mapping under key, reporting any other node kind.
func (d *decoder) mapping(parent *yaml.Node, key, field string) *yaml.Node {
	n := get(parent, key)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(field, n, "want a mapping, got %s", kindName(n))
		return nil
	}
	return n
}

type item struct {
	Value string
	N     *yaml.Node
	Field string
}

// list reads a list of strings. Non-string scalars (tags: [2024, true])
// are read as written; empty items are dropped with a note.
func (d *decoder) list(parent *yaml.Node, key, field string) []item {
	n := get(parent, key)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.fail(field, n, "want a list, got %s", kindName(n))
		return nil
	}
	out := make([]item, 0, len(n.Content))
	for i, c := range n.Content {
		c = resolve(c)
		f := field + "[" + strconv.Itoa(i) + "]"
		switch {
		case c == nil:
		case c.Kind != yaml.ScalarNode:
			d.fail(f, c, "want a string, got %s", kindName(c))
		case c.Tag == "!!null" || strings.TrimSpace(c.Value) == "":
			d.note(f, c, "empty item ignored")
		default:
			out = append(out, item{Value: strings.TrimSpace(c.Value), N: c, Field: f})
		}
	}
	return out
}

// refList reads a list of entity references, kept as written (paved
// records them, it does not resolve them). One that is not a reference, such
// as a placeholder left from a template ('<component_or_resource>'), is kept
// with a note, as Backstage accepts it too.
func (d *decoder) refList(parent *yaml.Node, key, field string) []string {
	items := d.list(parent, key, field)
	for _, it := range items {
		if _, err := parseRef(it.Value, it.Field, d.at(it.N)); err != nil {
			d.note(it.Field, it.N, "%q is not an entity reference ([kind:][namespace/]name with a valid name); kept as written", it.Value)
		}
	}
	return values(items)
}

// tagRE is Backstage's rule for a tag: lower-case words of [a-z0-9:+#]
// joined by single dashes, at most 63 characters.
var tagRE = regexp.MustCompile(`^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$`)

var tagSpaceRE = regexp.MustCompile(`[\s_]+`)

// tags reads metadata.tags. Backstage refuses an entity whose tag breaks
// its rule; paved imports the entity, writes the tag the way Backstage
// would accept it when only case or spaces are wrong ("Spring Boot" ->
// spring-boot) and otherwise leaves the tag out, with a note either way, so
// that an export is a catalog Backstage reads.
func (d *decoder) tags(meta *yaml.Node) []string {
	items := d.list(meta, "tags", "metadata.tags")
	out := make([]string, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		t := it.Value
		if !tagRE.MatchString(t) || len(t) > 63 {
			fixed := strings.Trim(tagSpaceRE.ReplaceAllString(strings.ToLower(t), "-"), "-")
			if tagRE.MatchString(fixed) && len(fixed) <= 63 {
				d.note(it.Field, it.N, "%q recorded as %q: Backstage tags are lower-case words of a-z, 0-9, :, + or # joined by -", t, fixed)
				t = fixed
			} else {
				d.note(it.Field, it.N, "%q is not a valid Backstage tag (lower-case words of a-z, 0-9, :, + or # joined by -, at most 63 characters); left out", t)
				continue
			}
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func values(items []item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Value
	}
	return out
}

func (d *decoder) refs(parent *yaml.Node, key, field string) []ref {
	items := d.list(parent, key, field)
	out := make([]ref, 0, len(items))
	for _, it := range items {
		r, err := parseRef(it.Value, it.Field, d.at(it.N))
		if err != nil {
			d.errs = append(d.errs, err.Error())
			continue
		}
		out = append(out, r)
	}
	return out
}

func (d *decoder) links(meta *yaml.Node) []paved.Link {
	n := get(meta, "links")
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return []paved.Link{}
	}
	if n.Kind != yaml.SequenceNode {
		d.fail("metadata.links", n, "want a list of {url, title, icon, type}, got %s", kindName(n))
		return []paved.Link{}
	}
	if len(n.Content) > paved.MaxLinks {
		d.fail("metadata.links", n, "%d links: at most %d", len(n.Content), paved.MaxLinks)
		return []paved.Link{}
	}
	out := make([]paved.Link, 0, len(n.Content))
	for i, c := range n.Content {
		c = resolve(c)
		f := "metadata.links[" + strconv.Itoa(i) + "]"
		if c == nil || c.Kind != yaml.MappingNode {
			if c != nil {
				d.fail(f, c, "want a mapping with url (and optionally title, icon, type), got %s", kindName(c))
			}
			continue
		}
		var l paved.Link
		var un *yaml.Node
		l.URL, un = d.str(c, "url", f+".url")
		l.Title, _ = d.str(c, "title", f+".title")
		l.Icon, _ = d.str(c, "icon", f+".icon")
		l.Type, _ = d.str(c, "type", f+".type")
		if l.URL == "" {
			if un == nil {
				un = c
			}
			d.fail(f+".url", un, "url is required")
			continue
		}
		// The domain's rule (http, https, mailto; bounded), with the line.
		var pe *paved.Error
		if err := paved.ValidateLinkURL(f+".url", l.URL); errors.As(err, &pe) {
			d.fail(f+".url", un, "%s", pe.Message)
			continue
		}
		out = append(out, l)
	}
	return out
}

// annotations reads metadata.annotations. Backstage requires string
// values; a number or boolean is kept as written with a note, while a
// list or mapping makes the entity invalid (it cannot be stored as text).
// The reserved paved.dev/* keys are returned separately.
func (d *decoder) annotations(meta *yaml.Node) (map[string]string, map[string]*yaml.Node) {
	out := map[string]string{}
	reserved := map[string]*yaml.Node{}
	n := d.mapping(meta, "annotations", "metadata.annotations")
	for _, p := range pairs(n) {
		f := "metadata.annotations." + p.Key
		v := resolve(p.Value)
		if v == nil {
			continue
		}
		if v.Kind != yaml.ScalarNode {
			d.fail(f, v, "want a string, got %s", kindName(v))
			continue
		}
		val := v.Value
		if v.Tag == "!!null" {
			val = ""
		}
		if v.Tag != "!!str" && v.Tag != "!!null" && v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			d.note(f, v, "is %s, not a string; read as %q (quote it to silence this)", kindName(v), val)
		}
		if uses, ok := annotationUse[p.Key]; ok {
			if !contains(uses, d.kind) {
				d.note(f, v, "means nothing on a %s; ignored", d.kind)
				continue
			}
			reserved[p.Key] = v
			continue
		}
		out[p.Key] = val
	}
	return out, reserved
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// decodeDocument turns one YAML document into an Entity.
func decodeDocument(file string, root *yaml.Node, opt *Options) *Entity {
	e := &Entity{File: file, Line: root.Line}
	if root.Kind != yaml.MappingNode {
		e.Outcome, e.Reason = paved.OutcomeSkipped, fmt.Sprintf("not a catalog entity: the document is %s, not a mapping with apiVersion and kind", kindName(root))
		return e
	}
	d := &decoder{file: file, root: root}
	apiVersion, _ := d.str(root, "apiVersion", "apiVersion")
	kind, kn := d.str(root, "kind", "kind")
	meta := d.mapping(root, "metadata", "metadata")
	name, nameN := d.str(meta, "name", "metadata.name")
	e.Name, e.Kind = name, kind
	if canon, ok := importedKinds[strings.ToLower(kind)]; ok {
		e.Kind = canon
	} else if s, ok := skippedKinds[strings.ToLower(kind)]; ok {
		e.Kind = s.Kind
	}
	if strings.EqualFold(kind, "template") && strings.HasPrefix(apiVersion, "scaffolder.backstage.io/") {
		// Scaffolder templates have their own apiVersion (and placeholders
		// in their steps): say why they are skipped rather than that the
		// version is unknown.
		e.Outcome, e.Reason = paved.OutcomeSkipped, skippedKinds["template"].Reason
		return e
	}
	if why := skeletonReason(root); why != "" {
		e.Outcome, e.Reason = paved.OutcomeSkipped, why
		return e
	}
	switch {
	case len(d.errs) > 0 && (apiVersion == "" || kind == ""):
		e.Outcome, e.Reason = paved.OutcomeInvalid, strings.Join(d.errs, "; ")
		return e
	case apiVersion == "" && kind == "":
		e.Outcome, e.Reason = paved.OutcomeSkipped, "not a catalog entity: it has no apiVersion and no kind"
		return e
	case apiVersion == "":
		e.Outcome, e.Reason = paved.OutcomeInvalid, "apiVersion is missing: want backstage.io/v1alpha1"
		return e
	case kind == "":
		e.Outcome, e.Reason = paved.OutcomeInvalid, "kind is missing: want Component, Group, User, Location, System, API, Resource or Domain"
		return e
	case apiVersion != "backstage.io/v1alpha1" && apiVersion != "backstage.io/v1beta1":
		e.Outcome, e.Reason = paved.OutcomeSkipped, fmt.Sprintf("apiVersion %q is not a Backstage catalog version paved reads (backstage.io/v1alpha1 or backstage.io/v1beta1)", apiVersion)
		return e
	}
	if s, ok := skippedKinds[strings.ToLower(kind)]; ok {
		// paved does not store these kinds, but a file whose entity
		// Backstage would refuse is broken all the same: say which required
		// field is missing rather than only "skipped".
		if missing := requiredMissing(e.Kind, meta, name, root); len(missing) > 0 {
			verb := "is"
			if len(missing) > 1 {
				verb = "are"
			}
			e.Outcome, e.Reason = paved.OutcomeInvalid, fmt.Sprintf("%s %s required for a Backstage %s entity and missing (paved does not import %ss, but Backstage refuses this one)", strings.Join(missing, ", "), verb, e.Kind, e.Kind)
			return e
		}
		e.Outcome, e.Reason = paved.OutcomeSkipped, s.Reason
		return e
	}
	if _, ok := importedKinds[strings.ToLower(kind)]; !ok {
		e.Outcome, e.Reason = paved.OutcomeSkipped, fmt.Sprintf("kind %q (%s) is not one paved reads: it imports Component, Group, User and Location, and summarises System, API, Resource and Domain on components", kind, d.at(kn))
		return e
	}
	d.kind = e.Kind
	if meta == nil {
		if len(d.errs) == 0 {
			d.fail("metadata", nil, "metadata is required: want a mapping with at least name")
		}
	} else if err := paved.ValidateName("metadata.name ("+d.at(orNode(nameN, meta))+")", name); err != nil {
		d.errs = append(d.errs, err.Error())
	}
	ns, nsN := d.str(meta, "namespace", "metadata.namespace")
	if ns != "" && (len(ns) > 63 || !namespaceRE.MatchString(strings.ToLower(ns))) {
		d.fail("metadata.namespace", nsN, "%q is not a valid namespace: Backstage namespaces are lower-case letters and digits joined by -, at most 63 characters", ns)
	}
	e.Namespace = normNamespace(ns)
	spec := d.mapping(root, "spec", "spec")

	switch e.Kind {
	case kindComponent:
		decodeComponent(d, e, meta, spec, opt)
	case kindGroup:
		decodeGroup(d, e, meta, spec)
	case kindUser:
		decodeUser(d, e, meta, spec)
	case kindLocation:
		decodeLocation(d, e, spec)
	}
	d.leftOut(e.Kind, root)
	e.Notes = d.notes
	if len(d.errs) > 0 {
		e.Outcome, e.Reason = paved.OutcomeInvalid, strings.Join(d.errs, "; ")
		e.Team, e.User, e.Service = nil, nil, nil
	}
	return e
}

// skippedRequired are the spec fields Backstage's schemas require of the
// kinds paved reads but does not store (kinds/*.v1alpha1.schema.json).
var skippedRequired = map[string][]string{
	"API":      {"type", "lifecycle", "owner", "definition"},
	"System":   {"owner"},
	"Domain":   {"owner"},
	"Resource": {"type", "owner"},
}

// requiredMissing lists the required fields an entity of a skipped kind
// lacks: metadata.name (every entity) and its kind's spec fields.
func requiredMissing(kind string, meta *yaml.Node, name string, root *yaml.Node) []string {
	var missing []string
	if meta == nil || strings.TrimSpace(name) == "" {
		missing = append(missing, "metadata.name")
	}
	spec := get(root, "spec")
	for _, f := range skippedRequired[kind] {
		if n := get(spec, f); n == nil || (n.Kind == yaml.ScalarNode && strings.TrimSpace(n.Value) == "" && n.Tag != "!!map") {
			missing = append(missing, "spec."+f)
		}
	}
	return missing
}

// recorded are the fields paved keeps (or reads into another field, as a
// User's title becomes its display name), per kind; leftOut reports every
// other field of the entity, so that an import never drops one silently.
// metadata.labels has its own note (see common).
var recorded = map[string]map[string]bool{
	kindComponent: set("apiVersion", "kind", "metadata", "spec",
		"metadata.name", "metadata.namespace", "metadata.title", "metadata.description", "metadata.tags", "metadata.links", "metadata.annotations", "metadata.labels",
		"spec.type", "spec.lifecycle", "spec.owner", "spec.system", "spec.dependsOn", "spec.providesApis", "spec.consumesApis", "spec.subcomponentOf"),
	kindGroup: set("apiVersion", "kind", "metadata", "spec",
		"metadata.name", "metadata.namespace", "metadata.title", "metadata.description", "metadata.tags", "metadata.links", "metadata.annotations", "metadata.labels",
		"spec.type", "spec.profile", "spec.profile.displayName", "spec.profile.email", "spec.parent", "spec.children", "spec.members"),
	kindUser: set("apiVersion", "kind", "metadata", "spec",
		// metadata.namespace: users are keyed by name; a name used in two
		// namespaces is reported on its own (findDuplicates).
		"metadata.name", "metadata.namespace", "metadata.title", "spec.profile", "spec.profile.displayName", "spec.profile.email", "spec.memberOf"),
}

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// leftOut notes the fields of an imported entity that paved does not keep:
// a picture, a User's annotations (but paved's own), fields of a newer
// schema. Dropped labels were already reported this way; now every field is.
func (d *decoder) leftOut(kind string, root *yaml.Node) {
	keep := recorded[kind]
	if keep == nil {
		return
	}
	var out []string
	var walk func(n *yaml.Node, prefix string, depth int)
	walk = func(n *yaml.Node, prefix string, depth int) {
		for _, p := range pairs(n) {
			path := p.Key
			if prefix != "" {
				path = prefix + "." + p.Key
			}
			switch {
			case kind == kindUser && path == "metadata.annotations":
				for _, a := range pairs(p.Value) {
					if annotationUse[a.Key] == nil {
						out = append(out, path+"."+a.Key)
					}
				}
			case !keep[path]:
				out = append(out, path)
			case depth < 2 && resolve(p.Value) != nil && resolve(p.Value).Kind == yaml.MappingNode && (path == "metadata" || path == "spec" || path == "spec.profile"):
				walk(p.Value, path, depth+1)
			}
		}
	}
	walk(root, "", 0)
	if len(out) > 0 {
		d.notes = append(d.notes, fmt.Sprintf("not recorded (paved has no field for them, and an export leaves them out): %s", strings.Join(out, ", ")))
	}
}

// namespaceRE is Backstage's rule for metadata.namespace (a DNS label);
// paved compares namespaces without regard to case, as Backstage does.
var namespaceRE = regexp.MustCompile(`^[a-z0-9]+(?:-+[a-z0-9]+)*$`)

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

// common reads the metadata shared by teams and services.
type common struct {
	title, description string
	tags               []string
	links              []paved.Link
	annotations        map[string]string
	reserved           map[string]*yaml.Node
}

func (d *decoder) common(meta *yaml.Node) common {
	var c common
	c.title, _ = d.str(meta, "title", "metadata.title")
	c.description, _ = d.str(meta, "description", "metadata.description")
	c.tags = d.tags(meta)
	c.links = d.links(meta)
	if l := d.mapping(meta, "labels", "metadata.labels"); l != nil && len(l.Content) > 0 {
		keys := make([]string, 0, len(l.Content)/2)
		for _, p := range pairs(l) {
			keys = append(keys, p.Key)
		}
		d.note("metadata.labels", l, "paved does not store labels; not recorded: %s (annotations and tags are kept)", strings.Join(keys, ", "))
	}
	c.annotations, c.reserved = d.annotations(meta)
	return c
}

func decodeComponent(d *decoder, e *Entity, meta, spec *yaml.Node, opt *Options) {
	c := d.common(meta)
	s := &paved.Service{
		Name: e.Name, Namespace: e.Namespace, Title: c.title, Description: c.description,
		Tags: c.tags, Links: c.links, Annotations: c.annotations,
	}
	s.Type, _ = d.str(spec, "type", "spec.type")
	s.System, _ = d.str(spec, "system", "spec.system")
	lifecycle, ln := d.str(spec, "lifecycle", "spec.lifecycle")
	s.Lifecycle = lifecycle
	s.DependsOn = d.refList(spec, "dependsOn", "spec.dependsOn")
	s.ProvidesAPIs = d.refList(spec, "providesApis", "spec.providesApis")
	s.ConsumesAPIs = d.refList(spec, "consumesApis", "spec.consumesApis")
	if sub, sn := d.str(spec, "subcomponentOf", "spec.subcomponentOf"); sub != "" {
		d.note("spec.subcomponentOf", sn, "paved does not model subcomponents; %q is not recorded", sub)
	}
	if s.Type == "" && len(d.errs) == 0 {
		d.note("spec.type", orNode(get(spec, "type"), spec), "missing or empty; Backstage requires one (service, website, library ...)")
	}

	owner, on := d.str(spec, "owner", "spec.owner")
	if sub := substitution(on); sub != "" {
		d.fail("spec.owner", on, "%s is a Backstage placeholder, which paved does not fetch: the owner team is required, so write it (group:name or name)", sub)
	} else if on == nil || owner == "" {
		d.fail("spec.owner", orNode(on, spec), "the owner team is required: want group:name or name")
	} else if r, err := parseRef(owner, "spec.owner", d.at(on)); err != nil {
		d.errs = append(d.errs, err.Error())
	} else {
		switch r.Kind {
		case "", "group", "user":
			// A user owner (user:guest, common in Backstage's own templates)
			// is resolved by Plan to the user's team when there is one.
			e.owner = r
		default:
			d.fail("spec.owner", on, "%q is a %s: a service's owner must be a group (team)", owner, r.Kind)
		}
	}

	if n := c.reserved[annType]; n != nil {
		s.Type = n.Value
	}
	if n := c.reserved[annLifecycle]; n != nil {
		s.Lifecycle = n.Value
	}
	if n := c.reserved[annPhase]; n != nil {
		p, err := paved.ParsePhase(n.Value)
		if err != nil {
			d.fail("metadata.annotations."+annPhase, n, "%s", paved.ErrorMessage(err))
		}
		s.Phase = p
	} else {
		s.Phase = opt.phaseFor(d, lifecycle, ln, spec)
	}
	if n := c.reserved[annGrandfathered]; n != nil {
		b, err := strconv.ParseBool(strings.TrimSpace(n.Value))
		if err != nil {
			d.fail("metadata.annotations."+annGrandfathered, n, "%q is not a boolean: want true or false", n.Value)
		}
		s.Grandfathered = b
	} else {
		// A service already in production when paved first sees it did not
		// pass paved's launch gate; the gate is for new launches.
		s.Grandfathered = s.Phase == paved.PhaseProduction
	}
	s.Tier = opt.DefaultTier
	if n := c.reserved[annTier]; n != nil {
		t, err := paved.ParseTier(n.Value)
		if err != nil {
			d.fail("metadata.annotations."+annTier, n, "%s", paved.ErrorMessage(err))
		}
		s.Tier, e.tierSet = t, true
	}
	s.DataClass = opt.DefaultDataClass
	if n := c.reserved[annDataClass]; n != nil {
		dc, err := paved.ParseDataClass(n.Value)
		if err != nil {
			d.fail("metadata.annotations."+annDataClass, n, "%s", paved.ErrorMessage(err))
		}
		s.DataClass, e.dataClassSet = dc, true
	}
	e.Service = s
}

// phaseFor maps spec.lifecycle through the configured lifecycles. An
// unknown lifecycle is not an error (Backstage lets organisations invent
// their own) but the service starts in playground and the entry says so.
func (o *Options) phaseFor(d *decoder, lifecycle string, n, spec *yaml.Node) paved.Phase {
	if lifecycle == "" {
		d.note("spec.lifecycle", orNode(n, spec), "missing; imported as %s", paved.PhasePlayground)
		return paved.PhasePlayground
	}
	if p, ok := o.Lifecycles[strings.ToLower(lifecycle)]; ok {
		return p
	}
	d.note("spec.lifecycle", n, "%q has no phase mapping (known: %s); imported as %s: map it under catalog.lifecycles in paved.yaml", lifecycle, strings.Join(paved.SortedKeys(o.Lifecycles), ", "), paved.PhasePlayground)
	return paved.PhasePlayground
}

func decodeGroup(d *decoder, e *Entity, meta, spec *yaml.Node) {
	c := d.common(meta)
	t := &paved.Team{
		Name: e.Name, Namespace: e.Namespace, Title: c.title, Description: c.description,
		Tags: c.tags, Links: c.links, Annotations: c.annotations, Kind: paved.KindProduct,
	}
	t.Type, _ = d.str(spec, "type", "spec.type")
	profile := d.mapping(spec, "profile", "spec.profile")
	if dn, _ := d.str(profile, "displayName", "spec.profile.displayName"); dn != "" {
		// Backstage shows a group's displayName before its title.
		t.Title = dn
	}
	t.Email, _ = d.str(profile, "email", "spec.profile.email")
	if p, pn := d.str(spec, "parent", "spec.parent"); p != "" {
		if r, err := parseRef(p, "spec.parent", d.at(pn)); err != nil {
			d.errs = append(d.errs, err.Error())
		} else if r.Kind != "" && r.Kind != "group" {
			d.fail("spec.parent", pn, "%q is a %s: a group's parent must be a group", p, r.Kind)
		} else {
			e.parent = &r
		}
	}
	e.children = d.kindRefs(d.refs(spec, "children", "spec.children"), "group")
	e.members = d.kindRefs(d.refs(spec, "members", "spec.members"), "user")

	if n := c.reserved[annType]; n != nil {
		t.Type = n.Value
	}
	if n := c.reserved[annTeamKind]; n != nil {
		k, err := paved.ParseTeamKind(n.Value)
		if err != nil {
			d.fail("metadata.annotations."+annTeamKind, n, "%s", paved.ErrorMessage(err))
		}
		t.Kind, e.teamKindSet = k, true
	} else if k, err := paved.ParseTeamKind(t.Type); err == nil {
		t.Kind, e.teamKindSet = k, true
	}
	t.RetiredAt = d.retiredAt(c.reserved)
	e.Team = t
}

// kindRefs keeps the references of the wanted kind (or of no kind).
func (d *decoder) kindRefs(rs []ref, kind string) []ref {
	out := rs[:0]
	for _, r := range rs {
		if r.Kind != "" && r.Kind != kind {
			d.errs = append(d.errs, fmt.Sprintf("%s (%s): %q is a %s: want a %s", r.Field, r.At, r.Kind+":"+r.Name, r.Kind, kind))
			continue
		}
		out = append(out, r)
	}
	return out
}

func (d *decoder) retiredAt(reserved map[string]*yaml.Node) *time.Time {
	n := reserved[annRetiredAt]
	if n == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(n.Value))
	if err != nil {
		d.fail("metadata.annotations."+annRetiredAt, n, "%q is not a time: want RFC 3339, e.g. 2026-01-31T12:00:00Z", n.Value)
		return nil
	}
	t = t.UTC()
	return &t
}

func decodeUser(d *decoder, e *Entity, meta, spec *yaml.Node) {
	title, _ := d.str(meta, "title", "metadata.title")
	_, reserved := d.annotations(meta)
	u := &paved.User{Name: e.Name, DisplayName: title}
	profile := d.mapping(spec, "profile", "spec.profile")
	if dn, _ := d.str(profile, "displayName", "spec.profile.displayName"); dn != "" {
		u.DisplayName = dn
	}
	u.Email, _ = d.str(profile, "email", "spec.profile.email")
	e.memberOf = d.kindRefs(d.refs(spec, "memberOf", "spec.memberOf"), "group")
	u.RetiredAt = d.retiredAt(reserved)
	e.User = u
}

func decodeLocation(d *decoder, e *Entity, spec *yaml.Node) {
	e.locType, _ = d.str(spec, "type", "spec.type")
	if t, tn := d.str(spec, "target", "spec.target"); t != "" {
		e.targets = append(e.targets, target{Value: t, Line: tn.Line})
	}
	for _, it := range d.list(spec, "targets", "spec.targets") {
		e.targets = append(e.targets, target{Value: it.Value, Line: it.N.Line})
	}
	if len(e.targets) == 0 && len(d.errs) == 0 {
		d.fail("spec.target", spec, "a Location needs spec.target or spec.targets")
	}
}

// sortedUnique sorts names and drops case-insensitive duplicates.
func sortedUnique(xs []string) []string {
	out := make([]string, 0, len(xs))
	seen := map[string]bool{}
	for _, x := range xs {
		k := strings.ToLower(x)
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
