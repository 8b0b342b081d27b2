package paved

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Reclassification: a service's tier and data class decide which gates its
// launch must pass (the sign-offs a walkthrough needs, the checklist items
// it must answer). Raising either is always allowed; lowering either once a
// launch is under way is a request that an architect or a security engineer
// from outside the owning team decides, so that a team cannot lower its own
// bar on the way to production (issue 15 §1). The decisions are here and in
// internal/launch; the store persists them (ReclassificationStore).

// Classification is what the gates read from a service: its tier and data
// class.
type Classification struct {
	Tier      Tier      `json:"tier"`
	DataClass DataClass `json:"data_class"`
}

// ClassOf returns the classification of s.
func ClassOf(s *Service) Classification {
	if s == nil {
		return Classification{}
	}
	return Classification{Tier: s.Tier, DataClass: s.DataClass}
}

func (c Classification) IsZero() bool { return c.Tier == 0 && c.DataClass == "" }

func (c Classification) String() string {
	return "tier " + strconv.Itoa(int(c.Tier)) + "/" + string(c.DataClass)
}

// dataRank orders data classes from public (0) to restricted (3); an
// unknown class ranks below public.
func dataRank(d DataClass) int { return slices.Index(DataClasses, d) }

// Stricter returns the stricter of a and b in each part: the more critical
// tier (the lower number) and the more sensitive data class. A zero part
// (an unset tier or data class) never wins.
func Stricter(a, b Classification) Classification {
	out := a
	if b.Tier.Valid() && (!out.Tier.Valid() || b.Tier < out.Tier) {
		out.Tier = b.Tier
	}
	if b.DataClass.Valid() && (!out.DataClass.Valid() || dataRank(b.DataClass) > dataRank(out.DataClass)) {
		out.DataClass = b.DataClass
	}
	return out
}

// Lowers reports whether moving from c to to lowers either part: a higher
// tier number (less critical) or a less sensitive data class.
func (c Classification) Lowers(to Classification) bool {
	return to.Tier > c.Tier || dataRank(to.DataClass) < dataRank(c.DataClass)
}

// ReclassStatus is where a reclassification request stands.
type ReclassStatus string

const (
	ReclassPending  ReclassStatus = "pending"
	ReclassApproved ReclassStatus = "approved"
	ReclassRejected ReclassStatus = "rejected"
	// ReclassForced: an admin lowered the classification with a reason,
	// without a decision by an architect or security engineer.
	ReclassForced ReclassStatus = "forced"
	// ReclassWithdrawn: the requester withdrew it, or an admin forced a
	// classification while it waited.
	ReclassWithdrawn ReclassStatus = "withdrawn"
)

func (s ReclassStatus) Valid() bool {
	switch s {
	case ReclassPending, ReclassApproved, ReclassRejected, ReclassForced, ReclassWithdrawn:
		return true
	}
	return false
}

// Reclassification is a request to lower a service's classification (or
// an admin's forced lowering, recorded the same way).
type Reclassification struct {
	ID      int64  `json:"id"`
	Service string `json:"service"`
	// Team is the service's owner team when the request was made; its
	// members never decide it.
	Team string `json:"team"`
	// From is the classification when the request was made, To the one
	// asked for.
	From        Classification `json:"from"`
	To          Classification `json:"to"`
	Reason      string         `json:"reason"`
	RequestedBy string         `json:"requested_by"`
	RequestedAt time.Time      `json:"requested_at"`
	Status      ReclassStatus  `json:"status"`
	DecidedBy   string         `json:"decided_by,omitempty"`
	DecidedAt   *time.Time     `json:"decided_at,omitempty"`
	Comment     string         `json:"comment,omitempty"` // the decider's (or the forcing admin's) words
}

// Link is the request's place in the portal: the service page.
func (r *Reclassification) Link() string { return "/services/" + r.Service + "#reclassification" }

// ReclassDecision is an approval or a rejection with the decider's comment.
type ReclassDecision struct {
	Approve bool
	Comment string
}

