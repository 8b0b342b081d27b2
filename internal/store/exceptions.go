package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Exceptions (exceptions.go in the domain). Every write is one transaction
// that appends its audit event and, where someone must hear of it, records
// the notification the caller composed (internal/exception) in the outbox
// (w.notify) in the same transaction.
//
// Deciding is the contended write: two reviewers may press approve at the
// same moment. The request's row is read with FOR UPDATE on PostgreSQL (on
// SQLite the writers are serialised already), the caller's rule runs on the
// row as stored, and the UPDATE itself is conditional (WHERE status =
// 'pending'), so exactly one decision lands and the other gets ECONFLICT.

const exceptionCols = `e.id, s.name, e.team, e.rule, e.resource, e.fingerprint, e.resource_type, e.path, e.value, e.message,
	e.policy, e.security, e.check_id, e.reason, e.status, e.requested_by, e.requested_at, e.expires_at, e.decided_by,
	e.decided_at, e.decision_reason, e.conditions, e.revoked_by, e.revoked_at, e.revoke_reason, e.expiring_notice_at`

const exceptionFrom = ` FROM exceptions e JOIN services s ON s.id = e.service_id`

func scanException(r rowScanner) (*paved.Exception, error) {
	var e paved.Exception
	var value string
	var security int
	if err := r.Scan(&e.ID, &e.Service, &e.Team, &e.Rule, &e.Resource, &e.Fingerprint, &e.ResourceType, &e.Path, &value,
		&e.Message, &e.Policy, &security, &e.Check, &e.Reason, &e.Status, &e.RequestedBy, scanTime(&e.RequestedAt),
		scanTime(&e.ExpiresAt), &e.DecidedBy, scanTimePtr(&e.DecidedAt), &e.DecisionReason, &e.Conditions, &e.RevokedBy,
		scanTimePtr(&e.RevokedAt), &e.RevokeReason, scanTimePtr(&e.ExpiringNoticeAt)); err != nil {
		return nil, err
	}
	if value != "" && value != "null" {
		if err := json.Unmarshal([]byte(value), &e.Value); err != nil {
			return nil, fmt.Errorf("exception %d: value: %w", e.ID, err)
		}
	}
	e.Security = security != 0
	e.Comments = []*paved.ExceptionComment{}
	return &e, nil
}

func exceptionNotFound(id int64) error {
	return paved.Errorf(paved.ENOTFOUND, "exception %d does not exist: paved exception list shows the exceptions", id)
}

func exceptionID(id int64) string { return strconv.FormatInt(id, 10) }

// Input limits. The application service checks them with friendlier
// messages; the store refuses anything beyond them whatever the caller.
const (
	maxExceptionText  = 16 << 10
	maxExceptionValue = 64 << 10
)

func checkExceptionText(field, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return paved.FieldErrorf(paved.EINVALID, field, "%s is required", field)
	case len(s) > maxExceptionText:
		return paved.FieldErrorf(paved.ETOOLARGE, field, "%s is %d bytes long: at most %d are allowed", field, len(s), maxExceptionText)
	}
	return nil
}

