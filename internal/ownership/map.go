// Package ownership holds the ownership map (which team owns each
// operational concern: base images, patching, certificates, backups,
// on-call ...), the shared-responsibility tables of managed cloud services
// (what the vendor covers, what it covers once switched on, and what it
// leaves to the team), and the pure functions that put them together for a
// service from the resources of its latest recorded check: its
// considerations, and the organisation's gaps.
//
// The map is ownership.yaml in the platform config (an embedded default
// when there is none), laid over by admin edits kept in the database;
// docs/ownership.md is the user guide.
package ownership

import (
	"embed"
	"slices"
	"sync"

	paved "github.com/paved-dev/paved"
)

// FileName is the map's file in the platform config directory, next to
// paved.yaml.
const FileName = "ownership.yaml"

// SourceEmbedded is Map.Source for the embedded default.
const SourceEmbedded = "embedded"

// FormatVersion is the only version of the file format so far.
const FormatVersion = 1

//go:embed default.yaml responsibilities.yaml
var embedded embed.FS

// Map is the ownership map: concerns grouped by layer, each with its
// owning team and optional accountable, consulted and informed teams.
type Map struct {
	Version int      `json:"version"`
	Layers  []*Layer `json:"layers"`
	// Source is where the map was read from: a file path, or "embedded".
	Source string `json:"source"`
}

// Layer groups concerns (delivery, platform, cloud foundation, security,
// data, operations).
type Layer struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Concerns    []*Concern `json:"concerns"`
}

// Concern is one operational concern and who owns it. Team references are
// as written: a catalog team name, a team kind that exactly one active
// team has, or paved.ProductTeam.
type Concern struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Layer       string `json:"layer"`
	// Owner is responsible (R): "" when no team owns the concern.
	Owner       string   `json:"owner"`
	Accountable string   `json:"accountable,omitempty"` // A, when another team than the owner answers for it
	Consulted   []string `json:"consulted"`             // C
	Informed    []string `json:"informed"`              // I
	// Line is where the concern is declared in its file (0 when it came
	// from elsewhere).
	Line int `json:"line,omitempty"`
	// Edit is the admin edit that replaced the file's assignment, in the
	// effective map; nil when the file's assignment applies.
	Edit *paved.OwnershipEdit `json:"edit,omitempty"`
}

// Concerns returns every concern in order, layer by layer.
func (m *Map) Concerns() []*Concern {
	if m == nil {
		return nil
	}
	var out []*Concern
	for _, l := range m.Layers {
		out = append(out, l.Concerns...)
	}
	return out
}

// Concern finds a concern by id, or nil.
func (m *Map) Concern(id string) *Concern {
	for _, c := range m.Concerns() {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Layer finds a layer by id, or nil.
func (m *Map) Layer(id string) *Layer {
	if m == nil {
		return nil
	}
	for _, l := range m.Layers {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// Refs returns every team reference the map uses, in order of first use.
func (m *Map) Refs() []string {
	var out []string
	add := func(r string) {
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, c := range m.Concerns() {
		add(c.Owner)
		add(c.Accountable)
		for _, r := range c.Consulted {
			add(r)
		}
		for _, r := range c.Informed {
			add(r)
		}
	}
	return out
}

// Role is a team's letters for one concern: R (owner), A (accountable,
// also the owner when no other team is), C, I.
func (c *Concern) Role(ref string) string {
	if c == nil || ref == "" {
		return ""
	}
	s := ""
	if c.Owner == ref {
		s += "R"
	}
	if c.Accountable == ref || (c.Accountable == "" && c.Owner == ref) {
		s += "A"
	}
	if slices.Contains(c.Consulted, ref) {
		s += "C"
	}
	if slices.Contains(c.Informed, ref) {
		s += "I"
	}
	return s
}

// Clone returns a deep copy of m, so that overlays never change a shared
// map (the embedded default is shared).
func (m *Map) Clone() *Map {
	if m == nil {
		return nil
	}
	out := &Map{Version: m.Version, Source: m.Source, Layers: make([]*Layer, len(m.Layers))}
	for i, l := range m.Layers {
		nl := *l
		nl.Concerns = make([]*Concern, len(l.Concerns))
		for j, c := range l.Concerns {
			nc := *c
			nc.Consulted = slices.Clone(c.Consulted)
			nc.Informed = slices.Clone(c.Informed)
			if c.Edit != nil {
				e := *c.Edit
				nc.Edit = &e
			}
			nl.Concerns[j] = &nc
		}
		out.Layers[i] = &nl
	}
	return out
}

var (
	defaultOnce sync.Once
	defaultMap  *Map
	defaultErr  error
)

// Default returns the embedded default map, parsed once. It is shared:
// callers must Clone it before changing it.
func Default() (*Map, error) {
	defaultOnce.Do(func() {
		data, err := embedded.ReadFile("default.yaml")
		if err != nil {
			defaultErr = err
			return
		}
		defaultMap, defaultErr = parse("embedded:default.yaml", data, nil)
		if defaultMap != nil {
			defaultMap.Source = SourceEmbedded
		}
	})
	return defaultMap, defaultErr
}

// MustDefault is Default for callers that cannot fail: the embedded map is
// fixed at build time and TestDefaultMap holds it valid.
func MustDefault() *Map {
	m, err := Default()
	if err != nil {
		panic("ownership: the embedded default map is broken: " + err.Error())
	}
	return m
}
