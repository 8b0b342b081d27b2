package catalog

import (
	"io"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Options shape how Backstage entities map onto paved's catalog. The zero
// value is not useful: start from DefaultOptions.
type Options struct {
	// Lifecycles maps a lower-case spec.lifecycle to a phase. Entries here
	// are merged over the defaults (experimental -> playground,
	// production -> production, deprecated -> retired).
	Lifecycles map[string]paved.Phase
	// DefaultTier and DefaultDataClass apply when a component's
	// annotations say nothing.
	DefaultTier      paved.Tier
	DefaultDataClass paved.DataClass
	// DefaultUserRoles are given to users created by an import; an import
	// never changes the roles of a user that exists.
	DefaultUserRoles []paved.Role
	// MaxFileBytes limits one input file (default 32 MiB).
	MaxFileBytes int64
	// Stdin is read for the path "-" (nil: os.Stdin).
	Stdin io.Reader
	// Strict makes every warning of Plan an error: a reference to an
	// entity that is neither in the import nor in the catalog (a Group's
	// spec.parent, a Component's spec.owner, a User's spec.memberOf ...)
	// leaves its entity out instead of being kept dangling.
	Strict bool
}

// DefaultOptions returns the mapping paved uses with no configuration.
func DefaultOptions() Options {
	return Options{
		Lifecycles: map[string]paved.Phase{
			"experimental": paved.PhasePlayground,
			"production":   paved.PhaseProduction,
			"deprecated":   paved.PhaseRetired,
		},
		DefaultTier:      paved.DefaultTier,
		DefaultDataClass: paved.DataInternal,
		DefaultUserRoles: []paved.Role{paved.RoleDeveloper},
		MaxFileBytes:     32 << 20,
	}
}

// normalized fills what a caller left out, so that a zero or partial
// Options still maps every entity the documented way: lifecycles merged
// over the defaults with lower-case keys, valid defaults, a file limit.
func (o Options) normalized() Options {
	d := DefaultOptions()
	lc := make(map[string]paved.Phase, len(d.Lifecycles)+len(o.Lifecycles))
	for k, v := range d.Lifecycles {
		lc[k] = v
	}
	for k, v := range o.Lifecycles {
		// An invalid phase cannot be stored; internal/config rejects it
		// before it gets here, so leaving it out only guards direct callers.
		if v.Valid() {
			lc[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	o.Lifecycles = lc
	if !o.DefaultTier.Valid() {
		o.DefaultTier = d.DefaultTier
	}
	if !o.DefaultDataClass.Valid() {
		o.DefaultDataClass = d.DefaultDataClass
	}
	roles := make([]paved.Role, 0, len(o.DefaultUserRoles))
	for _, r := range o.DefaultUserRoles {
		if r.Valid() {
			roles = append(roles, r)
		}
	}
	o.DefaultUserRoles = roles
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = d.MaxFileBytes
	}
	return o
}
