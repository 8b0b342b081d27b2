package launch

// The pure rules of the path to production: who must sign a walkthrough,
// who may sign in which role, what the sign-offs add up to, and what stands
// between a service and the phase it wants to move to. No I/O here; Service
// loads the facts and calls these.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// RequiredSignoffs returns the roles that must approve a walkthrough for a
// service of tier t handling data class dc, in paved.SignRoles order:
// tier 1 needs peer, architect and security; tiers 2 and 3 peer and
// architect; tier 4 a peer. Restricted data adds architect and security,
// confidential data adds security.
func RequiredSignoffs(t paved.Tier, dc paved.DataClass) []paved.SignRole {
	need := map[paved.SignRole]bool{paved.SignPeer: true}
	switch t {
	case 1:
		need[paved.SignArchitect], need[paved.SignSecurity] = true, true
	case 4:
	default: // 2, 3 (and any tier out of range, treated like the default tier)
		need[paved.SignArchitect] = true
	}
	switch dc {
	case paved.DataRestricted:
		need[paved.SignArchitect], need[paved.SignSecurity] = true, true
	case paved.DataConfidential:
		need[paved.SignSecurity] = true
	}
	var out []paved.SignRole
	for _, r := range paved.SignRoles {
		if need[r] {
			out = append(out, r)
		}
	}
	return out
}

// VetoAllowed reports whether a walkthrough of svc may be vetoed at all:
// only when the service is critical or high-risk (tier 1, restricted data,
// or a newest security assessment rated high or critical). Who may veto
// (architect or security) is CanSign's decision.
func VetoAllowed(svc *paved.Service, security *paved.Assessment) bool {
	if svc == nil {
		return false
	}
	if svc.Tier == 1 || svc.DataClass == paved.DataRestricted {
		return true
	}
	if security != nil && security.Kind == paved.AssessSecurity &&
		(security.RiskRating == paved.RiskHigh || security.RiskRating == paved.RiskCritical) {
		return true
	}
	return false
}

// CurrentSignoffs returns the newest sign-off per role.
func CurrentSignoffs(w *paved.Walkthrough) map[paved.SignRole]*paved.Signoff {
	cur := map[paved.SignRole]*paved.Signoff{}
	if w == nil {
		return cur
	}
	for _, s := range w.Signoffs {
		if s != nil {
			cur[s.Role] = s // Signoffs are in time order: the last one wins
		}
	}
	return cur
}

// Outcome derives a walkthrough's outcome from the newest sign-off of each
// role: any veto makes it vetoed; else any request for changes makes it
// changes-requested; else it is approved once every required role approved,
// and pending until then. An objection (veto, request for changes) counts
// whichever role it was made in, so that a tier or data-class change after
// the fact does not silently drop it; approvals count only for required
// roles.
func Outcome(w *paved.Walkthrough, required []paved.SignRole) paved.WalkthroughOutcome {
	cur := CurrentSignoffs(w)
	changes := false
	for _, r := range paved.SignRoles {
		s := cur[r]
		if s == nil {
			continue
		}
		switch s.Decision {
		case paved.DecisionVeto:
			return paved.OutcomeVetoed
		case paved.DecisionRequestChanges:
			changes = true
		}
	}
	if changes {
		return paved.OutcomeChangesRequested
	}
	if len(required) == 0 {
		return paved.OutcomePending
	}
	for _, r := range required {
		if s := cur[r]; s == nil || s.Decision != paved.DecisionApprove {
			return paved.OutcomePending
		}
	}
	return paved.OutcomeApproved
}

// holds reports whether u was given role r itself. Unlike User.HasRole,
// admin does not count: a sign-off is a person's judgement in a capacity
// they hold, not a permission an admin can borrow.
func holds(u *paved.User, r paved.Role) bool {
	return u != nil && slices.Contains(u.Roles, r)
}

func validRole(r paved.SignRole) bool { return slices.Contains(paved.SignRoles, r) }

func validDecision(d paved.Decision) bool {
	switch d {
	case paved.DecisionApprove, paved.DecisionRequestChanges, paved.DecisionVeto:
		return true
	}
	return false
}

