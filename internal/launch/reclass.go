package launch

// Reclassification and the gates (issue 15 §1): the gates of a launch read
// the strictest classification the service held since green-light, a
// lowering once the launch is under way is a request decided from outside
// the owning team, and a walkthrough in which a signer objected is not
// cancelled by the team it blocks.

import (
	"context"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

// GateClass is the classification the gates of l read: the stricter of the
// service's own and the strictest it held since green-light (l.GateClass,
// which the store keeps and only an approved or forced reclassification
// lowers).
func GateClass(l *paved.Launch) paved.Classification {
	if l == nil || l.Service == nil {
		return paved.Classification{}
	}
	if l.Service.Phase == paved.PhasePlayground {
		// Before green-light (or moved back there by an admin) the gates
		// read the service as it is; lowering it once its launch is under
		// way is still a request (NeedsApproval).
		return paved.ClassOf(l.Service)
	}
	return paved.Stricter(paved.ClassOf(l.Service), l.GateClass)
}

// GateView returns l as the gates see it: a copy whose service carries
// GateClass(l). l itself is not changed. Every rule that derives what a
// launch must pass (required items, sign-offs, vetoes, assessments) reads
// a gate view, so a classification lowered without an approval lowers
// none of them.
func GateView(l *paved.Launch) *paved.Launch {
	if l == nil || l.Service == nil {
		return l
	}
	c := GateClass(l)
	if c == paved.ClassOf(l.Service) {
		return l
	}
	v := *l
	svc := *l.Service
	svc.Tier, svc.DataClass = c.Tier, c.DataClass
	v.Service = &svc
	return &v
}

// UnderWay reports whether l's launch has started: the service is past
// playground, or it has an enablement contact, an answer, an assessment or
// a walkthrough.
func UnderWay(l *paved.Launch) bool {
	if l == nil || l.Service == nil || l.Service.Grandfathered {
		return false
	}
	if l.Service.Phase != paved.PhasePlayground {
		return l.Service.Phase != paved.PhaseRetired
	}
	return l.Contact != "" || len(l.Answers) > 0 || len(l.Assessments) > 0 || len(l.Walkthroughs) > 0
}

// NeedsApproval reports whether moving l's service to to needs a decided
// reclassification request: it lowers the tier or the data class of a
// service whose launch is under way. Raising is always allowed.
func NeedsApproval(l *paved.Launch, to paved.Classification) bool {
	return UnderWay(l) && paved.ClassOf(l.Service).Lowers(to)
}

// Objections returns the current sign-offs of w that ask for changes or
// veto, in paved.SignRoles order.
func Objections(w *paved.Walkthrough) []*paved.Signoff {
	cur := CurrentSignoffs(w)
	var out []*paved.Signoff
	for _, r := range paved.SignRoles {
		if s := cur[r]; s != nil && (s.Decision == paved.DecisionRequestChanges || s.Decision == paved.DecisionVeto) {
			out = append(out, s)
		}
	}
	return out
}

// CanCancelWalkthrough decides whether u may cancel w (of svc) with reason.
// A walkthrough in which a signer asked for changes or vetoed is not
// cancelled by the team it blocks (a new walkthrough would drop the
// objection): only the objecting signer (withdrawing it) or an admin with
// a reason may. Other walkthroughs follow paved.Authorize's
// ActWalkthrough.
func CanCancelWalkthrough(u *paved.User, svc *paved.Service, w *paved.Walkthrough, reason string) error {
	if u == nil {
		return paved.Errorf(paved.EUNAUTHORIZED, "cancelling a walkthrough needs a signed-in paved user")
	}
	if w == nil {
		return paved.Errorf(paved.ENOTFOUND, "no walkthrough given")
	}
	if w.Cancelled {
		return paved.Errorf(paved.ECONFLICT, "walkthrough #%d is already cancelled", w.ID)
	}
	obj := Objections(w)
	if len(obj) == 0 {
		return nil
	}
	for _, s := range obj {
		if s.Signer == u.Name {
			return nil // the objecting signer withdraws
		}
	}
	if u.HasRole(paved.RoleAdmin) {
		if strings.TrimSpace(reason) == "" {
			return paved.FieldErrorf(paved.EINVALID, "reason", "walkthrough #%d has an objection (%s): cancelling it needs a reason, which the audit log keeps", w.ID, objectionWords(obj))
		}
		return nil
	}
	name := ""
	if svc != nil {
		name = svc.Name
	}
	return paved.Errorf(paved.EFORBIDDEN, "walkthrough #%d of %s has an objection (%s): it is not cancelled by the team it blocks; address it and ask the signer to sign again, or ask the signer (or an admin, with a reason) to cancel it", w.ID, name, objectionWords(obj))
}

func objectionWords(obj []*paved.Signoff) string {
	var parts []string
	for _, s := range obj {
		parts = append(parts, fmt.Sprintf("%s %s as %s", s.Signer, s.Decision, s.Role))
	}
	return strings.Join(parts, "; ")
}

// CarryOver returns what a new walkthrough takes over from prev, the
// service's walkthrough before it: its open objections, as requests for
// changes by the same signers in the same roles (a veto included: the
// signer clears it by signing the new walkthrough), except the objection
// of a signer who cancelled prev themselves; and its follow-ups not done
// yet.
func CarryOver(prev *paved.Walkthrough) ([]*paved.Signoff, []*paved.FollowUp) {
	if prev == nil {
		return nil, nil
	}
	var sos []*paved.Signoff
	for _, s := range Objections(prev) {
		if prev.Cancelled && prev.CancelledBy == s.Signer {
			continue
		}
		sos = append(sos, &paved.Signoff{Signer: s.Signer, Role: s.Role, Decision: paved.DecisionRequestChanges,
			Comment: fmt.Sprintf("carried over from walkthrough #%d (%s): %s", prev.ID, s.Decision, s.Comment)})
	}
	var fs []*paved.FollowUp
	for _, f := range prev.FollowUps {
		if f != nil && f.DoneAt == nil {
			c := *f
			c.ID, c.Walkthrough = 0, 0
			fs = append(fs, &c)
		}
	}
	return sos, fs
}

// previousWalkthrough is the newest walkthrough of l, cancelled or not.
func previousWalkthrough(l *paved.Launch) *paved.Walkthrough {
	var best *paved.Walkthrough
	for _, w := range l.Walkthroughs {
		if w == nil {
			continue
		}
		if best == nil || w.CreatedAt.After(best.CreatedAt) || (w.CreatedAt.Equal(best.CreatedAt) && w.ID > best.ID) {
			best = w
		}
	}
	return best
}

// ReclassRequested is the reclassification.requested notification of r as
// stored: the deciders (architects and security engineers outside the
// team) read it.
func ReclassRequested(r *paved.Reclassification) *paved.Notification {
	return &paved.Notification{
		Kind:    paved.NotifyReclassRequested,
		Subject: fmt.Sprintf("%s asks to lower %s from %s to %s (an architect or security engineer outside %s decides): %s", r.RequestedBy, r.Service, r.From, r.To, r.Team, oneLine(r.Reason)),
		Service: r.Service, Team: r.Team, Link: r.Link(),
		Data: map[string]any{
			"reclassification_id": r.ID, "from_tier": r.From.Tier, "from_data_class": r.From.DataClass,
			"to_tier": r.To.Tier, "to_data_class": r.To.DataClass, "reason": r.Reason, "requested_by": r.RequestedBy,
			"deciders": []string{string(paved.RoleArchitect), string(paved.RoleSecurity)},
		},
	}
}

// ReclassDecided is the reclassification.decided notification of r (as
// stored before the decision) decided d by by; for a forced lowering, r is
// the forced record and d an approval with the admin's reason.
func ReclassDecided(r *paved.Reclassification, d paved.ReclassDecision, by string, forced bool) *paved.Notification {
	verb := "rejected"
	if forced {
		verb = "forced"
	} else if d.Approve {
		verb = "approved"
	}
	subject := fmt.Sprintf("%s %s lowering %s from %s to %s", by, verb, r.Service, r.From, r.To)
	if d.Comment != "" {
		subject += ": " + oneLine(d.Comment)
	}
	return &paved.Notification{
		Kind: paved.NotifyReclassDecided, Subject: subject, Service: r.Service, Team: r.Team, Link: r.Link(),
		Data: map[string]any{
			"reclassification_id": r.ID, "decision": verb, "decided_by": by, "comment": d.Comment,
			"from_tier": r.From.Tier, "from_data_class": r.From.DataClass, "to_tier": r.To.Tier, "to_data_class": r.To.DataClass,
			"requested_by": r.RequestedBy,
		},
	}
}

// UpdateResult is what a service update did: the service as stored, and
// the reclassification request it became when it lowered the
// classification of a launch under way (nil otherwise).
type UpdateResult struct {
	Service          *paved.Service          `json:"service"`
	Reclassification *paved.Reclassification `json:"reclassification,omitempty"`
}

// UpdateService applies a catalog update through the reclassification
// rules, for every face: the parts that raise the classification (and
// every other field) are applied at once; a lowering of a service whose
// launch is under way is not applied but becomes a reclassification
// request with reason (required then). Authorisation of the update itself
// (paved.ActUpdateService) is the caller's.
func (s *Service) UpdateService(ctx context.Context, name string, up paved.ServiceUpdate, reason string) (*UpdateResult, error) {
	l, err := s.Store.FindLaunch(ctx, name)
	if err != nil {
		return nil, err
	}
	cur := paved.ClassOf(l.Service)
	next := *l.Service
	up.Apply(&next)
	if err := next.Validate(); err != nil {
		return nil, err
	}
	want := paved.ClassOf(&next)
	if !NeedsApproval(l, want) {
		svc, err := s.Store.UpdateService(ctx, l.Service.Name, up)
		if err != nil {
			return nil, err
		}
		return &UpdateResult{Service: svc}, nil
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "lowering %s from %s to %s while its launch is under way needs an architect's or security engineer's approval: give a reason for the request (PATCH with \"reclassify_reason\", or `paved service reclassify`)", l.Service.Name, cur, want)
	}
	if _, err := s.user(ctx); err != nil {
		return nil, err
	}
	// Apply what raises (and the other fields) now; request the rest.
	applied := up
	raised := paved.Stricter(cur, want)
	applied.Tier, applied.DataClass = nil, nil
	if raised.Tier != cur.Tier {
		applied.Tier = &raised.Tier
	}
	if raised.DataClass != cur.DataClass {
		applied.DataClass = &raised.DataClass
	}
	svc, err := s.Store.UpdateService(ctx, l.Service.Name, applied)
	if err != nil {
		return nil, err
	}
	r, err := s.requestReclass(ctx, svc.Name, want, reason)
	if err != nil {
		return nil, err
	}
	return &UpdateResult{Service: svc, Reclassification: r}, nil
}

