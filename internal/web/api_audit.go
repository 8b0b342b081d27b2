package web

import (
	"net/http"
	"net/url"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.store.FindAuditEvents(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

// auditObjectTypes are the object types audit events are written for:
// every type the log holds (paved.AuditObjectTypes).
var auditObjectTypes = paved.AuditObjectTypes

// auditFilter parses the query of GET /api/v1/audit.
func auditFilter(q url.Values) (paved.AuditFilter, error) {
	var f paved.AuditFilter
	var err error
	if v := q.Get("object_type"); v != "" {
		ok := false
		for _, t := range auditObjectTypes {
			ok = ok || v == t
		}
		if !ok {
			return f, paved.FieldErrorf(paved.EINVALID, "object_type", "unknown object_type %q: want one of %s", v, strings.Join(auditObjectTypes, ", "))
		}
		f.ObjectType = v
	}
	if f.ObjectID, err = parseText(q, "object_id"); err != nil {
		return f, err
	}
	if f.Actor, err = parseText(q, "actor"); err != nil {
		return f, err
	}
	f.Page, err = parsePage(q)
	return f, err
}

// verifyAudit streams the whole log through the chain check, so memory
// does not grow with the log.
// It expects the head the server knows (paved.VerifyAuditLog): a log
// whose tail was deleted under a live server is not intact.
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	var expect []paved.AuditHead
	for _, x := range r.URL.Query()["expect"] {
		h, err := paved.ParseAuditHead(x)
		if err != nil {
			return paved.FieldErrorf(paved.EINVALID, "expect", "%v", err)
		}
		expect = append(expect, h)
	}
	v, known, err := paved.VerifyAuditLog(r.Context(), s.store, expect...)
	if err != nil {
		return err
	}
	res := api.AuditVerification{Events: v.Events(), Problems: v.Problems(), Head: v.Head(), Known: known}
	res.OK = len(res.Problems) == 0
	if res.Problems == nil {
		res.Problems = []paved.ChainProblem{}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// anchorAudit signs the head of the verified log with the server's key.
func (s *Server) anchorAudit(w http.ResponseWriter, r *http.Request) error {
	a, err := s.exceptions.AnchorAuditLog(r.Context(), s.store)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
