package store

import (
	"context"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

// maxLogPerDelivery bounds the attempts FindDeliveries returns per
// delivery (the newest ones); the retry limit keeps the log short anyway.
const maxLogPerDelivery = 20

// FindNotifications implements paved.NotificationStore: newest first.
func (db *DB) FindNotifications(ctx context.Context, f paved.NotificationFilter) ([]*paved.Notification, int, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Service != "" {
		where, args = append(where, "service = ?"), append(args, f.Service)
	}
	if f.Team != "" {
		where, args = append(where, "team = ?"), append(args, f.Team)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM notifications"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count notifications: %w", err)
	}
	p := f.Page.Normalize()
	if total == 0 || p.Offset >= total {
		return []*paved.Notification{}, total, nil
	}
	rows, err := r.query(ctx, "SELECT "+notificationCols+" FROM notifications"+cond+" ORDER BY id DESC LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find notifications: %w", err)
	}
	defer rows.Close()
	out := make([]*paved.Notification, 0, min(p.Limit, total))
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: find notifications: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find notifications: %w", err)
	}
	return out, total, nil
}

const deliveryCols = `d.id, d.notification_id, n.kind, n.subject, d.target, d.status, d.attempts, d.next_attempt_at,
	d.lease_until, d.last_status_code, d.last_error, d.created_at, d.updated_at, d.finished_at`

// FindDeliveries implements paved.NotificationStore: newest first, each
// with its latest attempts.
func (db *DB) FindDeliveries(ctx context.Context, f paved.DeliveryFilter) ([]*paved.Delivery, int, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "d.status = ?"), append(args, string(f.Status))
	}
	if f.Target != "" {
		where, args = append(where, "d.target = ?"), append(args, f.Target)
	}
	if f.NotificationID != 0 {
		where, args = append(where, "d.notification_id = ?"), append(args, f.NotificationID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM deliveries d"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count deliveries: %w", err)
	}
	p := f.Page.Normalize()
	if total == 0 || p.Offset >= total {
		return []*paved.Delivery{}, total, nil
	}
	rows, err := r.query(ctx, "SELECT "+deliveryCols+" FROM deliveries d JOIN notifications n ON n.id = d.notification_id"+
		cond+" ORDER BY d.id DESC LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find deliveries: %w", err)
	}
	out := make([]*paved.Delivery, 0, min(p.Limit, total))
	byID := map[int64]*paved.Delivery{}
	for rows.Next() {
		d := &paved.Delivery{Log: []paved.DeliveryAttempt{}}
		var status string
		if err := rows.Scan(&d.ID, &d.NotificationID, &d.Kind, &d.Subject, &d.Target, &status, &d.Attempts,
			scanTimePtr(&d.NextAttemptAt), scanTimePtr(&d.LeasedUntil), &d.LastStatusCode, &d.LastError,
			scanTime(&d.CreatedAt), scanTime(&d.UpdatedAt), scanTimePtr(&d.FinishedAt)); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("store: find deliveries: %w", err)
		}
		d.Status = paved.DeliveryStatus(status)
		if d.Status != paved.DeliveryPending {
			d.NextAttemptAt, d.LeasedUntil = nil, nil
		} else if d.LeasedUntil != nil {
			d.NextAttemptAt = nil // being attempted now (or until the lease runs out)
		}
		out = append(out, d)
		byID[d.ID] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find deliveries: %w", err)
	}
	ids := make([]any, len(out))
	for i, d := range out {
		ids[i] = d.ID
	}
	// The page's logs in one query; the statement varies with the page
	// size, so it is not cached.
	lrows, err := r.queryOnce(ctx, "SELECT delivery_id, attempt, runner, started_at, duration_ms, status_code, error FROM delivery_attempts WHERE delivery_id IN ("+
		placeholders(len(ids))+") ORDER BY delivery_id, attempt DESC", ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find delivery attempts: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var id int64
		var a paved.DeliveryAttempt
		if err := lrows.Scan(&id, &a.Attempt, &a.Runner, scanTime(&a.StartedAt), &a.DurationMS, &a.StatusCode, &a.Error); err != nil {
			return nil, 0, fmt.Errorf("store: find delivery attempts: %w", err)
		}
		if d := byID[id]; d != nil && len(d.Log) < maxLogPerDelivery {
			d.Log = append(d.Log, a)
		}
	}
	if err := lrows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find delivery attempts: %w", err)
	}
	return out, total, nil
}

// DeliveryCounts implements paved.NotificationStore. It counts through
// the status index and leaves out the delivered rows, the bulk of the
// table, so that a metrics scrape stays cheap.
func (db *DB) DeliveryCounts(ctx context.Context) (map[paved.DeliveryStatus]int, error) {
	out := map[paved.DeliveryStatus]int{paved.DeliveryPending: 0, paved.DeliveryFailed: 0}
	rows, err := db.reader().query(ctx, "SELECT status, COUNT(*) FROM deliveries WHERE status IN ('pending', 'failed') GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("store: count deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: count deliveries: %w", err)
		}
		out[paved.DeliveryStatus(s)] = n
	}
	return out, rows.Err()
}
