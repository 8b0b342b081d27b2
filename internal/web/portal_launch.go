package web

// The path to production in the portal: the launch panel of the service
// page, the questionnaire and checklist page, the item history, the
// reviewer's inbox, the organisation view and the walkthrough packet. Every
// read and change goes through launch.Service (s.launch), the same one the
// API uses; the pages only arrange what it returns. The forms' handlers are
// in portal_launch_forms.go.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// launchTarget is the service named in the URL, as the route's target
// loaded it (the route table checked the action on it).
func (s *Server) launchTarget(r *http.Request) (*paved.Service, error) {
	if svc := targetOf(r).Service; svc != nil {
		return svc, nil
	}
	return s.store.FindService(r.Context(), r.PathValue("name"))
}

func launchURL(service string) string { return "/services/" + url.PathEscape(service) + "/launch" }

func serviceURL(service string) string { return "/services/" + url.PathEscape(service) }

// ---- refused forms

// formError is a form the domain refused: the page is rendered again with
// the message next to the form and the values as they were typed.
type formError struct {
	Form    string // which form: answer, na, comment, review, phase, contact, signoff-peer ...
	Item    string // the item of an item form
	Message string
	Status  int
	Values  url.Values
}

// Value returns a submitted value, to refill the form.
func (fe *formError) Value(field string) string {
	if fe == nil {
		return ""
	}
	return fe.Values.Get(field)
}

// For returns the message when the refused form is form (and, for item
// forms, item), "" otherwise.
func (fe *formError) For(form, item string) string {
	if fe == nil || fe.Form != form || fe.Item != item {
		return ""
	}
	return fe.Message
}

type formErrorKey struct{}

// withFormError hands a refused form to the page handler that renders it
// again (the service page's handler lives with the catalog pages).
func withFormError(r *http.Request, fe *formError) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), formErrorKey{}, fe))
}

func formErrorFrom(r *http.Request) *formError {
	fe, _ := r.Context().Value(formErrorKey{}).(*formError)
	return fe
}

// inlineError reports whether err is a refusal the user can act on, shown
// next to the form, rather than an error page: bad input, an unknown item
// or user named in the form, a gate, a conflict, a sign-off rule.
func inlineError(err error) bool {
	switch paved.ErrorCode(err) {
	case paved.EINVALID, paved.EUNPROCESSABLE, paved.ECONFLICT, paved.EFORBIDDEN, paved.ENOTFOUND:
		return true
	}
	return false
}

// ---- the launch panel of the service page

// launchPanel is the path to production on the service page.
type launchPanel struct {
	Status      *launch.Status
	Timeline    []timelineStep
	Kinds       []launchKind
	Trend       *trend
	Walkthrough *walkthroughView
	Cancelled   int // cancelled walkthroughs, not shown
	Err         *formError

	// GapsShown are the first gaps of the next gate; GapsMore the rest,
	// folded away (a new launch has dozens).
	GapsShown []launch.Gap
	GapsMore  []launch.Gap

	NextPhase      paved.Phase // "" when no gate comes next
	CanAdvance     bool
	CanForce       bool
	CanContact     bool
	CanAssess      bool
	CanWalkthrough bool
	RiskRatings    []paved.RiskRating
}

// ErrFor returns the message of the refused form, if it is form.
func (p *launchPanel) ErrFor(form string) string { return p.Err.For(form, "") }

// Val returns what was typed into field of the refused form, if it is form,
// to refill it.
func (p *launchPanel) Val(form, field string) string {
	if p.ErrFor(form) == "" {
		return ""
	}
	return p.Err.Value(field)
}

// status is the HTTP status of the page: that of a refused form, or 200.
func (p *launchPanel) status() int {
	if p == nil || p.Err == nil || p.Err.Status == 0 {
		return http.StatusOK
	}
	return p.Err.Status
}

// timelineStep is one phase on the timeline.
type timelineStep struct {
	Phase  paved.Phase
	State  string // done, current, upcoming
	At     time.Time
	Actor  string
	Forced bool
	Reason string
}

// launchKind is one template (questionnaire or checklist) with its areas.
type launchKind struct {
	Kind     paved.TemplateKind
	Title    string
	Version  int
	Upgrade  int // a newer configured version, 0 if none
	Areas    []*launch.AreaStatus
	Done     int
	Required int
}

// Score is the share of the kind's required items done.
func (k launchKind) Score() float64 {
	if k.Required == 0 {
		return 1
	}
	return float64(k.Done) / float64(k.Required)
}

