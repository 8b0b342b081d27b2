package paved

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Exceptions: a sign-off that lets one deny finding through. An exception
// is bound to service + rule + resource address + a fingerprint of the
// offending values, so the same values pass on the next run while a changed
// value (1 TB -> 2 TB) or another resource needs a new conversation. It is
// requested by the owning team with a justification, decided by a reviewer
// outside that team, and valid until its expiry.
//
// The types and the pure decisions live here (Covers, CanDecide,
// ValidateExpiry, ExceptionCoverage); internal/exception holds the application
// service, internal/store the persistence.

// ExceptionStatus is where an exception stands. Expired is never stored: it
// is derived from the expiry (Exception.State).
type ExceptionStatus string

const (
	ExceptionPending  ExceptionStatus = "pending"  // requested, waiting for a reviewer
	ExceptionApproved ExceptionStatus = "approved" // covers its finding until it expires
	ExceptionRejected ExceptionStatus = "rejected" // refused with a reason
	ExceptionRevoked  ExceptionStatus = "revoked"  // withdrawn after approval (or while pending)
	ExceptionExpired  ExceptionStatus = "expired"  // derived: the expiry has passed
)

// ExceptionStatuses lists every status, for filters and documentation.
var ExceptionStatuses = []ExceptionStatus{ExceptionPending, ExceptionApproved, ExceptionRejected, ExceptionRevoked, ExceptionExpired}

// ParseExceptionStatus accepts a status name in any case.
func ParseExceptionStatus(s string) (ExceptionStatus, error) {
	st := ExceptionStatus(strings.ToLower(strings.TrimSpace(s)))
	for _, v := range ExceptionStatuses {
		if st == v {
			return st, nil
		}
	}
	return "", FieldErrorf(EINVALID, "status", "unknown exception status %q: want one of pending, approved, rejected, revoked, expired", s)
}

// Exception is a request for, and the decision on, letting one finding
// through.
type Exception struct {
	ID      int64  `json:"id"`
	Service string `json:"service"`
	// Team is the requesting team: the service's owner when it was
	// requested. Its members never decide the request.
	Team string `json:"team"`

	// The binding: what the exception covers, and nothing else.
	Rule        string `json:"rule"`
	Resource    string `json:"resource"`
	Fingerprint string `json:"fingerprint"` // ExceptionFingerprint of the finding

	// What the reviewer decides on: the finding as it was found. Value is
	// the offending value; a value a plan marks sensitive is never here (the
	// reader replaced it by SensitiveValue before any rule saw it).
	ResourceType string `json:"resource_type,omitempty"`
	Path         string `json:"path,omitempty"`
	Value        any    `json:"value,omitempty"`
	Message      string `json:"message"`
	Policy       string `json:"policy,omitempty"` // user policy namespace, "" for the built-in library
	// Security marks a rule whose exceptions need the security role.
	Security bool `json:"security,omitempty"`

	// Check is the recorded check the finding came from.
	Check int64 `json:"check"`

	Reason      string          `json:"reason"` // the team's justification
	Status      ExceptionStatus `json:"status"` // as stored: pending, approved, rejected or revoked
	RequestedBy string          `json:"requested_by"`
	RequestedAt time.Time       `json:"requested_at"`
	// ExpiresAt is the expiry the team asks for while pending, and the one
	// the reviewer granted once approved. A pending request whose expiry
	// has passed can no longer be decided.
	ExpiresAt time.Time `json:"expires_at"`

	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"` // why rejected (or a note on approval)
	Conditions     string     `json:"conditions,omitempty"`      // what the approval is subject to

	RevokedBy    string     `json:"revoked_by,omitempty"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`

	// ExpiringNoticeAt is when the exception.expiring notification was
	// sent; nil until then. It is sent once per exception.
	ExpiringNoticeAt *time.Time `json:"expiring_notice_at,omitempty"`

	Comments []*ExceptionComment `json:"comments"`
}

