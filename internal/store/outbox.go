package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	paved "github.com/paved-dev/paved"
)

// maxSubject bounds a notification's subject (one line for humans); a
// longer one is cut, not refused, so that a long service name can never
// fail the write that announces it.
const maxSubject = 500

// notify records n in the outbox inside the write transaction, so that the
// notification exists exactly when the change that caused it commits (and
// is rolled back with it). It sets n.ID and n.CreatedAt. Delivery happens
// later, in the job runner of `paved serve` (internal/notify).
//
// The store never writes a notification's words: the capability that
// decides the change composes it (internal/exception, internal/launch,
// internal/cost, internal/platform), often from the row as stored, which
// the write method hands to the caller's function inside the transaction:
//
//	return notifyOf(w, announce, &v) // announce: func(*paved.Exception) *paved.Notification
func (w *wtx) notify(n *paved.Notification) error {
	if n == nil {
		return fmt.Errorf("notify: nil notification")
	}
	if strings.TrimSpace(n.Kind) == "" {
		return fmt.Errorf("notify: notification without a kind")
	}
	subject := strings.Join(strings.Fields(n.Subject), " ")
	if subject == "" {
		return fmt.Errorf("notify: %s notification without a subject", n.Kind)
	}
	if utf8.RuneCountInString(subject) > maxSubject {
		r := []rune(subject)
		subject = string(r[:maxSubject-1]) + "…"
	}
	data := "{}"
	if len(n.Data) > 0 {
		b, err := json.Marshal(n.Data)
		if err != nil {
			return fmt.Errorf("notify: %s data: %w", n.Kind, err)
		}
		data = string(b)
	}
	n.Subject = subject
	n.CreatedAt = w.now
	// wtx carries no context of its own; the transaction is already bound
	// to the caller's (BeginTx), which cancels it as a whole.
	ctx := context.Background()
	err := w.queryRow(ctx, `INSERT INTO notifications (kind, subject, service, team, link, data, actor, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Kind, n.Subject, n.Service, n.Team, n.Link, data, w.actor, formatTime(w.now)).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("notify: record %s: %w", n.Kind, err)
	}
	return nil
}

// notifyIf records n unless it is nil (the caller announces nothing).
func (w *wtx) notifyIf(n *paved.Notification) error {
	if n == nil {
		return nil
	}
	return w.notify(n)
}

// notifyOf records the notification compose makes of the row v as stored.
// compose gets a copy, so it cannot change what was written; a nil
// compose, or a nil result, records nothing.
func notifyOf[T any](w *wtx, compose func(*T) *paved.Notification, v *T) error {
	if compose == nil {
		return nil
	}
	c := *v
	return w.notifyIf(compose(&c))
}

// RecordNotification records a notification on its own, for one that
// announces no stored change (a periodic check whose only effect is the
// announcement, or a test message). Everything else calls w.notify inside
// the write that makes the change.
func (db *DB) RecordNotification(ctx context.Context, n *paved.Notification) error {
	return db.write(ctx, func(w *wtx) error { return w.notify(n) })
}
