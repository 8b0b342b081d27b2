// Package exception is the application service for exceptions: the one
// place the CLI's local backend and the web server request, decide,
// comment on, revoke and list exceptions through, the coverage of a
// recorded check, the signed offline export and its verification, and the
// job that announces exceptions close to their expiry.
//
// Role checks happen before, at the edge (paved.Authorize with the
// exception actions); the rules that depend on data (may this person
// decide this request? is it still open? is the expiry within the maximum?)
// are paved's pure functions, applied here and again inside the store's
// transaction where two requests could race.
package exception

import (
	"context"
	"crypto/ed25519"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Store is what Service needs from persistence.
type Store interface {
	FindUser(ctx context.Context, name string) (*paved.User, error)
	FindTeam(ctx context.Context, name string) (*paved.Team, error)
	FindService(ctx context.Context, name string) (*paved.Service, error)
	paved.ExceptionStore
}

// Service runs exception operations. The acting user is paved.UserFrom(ctx),
// or the user the context's actor names (a local CLI run with --as).
type Service struct {
	Store  Store
	Policy paved.ExceptionPolicy // zero: paved.DefaultExceptionPolicy
	// Rules returns a rule's metadata (Security marks the rules whose
	// exceptions need the security role); nil, or false, for a rule the
	// server does not know.
	Rules func(id string) (paved.Rule, bool)
	// Key signs exports; nil: the store's key (generated on first use).
	Key ed25519.PrivateKey
	// Organisation names the issuer in exported files.
	Organisation string
	Now          func() time.Time
}

// Input limits: generous for a justification, small enough that one
// request cannot fill the database.
const (
	maxReasonBytes  = 16 << 10
	maxCommentBytes = 16 << 10
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) policy() paved.ExceptionPolicy {
	p := s.Policy
	d := paved.DefaultExceptionPolicy()
	if p.DefaultExpiry <= 0 {
		p.DefaultExpiry = d.DefaultExpiry
	}
	if p.MaxExpiry <= 0 {
		p.MaxExpiry = d.MaxExpiry
	}
	if p.DefaultExpiry > p.MaxExpiry {
		p.DefaultExpiry = p.MaxExpiry
	}
	if p.ExpiringNotice <= 0 {
		p.ExpiringNotice = d.ExpiringNotice
	}
	return p
}

// Policy returns the effective policy (defaults filled in).
func (s *Service) EffectivePolicy() paved.ExceptionPolicy { return s.policy() }

// user returns the acting paved user.
func (s *Service) user(ctx context.Context) (*paved.User, error) {
	if u := paved.UserFrom(ctx); u != nil {
		return u, nil
	}
	name := paved.ActorFrom(ctx).Name
	u, err := s.Store.FindUser(ctx, name)
	if code := paved.ErrorCode(err); code == paved.ENOTFOUND || code == paved.EINVALID {
		return nil, paved.Errorf(paved.EFORBIDDEN, "exceptions are requested and decided by a person: %q is not a paved user; act as one (the CLI takes --as USER)", name)
	} else if err != nil {
		return nil, err
	}
	if u.RetiredAt != nil {
		return nil, paved.Errorf(paved.EFORBIDDEN, "user %s is retired: act as an active paved user", u.Name)
	}
	return u, nil
}

func checkText(field, s string, limit int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return paved.FieldErrorf(paved.EINVALID, field, "%s is required", field)
	case len(s) > limit:
		return paved.FieldErrorf(paved.ETOOLARGE, field, "%s is %d bytes long: at most %d are allowed", field, len(s), limit)
	}
	// The same rule as every other stored text (paved.ValidateText):
	// printable UTF-8, tabs and line breaks.
	return paved.ValidateText(field, s)
}

// RequestInput asks for exceptions for deny findings of a recorded check.
// With no selector, every deny finding that no valid exception covers is
// asked for.
type RequestInput struct {
	Check int64 `json:"check"`
	// Service, when set, must be the check's service: a request replayed
	// for another service is refused.
	Service string `json:"service,omitempty"`
	Reason  string `json:"reason"`
	// Fingerprint selects one finding; Rule and Resource select the
	// findings of one rule on one resource.
	Fingerprint string `json:"fingerprint,omitempty"`
	Rule        string `json:"rule,omitempty"`
	Resource    string `json:"resource,omitempty"`
	// Expires is the expiry asked for: a duration (30d) or a date; empty:
	// the policy's default.
	Expires string `json:"expires,omitempty"`
	// Security marks the rule as a security rule, when the checker knows
	// it is one and the server may not (a custom rule): it can only make
	// the request stricter.
	Security bool `json:"security,omitempty"`
}

