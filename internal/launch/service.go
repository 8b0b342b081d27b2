package launch

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Input limits: generous for real answers, small enough that one request
// cannot fill the database.
const (
	maxTextBytes    = 64 << 10
	maxLinks        = 20
	maxLinkBytes    = 2048
	maxCommentBytes = 16 << 10
	maxParticipants = 50
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// user returns the acting paved user: the signed-in one, or, for a local
// CLI run, the user the context's actor names.
func (s *Service) user(ctx context.Context) (*paved.User, error) {
	if u := paved.UserFrom(ctx); u != nil {
		return u, nil
	}
	name := paved.ActorFrom(ctx).Name
	u, err := s.Store.FindUser(ctx, name)
	if paved.ErrorCode(err) == paved.ENOTFOUND || paved.ErrorCode(err) == paved.EINVALID {
		return nil, paved.Errorf(paved.EFORBIDDEN, "launch changes are made by a person: %q is not a paved user; act as one (the CLI takes --as USER)", name)
	} else if err != nil {
		return nil, err
	}
	if u.RetiredAt != nil {
		return nil, paved.Errorf(paved.EFORBIDDEN, "user %s is retired: act as an active paved user", u.Name)
	}
	return u, nil
}

type tplKey struct {
	kind    paved.TemplateKind
	version int
}

// template returns the stored template kind@version, cached: a stored
// version never changes (its digest is checked on save).
func (s *Service) template(ctx context.Context, kind paved.TemplateKind, version int) (*paved.Template, error) {
	k := tplKey{kind, version}
	s.mu.Lock()
	t := s.cache[k]
	s.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := s.Store.FindTemplate(ctx, kind, version)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[tplKey]*paved.Template{}
	}
	s.cache[k] = t
	s.mu.Unlock()
	return t, nil
}

// templates returns the templates l uses: the pinned versions, or the
// configured ones for a kind not pinned yet.
func (s *Service) templates(ctx context.Context, l *paved.Launch) (map[paved.TemplateKind]*paved.Template, error) {
	out := map[paved.TemplateKind]*paved.Template{}
	for _, k := range paved.TemplateKinds {
		if v := l.Versions[k]; v > 0 {
			t, err := s.template(ctx, k, v)
			if err != nil {
				return nil, err
			}
			out[k] = t
			continue
		}
		t := s.Library.Current(k)
		if t == nil {
			return nil, paved.Errorf(paved.EINTERNAL, "no %s template is configured", k)
		}
		out[k] = t
	}
	return out, nil
}

// pin pins the configured templates for every kind l has not pinned: the
// first write of a launch fixes the versions it is judged by.
func (s *Service) pin(ctx context.Context, l *paved.Launch) error {
	if l.Versions == nil {
		l.Versions = map[paved.TemplateKind]int{}
	}
	for _, k := range paved.TemplateKinds {
		if l.Versions[k] > 0 {
			continue
		}
		t := s.Library.Current(k)
		if t == nil {
			return paved.Errorf(paved.EINTERNAL, "no %s template is configured", k)
		}
		if err := s.Store.SaveTemplate(ctx, t); err != nil {
			return err
		}
		if err := s.Store.PinTemplate(ctx, l.Service.Name, k, t.Version); err != nil {
			return err
		}
		l.Versions[k] = t.Version
	}
	return nil
}

// load reads a launch and its templates.
func (s *Service) load(ctx context.Context, service string) (*paved.Launch, map[paved.TemplateKind]*paved.Template, error) {
	l, err := s.Store.FindLaunch(ctx, service)
	if err != nil {
		return nil, nil, err
	}
	if l.Answers == nil {
		l.Answers = map[string]*paved.Answer{}
	}
	if l.Facts, err = s.facts(ctx, l.Service.Name); err != nil {
		return nil, nil, err
	}
	t, err := s.templates(ctx, l)
	if err != nil {
		return nil, nil, err
	}
	return l, t, nil
}

// findItem finds an item in the templates.
func findItem(t map[paved.TemplateKind]*paved.Template, id string) (paved.TemplateKind, *paved.TemplateArea, *paved.TemplateItem) {
	for _, k := range paved.TemplateKinds {
		if t[k] == nil {
			continue
		}
		if a, it := t[k].Item(id); it != nil {
			return k, a, it
		}
	}
	return "", nil, nil
}

func unknownItem(service, item string) error {
	return paved.FieldErrorf(paved.ENOTFOUND, "item", "%s has no questionnaire or checklist item %q: `paved launch status %s` lists the item ids", service, item, service)
}