func launchKinds(st *launch.Status) []launchKind {
	var out []launchKind
	for _, kind := range paved.TemplateKinds {
		k := launchKind{Kind: kind, Version: st.Versions[kind], Upgrade: st.Upgrades[kind], Title: string(kind)}
		if t := st.Templates[kind]; t != nil {
			k.Title = t.Title
		}
		for _, a := range st.Areas {
			if a.Kind != kind {
				continue
			}
			k.Areas = append(k.Areas, a)
			k.Done += a.Done
			k.Required += a.Required
		}
		out = append(out, k)
	}
	return out
}

// timeline places the service on playground -> green-light -> production,
// with when (and by whom, forced or not) it reached each phase; a retired
// service gets a fourth step.
func timeline(st *launch.Status) []timelineStep {
	svc := st.Service
	steps := []paved.Phase{paved.PhasePlayground, paved.PhaseGreenLight, paved.PhaseProduction}
	if svc.Phase == paved.PhaseRetired {
		steps = append(steps, paved.PhaseRetired)
	}
	cur := slices.Index(steps, svc.Phase)
	out := make([]timelineStep, len(steps))
	for i, ph := range steps {
		step := timelineStep{Phase: ph, State: "upcoming"}
		switch {
		case i == cur:
			step.State = "current"
		case i < cur:
			step.State = "done"
		}
		// The newest move into the phase is when it was reached.
		for _, c := range st.Phases {
			if c.To == ph {
				step.At, step.Actor, step.Forced, step.Reason = c.At, c.Actor, c.Forced, c.Reason
			}
		}
		if ph == paved.PhasePlayground && step.At.IsZero() {
			step.At = svc.CreatedAt // every service starts there
		}
		if step.State == "upcoming" {
			// A later phase left by a forced move backwards is not reached.
			step.At, step.Actor, step.Forced, step.Reason = time.Time{}, "", false, ""
		}
		if svc.Phase == paved.PhaseRetired && i < cur && step.At.IsZero() {
			step.State = "skipped"
		}
		out[i] = step
	}
	return out
}

// trend is the readiness history as an SVG polyline.
type trend struct {
	Points   string // "x,y x,y ..." in a 300x60 box
	From, To float64
	Start    time.Time
	End      time.Time
	Rows     []launch.ReadinessPoint // for the table behind the chart
}

const trendW, trendH = 300.0, 60.0

func newTrend(pts []launch.ReadinessPoint) *trend {
	if len(pts) < 2 {
		return nil
	}
	t := &trend{From: pts[0].Score.Overall, To: pts[len(pts)-1].Score.Overall, Start: pts[0].At, End: pts[len(pts)-1].At, Rows: pts}
	span := t.End.Sub(t.Start).Seconds()
	var b strings.Builder
	for i, p := range pts {
		// x by time; evenly spaced if every point has the same time.
		x := trendW * float64(i) / float64(len(pts)-1)
		if span > 0 {
			x = trendW * p.At.Sub(t.Start).Seconds() / span
		}
		y := trendH - trendH*min(max(p.Score.Overall, 0), 1)
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", x, y)
	}
	t.Points = b.String()
	return t
}

// walkthroughView is the newest walkthrough with what the signed-in user
// may do on it.
type walkthroughView struct {
	*launch.WalkthroughStatus
	Roles      []signRoleView
	CannotSign []string // why the user can sign in none of the roles
	FollowUps  []followUpView
	CanManage  bool
}

type signRoleView struct {
	Role      paved.SignRole
	Current   *paved.Signoff
	Decisions []paved.Decision // what the user may decide in this role; none: may not sign in it
}

type followUpView struct {
	*paved.FollowUp
	Overdue bool
}

