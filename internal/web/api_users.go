package web

import (
	"net/http"
	"net/url"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// getMe returns the signed-in user: the cheapest way for a client to check
// its token and learn its roles and teams.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	u := paved.UserFrom(r.Context())
	if u == nil {
		return paved.Errorf(paved.EUNAUTHORIZED, "sign in with an API token (Authorization: Bearer ...)")
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.store.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

// userFilter parses the query of GET /api/v1/users.
func userFilter(q url.Values) (paved.UserFilter, error) {
	var f paved.UserFilter
	var err error
	if f.Team, err = parseName(q, "team"); err != nil {
		return f, err
	}
	if v := q.Get("role"); v != "" {
		if f.Role, err = paved.ParseRole(v); err != nil {
			return f, asParam("role", err)
		}
	}
	if f.Query, err = parseText(q, "q"); err != nil {
		return f, err
	}
	if f.IncludeRetired, err = parseBool(q, "include_retired"); err != nil {
		return f, err
	}
	f.Page, err = parsePage(q)
	return f, err
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.store.FindUser(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// prepareNewUser clears what the store owns and validates the rest.
func prepareNewUser(u *paved.User) error {
	u.ID = 0
	u.CreatedAt, u.UpdatedAt, u.RetiredAt = time.Time{}, time.Time{}, nil
	return u.Validate()
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var u paved.User
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &u); err != nil {
		return err
	}
	if err := prepareNewUser(&u); err != nil {
		return err
	}
	if err := s.store.CreateUser(r.Context(), &u); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+url.PathEscape(u.Name))
	writeJSON(w, http.StatusCreated, &u)
	return nil
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var up paved.UserUpdate
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &up); err != nil {
		return err
	}
	name := r.PathValue("name")
	cur, err := s.store.FindUser(r.Context(), name)
	if err != nil {
		return err
	}
	next := *cur
	up.Apply(&next)
	if err := next.Validate(); err != nil {
		return err
	}
	u, err := s.store.UpdateUser(r.Context(), name, up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) retireUser(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.store.RetireUser(r.Context(), name); err != nil {
		return err
	}
	u, err := s.store.FindUser(r.Context(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