// RequestReclassification asks to move service to classification to.
// Raising (or a service whose launch has not started) needs no request:
// the update is applied at once and no request is returned.
func (s *Service) RequestReclassification(ctx context.Context, service string, to paved.Classification, reason string) (*UpdateResult, error) {
	up := paved.ServiceUpdate{}
	if to.Tier != 0 {
		up.Tier = &to.Tier
	}
	if to.DataClass != "" {
		up.DataClass = &to.DataClass
	}
	if up.Tier == nil && up.DataClass == nil {
		return nil, paved.Errorf(paved.EINVALID, "name the tier or the data class to move to")
	}
	return s.UpdateService(ctx, service, up, reason)
}

func (s *Service) requestReclass(ctx context.Context, service string, to paved.Classification, reason string) (*paved.Reclassification, error) {
	r := &paved.Reclassification{Service: service, To: to, Reason: reason}
	err := s.Store.RequestReclassification(ctx, r, func(stored *paved.Service) error {
		if !paved.ClassOf(stored).Lowers(to) {
			return paved.Errorf(paved.ECONFLICT, "%s is %s now: moving it to %s lowers nothing, there is nothing to decide", stored.Name, paved.ClassOf(stored), to)
		}
		return nil
	}, ReclassRequested)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Reclassifications lists requests (newest first) with the total.
func (s *Service) Reclassifications(ctx context.Context, f paved.ReclassFilter) ([]*paved.Reclassification, int, error) {
	return s.Store.FindReclassifications(ctx, f)
}

// Reclassification returns one request.
func (s *Service) Reclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	return s.Store.FindReclassification(ctx, id)
}

