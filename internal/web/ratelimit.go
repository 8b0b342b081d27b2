package web

import (
	"container/list"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
)

// Failed-authentication rate limiting.
//
// Every client address has a bucket of failures it may make: Burst of
// them in a row, refilled at PerMinute a minute. A failed authentication
// (an API bearer token or a portal sign-in token that is unknown, expired,
// revoked, malformed or of a retired user) takes one. While the bucket is
// empty, every authentication attempt from the address is refused with
// 429 Too Many Requests and a Retry-After header, before its credentials
// are looked at: a correct token from a limited address waits out the
// cool-down like a wrong one, so a guesser learns nothing from trying
// more. Successful authentications take nothing, and other addresses are
// not affected.
//
// The client address is the connection's, unless that is a trusted proxy
// (Config.TrustedProxies): then it is the right-most address of
// X-Forwarded-For that is not a trusted proxy. IPv6 clients are limited
// per /64, the block one subscriber usually has. Requests whose address
// cannot be parsed (a Unix socket) are not limited.
//
// The limiter lives in the memory of one replica: with N replicas behind
// a load balancer, an address gets up to N times the limit. It tracks at
// most MaxAddresses addresses and forgets the least recently seen first.

// AuthLimit configures the failed-authentication limit (paved.yaml's
// server.auth_failures). The zero value limits nothing; paved serve always
// sets it, from the configuration's defaults if need be.
type AuthLimit struct {
	// PerMinute is how many failed authentications an address may make a
	// minute, sustained; 0 turns the limit off.
	PerMinute int
	// Burst is how many it may make in a row before the limit applies
	// (default PerMinute).
	Burst int
	// MaxAddresses bounds the addresses tracked (default 65536, a few MiB).
	MaxAddresses int
}

// DefaultMaxAuthAddresses is AuthLimit.MaxAddresses's default.
const DefaultMaxAuthAddresses = 1 << 16

// Faces: the label values of the auth metrics.
const (
	authFaceAPI    = "api"
	authFacePortal = "portal"
	// authFaceCI is the CI token exchange: a refused job ID token is a
	// failed authentication like a wrong bearer token.
	authFaceCI = "ci"
)

// authLimiter keeps one token bucket per client address. With a rate of
// 0 it limits nothing, and only counts.
type authLimiter struct {
	rate  float64 // failures refilled per second; 0: no limit
	burst float64
	max   int
	now   func() time.Time

	mu sync.Mutex
	m  map[netip.Prefix]*list.Element // values *authBucket
	// lru orders the buckets by last use, most recent first.
	lru *list.List
	// size mirrors len(m) so that the hot path skips the lock while no
	// address has failed.
	size atomic.Int64

	failures, limited *prometheus.CounterVec
}

type authBucket struct {
	key    netip.Prefix
	tokens float64
	at     time.Time
}

// newAuthLimiter makes the limiter of cfg and registers its metrics (or
// reuses those already registered), which exist even without a limit.
func newAuthLimiter(cfg AuthLimit, now func() time.Time, reg *prometheus.Registry) (*authLimiter, error) {
	failures := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paved_auth_failures_total",
		Help: "Failed authentications (API bearer tokens, portal sign-in, CI token exchange) by face (api, portal, ci), on this replica.",
	}, []string{"face"})
	limited := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paved_auth_rate_limited_total",
		Help: "Authentication attempts refused with 429 because their address failed too often, by face (api, portal, ci), on this replica.",
	}, []string{"face"})
	var err error
	if failures, err = register(reg, failures); err != nil {
		return nil, err
	}
	if limited, err = register(reg, limited); err != nil {
		return nil, err
	}
	for _, f := range []string{authFaceAPI, authFacePortal, authFaceCI} {
		failures.WithLabelValues(f)
		limited.WithLabelValues(f)
	}
	l := &authLimiter{now: now, failures: failures, limited: limited}
	if cfg.PerMinute <= 0 {
		return l, nil
	}
	if cfg.Burst <= 0 {
		cfg.Burst = cfg.PerMinute
	}
	if cfg.MaxAddresses <= 0 {
		cfg.MaxAddresses = DefaultMaxAuthAddresses
	}
	l.rate, l.burst, l.max = float64(cfg.PerMinute)/60, float64(cfg.Burst), cfg.MaxAddresses
	l.m, l.lru = map[netip.Prefix]*list.Element{}, list.New()
	return l, nil
}