// ExceptionComment is one message in the thread on a request: a reviewer's
// question, the team's answer.
type ExceptionComment struct {
	ID        int64     `json:"id"`
	Exception int64     `json:"exception"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	At        time.Time `json:"at"`
}

// State is the status at now: the stored one, or expired when a pending or
// approved exception's expiry has passed.
func (e *Exception) State(now time.Time) ExceptionStatus {
	if e == nil {
		return ""
	}
	if (e.Status == ExceptionPending || e.Status == ExceptionApproved) && !now.Before(e.ExpiresAt) {
		return ExceptionExpired
	}
	return e.Status
}

// Valid reports whether the exception lets its finding through at now:
// approved, not revoked, not expired.
func (e *Exception) Valid(now time.Time) bool {
	return e != nil && e.State(now) == ExceptionApproved
}

// Link is the exception's page in the portal.
func (e *Exception) Link() string { return "/exceptions/" + strconv.FormatInt(e.ID, 10) }

// ExceptionFingerprint is the fingerprint an exception binds to: that of
// ComputeFingerprint with the value as it reads back from JSON (numbers as
// float64), so that the checker, the server and an exported file agree
// whatever Go type the value had. Findings of user (conftest-style)
// policies have no path or value: their message, which carries the
// offending value, takes the path's place (as internal/policy fingerprints
// them).
func ExceptionFingerprint(f *Finding) string {
	fp := *f
	if fp.Policy != "" && fp.Path == "" && fp.Value == nil {
		fp.Path = fp.Message
	}
	if fp.Value != nil {
		if b, err := json.Marshal(fp.Value); err == nil {
			var v any
			if json.Unmarshal(b, &v) == nil {
				fp.Value = v
			}
		}
	}
	return fp.ComputeFingerprint()
}

// Covers reports whether e lets finding f of service through at now: the
// service, rule, resource and fingerprint match, and e is approved, not
// revoked and not expired. Only deny findings need covering; Covers
// answers for any finding.
func Covers(e *Exception, service string, f *Finding, now time.Time) bool {
	if e == nil || f == nil || !e.Valid(now) {
		return false
	}
	return e.Service == service && e.Rule == f.Rule && e.Resource == f.Resource &&
		e.Fingerprint != "" && e.Fingerprint == ExceptionFingerprint(f)
}

// SameBinding reports whether two exceptions bind the same finding.
func (e *Exception) SameBinding(o *Exception) bool {
	return e.Service == o.Service && e.Rule == o.Rule && e.Resource == o.Resource && e.Fingerprint == o.Fingerprint
}

// DecideContext is what CanDecide needs beyond the user and the request.
type DecideContext struct {
	// Rule is the rule's metadata (Security marks rules whose exceptions
	// need the security role); the zero Rule for a rule the server does not
	// know.
	Rule Rule
	// Owner is the service's owner team now; with the exception's Team
	// (the owner when requested), its members never decide.
	Owner string
	// Enablement reports whether a team is an enablement team (every kind
	// but product).
	Enablement func(team string) bool
}

// CanDecide decides whether u may approve or reject e: a reviewer (the
// security role, for a rule marked as a security rule) who is a member of
// an enablement team, is not a member of the requesting team, and did not
// request it. Admins hold every role but are bound by the team rules like
// anyone else.
func CanDecide(u *User, e *Exception, c DecideContext) error {
	if u == nil {
		return Errorf(EUNAUTHORIZED, "sign in to decide an exception")
	}
	if e == nil {
		return Errorf(ENOTFOUND, "no exception given")
	}
	if u.RetiredAt != nil {
		return Errorf(EFORBIDDEN, "user %s is retired", u.Name)
	}
	if u.Name == e.RequestedBy {
		return Errorf(EFORBIDDEN, "%s requested exception #%d: a request is decided by someone else (no self-approval)", u.Name, e.ID)
	}
	for _, t := range []string{e.Team, c.Owner} {
		if t != "" && u.InTeam(t) {
			return Errorf(EFORBIDDEN, "%s is a member of team %q, which asked for exception #%d: it is decided from outside the requesting team", u.Name, t, e.ID)
		}
	}
	security := e.Security || c.Rule.Security
	if security {
		if !u.HasRole(RoleSecurity) {
			return Errorf(EFORBIDDEN, "rule %s is a security rule: its exceptions are decided by someone with the security role", e.Rule)
		}
	} else if !u.HasRole(RoleReviewer) {
		return Errorf(EFORBIDDEN, "deciding exceptions needs the reviewer role in an enablement team")
	}
	enablement := false
	for _, t := range u.Teams {
		if c.Enablement != nil && c.Enablement(t) {
			enablement = true
			break
		}
	}
	if !enablement {
		return Errorf(EFORBIDDEN, "%s is not a member of an enablement team: exceptions are decided by the enablement side (developer productivity, infrastructure, cloud, reliability or security)", u.Name)
	}
	return nil
}

// CanBeDecided reports whether e is still open for a decision at now: a
// decided request is not decided again, an expired one not at all.
func CanBeDecided(e *Exception, now time.Time) error {
	switch e.State(now) {
	case ExceptionPending:
		return nil
	case ExceptionExpired:
		if e.Status == ExceptionPending {
			return Errorf(ECONFLICT, "exception request #%d expired on %s without a decision: request it again if it is still needed", e.ID, e.ExpiresAt.Format(time.DateOnly))
		}
		return Errorf(ECONFLICT, "exception #%d was already approved by %s and has expired: request it again if it is still needed", e.ID, e.DecidedBy)
	case ExceptionApproved:
		return Errorf(ECONFLICT, "exception #%d was already approved by %s", e.ID, e.DecidedBy)
	case ExceptionRejected:
		return Errorf(ECONFLICT, "exception #%d was already rejected by %s", e.ID, e.DecidedBy)
	case ExceptionRevoked:
		return Errorf(ECONFLICT, "exception #%d was revoked by %s", e.ID, e.RevokedBy)
	}
	return Errorf(ECONFLICT, "exception #%d is %s", e.ID, e.Status)
}

// CanBeRevoked reports whether e may be revoked at now: a pending or an
// approved exception that has not expired.
func CanBeRevoked(e *Exception, now time.Time) error {
	switch e.State(now) {
	case ExceptionPending, ExceptionApproved:
		return nil
	case ExceptionExpired:
		return Errorf(ECONFLICT, "exception #%d has already expired: it covers nothing", e.ID)
	case ExceptionRevoked:
		return Errorf(ECONFLICT, "exception #%d was already revoked by %s", e.ID, e.RevokedBy)
	case ExceptionRejected:
		return Errorf(ECONFLICT, "exception #%d was rejected: it covers nothing", e.ID)
	}
	return Errorf(ECONFLICT, "exception #%d is %s", e.ID, e.Status)
}

// ExceptionPolicy is the exceptions section of paved.yaml.
type ExceptionPolicy struct {
	// DefaultExpiry applies when neither the request nor the approval
	// names an expiry.
	DefaultExpiry time.Duration
	// MaxExpiry bounds every expiry, counted from the request or the
	// decision.
	MaxExpiry time.Duration
	// ExpiringNotice: an approved exception this close to its expiry is
	// announced (exception.expiring), once.
	ExpiringNotice time.Duration
}

const excDay = 24 * time.Hour

// DefaultExceptionPolicy is the policy without configuration: 90 days by
// default, at most 180, announced 14 days before expiry.
func DefaultExceptionPolicy() ExceptionPolicy {
	return ExceptionPolicy{DefaultExpiry: 90 * excDay, MaxExpiry: 180 * excDay, ExpiringNotice: 14 * excDay}
}

// ValidateExpiry checks an expiry asked for at now against the maximum:
// after now, and at most max later. field names the input for the error.
func ValidateExpiry(field string, expires, now time.Time, max time.Duration) error {
	if !expires.After(now) {
		return FieldErrorf(EINVALID, field, "expiry %s is not in the future: give a later date or a duration such as 30d", expires.UTC().Format(time.RFC3339))
	}
	if max > 0 && expires.Sub(now) > max {
		return FieldErrorf(EUNPROCESSABLE, field, "expiry %s is beyond the maximum of %s from now (%s): choose an earlier expiry",
			expires.UTC().Format(time.DateOnly), FormatDays(max), now.Add(max).UTC().Format(time.DateOnly))
	}
	return nil
}

// FormatDays writes a duration in whole days ("90d"), or in hours when it
// is not a whole number of days.
func FormatDays(d time.Duration) string {
	if d%excDay == 0 {
		return strconv.FormatInt(int64(d/excDay), 10) + "d"
	}
	return d.String()
}

// maxDurationDays bounds durations written in days or weeks (100 years).
const maxDurationDays = 36500

// ParseDays reads a duration written in days or weeks ("90d", "2w"), or as
// Go writes durations ("36h"). A bare number is days.
func ParseDays(s string) (time.Duration, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "d"):
		v = strings.TrimSuffix(v, "d")
	case strings.HasSuffix(v, "w"):
		v, mult = strings.TrimSuffix(v, "w"), 7
	default:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return 0, Errorf(EINVALID, "duration %q is not valid: want days or weeks such as 90d or 2w", s)
			}
			return d, nil
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n*mult > maxDurationDays {
		return 0, Errorf(EINVALID, "duration %q is not valid: want a positive number of days or weeks such as 90d or 2w (at most %d days)", s, maxDurationDays)
	}
	return time.Duration(n*mult) * excDay, nil
}

// ParseExpiry reads an expiry given as a duration from now ("30d", "2w")
// or a date (YYYY-MM-DD, the end of that excDay in UTC) or an RFC 3339 time.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.UTC); err == nil {
		return t.Add(excDay - time.Second), nil
	}
	d, err := ParseDays(s)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "expiry %q is not valid: want a duration such as 30d or 12w, a date YYYY-MM-DD or an RFC 3339 time", s)
	}
	return now.Add(d).UTC(), nil
}

// ExceptionExpiring reports whether an approved, valid exception is within notice
// of its expiry at now and has not been announced yet.
func ExceptionExpiring(e *Exception, now time.Time, notice time.Duration) bool {
	return e.Valid(now) && e.ExpiringNoticeAt == nil && e.ExpiresAt.Sub(now) <= notice
}

// FindingState is what an exception (or a request for one) does for one
// deny finding.
type FindingState string

const (
	FindingCovered   FindingState = "covered"   // a valid exception lets it through
	FindingPending   FindingState = "pending"   // a request waits for a decision
	FindingRejected  FindingState = "rejected"  // the newest request was rejected
	FindingUncovered FindingState = "uncovered" // nothing: a request is needed
)

// FindingCoverage is the coverage of one deny finding.
type FindingCoverage struct {
	Rule        string       `json:"rule"`
	Resource    string       `json:"resource"`
	Fingerprint string       `json:"fingerprint"` // ExceptionFingerprint
	State       FindingState `json:"state"`
	// Exception is the covering exception, the pending request or the
	// rejected one; nil when uncovered.
	Exception *ExceptionRef `json:"exception,omitempty"`
}

// ExceptionRef is the part of an exception a check report shows.
type ExceptionRef struct {
	ID        int64           `json:"id"`
	Status    ExceptionStatus `json:"status"` // at the time of the answer (expired is derived)
	ExpiresAt time.Time       `json:"expires_at"`
	DecidedBy string          `json:"decided_by,omitempty"`
	Reason    string          `json:"reason,omitempty"` // the decision's reason (why rejected)
	Link      string          `json:"link"`             // portal path, /exceptions/12
}

// Ref is e as a check report shows it, with its state at now.
func (e *Exception) Ref(now time.Time) *ExceptionRef {
	return &ExceptionRef{ID: e.ID, Status: e.State(now), ExpiresAt: e.ExpiresAt, DecidedBy: e.DecidedBy, Reason: e.DecisionReason, Link: e.Link()}
}

// ExceptionCoverage is the answer to "which deny findings of this check are covered
// by valid exceptions?".
type ExceptionCoverage struct {
	Check    int64             `json:"check"`
	Service  string            `json:"service"`
	Findings []FindingCoverage `json:"findings"` // one per deny finding, in the check's order
	// Passed is true when every deny finding is covered.
	Passed bool `json:"passed"`
	// Pending counts the findings whose request waits for a decision.
	Pending int `json:"pending"`
}

// CoverFindings computes the coverage of findings (deny ones only) of service by
// exceptions at now: a valid exception covers; else the newest request
// for the same binding tells whether one is pending or was rejected.
func CoverFindings(service string, findings []Finding, exceptions []*Exception, now time.Time) []FindingCoverage {
	out := []FindingCoverage{}
	for i := range findings {
		f := &findings[i]
		if f.Severity != SeverityDeny {
			continue
		}
		fc := FindingCoverage{Rule: f.Rule, Resource: f.Resource, Fingerprint: ExceptionFingerprint(f), State: FindingUncovered}
		var covering, newest *Exception
		for _, e := range exceptions {
			if e.Service != service || e.Rule != f.Rule || e.Resource != f.Resource || e.Fingerprint != fc.Fingerprint {
				continue
			}
			if e.Valid(now) && (covering == nil || e.ExpiresAt.After(covering.ExpiresAt)) {
				covering = e
			}
			if newest == nil || e.RequestedAt.After(newest.RequestedAt) || (e.RequestedAt.Equal(newest.RequestedAt) && e.ID > newest.ID) {
				newest = e
			}
		}
		switch {
		case covering != nil:
			fc.State, fc.Exception = FindingCovered, covering.Ref(now)
		case newest != nil && newest.State(now) == ExceptionPending:
			fc.State, fc.Exception = FindingPending, newest.Ref(now)
		case newest != nil && newest.State(now) == ExceptionRejected:
			fc.State, fc.Exception = FindingRejected, newest.Ref(now)
		}
		out = append(out, fc)
	}
	return out
}

// NewExceptionCoverage summarises the coverage of a check.
func NewExceptionCoverage(check int64, service string, fcs []FindingCoverage) *ExceptionCoverage {
	c := &ExceptionCoverage{Check: check, Service: service, Findings: fcs, Passed: true}
	if c.Findings == nil {
		c.Findings = []FindingCoverage{}
	}
	for _, fc := range fcs {
		if fc.State != FindingCovered {
			c.Passed = false
		}
		if fc.State == FindingPending {
			c.Pending++
		}
	}
	return c
}

// ExceptionFilter selects exceptions.
type ExceptionFilter struct {
	Service string
	Team    string // the service's owner team
	// Status selects by state; expired is derived (pending or approved,
	// past their expiry), and pending and approved leave expired ones out.
	Status ExceptionStatus
	// ExpiringBefore selects approved, unexpired exceptions that expire
	// before this time (the zero time: no such condition).
	ExpiringBefore time.Time
	Page           Page
}

// ExceptionDecision is a reviewer's verdict on a request.
type ExceptionDecision struct {
	Approve    bool      `json:"approve"`
	ExpiresAt  time.Time `json:"expires_at,omitempty"` // for an approval
	Conditions string    `json:"conditions,omitempty"`
	Reason     string    `json:"reason,omitempty"` // required for a rejection
}

// ExceptionStore persists exceptions. Each write is one transaction that
// appends its audit events and records the notification the caller
// composes (the store writes what it is given, never text of its own).
type ExceptionStore interface {
	// CreateException stores a request (Status pending). The check must
	// belong to the request's service (a request replayed for another
	// service is refused). When an identical pending request (same
	// binding, not expired) exists, it is returned instead and reused is
	// true; nothing is written then. announce composes the request's
	// notification from the row as stored (its ID assigned) inside the
	// transaction; nil records none.
	CreateException(ctx context.Context, e *Exception, announce func(*Exception) *Notification) (reused bool, err error)
	FindException(ctx context.Context, id int64) (*Exception, error)
	// FindExceptions lists exceptions, newest request first, with their
	// total; comments are not loaded (FindException loads them).
	FindExceptions(ctx context.Context, f ExceptionFilter) ([]*Exception, int, error)
	// ServiceExceptions returns every exception of a service that can
	// still matter for coverage: approved and unexpired ones and the
	// newest request per binding. Used by coverage.
	ServiceExceptions(ctx context.Context, service string) ([]*Exception, error)
	// DecideException approves or rejects a pending request. decide runs
	// inside the transaction on the request as stored (the row locked on
	// PostgreSQL): it refuses with an error, or returns the notification
	// that announces the decision (nil: none). Of two reviewers deciding
	// at the same moment exactly one wins and the other gets ECONFLICT.
	DecideException(ctx context.Context, id int64, d ExceptionDecision, decide func(stored *Exception) (*Notification, error)) (*Exception, error)
	// RevokeException withdraws a pending or approved exception; revoke
	// runs inside the transaction as decide does for DecideException.
	RevokeException(ctx context.Context, id int64, reason string, revoke func(stored *Exception) (*Notification, error)) (*Exception, error)
	AddExceptionComment(ctx context.Context, c *ExceptionComment) error
	// MarkExceptionExpiring records that an approved exception's expiry
	// was announced, once: false when it already was (or the exception is
	// no longer approved). announce composes the exception.expiring
	// notification from the row as updated (ExpiringNoticeAt set).
	MarkExceptionExpiring(ctx context.Context, id int64, announce func(*Exception) *Notification) (bool, error)

	// FindCheck returns a recorded check by id.
	FindCheck(ctx context.Context, id int64) (*CheckRecord, error)

	// ExceptionKey returns the server's Ed25519 signing key (the 64-byte
	// private key), generating and storing one on first use.
	ExceptionKey(ctx context.Context) ([]byte, error)
}