// RequestResult is what a request did, per finding.
type RequestResult struct {
	Check      int64              `json:"check"`
	Service    string             `json:"service"`
	Exceptions []*paved.Exception `json:"exceptions"` // the requests opened or reused
	Created    int                `json:"created"`
	Reused     int                `json:"reused"`  // identical pending requests that already existed
	Covered    int                `json:"covered"` // findings a valid exception already covers (nothing asked)
	// Rejected counts the findings whose latest request was rejected: a
	// request for every uncovered finding leaves them alone (asking again
	// right after a refusal is a new conversation: select the finding).
	Rejected int `json:"rejected"`
}

// Check returns a recorded check; the edge authorises on its service.
func (s *Service) Check(ctx context.Context, id int64) (*paved.CheckRecord, error) {
	if id < 1 {
		return nil, paved.FieldErrorf(paved.EINVALID, "check", "check id %d is not valid: want a whole number >= 1", id)
	}
	return s.Store.FindCheck(ctx, id)
}

// selectFindings returns the deny findings of c the input selects.
func selectFindings(c *paved.CheckRecord, in RequestInput) ([]*paved.Finding, error) {
	var out []*paved.Finding
	for i := range c.Findings {
		f := &c.Findings[i]
		if f.Severity != paved.SeverityDeny {
			continue
		}
		if in.Fingerprint != "" && in.Fingerprint != f.Fingerprint && in.Fingerprint != paved.ExceptionFingerprint(f) {
			continue
		}
		if in.Rule != "" && in.Rule != f.Rule {
			continue
		}
		if in.Resource != "" && in.Resource != f.Resource {
			continue
		}
		out = append(out, f)
	}
	selector := in.Fingerprint != "" || in.Rule != "" || in.Resource != ""
	if selector && len(out) == 0 {
		what := "fingerprint " + in.Fingerprint
		if in.Fingerprint == "" {
			what = strings.TrimSpace("rule " + in.Rule + " resource " + in.Resource)
		}
		return nil, paved.Errorf(paved.ENOTFOUND, "check #%d has no deny finding with %s: paved exception request --check %d lists what it can ask for", c.ID, what, c.ID)
	}
	return out, nil
}

// Request opens exception requests for deny findings of a check. It is
// idempotent: an identical pending request is reused, and a finding that a
// valid exception already covers is skipped (asking for it by fingerprint
// is a conflict that names the exception).
func (s *Service) Request(ctx context.Context, in RequestInput) (*RequestResult, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := checkText("reason", in.Reason, maxReasonBytes, true); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "an exception needs the team's justification: say why the change must go out of bounds (%s)", paved.ErrorMessage(err))
	}
	c, err := s.Check(ctx, in.Check)
	if err != nil {
		return nil, err
	}
	if svc := strings.TrimSpace(in.Service); svc != "" && svc != c.Service {
		return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "service", "check #%d was recorded for service %q, not %q: an exception is requested from a check of its own service", c.ID, c.Service, svc)
	}
	now := s.now()
	pol := s.policy()
	expires := now.Add(pol.DefaultExpiry)
	if in.Expires != "" {
		if expires, err = paved.ParseExpiry(in.Expires, now); err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, "expires", "%s", paved.ErrorMessage(err))
		}
	}
	if err := paved.ValidateExpiry("expires", expires, now, pol.MaxExpiry); err != nil {
		return nil, err
	}
	findings, err := selectFindings(c, in)
	if err != nil {
		return nil, err
	}
	existing, err := s.Store.ServiceExceptions(ctx, c.Service)
	if err != nil {
		return nil, err
	}
	res := &RequestResult{Check: c.ID, Service: c.Service, Exceptions: []*paved.Exception{}}
	selector := in.Fingerprint != "" || in.Rule != "" || in.Resource != ""
	state := map[string]paved.FindingState{}
	for _, fc := range paved.CoverFindings(c.Service, c.Findings, existing, now) {
		state[fc.Fingerprint] = fc.State
	}
	for _, f := range findings {
		if !selector && state[paved.ExceptionFingerprint(f)] == paved.FindingRejected {
			res.Rejected++
			continue
		}
		covering := coveringException(existing, c.Service, f, now)
		if covering != nil {
			if selector && len(findings) == 1 {
				return nil, paved.Errorf(paved.ECONFLICT, "the finding %s on %s is already covered by exception #%d until %s",
					f.Rule, f.Resource, covering.ID, covering.ExpiresAt.Format(time.DateOnly))
			}
			res.Covered++
			continue
		}
		security := in.Security
		if s.Rules != nil {
			if r, ok := s.Rules(f.Rule); ok && r.Security {
				security = true
			}
		}
		e := &paved.Exception{
			Service: c.Service, Rule: f.Rule, Resource: f.Resource, Fingerprint: paved.ExceptionFingerprint(f),
			ResourceType: f.ResourceType, Path: f.Path, Value: f.Value, Message: f.Message, Policy: f.Policy,
			Security: security, Check: c.ID, Reason: in.Reason, RequestedBy: u.Name, ExpiresAt: expires,
		}
		reused, err := s.Store.CreateException(ctx, e, Requested)
		if err != nil {
			return nil, err
		}
		if reused {
			res.Reused++
		} else {
			res.Created++
		}
		res.Exceptions = append(res.Exceptions, e)
	}
	return res, nil
}