func (s *Server) walkthroughView(r *http.Request, st *launch.Status) *walkthroughView {
	w := st.Walkthrough
	if w == nil {
		return nil
	}
	u := paved.UserFrom(r.Context())
	v := &walkthroughView{
		WalkthroughStatus: w,
		CanManage:         s.authorize(r, paved.ActWalkthrough, paved.Resource{Team: st.Service.Owner}) == nil,
	}
	maySign := s.authorize(r, paved.ActSignoff, paved.Resource{Team: st.Service.Owner}) == nil && !w.Cancelled
	decisions := []paved.Decision{paved.DecisionApprove, paved.DecisionRequestChanges}
	if w.VetoAllowed {
		decisions = append(decisions, paved.DecisionVeto)
	}
	for _, role := range w.Required {
		rv := signRoleView{Role: role, Current: w.Current[role]}
		if maySign {
			var why error
			for _, d := range decisions {
				// The probe carries a comment: that request-changes and veto
				// need one is a rule about the form, not about who may sign.
				so := &paved.Signoff{Walkthrough: w.ID, Signer: u.Name, Role: role, Decision: d, Comment: "-"}
				if err := launch.CanSign(u, st.Service, w.Walkthrough, so, st.Security); err != nil {
					why = err
					continue
				}
				rv.Decisions = append(rv.Decisions, d)
			}
			if len(rv.Decisions) == 0 && why != nil {
				v.CannotSign = append(v.CannotSign, string(role)+": "+paved.ErrorMessage(why))
			}
		}
		v.Roles = append(v.Roles, rv)
	}
	if slices.ContainsFunc(v.Roles, func(r signRoleView) bool { return len(r.Decisions) > 0 }) {
		v.CannotSign = nil
	}
	now := s.now()
	for _, f := range w.FollowUps {
		v.FollowUps = append(v.FollowUps, followUpView{FollowUp: f, Overdue: launch.Overdue(f, now)})
	}
	return v
}

// gapsShown is how many gaps the next-step box lists before folding the
// rest away.
const gapsShown = 8

// launchPanel builds the service page's path-to-production section. A form
// refused on the service page comes back through the request
// (withFormError).
func (s *Server) launchPanel(r *http.Request, svc *paved.Service) (*launchPanel, error) {
	ctx := r.Context()
	st, err := s.launch.Status(ctx, svc.Name)
	if err != nil {
		return nil, err
	}
	points, err := s.launch.Readiness(ctx, svc.Name)
	if err != nil {
		return nil, err
	}
	res := paved.Resource{Team: svc.Owner}
	p := &launchPanel{
		Status:         st,
		Timeline:       timeline(st),
		Kinds:          launchKinds(st),
		Trend:          newTrend(points),
		Walkthrough:    s.walkthroughView(r, st),
		Err:            formErrorFrom(r),
		CanAdvance:     s.authorize(r, paved.ActAdvancePhase, res) == nil,
		CanForce:       s.authorize(r, paved.ActForcePhase, res) == nil,
		CanContact:     s.authorize(r, paved.ActSetContact, res) == nil,
		CanAssess:      s.authorize(r, paved.ActAssess, res) == nil,
		CanWalkthrough: s.authorize(r, paved.ActWalkthrough, res) == nil,
		RiskRatings:    []paved.RiskRating{paved.RiskLow, paved.RiskMedium, paved.RiskHigh, paved.RiskCritical},
	}
	if st.Next != nil {
		p.NextPhase = st.Next.To
		n := min(len(st.Next.Gaps), gapsShown)
		p.GapsShown, p.GapsMore = st.Next.Gaps[:n], st.Next.Gaps[n:]
	}
	return p, nil
}

// ---- the questionnaire and checklist page

type launchPageView struct {
	Service    *paved.Service
	Status     *launch.Status
	Kinds      []launchKind
	Comments   map[string][]*paved.Comment // by item id
	CanAnswer  bool
	CanComment bool
	CanReview  bool
	Err        *formError
}

// ErrFor returns the message of the refused form, if it is form on item.
func (v launchPageView) ErrFor(form, item string) string { return v.Err.For(form, item) }

// Val returns what was typed into field of the refused form, if it is form
// on item, to refill it.
func (v launchPageView) Val(form, item, field string) string {
	if v.Err.For(form, item) == "" {
		return ""
	}
	return v.Err.Value(field)
}

func (s *Server) launchPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLaunchPage(w, r, nil)
}

// renderLaunchPage renders the questionnaire and checklist, with a refused
// form's message at its item when fe is set.
func (s *Server) renderLaunchPage(w http.ResponseWriter, r *http.Request, fe *formError) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	st, err := s.launch.Status(ctx, svc.Name)
	if err != nil {
		return err
	}
	comments, err := s.launch.Comments(ctx, svc.Name, "")
	if err != nil {
		return err
	}
	res := paved.Resource{Team: svc.Owner}
	v := launchPageView{
		Service:    st.Service,
		Status:     st,
		Kinds:      launchKinds(st),
		Comments:   map[string][]*paved.Comment{},
		CanAnswer:  s.authorize(r, paved.ActAnswer, res) == nil,
		CanComment: s.authorize(r, paved.ActComment, res) == nil,
		CanReview:  s.authorize(r, paved.ActReviewAnswer, res) == nil,
		Err:        fe,
	}
	for _, c := range comments {
		v.Comments[c.Item] = append(v.Comments[c.Item], c)
	}
	status := http.StatusOK
	if fe != nil && fe.Status != 0 {
		status = fe.Status
	}
	return s.renderStatus(w, r, status, "launch.html", v)
}