// limitKey is the bucket of an address: itself for IPv4, its /64 for
// IPv6. ok is false for an invalid address.
func limitKey(a netip.Addr) (netip.Prefix, bool) {
	if !a.IsValid() {
		return netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, err := a.Prefix(bits)
	return p, err == nil
}

// refill brings b up to date.
func (l *authLimiter) refill(b *authBucket, now time.Time) {
	if d := now.Sub(b.at).Seconds(); d > 0 {
		b.tokens = math.Min(l.burst, b.tokens+d*l.rate)
	}
	b.at = now
}

// wait returns how long addr must wait before it may try to authenticate
// again; 0 when it may now.
func (l *authLimiter) wait(addr netip.Addr) time.Duration {
	if l.rate == 0 || l.size.Load() == 0 {
		return 0
	}
	key, ok := limitKey(addr)
	if !ok {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	if e == nil {
		return 0
	}
	b := e.Value.(*authBucket)
	l.refill(b, l.now())
	if b.tokens >= 1 {
		if b.tokens >= l.burst {
			// Full again: nothing left to remember.
			l.remove(e)
		}
		return 0
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// fail records a failed authentication from addr.
func (l *authLimiter) fail(addr netip.Addr) {
	if l.rate == 0 {
		return
	}
	key, ok := limitKey(addr)
	if !ok {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	if e == nil {
		for len(l.m) >= l.max {
			l.remove(l.lru.Back())
		}
		e = l.lru.PushFront(&authBucket{key: key, tokens: l.burst, at: now})
		l.m[key] = e
		l.size.Store(int64(len(l.m)))
	} else {
		l.lru.MoveToFront(e)
	}
	b := e.Value.(*authBucket)
	l.refill(b, now)
	b.tokens = math.Max(0, b.tokens-1)
}

func (l *authLimiter) remove(e *list.Element) {
	delete(l.m, e.Value.(*authBucket).key)
	l.lru.Remove(e)
	l.size.Store(int64(len(l.m)))
}

// tracked is the number of addresses remembered (tests).
func (l *authLimiter) tracked() int {
	if l.rate == 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// rateLimitedError is the refusal of a limited address: a *paved.Error
// with ERATELIMITED that carries the wait for the Retry-After header.
type rateLimitedError struct {
	err  *paved.Error
	wait time.Duration
}

func (e *rateLimitedError) Error() string { return e.err.Error() }
func (e *rateLimitedError) Unwrap() error { return e.err }

func errRateLimited(wait time.Duration) error {
	return &rateLimitedError{
		err: paved.Errorf(paved.ERATELIMITED,
			"too many failed authentication attempts from your address: try again in %d seconds, with a valid token (paved token list shows yours; an admin can create one)",
			retryAfterSeconds(wait)),
		wait: wait,
	}
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// setRetryAfter sets Retry-After when err is a rate-limit refusal.
func setRetryAfter(h http.Header, err error) {
	var rl *rateLimitedError
	if errors.As(err, &rl) {
		h.Set("Retry-After", strconv.Itoa(retryAfterSeconds(rl.wait)))
	}
}

// checkAuthLimit refuses an authentication attempt from a limited
// address, counting the refusal.
func (s *Server) checkAuthLimit(addr netip.Addr, face string) error {
	if w := s.authLimit.wait(addr); w > 0 {
		s.authLimit.limited.WithLabelValues(face).Inc()
		return errRateLimited(w)
	}
	return nil
}

// authFailed records a failed authentication from addr.
func (s *Server) authFailed(addr netip.Addr, face string) {
	s.authLimit.failures.WithLabelValues(face).Inc()
	s.authLimit.fail(addr)
}

// authenticateAPI authenticates the bearer token of r (authenticateBearer)
// unless r's address is limited, and counts a presented token that fails.
// A request without an Authorization header is no attempt and counts
// nothing.
func (s *Server) authenticateAPI(r *http.Request) (*http.Request, error) {
	addr := clientAddr(r, s.cfg.TrustedProxies)
	if err := s.checkAuthLimit(addr, authFaceAPI); err != nil {
		return r, err
	}
	r2, err := s.authenticateBearer(r)
	if err != nil && paved.ErrorCode(err) == paved.EUNAUTHORIZED && r.Header.Get("Authorization") != "" {
		s.authFailed(addr, authFaceAPI)
	}
	return r2, err
}

// clientAddr is the address of the client that sent r: the connection's
// address, or, when that is a trusted proxy, the right-most address of
// X-Forwarded-For that is not one (each proxy appends the address it got
// the request from, so everything left of the first untrusted hop is the
// client's to forge). The zero Addr when it cannot be parsed.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	a := parseHostAddr(r.RemoteAddr)
	if !a.IsValid() || !isTrusted(a, trusted) {
		return a
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		h := parseHostAddr(hops[i])
		if !h.IsValid() {
			// Garbage from the client or a proxy: the last good hop is
			// the nearest address that can be believed.
			return a
		}
		a = h
		if !isTrusted(a, trusted) {
			return a
		}
	}
	return a
}

// forwardedFor splits X-Forwarded-For header lines into hops, in order.
func forwardedFor(lines []string) []string {
	var hops []string
	for _, l := range lines {
		for _, h := range strings.Split(l, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
			if len(hops) > 64 {
				// No real chain is this long; keep the nearest hops.
				hops = hops[1:]
			}
		}
	}
	return hops
}

// parseHostAddr parses "ip", "ip:port" or "[ip]:port", unmapped.
func parseHostAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// signinLimitedMessage is the sign-in form's text for a limited address.
func signinLimitedMessage(err error) string {
	var rl *rateLimitedError
	if !errors.As(err, &rl) {
		return paved.ErrorMessage(err)
	}
	return "Too many failed sign-ins from your address. Wait " + strconv.Itoa(retryAfterSeconds(rl.wait)) +
		" seconds, then sign in with a valid token."
}

// forwardedHTTPS reports whether a trusted proxy says that it received r
// over HTTPS (X-Forwarded-Proto: https, as the last value): behind a proxy
// that terminates TLS, HSTS still goes out.
func forwardedHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if len(trusted) == 0 {
		return false
	}
	v := r.Header.Values("X-Forwarded-Proto")
	if len(v) == 0 {
		return false
	}
	last := v[len(v)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https") && isTrusted(parseHostAddr(r.RemoteAddr), trusted)
}