func coveringException(es []*paved.Exception, service string, f *paved.Finding, now time.Time) *paved.Exception {
	for _, e := range es {
		if paved.Covers(e, service, f, now) {
			return e
		}
	}
	return nil
}

// Find returns an exception with its thread.
func (s *Service) Find(ctx context.Context, id int64) (*paved.Exception, error) {
	return s.Store.FindException(ctx, id)
}

// List lists exceptions. Expiring selects the approved ones within the
// policy's notice of their expiry.
func (s *Service) List(ctx context.Context, f paved.ExceptionFilter, expiring bool) ([]*paved.Exception, int, error) {
	if expiring {
		if f.Status != "" && f.Status != paved.ExceptionApproved {
			return nil, 0, paved.FieldErrorf(paved.EINVALID, "status", "expiring exceptions are approved ones: leave status out or say approved")
		}
		f.ExpiringBefore = s.now().Add(s.policy().ExpiringNotice)
	}
	return s.Store.FindExceptions(ctx, f)
}

// decideContext gathers what CanDecide needs about e.
func (s *Service) decideContext(ctx context.Context, e *paved.Exception) (paved.DecideContext, error) {
	svc, err := s.Store.FindService(ctx, e.Service)
	if err != nil {
		return paved.DecideContext{}, err
	}
	dc := paved.DecideContext{Owner: svc.Owner}
	if s.Rules != nil {
		if r, ok := s.Rules(e.Rule); ok {
			dc.Rule = r
		}
	}
	kinds := map[string]bool{}
	dc.Enablement = func(team string) bool { return kinds[team] }
	u := paved.UserFrom(ctx)
	if u == nil {
		return dc, nil
	}
	for _, t := range u.Teams {
		tm, err := s.Store.FindTeam(ctx, t)
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			continue
		} else if err != nil {
			return dc, err
		}
		kinds[t] = tm.Kind.Enablement() && tm.RetiredAt == nil
	}
	return dc, nil
}

// actingContext returns ctx carrying the acting user, so that
// decideContext can read its teams.
func (s *Service) acting(ctx context.Context) (context.Context, *paved.User, error) {
	u, err := s.user(ctx)
	if err != nil {
		return ctx, nil, err
	}
	if paved.UserFrom(ctx) == nil {
		ctx = paved.WithActor(ctx, paved.Actor{User: u})
	}
	return ctx, u, nil
}

// Approve approves a pending request until expires (a duration such as
// 30d, or a date; empty: the expiry the team asked for), bounded by the
// policy's maximum from now, with optional conditions.
func (s *Service) Approve(ctx context.Context, id int64, expires, conditions string) (*paved.Exception, error) {
	conditions = strings.TrimSpace(conditions)
	if err := checkText("conditions", conditions, maxReasonBytes, false); err != nil {
		return nil, err
	}
	return s.decide(ctx, id, func(e *paved.Exception, now time.Time) (paved.ExceptionDecision, error) {
		pol := s.policy()
		at := e.ExpiresAt
		if expires != "" {
			var err error
			if at, err = paved.ParseExpiry(expires, now); err != nil {
				return paved.ExceptionDecision{}, paved.FieldErrorf(paved.EINVALID, "expires", "%s", paved.ErrorMessage(err))
			}
			if err := paved.ValidateExpiry("expires", at, now, pol.MaxExpiry); err != nil {
				return paved.ExceptionDecision{}, err
			}
		} else if at.Sub(now) > pol.MaxExpiry {
			at = now.Add(pol.MaxExpiry)
		}
		return paved.ExceptionDecision{Approve: true, ExpiresAt: at, Conditions: conditions}, nil
	})
}

// Reject rejects a pending request with a reason.
func (s *Service) Reject(ctx context.Context, id int64, reason string) (*paved.Exception, error) {
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, maxReasonBytes, true); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "a rejection needs a reason the team can act on (%s)", paved.ErrorMessage(err))
	}
	return s.decide(ctx, id, func(*paved.Exception, time.Time) (paved.ExceptionDecision, error) {
		return paved.ExceptionDecision{Reason: reason}, nil
	})
}

