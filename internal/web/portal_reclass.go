package web

import (
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// The service page's reclassification section: a pending request to lower
// the service's tier or data class, with approve and reject for those who
// may decide it (launch.Service.MayDecideReclassification asks
// paved.CanDecideReclassification), and the recent decisions.

type reclassPanel struct {
	Pending   *paved.Reclassification
	CanDecide bool
	// CanWithdraw: the signed-in user asked for the pending request.
	CanWithdraw bool
	Recent      []*paved.Reclassification // decided, newest first
	// GateClass is the classification the launch's gates read, when it
	// is stricter than the service's own.
	GateClass *paved.Classification
	// CanForce: an admin may set the classification without a decision,
	// with a reason (the form lists the choices, the service's own
	// selected).
	CanForce    bool
	Current     paved.Classification
	Tiers       []paved.Tier
	DataClasses []paved.DataClass
}

func (s *Server) reclassPanel(r *http.Request, svc *paved.Service) (*reclassPanel, error) {
	list, _, err := s.launch.Reclassifications(r.Context(), paved.ReclassFilter{Service: svc.Name, Page: paved.Page{Limit: 5}})
	if err != nil {
		return nil, err
	}
	p := &reclassPanel{}
	for _, rc := range list {
		if rc.Status == paved.ReclassPending {
			p.Pending = rc
			p.CanDecide = s.authorize(r, paved.ActDecideReclass, paved.Resource{Team: svc.Owner}) == nil &&
				s.launch.MayDecideReclassification(r.Context(), rc) == nil
			p.CanWithdraw = s.authorize(r, paved.ActWithdrawReclass, paved.Resource{Team: svc.Owner}) == nil &&
				s.launch.MayWithdrawReclassification(r.Context(), rc) == nil
			continue
		}
		p.Recent = append(p.Recent, rc)
	}
	l, err := s.store.FindLaunch(r.Context(), svc.Name)
	if err != nil {
		return nil, err
	}
	if g := launch.GateClass(l); g != paved.ClassOf(svc) {
		p.GateClass = &g
	}
	if s.authorize(r, paved.ActForceReclass, paved.Resource{Team: svc.Owner}) == nil {
		p.CanForce, p.Current = true, paved.ClassOf(svc)
		p.Tiers, p.DataClasses = []paved.Tier{1, 2, 3, 4}, paved.DataClasses
	}
	if p.Pending == nil && len(p.Recent) == 0 && p.GateClass == nil && !p.CanForce {
		return nil, nil
	}
	return p, nil
}

func (s *Server) reclassApprove(w http.ResponseWriter, r *http.Request) error {
	return s.reclassDecide(w, r, true)
}

func (s *Server) reclassReject(w http.ResponseWriter, r *http.Request) error {
	return s.reclassDecide(w, r, false)
}

// reclassForce sets the service's classification without a decision: an
// admin's, with a reason the audit log keeps (launch.Service checks the
// role again and requires the reason).
func (s *Server) reclassForce(w http.ResponseWriter, r *http.Request) error {
	svc := targetOf(r).Service
	tier, err := paved.ParseTier(formText(r, "tier"))
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, "tier", "%s", paved.ErrorMessage(err))
	}
	dc, err := paved.ParseDataClass(formText(r, "data_class"))
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, "data_class", "%s", paved.ErrorMessage(err))
	}
	to := paved.Classification{Tier: tier, DataClass: dc}
	if _, err := s.launch.ForceReclassification(r.Context(), svc.Name, to, formText(r, "reason")); err != nil {
		return err
	}
	setFlash(w, s.cfg.SecureCookies, flashReclassForced)
	http.Redirect(w, r, "/services/"+url.PathEscape(svc.Name)+"#reclassification", http.StatusSeeOther)
	return nil
}

// reclassWithdraw withdraws the signed-in user's own pending request.
func (s *Server) reclassWithdraw(w http.ResponseWriter, r *http.Request) error {
	rc := targetOf(r).Reclass
	if _, err := s.launch.WithdrawReclassification(r.Context(), rc.ID); err != nil {
		return err
	}
	setFlash(w, s.cfg.SecureCookies, flashReclassWithdrawn)
	http.Redirect(w, r, "/services/"+url.PathEscape(rc.Service)+"#reclassification", http.StatusSeeOther)
	return nil
}

func (s *Server) reclassDecide(w http.ResponseWriter, r *http.Request, approve bool) error {
	rc := targetOf(r).Reclass
	if _, err := s.launch.DecideReclassification(r.Context(), rc.ID, approve, formText(r, "comment")); err != nil {
		return err
	}
	setFlash(w, s.cfg.SecureCookies, flashReclassDecided)
	http.Redirect(w, r, "/services/"+url.PathEscape(rc.Service)+"#reclassification", http.StatusSeeOther)
	return nil
}