// Status returns a service's launch as the team and its reviewers see it.
func (s *Service) Status(ctx context.Context, service string) (*Status, error) {
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	cs, err := s.Store.FindComments(ctx, l.Service.Name, "")
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, c := range cs {
		counts[c.Item]++
	}
	st := Evaluate(l, t, counts, s.now())
	s.addUpgrades(st, l)
	if err := s.addConsiderations(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) addUpgrades(st *Status, l *paved.Launch) {
	for _, k := range paved.TemplateKinds {
		if v := l.Versions[k]; v > 0 {
			if cur := s.Library.Current(k); cur != nil && cur.Version > v {
				if st.Upgrades == nil {
					st.Upgrades = map[paved.TemplateKind]int{}
				}
				st.Upgrades[k] = cur.Version
			}
		}
	}
}

// validLink checks that s is an absolute http(s) URL.
func validLink(field, s string) error {
	if len(s) > maxLinkBytes {
		return paved.FieldErrorf(paved.EINVALID, field, "the link is %d bytes long: at most %d", len(s), maxLinkBytes)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return paved.FieldErrorf(paved.EINVALID, field, "%q is not a link: give an absolute http:// or https:// URL", s)
	}
	return nil
}

// cleanLinks trims, drops empty and repeated links, and validates the rest.
func cleanLinks(field string, in []string) ([]string, error) {
	var out []string
	for i, l := range in {
		l = strings.TrimSpace(l)
		if l == "" || slices.Contains(out, l) {
			continue
		}
		if err := validLink(fmt.Sprintf("%s[%d]", field, i), l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if len(out) > maxLinks {
		return nil, paved.FieldErrorf(paved.EINVALID, field, "%d links: at most %d", len(out), maxLinks)
	}
	return out, nil
}

func checkText(field, s string, limit int) error {
	if len(s) > limit {
		return paved.FieldErrorf(paved.EINVALID, field, "the text is %d bytes long: at most %d", len(s), limit)
	}
	// Printable UTF-8 only (paved.ValidateText): a NUL would be a 500 on
	// PostgreSQL where SQLite stores it, and terminal escapes in an answer
	// or a comment rewrite the terminal of whoever lists it.
	return paved.ValidateText(field, s)
}

// Answer records the team's answer to one item of the service's pinned
// templates (pinning them on the first write).
func (s *Service) Answer(ctx context.Context, service, item string, in AnswerInput) (*paved.Answer, error) {
	if _, err := s.user(ctx); err != nil {
		return nil, err
	}
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	item = strings.TrimSpace(item)
	kind, _, it := findItem(t, item)
	if it == nil {
		return nil, unknownItem(l.Service.Name, item)
	}
	version := t[kind].Version
	if in.TemplateVersion != 0 && in.TemplateVersion != version {
		return nil, paved.FieldErrorf(paved.ECONFLICT, "template_version", "the service is pinned to %s version %d, not %d; reload and answer again (or upgrade the service's %s)", kind, version, in.TemplateVersion, kind)
	}
	a := &paved.Answer{Service: l.Service.Name, Item: it.ID, Kind: kind, TemplateVersion: version}
	a.Text = strings.TrimSpace(in.Text)
	if err := checkText("text", a.Text, maxTextBytes); err != nil {
		return nil, err
	}
	if a.Links, err = cleanLinks("links", in.Links); err != nil {
		return nil, err
	}
	switch status := paved.AnswerStatus(strings.ToLower(strings.TrimSpace(string(in.Status)))); status {
	case "", paved.AnswerGiven:
		a.Status = paved.AnswerGiven
		if strings.TrimSpace(in.NAReason) != "" {
			return nil, paved.FieldErrorf(paved.EINVALID, "na_reason", "a reason for n/a goes with status n/a; drop it or set status n/a")
		}
		switch it.Form {
		case paved.FormLink:
			if len(a.Links) == 0 {
				return nil, paved.FieldErrorf(paved.EINVALID, "links", "item %s asks for a link (a runbook, a dashboard, a document): give at least one http(s) link, or answer n/a with a reason", it.ID)
			}
		default:
			if a.Text == "" {
				return nil, paved.FieldErrorf(paved.EINVALID, "text", "item %s asks for a written answer: the text is empty (or answer n/a with a reason)", it.ID)
			}
		}
	case paved.AnswerNA:
		a.Status = paved.AnswerNA
		a.NAReason = strings.TrimSpace(in.NAReason)
		if a.NAReason == "" {
			return nil, paved.FieldErrorf(paved.EINVALID, "na_reason", "n/a needs a reason saying why the item does not apply (a reviewer accepts it)")
		}
		if err := checkText("na_reason", a.NAReason, maxTextBytes); err != nil {
			return nil, err
		}
	default:
		return nil, paved.FieldErrorf(paved.EINVALID, "status", "unknown answer status %q: want answered or n/a", in.Status)
	}
	if err := s.pin(ctx, l); err != nil {
		return nil, err
	}
	return s.Store.SaveAnswer(ctx, a)
}

// Review applies a reviewer's action to an answer: accept its n/a, or open
// or close a follow-up flag.
func (s *Service) Review(ctx context.Context, service, item string, r paved.AnswerReview) (*paved.Answer, error) {
	if _, err := s.user(ctx); err != nil {
		return nil, err
	}
	if r.AcceptNA == (r.Flag != nil) {
		return nil, paved.Errorf(paved.EINVALID, "a review does one thing: accept_na, or flag (a note opens a flag, an empty flag closes it)")
	}
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	item = strings.TrimSpace(item)
	if _, _, it := findItem(t, item); it == nil {
		return nil, unknownItem(l.Service.Name, item)
	}
	a := l.Answers[item]
	if a == nil {
		return nil, paved.FieldErrorf(paved.ENOTFOUND, "item", "%s has not answered %s yet: there is nothing to review (comment on the item instead)", l.Service.Name, item)
	}
	if r.AcceptNA {
		if a.Status != paved.AnswerNA {
			return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "accept_na", "%s is answered, not n/a: there is no n/a reason to accept", item)
		}
		if a.NAAcceptedBy != "" {
			return a, nil
		}
	} else {
		f := strings.TrimSpace(*r.Flag)
		if err := checkText("flag", f, maxCommentBytes); err != nil {
			return nil, err
		}
		if f == "" && a.Flag == "" {
			return a, nil // nothing to close
		}
		r.Flag = &f
	}
	return s.Store.ReviewAnswer(ctx, l.Service.Name, item, r)
}

// History returns the revisions of one item ("" for every item), oldest
// first. Items removed by a template upgrade keep their history.
func (s *Service) History(ctx context.Context, service, item string) ([]*paved.AnswerRevision, error) {
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	item = strings.TrimSpace(item)
	revs, err := s.Store.AnswerHistory(ctx, l.Service.Name, item)
	if err != nil {
		return nil, err
	}
	if item != "" && len(revs) == 0 {
		if _, _, it := findItem(t, item); it == nil {
			return nil, unknownItem(l.Service.Name, item)
		}
	}
	if revs == nil {
		revs = []*paved.AnswerRevision{}
	}
	return revs, nil
}

// Comment adds a message to the dialogue on an item.
func (s *Service) Comment(ctx context.Context, service, item, body string) (*paved.Comment, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "body", "the comment is empty")
	}
	if err := checkText("body", body, maxCommentBytes); err != nil {
		return nil, err
	}
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	item = strings.TrimSpace(item)
	if _, _, it := findItem(t, item); it == nil {
		return nil, unknownItem(l.Service.Name, item)
	}
	if err := s.pin(ctx, l); err != nil {
		return nil, err
	}
	c := &paved.Comment{Service: l.Service.Name, Item: item, Author: u.Name, Body: body, At: s.now()}
	if err := s.Store.AddComment(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Comments returns the comments on one item ("" for all), oldest first.
func (s *Service) Comments(ctx context.Context, service, item string) ([]*paved.Comment, error) {
	svc, err := s.Store.FindService(ctx, service)
	if err != nil {
		return nil, err
	}
	cs, err := s.Store.FindComments(ctx, svc.Name, strings.TrimSpace(item))
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []*paved.Comment{}
	}
	return cs, nil
}

// SetContact assigns the enablement contact: a member of an enablement
// team ("" removes the contact).
func (s *Service) SetContact(ctx context.Context, service, user string) error {
	if _, err := s.user(ctx); err != nil {
		return err
	}
	l, err := s.Store.FindLaunch(ctx, service)
	if err != nil {
		return err
	}
	user = strings.TrimSpace(user)
	if user != "" {
		c, err := s.Store.FindUser(ctx, user)
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "contact", "user %q does not exist", user)
		} else if err != nil {
			return err
		}
		if c.RetiredAt != nil {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "contact", "user %s is retired: pick an active member of an enablement team", c.Name)
		}
		ok := false
		for _, name := range c.Teams {
			team, err := s.Store.FindTeam(ctx, name)
			if paved.ErrorCode(err) == paved.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if team.Kind.Enablement() && team.RetiredAt == nil {
				ok = true
				break
			}
		}
		if !ok {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "contact", "%s is not a member of an enablement team (developer-productivity, infrastructure-engineering, cloud-engineering, reliability or security): the contact advises from the enablement side", c.Name)
		}
		user = c.Name
	}
	if err := s.pin(ctx, l); err != nil {
		return err
	}
	return s.Store.SetContact(ctx, l.Service.Name, user)
}

