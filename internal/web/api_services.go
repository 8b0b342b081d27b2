package web

import (
	"fmt"
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// listServices is the hot path of the catalog: one authorisation check
// (no I/O), one store query, one encode. It writes nothing.
func (s *Server) listServices(w http.ResponseWriter, r *http.Request) error {
	f, err := serviceFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// Every reader sees the same catalog, so the answer depends on the
	// filter alone and can be shared between users (see readCache).
	key := fmt.Sprintf("services|%+v", f)
	head, cacheable := headFrom(r.Context())
	if cacheable {
		if body, ok := s.cache.answer(head, key); ok {
			writeBody(w, http.StatusOK, "application/json", body)
			return nil
		}
	}
	items, total, err := s.store.FindServices(r.Context(), f)
	if err != nil {
		return err
	}
	body, err := encodeJSON(api.NewList(items, total, f.Page))
	if err != nil {
		return err
	}
	if cacheable {
		s.cache.keep(head, key, body)
	}
	writeBody(w, http.StatusOK, "application/json", body)
	return nil
}

// serviceFilter parses the query of GET /api/v1/services.
func serviceFilter(q url.Values) (paved.ServiceFilter, error) {
	var f paved.ServiceFilter
	var err error
	if f.Team, err = parseName(q, "team"); err != nil {
		return f, err
	}
	if v := q.Get("phase"); v != "" {
		if f.Phase, err = paved.ParsePhase(v); err != nil {
			return f, asParam("phase", err)
		}
	}
	if v := q.Get("tier"); v != "" {
		if f.Tier, err = paved.ParseTier(v); err != nil {
			return f, asParam("tier", err)
		}
	}
	if v := q.Get("data_class"); v != "" {
		if f.DataClass, err = paved.ParseDataClass(v); err != nil {
			return f, asParam("data_class", err)
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

func (s *Server) getService(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.store.FindService(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request) error {
	var svc paved.Service
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &svc); err != nil {
		return err
	}
	if err := paved.PrepareNewService(&svc, s.app.ServiceDefaults(), paved.UserFrom(r.Context())); err != nil {
		return err
	}
	if err := s.authorizeRoute(r, paved.Resource{Team: svc.Owner}); err != nil {
		return err
	}
	if err := s.store.CreateService(r.Context(), &svc); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/services/"+url.PathEscape(svc.Name))
	writeJSON(w, http.StatusCreated, &svc)
	return nil
}

// updateService applies a partial update. A developer must belong to the
// current owner and, when the owner changes, to the new owner too: nobody
// may push a service onto a team, or take one from a team, they are not in.
func (s *Server) updateService(w http.ResponseWriter, r *http.Request) error {
	var up paved.ServiceUpdate
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &up); err != nil {
		return err
	}
	name, cur := r.PathValue("name"), targetOf(r).Service
	if up.Owner != nil && *up.Owner != cur.Owner {
		if err := s.authorizeRoute(r, paved.Resource{Team: *up.Owner}); err != nil {
			return err
		}
	}
	next := *cur
	up.Apply(&next)
	if err := next.Validate(); err != nil {
		return err
	}
	// Through the launch rules: lowering the classification of a launch
	// under way becomes a reclassification request (202, Location names
	// it) and the service keeps its tier and data class.
	res, err := s.launch.UpdateService(r.Context(), name, up, up.ReclassifyReason)
	if err != nil {
		return err
	}
	if res.Reclassification != nil {
		w.Header().Set("Location", reclassPath(res.Reclassification.ID))
		writeJSON(w, http.StatusAccepted, res.Service)
		return nil
	}
	writeJSON(w, http.StatusOK, res.Service)
	return nil
}

func (s *Server) retireService(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.store.RetireService(r.Context(), name); err != nil {
		return err
	}
	svc, err := s.store.FindService(r.Context(), name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}
