package web

import (
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/exception"
)

// Exceptions over HTTP. The route table authorises each route first
// (paved.Authorize, with the service's owner team as the resource); the
// handler then hands over to exception.Service, which applies the rules that
// depend on the data: who may decide this request (paved.CanDecide), is it
// still open, is the expiry within the maximum. Errors are returned, so
// they all come out as problem+json.

// exceptionFilter parses the query of GET /api/v1/exceptions.
func exceptionFilter(q url.Values) (paved.ExceptionFilter, bool, error) {
	var f paved.ExceptionFilter
	var err error
	if f.Service, err = parseName(q, "service"); err != nil {
		return f, false, err
	}
	if f.Team, err = parseName(q, "team"); err != nil {
		return f, false, err
	}
	if v := q.Get("status"); v != "" {
		if f.Status, err = paved.ParseExceptionStatus(v); err != nil {
			return f, false, asParam("status", err)
		}
	}
	expiring, err := parseBool(q, "expiring")
	if err != nil {
		return f, false, err
	}
	if f.Page, err = parsePage(q); err != nil {
		return f, false, err
	}
	return f, expiring, nil
}

func (s *Server) listExceptions(w http.ResponseWriter, r *http.Request) error {
	f, expiring, err := exceptionFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.exceptions.List(r.Context(), f, expiring)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

func (s *Server) getException(w http.ResponseWriter, r *http.Request) error {
	e := targetOf(r).Exception
	writeJSON(w, http.StatusOK, e)
	return nil
}

// requestException opens requests for deny findings of a recorded check:
// one (by fingerprint), those of one rule on one resource, or every
// uncovered one. 201 when a request was opened, 200 when every one
// selected already existed (or was covered).
func (s *Server) requestException(w http.ResponseWriter, r *http.Request) error {
	var in exception.RequestInput
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	c, err := s.exceptions.Check(r.Context(), in.Check)
	if err != nil {
		return err
	}
	svc, err := s.store.FindService(r.Context(), c.Service)
	if err != nil {
		return err
	}
	if err := s.authorizeRoute(r, paved.Resource{Team: svc.Owner, Service: svc.Name}); err != nil {
		return err
	}
	res, err := s.exceptions.Request(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created > 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) approveException(w http.ResponseWriter, r *http.Request) error {
	var in api.ApproveRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	e := targetOf(r).Exception
	out, err := s.exceptions.Approve(r.Context(), e.ID, in.Expires, in.Conditions)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) rejectException(w http.ResponseWriter, r *http.Request) error {
	var in api.ReasonRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	e := targetOf(r).Exception
	out, err := s.exceptions.Reject(r.Context(), e.ID, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) commentException(w http.ResponseWriter, r *http.Request) error {
	var in api.CommentRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	e := targetOf(r).Exception
	c, err := s.exceptions.Comment(r.Context(), e.ID, in.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) revokeException(w http.ResponseWriter, r *http.Request) error {
	var in api.ReasonRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	e := targetOf(r).Exception
	out, err := s.exceptions.Revoke(r.Context(), e.ID, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// exportExceptions answers the signed offline file of the approved,
// unexpired exceptions (of one service with ?service=).
func (s *Server) exportExceptions(w http.ResponseWriter, r *http.Request) error {
	svc, err := parseName(r.URL.Query(), "service")
	if err != nil {
		return err
	}
	f, err := s.exceptions.Export(r.Context(), svc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) getExceptionKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.exceptions.PublicKey(r.Context())
	if err != nil {
		return err
	}
	pub, err := exception.ParsePublicKey(k)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.PublicKeyResponse{PublicKey: k, KeyID: exception.KeyID(pub)})
	return nil
}

// getCoverage answers which deny findings of a recorded check valid
// exceptions cover (paved check --server --service asks after recording).
func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "check")
	if err != nil {
		return err
	}
	c, err := s.exceptions.Check(r.Context(), id)
	if err != nil {
		return err
	}
	cov, err := s.exceptions.CoverageOf(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cov)
	return nil
}
