// Package paved holds the domain of paved: the words of DESIGN.md as plain
// types, the pure rules that decide on them, and the interfaces that the
// adapters (store, web, client) implement. It imports only the standard library.
package paved

import (
	"fmt"
	"regexp"
	"strings"
)

// Phase is where a service is on the path to production.
type Phase string

const (
	PhasePlayground Phase = "playground"
	PhaseGreenLight Phase = "green-light"
	PhaseProduction Phase = "production"
	PhaseRetired    Phase = "retired"
)

// Phases lists the phases in path order.
var Phases = []Phase{PhasePlayground, PhaseGreenLight, PhaseProduction, PhaseRetired}

func (p Phase) Valid() bool {
	switch p {
	case PhasePlayground, PhaseGreenLight, PhaseProduction, PhaseRetired:
		return true
	}
	return false
}

// ParsePhase accepts a phase name; "greenlight" and "green_light" are common
// spellings and are accepted too.
func ParsePhase(s string) (Phase, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.ReplaceAll(v, "_", "-")
	if v == "greenlight" {
		v = "green-light"
	}
	p := Phase(v)
	if !p.Valid() {
		return "", Errorf(EINVALID, "unknown phase %q: want one of playground, green-light, production, retired", s)
	}
	return p, nil
}

// DataClass is the most sensitive class of data a service handles.
type DataClass string

const (
	DataPublic       DataClass = "public"
	DataInternal     DataClass = "internal"
	DataConfidential DataClass = "confidential"
	DataRestricted   DataClass = "restricted"
)

// DataClasses lists the classes from least to most sensitive.
var DataClasses = []DataClass{DataPublic, DataInternal, DataConfidential, DataRestricted}

func (d DataClass) Valid() bool {
	switch d {
	case DataPublic, DataInternal, DataConfidential, DataRestricted:
		return true
	}
	return false
}

func ParseDataClass(s string) (DataClass, error) {
	d := DataClass(strings.ToLower(strings.TrimSpace(s)))
	if !d.Valid() {
		return "", Errorf(EINVALID, "unknown data class %q: want one of public, internal, confidential, restricted", s)
	}
	return d, nil
}

// Tier ranks how critical a service is: 1 is business critical, 4 an internal tool.
type Tier int

const (
	TierMin Tier = 1
	TierMax Tier = 4
	// DefaultTier is used when a catalog entry says nothing about criticality.
	DefaultTier Tier = 3
)

func (t Tier) Valid() bool { return t >= TierMin && t <= TierMax }

// ParseTier accepts "1".."4", "tier1", "tier-1" and "Tier 1".
func ParseTier(s string) (Tier, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	v = strings.TrimPrefix(v, "tier")
	v = strings.TrimLeft(v, " -_")
	var t Tier
	if _, err := fmt.Sscanf(v, "%d", &t); err != nil || fmt.Sprint(int(t)) != v || !t.Valid() {
		return 0, Errorf(EINVALID, "unknown tier %q: want 1 (business critical) to 4 (internal tool)", s)
	}
	return t, nil
}

// TeamKind says what a team does. Every kind except product is an enablement team.
type TeamKind string

const (
	KindProduct               TeamKind = "product"
	KindDeveloperProductivity TeamKind = "developer-productivity"
	KindInfrastructure        TeamKind = "infrastructure-engineering"
	KindCloud                 TeamKind = "cloud-engineering"
	KindReliability           TeamKind = "reliability"
	KindSecurity              TeamKind = "security"
)

var TeamKinds = []TeamKind{KindProduct, KindDeveloperProductivity, KindInfrastructure, KindCloud, KindReliability, KindSecurity}

func (k TeamKind) Valid() bool {
	for _, v := range TeamKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Enablement reports whether teams of this kind pave the path for product teams.
func (k TeamKind) Enablement() bool { return k.Valid() && k != KindProduct }

func ParseTeamKind(s string) (TeamKind, error) {
	k := TeamKind(strings.ToLower(strings.TrimSpace(s)))
	if !k.Valid() {
		return "", Errorf(EINVALID, "unknown team kind %q: want one of product, developer-productivity, infrastructure-engineering, cloud-engineering, reliability, security", s)
	}
	return k, nil
}

// Role is a permission set held by a user.
type Role string

const (
	RoleViewer    Role = "viewer"
	RoleDeveloper Role = "developer"
	RoleReviewer  Role = "reviewer"
	RoleArchitect Role = "architect"
	RoleSecurity  Role = "security"
	RoleAdmin     Role = "admin"
)

var Roles = []Role{RoleViewer, RoleDeveloper, RoleReviewer, RoleArchitect, RoleSecurity, RoleAdmin}

func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", Errorf(EINVALID, "unknown role %q: want one of viewer, developer, reviewer, architect, security, admin", s)
	}
	return r, nil
}

// nameRE is Backstage's rule for metadata.name: 1-63 characters of
// [a-zA-Z0-9] separated by single -, _ or . characters.
var nameRE = regexp.MustCompile(`^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$`)

// ValidateName checks a team, user or service name against the Backstage rule
// so that every name paved holds can be exported back to a catalog.
func ValidateName(field, name string) error {
	switch {
	case name == "":
		return FieldErrorf(EINVALID, field, "name is required")
	case len(name) > 63:
		return FieldErrorf(EINVALID, field, "name %q is %d characters long: at most 63 are allowed", name, len(name))
	case !nameRE.MatchString(name):
		return FieldErrorf(EINVALID, field, "name %q is not valid: use letters, digits and single -, _ or . between them (no spaces)", name)
	}
	return nil
}

// Link is a named URL on a team or service (repo, docs, runbook, dashboard, on-call).
type Link struct {
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Icon  string `json:"icon,omitempty"`
	Type  string `json:"type,omitempty"`
}

// Page asks for one page of a list. Limit 0 means DefaultLimit.
type Page struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Normalize clamps the page to sane bounds.
func (p Page) Normalize() Page {
	if p.Offset < 0 {
		p.Offset = 0
	}
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	return p
}
