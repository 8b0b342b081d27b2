package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/launch"
)

// The path to production over HTTP. The route table authorises each route
// first (paved.Authorize, with the service's owner team as the resource);
// the handler then hands over to launch.Service, which applies the rules
// that depend on the data (gates, who may sign in which role, template
// versions). Errors are returned, so they all come out as problem+json.

// maxCheckBytes bounds a recorded check: findings of a very large plan run
// to some megabytes, never more.
const maxCheckBytes = 16 << 20

// decisions are the sign-off decisions in the order they are offered (the
// OpenAPI enum; launch.CanSign decides what is valid).
var decisions = []paved.Decision{paved.DecisionApprove, paved.DecisionRequestChanges, paved.DecisionVeto}

// pathID reads a positive integer path parameter.
func pathID(r *http.Request, name, what string) (int64, error) {
	raw := r.PathValue(name)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return 0, paved.FieldErrorf(paved.EINVALID, name, "%s id %q is not valid: want a whole number >= 1", what, raw)
	}
	return id, nil
}

func writeItems[T any](w http.ResponseWriter, items []T) {
	writeJSON(w, http.StatusOK, api.NewList(items, len(items), paved.Page{Limit: len(items)}))
}

func (s *Server) getLaunch(w http.ResponseWriter, r *http.Request) error {
	st, err := s.launch.Status(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// packetCSP lets the self-contained HTML packet use its inline styles and
// nothing else: no script, no remote resource.
const packetCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) getPacket(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	switch format {
	case "", "md", "markdown":
		format = "md"
	case "html":
	default:
		return paved.FieldErrorf(paved.EINVALID, "format", "format %q is not valid: want md or html", format)
	}
	p, err := s.launch.Packet(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	ctype := "text/markdown; charset=utf-8"
	if format == "html" {
		ctype = "text/html; charset=utf-8"
		err = launch.WritePacketHTML(&buf, p)
	} else {
		err = launch.WritePacketMarkdown(&buf, p)
	}
	if err != nil {
		return err
	}
	if format == "html" {
		w.Header().Set("Content-Security-Policy", packetCSP)
	}
	writeBody(w, http.StatusOK, ctype, buf.Bytes())
	return nil
}

func (s *Server) getReadiness(w http.ResponseWriter, r *http.Request) error {
	pts, err := s.launch.Readiness(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeItems(w, pts)
	return nil
}

func (s *Server) upgradeLaunch(w http.ResponseWriter, r *http.Request) error {
	var req api.UpgradeRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	svc := targetOf(r).Service
	kind, err := paved.ParseTemplateKind(string(req.Kind))
	if err != nil {
		return err
	}
	up, err := s.launch.Upgrade(r.Context(), svc.Name, kind, req.Apply)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, up)
	return nil
}

func (s *Server) putContact(w http.ResponseWriter, r *http.Request) error {
	var req api.ContactRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	svc := targetOf(r).Service
	if err := s.launch.SetContact(r.Context(), svc.Name, req.User); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.ContactResponse{Service: svc.Name, Contact: req.User})
	return nil
}

func (s *Server) putAnswer(w http.ResponseWriter, r *http.Request) error {
	var in launch.AnswerInput
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	svc := targetOf(r).Service
	a, err := s.launch.Answer(r.Context(), svc.Name, r.PathValue("item"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) getAnswerHistory(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	revs, err := s.launch.History(r.Context(), svc.Name, r.PathValue("item"))
	if err != nil {
		return err
	}
	writeItems(w, revs)
	return nil
}

func (s *Server) reviewAnswer(w http.ResponseWriter, r *http.Request) error {
	var rv paved.AnswerReview
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &rv); err != nil {
		return err
	}
	svc := targetOf(r).Service
	a, err := s.launch.Review(r.Context(), svc.Name, r.PathValue("item"), rv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	cs, err := s.launch.Comments(r.Context(), svc.Name, r.PathValue("item"))
	if err != nil {
		return err
	}
	writeItems(w, cs)
	return nil
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) error {
	var req api.CommentRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	svc := targetOf(r).Service
	c, err := s.launch.Comment(r.Context(), svc.Name, r.PathValue("item"), req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) addAssessment(w http.ResponseWriter, r *http.Request) error {
	var a paved.Assessment
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &a); err != nil {
		return err
	}
	svc := targetOf(r).Service
	if a.Service != "" && a.Service != svc.Name {
		return paved.FieldErrorf(paved.EINVALID, "service", "the body names service %q but the path %q: leave service out", a.Service, svc.Name)
	}
	a.Service = svc.Name
	out, err := s.launch.Assess(r.Context(), svc.Name, &a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) changePhase(w http.ResponseWriter, r *http.Request) error {
	var req api.PhaseRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	svc := targetOf(r).Service
	if req.To != "" {
		var err error
		if req.To, err = paved.ParsePhase(string(req.To)); err != nil {
			return asParam("to", err)
		}
	}
	if req.Force {
		// Past the gate: launch:force as well (admins only).
		if err := s.authorize(r, paved.ActForcePhase, paved.Resource{Team: svc.Owner}); err != nil {
			return err
		}
	}
	pc, err := s.launch.Advance(r.Context(), svc.Name, req.To, req.Force, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pc)
	return nil
}

func (s *Server) scheduleWalkthrough(w http.ResponseWriter, r *http.Request) error {
	var req api.WalkthroughRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	svc := targetOf(r).Service
	at, err := launch.ParseScheduledAt(req.ScheduledAt)
	if err != nil {
		return asParam("scheduled_at", err)
	}
	ws, err := s.launch.Schedule(r.Context(), svc.Name, at, req.Participants)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/walkthroughs/"+strconv.FormatInt(ws.ID, 10))
	writeJSON(w, http.StatusCreated, ws)
	return nil
}

func (s *Server) getWalkthrough(w http.ResponseWriter, r *http.Request) error {
	ws := targetOf(r).Walkthrough
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) cancelWalkthrough(w http.ResponseWriter, r *http.Request) error {
	ws := targetOf(r).Walkthrough
	// The body is optional: {"reason": "..."} (required of an admin
	// cancelling a walkthrough in which a signer objected).
	var body api.ReasonRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &body); err != nil {
			return err
		}
	}
	if err := s.launch.CancelWalkthrough(r.Context(), ws.ID, body.Reason); err != nil {
		return err
	}
	ws, err := s.launch.Walkthrough(r.Context(), ws.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

func (s *Server) addSignoff(w http.ResponseWriter, r *http.Request) error {
	var req api.SignoffRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	ws := targetOf(r).Walkthrough
	out, err := s.launch.Sign(r.Context(), ws.ID, req.Role, req.Decision, req.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) addFollowUp(w http.ResponseWriter, r *http.Request) error {
	var req api.FollowUpRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	ws := targetOf(r).Walkthrough
	due, err := launch.ParseDue(req.Due)
	if err != nil {
		return asParam("due", err)
	}
	f, err := s.launch.AddFollowUp(r.Context(), ws.ID, req.Description, req.Owner, due)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func (s *Server) completeFollowUp(w http.ResponseWriter, r *http.Request) error {
	ws := targetOf(r).Walkthrough
	fid, err := pathID(r, "fid", "follow-up")
	if err != nil {
		return err
	}
	f, err := s.launch.CompleteFollowUp(r.Context(), ws.ID, fid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) listBlocked(w http.ResponseWriter, r *http.Request) error {
	team, err := parseName(r.URL.Query(), "team")
	if err != nil {
		return err
	}
	bs, err := s.launch.Blocked(r.Context(), team)
	if err != nil {
		return err
	}
	writeItems(w, bs)
	return nil
}

func (s *Server) getReviews(w http.ResponseWriter, r *http.Request) error {
	in, err := s.launch.Inbox(r.Context(), paved.UserFrom(r.Context()).Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) error {
	kind, err := paved.ParseTemplateKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	cur := s.launch.Library.Current(kind)
	raw := r.PathValue("version")
	if raw == "" {
		writeJSON(w, http.StatusOK, cur)
		return nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 {
		return paved.FieldErrorf(paved.EINVALID, "version", "template version %q is not valid: want a whole number >= 1", raw)
	}
	if cur != nil && cur.Version == v {
		writeJSON(w, http.StatusOK, cur)
		return nil
	}
	t, err := s.store.FindTemplate(r.Context(), kind, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (s *Server) recordCheck(w http.ResponseWriter, r *http.Request) error {
	var c paved.CheckRecord
	if err := decodeJSON(w, r, maxCheckBytes, &c); err != nil {
		return err
	}
	svc := targetOf(r).Service
	if c.Service != "" && c.Service != svc.Name {
		return paved.FieldErrorf(paved.EINVALID, "service", "the body names service %q but the path %q: leave service out", c.Service, svc.Name)
	}
	// Who and when are the server's to say.
	c.ID, c.Service, c.Actor, c.At = 0, svc.Name, paved.UserFrom(r.Context()).Name, s.now().UTC()
	if err := s.launch.RecordCheck(r.Context(), &c); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/services/"+url.PathEscape(svc.Name)+"/launch")
	writeJSON(w, http.StatusCreated, &c)
	return nil
}