func roleList(rs []paved.SignRole) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// CanSign decides whether u may add sign-off s to walkthrough w of service
// svc (security is the service's newest security assessment, or nil). It
// returns nil or an *paved.Error saying what to do instead:
//   - a cancelled or vetoed walkthrough takes no sign-offs (ECONFLICT);
//   - the role must be one the walkthrough requires (EUNPROCESSABLE);
//   - peer: holds developer, reviewer or architect, and did not schedule the
//     walkthrough; architect and security: hold that role and are not
//     members of the owning team (EFORBIDDEN). Admin does not bypass this;
//   - a person signs in one role, and a role is signed by one person
//     (ECONFLICT);
//   - signing again is allowed only after one's own request for changes
//     (ECONFLICT);
//   - a veto only where VetoAllowed, and only as architect or security
//     (EFORBIDDEN).
func CanSign(u *paved.User, svc *paved.Service, w *paved.Walkthrough, s *paved.Signoff, security *paved.Assessment) error {
	if u == nil {
		return paved.Errorf(paved.EUNAUTHORIZED, "signing a walkthrough needs a signed-in paved user")
	}
	if svc == nil || w == nil || s == nil {
		return paved.Errorf(paved.EINVALID, "a sign-off needs a service, a walkthrough and a decision")
	}
	if w.Service != "" && svc.Name != "" && w.Service != svc.Name {
		return paved.Errorf(paved.EINVALID, "walkthrough #%d is for service %q, not %q", w.ID, w.Service, svc.Name)
	}
	if !validRole(s.Role) {
		return paved.FieldErrorf(paved.EINVALID, "role", "unknown sign-off role %q: want peer, architect or security", s.Role)
	}
	if !validDecision(s.Decision) {
		return paved.FieldErrorf(paved.EINVALID, "decision", "unknown decision %q: want approve, request-changes or veto", s.Decision)
	}
	if s.Decision != paved.DecisionApprove && strings.TrimSpace(s.Comment) == "" {
		return paved.FieldErrorf(paved.EINVALID, "comment", "a %s needs a comment saying what must change and why", s.Decision)
	}
	if w.Cancelled {
		return paved.Errorf(paved.ECONFLICT, "walkthrough #%d was cancelled: sign the service's current walkthrough instead (`paved launch status %s` shows it)", w.ID, svc.Name)
	}
	cur := CurrentSignoffs(w)
	for _, r := range paved.SignRoles {
		if v := cur[r]; v != nil && v.Decision == paved.DecisionVeto {
			if v.Signer == u.Name {
				return paved.Errorf(paved.ECONFLICT, "you vetoed walkthrough #%d as %s: a veto stands; the team addresses it and schedules a new walkthrough", w.ID, v.Role)
			}
			return paved.Errorf(paved.ECONFLICT, "walkthrough #%d was vetoed by %s (%s) and takes no more sign-offs: the team addresses the veto and schedules a new walkthrough", w.ID, v.Signer, v.Role)
		}
	}
	required := RequiredSignoffs(svc.Tier, svc.DataClass)
	if !slices.Contains(required, s.Role) {
		return paved.FieldErrorf(paved.EUNPROCESSABLE, "role", "a tier %d service with %s data needs sign-offs from %s, not %s: sign in one of those roles", svc.Tier, svc.DataClass, roleList(required), s.Role)
	}
	switch s.Role {
	case paved.SignPeer:
		if !holds(u, paved.RoleDeveloper) && !holds(u, paved.RoleReviewer) && !holds(u, paved.RoleArchitect) {
			return paved.Errorf(paved.EFORBIDDEN, "%s cannot sign as peer: a peer holds the developer, reviewer or architect role", u.Name)
		}
		if w.CreatedBy != "" && w.CreatedBy == u.Name {
			return paved.Errorf(paved.EFORBIDDEN, "%s scheduled walkthrough #%d and cannot also be its peer: the peer is a second pair of eyes; ask another engineer", u.Name, w.ID)
		}
	case paved.SignArchitect, paved.SignSecurity:
		role := paved.RoleArchitect
		if s.Role == paved.SignSecurity {
			role = paved.RoleSecurity
		}
		if !holds(u, role) {
			return paved.Errorf(paved.EFORBIDDEN, "%s cannot sign as %s: that needs the %s role (admin does not stand in for it)", u.Name, s.Role, role)
		}
		if u.InTeam(svc.Owner) {
			return paved.Errorf(paved.EFORBIDDEN, "%s is a member of the owning team %q and cannot sign as %s: that sign-off comes from outside the team (%s may sign as peer)", u.Name, svc.Owner, s.Role, u.Name)
		}
	}
	// A person fills one role; a role is filled by one person.
	var mine *paved.Signoff
	for _, v := range w.Signoffs {
		if v == nil {
			continue
		}
		if v.Signer == u.Name {
			if v.Role != s.Role {
				return paved.Errorf(paved.ECONFLICT, "%s already signs walkthrough #%d as %s: one person fills one role; ask someone else to sign as %s", u.Name, w.ID, v.Role, s.Role)
			}
			mine = v
		} else if v.Role == s.Role && !v.SignerRetired {
			// A retired signer's role is taken over by an active holder
			// of it (the newest sign-off of a role counts): otherwise
			// their objection, carried over from walkthrough to
			// walkthrough, could never be resolved.
			return paved.Errorf(paved.ECONFLICT, "%s already signs walkthrough #%d as %s: only they can change that decision (or cancel the walkthrough and schedule a new one)", v.Signer, w.ID, v.Role)
		}
	}
	if mine != nil {
		switch mine.Decision {
		case paved.DecisionApprove:
			return paved.Errorf(paved.ECONFLICT, "%s already approved walkthrough #%d as %s: an approval is given once", u.Name, w.ID, mine.Role)
		case paved.DecisionVeto: // caught above; kept for safety
			return paved.Errorf(paved.ECONFLICT, "you vetoed walkthrough #%d: a veto stands", w.ID)
		}
	}
	if s.Decision == paved.DecisionVeto {
		if !VetoAllowed(svc, security) {
			return paved.Errorf(paved.EFORBIDDEN, "a veto is only for critical or high-risk services (tier 1, restricted data, or a security assessment rated high or critical); %s is tier %d with %s data: request changes instead", svc.Name, svc.Tier, svc.DataClass)
		}
		if s.Role != paved.SignArchitect && s.Role != paved.SignSecurity {
			return paved.Errorf(paved.EFORBIDDEN, "only the architect or security signer may veto; as %s, request changes instead", s.Role)
		}
	}
	return nil
}