// MayDecideReclassification reports whether the acting user may decide r
// now (for the portal's buttons).
func (s *Service) MayDecideReclassification(ctx context.Context, r *paved.Reclassification) error {
	u, err := s.user(ctx)
	if err != nil {
		return err
	}
	svc, err := s.Store.FindService(ctx, r.Service)
	if err != nil {
		return err
	}
	if err := paved.CanDecideReclassification(u, r, svc.Owner); err != nil {
		return err
	}
	return paved.CanBeDecidedReclassification(r)
}

// DecideReclassification approves or rejects request id: the rules first on
// the request as read (a clear answer without a transaction), then inside
// the store's transaction on the request as stored and the owner team now.
func (s *Service) DecideReclassification(ctx context.Context, id int64, approve bool, comment string) (*paved.Reclassification, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if err := checkText("comment", comment, maxCommentBytes); err != nil {
		return nil, err
	}
	if !approve && comment == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "comment", "a rejection needs a comment the team can act on")
	}
	r, err := s.Store.FindReclassification(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.MayDecideReclassification(ctx, r); err != nil {
		return nil, err
	}
	d := paved.ReclassDecision{Approve: approve, Comment: comment}
	return s.Store.DecideReclassification(ctx, id, d, func(stored *paved.Reclassification, owner string) (*paved.Notification, error) {
		if err := paved.CanDecideReclassification(u, stored, owner); err != nil {
			return nil, err
		}
		return ReclassDecided(stored, d, u.Name, false), nil
	})
}

