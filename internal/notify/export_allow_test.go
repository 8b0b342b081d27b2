package notify

import (
	"context"
	"net/netip"
)

// ResolverFunc answers the guarded dialer's DNS lookups in tests.
type ResolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f ResolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

// SetResolver makes runners created from now on resolve webhook hosts
// with f, until the returned function restores the real resolver.
func SetResolver(f ResolverFunc) (restore func()) {
	old := defaultResolver
	defaultResolver = f
	return func() { defaultResolver = old }
}
