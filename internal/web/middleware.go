package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

type reqInfoKey struct{}

// reqInfo is what the outer middleware shares with everything inside one
// request: its id, and the user that authentication found (filled in by the
// inner handler, read by the access log after it returns). One value keeps
// the hot path to a single context allocation.
type reqInfo struct {
	id   string
	user string
}

// RequestID returns the request id of ctx ("" outside a request). Portal
// pages show it on error pages so that a user can quote it.
func RequestID(ctx context.Context) string { return requestIDFrom(ctx) }

func requestIDFrom(ctx context.Context) string {
	if ri, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

// noteActor records u as the request's user for the access log. The portal
// calls it too once it has found the session's user.
func noteActor(ctx context.Context, u *paved.User) {
	if ri, ok := ctx.Value(reqInfoKey{}).(*reqInfo); ok && u != nil {
		ri.user = u.Name
	}
}

// saneRequestID accepts an incoming X-Request-Id only if it is short and
// made of characters that are safe in logs and headers; anything else is
// replaced, so that a client cannot forge log lines or flood them.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// contentSecurityPolicy allows only same-origin resources: the portal embeds
// its assets and uses no inline script or style, and nothing may frame it.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// permissionsPolicy switches off the browser features the portal never
// uses, for it and anything that might be injected into it.
const permissionsPolicy = "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), " +
	"magnetometer=(), microphone=(), payment=(), usb=()"

// cspWithSignOut is the policy when single sign-on is configured: sign-out
// is a form whose answer redirects to the provider's end-session endpoint,
// and browsers apply form-action to the redirects of a form submission, so
// the provider's origin is allowed as a form target too.
func cspWithSignOut(providerOrigin string) string {
	if providerOrigin == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self' "+providerOrigin, 1)
}

// setSecurityHeaders sets the headers every response carries, portal and
// API alike (TestSecurityHeadersOnEveryRoute checks every route), with csp
// as the Content-Security-Policy.
func setSecurityHeaders(h http.Header, tls bool, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	// Other sites may not embed paved's responses (images, scripts,
	// JSON) either.
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", permissionsPolicy)
	if tls {
		// Only over TLS: HSTS received over plain HTTP is ignored by
		// browsers anyway, and would be wrong for a localhost demo.
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// statusWriter records the status and size of a response for the log and
// the metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// instrument is the outermost middleware, around the whole mux (API and
// portal): request id, security headers, panic recovery, access log and
// metrics. It is one function rather than a chain because the route
// pattern is set by the mux on the request passed to it, and only the
// middleware that passed that request can read it afterwards.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = newRequestID()
		}
		h := w.Header()
		h.Set("X-Request-Id", id)
		setSecurityHeaders(h, r.TLS != nil || forwardedHTTPS(r, s.cfg.TrustedProxies), s.csp)

		sw := &statusWriter{ResponseWriter: w}
		ri := &reqInfo{id: id}
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
		s.metrics.inflight.Inc()
		abort := false
		defer func() {
			s.metrics.inflight.Dec()
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					// The handler asked to abort the response; let
					// net/http do that, quietly.
					panic(v)
				}
				s.log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
					slog.String("request_id", id),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("panic", fmt.Sprint(v)),
					slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					sendProblem(sw, problemFor(fmt.Errorf("panic: %v", v), r.URL.Path))
				} else {
					// Part of the response is out; a broken connection is
					// the only honest signal left (after logging below).
					sw.status = http.StatusInternalServerError
					abort = true
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observe(r.Pattern, r.Method, status, d.Seconds())
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("route", routeLabel(r.Pattern)),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", sw.bytes),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000),
				slog.String("user", ri.user),
				slog.String("remote", r.RemoteAddr))
			if abort {
				panic(http.ErrAbortHandler)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func routeLabel(p string) string {
	if p == "" {
		return unmatchedRoute
	}
	return p
}
