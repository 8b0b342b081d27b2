package web

import (
	"net/http"
	"net/url"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	f, err := teamFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.store.FindTeams(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

// teamFilter parses the query of GET /api/v1/teams.
func teamFilter(q url.Values) (paved.TeamFilter, error) {
	var f paved.TeamFilter
	var err error
	if v := q.Get("kind"); v != "" {
		if f.Kind, err = paved.ParseTeamKind(v); err != nil {
			return f, asParam("kind", err)
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

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := s.store.FindTeam(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// prepareNewTeam clears what the store owns (ids, times, the read-only
// member and service lists) and validates the rest.
func prepareNewTeam(t *paved.Team) error {
	t.ID = 0
	t.CreatedAt, t.UpdatedAt, t.RetiredAt = time.Time{}, time.Time{}, nil
	t.Members, t.Children, t.Services = nil, nil, 0
	return t.Validate()
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	var t paved.Team
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &t); err != nil {
		return err
	}
	if err := prepareNewTeam(&t); err != nil {
		return err
	}
	if err := s.store.CreateTeam(r.Context(), &t); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/teams/"+url.PathEscape(t.Name))
	writeJSON(w, http.StatusCreated, &t)
	return nil
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) error {
	var up paved.TeamUpdate
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &up); err != nil {
		return err
	}
	name := r.PathValue("name")
	cur, err := s.store.FindTeam(r.Context(), name)
	if err != nil {
		return err
	}
	next := *cur
	up.Apply(&next)
	if err := next.Validate(); err != nil {
		return err
	}
	t, err := s.store.UpdateTeam(r.Context(), name, up)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) retireTeam(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.store.RetireTeam(r.Context(), name); err != nil {
		return err
	}
	t, err := s.store.FindTeam(r.Context(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
