package web

import (
	"net/http"
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// Reclassification over HTTP (issue 15 §1). The route table authorises
// each route (paved.Authorize with the service's owner team); the handler
// hands over to launch.Service, which decides who may decide this request
// (paved.CanDecideReclassification), first on the request as read and
// again in the store's transaction.

func reclassPath(id int64) string { return "/api/v1/reclassifications/" + strconv.FormatInt(id, 10) }

// reclassFilter parses the query of GET /api/v1/reclassifications.
func reclassFilter(q url.Values) (paved.ReclassFilter, error) {
	var f paved.ReclassFilter
	var err error
	if f.Service, err = parseName(q, "service"); err != nil {
		return f, err
	}
	if v := q.Get("status"); v != "" {
		f.Status = paved.ReclassStatus(v)
		if !f.Status.Valid() {
			return f, paved.FieldErrorf(paved.EINVALID, "status", "unknown status %q: want pending, approved, rejected, forced or withdrawn", v)
		}
	}
	f.Page, err = parsePage(q)
	return f, err
}

func (s *Server) listReclass(w http.ResponseWriter, r *http.Request) error {
	f, err := reclassFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.launch.Reclassifications(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

func (s *Server) getReclass(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, targetOf(r).Reclass)
	return nil
}

// requestReclass asks for a classification: 201 with the request when it
// lowers a launch under way, 200 when it was applied at once (raising, or
// a playground service whose launch has not started).
func (s *Server) requestReclass(w http.ResponseWriter, r *http.Request) error {
	var in api.ReclassifyRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	svc := targetOf(r).Service
	res, err := s.launch.RequestReclassification(r.Context(), svc.Name, paved.Classification{Tier: in.Tier, DataClass: in.DataClass}, in.Reason)
	if err != nil {
		return err
	}
	if res.Reclassification != nil {
		w.Header().Set("Location", reclassPath(res.Reclassification.ID))
		writeJSON(w, http.StatusCreated, res)
		return nil
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) forceReclass(w http.ResponseWriter, r *http.Request) error {
	var in api.ReclassifyRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	svc := targetOf(r).Service
	out, err := s.launch.ForceReclassification(r.Context(), svc.Name, paved.Classification{Tier: in.Tier, DataClass: in.DataClass}, in.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Location", reclassPath(out.ID))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// withdrawReclass withdraws the caller's own pending request (launch.Service
// checks that the caller asked it).
func (s *Server) withdrawReclass(w http.ResponseWriter, r *http.Request) error {
	out, err := s.launch.WithdrawReclassification(r.Context(), targetOf(r).Reclass.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) approveReclass(w http.ResponseWriter, r *http.Request) error {
	return s.decideReclass(w, r, true)
}

func (s *Server) rejectReclass(w http.ResponseWriter, r *http.Request) error {
	return s.decideReclass(w, r, false)
}

func (s *Server) decideReclass(w http.ResponseWriter, r *http.Request, approve bool) error {
	var in api.DecideRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	out, err := s.launch.DecideReclassification(r.Context(), targetOf(r).Reclass.ID, approve, in.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
