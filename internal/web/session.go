package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

const (
	// sessionCookie holds the session secret; the store keeps only its hash.
	sessionCookie = "paved_session"
	// flashCookie carries a one-time message code across a redirect.
	flashCookie = "paved_flash"
)

type sessionKey struct{}

// sessionFrom returns the request's portal session, or nil.
func sessionFrom(ctx context.Context) *paved.Session {
	s, _ := ctx.Value(sessionKey{}).(*paved.Session)
	return s
}

// newSecret returns 256 random bits, URL-safe, for session and CSRF secrets.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// withSession resolves the session cookie. A valid session puts its user
// into the context as the actor (so audit events name them) and the session
// itself for CSRF; an invalid one (expired, deleted, its token revoked) is
// cleared from the browser. Store failures other than "not authenticated"
// are logged and treated as signed out: the page then asks to sign in
// rather than failing with a 500 on every page.
func (s *Server) withSession(w http.ResponseWriter, r *http.Request) *http.Request {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return r
	}
	u, sess, err := s.store.AuthenticateSession(r.Context(), paved.HashToken(c.Value))
	if err != nil {
		if paved.ErrorCode(err) != paved.EUNAUTHORIZED {
			s.log.ErrorContext(r.Context(), "portal session lookup failed",
				"request_id", requestIDFrom(r.Context()), "error", err.Error())
		}
		s.clearCookie(w, sessionCookie)
		return r
	}
	noteActor(r.Context(), u)
	ctx := paved.WithActor(r.Context(), paved.Actor{User: u})
	ctx = context.WithValue(ctx, sessionKey{}, sess)
	return r.WithContext(ctx)
}

