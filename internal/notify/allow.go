package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Where webhooks may go.
//
// A webhook is a request paved makes on an admin's say-so, from inside the
// network paved runs in. So that a mistaken (or malicious) paved.yaml
// cannot point paved at internal services, by default a webhook may only
// reach public addresses: loopback, private (RFC 1918, fc00::/7),
// link-local, carrier-grade NAT, unspecified, broadcast and multicast
// addresses are refused, and so are the cloud metadata endpoints.
//
// notifications.allowed_hosts narrows and widens that:
//
//   - When it is set, a webhook's host must match one of its entries:
//     an exact host name or IP address, or *.suffix (any name under
//     suffix, not suffix itself).
//   - An exact entry also lets that host reach private addresses: the way
//     to allow an internal receiver on purpose. A *.suffix entry never
//     does. The metadata endpoints stay refused whatever the list says.
//
// The check runs when the config is validated (literal addresses and
// names such as localhost, without DNS), when paved serve resolves
// url_env targets, and at every delivery: the runner resolves the host,
// checks every address it resolves to, and connects to a checked address,
// so that a name that resolves to a public address at validation and to a
// private one later (DNS rebinding) is refused too. Through an HTTP proxy
// (HTTPS_PROXY), the host is checked the same way before the request goes
// to the proxy, but the proxy resolves it again on its own.

// HostPolicy is notifications.allowed_hosts, compiled.
type HostPolicy struct {
	exact    map[string]bool // lower-case names and canonical IP literals
	suffixes []string        // ".example.com" for *.example.com
	list     bool            // allowed_hosts was given
}

var hostEntryRE = regexp.MustCompile(`^(\*\.)?[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$`)

const maxAllowedHosts = 100

// checkAllowedHost validates one entry of allowed_hosts.
func checkAllowedHost(h string) error {
	if a, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		if isMetadata(a) {
			return paved.Errorf(paved.EINVALID, "%q is a cloud metadata address, which webhooks may never reach", h)
		}
		return nil
	}
	if h != strings.ToLower(h) {
		return paved.Errorf(paved.EINVALID, "%q: write host names in lower case", h)
	}
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/:?#@") {
		return paved.Errorf(paved.EINVALID, "%q: give a host name (hooks.example.com), an IP address or *.suffix, without scheme, port or path", h)
	}
	if len(h) > 253 || !hostEntryRE.MatchString(h) {
		return paved.Errorf(paved.EINVALID, "%q is not a host name, an IP address or *.suffix (*.example.com)", h)
	}
	if h == "*.com" || strings.Count(h, ".") < 2 && strings.HasPrefix(h, "*.") {
		return paved.Errorf(paved.EINVALID, "%q allows a whole top-level domain: name the organisation's domain, *.example.com", h)
	}
	return nil
}

// Policy compiles allowed_hosts. The config must have been validated.
func (c *Config) Policy() *HostPolicy {
	p := &HostPolicy{exact: map[string]bool{}, list: len(c.AllowedHosts) > 0}
	for _, h := range c.AllowedHosts {
		if s, ok := strings.CutPrefix(h, "*."); ok {
			p.suffixes = append(p.suffixes, "."+s)
			continue
		}
		p.exact[canonicalHost(h)] = true
	}
	return p
}

// canonicalHost lower-cases a name and writes an IP literal canonically.
func canonicalHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return h
}

// permits reports whether host passes the list, and whether it is listed
// exactly (which lets it reach private addresses).
func (p *HostPolicy) permits(host string) (ok, exact bool) {
	host = canonicalHost(host)
	if p.exact[host] {
		return true, true
	}
	for _, s := range p.suffixes {
		if strings.HasSuffix(host, s) {
			return true, false
		}
	}
	return !p.list, false
}

// internalNames are names that mean this machine or a metadata service
// whatever DNS says.
var internalNames = []string{"localhost", "metadata.google.internal", "metadata.goog", "metadata"}

func isInternalName(host string) bool {
	for _, n := range internalNames {
		if host == n || strings.HasSuffix(host, "."+n) && n == "localhost" {
			return true
		}
	}
	return false
}

// metadataAddrs are the cloud instance metadata endpoints: AWS, GCP and
// Azure (169.254.169.254, and AWS's IPv6 fd00:ec2::254), ECS task
// metadata, Alibaba Cloud, Oracle Cloud.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("169.254.170.2"),
	netip.MustParseAddr("169.254.170.23"),
	netip.MustParseAddr("100.100.100.200"),
	netip.MustParseAddr("192.0.0.192"),
}

func isMetadata(a netip.Addr) bool {
	a = embeddedIPv4(a.Unmap().WithZone(""))
	for _, m := range metadataAddrs {
		if a == m {
			return true
		}
	}
	return false
}

var (
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	sharedNAT   = netip.MustParsePrefix("100.64.0.0/10")
	broadcast   = netip.MustParseAddr("255.255.255.255")
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local  = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	teredo      = netip.MustParsePrefix("2001::/32")
)

// specialPurpose are the ranges of the IANA special-purpose address
// registries (RFC 6890 and its updates) that are neither private nor
// loopback in Go's sense but are no public receiver either: a host there is
// a lab network, a benchmark network or documentation, and in practice
// often an internal one (198.18.0.0/15 is used inside data centres).
var specialPurpose = []netip.Prefix{
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2001:2::/48"),     // benchmarking
	netip.MustParsePrefix("3fff::/20"),       // documentation (RFC 9637)
}