// decide runs the decision rules, first on the request as read (a clear
// answer without opening a transaction), then again inside the store's
// transaction on the request as stored.
func (s *Service) decide(ctx context.Context, id int64, decision func(*paved.Exception, time.Time) (paved.ExceptionDecision, error)) (*paved.Exception, error) {
	ctx, u, err := s.acting(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.Store.FindException(ctx, id)
	if err != nil {
		return nil, err
	}
	dc, err := s.decideContext(ctx, e)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := paved.CanDecide(u, e, dc); err != nil {
		return nil, err
	}
	if err := paved.CanBeDecided(e, now); err != nil {
		return nil, err
	}
	d, err := decision(e, now)
	if err != nil {
		return nil, err
	}
	by := paved.ActorFrom(ctx).Name
	out, err := s.Store.DecideException(ctx, id, d, func(stored *paved.Exception) (*paved.Notification, error) {
		if err := paved.CanDecide(u, stored, dc); err != nil {
			return nil, err
		}
		return Decided(stored, d, by), nil
	})
	if err != nil {
		return nil, err
	}
	return s.Store.FindException(ctx, out.ID)
}

// Comment adds a message to a request's thread.
func (s *Service) Comment(ctx context.Context, id int64, body string) (*paved.ExceptionComment, error) {
	u, err := s.user(ctx)
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if err := checkText("body", body, maxCommentBytes, true); err != nil {
		return nil, err
	}
	c := &paved.ExceptionComment{Exception: id, Author: u.Name, Body: body}
	if err := s.Store.AddExceptionComment(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Revoke withdraws a pending or approved exception with a reason.
func (s *Service) Revoke(ctx context.Context, id int64, reason string) (*paved.Exception, error) {
	if _, err := s.user(ctx); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, maxReasonBytes, true); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "revoking needs a reason (%s)", paved.ErrorMessage(err))
	}
	e, err := s.Store.FindException(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := paved.CanBeRevoked(e, s.now()); err != nil {
		return nil, err
	}
	by := paved.ActorFrom(ctx).Name
	out, err := s.Store.RevokeException(ctx, id, reason, func(stored *paved.Exception) (*paved.Notification, error) {
		return Revoked(stored, reason, by), nil
	})
	if err != nil {
		return nil, err
	}
	return s.Store.FindException(ctx, out.ID)
}

// Coverage answers which deny findings of a recorded check valid
// exceptions cover, which wait for a decision and which were rejected.
func (s *Service) Coverage(ctx context.Context, check int64) (*paved.ExceptionCoverage, error) {
	c, err := s.Check(ctx, check)
	if err != nil {
		return nil, err
	}
	return s.CoverageOf(ctx, c)
}

// CoverageOf is Coverage for a check already read.
func (s *Service) CoverageOf(ctx context.Context, c *paved.CheckRecord) (*paved.ExceptionCoverage, error) {
	es, err := s.Store.ServiceExceptions(ctx, c.Service)
	if err != nil {
		return nil, err
	}
	return paved.NewExceptionCoverage(c.ID, c.Service, paved.CoverFindings(c.Service, c.Findings, es, s.now())), nil
}

// NotifyExpiring announces, once each, the approved exceptions within the
// policy's notice of their expiry (exception.expiring). It is the periodic
// job of `paved serve`; several replicas may run it at once, and each
// exception is still announced once (MarkExceptionExpiring is conditional).
func (s *Service) NotifyExpiring(ctx context.Context) (int, error) {
	now := s.now()
	f := paved.ExceptionFilter{ExpiringBefore: now.Add(s.policy().ExpiringNotice), Page: paved.Page{Limit: paved.MaxLimit}}
	sent := 0
	for {
		es, total, err := s.Store.FindExceptions(ctx, f)
		if err != nil {
			return sent, err
		}
		for _, e := range es {
			if !paved.ExceptionExpiring(e, now, s.policy().ExpiringNotice) {
				continue
			}
			ok, err := s.Store.MarkExceptionExpiring(ctx, e.ID, Expiring)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		f.Page.Offset += len(es)
		if len(es) == 0 || f.Page.Offset >= total {
			return sent, nil
		}
	}
}

// MayDecide reports whether the acting user may decide e now (the portal
// offers the decision forms only then): nil, or the refusal CanDecide or
// CanBeDecided gives. It writes nothing.
func (s *Service) MayDecide(ctx context.Context, e *paved.Exception) error {
	ctx, u, err := s.acting(ctx)
	if err != nil {
		return err
	}
	dc, err := s.decideContext(ctx, e)
	if err != nil {
		return err
	}
	if err := paved.CanDecide(u, e, dc); err != nil {
		return err
	}
	return paved.CanBeDecided(e, s.now())
}