// redirectToSignin sends the browser to the sign-in page. GET requests come
// back to where they were; a POST cannot be replayed, so it returns home.
func (s *Server) redirectToSignin(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if next := localPath(r.URL.RequestURI()); next != "/" {
			target += "?next=" + url.QueryEscape(next)
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns p if it is a path on this site, "/" otherwise. It
// refuses everything a browser could resolve to another host: absolute
// URLs, scheme-relative //host, and /\host (browsers read \ as /), as well
// as control characters that browsers strip before resolving.
func localPath(p string) string {
	if p == "" || p[0] != '/' || len(p) > 2048 {
		return "/"
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return p
}

// signinView is the data of signin.html.
type signinView struct {
	Next  string
	CSRF  string // double-submit value: the sign-in form has no session yet
	Error string
	// SSO names the identity provider when single sign-on is configured:
	// the page offers "Sign in with <SSO>" first.
	SSO string
	// TokenSignin shows the token form (server.token_signin).
	TokenSignin bool
	// Idle and Absolute are the session's timeouts, for the page's note.
	Idle, Absolute string
}

// signinPage shows the sign-in form, or moves a signed-in user on.
func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) error {
	next := localPath(r.URL.Query().Get("next"))
	if sessionFrom(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderSignin(w, r, http.StatusOK, next, "")
}

func (s *Server) renderSignin(w http.ResponseWriter, r *http.Request, status int, next, msg string) error {
	// Keep an existing double-submit value, so that a second sign-in tab
	// does not invalidate the form in the first.
	csrf := newSecret()
	if c, err := r.Cookie(signinCSRFCookie); err == nil && len(c.Value) == len(csrf) {
		csrf = c.Value
	}
	http.SetCookie(w, &http.Cookie{
		Name:     signinCSRFCookie,
		Value:    csrf,
		Path:     "/signin",
		MaxAge:   int(time.Hour / time.Second),
		HttpOnly: true,
		Secure:   s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode,
	})
	v := signinView{Next: next, CSRF: csrf, Error: msg, TokenSignin: s.app.TokenSignin,
		Idle: humanDuration(time.Duration(s.app.Session.IdleTimeout)), Absolute: humanDuration(time.Duration(s.app.Session.AbsoluteTimeout))}
	if s.app.SignIns != nil {
		v.SSO = s.app.SignIns.RP.Config().DisplayName()
	}
	return s.renderStatus(w, r, status, "signin.html", v)
}

// humanDuration writes a session timeout as the page says it: "2 hours",
// "30 minutes", "1 day".
func humanDuration(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	switch {
	case d <= 0:
		return ""
	case d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	}
	return unit(int64(d/time.Minute), "minute")
}

// signin exchanges an API token for a portal session.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkSigninCSRF(r); err != nil {
		return err
	}
	next := localPath(r.PostFormValue("next"))
	if !s.app.TokenSignin {
		// server.token_signin: false. People sign in through the
		// provider; a stolen token opens no portal session.
		return s.renderSignin(w, r, http.StatusForbidden, next, "Token sign-in is switched off here: sign in with single sign-on.")
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" {
		return s.renderSignin(w, r, http.StatusBadRequest, next, "Enter your API token.")
	}
	// Too many failed sign-ins from this address: refused before the
	// token is looked at (ratelimit.go).
	addr := clientAddr(r, s.cfg.TrustedProxies)
	if err := s.checkAuthLimit(addr, authFacePortal); err != nil {
		setRetryAfter(w.Header(), err)
		return s.renderSignin(w, r, http.StatusTooManyRequests, next, signinLimitedMessage(err))
	}
	u, tok, err := s.store.Authenticate(r.Context(), paved.HashToken(token))
	if err != nil {
		if paved.ErrorCode(err) == paved.EUNAUTHORIZED {
			s.authFailed(addr, authFacePortal)
			// One message for unknown, expired and revoked tokens: the
			// difference would tell a guesser which tokens once existed.
			return s.renderSignin(w, r, http.StatusUnauthorized, next,
				"That token is not valid: it is unknown, expired or revoked. Create a new one with `paved token create`.")
		}
		return err
	}
	if tok.Scope != nil && tok.Scope.CI != "" {
		// A CI token is a pipeline's, not a person's (the store refuses
		// its session too); same message as any token that cannot sign in.
		s.authFailed(addr, authFacePortal)
		return s.renderSignin(w, r, http.StatusUnauthorized, next,
			"That token is not valid: it is unknown, expired or revoked. Create a new one with `paved token create`.")
	}
	if err := s.startSession(w, r, u, tok.ID); err != nil {
		return err
	}
	s.clearCookieAt(w, signinCSRFCookie, "/signin")
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// signout ends the session in the store, not only in the browser, so that a
// copied cookie stops working too; a single sign-on session also ends the
// provider's session where the provider offers an end-session endpoint
// (it then sends the browser back to the sign-in page).
func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	end := s.endSessionURL(r, sessionFrom(r.Context()))
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.store.DeleteSession(r.Context(), paved.HashToken(c.Value)); err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			return err
		}
	}
	s.clearCookie(w, sessionCookie)
	s.clearCookieAt(w, idTokenCookie, "/signout")
	setFlash(w, s.cfg.SecureCookies, flashSignedOut)
	if end != "" {
		http.Redirect(w, r, end, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) { s.clearCookieAt(w, name, "/") }

func (s *Server) clearCookieAt(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// Flash messages are codes, not text: a cookie is writable by anything that
// can set cookies for the host, so it must not be able to put words on a page.
const (
	flashSaved     = "saved"
	flashSignedOut = "signed-out"
	flashUnchanged = "unchanged"

	// The path to production (portal_launch_forms.go).
	flashAnswered     = "answered"
	flashReviewed     = "reviewed"
	flashCommented    = "commented"
	flashPhase        = "phase"
	flashContact      = "contact"
	flashAssessed     = "assessed"
	flashScheduled    = "scheduled"
	flashCancelled    = "cancelled"
	flashSigned       = "signed"
	flashFollowUp     = "follow-up"
	flashFollowUpDone = "follow-up-done"

	// Reclassification (portal_reclass.go).
	flashReclassRequested = "reclass-requested"
	flashReclassDecided   = "reclass-decided"
	flashReclassWithdrawn = "reclass-withdrawn"
	flashReclassForced    = "reclass-forced"
)

var flashMessages = map[string]string{
	flashSaved:     "Changes saved.",
	flashSignedOut: "You are signed out.",
	flashUnchanged: "Nothing to save: no field was changed.",

	flashAnswered:     "Answer saved.",
	flashReviewed:     "Review saved.",
	flashCommented:    "Comment added.",
	flashPhase:        "Phase changed.",
	flashContact:      "Enablement contact saved.",
	flashAssessed:     "Assessment recorded.",
	flashScheduled:    "Walkthrough scheduled.",
	flashCancelled:    "Walkthrough cancelled.",
	flashSigned:       "Sign-off recorded.",
	flashFollowUp:     "Follow-up added.",
	flashFollowUpDone: "Follow-up marked done.",

	flashReclassRequested: "Saved. Lowering the tier or data class waits for the approval of an architect or security engineer outside the team; until then the launch's gates stay as they are.",
	flashReclassDecided:   "Decision recorded.",
	flashReclassWithdrawn: "Request withdrawn: the classification stays as it is.",
	flashReclassForced:    "Classification set without a decision; the audit log keeps your reason.",
}

func setFlash(w http.ResponseWriter, secure bool, code string) {
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: code, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash returns the pending flash message and clears it.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return flashMessages[c.Value]
}
