package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// The job table of `paved serve` (paved.JobStore): the runner fans
// notifications out into deliveries, leases due deliveries and periodic
// jobs, and records outcomes. Any number of runners may work one database:
//
//   - A claim is a short write transaction. On PostgreSQL it selects the
//     candidate rows FOR UPDATE SKIP LOCKED, so two runners claiming at the
//     same moment take disjoint rows without waiting for each other; on
//     SQLite the transaction holds the database's single write lock.
//   - A claimed row's due time moves to the end of the lease, so nobody
//     else selects it until the lease runs out. A runner that dies simply
//     lets the lease expire, and the next claim takes the row again.
//   - The claim bumps a counter (a delivery's attempts, a job's runs) that
//     is the lease's fencing token: an outcome is recorded only where the
//     row still carries the runner's name and token.
//
// Each method first looks for work with a plain read, so an idle runner
// polling every second costs one indexed query and takes no write lock.

var _ paved.JobStore = (*DB)(nil)

// skipLocked is the locking clause of a claim's SELECT.
func (db *DB) skipLocked() string {
	if db.engine == EnginePostgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// FanOutNotifications implements paved.JobStore.
func (db *DB) FanOutNotifications(ctx context.Context, limit int, route func(*paved.Notification) []string) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	var one int
	err := db.reader().queryRow(ctx, "SELECT 1 FROM notifications WHERE fanned_out_at IS NULL LIMIT 1").Scan(&one)
	if errNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: look for notifications to fan out: %w", err)
	}
	n := 0
	err = db.write(ctx, func(w *wtx) error {
		rows, err := w.query(ctx, "SELECT "+notificationCols+" FROM notifications WHERE fanned_out_at IS NULL ORDER BY id LIMIT ?"+db.skipLocked(), limit)
		if err != nil {
			return fmt.Errorf("store: fan out: %w", err)
		}
		var ns []*paved.Notification
		for rows.Next() {
			x, err := scanNotification(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("store: fan out: %w", err)
			}
			ns = append(ns, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: fan out: %w", err)
		}
		now := formatTime(w.now)
		for _, x := range ns {
			seen := map[string]bool{}
			for _, target := range route(x) {
				if seen[target] || target == "" {
					continue
				}
				seen[target] = true
				// ON CONFLICT: a notification is fanned out once, but the
				// unique key is the backstop.
				if _, err := w.exec(ctx, `INSERT INTO deliveries (notification_id, target, status, attempts, next_attempt_at, created_at, updated_at)
					VALUES (?, ?, 'pending', 0, ?, ?, ?) ON CONFLICT (notification_id, target) DO NOTHING`,
					x.ID, target, now, now, now); err != nil {
					return fmt.Errorf("store: fan out notification %d to %s: %w", x.ID, target, err)
				}
			}
			if _, err := w.exec(ctx, "UPDATE notifications SET fanned_out_at = ? WHERE id = ?", now, x.ID); err != nil {
				return fmt.Errorf("store: fan out notification %d: %w", x.ID, err)
			}
		}
		n = len(ns)
		return nil
	})
	return n, err
}