// nextPhase is where a service goes from p when no phase is named.
func nextPhase(p paved.Phase) paved.Phase {
	switch p {
	case paved.PhasePlayground:
		return paved.PhaseGreenLight
	case paved.PhaseGreenLight:
		return paved.PhaseProduction
	}
	return ""
}

func phaseIndex(p paved.Phase) int { return slices.Index(paved.Phases, p) }

// NewestWalkthrough returns the newest walkthrough that was not cancelled,
// or nil.
func NewestWalkthrough(l *paved.Launch) *paved.Walkthrough {
	if l == nil {
		return nil
	}
	var best *paved.Walkthrough
	for _, w := range l.Walkthroughs {
		if w == nil || w.Cancelled {
			continue
		}
		if best == nil || w.CreatedAt.After(best.CreatedAt) || (w.CreatedAt.Equal(best.CreatedAt) && w.ID > best.ID) {
			best = w
		}
	}
	return best
}

// Overdue reports whether an open follow-up's due date has passed: it is
// due by the end of its day (UTC).
func Overdue(f *paved.FollowUp, now time.Time) bool {
	if f == nil || f.DoneAt != nil || f.Due.IsZero() {
		return false
	}
	y, m, d := f.Due.UTC().Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	return !now.Before(end)
}

// CheckGate lists what stands between l's service and phase to. The gate
// is open (no gaps) when the move may happen without force. Templates are
// the service's pinned (or, unpinned, configured) versions by kind.
func CheckGate(l *paved.Launch, t map[paved.TemplateKind]*paved.Template, to paved.Phase, now time.Time) *Gate {
	g := &Gate{To: to}
	if l == nil || l.Service == nil {
		g.Gaps = append(g.Gaps, Gap{Kind: "phase", Message: "the service is unknown"})
		return g
	}
	l = GateView(l) // the strictest classification since green-light
	svc := l.Service
	g.From = svc.Phase
	phaseGap := func(format string, args ...any) *Gate {
		g.Gaps = append(g.Gaps, Gap{Kind: "phase", Message: fmt.Sprintf(format, args...)})
		return g
	}
	switch {
	case !to.Valid():
		return phaseGap("unknown phase %q: want playground, green-light, production or retired", to)
	case to == svc.Phase:
		return phaseGap("%s is already in %s", svc.Name, to)
	case svc.Phase == paved.PhaseRetired:
		return phaseGap("%s is retired: a retired service does not move (an admin can force it with a reason)", svc.Name)
	case to == paved.PhaseRetired:
		return g // retiring needs no gate
	case svc.Grandfathered:
		return phaseGap("%s is grandfathered (it was in production before paved): no gate applies to it, it can only be retired", svc.Name)
	case phaseIndex(to) < phaseIndex(svc.Phase):
		return phaseGap("moving %s back from %s to %s is not a gate step: an admin can force it with a reason", svc.Name, svc.Phase, to)
	}
	if svc.Phase == paved.PhasePlayground && to == paved.PhaseProduction {
		phaseGap("%s must pass green-light before production: move it to green-light first (`paved launch advance %s green-light`)", svc.Name, svc.Name)
	}
	if svc.Phase == paved.PhasePlayground {
		g.Gaps = append(g.Gaps, itemGaps(l, t, paved.KindQuestionnaire, now)...)
		if strings.TrimSpace(l.Contact) == "" {
			g.Gaps = append(g.Gaps, Gap{Kind: "contact", Message: fmt.Sprintf("assign an enablement contact: a member of an enablement team who advises %s on its launch", svc.Name)})
		}
	}
	if to == paved.PhaseProduction {
		g.Gaps = append(g.Gaps, itemGaps(l, t, paved.KindChecklist, now)...)
		g.Gaps = append(g.Gaps, assessmentGaps(l)...)
		g.Gaps = append(g.Gaps, walkthroughGaps(l, now)...)
	}
	return g
}

