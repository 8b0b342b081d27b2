package catalog

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
)

// The shapes Export writes, field order as Backstage's examples have it.
type yEntity struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   yMeta  `yaml:"metadata"`
	Spec       any    `yaml:"spec"`
}

type yMeta struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace,omitempty"`
	Title       string            `yaml:"title,omitempty"`
	Description string            `yaml:"description,omitempty"`
	Tags        []string          `yaml:"tags,omitempty"`
	Links       []yLink           `yaml:"links,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type yLink struct {
	URL   string `yaml:"url"`
	Title string `yaml:"title,omitempty"`
	Icon  string `yaml:"icon,omitempty"`
	Type  string `yaml:"type,omitempty"`
}

type yProfile struct {
	DisplayName string `yaml:"displayName,omitempty"`
	Email       string `yaml:"email,omitempty"`
}

type yGroupSpec struct {
	Type     string    `yaml:"type"`
	Profile  *yProfile `yaml:"profile,omitempty"`
	Parent   string    `yaml:"parent,omitempty"`
	Children []string  `yaml:"children"`
}

type yUserSpec struct {
	Profile  *yProfile `yaml:"profile,omitempty"`
	MemberOf []string  `yaml:"memberOf"`
}

type yComponentSpec struct {
	Type         string   `yaml:"type"`
	Lifecycle    string   `yaml:"lifecycle"`
	Owner        string   `yaml:"owner"`
	System       string   `yaml:"system,omitempty"`
	DependsOn    []string `yaml:"dependsOn,omitempty"`
	ProvidesAPIs []string `yaml:"providesApis,omitempty"`
	ConsumesAPIs []string `yaml:"consumesApis,omitempty"`
}

const apiVersion = "backstage.io/v1alpha1"

// Export writes the catalog as Backstage YAML: Groups, then Users, then
// Components, each sorted by name, retired ones included. Backstage has no
// field for tier, data class, phase or team kind, so paved.dev/*
// annotations carry them, and where Backstage requires a field paved may
// leave empty (a type, a lifecycle) Export writes a valid value and keeps
// paved's own in an annotation. Loading and planning the export against
// the same catalog therefore reports every entity unchanged; into an empty
// catalog it recreates it, except users' roles, which an import never
// sets (a catalog file must not be a way to grant admin).
func Export(w io.Writer, c *paved.Catalog) error {
	if c == nil {
		c = &paved.Catalog{}
	}
	bw := bufio.NewWriter(w)
	if _, err := io.WriteString(bw, "# Backstage catalog exported by paved. The paved.dev/* annotations carry what\n# Backstage has no field for; keep them to import this file back unchanged.\n"+
		"# Fields paved does not keep (labels, profile pictures, a user's annotations ...) were\n# reported when they were imported and are not here. Teams that are only referred to\n# (a parent or owner no Group defined) have no Group here: the references stay dangling.\n"); err != nil {
		return fmt.Errorf("catalog export: %w", err)
	}
	enc := yaml.NewEncoder(bw)
	enc.SetIndent(2)

	// References name the team's namespace, as Backstage resolves a bare
	// name in the referring entity's namespace; paved itself keys by name.
	ns := map[string]string{}
	for _, t := range c.Teams {
		if t != nil {
			ns[strings.ToLower(t.Name)] = t.Namespace
		}
	}
	team := func(name string) string {
		if n := ns[strings.ToLower(name)]; n != "" {
			return n + "/" + name
		}
		return name
	}
	children := map[string][]string{}
	for _, t := range c.Teams {
		if t != nil && t.Parent != "" {
			k := strings.ToLower(t.Parent)
			children[k] = append(children[k], team(t.Name))
		}
	}
	for _, t := range sortedBy(c.Teams, func(t *paved.Team) string { return t.Name }) {
		if t.Placeholder {
			// A team only referenced, never defined: the references to it
			// are exported as written, and importing them keeps them
			// dangling again; a Group here would define it.
			continue
		}
		kids := children[strings.ToLower(t.Name)]
		sort.Strings(kids)
		if err := enc.Encode(groupEntity(t, team(t.Parent), kids)); err != nil {
			return fmt.Errorf("catalog export: group %s: %w", t.Name, err)
		}
	}
	for _, u := range sortedBy(c.Users, func(u *paved.User) string { return u.Name }) {
		if err := enc.Encode(userEntity(u, team)); err != nil {
			return fmt.Errorf("catalog export: user %s: %w", u.Name, err)
		}
	}
	for _, s := range sortedBy(c.Services, func(s *paved.Service) string { return s.Name }) {
		if err := enc.Encode(componentEntity(s, team(s.Owner))); err != nil {
			return fmt.Errorf("catalog export: component %s: %w", s.Name, err)
		}
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("catalog export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("catalog export: %w", err)
	}
	return nil
}

func sortedBy[T any](xs []*T, key func(*T) string) []*T {
	out := make([]*T, 0, len(xs))
	for _, x := range xs {
		if x != nil {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func meta(name, ns, title, desc string, tags []string, links []paved.Link, ann map[string]string) yMeta {
	m := yMeta{Name: name, Namespace: ns, Title: title, Description: desc, Tags: tags, Annotations: ann}
	for _, l := range links {
		m.Links = append(m.Links, yLink(l))
	}
	return m
}

func withAnnotations(base map[string]string, extra ...string) map[string]string {
	m := make(map[string]string, len(base)+len(extra)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func profile(name, email string) *yProfile {
	if name == "" && email == "" {
		return nil
	}
	return &yProfile{DisplayName: name, Email: email}
}

func retiredAt(t *time.Time) []string {
	if t == nil {
		return nil
	}
	return []string{annRetiredAt, t.UTC().Format(time.RFC3339Nano)}
}

func groupEntity(t *paved.Team, parent string, children []string) yEntity {
	extra := append([]string{annTeamKind, string(t.Kind)}, retiredAt(t.RetiredAt)...)
	typ := t.Type
	if typ == "" {
		// Backstage requires spec.type; "team" is its usual value.
		typ = "team"
		extra = append(extra, annType, "")
	}
	// The title goes to profile.displayName, which import prefers.
	m := meta(t.Name, t.Namespace, "", t.Description, t.Tags, t.Links, withAnnotations(t.Annotations, extra...))
	if children == nil {
		children = []string{}
	}
	return yEntity{APIVersion: apiVersion, Kind: kindGroup, Metadata: m, Spec: yGroupSpec{
		Type: typ, Profile: profile(t.Title, t.Email), Parent: parent, Children: children,
	}}
}

func userEntity(u *paved.User, team func(string) string) yEntity {
	teams := make([]string, 0, len(u.Teams))
	for _, t := range u.Teams {
		teams = append(teams, team(t))
	}
	sort.Strings(teams)
	var ann map[string]string
	if r := retiredAt(u.RetiredAt); r != nil {
		ann = withAnnotations(nil, r...)
	}
	return yEntity{APIVersion: apiVersion, Kind: kindUser, Metadata: yMeta{Name: u.Name, Annotations: ann}, Spec: yUserSpec{
		Profile: profile(u.DisplayName, u.Email), MemberOf: teams,
	}}
}

// exportLifecycle is the spec.lifecycle Export writes: deprecated for a
// retired service (as Backstage marks it), else the lifecycle as imported,
// else the one that maps to the service's phase.
func exportLifecycle(s *paved.Service) string {
	switch {
	case s.Phase == paved.PhaseRetired:
		return "deprecated"
	case s.Lifecycle != "":
		return s.Lifecycle
	case s.Phase == paved.PhaseProduction:
		return "production"
	}
	return "experimental"
}

func componentEntity(s *paved.Service, owner string) yEntity {
	extra := []string{
		annTier, strconv.Itoa(int(s.Tier)),
		annDataClass, string(s.DataClass),
		annPhase, string(s.Phase),
	}
	if s.Grandfathered != (s.Phase == paved.PhaseProduction) {
		extra = append(extra, annGrandfathered, strconv.FormatBool(s.Grandfathered))
	}
	lc := exportLifecycle(s)
	if lc != s.Lifecycle {
		extra = append(extra, annLifecycle, s.Lifecycle)
	}
	typ := s.Type
	if typ == "" {
		typ = "service"
		extra = append(extra, annType, "")
	}
	m := meta(s.Name, s.Namespace, s.Title, s.Description, s.Tags, s.Links, withAnnotations(s.Annotations, extra...))
	return yEntity{APIVersion: apiVersion, Kind: kindComponent, Metadata: m, Spec: yComponentSpec{
		Type: typ, Lifecycle: lc, Owner: "group:" + owner, System: s.System,
		DependsOn: s.DependsOn, ProvidesAPIs: s.ProvidesAPIs, ConsumesAPIs: s.ConsumesAPIs,
	}}
}