// ClaimDeliveries implements paved.JobStore.
func (db *DB) ClaimDeliveries(ctx context.Context, runner string, limit int, lease time.Duration) ([]*paved.ClaimedDelivery, error) {
	if limit <= 0 {
		limit = 1
	}
	if lease <= 0 {
		return nil, fmt.Errorf("store: claim deliveries: the lease must be positive")
	}
	var one int
	err := db.reader().queryRow(ctx, "SELECT 1 FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1",
		formatTime(db.now())).Scan(&one)
	if errNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: look for due deliveries: %w", err)
	}
	var out []*paved.ClaimedDelivery
	err = db.write(ctx, func(w *wtx) error {
		out = nil
		now := formatTime(w.now)
		rows, err := w.query(ctx, "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"+db.skipLocked(), now, limit)
		if err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: claim deliveries: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		until := formatTime(w.now.Add(lease))
		in := placeholders(len(ids))
		if _, err := w.exec(ctx, "UPDATE deliveries SET attempts = attempts + 1, lease_owner = ?, lease_until = ?, next_attempt_at = ?, updated_at = ? WHERE id IN ("+in+")",
			append([]any{runner, until, until, now}, ids...)...); err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		rows, err = w.query(ctx, "SELECT d.id, d.target, d.attempts, "+prefixCols("n.", notificationCols)+
			" FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.id IN ("+in+") ORDER BY d.id", ids...)
		if err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c := &paved.ClaimedDelivery{}
			x, err := scanNotification(rows, &c.ID, &c.Target, &c.Attempt)
			if err != nil {
				return fmt.Errorf("store: claim deliveries: %w", err)
			}
			c.Notification = x
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxLoggedError bounds the error text kept per attempt.
const maxLoggedError = 1000

// FinishDelivery implements paved.JobStore.
func (db *DB) FinishDelivery(ctx context.Context, o *paved.DeliveryOutcome) error {
	switch o.Status {
	case paved.DeliveryDelivered, paved.DeliveryFailed, paved.DeliveryPending:
	default:
		return fmt.Errorf("store: finish delivery %d: status %q", o.ID, o.Status)
	}
	msg := o.Error
	if len(msg) > maxLoggedError {
		msg = strings.ToValidUTF8(msg[:maxLoggedError], "") + "…"
	}
	lost := false
	err := db.write(ctx, func(w *wtx) error {
		lost = false
		if _, err := w.exec(ctx, `INSERT INTO delivery_attempts (delivery_id, attempt, runner, started_at, duration_ms, status_code, error)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, attempt) DO NOTHING`,
			o.ID, o.Attempt, o.Runner, formatTime(o.StartedAt), o.Duration.Milliseconds(), o.StatusCode, msg); err != nil {
			return fmt.Errorf("store: log delivery %d attempt %d: %w", o.ID, o.Attempt, err)
		}
		now := formatTime(w.now)
		next, finished := now, any(nil)
		if o.Status == paved.DeliveryPending {
			next = formatTime(w.now.Add(max(o.RetryIn, 0)))
		} else {
			finished = now
		}
		res, err := w.exec(ctx, `UPDATE deliveries SET status = ?, next_attempt_at = ?, lease_owner = '', lease_until = NULL,
			last_status_code = ?, last_error = ?, updated_at = ?, finished_at = ?
			WHERE id = ? AND status = 'pending' AND lease_owner = ? AND attempts = ?`,
			string(o.Status), next, o.StatusCode, msg, now, finished, o.ID, o.Runner, o.Attempt)
		if err != nil {
			return fmt.Errorf("store: finish delivery %d: %w", o.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: finish delivery %d: %w", o.ID, err)
		} else if n == 0 {
			lost = true // keep the log entry, commit
		}
		return nil
	})
	if err != nil {
		return err
	}
	if lost {
		return paved.Errorf(paved.ECONFLICT, "delivery %d attempt %d: the lease ran out and another runner took the delivery over", o.ID, o.Attempt)
	}
	return nil
}

// ClaimJob implements paved.JobStore.
func (db *DB) ClaimJob(ctx context.Context, name, runner string, lease time.Duration) (int64, bool, error) {
	if lease <= 0 {
		return 0, false, fmt.Errorf("store: claim job %s: the lease must be positive", name)
	}
	var next string
	err := db.reader().queryRow(ctx, "SELECT next_run_at FROM jobs WHERE name = ?", name).Scan(&next)
	if err != nil && !errNoRows(err) {
		return 0, false, fmt.Errorf("store: look at job %s: %w", name, err)
	}
	if err == nil && next > formatTime(db.now()) {
		return 0, false, nil
	}
	var run int64
	ok := false
	err = db.write(ctx, func(w *wtx) error {
		ok = false
		now := formatTime(w.now)
		if _, err := w.exec(ctx, "INSERT INTO jobs (name, next_run_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, now); err != nil {
			return fmt.Errorf("store: claim job %s: %w", name, err)
		}
		// A plain conditional UPDATE is the claim: on PostgreSQL a second
		// claimer waits for the first's row lock, then re-checks the
		// condition against the new next_run_at and updates nothing.
		until := formatTime(w.now.Add(lease))
		res, err := w.exec(ctx, `UPDATE jobs SET lease_owner = ?, lease_until = ?, next_run_at = ?, runs = runs + 1, last_started_at = ?
			WHERE name = ? AND next_run_at <= ?`, runner, until, until, now, name, now)
		if err != nil {
			return fmt.Errorf("store: claim job %s: %w", name, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: claim job %s: %w", name, err)
		} else if n == 0 {
			return nil
		}
		if err := w.queryRow(ctx, "SELECT runs FROM jobs WHERE name = ?", name).Scan(&run); err != nil {
			return fmt.Errorf("store: claim job %s: %w", name, err)
		}
		ok = true
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return run, ok, nil
}

// FinishJob implements paved.JobStore.
func (db *DB) FinishJob(ctx context.Context, name, runner string, run int64, every time.Duration, runErr string) error {
	if len(runErr) > maxLoggedError {
		runErr = strings.ToValidUTF8(runErr[:maxLoggedError], "") + "…"
	}
	lost := false
	err := db.write(ctx, func(w *wtx) error {
		lost = false
		var started time.Time
		err := w.queryRow(ctx, "SELECT last_started_at FROM jobs WHERE name = ? AND lease_owner = ? AND runs = ?"+w.forUpdate("jobs"),
			name, runner, run).Scan(scanTime(&started))
		if errNoRows(err) {
			lost = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: finish job %s: %w", name, err)
		}
		// The next run is due every after this one started, so runs keep
		// their rhythm; a run that took longer than every is followed at
		// once.
		next := started.Add(every)
		if next.Before(w.now) {
			next = w.now
		}
		_, err = w.exec(ctx, `UPDATE jobs SET next_run_at = ?, lease_owner = '', lease_until = NULL, last_finished_at = ?, last_error = ?
			WHERE name = ? AND lease_owner = ? AND runs = ?`,
			formatTime(next), formatTime(w.now), runErr, name, runner, run)
		if err != nil {
			return fmt.Errorf("store: finish job %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if lost {
		return paved.Errorf(paved.ECONFLICT, "job %s run %d: the lease ran out and another runner took the job over", name, run)
	}
	return nil
}

// notificationCols are the columns scanNotification reads, in order.
const notificationCols = "id, kind, subject, service, team, link, data, created_at"

// prefixCols qualifies each column of cols with prefix ("n.").
func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = prefix + p
	}
	return strings.Join(parts, ", ")
}

// scanNotification reads notificationCols, after any leading columns
// given in before.
func scanNotification(rows interface{ Scan(...any) error }, before ...any) (*paved.Notification, error) {
	n := &paved.Notification{}
	var data map[string]any
	dest := append(before, &n.ID, &n.Kind, &n.Subject, &n.Service, &n.Team, &n.Link, scanJSON(&data), scanTime(&n.CreatedAt))
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	if len(data) > 0 {
		n.Data = data
	}
	return n, nil
}

// pruneBatch bounds the notifications one prune transaction deletes, so
// that pruning a large backlog never holds the write lock for long.
const pruneBatch = 500

// PruneNotifications implements paved.JobStore: it deletes notifications
// created before before whose deliveries have all finished (delivered or
// failed), with their deliveries and delivery log, in batches.
func (db *DB) PruneNotifications(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		n := 0
		err := db.write(ctx, func(w *wtx) error {
			n = 0
			rows, err := w.query(ctx, `SELECT n.id FROM notifications n WHERE n.created_at < ? AND n.fanned_out_at IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.status = 'pending')
				ORDER BY n.id LIMIT ?`+db.skipLocked(), formatTime(before), pruneBatch)
			if err != nil {
				return fmt.Errorf("store: prune notifications: %w", err)
			}
			var ids []any
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("store: prune notifications: %w", err)
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: prune notifications: %w", err)
			}
			if len(ids) == 0 {
				return nil
			}
			in := placeholders(len(ids))
			for _, q := range []string{
				"DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE notification_id IN (" + in + "))",
				"DELETE FROM deliveries WHERE notification_id IN (" + in + ")",
				"DELETE FROM notifications WHERE id IN (" + in + ")",
			} {
				if _, err := w.exec(ctx, q, ids...); err != nil {
					return fmt.Errorf("store: prune notifications: %w", err)
				}
			}
			n = len(ids)
			return nil
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}