// CreateException stores a pending request and fills its ID, Status,
// Team, RequestedBy (the actor unless set) and RequestedAt. The check must
// belong to the service; an identical pending request that has not expired
// is returned instead (reused), and nothing is written. announce (nil:
// none) composes the notification from the request as stored.
func (db *DB) CreateException(ctx context.Context, e *paved.Exception, announce func(*paved.Exception) *paved.Notification) (bool, error) {
	if e == nil {
		return false, paved.Errorf(paved.EINVALID, "no exception given")
	}
	for _, f := range []struct{ field, v string }{{"service", e.Service}, {"rule", e.Rule}, {"fingerprint", e.Fingerprint}} {
		if strings.TrimSpace(f.v) == "" {
			return false, paved.FieldErrorf(paved.EINVALID, f.field, "%s is required", f.field)
		}
	}
	if err := checkExceptionText("reason", e.Reason, true); err != nil {
		return false, err
	}
	if e.Check < 1 {
		return false, paved.FieldErrorf(paved.EINVALID, "check", "an exception is requested from a recorded check: name its id")
	}
	if e.ExpiresAt.IsZero() {
		return false, paved.FieldErrorf(paved.EINVALID, "expires_at", "a request needs an expiry")
	}
	value, err := marshalJSON(e.Value, "null")
	if err != nil {
		return false, paved.FieldErrorf(paved.EINVALID, "value", "the offending value cannot be stored as JSON: %v", err)
	}
	if len(value) > maxExceptionValue {
		return false, paved.FieldErrorf(paved.ETOOLARGE, "value", "the offending value is %d bytes of JSON: at most %d are kept", len(value), maxExceptionValue)
	}
	v := *e
	reused := false
	err = db.write(ctx, func(w *wtx) error {
		var sid int64
		var owner string
		q := "SELECT s.id, o.name FROM services s JOIN teams o ON o.id = s.owner_id WHERE s.name = ?"
		if w.db.engine == EnginePostgres {
			q += " FOR NO KEY UPDATE OF s" // serialises requests of one service: reuse stays exact
		}
		if err := w.queryRow(ctx, q, v.Service).Scan(&sid, &owner); errNoRows(err) {
			return paved.FieldErrorf(paved.ENOTFOUND, "service", "service %q does not exist", v.Service)
		} else if err != nil {
			return err
		}
		var checkService int64
		var checkServiceName string
		err := w.queryRow(ctx, "SELECT c.service_id, s.name FROM checks c JOIN services s ON s.id = c.service_id WHERE c.id = ?", v.Check).
			Scan(&checkService, &checkServiceName)
		if errNoRows(err) {
			return paved.FieldErrorf(paved.ENOTFOUND, "check", "check %d does not exist", v.Check)
		} else if err != nil {
			return err
		}
		if checkService != sid {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "check", "check %d was recorded for service %q, not %q: an exception is requested from a check of its own service",
				v.Check, checkServiceName, v.Service)
		}
		old, err := scanException(w.queryRow(ctx, "SELECT "+exceptionCols+exceptionFrom+
			` WHERE e.service_id = ? AND e.rule = ? AND e.resource = ? AND e.fingerprint = ? AND e.status = 'pending' AND e.expires_at > ?
			ORDER BY e.id DESC LIMIT 1`, sid, v.Rule, v.Resource, v.Fingerprint, formatTime(w.now)))
		if err == nil {
			v, reused = *old, true
			return nil
		} else if !errNoRows(err) {
			return err
		}
		v.Team = owner
		v.Status = paved.ExceptionPending
		if v.RequestedBy == "" {
			v.RequestedBy = w.actor
		}
		v.RequestedAt = w.now
		v.DecidedBy, v.DecidedAt, v.DecisionReason, v.Conditions = "", nil, "", ""
		v.RevokedBy, v.RevokedAt, v.RevokeReason, v.ExpiringNoticeAt = "", nil, "", nil
		v.Comments = []*paved.ExceptionComment{}
		if err := w.queryRow(ctx, `INSERT INTO exceptions (service_id, team, rule, resource, fingerprint, resource_type, path, value,
			message, policy, security, check_id, reason, status, requested_by, requested_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sid, v.Team, v.Rule, v.Resource, v.Fingerprint, v.ResourceType, v.Path, value, v.Message, v.Policy, boolInt(v.Security),
			v.Check, v.Reason, string(v.Status), v.RequestedBy, formatTime(v.RequestedAt), formatTime(v.ExpiresAt)).Scan(&v.ID); err != nil {
			return err
		}
		w.audit("exception.request", "exception", exceptionID(v.ID), created(map[string]any{
			"service": v.Service, "team": v.Team, "rule": v.Rule, "resource": v.Resource, "fingerprint": v.Fingerprint,
			"path": v.Path, "value": v.Value, "check": v.Check, "reason": v.Reason, "security": v.Security,
			"expires_at": formatTime(v.ExpiresAt),
		}))
		return notifyOf(w, announce, &v)
	})
	if err != nil {
		return false, fmt.Errorf("store: request exception for %q: %w", e.Service, err)
	}
	*e = v
	return reused, nil
}

// FindException returns one exception with its comment thread.
func (db *DB) FindException(ctx context.Context, id int64) (*paved.Exception, error) {
	var out *paved.Exception
	err := db.snapshot(ctx, func(r runner) error {
		var err error
		out, err = findException(ctx, r, id, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find exception %d: %w", id, err)
	}
	return out, nil
}

// findException reads an exception (with lock appended to the query) and
// its comments.
func findException(ctx context.Context, r runner, id int64, lock string) (*paved.Exception, error) {
	e, err := scanException(r.queryRow(ctx, "SELECT "+exceptionCols+exceptionFrom+" WHERE e.id = ?"+lock, id))
	if errNoRows(err) {
		return nil, exceptionNotFound(id)
	} else if err != nil {
		return nil, err
	}
	err = eachRow(ctx, r, "SELECT id, exception_id, author, body, at FROM exception_comments WHERE exception_id = ? ORDER BY at, id",
		[]any{id}, func(rows *sql.Rows) error {
			var c paved.ExceptionComment
			if err := rows.Scan(&c.ID, &c.Exception, &c.Author, &c.Body, scanTime(&c.At)); err != nil {
				return err
			}
			e.Comments = append(e.Comments, &c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("comments: %w", err)
	}
	return e, nil
}

// exceptionFilterSQL turns a filter into conditions at now.
func exceptionFilterSQL(f paved.ExceptionFilter, now time.Time) (string, []any) {
	var conds []string
	var args []any
	ts := formatTime(now)
	if f.Service != "" {
		conds = append(conds, "s.name = ?")
		args = append(args, f.Service)
	}
	if f.Team != "" {
		conds = append(conds, "s.owner_id = (SELECT id FROM teams WHERE name = ?)")
		args = append(args, f.Team)
	}
	switch f.Status {
	case paved.ExceptionPending, paved.ExceptionApproved:
		conds = append(conds, "e.status = ? AND e.expires_at > ?")
		args = append(args, string(f.Status), ts)
	case paved.ExceptionExpired:
		conds = append(conds, "e.status IN ('pending', 'approved') AND e.expires_at <= ?")
		args = append(args, ts)
	case paved.ExceptionRejected, paved.ExceptionRevoked:
		conds = append(conds, "e.status = ?")
		args = append(args, string(f.Status))
	}
	if !f.ExpiringBefore.IsZero() {
		conds = append(conds, "e.status = 'approved' AND e.expires_at > ? AND e.expires_at <= ?")
		args = append(args, ts, formatTime(f.ExpiringBefore))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// FindExceptions lists exceptions, newest request first (the queue of
// pending requests: oldest first, so the longest wait comes first), with
// the total that f selects. Comments are not loaded.
func (db *DB) FindExceptions(ctx context.Context, f paved.ExceptionFilter) ([]*paved.Exception, int, error) {
	p := f.Page.Normalize()
	if f.Status != "" {
		if _, err := paved.ParseExceptionStatus(string(f.Status)); err != nil {
			return nil, 0, err
		}
	}
	order := " ORDER BY e.requested_at DESC, e.id DESC"
	if f.Status == paved.ExceptionPending {
		order = " ORDER BY e.requested_at, e.id"
	} else if !f.ExpiringBefore.IsZero() {
		order = " ORDER BY e.expires_at, e.id"
	}
	out := []*paved.Exception{}
	total := 0
	err := db.snapshot(ctx, func(r runner) error {
		cond, args := exceptionFilterSQL(f, db.now())
		if err := r.queryRow(ctx, "SELECT COUNT(*)"+exceptionFrom+cond, args...).Scan(&total); err != nil {
			return err
		}
		return eachRow(ctx, r, "SELECT "+exceptionCols+exceptionFrom+cond+order+" LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset),
			func(rows *sql.Rows) error {
				e, err := scanException(rows)
				if err != nil {
					return err
				}
				out = append(out, e)
				return nil
			})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find exceptions: %w", err)
	}
	return out, total, nil
}

// ServiceExceptions returns the exceptions of a service that coverage
// needs: every one that is not revoked, newest request first. Comments
// are not loaded.
func (db *DB) ServiceExceptions(ctx context.Context, service string) ([]*paved.Exception, error) {
	out := []*paved.Exception{}
	err := db.snapshot(ctx, func(r runner) error {
		sid, err := serviceID(ctx, r, service)
		if err != nil {
			return err
		}
		return eachRow(ctx, r, "SELECT "+exceptionCols+exceptionFrom+" WHERE e.service_id = ? AND e.status <> 'revoked' ORDER BY e.requested_at DESC, e.id DESC",
			[]any{sid}, func(rows *sql.Rows) error {
				e, err := scanException(rows)
				if err != nil {
					return err
				}
				out = append(out, e)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("store: exceptions of %q: %w", service, err)
	}
	return out, nil
}

// runDecision runs a caller's in-transaction rule on the row as stored; a
// nil rule allows and announces nothing.
func runDecision(decide func(*paved.Exception) (*paved.Notification, error), e *paved.Exception) (*paved.Notification, error) {
	if decide == nil {
		return nil, nil
	}
	// The rule gets a copy: it may not change what the store writes.
	c := *e
	return decide(&c)
}

// lockException reads an exception for a write, locking its row on
// PostgreSQL.
func lockException(ctx context.Context, w *wtx, id int64) (*paved.Exception, error) {
	lock := ""
	if w.db.engine == EnginePostgres {
		lock = " FOR UPDATE OF e"
	}
	return findException(ctx, w.runner, id, lock)
}

// DecideException approves or rejects a pending request. decide (nil: no
// rule, no notification) runs on the request as stored and returns the
// notification to record; the store itself refuses a request that is no
// longer pending or has expired, and an approval without a future expiry.
func (db *DB) DecideException(ctx context.Context, id int64, d paved.ExceptionDecision, decide func(*paved.Exception) (*paved.Notification, error)) (*paved.Exception, error) {
	if err := checkExceptionText("reason", d.Reason, !d.Approve); err != nil {
		return nil, err
	}
	if err := checkExceptionText("conditions", d.Conditions, false); err != nil {
		return nil, err
	}
	if !d.Approve && d.Conditions != "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "conditions", "conditions belong to an approval, not a rejection")
	}
	var out *paved.Exception
	err := db.write(ctx, func(w *wtx) error {
		e, err := lockException(ctx, w, id)
		if err != nil {
			return err
		}
		if err := paved.CanBeDecided(e, w.now); err != nil {
			return err
		}
		n, err := runDecision(decide, e)
		if err != nil {
			return err
		}
		status := paved.ExceptionRejected
		expires := e.ExpiresAt
		if d.Approve {
			status = paved.ExceptionApproved
			if d.ExpiresAt.IsZero() || !d.ExpiresAt.After(w.now) {
				return paved.FieldErrorf(paved.EINVALID, "expires_at", "an approval needs an expiry in the future")
			}
			expires = d.ExpiresAt.UTC()
		}
		res, err := w.exec(ctx, `UPDATE exceptions SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?, conditions = ?,
			expires_at = ? WHERE id = ? AND status = 'pending'`,
			string(status), w.actor, formatTime(w.now), d.Reason, d.Conditions, formatTime(expires), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return paved.Errorf(paved.ECONFLICT, "exception #%d was decided by someone else at the same moment: reload it", id)
		}
		changes := map[string]paved.Change{"status": change(e.Status, status)}
		if d.Approve {
			changes["expires_at"] = change(formatTime(e.ExpiresAt), formatTime(expires))
		}
		if d.Reason != "" {
			changes["decision_reason"] = change(nil, d.Reason)
		}
		if d.Conditions != "" {
			changes["conditions"] = change(nil, d.Conditions)
		}
		action := "exception.approve"
		if !d.Approve {
			action = "exception.reject"
		}
		w.audit(action, "exception", exceptionID(id), changes)
		now := w.now
		e.Status, e.DecidedBy, e.DecidedAt, e.DecisionReason, e.Conditions, e.ExpiresAt = status, w.actor, &now, d.Reason, d.Conditions, expires
		out = e
		return w.notifyIf(n)
	})
	if err != nil {
		return nil, fmt.Errorf("store: decide exception %d: %w", id, err)
	}
	return out, nil
}

// RevokeException withdraws a pending or approved exception that has not
// expired. revoke (nil: no rule, no notification) runs on the exception as
// stored and returns the notification to record.
func (db *DB) RevokeException(ctx context.Context, id int64, reason string, revoke func(*paved.Exception) (*paved.Notification, error)) (*paved.Exception, error) {
	if err := checkExceptionText("reason", reason, true); err != nil {
		return nil, err
	}
	var out *paved.Exception
	err := db.write(ctx, func(w *wtx) error {
		e, err := lockException(ctx, w, id)
		if err != nil {
			return err
		}
		if err := paved.CanBeRevoked(e, w.now); err != nil {
			return err
		}
		n, err := runDecision(revoke, e)
		if err != nil {
			return err
		}
		res, err := w.exec(ctx, `UPDATE exceptions SET status = 'revoked', revoked_by = ?, revoked_at = ?, revoke_reason = ?
			WHERE id = ? AND status IN ('pending', 'approved')`, w.actor, formatTime(w.now), reason, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return paved.Errorf(paved.ECONFLICT, "exception #%d changed at the same moment: reload it", id)
		}
		w.audit("exception.revoke", "exception", exceptionID(id), map[string]paved.Change{
			"status": change(e.Status, paved.ExceptionRevoked), "revoke_reason": change(nil, reason),
		})
		now := w.now
		e.Status, e.RevokedBy, e.RevokedAt, e.RevokeReason = paved.ExceptionRevoked, w.actor, &now, reason
		out = e
		return w.notifyIf(n)
	})
	if err != nil {
		return nil, fmt.Errorf("store: revoke exception %d: %w", id, err)
	}
	return out, nil
}

// AddExceptionComment adds a message to a request's thread and fills its
// ID, Author (the actor unless set) and At.
func (db *DB) AddExceptionComment(ctx context.Context, c *paved.ExceptionComment) error {
	if c == nil {
		return paved.Errorf(paved.EINVALID, "no comment given")
	}
	if err := checkExceptionText("body", c.Body, true); err != nil {
		return err
	}
	v := *c
	err := db.write(ctx, func(w *wtx) error {
		var id int64
		if err := w.queryRow(ctx, "SELECT id FROM exceptions WHERE id = ?", v.Exception).Scan(&id); errNoRows(err) {
			return exceptionNotFound(v.Exception)
		} else if err != nil {
			return err
		}
		if v.Author == "" {
			v.Author = w.actor
		}
		v.At = w.now
		if err := w.queryRow(ctx, "INSERT INTO exception_comments (exception_id, author, body, at) VALUES (?, ?, ?, ?) RETURNING id",
			v.Exception, v.Author, v.Body, formatTime(v.At)).Scan(&v.ID); err != nil {
			return err
		}
		w.audit("exception.comment", "exception", exceptionID(v.Exception), created(map[string]any{"comment": v.ID, "body": v.Body}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: comment on exception %d: %w", c.Exception, err)
	}
	*c = v
	return nil
}

// MarkExceptionExpiring records that an approved exception close to its
// expiry was announced, and records the notification announce composes
// from the row as updated with it. The UPDATE is conditional, so the
// notification is recorded once however many runners try: false when it
// already was (or the exception is no longer approved and valid).
func (db *DB) MarkExceptionExpiring(ctx context.Context, id int64, announce func(*paved.Exception) *paved.Notification) (bool, error) {
	marked := false
	err := db.write(ctx, func(w *wtx) error {
		res, err := w.exec(ctx, `UPDATE exceptions SET expiring_notice_at = ?
			WHERE id = ? AND status = 'approved' AND expiring_notice_at IS NULL AND expires_at > ?`, formatTime(w.now), id, formatTime(w.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		e, err := findException(ctx, w.runner, id, "")
		if err != nil {
			return err
		}
		marked = true
		w.audit("exception.expiring", "exception", exceptionID(id), created(map[string]any{"expiring_notice_at": formatTime(w.now)}))
		return notifyOf(w, announce, e)
	})
	if err != nil {
		return false, fmt.Errorf("store: mark exception %d expiring: %w", id, err)
	}
	return marked, nil
}

// FindCheck returns a recorded check by id.
func (db *DB) FindCheck(ctx context.Context, id int64) (*paved.CheckRecord, error) {
	var svc string
	c, err := scanCheck(db.reader().queryRow(ctx, "SELECT "+checkCols+", s.name FROM checks c JOIN services s ON s.id = c.service_id WHERE c.id = ?", id), &svc)
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "check %d does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("store: find check %d: %w", id, err)
	}
	c.Service = svc
	return c, nil
}

// exceptionKeyName names the exceptions export's key in signing_keys.
const exceptionKeyName = "exceptions"

// ExceptionKey returns the Ed25519 private key the server signs exception
// exports with, generating it on first use. Two replicas racing to create
// it both end up with the one that was stored first.
func (db *DB) ExceptionKey(ctx context.Context) ([]byte, error) {
	key, err := db.readKey(ctx)
	if err != nil || key != nil {
		return key, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("store: generate signing key: %w", err)
	}
	err = db.write(ctx, func(w *wtx) error {
		res, err := w.exec(ctx, `INSERT INTO signing_keys (name, algorithm, private_key, public_key, created_at) VALUES (?, 'ed25519', ?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, exceptionKeyName, base64.StdEncoding.EncodeToString(priv),
			base64.StdEncoding.EncodeToString(pub), formatTime(w.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			// The audit names the public key only: the private key never
			// leaves the database except to sign.
			w.audit("signing_key.create", "signing_key", exceptionKeyName, created(map[string]any{
				"algorithm": "ed25519", "public_key": base64.StdEncoding.EncodeToString(pub),
			}))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: store signing key: %w", err)
	}
	key, err = db.readKey(ctx)
	if err == nil && key == nil {
		err = fmt.Errorf("store: signing key vanished after it was stored")
	}
	return key, err
}

func (db *DB) readKey(ctx context.Context) ([]byte, error) {
	var priv string
	err := db.reader().queryRow(ctx, "SELECT private_key FROM signing_keys WHERE name = ?", exceptionKeyName).Scan(&priv)
	if errNoRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: read signing key: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(priv)
	if err != nil || len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("store: the stored signing key %q is damaged", exceptionKeyName)
	}
	return key, nil
}
