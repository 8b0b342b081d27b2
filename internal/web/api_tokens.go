package web

import (
	"net/http"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	target := targetOf(r).User
	if _, err := s.store.FindUser(r.Context(), target); err != nil {
		return err
	}
	toks, err := s.store.FindTokens(r.Context(), target)
	if err != nil {
		return err
	}
	// Tokens are few per user: one page holds them all.
	writeJSON(w, http.StatusOK, api.NewList(toks, len(toks), paved.Page{Limit: len(toks)}))
	return nil
}

// MaxTokenDays bounds token lifetimes (paved.MaxTokenDays).
const MaxTokenDays = paved.MaxTokenDays

// newToken validates req and builds the token to store, with its secret.
// It is a plain function so that the rules are tested without HTTP; the
// rules themselves are paved.NewToken's.
func newToken(req api.TokenRequest, now time.Time) (*paved.Token, string, error) {
	days := 0
	if req.ExpiresInDays != nil {
		// Present means a lifetime: 0 here is a mistake, not "never".
		if days = *req.ExpiresInDays; days < 1 {
			return nil, "", paved.FieldErrorf(paved.EINVALID, "expires_in_days", "expires_in_days %d is out of range: want 1 to %d, or leave it out for a token that does not expire", days, MaxTokenDays)
		}
	}
	scope, err := paved.ParseTokenScope(req.Scope)
	if err != nil {
		return nil, "", err
	}
	t, secret, err := paved.NewToken(req.User, req.Name, days, now, "expires_in_days")
	if err != nil {
		return nil, "", err
	}
	t.Scope = scope
	return t, secret, nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req api.TokenRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	me := paved.UserFrom(r.Context())
	if req.User == "" && me != nil {
		req.User = me.Name
	}
	if err := s.authorizeRoute(r, paved.Resource{User: req.User}); err != nil {
		return err
	}
	t, secret, err := newToken(req, s.now())
	if err != nil {
		return err
	}
	owner, err := s.store.FindUser(r.Context(), req.User)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return paved.FieldErrorf(paved.EUNPROCESSABLE, "user", "user %q does not exist", req.User)
	} else if err != nil {
		return err
	}
	if owner.RetiredAt != nil {
		return paved.FieldErrorf(paved.EUNPROCESSABLE, "user", "user %q is retired: a retired user gets no new tokens", req.User)
	}
	// A token made with a token (or from a portal session signed in with
	// one) is its child: it expires no later than it, is no wider, and is
	// revoked with it (issue 15 §2; the store enforces all three).
	if me != nil {
		t.ParentID = me.TokenID
	}
	if err := s.store.CreateToken(r.Context(), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.TokenCreated{Token: t, Secret: secret})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id := targetOf(r).Token.ID
	if err := s.store.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	t, err := s.store.FindToken(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
