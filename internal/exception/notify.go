package exception

import (
	"fmt"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// The notifications of exceptions (docs/notifications.md documents each
// kind's data). The store records them in the transaction of the change
// they announce, composed here from the row as it stands there.

// Requested is the exception.requested notification of a request as
// stored.
func Requested(e *paved.Exception) *paved.Notification {
	return &paved.Notification{
		Kind:    paved.NotifyExceptionRequested,
		Subject: fmt.Sprintf("%s asks for an exception to %s on %s of %s: %s", e.RequestedBy, e.Rule, e.Resource, e.Service, oneLine(e.Reason)),
		Service: e.Service, Team: e.Team, Link: e.Link(),
		Data: map[string]any{
			"exception_id": e.ID, "rule": e.Rule, "resource": e.Resource, "path": e.Path, "value": e.Value,
			"message": e.Message, "reason": e.Reason, "requested_by": e.RequestedBy, "expires_at": e.ExpiresAt,
			"security": e.Security, "check": e.Check,
		},
	}
}

// Decided is the exception.decided notification of decision d on the
// pending request e (as stored before the decision), decided by by.
func Decided(e *paved.Exception, d paved.ExceptionDecision, by string) *paved.Notification {
	verb, expires := "rejected", e.ExpiresAt
	subject := fmt.Sprintf("%s rejected the exception to %s on %s of %s: %s", by, e.Rule, e.Resource, e.Service, oneLine(d.Reason))
	if d.Approve {
		verb, expires = "approved", d.ExpiresAt.UTC()
		subject = fmt.Sprintf("%s approved the exception to %s on %s of %s until %s", by, e.Rule, e.Resource, e.Service, expires.Format(time.DateOnly))
	}
	return &paved.Notification{
		Kind: paved.NotifyExceptionDecided, Subject: subject, Service: e.Service, Team: e.Team, Link: e.Link(),
		Data: map[string]any{
			"exception_id": e.ID, "decision": verb, "decided_by": by, "reason": d.Reason, "conditions": d.Conditions,
			"expires_at": expires, "rule": e.Rule, "resource": e.Resource, "requested_by": e.RequestedBy,
		},
	}
}

// Revoked is the exception.decided notification of e (as stored before
// the revocation) revoked by by for reason.
func Revoked(e *paved.Exception, reason, by string) *paved.Notification {
	return &paved.Notification{
		Kind:    paved.NotifyExceptionDecided,
		Subject: fmt.Sprintf("%s revoked the exception to %s on %s of %s: %s", by, e.Rule, e.Resource, e.Service, oneLine(reason)),
		Service: e.Service, Team: e.Team, Link: e.Link(),
		Data: map[string]any{
			"exception_id": e.ID, "decision": "revoked", "decided_by": by, "reason": reason, "was": string(e.Status),
			"rule": e.Rule, "resource": e.Resource, "requested_by": e.RequestedBy,
		},
	}
}

// Expiring is the exception.expiring notification of an approved
// exception whose notice was just recorded (ExpiringNoticeAt is when).
func Expiring(e *paved.Exception) *paved.Notification {
	var days int
	if e.ExpiringNoticeAt != nil {
		days = int(e.ExpiresAt.Sub(*e.ExpiringNoticeAt).Hours() / 24)
	}
	return &paved.Notification{
		Kind:    paved.NotifyExceptionExpiring,
		Subject: fmt.Sprintf("The exception to %s on %s of %s expires on %s (in %d days)", e.Rule, e.Resource, e.Service, e.ExpiresAt.Format(time.DateOnly), days),
		Service: e.Service, Team: e.Team, Link: e.Link(),
		Data: map[string]any{
			"exception_id": e.ID, "expires_at": e.ExpiresAt, "days_left": days, "rule": e.Rule, "resource": e.Resource,
			"decided_by": e.DecidedBy, "requested_by": e.RequestedBy,
		},
	}
}

// oneLine shortens free text for a notification subject.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:119]) + "…"
	}
	return s
}
