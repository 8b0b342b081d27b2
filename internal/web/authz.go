package web

import (
	"context"
	"net/http"
	"strings"

	paved "github.com/paved-dev/paved"
)

// authorize is the one authorisation helper of both faces: API handlers and
// portal pages ask it, and it asks paved.Authorize about the request's user.
// It never decides anything itself, so the rules stay in one tested place.
func (s *Server) authorize(r *http.Request, act paved.Action, res paved.Resource) error {
	return paved.Authorize(paved.UserFrom(r.Context()), act, res)
}

// bearerToken extracts the secret of an "Authorization: Bearer <token>"
// header. The scheme is case-insensitive (RFC 9110 §11.1).
func bearerToken(h string) (string, error) {
	if h == "" {
		return "", paved.Errorf(paved.EUNAUTHORIZED, "missing credentials: send an API token as Authorization: Bearer <token>")
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", paved.Errorf(paved.EUNAUTHORIZED, "unsupported Authorization scheme: send an API token as Authorization: Bearer <token>")
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || len(tok) > 512 {
		return "", paved.Errorf(paved.EUNAUTHORIZED, "malformed bearer token: send an API token as Authorization: Bearer <token>")
	}
	return tok, nil
}

// authenticateBearer resolves the bearer token of r to a user and returns
// the request with that user as the actor of its context. Unknown, revoked
// and expired tokens all fail alike with EUNAUTHORIZED, so a caller learns
// nothing about which tokens exist. authenticateAPI (ratelimit.go) calls
// it unless the client's address has failed too often.
func (s *Server) authenticateBearer(r *http.Request) (*http.Request, error) {
	secret, err := bearerToken(r.Header.Get("Authorization"))
	if err != nil {
		return r, err
	}
	hash := paved.HashToken(secret)
	head, err := s.store.AuditHead(r.Context()) // fail rather than risk a stale answer
	if err != nil {
		return r, err
	}
	now := s.now()
	u, tok, ok := s.cache.token(head, hash, now)
	if !ok {
		if u, tok, err = s.store.Authenticate(r.Context(), hash); err != nil {
			return r, err
		}
		s.cache.keepToken(head, hash, u, tok, now)
	}
	r = r.WithContext(context.WithValue(r.Context(), headKey{}, head))
	if u == nil || u.RetiredAt != nil {
		// A retired user keeps no access, whatever tokens they left behind.
		return r, paved.Errorf(paved.EUNAUTHORIZED, "the token's user is retired")
	}
	noteActor(r.Context(), u)
	return r.WithContext(paved.WithActor(r.Context(), paved.Actor{User: u})), nil
}

// headKey carries the audit head read during authentication, so a cached
// read in the same request needs no second lookup.
type headKey struct{}

func headFrom(ctx context.Context) (int64, bool) {
	h, ok := ctx.Value(headKey{}).(int64)
	return h, ok
}
