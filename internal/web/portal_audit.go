package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	paved "github.com/paved-dev/paved"
)

type auditView struct {
	ObjectType, ObjectID, Actor string
	ObjectTypes                 []string
	Events                      []*paved.AuditEvent
	Pager                       pager
	Chain                       chainResult
}

// chainResult is the outcome of verifying the whole log.
type chainResult struct {
	Events   int
	Problems []paved.ChainProblem
	// Head is the log's last event; Known the head the server wrote or
	// verified, which the log must reach.
	Head, Known paved.AuditHead
	// More counts problems beyond those listed: a badly damaged log could
	// otherwise produce a page as long as the log.
	More int
}

// maxChainProblemsShown bounds the problems listed on the audit page.
const maxChainProblemsShown = 20

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := auditView{
		ObjectType:  strings.TrimSpace(q.Get("object_type")),
		ObjectID:    strings.TrimSpace(q.Get("object_id")),
		Actor:       strings.TrimSpace(q.Get("actor")),
		ObjectTypes: auditObjectTypes, // the API's list: the same log, the same types
	}
	page := pageNumber(r)
	events, total, err := s.store.FindAuditEvents(r.Context(), paved.AuditFilter{
		ObjectType: v.ObjectType, ObjectID: v.ObjectID, Actor: v.Actor, Page: pageOf(page),
	})
	if err != nil {
		return err
	}
	v.Events = events
	v.Pager = newPager(r, page, len(events), total)
	if v.Chain, err = s.verifyAuditChain(r); err != nil {
		return err
	}
	return s.render(w, r, "audit.html", v)
}

// verifyAuditChain checks the whole log, streamed from the store through a
// paved.ChainVerifier so that memory does not grow with the log. A chain
// can only be verified from its start, so every page view reads it all;
// the audit page is for a handful of people.
func (s *Server) verifyAuditChain(r *http.Request) (chainResult, error) {
	v, known, err := paved.VerifyAuditLog(r.Context(), s.store)
	if err != nil {
		return chainResult{}, fmt.Errorf("portal: read audit log for verification: %w", err)
	}
	res := chainResult{Events: v.Events(), Problems: v.Problems(), Head: v.Head(), Known: known}
	if n := len(res.Problems); n > maxChainProblemsShown {
		res.More = n - maxChainProblemsShown
		res.Problems = res.Problems[:maxChainProblemsShown]
	}
	return res, nil
}

// auditObjectURL links an audit event to the portal page of its object,
// or returns "" when there is none (tokens, whole-catalog imports).
func auditObjectURL(e *paved.AuditEvent) string {
	switch e.ObjectType {
	case "service":
		return "/services/" + url.PathEscape(e.ObjectID)
	case "team":
		return "/teams/" + url.PathEscape(e.ObjectID)
	case "user":
		return "/users/" + url.PathEscape(e.ObjectID)
	}
	return ""
}