// embeddedIPv4 returns the IPv4 address an IPv6 transition address
// carries, so that it is judged like that address: NAT64 (the last 32
// bits), 6to4 (bits 16-47, RFC 3056) and Teredo (the client address,
// inverted, in the last 32 bits, RFC 4380). Any other address is returned
// as it is.
func embeddedIPv4(a netip.Addr) netip.Addr {
	if !a.Is6() {
		return a
	}
	b := a.As16()
	switch {
	case nat64.Contains(a), nat64Local.Contains(a):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	case sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
	case teredo.Contains(a):
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
	}
	return a
}

// addrClass names why an address is internal, or "" for a public one.
func addrClass(a netip.Addr) string {
	a = embeddedIPv4(a.Unmap().WithZone(""))
	switch {
	case isMetadata(a):
		return "a cloud metadata address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsUnspecified() || thisNetwork.Contains(a):
		return "an unspecified address"
	case sharedNAT.Contains(a):
		return "a carrier-grade NAT address"
	case a.IsMulticast() || a == broadcast:
		return "a broadcast or multicast address"
	}
	for _, p := range specialPurpose {
		if p.Contains(a) {
			return "a special-purpose address"
		}
	}
	return ""
}

// checkAddr decides whether host may be reached at a.
func (p *HostPolicy) checkAddr(host string, a netip.Addr, exact bool) error {
	class := addrClass(a)
	switch {
	case class == "":
		return nil
	case isMetadata(a):
		return fmt.Errorf("webhook host %s is %s (%s): paved never posts there", host, class, a)
	case exact:
		return nil
	}
	return fmt.Errorf("webhook host %s is %s (%s): webhooks may not reach internal services unless notifications.allowed_hosts lists the host exactly", host, class, a)
}

// CheckHost is the check without DNS: the host must pass allowed_hosts,
// and an IP literal or a name such as localhost must not be internal
// unless listed exactly. Config validation and url_env resolution use it.
func (p *HostPolicy) CheckHost(host string) error {
	ok, exact := p.permits(host)
	if !ok {
		return paved.Errorf(paved.EINVALID, "host %s is not in notifications.allowed_hosts: add it (or a *.suffix that covers it) to allow it", host)
	}
	h := canonicalHost(host)
	if a, err := netip.ParseAddr(h); err == nil {
		if err := p.checkAddr(h, a, exact); err != nil {
			return paved.Errorf(paved.EINVALID, "%s", err)
		}
		return nil
	}
	if isInternalName(h) && (!exact || h != "localhost" && !strings.HasSuffix(h, ".localhost")) {
		return paved.Errorf(paved.EINVALID, "webhook host %s names this machine or a metadata service: webhooks may not reach internal services unless notifications.allowed_hosts lists the host exactly", h)
	}
	return nil
}

// guardKey carries the webhook's host and policy to the dialer.
type guardKey struct{}

type dialGuard struct {
	host   string // the webhook URL's host name, without port
	policy *HostPolicy
}

func withGuard(ctx context.Context, host string, p *HostPolicy) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, guardKey{}, &dialGuard{host: host, policy: p})
}

// resolver is the DNS lookup of guarded dials (tests replace it).
type resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// guardedDialer connects webhook requests only to addresses their
// policy allows; other dials (an HTTP proxy, requests without a guard)
// go through as they are.
type guardedDialer struct {
	dialer   *net.Dialer
	resolver resolver
}

// defaultResolver is the system's (tests replace it).
var defaultResolver resolver = net.DefaultResolver

func newGuardedDialer(timeout time.Duration) *guardedDialer {
	return &guardedDialer{dialer: &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}, resolver: defaultResolver}
}

// resolveChecked resolves host and checks every address; it fails if any
// address is refused, so that a name with one public and one internal
// address cannot be used to reach the internal one.
func (d *guardedDialer) resolveChecked(ctx context.Context, g *dialGuard, host string) ([]netip.Addr, error) {
	ok, exact := g.policy.permits(host)
	if !ok {
		return nil, fmt.Errorf("webhook host %s is not in notifications.allowed_hosts", host)
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if isInternalName(canonicalHost(host)) && !exact {
			return nil, fmt.Errorf("webhook host %s names this machine or a metadata service", host)
		}
		if addrs, err = d.resolver.LookupNetIP(ctx, "ip", host); err != nil {
			var de *net.DNSError
			if errors.As(err, &de) && de.IsNotFound {
				return nil, fmt.Errorf("webhook host %s does not resolve", host)
			}
			return nil, fmt.Errorf("resolving webhook host %s: %v", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("webhook host %s does not resolve", host)
		}
	}
	for _, a := range addrs {
		if err := g.policy.checkAddr(host, a, exact); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

// DialContext is http.Transport's dial.
func (d *guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	g, _ := ctx.Value(guardKey{}).(*dialGuard)
	if g == nil {
		return d.dialer.DialContext(ctx, network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(strings.Trim(host, "[]"), strings.Trim(g.host, "[]")) {
		// A dial to an HTTP proxy: check the webhook's own host first.
		if _, err := d.resolveChecked(ctx, g, g.host); err != nil {
			return nil, err
		}
		return d.dialer.DialContext(ctx, network, addr)
	}
	addrs, err := d.resolveChecked(ctx, g, host)
	if err != nil {
		return nil, err
	}
	// Connect to the addresses just checked, never to a fresh lookup.
	var first error
	for _, a := range addrs {
		c, err := d.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}