func finite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return paved.FieldErrorf(paved.EINVALID, field, "want a number of 0 or more, got %v", v)
	}
	return nil
}

// Assess records a security assessment or a load profile. The gate reads
// the newest of each kind; recording again supersedes, older ones stay as
// history.
func (s *Service) Assess(ctx context.Context, service string, in *paved.Assessment) (*paved.Assessment, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return nil, paved.Errorf(paved.EINVALID, "the assessment is empty")
	}
	a := *in
	a.ID = 0
	a.Kind = paved.AssessmentKind(strings.ToLower(strings.TrimSpace(string(a.Kind))))
	a.ThreatModel, a.VulnScan, a.VulnScanLink, a.PenTest = strings.TrimSpace(a.ThreatModel), strings.TrimSpace(a.VulnScan), strings.TrimSpace(a.VulnScanLink), strings.TrimSpace(a.PenTest)
	a.RiskRating = paved.RiskRating(strings.ToLower(strings.TrimSpace(string(a.RiskRating))))
	a.Notes = strings.TrimSpace(a.Notes)
	if a.Links, err = cleanLinks("links", a.Links); err != nil {
		return nil, err
	}
	if err := checkText("notes", a.Notes, maxTextBytes); err != nil {
		return nil, err
	}
	switch a.Kind {
	case paved.AssessSecurity:
		if a.ExpectedPeakRPS != 0 || a.TestedRPS != 0 || a.P99Millis != 0 {
			return nil, paved.Errorf(paved.EINVALID, "a security assessment has no load figures: record those as a load profile")
		}
		for field, v := range map[string]string{"threat_model": a.ThreatModel, "vuln_scan_link": a.VulnScanLink, "pen_test": a.PenTest} {
			if v != "" {
				if err := validLink(field, v); err != nil {
					return nil, err
				}
			}
		}
		if err := checkText("vuln_scan", a.VulnScan, maxCommentBytes); err != nil {
			return nil, err
		}
		switch a.RiskRating {
		case "", paved.RiskLow, paved.RiskMedium, paved.RiskHigh, paved.RiskCritical:
		default:
			return nil, paved.FieldErrorf(paved.EINVALID, "risk_rating", "unknown risk rating %q: want low, medium, high or critical", in.RiskRating)
		}
		if a.ThreatModel == "" && a.VulnScan == "" && a.VulnScanLink == "" && a.RiskRating == "" && a.PenTest == "" {
			return nil, paved.Errorf(paved.EINVALID, "a security assessment needs at least one of: threat_model (link), risk_rating, pen_test (link), vuln_scan")
		}
	case paved.AssessLoad:
		if a.ThreatModel != "" || a.VulnScan != "" || a.VulnScanLink != "" || a.RiskRating != "" || a.PenTest != "" {
			return nil, paved.Errorf(paved.EINVALID, "a load profile has no threat model, scan, risk rating or pen test: record those as a security assessment")
		}
		for field, v := range map[string]float64{"expected_peak_rps": a.ExpectedPeakRPS, "tested_rps": a.TestedRPS, "p99_ms": a.P99Millis} {
			if err := finite(field, v); err != nil {
				return nil, err
			}
		}
		if a.ExpectedPeakRPS == 0 && a.TestedRPS == 0 && a.P99Millis == 0 {
			return nil, paved.Errorf(paved.EINVALID, "a load profile needs expected_peak_rps, tested_rps and p99_ms")
		}
	default:
		return nil, paved.FieldErrorf(paved.EINVALID, "kind", "unknown assessment kind %q: want security or load", in.Kind)
	}
	l, err := s.Store.FindLaunch(ctx, service)
	if err != nil {
		return nil, err
	}
	a.Service = l.Service.Name
	a.RecordedBy = u.Name
	a.RecordedAt = s.now()
	if err := s.pin(ctx, l); err != nil {
		return nil, err
	}
	if err := s.Store.AddAssessment(ctx, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Advance moves a service to phase to ("" for the next phase) through its
// gate. force (admin only, with a reason) skips the gate and is recorded.
func (s *Service) Advance(ctx context.Context, service string, to paved.Phase, force bool, reason string) (*paved.PhaseChange, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, maxCommentBytes); err != nil {
		return nil, err
	}
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	svc := l.Service
	if to == "" {
		if to = nextPhase(svc.Phase); to == "" || svc.Grandfathered {
			return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "to", "%s is %s: there is no next gate (to retire it: `paved launch advance %s retired`)", svc.Name, phaseWords(svc), svc.Name)
		}
	}
	if !to.Valid() {
		return nil, paved.FieldErrorf(paved.EINVALID, "to", "unknown phase %q: want playground, green-light, production or retired", to)
	}
	if to == svc.Phase {
		return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "to", "%s is already in %s", svc.Name, to)
	}
	if force {
		if err := paved.Authorize(u, paved.ActForcePhase, paved.Resource{Team: svc.Owner}); err != nil {
			return nil, err
		}
		if reason == "" {
			return nil, paved.FieldErrorf(paved.EINVALID, "reason", "a forced move needs a reason: it is recorded with the phase change")
		}
	}
	now := s.now()
	if !force {
		// The gate is checked before anything is written: pinning the
		// templates is a write (launch.pin in the audit log), and a
		// refused request writes nothing. The store checks it again in
		// the phase change's transaction.
		if err := GateError(svc.Name, CheckGate(l, t, to, now)); err != nil {
			return nil, err
		}
	}
	if err := s.pin(ctx, l); err != nil {
		return nil, err
	}
	c := &paved.PhaseChange{Service: svc.Name, From: svc.Phase, To: to, Actor: u.Name, At: now, Forced: force, Reason: reason}
	var gate func(*paved.Launch) error
	if !force {
		gate = func(stored *paved.Launch) error {
			if stored == nil || stored.Service == nil {
				return paved.Errorf(paved.ENOTFOUND, "service %q not found", svc.Name)
			}
			if stored.Service.Phase != c.From {
				return paved.Errorf(paved.ECONFLICT, "%s moved to %s meanwhile: look at its status and try again", svc.Name, stored.Service.Phase)
			}
			for _, k := range paved.TemplateKinds {
				if stored.Versions[k] != 0 && stored.Versions[k] != l.Versions[k] {
					return paved.Errorf(paved.ECONFLICT, "%s's %s template changed meanwhile: try again", svc.Name, k)
				}
			}
			if stored.Facts == nil {
				// Facts live outside the launch tables: the gate judges
				// by the facts read just before.
				stored.Facts = l.Facts
			}
			return GateError(svc.Name, CheckGate(stored, t, to, now))
		}
	}
	if err := s.Store.ChangePhase(ctx, c, gate); err != nil {
		return nil, err
	}
	return c, nil
}