// itemGaps lists the required items of one template that are neither
// settled nor evidenced.
func itemGaps(l *paved.Launch, t map[paved.TemplateKind]*paved.Template, kind paved.TemplateKind, now time.Time) []Gap {
	tpl := t[kind]
	if tpl == nil {
		return []Gap{{Kind: "item", Message: fmt.Sprintf("no %s template is available: the platform config must provide one", kind)}}
	}
	var gaps []Gap
	for _, a := range tpl.Areas {
		for _, it := range a.Items {
			if it == nil || !it.Required(l.Service.Tier) {
				continue
			}
			st := itemStatus(l, kind, a, it, 0, now)
			switch st.State {
			case StateNAPending:
				gaps = append(gaps, Gap{Kind: "na-review", Item: it.ID, Message: fmt.Sprintf("%s item %s (%s): the n/a reason waits for a reviewer to accept it (or answer the item)", kind, it.ID, a.Title)})
			case StateMissing:
				msg := fmt.Sprintf("answer %s item %s (%s): %s", kind, it.ID, a.Title, it.Title)
				if st.Evidence != nil && st.Evidence.Detail != "" {
					msg += " [evidence: " + st.Evidence.Detail + "]"
				}
				gaps = append(gaps, Gap{Kind: "item", Item: it.ID, Message: msg})
			}
		}
	}
	return gaps
}

