package web

// The forms of the path to production. The route table checks each form's
// launch action on the service of the URL (a refusal is a 403 page); the
// handler reads the form and calls launch.Service. Success redirects (303)
// back to where the form was, with a flash message; a refusal the user can
// act on (launch.Service's bad input, gate, conflict or sign-off rule) shows
// the page again with the message at the form and the values as typed.

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// formText reads a form field with surrounding space trimmed and a
// textarea's CRLF line ends made LF.
func formText(r *http.Request, field string) string {
	return strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(field)), "\r\n", "\n")
}

// formList reads a list typed one per line (or separated by commas or
// spaces when sep allows it), dropping empty entries.
func formList(r *http.Request, field string, commas bool) []string {
	split := func(c rune) bool { return c == '\n' || c == '\r' }
	if commas {
		split = func(c rune) bool { return c == '\n' || c == '\r' || c == ',' || c == ' ' || c == '\t' }
	}
	var out []string
	for _, s := range strings.FieldsFunc(r.PostFormValue(field), split) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// launchDone finishes a launch form: redirect on success, the page again
// with the message on a refusal the user can act on, an error page
// otherwise. rerender shows the page with the refused form.
func (s *Server) launchDone(w http.ResponseWriter, r *http.Request, err error, fe *formError, flash, target string,
	rerender func(*formError) error) error {
	if err == nil {
		setFlash(w, s.cfg.SecureCookies, flash)
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	if !inlineError(err) {
		return err
	}
	fe.Message = paved.ErrorMessage(err)
	fe.Status = StatusFor(err)
	fe.Values = r.PostForm
	return rerender(fe)
}

// onLaunchPage re-renders the questionnaire and checklist page.
func (s *Server) onLaunchPage(w http.ResponseWriter, r *http.Request) func(*formError) error {
	return func(fe *formError) error { return s.renderLaunchPage(w, r, fe) }
}

// onServicePage re-renders the service page, whose launch panel shows the
// refused form.
func (s *Server) onServicePage(w http.ResponseWriter, r *http.Request) func(*formError) error {
	return func(fe *formError) error { return s.servicePage(w, withFormError(r, fe)) }
}

func itemAnchor(service, item string) string { return launchURL(service) + "#item-" + item }

// ---- items: answer, review, comment

func (s *Server) launchAnswer(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	item := r.PathValue("item")
	in := launch.AnswerInput{
		Status:   paved.AnswerStatus(strings.TrimSpace(r.PostFormValue("status"))),
		Text:     formText(r, "text"),
		Links:    formList(r, "links", false),
		NAReason: formText(r, "na_reason"),
	}
	fe := &formError{Form: "answer", Item: item}
	switch in.Status {
	case "", paved.AnswerGiven:
		in.Status = paved.AnswerGiven
	case paved.AnswerNA:
		fe.Form = "na"
	default:
		err = paved.FieldErrorf(paved.EINVALID, "status", "unknown answer status %q: want answered or n/a", in.Status)
	}
	if v := strings.TrimSpace(r.PostFormValue("template_version")); v != "" && err == nil {
		if in.TemplateVersion, err = strconv.Atoi(v); err != nil {
			err = paved.FieldErrorf(paved.EINVALID, "template_version", "template version %q is not a number: reload the page and answer again", v)
		}
	}
	if err == nil {
		_, err = s.launch.Answer(r.Context(), svc.Name, item, in)
	}
	return s.launchDone(w, r, err, fe, flashAnswered, itemAnchor(svc.Name, item), s.onLaunchPage(w, r))
}

func (s *Server) launchReview(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	item := r.PathValue("item")
	var rv paved.AnswerReview
	switch a := r.PostFormValue("action"); a {
	case "accept-na":
		rv.AcceptNA = true
	case "flag":
		note := formText(r, "flag")
		if note == "" {
			err = paved.FieldErrorf(paved.EINVALID, "flag", "say what needs follow-up: the team reads the flag as the question to answer")
		}
		rv.Flag = &note
	case "unflag":
		rv.Flag = new(string)
	default:
		err = paved.FieldErrorf(paved.EINVALID, "action", "unknown review action %q: want accept-na, flag or unflag", a)
	}
	if err == nil {
		_, err = s.launch.Review(r.Context(), svc.Name, item, rv)
	}
	return s.launchDone(w, r, err, &formError{Form: "review", Item: item}, flashReviewed, itemAnchor(svc.Name, item), s.onLaunchPage(w, r))
}

func (s *Server) launchComment(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	item := r.PathValue("item")
	_, err = s.launch.Comment(r.Context(), svc.Name, item, formText(r, "body"))
	return s.launchDone(w, r, err, &formError{Form: "comment", Item: item}, flashCommented, itemAnchor(svc.Name, item)+"-comments", s.onLaunchPage(w, r))
}

// ---- the service page: phase, contact, assessments, walkthrough

func (s *Server) launchPhase(w http.ResponseWriter, r *http.Request) error {
	force := r.PostFormValue("force") == "1"
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	if force {
		// Past the gate: launch:force as well (admins only).
		if err := s.authorize(r, paved.ActForcePhase, paved.Resource{Team: svc.Owner}); err != nil {
			return err
		}
	}
	var to paved.Phase
	if v := strings.TrimSpace(r.PostFormValue("to")); v != "" {
		to, err = paved.ParsePhase(v)
	}
	if err == nil {
		_, err = s.launch.Advance(r.Context(), svc.Name, to, force, formText(r, "reason"))
	}
	form := "phase"
	if force {
		form = "force"
	}
	return s.launchDone(w, r, err, &formError{Form: form}, flashPhase, serviceURL(svc.Name)+"#launch", s.onServicePage(w, r))
}

func (s *Server) launchContact(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	err = s.launch.SetContact(r.Context(), svc.Name, strings.TrimSpace(r.PostFormValue("contact")))
	return s.launchDone(w, r, err, &formError{Form: "contact"}, flashContact, serviceURL(svc.Name)+"#contact", s.onServicePage(w, r))
}

// formNumber reads a non-negative number; empty reads as 0.
func formNumber(r *http.Request, field, what string) (float64, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 || n != n || n > 1e12 {
		return 0, paved.FieldErrorf(paved.EINVALID, field, "%s %q is not a number: write it like 1200 or 85.5", what, v)
	}
	return n, nil
}

func (s *Server) launchAssess(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	a := &paved.Assessment{
		Service: svc.Name,
		Kind:    paved.AssessmentKind(r.PostFormValue("kind")),
		Links:   formList(r, "links", false),
		Notes:   formText(r, "notes"),
	}
	switch a.Kind {
	case paved.AssessSecurity:
		a.ThreatModel = formText(r, "threat_model")
		a.VulnScan = formText(r, "vuln_scan")
		a.VulnScanLink = formText(r, "vuln_scan_link")
		a.RiskRating = paved.RiskRating(r.PostFormValue("risk_rating"))
		a.PenTest = formText(r, "pen_test")
	case paved.AssessLoad:
		if a.ExpectedPeakRPS, err = formNumber(r, "expected_peak_rps", "expected peak"); err != nil {
			break
		}
		if a.TestedRPS, err = formNumber(r, "tested_rps", "tested load"); err != nil {
			break
		}
		a.P99Millis, err = formNumber(r, "p99_ms", "p99 latency")
	default:
		err = paved.FieldErrorf(paved.EINVALID, "kind", "unknown assessment kind %q: want security or load", a.Kind)
	}
	if err == nil {
		_, err = s.launch.Assess(r.Context(), svc.Name, a)
	}
	return s.launchDone(w, r, err, &formError{Form: "assess-" + string(a.Kind)}, flashAssessed, serviceURL(svc.Name)+"#assessments", s.onServicePage(w, r))
}

// parseWhen reads a walkthrough time as launch.ParseScheduledAt does, with
// the form's words for a refusal.
func parseWhen(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, paved.FieldErrorf(paved.EINVALID, "scheduled_at", "say when the walkthrough takes place (YYYY-MM-DD HH:MM, UTC)")
	}
	t, err := launch.ParseScheduledAt(v)
	if err != nil {
		return time.Time{}, paved.FieldErrorf(paved.EINVALID, "scheduled_at", "%q is not a time: write it as YYYY-MM-DD HH:MM (UTC)", v)
	}
	return t, nil
}

func (s *Server) launchSchedule(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	at, err := parseWhen(r.PostFormValue("scheduled_at"))
	if err == nil {
		_, err = s.launch.Schedule(r.Context(), svc.Name, at, formList(r, "participants", true))
	}
	return s.launchDone(w, r, err, &formError{Form: "schedule"}, flashScheduled, serviceURL(svc.Name)+"#walkthrough", s.onServicePage(w, r))
}

// portalWalkthrough loads the walkthrough of the URL and checks that it is
// the URL's service's: a form cannot reach another service's walkthrough
// through a service it may act on.
func (s *Server) portalWalkthrough(r *http.Request, svc *paved.Service) (*launch.WalkthroughStatus, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, paved.Errorf(paved.ENOTFOUND, "there is no walkthrough %q", r.PathValue("id"))
	}
	ws, err := s.launch.Walkthrough(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if ws.Service != svc.Name {
		return nil, paved.Errorf(paved.ENOTFOUND, "%s has no walkthrough %d", svc.Name, id)
	}
	return ws, nil
}

func (s *Server) launchCancel(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	ws, err := s.portalWalkthrough(r, svc)
	if err != nil {
		return err
	}
	err = s.launch.CancelWalkthrough(r.Context(), ws.ID, formText(r, "reason"))
	return s.launchDone(w, r, err, &formError{Form: "cancel"}, flashCancelled, serviceURL(svc.Name)+"#walkthrough", s.onServicePage(w, r))
}

func (s *Server) launchSign(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	ws, err := s.portalWalkthrough(r, svc)
	if err != nil {
		return err
	}
	role := paved.SignRole(r.PostFormValue("role"))
	d := paved.Decision(r.PostFormValue("decision"))
	_, err = s.launch.Sign(r.Context(), ws.ID, role, d, formText(r, "comment"))
	return s.launchDone(w, r, err, &formError{Form: "signoff-" + string(role)}, flashSigned, serviceURL(svc.Name)+"#walkthrough", s.onServicePage(w, r))
}

func (s *Server) launchAddFollowUp(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	ws, err := s.portalWalkthrough(r, svc)
	if err != nil {
		return err
	}
	v := strings.TrimSpace(r.PostFormValue("due"))
	due, perr := launch.ParseDue(v)
	if perr != nil {
		err = paved.FieldErrorf(paved.EINVALID, "due", "due date %q is not a date: write it as YYYY-MM-DD", v)
	} else {
		_, err = s.launch.AddFollowUp(r.Context(), ws.ID, formText(r, "description"), strings.TrimSpace(r.PostFormValue("owner")), due)
	}
	return s.launchDone(w, r, err, &formError{Form: "follow-up"}, flashFollowUp, serviceURL(svc.Name)+"#follow-ups", s.onServicePage(w, r))
}

func (s *Server) launchCompleteFollowUp(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	ws, err := s.portalWalkthrough(r, svc)
	if err != nil {
		return err
	}
	fid, perr := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	if perr != nil || fid <= 0 {
		return paved.Errorf(paved.ENOTFOUND, "there is no follow-up %q", r.PathValue("fid"))
	}
	_, err = s.launch.CompleteFollowUp(r.Context(), ws.ID, fid)
	return s.launchDone(w, r, err, &formError{Form: "follow-up-done"}, flashFollowUpDone, serviceURL(svc.Name)+"#follow-ups", s.onServicePage(w, r))
}