func phaseWords(svc *paved.Service) string {
	if svc.Grandfathered && svc.Phase != paved.PhaseRetired {
		return "grandfathered (in production before paved)"
	}
	return "in " + string(svc.Phase)
}

// Schedule schedules the service's walkthrough. An earlier walkthrough that
// is still open (pending or changes requested) is cancelled first.
func (s *Service) Schedule(ctx context.Context, service string, at time.Time, participants []string) (*WalkthroughStatus, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, paved.FieldErrorf(paved.EINVALID, "scheduled_at", "the walkthrough needs a date and time (RFC 3339, or YYYY-MM-DD HH:MM)")
	}
	l, err := s.Store.FindLaunch(ctx, service)
	if err != nil {
		return nil, err
	}
	l = GateView(l)
	svc := l.Service
	if svc.Grandfathered || svc.Phase == paved.PhaseProduction || svc.Phase == paved.PhaseRetired {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "%s is %s: a walkthrough is the review before a launch", svc.Name, phaseWords(svc))
	}
	var names []string
	for _, p := range participants {
		p = strings.TrimSpace(p)
		if p == "" || slices.Contains(names, p) {
			continue
		}
		pu, err := s.Store.FindUser(ctx, p)
		if paved.ErrorCode(err) == paved.ENOTFOUND || paved.ErrorCode(err) == paved.EINVALID {
			return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "participants", "participant %q is not a paved user", p)
		} else if err != nil {
			return nil, err
		}
		if pu.RetiredAt != nil {
			return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "participants", "participant %s is retired", pu.Name)
		}
		names = append(names, pu.Name)
	}
	if len(names) > maxParticipants {
		return nil, paved.FieldErrorf(paved.EINVALID, "participants", "%d participants: at most %d", len(names), maxParticipants)
	}
	if w := NewestWalkthrough(l); w != nil {
		switch o := Outcome(w, RequiredSignoffs(svc.Tier, svc.DataClass)); o {
		case paved.OutcomePending, paved.OutcomeChangesRequested:
			return nil, paved.Errorf(paved.ECONFLICT, "walkthrough #%d (%s) is still open (%s): cancel it first (`paved launch walkthrough cancel %d`), then schedule the new one", w.ID, w.ScheduledAt.UTC().Format("2006-01-02 15:04 MST"), o, w.ID)
		}
	}
	if err := s.pin(ctx, l); err != nil {
		return nil, err
	}
	if names == nil {
		names = []string{}
	}
	// The objections and open follow-ups of the walkthrough before carry
	// over: a new walkthrough does not start from a clean sheet.
	carried, followUps := CarryOver(previousWalkthrough(l))
	w := &paved.Walkthrough{Service: svc.Name, ScheduledAt: at.UTC(), Participants: names, CreatedBy: u.Name, CreatedAt: s.now(),
		Signoffs: carried, FollowUps: followUps}
	if err := s.Store.CreateWalkthrough(ctx, w, SignoffRequested); err != nil {
		return nil, err
	}
	return walkthroughStatus(w, svc, l.LatestAssessment(paved.AssessSecurity)), nil
}

