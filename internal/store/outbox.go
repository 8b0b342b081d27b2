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
// Call it from a store write method, after the change itself:
//
//	return w.notify(&paved.Notification{Kind: paved.NotifyExceptionRequested,
//		Subject: "...", Service: svc, Team: team, Link: "/exceptions/12",
//		Data: map[string]any{"exception_id": id}})
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

// RecordNotification records a notification on its own, for one that
// announces no stored change (a periodic check whose only effect is the
// announcement, or a test message). Everything else calls w.notify inside
// the write that makes the change.
func (db *DB) RecordNotification(ctx context.Context, n *paved.Notification) error {
	return db.write(ctx, func(w *wtx) error { return w.notify(n) })
}
