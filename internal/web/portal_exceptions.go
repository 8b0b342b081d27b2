package web

// The exceptions in the portal: the reviewers' queue (/exceptions), one
// request with its offending values, justification, thread and decision
// forms (/exceptions/{id}), and a section on the service page. The route
// table authorises the forms (the exception actions, with the service's
// owner team); they go through exception.Service, which applies the rules
// that depend on the data (paved.CanDecide, the expiry bounds); a refusal
// the user can act on shows the page again with the message at the form.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	paved "github.com/paved-dev/paved"
)

// Flash codes of the exception forms (see flashMessages).
const (
	flashExcApproved  = "exception-approved"
	flashExcRejected  = "exception-rejected"
	flashExcCommented = "exception-commented"
	flashExcRevoked   = "exception-revoked"
)

func init() {
	flashMessages[flashExcApproved] = "Exception approved."
	flashMessages[flashExcRejected] = "Exception rejected."
	flashMessages[flashExcCommented] = "Comment added."
	flashMessages[flashExcRevoked] = "Exception revoked."
}

// excRow is one exception as the queue and the service page list it.
type excRow struct {
	*paved.Exception
	State     paved.ExceptionStatus
	ValueText string
	Expiring  bool // approved and within the notice of its expiry
}

func (s *Server) excRow(e *paved.Exception, now time.Time) excRow {
	return excRow{Exception: e, State: e.State(now), ValueText: valueText(e.Value),
		Expiring: paved.ExceptionExpiring(e, now, s.exceptions.EffectivePolicy().ExpiringNotice) || (e.Valid(now) && e.ExpiringNoticeAt != nil)}
}

// valueText writes an offending value for people: strings bare, the rest
// as JSON.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// exceptionsView is the data of exceptions.html.
type exceptionsView struct {
	Rows     []excRow
	Total    int
	Status   string // the filter as given ("" = pending)
	Service  string
	Team     string
	Expiring bool
	Statuses []paved.ExceptionStatus
	Reviewer bool // holds the reviewer or security role
	Pager    pager
}

func (s *Server) exceptionsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, expiring, err := exceptionFilter(q)
	if err != nil {
		return err
	}
	status := q.Get("status")
	switch {
	case status == "" && !expiring && f.Service == "" && f.Team == "":
		f.Status, status = paved.ExceptionPending, string(paved.ExceptionPending)
	case status == "all":
		f.Status = ""
	}
	page := pageNumber(r)
	f.Page = paved.Page{Offset: (page - 1) * portalPageSize, Limit: portalPageSize}
	es, total, err := s.exceptions.List(r.Context(), f, expiring)
	if err != nil {
		return err
	}
	now := s.now()
	// Reviewer: the user may decide some team's exceptions (a resource
	// with no team passes the separation-of-duties check).
	v := exceptionsView{Total: total, Status: status, Service: f.Service, Team: f.Team, Expiring: expiring,
		Statuses: paved.ExceptionStatuses, Reviewer: s.authorize(r, paved.ActDecideException, paved.Resource{}) == nil,
		Pager: newPager(r, page, len(es), total)}
	for _, e := range es {
		v.Rows = append(v.Rows, s.excRow(e, now))
	}
	return s.render(w, r, "exceptions.html", v)
}

// exceptionView is the data of exceptions_item.html.
type exceptionView struct {
	excRow
	CheckRecord *paved.CheckRecord // nil when it cannot be read
	Owner       string             // the service's owner team now
	CanDecide   bool               // may approve or reject now
	WhyNot      string             // why the decision forms are not offered (for a reviewer)
	CanComment  bool
	CanRevoke   bool
	MaxExpiry   string // "180d"
	MaxDate     string // YYYY-MM-DD, the latest expiry an approval may give
	AskedDate   string // the expiry the team asked for, as the approval's default
	Err         *formError
}

// ErrFor reports whether the refused form is form.
func (v *exceptionView) ErrFor(form string) bool { return v.Err != nil && v.Err.Form == form }

// Val is a submitted value of the refused form, to refill it.
func (v *exceptionView) Val(form, field string) string {
	if !v.ErrFor(form) {
		return ""
	}
	return v.Err.Value(field)
}

// loadException loads the exception of the path and its service. The
// exception routes' target uses it; the page loads again to show the
// request as it stands after a refused form.
func (s *Server) loadException(r *http.Request) (*paved.Exception, *paved.Service, error) {
	id, err := pathID(r, "id", "exception")
	if err != nil {
		return nil, nil, err
	}
	e, err := s.exceptions.Find(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	svc, err := s.store.FindService(r.Context(), e.Service)
	if err != nil {
		return nil, nil, err
	}
	return e, svc, nil
}

func (s *Server) exceptionPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderException(w, r, nil)
}