// walkthrough loads a walkthrough with its service's launch.
func (s *Service) walkthrough(ctx context.Context, id int64) (*paved.Walkthrough, *paved.Launch, error) {
	w, err := s.Store.FindWalkthrough(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.Store.FindLaunch(ctx, w.Service)
	if err != nil {
		return nil, nil, err
	}
	return w, GateView(l), nil
}

// Walkthrough returns one walkthrough with what its sign-offs add up to.
func (s *Service) Walkthrough(ctx context.Context, id int64) (*WalkthroughStatus, error) {
	w, l, err := s.walkthrough(ctx, id)
	if err != nil {
		return nil, err
	}
	return walkthroughStatus(w, l.Service, l.LatestAssessment(paved.AssessSecurity)), nil
}

// CancelWalkthrough cancels a walkthrough; it takes no more sign-offs. One
// in which a signer objected is cancelled only by that signer or an admin
// with a reason (CanCancelWalkthrough), decided again inside the store's
// transaction so that an objection signed meanwhile counts.
func (s *Service) CancelWalkthrough(ctx context.Context, id int64, reason string) error {
	u, err := s.user(ctx)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, maxCommentBytes); err != nil {
		return err
	}
	w, l, err := s.walkthrough(ctx, id)
	if err != nil {
		return err
	}
	if err := CanCancelWalkthrough(u, l.Service, w, reason); err != nil {
		return err
	}
	return s.Store.CancelWalkthrough(ctx, id, reason, func(stored *paved.Walkthrough) error {
		return CanCancelWalkthrough(u, l.Service, stored, reason)
	})
}

