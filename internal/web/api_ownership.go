package web

import (
	"net/http"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/ownership"
)

// The ownership map over HTTP: the effective map (the config file overlaid
// by admin edits), admin edits, the export back to ownership.yaml, the
// shared-responsibility tables, a service's considerations, its latest
// check resources, and the gap report. Reading is catalog:read; editing
// is ownership:write (admins). ownership.Service does the work.

func (s *Server) getOwnership(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v, err := s.ownership.Show(r.Context(), ownership.Filter{Team: strings.TrimSpace(q.Get("team")), Concern: strings.TrimSpace(q.Get("concern"))})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) putOwnershipConcern(w http.ResponseWriter, r *http.Request) error {
	var req api.OwnershipEditRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	c, err := s.ownership.Edit(r.Context(), &paved.OwnershipEdit{
		Concern: r.PathValue("concern"), Owner: req.Owner, Accountable: req.Accountable,
		Consulted: req.Consulted, Informed: req.Informed, Reason: req.Reason,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteOwnershipConcern(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownership.Reset(r.Context(), r.PathValue("concern"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// writeOwnershipExport sends the effective map as ownership.yaml (the API
// and the portal's download).
func (s *Server) writeOwnershipExport(w http.ResponseWriter, r *http.Request) error {
	b, err := s.ownership.Export(r.Context())
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Content-Disposition", `attachment; filename="ownership.yaml"`)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
	return nil
}

func (s *Server) exportOwnership(w http.ResponseWriter, r *http.Request) error {
	return s.writeOwnershipExport(w, r)
}

func (s *Server) getOwnershipGaps(w http.ResponseWriter, r *http.Request) error {
	g, err := s.ownership.Gaps(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

func (s *Server) listResponsibilities(w http.ResponseWriter, r *http.Request) error {
	ts, err := ownership.Tables()
	if err != nil {
		return err
	}
	writeItems(w, ts)
	return nil
}

func (s *Server) getResponsibilities(w http.ResponseWriter, r *http.Request) error {
	t, err := ownership.Responsibilities(r.PathValue("type"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) getServiceOwnership(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.ownership.ServiceReport(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) getCheckResources(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	rs, err := s.store.LatestCheckResources(r.Context(), svc.Name)
	if err != nil {
		return err
	}
	if rs == nil {
		return paved.Errorf(paved.ENOTFOUND, "no check with resources is recorded for %s yet: record one with paved check --server URL --service %s", svc.Name, svc.Name)
	}
	writeJSON(w, http.StatusOK, rs)
	return nil
}