func (s *Server) renderException(w http.ResponseWriter, r *http.Request, fe *formError) error {
	e, svc, err := s.loadException(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := s.now()
	pol := s.exceptions.EffectivePolicy()
	v := exceptionView{excRow: s.excRow(e, now), Owner: svc.Owner, Err: fe,
		MaxExpiry: paved.FormatDays(pol.MaxExpiry), MaxDate: now.Add(pol.MaxExpiry).UTC().Format(time.DateOnly)}
	if e.ExpiresAt.After(now) {
		asked := e.ExpiresAt
		if asked.Sub(now) > pol.MaxExpiry {
			asked = now.Add(pol.MaxExpiry)
		}
		v.AskedDate = asked.UTC().Format(time.DateOnly)
	}
	if c, err := s.exceptions.Check(ctx, e.Check); err == nil {
		v.CheckRecord = c
	}
	res := paved.Resource{Team: svc.Owner}
	if v.State == paved.ExceptionPending {
		if err := s.authorize(r, paved.ActDecideException, res); err == nil {
			if err := s.exceptions.MayDecide(ctx, e); err == nil {
				v.CanDecide = true
			} else {
				v.WhyNot = paved.ErrorMessage(err)
			}
		} else if s.authorize(r, paved.ActDecideException, paved.Resource{}) == nil {
			// A reviewer of another team's exceptions: say why not this one.
			v.WhyNot = paved.ErrorMessage(err)
		}
	}
	v.CanComment = s.authorize(r, paved.ActCommentException, res) == nil
	v.CanRevoke = (v.State == paved.ExceptionPending || v.State == paved.ExceptionApproved) && s.authorize(r, paved.ActRevokeException, res) == nil
	status := http.StatusOK
	if fe != nil && fe.Status != 0 {
		status = fe.Status
	}
	return s.renderStatus(w, r, status, "exceptions_item.html", &v)
}

// exceptionDone finishes an exception form: redirect to the request on
// success, the page again with the message on a refusal the user can act
// on, an error page otherwise.
func (s *Server) exceptionDone(w http.ResponseWriter, r *http.Request, e *paved.Exception, err error, form, flash string) error {
	if err == nil {
		setFlash(w, s.cfg.SecureCookies, flash)
		http.Redirect(w, r, e.Link(), http.StatusSeeOther)
		return nil
	}
	if !inlineError(err) {
		return err
	}
	return s.renderException(w, r, &formError{Form: form, Message: paved.ErrorMessage(err), Status: StatusFor(err), Values: r.PostForm})
}

func (s *Server) exceptionApprove(w http.ResponseWriter, r *http.Request) error {
	e := targetOf(r).Exception
	_, err := s.exceptions.Approve(r.Context(), e.ID, formText(r, "expires"), formText(r, "conditions"))
	return s.exceptionDone(w, r, e, err, "approve", flashExcApproved)
}

func (s *Server) exceptionReject(w http.ResponseWriter, r *http.Request) error {
	e := targetOf(r).Exception
	_, err := s.exceptions.Reject(r.Context(), e.ID, formText(r, "reason"))
	return s.exceptionDone(w, r, e, err, "reject", flashExcRejected)
}

func (s *Server) exceptionComment(w http.ResponseWriter, r *http.Request) error {
	e := targetOf(r).Exception
	_, err := s.exceptions.Comment(r.Context(), e.ID, formText(r, "body"))
	return s.exceptionDone(w, r, e, err, "comment", flashExcCommented)
}

func (s *Server) exceptionRevoke(w http.ResponseWriter, r *http.Request) error {
	e := targetOf(r).Exception
	_, err := s.exceptions.Revoke(r.Context(), e.ID, formText(r, "reason"))
	return s.exceptionDone(w, r, e, err, "revoke", flashExcRevoked)
}

// exceptionsPanel is the service page's section: the service's exceptions,
// newest first, and how many wait for a decision.
type exceptionsPanel struct {
	Service string
	Rows    []excRow
	Total   int
	Pending int
	More    string // the queue filtered to the service, when not all are shown
}

// maxPanelExceptions bounds the service page's list; the queue has the rest.
const maxPanelExceptions = 10

func (s *Server) exceptionsPanel(r *http.Request, svc *paved.Service) (*exceptionsPanel, error) {
	es, total, err := s.exceptions.List(r.Context(), paved.ExceptionFilter{Service: svc.Name, Page: paved.Page{Limit: maxPanelExceptions}}, false)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &exceptionsPanel{Service: svc.Name, Total: total}
	for _, e := range es {
		row := s.excRow(e, now)
		if row.State == paved.ExceptionPending {
			p.Pending++
		}
		p.Rows = append(p.Rows, row)
	}
	if total > len(es) {
		p.More = "/exceptions?" + url.Values{"service": {svc.Name}, "status": {"all"}}.Encode()
	}
	return p, nil
}