// ---- one item: its answer history and comments

type launchItemView struct {
	Service  *paved.Service
	Item     *launch.ItemStatus
	Area     string
	History  []*paved.AnswerRevision // newest first
	Comments []*paved.Comment
}

func (s *Server) launchItemPage(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("item")
	st, err := s.launch.Status(ctx, svc.Name)
	if err != nil {
		return err
	}
	v := launchItemView{Service: st.Service}
	for _, a := range st.Areas {
		for _, it := range a.Items {
			if it.Item.ID == id {
				v.Item, v.Area = it, a.Title
			}
		}
	}
	if v.Item == nil {
		return paved.Errorf(paved.ENOTFOUND, "%s has no item %q in its questionnaire or checklist; the launch page lists them", svc.Name, id)
	}
	hist, err := s.launch.History(ctx, svc.Name, id)
	if err != nil {
		return err
	}
	v.History = slices.Clone(hist)
	slices.Reverse(v.History)
	if v.Comments, err = s.launch.Comments(ctx, svc.Name, id); err != nil {
		return err
	}
	return s.render(w, r, "launch_item.html", v)
}

// ---- the reviewer's inbox

type reviewsView struct {
	Inbox   *launch.Inbox
	Adviser bool // holds the reviewer, architect or security role
	Empty   bool
}

func (s *Server) reviewsPage(w http.ResponseWriter, r *http.Request) error {
	u := paved.UserFrom(r.Context())
	in, err := s.launch.Inbox(r.Context(), u.Name)
	if err != nil {
		return err
	}
	v := reviewsView{
		Inbox: in,
		// An adviser (reviewer, architect, security) may review some
		// team's answers: a resource with no team names none of theirs.
		Adviser: s.authorize(r, paved.ActReviewAnswer, paved.Resource{}) == nil,
		Empty:   len(in.Signoffs)+len(in.NAReviews)+len(in.Flagged)+len(in.Contact) == 0,
	}
	return s.render(w, r, "launch_reviews.html", v)
}

// ---- the organisation view

type launchesView struct {
	Team    string
	Teams   []string
	Error   string
	Blocked []*launch.Blocked
}

func (s *Server) launchesPage(w http.ResponseWriter, r *http.Request) error {
	v := launchesView{Team: strings.TrimSpace(r.URL.Query().Get("team"))}
	var err error
	if v.Teams, err = s.allTeamNames(r); err != nil {
		return err
	}
	if v.Team != "" && !slices.Contains(v.Teams, v.Team) {
		v.Error = fmt.Sprintf("There is no team %q: choose one from the list.", v.Team)
		return s.renderStatus(w, r, http.StatusBadRequest, "launches.html", v)
	}
	if v.Blocked, err = s.launch.Blocked(r.Context(), v.Team); err != nil {
		return err
	}
	return s.render(w, r, "launches.html", v)
}

// ---- the walkthrough packet

// styleRE finds the <style> elements of the packet, whose bodies the
// packet's Content-Security-Policy allows by hash.
var styleRE = regexp.MustCompile(`(?is)<style[^>]*>(.*?)</style>`)

// packetStylePolicy allows exactly the packet's own inline styles (by hash) and
// nothing else: the page is self-contained, printable and has no script.
func packetStylePolicy(page []byte) string {
	var hashes []string
	for _, m := range styleRE.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	style := "'none'"
	if len(hashes) > 0 {
		style = strings.Join(hashes, " ")
	}
	return "default-src 'none'; style-src " + style + "; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

func (s *Server) launchPacket(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.launchTarget(r)
	if err != nil {
		return err
	}
	p, err := s.launch.Packet(r.Context(), svc.Name)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	h := w.Header()
	switch f := r.URL.Query().Get("format"); f {
	case "", "html":
		if err := launch.WritePacketHTML(&buf, p); err != nil {
			return err
		}
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", packetStylePolicy(buf.Bytes()))
	case "markdown", "md":
		if err := launch.WritePacketMarkdown(&buf, p); err != nil {
			return err
		}
		h.Set("Content-Type", "text/markdown; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+svc.Name+`-packet.md"`)
	default:
		return paved.Errorf(paved.EINVALID, "unknown packet format %q: want html or markdown", f)
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}
