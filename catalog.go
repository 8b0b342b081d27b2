package paved

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Team is a group of people that owns services. Backstage Group.
type Team struct {
	ID          int64             `json:"-"`
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Title       string            `json:"title,omitempty"`
	Description string            `json:"description,omitempty"`
	Kind        TeamKind          `json:"kind"`
	Type        string            `json:"type,omitempty"`   // Backstage group type as written: team, business-unit ...
	Parent      string            `json:"parent,omitempty"` // name of the parent team
	Email       string            `json:"email,omitempty"`
	Tags        []string          `json:"tags"`
	Links       []Link            `json:"links"`
	Annotations map[string]string `json:"annotations"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	RetiredAt   *time.Time        `json:"retired_at,omitempty"`
	// Placeholder marks a team that the catalog refers to (a service's
	// owner, a team's parent) but that no imported Group defines: Backstage
	// keeps such a reference dangling, and so does paved, with this team
	// holding the name as written. A placeholder has no members (an import
	// records none), so nobody gains rights over the services it owns;
	// importing its Group later defines it, and the references resolve.
	Placeholder bool `json:"placeholder,omitempty"`

	// Read-only, filled by the store on FindTeam.
	Members  []string `json:"members,omitempty" audit:"-"`
	Children []string `json:"children,omitempty" audit:"-"`
	Services int      `json:"services" audit:"-"`
}

// Validate checks the fields a caller sets; it does not check references
// (the parent exists), which only the store can.
func (t *Team) Validate() error {
	if err := ValidateName("name", t.Name); err != nil {
		return err
	}
	if err := ValidateTexts(t); err != nil {
		return err
	}
	if !t.Kind.Valid() {
		return FieldErrorf(EINVALID, "kind", "unknown team kind %q: want one of product, developer-productivity, infrastructure-engineering, cloud-engineering, reliability, security", t.Kind)
	}
	if t.Parent != "" {
		if err := ValidateName("parent", t.Parent); err != nil {
			return err
		}
		if t.Parent == t.Name {
			return FieldErrorf(EINVALID, "parent", "a team cannot be its own parent")
		}
	}
	return validateLinks(t.Links)
}

// TeamFilter selects teams. Zero values select everything that is not retired.
type TeamFilter struct {
	Kind           TeamKind
	Query          string // case-insensitive substring of name, title or description
	IncludeRetired bool
	Page
}

// TeamUpdate holds the fields to change; nil leaves a field alone.
type TeamUpdate struct {
	Title       *string            `json:"title,omitempty"`
	Description *string            `json:"description,omitempty"`
	Kind        *TeamKind          `json:"kind,omitempty"`
	Type        *string            `json:"type,omitempty"`
	Parent      *string            `json:"parent,omitempty"`
	Email       *string            `json:"email,omitempty"`
	Tags        *[]string          `json:"tags,omitempty"`
	Links       *[]Link            `json:"links,omitempty"`
	Annotations *map[string]string `json:"annotations,omitempty"`
}

// Apply changes t in place.
func (u TeamUpdate) Apply(t *Team) {
	setIf(&t.Title, u.Title)
	setIf(&t.Description, u.Description)
	setIf(&t.Kind, u.Kind)
	setIf(&t.Type, u.Type)
	setIf(&t.Parent, u.Parent)
	setIf(&t.Email, u.Email)
	setIf(&t.Tags, u.Tags)
	setIf(&t.Links, u.Links)
	setIf(&t.Annotations, u.Annotations)
}

// User is a person. Backstage User.
type User struct {
	ID          int64      `json:"-"`
	Name        string     `json:"name"`
	DisplayName string     `json:"display_name,omitempty"`
	Email       string     `json:"email,omitempty"`
	Roles       []Role     `json:"roles"`
	Teams       []string   `json:"teams"` // names of the teams the user belongs to
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	RetiredAt   *time.Time `json:"retired_at,omitempty"`

	// Scope is the scope of the token this user authenticated with, set
	// by the store's Authenticate: the credential's limit travels with the
	// user into Authorize. Never stored with the user; nil for a full
	// token or a portal session.
	Scope *TokenScope `json:"-" audit:"-"`
	// TokenID is the token this user authenticated with, directly or
	// through the portal session it signed in: a token created now is its
	// child (Token.ParentID). 0 for a single sign-on session or the local
	// CLI. Never stored with the user.
	TokenID int64 `json:"-" audit:"-"`
}

func (u *User) Validate() error {
	if err := ValidateName("name", u.Name); err != nil {
		return err
	}
	if err := ValidateTexts(u); err != nil {
		return err
	}
	for i, r := range u.Roles {
		if !r.Valid() {
			return FieldErrorf(EINVALID, "roles["+strconv.Itoa(i)+"]", "unknown role %q: want one of viewer, developer, reviewer, architect, security, admin", r)
		}
	}
	for i, t := range u.Teams {
		if err := ValidateName("teams["+strconv.Itoa(i)+"]", t); err != nil {
			return err
		}
	}
	return nil
}

// HasRole reports whether u holds r. Admin holds every role.
func (u *User) HasRole(r Role) bool {
	if u == nil {
		return false
	}
	for _, v := range u.Roles {
		if v == r || v == RoleAdmin {
			return true
		}
	}
	return false
}

// InTeam reports whether u is a member of the named team.
func (u *User) InTeam(team string) bool {
	if u == nil {
		return false
	}
	for _, t := range u.Teams {
		if t == team {
			return true
		}
	}
	return false
}

type UserFilter struct {
	Team           string
	Role           Role
	Query          string
	IncludeRetired bool
	Page
}

type UserUpdate struct {
	DisplayName *string   `json:"display_name,omitempty"`
	Email       *string   `json:"email,omitempty"`
	Roles       *[]Role   `json:"roles,omitempty"`
	Teams       *[]string `json:"teams,omitempty"`
}

func (u UserUpdate) Apply(v *User) {
	setIf(&v.DisplayName, u.DisplayName)
	setIf(&v.Email, u.Email)
	setIf(&v.Roles, u.Roles)
	setIf(&v.Teams, u.Teams)
}

// Service is something a team builds and runs. Backstage Component.
type Service struct {
	ID          int64     `json:"-"`
	Name        string    `json:"name"`
	Namespace   string    `json:"namespace,omitempty"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Owner       string    `json:"owner"` // team name
	Type        string    `json:"type,omitempty"`
	System      string    `json:"system,omitempty"`
	Lifecycle   string    `json:"lifecycle,omitempty"` // the Backstage lifecycle as imported
	Tier        Tier      `json:"tier"`
	DataClass   DataClass `json:"data_class"`
	Phase       Phase     `json:"phase"`
	// Grandfathered services were already in production when paved first saw
	// them; the launch gate does not apply to them after the fact.
	Grandfathered bool              `json:"grandfathered"`
	Tags          []string          `json:"tags"`
	Links         []Link            `json:"links"`
	Annotations   map[string]string `json:"annotations"`
	DependsOn     []string          `json:"depends_on"`    // entity references as written
	ProvidesAPIs  []string          `json:"provides_apis"` // entity references as written
	ConsumesAPIs  []string          `json:"consumes_apis"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

func (s *Service) Validate() error {
	if err := ValidateName("name", s.Name); err != nil {
		return err
	}
	if err := ValidateTexts(s); err != nil {
		return err
	}
	if s.Owner == "" {
		return FieldErrorf(EINVALID, "owner", "owner team is required")
	}
	if err := ValidateName("owner", s.Owner); err != nil {
		return err
	}
	if !s.Tier.Valid() {
		return FieldErrorf(EINVALID, "tier", "tier %d is out of range: want 1 (business critical) to 4 (internal tool)", s.Tier)
	}
	if !s.DataClass.Valid() {
		return FieldErrorf(EINVALID, "data_class", "unknown data class %q: want one of public, internal, confidential, restricted", s.DataClass)
	}
	if !s.Phase.Valid() {
		return FieldErrorf(EINVALID, "phase", "unknown phase %q: want one of playground, green-light, production, retired", s.Phase)
	}
	return validateLinks(s.Links)
}

// ServiceDefaults are what a new service gets for what its creator left
// out: the catalog defaults of paved.yaml.
type ServiceDefaults struct {
	Tier      Tier
	DataClass DataClass
}

// PrepareNewService applies the rules for a new service, whichever face
// creates it: it starts in playground, the defaults fill in the tier and
// data class left out (DefaultTier and internal where the defaults are
// not valid), and the bookkeeping fields are the store's. It then
// validates the result.
//
// Placing a service in another phase or marking it grandfathered skips
// the launch gate, so it asks what moving a service past a gate asks
// (Authorize with ActForcePhase: admins). by is the creator; nil for the
// local database, where whoever can open the file may change anything.
func PrepareNewService(s *Service, def ServiceDefaults, by *User) error {
	pastGate := func(field, format string, args ...any) error {
		if by == nil || Authorize(by, ActForcePhase, Resource{Team: s.Owner}) == nil {
			return nil
		}
		return FieldErrorf(EFORBIDDEN, field, format, args...)
	}
	if s.Phase == "" {
		s.Phase = PhasePlayground
	} else if s.Phase != PhasePlayground {
		if err := pastGate("phase", "only an admin can create a service in phase %q: new services start in playground and move on through the launch gate", s.Phase); err != nil {
			return err
		}
	}
	if s.Grandfathered {
		if err := pastGate("grandfathered", "only an admin can mark a service as grandfathered"); err != nil {
			return err
		}
	}
	if !def.Tier.Valid() {
		def.Tier = DefaultTier
	}
	if !def.DataClass.Valid() {
		def.DataClass = DataInternal
	}
	if s.Tier == 0 {
		s.Tier = def.Tier
	}
	if s.DataClass == "" {
		s.DataClass = def.DataClass
	}
	s.ID = 0
	s.CreatedAt, s.UpdatedAt = time.Time{}, time.Time{}
	return s.Validate()
}

// ServiceFilter selects services. Retired services are included only when
// asked for by IncludeRetired or Phase=retired.
type ServiceFilter struct {
	Team           string
	Phase          Phase
	Tier           Tier
	DataClass      DataClass
	Query          string // case-insensitive substring of name, title, description
	IncludeRetired bool
	Page
}

// ServiceUpdate holds the fields to change. The phase is not here: phases
// move through the launch gate, and retiring is its own operation.
type ServiceUpdate struct {
	Title        *string            `json:"title,omitempty"`
	Description  *string            `json:"description,omitempty"`
	Owner        *string            `json:"owner,omitempty"`
	Type         *string            `json:"type,omitempty"`
	System       *string            `json:"system,omitempty"`
	Lifecycle    *string            `json:"lifecycle,omitempty"`
	Tier         *Tier              `json:"tier,omitempty"`
	DataClass    *DataClass         `json:"data_class,omitempty"`
	Tags         *[]string          `json:"tags,omitempty"`
	Links        *[]Link            `json:"links,omitempty"`
	Annotations  *map[string]string `json:"annotations,omitempty"`
	DependsOn    *[]string          `json:"depends_on,omitempty"`
	ProvidesAPIs *[]string          `json:"provides_apis,omitempty"`
	ConsumesAPIs *[]string          `json:"consumes_apis,omitempty"`
	// ReclassifyReason says why, when the update lowers the tier or the
	// data class of a service whose launch is under way: such a lowering
	// is not applied but becomes a reclassification request (reclass.go)
	// that an architect or security engineer outside the owning team
	// decides. Apply ignores it.
	ReclassifyReason string `json:"reclassify_reason,omitempty"`
}

func (u ServiceUpdate) Apply(s *Service) {
	setIf(&s.Title, u.Title)
	setIf(&s.Description, u.Description)
	setIf(&s.Owner, u.Owner)
	setIf(&s.Type, u.Type)
	setIf(&s.System, u.System)
	setIf(&s.Lifecycle, u.Lifecycle)
	setIf(&s.Tier, u.Tier)
	setIf(&s.DataClass, u.DataClass)
	setIf(&s.Tags, u.Tags)
	setIf(&s.Links, u.Links)
	setIf(&s.Annotations, u.Annotations)
	setIf(&s.DependsOn, u.DependsOn)
	setIf(&s.ProvidesAPIs, u.ProvidesAPIs)
	setIf(&s.ConsumesAPIs, u.ConsumesAPIs)
}

// CatalogStore persists teams, users and services. Every write is one
// transaction that also appends the audit event for it; the actor comes
// from the context (see WithActor).
type CatalogStore interface {
	FindTeams(ctx context.Context, f TeamFilter) ([]*Team, int, error)
	FindTeam(ctx context.Context, name string) (*Team, error)
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, name string, u TeamUpdate) (*Team, error)
	RetireTeam(ctx context.Context, name string) error

	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	FindUser(ctx context.Context, name string) (*User, error)
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, name string, u UserUpdate) (*User, error)
	RetireUser(ctx context.Context, name string) error

	FindServices(ctx context.Context, f ServiceFilter) ([]*Service, int, error)
	FindService(ctx context.Context, name string) (*Service, error)
	CreateService(ctx context.Context, s *Service) error
	UpdateService(ctx context.Context, name string, u ServiceUpdate) (*Service, error)
	RetireService(ctx context.Context, name string) error

	// Catalog returns every team, user and service, retired ones included:
	// the snapshot that an import is planned against and an export writes.
	Catalog(ctx context.Context) (*Catalog, error)
	// ApplyImport writes a planned import in one transaction.
	ApplyImport(ctx context.Context, p *ImportPlan) error
}

// Catalog is a whole snapshot of the catalog.
type Catalog struct {
	Teams    []*Team
	Users    []*User
	Services []*Service
}

// Outcome is what an import did, or would do, with one entity.
type Outcome string

const (
	OutcomeCreated   Outcome = "created"
	OutcomeUpdated   Outcome = "updated"
	OutcomeUnchanged Outcome = "unchanged"
	OutcomeSkipped   Outcome = "skipped" // a kind or feature paved does not model
	OutcomeInvalid   Outcome = "invalid" // an error in the entity; nothing of it was written
)

// ImportEntry reports the outcome for one catalog entity.
type ImportEntry struct {
	Kind    string   `json:"kind"`
	Name    string   `json:"name"`
	Source  string   `json:"source"` // file:line of the entity
	Outcome Outcome  `json:"outcome"`
	Reason  string   `json:"reason,omitempty"`
	Changes []string `json:"changes,omitempty"` // the fields an update changes
	// Warnings are what an import let through but the catalog should fix:
	// references to entities that are neither in the import nor in the
	// catalog (kept dangling, as Backstage keeps them). An import with
	// --strict makes each one an error instead.
	Warnings []string `json:"warnings,omitempty"`
}

// ImportPlan is the outcome of planning an import against a Catalog: the
// entities to create or update (in dependency order: parents before
// children, teams before users and services) and one entry per entity read.
type ImportPlan struct {
	Teams    []*Team // to create (ID 0) or update (ID set)
	Users    []*User
	Services []*Service
	Entries  []ImportEntry
}

// Counts tallies the entries by outcome.
func (p *ImportPlan) Counts() map[Outcome]int {
	m := map[Outcome]int{}
	for _, e := range p.Entries {
		m[e.Outcome]++
	}
	return m
}

// Warnings counts the warnings of all entries.
func (p *ImportPlan) Warnings() int {
	n := 0
	for _, e := range p.Entries {
		n += len(e.Warnings)
	}
	return n
}

// HasInvalid reports whether any entity was invalid.
func (p *ImportPlan) HasInvalid() bool { return p.Counts()[OutcomeInvalid] > 0 }

// Bounds on the links of a team or service: a handful is usual (repo,
// docs, runbook, dashboard, on-call).
const (
	MaxLinks       = 50
	MaxLinkURLLen  = 2048
	maxLinkTextLen = 200
)

// validateLinks checks the links a team or service shows: http, https
// and mailto URLs only. A javascript: or data: link would run in the
// portal of whoever follows it (the portal also shows such a link as
// text), and it would travel on in every catalog export.
func validateLinks(ls []Link) error {
	if len(ls) > MaxLinks {
		return FieldErrorf(EINVALID, "links", "%d links: at most %d", len(ls), MaxLinks)
	}
	for i, l := range ls {
		field := "links[" + strconv.Itoa(i) + "]"
		if err := ValidateLinkURL(field+".url", l.URL); err != nil {
			return err
		}
		for _, f := range []struct{ name, v string }{{"title", l.Title}, {"icon", l.Icon}, {"type", l.Type}} {
			if len(f.v) > maxLinkTextLen {
				return FieldErrorf(EINVALID, field+"."+f.name, "%d bytes: at most %d", len(f.v), maxLinkTextLen)
			}
		}
	}
	return nil
}

// ValidateLinkURL accepts an absolute http or https URL with a host, or a
// mailto: address, of at most MaxLinkURLLen bytes.
func ValidateLinkURL(field, raw string) error {
	u := strings.TrimSpace(raw)
	switch {
	case u == "":
		return FieldErrorf(EINVALID, field, "url is required")
	case len(u) > MaxLinkURLLen:
		return FieldErrorf(EINVALID, field, "the URL is %d bytes long: at most %d", len(u), MaxLinkURLLen)
	}
	p, err := url.Parse(u)
	if err != nil {
		return FieldErrorf(EINVALID, field, "%q is not a URL: %v", abbreviate(u), err)
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		if p.Host == "" {
			return FieldErrorf(EINVALID, field, "%q has no host: want https://host/...", abbreviate(u))
		}
	case "mailto":
		if p.Opaque == "" {
			return FieldErrorf(EINVALID, field, "%q has no address: want mailto:team@example.com", abbreviate(u))
		}
	default:
		return FieldErrorf(EINVALID, field, "%q: a link must be an http, https or mailto URL", abbreviate(u))
	}
	return nil
}

func abbreviate(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return s
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// SortedKeys returns the keys of m in order; useful for stable output.
func SortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
