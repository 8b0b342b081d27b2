package catalog

import paved "github.com/paved-dev/paved"

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