// CanDecideReclassification decides whether u may approve or reject r: the
// architect or security role, not a member of the team that asked (when
// asked, or owning the service now: owner), not the requester. Admins hold
// every role but are bound by the team rules like anyone else (as for
// exceptions); an admin of the owning team forces a lowering with a
// recorded reason instead.
func CanDecideReclassification(u *User, r *Reclassification, owner string) error {
	if u == nil {
		return Errorf(EUNAUTHORIZED, "sign in to decide a reclassification")
	}
	if r == nil {
		return Errorf(ENOTFOUND, "no reclassification given")
	}
	if u.RetiredAt != nil {
		return Errorf(EFORBIDDEN, "user %s is retired", u.Name)
	}
	if u.Name == r.RequestedBy {
		return Errorf(EFORBIDDEN, "%s asked for reclassification #%d: it is decided by someone else (no self-approval)", u.Name, r.ID)
	}
	for _, t := range []string{r.Team, owner} {
		if t != "" && u.InTeam(t) {
			return Errorf(EFORBIDDEN, "%s is a member of team %q, which owns %s: its reclassification is decided from outside the team", u.Name, t, r.Service)
		}
	}
	if !u.HasRole(RoleArchitect) && !u.HasRole(RoleSecurity) {
		return Errorf(EFORBIDDEN, "lowering a service's tier or data class is decided by an architect or a security engineer from outside the owning team")
	}
	return nil
}

// CanWithdrawReclassification decides whether u may withdraw r: only the
// requester, while it waits, and not once retired. Nobody withdraws
// another's request (an admin forces a classification instead, which
// withdraws it on the record).
func CanWithdrawReclassification(u *User, r *Reclassification) error {
	if u == nil {
		return Errorf(EUNAUTHORIZED, "sign in to withdraw a reclassification request")
	}
	if r == nil {
		return Errorf(ENOTFOUND, "no reclassification given")
	}
	if u.RetiredAt != nil {
		return Errorf(EFORBIDDEN, "user %s is retired", u.Name)
	}
	if u.Name != r.RequestedBy {
		return Errorf(EFORBIDDEN, "reclassification #%d was asked by %s: only the requester withdraws it", r.ID, r.RequestedBy)
	}
	return CanBeDecidedReclassification(r)
}

// CanBeDecidedReclassification reports whether r still waits for a
// decision.
func CanBeDecidedReclassification(r *Reclassification) error {
	if r.Status == ReclassPending {
		return nil
	}
	by := r.DecidedBy
	if by == "" {
		by = "someone"
	}
	return Errorf(ECONFLICT, "reclassification #%d was already %s by %s", r.ID, r.Status, by)
}

// ReclassFilter selects reclassification requests.
type ReclassFilter struct {
	Service string        // "" for every service
	Status  ReclassStatus // "" for every status
	Page
}

// ReclassificationStore persists reclassification requests and the
// classification the gates of a launch read.
type ReclassificationStore interface {
	// RequestReclassification stores a pending request (ID, RequestedBy,
	// RequestedAt, Status, Team and From are set by the store, From from the
	// service as stored). check runs inside the transaction on the service
	// as stored and may refuse; announce composes the notification of the
	// request as stored. A service has at most one pending request
	// (ECONFLICT).
	RequestReclassification(ctx context.Context, r *Reclassification, check func(*Service) error, announce func(*Reclassification) *Notification) error
	FindReclassification(ctx context.Context, id int64) (*Reclassification, error)
	// FindReclassifications lists requests, newest first, with the total.
	FindReclassifications(ctx context.Context, f ReclassFilter) ([]*Reclassification, int, error)
	// DecideReclassification approves or rejects a pending request. decide
	// runs inside the transaction on the request as stored and the owner
	// team now, returns the notification to record or an error that
	// aborts; the store refuses a request that is no longer pending (one
	// winner of concurrent decisions) and, on approval, a service whose
	// classification changed since the request. An approval sets the
	// service's classification and the gates' classification to r.To.
	DecideReclassification(ctx context.Context, id int64, d ReclassDecision, decide func(r *Reclassification, owner string) (*Notification, error)) (*Reclassification, error)
	// WithdrawReclassification withdraws a pending request (its
	// requester's). check runs inside the transaction on the request as
	// stored and may refuse; the store refuses a request that is no
	// longer pending (one winner against a concurrent decision).
	WithdrawReclassification(ctx context.Context, id int64, check func(*Reclassification) error) (*Reclassification, error)
	// ForceReclassification sets a service's classification to to without
	// a decision (an admin, with a reason), records it as a forced request
	// and resets the gates' classification to it; a pending request of the
	// service is withdrawn.
	ForceReclassification(ctx context.Context, service string, to Classification, reason string, announce func(*Reclassification) *Notification) (*Reclassification, error)
}
