package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// authorize is the one authorisation helper of both faces: the route
// wrappers (admit) and the few handlers that show or allow more to some
// users ask it, and it asks paved.Authorize about the request's user. It
// never decides anything itself, so the rules stay in one tested place.
func (s *Server) authorize(r *http.Request, act paved.Action, res paved.Resource) error {
	return paved.Authorize(paved.UserFrom(r.Context()), act, res)
}

// A target says how a route finds the resource its action is about (the
// owning team, or the user whose tokens they are), and loads it: the
// handler takes what was loaded from the request (targetOf) instead of
// loading it again. A lookup that fails (404) fails before the action is
// checked, as it would in the handler.
type target struct {
	// What describes the resource, for the route table's reader.
	What string
	// find loads the resource from the request (nil for inBody).
	find func(s *Server, r *http.Request) (*found, paved.Resource, error)
}

// found is what a route's target loaded.
type found struct {
	Service     *paved.Service
	Walkthrough *launch.WalkthroughStatus
	Exception   *paved.Exception
	Reclass     *paved.Reclassification
	Alert       *paved.CostAlert
	Token       *paved.Token
	User        string // the user whose tokens a token route is about
}

var (
	// byService is the service named {name} in the path; its owner team.
	byService = &target{What: "the service {name}", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		svc, err := s.store.FindService(r.Context(), r.PathValue("name"))
		if err != nil {
			return nil, paved.Resource{}, err
		}
		return &found{Service: svc}, paved.Resource{Team: svc.Owner, Service: svc.Name}, nil
	}}
	// byWalkthrough is the walkthrough {id}; its service's owner team.
	byWalkthrough = &target{What: "the walkthrough {id}", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		id, err := pathID(r, "id", "walkthrough")
		if err != nil {
			return nil, paved.Resource{}, err
		}
		ws, err := s.launch.Walkthrough(r.Context(), id)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		svc, err := s.store.FindService(r.Context(), ws.Service)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		return &found{Walkthrough: ws, Service: svc}, paved.Resource{Team: svc.Owner, Service: svc.Name}, nil
	}}
	// byException is the exception {id}; its service's owner team now
	// (not the team that asked, should the service have moved).
	byException = &target{What: "the exception {id}", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		e, svc, err := s.loadException(r)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		return &found{Exception: e, Service: svc}, paved.Resource{Team: svc.Owner, Service: svc.Name}, nil
	}}
	// byReclass is the reclassification request {id}; its service's owner
	// team now.
	byReclass = &target{What: "the reclassification {id}", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		id, err := pathID(r, "id", "reclassification")
		if err != nil {
			return nil, paved.Resource{}, err
		}
		rc, err := s.launch.Reclassification(r.Context(), id)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		svc, err := s.store.FindService(r.Context(), rc.Service)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		return &found{Reclass: rc, Service: svc}, paved.Resource{Team: svc.Owner}, nil
	}}
	// byAlert is the cost alert {id}; its team.
	byAlert = &target{What: "the cost alert {id}", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		id, err := pathID(r, "id", "alert")
		if err != nil {
			return nil, paved.Resource{}, err
		}
		a, err := s.store.FindCostAlert(r.Context(), id)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		return &found{Alert: a}, paved.Resource{Team: a.Team}, nil
	}}
	// byToken is the token {id}; the user it belongs to.
	byToken = &target{What: "the token {id}", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		raw := r.PathValue("id")
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id < 1 {
			return nil, paved.Resource{}, paved.FieldErrorf(paved.EINVALID, "id", "token id %q is not valid: want a whole number >= 1", raw)
		}
		t, err := s.store.FindToken(r.Context(), id)
		if err != nil {
			return nil, paved.Resource{}, err
		}
		return &found{Token: t, User: t.User}, paved.Resource{User: t.User}, nil
	}}
	// byTokenUser is the user of ?user=, the caller when it is absent.
	byTokenUser = &target{What: "the user ?user= (default: the caller)", find: func(s *Server, r *http.Request) (*found, paved.Resource, error) {
		user, err := parseName(r.URL.Query(), "user")
		if err != nil {
			return nil, paved.Resource{}, err
		}
		if me := paved.UserFrom(r.Context()); user == "" && me != nil {
			user = me.Name
		}
		return &found{User: user}, paved.Resource{User: user}, nil
	}}
	// inBody is a resource named in the request body (the owner of a new
	// service, the service of the check an exception is asked for, the
	// user a token is for): the handler reads the body, then checks the
	// route's action on it with s.authorizeRoute.
	inBody = &target{What: "named in the body (the handler calls authorizeRoute)"}
)

type admittedKey struct{}

// admitted is what admit leaves in the request for the handler of a route
// with a target.
type admitted struct {
	route *route
	found *found
}

// noneFound is what targetOf answers for a route without a target.
var noneFound = &found{}

// admit checks that the request's user may do the route's action on its
// target, and hands the route and what its target loaded to the handler.
// Routes whose resource is in the body (inBody) are checked by their
// handler, with the route's action (authorizeRoute). A route without a
// target leaves the request as it is: the hottest reads (the service list,
// the catalog) pay for one Authorize call and nothing else.
func (s *Server) admit(r *http.Request, rt *route) (*http.Request, error) {
	if rt.Target == nil {
		return r, s.authorize(r, rt.Action, paved.Resource{})
	}
	ad := &admitted{route: rt, found: noneFound}
	r = r.WithContext(context.WithValue(r.Context(), admittedKey{}, ad))
	if rt.Target == inBody {
		return r, nil
	}
	f, res, err := rt.Target.find(s, r)
	if err != nil {
		return r, err
	}
	ad.found = f
	return r, s.authorize(r, rt.Action, res)
}

// targetOf is what the route's target loaded (never nil).
func targetOf(r *http.Request) *found {
	if ad, ok := r.Context().Value(admittedKey{}).(*admitted); ok {
		return ad.found
	}
	return noneFound
}

// authorizeRoute checks the route's own action on res: for the resource
// named in the body (inBody routes), and for a second resource of the same
// action (a service given to another owner team). The action is always
// the route table's.
func (s *Server) authorizeRoute(r *http.Request, res paved.Resource) error {
	ad, ok := r.Context().Value(admittedKey{}).(*admitted)
	if !ok {
		// Only routes with a target (inBody among them) carry their route.
		return paved.Errorf(paved.EINTERNAL, "%s %s: the route has no target, so its handler cannot call authorizeRoute", r.Method, r.URL.Path)
	}
	return s.authorize(r, ad.route.Action, res)
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

// errInvalidToken is the API's one answer for a token that is unknown,
// revoked, expired or whose user is retired: telling them apart would
// tell a guesser which tokens once existed.
func invalidToken() error {
	return paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: it is unknown, expired or revoked; create a new one with paved token create or in the portal")
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
			if paved.ErrorCode(err) == paved.EUNAUTHORIZED {
				// The log keeps why (unknown, revoked, expired: the store's
				// message names the token's public prefix, never its secret);
				// the caller gets one answer, as on the portal's sign-in.
				s.log.Info("api authentication refused", "reason", paved.ErrorMessage(err))
				return r, invalidToken()
			}
			return r, err
		}
		s.cache.keepToken(head, hash, u, tok, now)
	}
	r = r.WithContext(context.WithValue(r.Context(), headKey{}, head))
	if u == nil || u.RetiredAt != nil {
		// A retired user keeps no access, whatever tokens they left behind.
		s.log.Info("api authentication refused", "reason", "the token's user is retired")
		return r, invalidToken()
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
