package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/identity"
)

// Single sign-on (docs/sso.md): /auth/oidc/start sends the browser to the
// organisation's OpenID provider, /auth/oidc/callback takes its answer
// and starts the usual portal session. The flow (state, nonce, PKCE
// verifier) is in the store under the hash of a short-lived cookie, and
// the callback takes it once (identity.SignIns): a replayed callback, or
// one from another browser, finds nothing.

const (
	// flowCookie holds the secret naming the sign-in in flight. Its path
	// is the callback's; SameSite=Lax, because the callback is a
	// top-level navigation from the provider's site.
	flowCookie = "paved_oidc_flow"
	flowPath   = "/auth/oidc/"
	// idTokenCookie keeps the provider's ID token for the end-session
	// request's id_token_hint at sign-out. It is no credential to paved
	// (the session cookie is), and only /signout receives it.
	idTokenCookie = "paved_oidc_hint"
	// maxHintBytes: an ID token larger than a cookie can hold is not kept
	// (sign-out then ends the provider session without the hint).
	maxHintBytes = 3500
)

// oidcStart begins a single sign-on and redirects to the provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	if s.app.SignIns == nil {
		return paved.Errorf(paved.ENOTFOUND, "single sign-on is not configured (server.oidc)")
	}
	next := localPath(r.URL.Query().Get("next"))
	if sessionFrom(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	cookie, authURL, err := s.app.SignIns.Start(r.Context(), next)
	if err != nil {
		return s.ssoFailed(w, r, next, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: flowCookie, Value: cookie, Path: flowPath,
		MaxAge:   int(identity.FlowTTL / time.Second),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// oidcCallback finishes a single sign-on: the provider's answer is
// verified, the group rules applied, the user created or updated, and a
// portal session started (without a token: it ends at its idle or
// absolute timeout, at sign-out, or when the user is retired).
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.app.SignIns == nil {
		return paved.Errorf(paved.ENOTFOUND, "single sign-on is not configured (server.oidc)")
	}
	var secret string
	if c, err := r.Cookie(flowCookie); err == nil {
		secret = c.Value
	}
	// The flow is used once, whatever happens next.
	s.clearCookieAt(w, flowCookie, flowPath)
	addr := clientAddr(r, s.cfg.TrustedProxies)
	if err := s.checkAuthLimit(addr, authFacePortal); err != nil {
		setRetryAfter(w.Header(), err)
		return s.renderSignin(w, r, http.StatusTooManyRequests, "/", signinLimitedMessage(err))
	}
	done, err := s.app.SignIns.Complete(r.Context(), secret, r.URL.Query())
	if err != nil {
		if r := identity.ReasonOf(err); r != identity.ReasonUnreachable && (r != "" || paved.ErrorCode(err) == paved.EUNAUTHORIZED) {
			s.authFailed(addr, authFacePortal)
		}
		return s.ssoFailed(w, r, "/", err)
	}
	u := done.Result.User
	for _, g := range done.Result.Skipped {
		s.log.WarnContext(r.Context(), "single sign-on: a group rule's grant could not be applied",
			"request_id", requestIDFrom(r.Context()), "user", u.Name, "grant", g)
	}
	if err := s.startSession(w, r, u, 0); err != nil {
		return err
	}
	if done.IDToken != "" && len(done.IDToken) <= maxHintBytes {
		http.SetCookie(w, &http.Cookie{
			Name: idTokenCookie, Value: done.IDToken, Path: "/signout",
			MaxAge:   int(time.Duration(s.app.Session.AbsoluteTimeout) / time.Second),
			HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode,
		})
	}
	http.Redirect(w, r, localPath(done.Next), http.StatusSeeOther)
	return nil
}

// ssoFailed shows the sign-in page with why single sign-on failed; the
// log keeps the reason and the underlying error. Token sign-in stays on
// the page (when it is on), so that a provider that is down locks nobody
// out.
func (s *Server) ssoFailed(w http.ResponseWriter, r *http.Request, next string, err error) error {
	reason := identity.ReasonOf(err)
	if reason == "" && paved.ErrorCode(err) == paved.EINTERNAL {
		return err
	}
	s.log.WarnContext(r.Context(), "single sign-on refused",
		slog.String("request_id", requestIDFrom(r.Context())),
		slog.String("reason", reason),
		slog.String("error", err.Error()))
	status := http.StatusUnauthorized
	msg := "Single sign-on failed: " + paved.ErrorMessage(err) + "."
	if reason == identity.ReasonUnreachable {
		status = http.StatusServiceUnavailable
		msg = "The sign-in provider cannot be reached right now. Try again in a minute"
		if s.app.TokenSignin {
			msg += ", or sign in with an API token below"
		}
		msg += "."
	} else if code := paved.ErrorCode(err); code == paved.EFORBIDDEN {
		status = http.StatusForbidden
	}
	return s.renderSignin(w, r, status, next, msg)
}

// startSession starts a portal session for u, signed in with the token
// tokenID, or through single sign-on (tokenID 0), with the configured idle
// and absolute timeouts, and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *paved.User, tokenID int64) error {
	secret := newSecret()
	now := s.now()
	sess := &paved.Session{
		Hash:        paved.HashToken(secret),
		User:        u.Name,
		TokenID:     tokenID,
		CSRF:        newSecret(),
		CreatedAt:   now,
		ExpiresAt:   now.Add(time.Duration(s.app.Session.AbsoluteTimeout)),
		IdleTimeout: time.Duration(s.app.Session.IdleTimeout),
	}
	if tokenID == 0 {
		sess.Method = paved.SigninOIDC
	}
	ctx := paved.WithActor(r.Context(), paved.Actor{User: u})
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    secret,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		MaxAge:   int(sess.ExpiresAt.Sub(now) / time.Second),
		HttpOnly: true,
		Secure:   s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// endSessionURL is where sign-out sends a single sign-on user: the
// provider's end-session endpoint, which comes back to the sign-in page.
// "" when the provider offers none (or cannot be reached): the paved
// session is ended either way.
func (s *Server) endSessionURL(r *http.Request, sess *paved.Session) string {
	if s.app.SignIns == nil || sess == nil || sess.Method != paved.SigninOIDC {
		return ""
	}
	var hint string
	if c, err := r.Cookie(idTokenCookie); err == nil {
		hint = c.Value
	}
	back := ""
	if cb, err := url.Parse(s.app.SignIns.RP.Config().RedirectURL); err == nil && cb.Scheme != "" && cb.Host != "" {
		back = (&url.URL{Scheme: cb.Scheme, Host: cb.Host, Path: "/signin"}).String()
	}
	u, ok := s.app.SignIns.RP.EndSessionURL(r.Context(), hint, back)
	if !ok {
		return ""
	}
	if eu, err := url.Parse(u); err != nil || eu.Scheme+"://"+eu.Host != s.app.SignIns.RP.Config().Origin() {
		// The portal's form-action allows the issuer's origin only
		// (cspWithSignOut): a browser would refuse the redirect.
		s.log.WarnContext(r.Context(), "single sign-on: the provider's end-session endpoint is on another origin than the issuer; signing out of paved only",
			"request_id", requestIDFrom(r.Context()), "end_session_host", hostOf(u))
		return ""
	}
	return u
}

// ciToken is POST /api/v1/auth/ci-token: the CI token exchange. The job's
// ID token is the credential, so the route takes no bearer token; an
// address whose exchanges keep failing is limited like failed sign-ins.
func (s *Server) ciToken(w http.ResponseWriter, r *http.Request) error {
	addr := clientAddr(r, s.cfg.TrustedProxies)
	if err := s.checkAuthLimit(addr, authFaceCI); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, identity.MaxExchangeBytes))
	if err != nil {
		return paved.Errorf(paved.ETOOLARGE, "the request is larger than %d bytes", identity.MaxExchangeBytes)
	}
	req, err := identity.ParseExchange(r.Header.Get("Content-Type"), body)
	if err != nil {
		return err
	}
	resp, id, err := s.app.CITokens.Exchange(r.Context(), req)
	if err != nil {
		reason := identity.ReasonOf(err)
		attrs := []any{"request_id", requestIDFrom(r.Context()), "reason", reason, "error", err.Error()}
		if id != nil {
			attrs = append(attrs, "ci", id.Recorder())
		}
		s.log.WarnContext(r.Context(), "CI token exchange refused", attrs...)
		p := identity.ProblemOf(err)
		if c := paved.ErrorCode(p); c == paved.EUNAUTHORIZED || c == paved.EFORBIDDEN {
			s.authFailed(addr, authFaceCI)
		}
		return p
	}
	s.log.InfoContext(r.Context(), "CI token issued", "request_id", requestIDFrom(r.Context()),
		"ci", id.Recorder(), "services", strings.Join(resp.Services, ","), "expires_at", resp.ExpiresAt)
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// signinsView is the data of signins.html.
type signinsView struct {
	SignIns []*paved.ExternalIdentity
	Pager   pager
}

// unmappedSignInsPage lists the people whose last single sign-on matched
// no group rule (admins: they sign in without write access).
func (s *Server) unmappedSignInsPage(w http.ResponseWriter, r *http.Request) error {
	page := pageNumber(r)
	list, total, err := s.store.FindUnmappedSignIns(r.Context(), pageOf(page))
	if err != nil {
		return err
	}
	return s.render(w, r, "signins.html", signinsView{SignIns: list, Pager: newPager(r, page, len(list), total)})
}

// hostOf is the host of a URL, for logs that must not carry its query (an
// end-session URL holds the ID token as hint).
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