// assessmentGaps checks the newest security assessment and load profile.
func assessmentGaps(l *paved.Launch) []Gap {
	var gaps []Gap
	add := func(format string, args ...any) {
		gaps = append(gaps, Gap{Kind: "assessment", Message: fmt.Sprintf(format, args...)})
	}
	svc := l.Service
	if a := l.LatestAssessment(paved.AssessSecurity); a == nil {
		add("record a security assessment: a threat model link, a risk rating%s", map[bool]string{true: " and a pen-test report (tier 1-2)", false: ""}[svc.Tier <= 2])
	} else {
		if strings.TrimSpace(a.ThreatModel) == "" {
			add("the security assessment needs a threat model link: record the assessment again with it")
		}
		if a.RiskRating == "" {
			add("the security assessment needs a risk rating (low, medium, high or critical): record the assessment again with it")
		}
		if svc.Tier <= 2 && strings.TrimSpace(a.PenTest) == "" {
			add("a tier %d service needs a pen-test report link in its security assessment: record the assessment again with it", svc.Tier)
		}
	}
	if a := l.LatestAssessment(paved.AssessLoad); a == nil {
		add("record a load profile: expected peak load, the load tested and the p99 latency at that load")
	} else {
		if a.ExpectedPeakRPS <= 0 {
			add("the load profile needs the expected peak load (requests per second, above 0)")
		}
		if a.TestedRPS < a.ExpectedPeakRPS || a.TestedRPS <= 0 {
			add("the load profile's tested load (%g rps) is below the expected peak (%g rps): load-test at least the expected peak and record it", a.TestedRPS, a.ExpectedPeakRPS)
		}
		if a.P99Millis <= 0 {
			add("the load profile needs the p99 latency measured at the tested load (ms, above 0)")
		}
	}
	return gaps
}

// walkthroughGaps checks the newest walkthrough and its follow-ups.
func walkthroughGaps(l *paved.Launch, now time.Time) []Gap {
	svc := l.Service
	w := NewestWalkthrough(l)
	if w == nil {
		return []Gap{{Kind: "walkthrough", Message: fmt.Sprintf("schedule the walkthrough and get it approved by %s", roleList(RequiredSignoffs(svc.Tier, svc.DataClass)))}}
	}
	var gaps []Gap
	required := RequiredSignoffs(svc.Tier, svc.DataClass)
	cur := CurrentSignoffs(w)
	switch Outcome(w, required) {
	case paved.OutcomePending:
		var missing []paved.SignRole
		for _, r := range required {
			if s := cur[r]; s == nil || s.Decision != paved.DecisionApprove {
				missing = append(missing, r)
			}
		}
		gaps = append(gaps, Gap{Kind: "walkthrough", Message: fmt.Sprintf("walkthrough #%d waits for the sign-off of %s", w.ID, roleList(missing))})
	case paved.OutcomeChangesRequested:
		for _, r := range paved.SignRoles {
			if s := cur[r]; s != nil && s.Decision == paved.DecisionRequestChanges {
				gaps = append(gaps, Gap{Kind: "walkthrough", Message: fmt.Sprintf("walkthrough #%d: %s (%s) asked for changes: %q; address them and ask %s to sign again", w.ID, s.Signer, s.Role, oneLine(s.Comment), s.Signer)})
			}
		}
	case paved.OutcomeVetoed:
		for _, r := range paved.SignRoles {
			if s := cur[r]; s != nil && s.Decision == paved.DecisionVeto {
				gaps = append(gaps, Gap{Kind: "walkthrough", Message: fmt.Sprintf("walkthrough #%d was vetoed by %s (%s): %q; address it and schedule a new walkthrough", w.ID, s.Signer, s.Role, oneLine(s.Comment))})
			}
		}
	}
	for _, f := range w.FollowUps {
		if Overdue(f, now) {
			gaps = append(gaps, Gap{Kind: "follow-up", Message: fmt.Sprintf("follow-up #%d %q (owner %s) was due %s: complete it", f.ID, oneLine(f.Description), f.Owner, f.Due.UTC().Format(time.DateOnly))})
		}
	}
	return gaps
}

// oneLine keeps a user's text on one line of a gap message.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:157]) + "..."
	}
	return s
}

// GateError turns a closed gate into the EUNPROCESSABLE error a refused
// move returns: one line per gap, each saying what to do. nil when open.
func GateError(svc string, g *Gate) error {
	if g.Open() {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s cannot move from %s to %s: ", svc, g.From, g.To)
	if len(g.Gaps) == 1 {
		b.WriteString("1 thing is missing")
	} else {
		fmt.Fprintf(&b, "%d things are missing", len(g.Gaps))
	}
	for _, gap := range g.Gaps {
		b.WriteString("\n- ")
		b.WriteString(gap.Message)
	}
	return paved.Errorf(paved.EUNPROCESSABLE, "%s", b.String())
}
