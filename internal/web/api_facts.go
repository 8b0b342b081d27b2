package web

import (
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/facts"
)

// Facts (internal/facts): what the collectors observed of a service and
// what its pipelines pushed, the drift between the cluster and the checked
// manifests, and the collectors themselves (admins).

// maxFactPushBytes bounds a push: a pipeline reports a handful of values.
const maxFactPushBytes = 64 << 10

func (s *Server) getFacts(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	fs, err := s.facts.List(r.Context(), svc.Name, r.URL.Query().Get("source"))
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []*paved.Fact{}
	}
	writeJSON(w, http.StatusOK, api.ServiceFacts{Service: svc.Name, Facts: fs})
	return nil
}

// pushFacts records what a pipeline reports, as the caller's (the audit
// log and each fact's actor name the token's user).
func (s *Server) pushFacts(w http.ResponseWriter, r *http.Request) error {
	var req api.FactPushRequest
	if err := decodeJSON(w, r, maxFactPushBytes, &req); err != nil {
		return err
	}
	svc := targetOf(r).Service
	evs, err := s.facts.Push(r.Context(), svc.Name, &facts.Push{Facts: req.Facts, ObservedAt: req.ObservedAt, ExpiresIn: req.ExpiresIn, Version: req.Version})
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []*paved.FactEvent{}
	}
	w.Header().Set("Location", "/api/v1/services/"+url.PathEscape(svc.Name)+"/facts?source="+paved.FactSourcePush)
	writeJSON(w, http.StatusOK, api.FactPushResult{Service: svc.Name, Events: evs})
	return nil
}

func (s *Server) getServiceDrift(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.facts.Drift(r.Context(), targetOf(r).Service.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) listDrift(w http.ResponseWriter, r *http.Request) error {
	reps, err := s.facts.DriftAll(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reps)
	return nil
}

func (s *Server) listCollectors(w http.ResponseWriter, r *http.Request) error {
	h, err := s.facts.Health(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

// runCollector runs a collector once, now, and answers what changed. A
// run over every service can take as long as the collector's timeout;
// the server's 60-second write timeout cuts the answer (not the run) of a
// longer one, so a run over many services is for the job runner or `paved
// facts collect` on the local database.
func (s *Server) runCollector(w http.ResponseWriter, r *http.Request) error {
	only := r.URL.Query()["service"]
	res, err := s.facts.Collect(r.Context(), r.PathValue("name"), only...)
	if err != nil && res == nil {
		return err
	}
	// A failed run still recorded what it observed; the answer says both.
	writeJSON(w, http.StatusOK, res)
	return nil
}