// WithdrawReclassification withdraws request id: its requester only
// (paved.CanWithdrawReclassification), first on the request as read, then
// inside the store's transaction on the request as stored. The deciders
// are not notified: a withdrawn request leaves nothing to do, and the
// service page and the audit log show it.
func (s *Service) WithdrawReclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Store.FindReclassification(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := paved.CanWithdrawReclassification(u, r); err != nil {
		return nil, err
	}
	return s.Store.WithdrawReclassification(ctx, id, func(stored *paved.Reclassification) error {
		return paved.CanWithdrawReclassification(u, stored)
	})
}

// MayWithdrawReclassification reports whether the acting user may
// withdraw r now (for the portal's button).
func (s *Service) MayWithdrawReclassification(ctx context.Context, r *paved.Reclassification) error {
	u, err := s.user(ctx)
	if err != nil {
		return err
	}
	return paved.CanWithdrawReclassification(u, r)
}

// ForceReclassification sets a service's classification without a
// decision: admins only (paved.ActForceReclass at the edge), with a reason
// the audit log keeps.
func (s *Service) ForceReclassification(ctx context.Context, service string, to paved.Classification, reason string) (*paved.Reclassification, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	if err := paved.Authorize(u, paved.ActForceReclass, paved.Resource{}); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "a forced reclassification needs a reason: say why no architect or security engineer decides it")
	}
	svc, err := s.Store.FindService(ctx, service)
	if err != nil {
		return nil, err
	}
	if to.Tier == 0 {
		to.Tier = svc.Tier
	}
	if to.DataClass == "" {
		to.DataClass = svc.DataClass
	}
	return s.Store.ForceReclassification(ctx, svc.Name, to, reason, func(r *paved.Reclassification) *paved.Notification {
		return ReclassDecided(r, paved.ReclassDecision{Approve: true, Comment: reason}, u.Name, true)
	})
}

// gateService is the status's service with the classification the gates
// read.
func (st *Status) gateService() *paved.Service {
	if st.Service == nil || st.GateClass.IsZero() || st.GateClass == paved.ClassOf(st.Service) {
		return st.Service
	}
	svc := *st.Service
	svc.Tier, svc.DataClass = st.GateClass.Tier, st.GateClass.DataClass
	return &svc
}
