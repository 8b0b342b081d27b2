package web

import (
	"crypto/subtle"
	"errors"
	"net/http"

	paved "github.com/paved-dev/paved"
)

// CSRF defence for the portal, in two layers, because the session cookie is
// sent by the browser on its own:
//
//   - Every state-changing request must come from this site by the
//     browser's own account (Sec-Fetch-Site, or Origin against Host), via
//     net/http's CrossOriginProtection. Old clients that send neither
//     header fall through to the token check.
//   - Every form echoes a secret in the hidden field "csrf": the session's
//     CSRF secret, or, on the sign-in form where no session exists yet, a
//     double-submit cookie scoped to /signin. Tokens are compared in
//     constant time.

const (
	csrfField        = "csrf"
	signinCSRFCookie = "paved_signin_csrf"
)

// errCSRF is the one answer to a failed check; it does not say which layer
// failed, which would only help an attacker tune a forgery.
func errCSRF() error {
	return paved.Errorf(paved.EFORBIDDEN,
		"This form could not be verified as coming from this site, so nothing was changed. "+
			"Go back, reload the page and submit the form again.")
}

// checkCSRF checks a signed-in user's state-changing request against the
// session's secret.
func (s *Server) checkCSRF(r *http.Request, secret string) error {
	if err := s.portal.crossOrigin.Check(r); err != nil {
		return errCSRF()
	}
	if err := parseForm(r); err != nil {
		return err
	}
	return checkToken(r.PostFormValue(csrfField), secret)
}

// parseForm parses the body up front: PostFormValue would swallow a read
// error, and an oversized form would then fail as a forgery instead of
// with 413.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return paved.Errorf(paved.EINVALID, "the form could not be read: %v", err)
	}
	return nil
}

// checkSigninCSRF checks the sign-in form against its double-submit cookie.
// Without it, another site could sign a victim in with the attacker's token
// (login CSRF) and watch what they then enter.
func (s *Server) checkSigninCSRF(r *http.Request) error {
	if err := s.portal.crossOrigin.Check(r); err != nil {
		return errCSRF()
	}
	if err := parseForm(r); err != nil {
		return err
	}
	c, err := r.Cookie(signinCSRFCookie)
	if err != nil {
		return errCSRF()
	}
	return checkToken(r.PostFormValue(csrfField), c.Value)
}

func checkToken(got, want string) error {
	if got == "" || want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errCSRF()
	}
	return nil
}