// Sign records the acting user's sign-off on a walkthrough in role.
func (s *Service) Sign(ctx context.Context, id int64, role paved.SignRole, d paved.Decision, comment string) (*WalkthroughStatus, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	role = paved.SignRole(strings.ToLower(strings.TrimSpace(string(role))))
	d = paved.Decision(strings.ToLower(strings.TrimSpace(string(d))))
	comment = strings.TrimSpace(comment)
	if err := checkText("comment", comment, maxCommentBytes); err != nil {
		return nil, err
	}
	w, l, err := s.walkthrough(ctx, id)
	if err != nil {
		return nil, err
	}
	svc, security := l.Service, l.LatestAssessment(paved.AssessSecurity)
	so := &paved.Signoff{Walkthrough: w.ID, Signer: u.Name, Role: role, Decision: d, Comment: comment, At: s.now()}
	if err := CanSign(u, svc, w, so, security); err != nil {
		return nil, err // a clear answer without opening a transaction
	}
	err = s.Store.AddSignoff(ctx, so, func(stored *paved.Walkthrough) error {
		return CanSign(u, svc, stored, so, security)
	})
	if err != nil {
		return nil, err
	}
	return s.Walkthrough(ctx, id)
}

// AddFollowUp records an action agreed at a walkthrough.
func (s *Service) AddFollowUp(ctx context.Context, id int64, description, owner string, due time.Time) (*paved.FollowUp, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	description = strings.TrimSpace(description)
	if description == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "description", "say what is to be done")
	}
	if err := checkText("description", description, maxCommentBytes); err != nil {
		return nil, err
	}
	if due.IsZero() {
		return nil, paved.FieldErrorf(paved.EINVALID, "due", "a follow-up needs a due date (YYYY-MM-DD)")
	}
	w, err := s.Store.FindWalkthrough(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.Cancelled {
		return nil, paved.Errorf(paved.ECONFLICT, "walkthrough #%d is cancelled: add the follow-up to the current walkthrough", id)
	}
	o, err := s.Store.FindUser(ctx, strings.TrimSpace(owner))
	if paved.ErrorCode(err) == paved.ENOTFOUND || paved.ErrorCode(err) == paved.EINVALID {
		return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "owner", "owner %q is not a paved user", owner)
	} else if err != nil {
		return nil, err
	}
	y, m, d := due.Date()
	f := &paved.FollowUp{Walkthrough: id, Description: description, Owner: o.Name, Due: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), CreatedBy: u.Name, CreatedAt: s.now()}
	if err := s.Store.AddFollowUp(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

// CompleteFollowUp marks a follow-up done.
func (s *Service) CompleteFollowUp(ctx context.Context, id, followUp int64) (*paved.FollowUp, error) {
	if _, err := s.user(ctx); err != nil {
		return nil, err
	}
	w, err := s.Store.FindWalkthrough(ctx, id)
	if err != nil {
		return nil, err
	}
	var f *paved.FollowUp
	for _, v := range w.FollowUps {
		if v.ID == followUp {
			f = v
		}
	}
	if f == nil {
		return nil, paved.Errorf(paved.ENOTFOUND, "walkthrough #%d has no follow-up #%d", id, followUp)
	}
	if f.DoneAt != nil {
		return nil, paved.Errorf(paved.ECONFLICT, "follow-up #%d was already done by %s on %s", followUp, f.DoneBy, f.DoneAt.UTC().Format(time.DateOnly))
	}
	return s.Store.CompleteFollowUp(ctx, id, followUp)
}

// Upgrade shows how the configured template of kind differs from the one
// the service pinned, and with apply re-pins the service to it. Answers
// for items that still exist are kept; answers for removed items stay in
// the history but no longer count.
func (s *Service) Upgrade(ctx context.Context, service string, kind paved.TemplateKind, apply bool) (*Upgrade, error) {
	if !kind.Valid() {
		return nil, paved.FieldErrorf(paved.EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", kind)
	}
	if apply {
		if _, err := s.user(ctx); err != nil {
			return nil, err
		}
	}
	l, err := s.Store.FindLaunch(ctx, service)
	if err != nil {
		return nil, err
	}
	cur := s.Library.Current(kind)
	if cur == nil {
		return nil, paved.Errorf(paved.EINTERNAL, "no %s template is configured", kind)
	}
	up := &Upgrade{Kind: kind, From: l.Versions[kind], To: cur.Version, Changes: []ItemChange{}}
	if up.From == 0 {
		// Not pinned yet: the service already follows the configured
		// version; applying pins it.
		up.From = cur.Version
		if apply {
			if err := s.pin(ctx, l); err != nil {
				return nil, err
			}
			up.Applied = true
		}
		return up, nil
	}
	old, err := s.template(ctx, kind, up.From)
	if err != nil {
		return nil, err
	}
	if up.From != cur.Version {
		up.Changes = Diff(old, cur)
	}
	if !apply || up.From == cur.Version {
		return up, nil
	}
	if cur.Version < up.From {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "%s is pinned to %s version %d, newer than the configured version %d: nothing to upgrade to", l.Service.Name, kind, up.From, cur.Version)
	}
	if err := s.Store.SaveTemplate(ctx, cur); err != nil {
		return nil, err
	}
	if err := s.Store.PinTemplate(ctx, l.Service.Name, kind, cur.Version); err != nil {
		return nil, err
	}
	up.Applied = true
	return up, nil
}

// Readiness replays the service's answer history into scores over time.
func (s *Service) Readiness(ctx context.Context, service string) ([]ReadinessPoint, error) {
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	h, err := s.Store.AnswerHistory(ctx, l.Service.Name, "")
	if err != nil {
		return nil, err
	}
	pts := ReplayReadiness(l, t, h)
	if pts == nil {
		pts = []ReadinessPoint{}
	}
	return pts, nil
}

// Blocked is the organisation view: every service on its way to production
// (of one team, or all for "") with what stands before its next phase.
func (s *Service) Blocked(ctx context.Context, team string) ([]*Blocked, error) {
	team = strings.TrimSpace(team)
	if team != "" {
		if _, err := s.Store.FindTeam(ctx, team); err != nil {
			return nil, err
		}
	}
	ls, err := s.Store.FindLaunches(ctx, paved.LaunchFilter{Team: team})
	if err != nil {
		return nil, err
	}
	if err := s.addFacts(ctx, ls); err != nil {
		return nil, err
	}
	now := s.now()
	out := []*Blocked{}
	for _, l := range ls {
		if l.Service == nil || l.Service.Grandfathered {
			continue
		}
		t, err := s.templates(ctx, l)
		if err != nil {
			return nil, err
		}
		st := Evaluate(l, t, nil, now)
		if st.Next == nil {
			continue
		}
		out = append(out, &Blocked{Service: l.Service.Name, Team: l.Service.Owner, Tier: l.Service.Tier, Phase: l.Service.Phase, Score: st.Score.Overall, Next: st.Next})
	}
	return out, nil
}

// Inbox lists what waits for user ("" for the acting user): walkthroughs
// they may sign and have not, n/a answers waiting for them, the flags they
// opened and the services they advise.
func (s *Service) Inbox(ctx context.Context, user string) (*Inbox, error) {
	var u *paved.User
	var err error
	if user = strings.TrimSpace(user); user == "" {
		u, err = s.user(ctx)
	} else {
		u, err = s.Store.FindUser(ctx, user)
	}
	if err != nil {
		return nil, err
	}
	ls, err := s.Store.FindLaunches(ctx, paved.LaunchFilter{})
	if err != nil {
		return nil, err
	}
	in := &Inbox{Signoffs: []*WalkthroughStatus{}, NAReviews: []*ItemRef{}, Flagged: []*ItemRef{}, Contact: []string{}}
	for _, l := range ls {
		l = GateView(l)
		svc := l.Service
		if svc == nil || svc.Grandfathered {
			continue
		}
		security := l.LatestAssessment(paved.AssessSecurity)
		if w := NewestWalkthrough(l); w != nil && mayStillSign(u, svc, w, security) {
			in.Signoffs = append(in.Signoffs, walkthroughStatus(w, svc, security))
		}
		if l.Contact == u.Name {
			in.Contact = append(in.Contact, svc.Name)
		}
		t, err := s.templates(ctx, l)
		if err != nil {
			return nil, err
		}
		reviews := (l.Contact == u.Name || u.HasRole(paved.RoleReviewer)) &&
			paved.Authorize(u, paved.ActReviewAnswer, paved.Resource{Team: svc.Owner}) == nil
		for _, k := range paved.TemplateKinds {
			if t[k] == nil {
				continue
			}
			for _, it := range t[k].Items() {
				a := l.Answers[it.ID]
				if a == nil {
					continue
				}
				if reviews && a.Status == paved.AnswerNA && a.NAAcceptedBy == "" {
					in.NAReviews = append(in.NAReviews, &ItemRef{Service: svc.Name, Item: it.ID, Title: it.Title, Note: a.NAReason})
				}
				if a.Flag != "" && a.FlaggedBy == u.Name {
					in.Flagged = append(in.Flagged, &ItemRef{Service: svc.Name, Item: it.ID, Title: it.Title, Note: a.Flag})
				}
			}
		}
	}
	sort.SliceStable(in.Signoffs, func(i, j int) bool { return in.Signoffs[i].ScheduledAt.Before(in.Signoffs[j].ScheduledAt) })
	return in, nil
}

// mayStillSign reports whether u could sign w in some required role and
// has not signed it yet. Any developer may be a peer, so the peer role
// counts only for participants and members of the owning team: an inbox
// does not list every walkthrough of the organisation.
func mayStillSign(u *paved.User, svc *paved.Service, w *paved.Walkthrough, security *paved.Assessment) bool {
	for _, so := range w.Signoffs {
		if so != nil && so.Signer == u.Name {
			return false
		}
	}
	for _, r := range RequiredSignoffs(svc.Tier, svc.DataClass) {
		if r == paved.SignPeer && !slices.Contains(w.Participants, u.Name) && !u.InTeam(svc.Owner) {
			continue
		}
		if CanSign(u, svc, w, &paved.Signoff{Signer: u.Name, Role: r, Decision: paved.DecisionApprove}, security) == nil {
			return true
		}
	}
	return false
}

// RecordCheck stores a guard-rail check for a service; the evidence of
// check-rules items follows the newest one.
func (s *Service) RecordCheck(ctx context.Context, c *paved.CheckRecord) error {
	if c == nil {
		return paved.Errorf(paved.EINVALID, "the check is empty")
	}
	l, err := s.Store.FindLaunch(ctx, strings.TrimSpace(c.Service))
	if err != nil {
		return err
	}
	c.Service = l.Service.Name
	if c.Actor == "" {
		c.Actor = paved.ActorFrom(ctx).Name
	}
	if c.At.IsZero() {
		c.At = s.now()
	}
	if c.ResourceTypes == nil {
		c.ResourceTypes = map[string]int{}
	}
	for typ, n := range c.ResourceTypes {
		if n < 0 {
			return paved.FieldErrorf(paved.EINVALID, "resource_types", "a negative count for %s", typ)
		}
	}
	for _, link := range []struct{ field, v string }{{"pull_request", c.PullRequest}, {"run_url", c.RunURL}} {
		if link.v != "" {
			if err := validLink(link.field, link.v); err != nil {
				return err
			}
		}
	}
	if err := s.pin(ctx, l); err != nil {
		return err
	}
	return s.Store.RecordCheck(ctx, c)
}

// ServiceItems is one service's launch with the state of every item of
// its templates, for the scorecards (which read item states without
// depending on this package).
type ServiceItems struct {
	Launch *paved.Launch
	// Items holds each item's state by id (settled, evidenced,
	// na-pending, missing).
	Items map[string]string
}

// ItemStates evaluates the launch items of every service in phases (nil:
// every phase), grandfathered ones included, in service name order; one
// service's name when service is not "".
func (s *Service) ItemStates(ctx context.Context, service string, phases []paved.Phase) ([]*ServiceItems, error) {
	var ls []*paved.Launch
	if service != "" {
		l, err := s.Store.FindLaunch(ctx, service)
		if err != nil {
			return nil, err
		}
		ls = []*paved.Launch{l}
	} else {
		if phases == nil {
			phases = paved.Phases
		}
		var err error
		if ls, err = s.Store.FindLaunches(ctx, paved.LaunchFilter{Phases: phases, IncludeGrandfathered: true}); err != nil {
			return nil, err
		}
	}
	if err := s.addFacts(ctx, ls); err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]*ServiceItems, 0, len(ls))
	for _, l := range ls {
		if l.Service == nil {
			continue
		}
		if l.Answers == nil {
			l.Answers = map[string]*paved.Answer{}
		}
		t, err := s.templates(ctx, l)
		if err != nil {
			return nil, err
		}
		si := &ServiceItems{Launch: l, Items: map[string]string{}}
		for _, k := range paved.TemplateKinds {
			if t[k] == nil {
				continue
			}
			for _, a := range t[k].Areas {
				for _, it := range a.Items {
					si.Items[it.ID] = string(itemStatus(l, k, a, it, 0, now).State)
				}
			}
		}
		out = append(out, si)
	}
	return out, nil
}
