package store

// Reclassification (paved.ReclassificationStore) and the classification
// the gates of a launch read (service_gate_class): the strictest a service
// held since it entered green-light. Every write that changes a service's
// tier or data class keeps it (keepGateClass), whichever face wrote it, so
// a lowering that reached the service some other way (a catalog import, a
// race with a request) still leaves the gates where they were; only an
// approved or forced reclassification lowers them.

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	paved "github.com/paved-dev/paved"
)

const maxReclassText = 16 << 10

const reclassCols = `r.id, s.name, r.team, r.from_tier, r.from_data_class, r.to_tier, r.to_data_class, r.reason,
	r.requested_by, r.requested_at, r.status, r.decided_by, r.decided_at, r.comment`

const reclassFrom = ` FROM reclassifications r JOIN services s ON s.id = r.service_id`

func scanReclass(r rowScanner) (*paved.Reclassification, error) {
	var v paved.Reclassification
	var ft, tt int
	var fd, td, st string
	if err := r.Scan(&v.ID, &v.Service, &v.Team, &ft, &fd, &tt, &td, &v.Reason, &v.RequestedBy, scanTime(&v.RequestedAt),
		&st, &v.DecidedBy, scanTimePtr(&v.DecidedAt), &v.Comment); err != nil {
		return nil, err
	}
	v.From = paved.Classification{Tier: paved.Tier(ft), DataClass: paved.DataClass(fd)}
	v.To = paved.Classification{Tier: paved.Tier(tt), DataClass: paved.DataClass(td)}
	v.Status = paved.ReclassStatus(st)
	return &v, nil
}

func reclassID(id int64) string { return strconv.FormatInt(id, 10) }

func reclassNotFound(id int64) error {
	return paved.Errorf(paved.ENOTFOUND, "reclassification %d does not exist", id)
}

func checkReclassText(field, s string, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return paved.FieldErrorf(paved.EINVALID, field, "%s is required", field)
	}
	if len(s) > maxReclassText {
		return paved.FieldErrorf(paved.EINVALID, field, "the text is %d bytes long: at most %d", len(s), maxReclassText)
	}
	if !utf8.ValidString(s) {
		return paved.FieldErrorf(paved.EINVALID, field, "the text is not valid UTF-8")
	}
	return nil
}

func validClass(field string, c paved.Classification) error {
	if !c.Tier.Valid() {
		return paved.FieldErrorf(paved.EINVALID, field+".tier", "tier %d is out of range: want 1 (business critical) to 4 (internal tool)", c.Tier)
	}
	if !c.DataClass.Valid() {
		return paved.FieldErrorf(paved.EINVALID, field+".data_class", "unknown data class %q: want one of public, internal, confidential, restricted", c.DataClass)
	}
	return nil
}

// gateClass reads the stored gate classification of a service (zero when
// none is kept).
func gateClass(ctx context.Context, r runner, sid int64) (paved.Classification, error) {
	var c paved.Classification
	var t int
	var d string
	err := r.queryRow(ctx, "SELECT tier, data_class FROM service_gate_class WHERE service_id = ?", sid).Scan(&t, &d)
	if errNoRows(err) {
		return c, nil
	} else if err != nil {
		return c, err
	}
	return paved.Classification{Tier: paved.Tier(t), DataClass: paved.DataClass(d)}, nil
}

func setGateClass(ctx context.Context, w *wtx, sid int64, c paved.Classification) error {
	_, err := w.exec(ctx, `INSERT INTO service_gate_class (service_id, tier, data_class, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (service_id) DO UPDATE SET tier = excluded.tier, data_class = excluded.data_class, updated_at = excluded.updated_at`,
		sid, int(c.Tier), string(c.DataClass), formatTime(w.now))
	return err
}

// keepGateClass keeps the gates' classification of a service written from
// old to now (both as stored; the service row locked): past playground, it
// becomes the stricter of what it was (the old classification when none
// was kept) and the new one. In playground nothing is kept: the gates read
// the service as it is (a lowering there is the launch rules' decision).
func keepGateClass(ctx context.Context, w *wtx, old, now *paved.Service) error {
	if now.Phase == paved.PhasePlayground || now.Grandfathered {
		return nil
	}
	if paved.ClassOf(old) == paved.ClassOf(now) {
		return nil // kept already, or nothing to keep: the service is as it was
	}
	cur, err := gateClass(ctx, w.runner, now.ID)
	if err != nil {
		return err
	}
	kept := !cur.IsZero()
	if !kept {
		cur = paved.ClassOf(old)
	}
	next := paved.Stricter(cur, paved.ClassOf(now))
	if kept && next == cur {
		return nil
	}
	return setGateClass(ctx, w, now.ID, next)
}

// RequestReclassification stores a pending request; see
// paved.ReclassificationStore.
func (db *DB) RequestReclassification(ctx context.Context, r *paved.Reclassification, check func(*paved.Service) error, announce func(*paved.Reclassification) *paved.Notification) error {
	if r == nil {
		return paved.Errorf(paved.EINVALID, "no reclassification given")
	}
	if err := validClass("to", r.To); err != nil {
		return err
	}
	if err := checkReclassText("reason", r.Reason, true); err != nil {
		return err
	}
	v := *r
	err := db.write(ctx, func(w *wtx) error {
		s, err := findService(ctx, w.runner, v.Service, true)
		if err != nil {
			return err
		}
		if check != nil {
			c := *s
			if err := check(&c); err != nil {
				return err
			}
		}
		v.Service, v.Team, v.From = s.Name, s.Owner, paved.ClassOf(s)
		v.Status, v.RequestedBy, v.RequestedAt = paved.ReclassPending, w.actor, w.now
		v.DecidedBy, v.DecidedAt, v.Comment = "", nil, ""
		err = w.queryRow(ctx, `INSERT INTO reclassifications (service_id, team, from_tier, from_data_class, to_tier, to_data_class,
			reason, requested_by, requested_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.ID, v.Team, int(v.From.Tier), string(v.From.DataClass), int(v.To.Tier), string(v.To.DataClass),
			v.Reason, v.RequestedBy, formatTime(v.RequestedAt), string(v.Status)).Scan(&v.ID)
		if isUniqueViolation(err) {
			return paved.Errorf(paved.ECONFLICT, "%s already has a reclassification request waiting for a decision: `paved reclassification list --service %s` shows it", s.Name, s.Name)
		} else if err != nil {
			return err
		}
		w.audit("reclassification.request", "reclassification", reclassID(v.ID), created(map[string]any{
			"service": v.Service, "team": v.Team, "from": v.From.String(), "to": v.To.String(), "reason": v.Reason,
		}))
		return notifyOf(w, announce, &v)
	})
	if err != nil {
		return fmt.Errorf("store: request reclassification of %q: %w", r.Service, err)
	}
	*r = v
	return nil
}

// FindReclassification returns one request.
func (db *DB) FindReclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	var out *paved.Reclassification
	err := db.snapshot(ctx, func(r runner) error {
		var err error
		out, err = findReclass(ctx, r, id, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find reclassification %d: %w", id, err)
	}
	return out, nil
}

func findReclass(ctx context.Context, r runner, id int64, lock string) (*paved.Reclassification, error) {
	v, err := scanReclass(r.queryRow(ctx, "SELECT "+reclassCols+reclassFrom+" WHERE r.id = ?"+lock, id))
	if errNoRows(err) {
		return nil, reclassNotFound(id)
	}
	return v, err
}

// FindReclassifications lists requests, newest first.
func (db *DB) FindReclassifications(ctx context.Context, f paved.ReclassFilter) ([]*paved.Reclassification, int, error) {
	f.Page = f.Page.Normalize()
	where, args := "1 = 1", []any{}
	if f.Service != "" {
		where += " AND s.name = ?"
		args = append(args, f.Service)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, 0, paved.FieldErrorf(paved.EINVALID, "status", "unknown status %q: want pending, approved, rejected, forced or withdrawn", f.Status)
		}
		where += " AND r.status = ?"
		args = append(args, string(f.Status))
	}
	out := []*paved.Reclassification{}
	total := 0
	err := db.snapshot(ctx, func(r runner) error {
		if f.Service != "" {
			if _, err := serviceID(ctx, r, f.Service); err != nil {
				return err
			}
		}
		if err := r.queryRow(ctx, "SELECT COUNT(*)"+reclassFrom+" WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		return eachRow(ctx, r, "SELECT "+reclassCols+reclassFrom+" WHERE "+where+" ORDER BY r.requested_at DESC, r.id DESC LIMIT ? OFFSET ?",
			append(args, f.Limit, f.Offset), func(rows *sql.Rows) error {
				v, err := scanReclass(rows)
				if err != nil {
					return err
				}
				out = append(out, v)
				return nil
			})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: find reclassifications: %w", err)
	}
	return out, total, nil
}

// DecideReclassification approves or rejects a pending request; see
// paved.ReclassificationStore. The service row is locked first, then the
// request's (the order every service write takes), and the update is
// conditional on the request still pending: of two deciders racing, one
// wins and the other gets ECONFLICT.
func (db *DB) DecideReclassification(ctx context.Context, id int64, d paved.ReclassDecision, decide func(*paved.Reclassification, string) (*paved.Notification, error)) (*paved.Reclassification, error) {
	if err := checkReclassText("comment", d.Comment, !d.Approve); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "comment", "%s (a rejection says why)", paved.ErrorMessage(err))
	}
	var out *paved.Reclassification
	err := db.write(ctx, func(w *wtx) error {
		r, err := findReclass(ctx, w.runner, id, "")
		if err != nil {
			return err
		}
		s, err := findService(ctx, w.runner, r.Service, true)
		if err != nil {
			return err
		}
		r, err = findReclass(ctx, w.runner, id, w.runner.forUpdate("r"))
		if err != nil {
			return err
		}
		if err := paved.CanBeDecidedReclassification(r); err != nil {
			return err
		}
		var n *paved.Notification
		if decide != nil {
			c := *r
			if n, err = decide(&c, s.Owner); err != nil {
				return err
			}
		}
		status := paved.ReclassRejected
		if d.Approve {
			status = paved.ReclassApproved
			if paved.ClassOf(s) != r.From {
				return paved.Errorf(paved.ECONFLICT, "%s is %s now, not %s as when reclassification #%d was asked: reject it and ask again from where it stands", s.Name, paved.ClassOf(s), r.From, id)
			}
		}
		res, err := w.exec(ctx, "UPDATE reclassifications SET status = ?, decided_by = ?, decided_at = ?, comment = ? WHERE id = ? AND status = 'pending'",
			string(status), w.actor, formatTime(w.now), d.Comment, id)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k != 1 {
			return paved.Errorf(paved.ECONFLICT, "reclassification #%d was decided by someone else at the same moment: reload it", id)
		}
		changes := map[string]paved.Change{"status": change(r.Status, status)}
		if d.Comment != "" {
			changes["comment"] = change(nil, d.Comment)
		}
		action := "reclassification.reject"
		if d.Approve {
			action = "reclassification.approve"
			if err := applyClass(ctx, w, s, r.To); err != nil {
				return err
			}
		}
		w.audit(action, "reclassification", reclassID(id), changes)
		now := w.now
		r.Status, r.DecidedBy, r.DecidedAt, r.Comment = status, w.actor, &now, d.Comment
		out = r
		return w.notifyIf(n)
	})
	if err != nil {
		return nil, fmt.Errorf("store: decide reclassification %d: %w", id, err)
	}
	return out, nil
}

// WithdrawReclassification withdraws a pending request; see
// paved.ReclassificationStore. Locks as DecideReclassification does, so a
// withdrawal and a decision racing have one winner.
func (db *DB) WithdrawReclassification(ctx context.Context, id int64, check func(*paved.Reclassification) error) (*paved.Reclassification, error) {
	var out *paved.Reclassification
	err := db.write(ctx, func(w *wtx) error {
		r, err := findReclass(ctx, w.runner, id, "")
		if err != nil {
			return err
		}
		if _, err := findService(ctx, w.runner, r.Service, true); err != nil {
			return err
		}
		r, err = findReclass(ctx, w.runner, id, w.runner.forUpdate("r"))
		if err != nil {
			return err
		}
		if err := paved.CanBeDecidedReclassification(r); err != nil {
			return err
		}
		if check != nil {
			c := *r
			if err := check(&c); err != nil {
				return err
			}
		}
		const comment = "withdrawn by the requester"
		res, err := w.exec(ctx, "UPDATE reclassifications SET status = ?, decided_by = ?, decided_at = ?, comment = ? WHERE id = ? AND status = 'pending'",
			string(paved.ReclassWithdrawn), w.actor, formatTime(w.now), comment, id)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k != 1 {
			return paved.Errorf(paved.ECONFLICT, "reclassification #%d was decided by someone else at the same moment: reload it", id)
		}
		w.audit("reclassification.withdraw", "reclassification", reclassID(id), map[string]paved.Change{"status": change(r.Status, paved.ReclassWithdrawn)})
		now := w.now
		r.Status, r.DecidedBy, r.DecidedAt, r.Comment = paved.ReclassWithdrawn, w.actor, &now, comment
		out = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: withdraw reclassification %d: %w", id, err)
	}
	return out, nil
}

// applyClass sets the service's classification to to and resets the
// gates' classification to it (past playground), with the service's audit
// event. s is the service as stored, locked.
func applyClass(ctx context.Context, w *wtx, s *paved.Service, to paved.Classification) error {
	v := *s
	v.Tier, v.DataClass, v.UpdatedAt = to.Tier, to.DataClass, w.now
	if _, err := w.exec(ctx, "UPDATE services SET tier = ?, data_class = ?, updated_at = ? WHERE id = ?",
		int(v.Tier), string(v.DataClass), formatTime(v.UpdatedAt), v.ID); err != nil {
		return err
	}
	if diff := paved.Diff(s, &v); len(diff) > 0 {
		w.audit("service.reclassify", "service", v.Name, diff)
	}
	if v.Phase == paved.PhasePlayground || v.Grandfathered {
		return nil // the gates read a playground service as it is
	}
	return setGateClass(ctx, w, v.ID, to)
}

// ForceReclassification sets a service's classification without a
// decision; see paved.ReclassificationStore.
func (db *DB) ForceReclassification(ctx context.Context, service string, to paved.Classification, reason string, announce func(*paved.Reclassification) *paved.Notification) (*paved.Reclassification, error) {
	if err := validClass("to", to); err != nil {
		return nil, err
	}
	if err := checkReclassText("reason", reason, true); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "a forced reclassification needs a reason: say why no architect or security engineer decides it (%s)", paved.ErrorMessage(err))
	}
	var out *paved.Reclassification
	err := db.write(ctx, func(w *wtx) error {
		s, err := findService(ctx, w.runner, service, true)
		if err != nil {
			return err
		}
		res, err := w.exec(ctx, "UPDATE reclassifications SET status = ?, decided_by = ?, decided_at = ?, comment = ? WHERE service_id = ? AND status = 'pending'",
			string(paved.ReclassWithdrawn), w.actor, formatTime(w.now), "withdrawn by a forced reclassification", s.ID)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			w.audit("reclassification.withdraw", "service", s.Name, map[string]paved.Change{"pending": change(k, 0)})
		}
		now := w.now
		v := &paved.Reclassification{Service: s.Name, Team: s.Owner, From: paved.ClassOf(s), To: to, Reason: reason,
			RequestedBy: w.actor, RequestedAt: now, Status: paved.ReclassForced, DecidedBy: w.actor, DecidedAt: &now, Comment: reason}
		if err := w.queryRow(ctx, `INSERT INTO reclassifications (service_id, team, from_tier, from_data_class, to_tier, to_data_class,
			reason, requested_by, requested_at, status, decided_by, decided_at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.ID, v.Team, int(v.From.Tier), string(v.From.DataClass), int(to.Tier), string(to.DataClass), reason, v.RequestedBy,
			formatTime(now), string(v.Status), v.DecidedBy, formatTime(now), v.Comment).Scan(&v.ID); err != nil {
			return err
		}
		if err := applyClass(ctx, w, s, to); err != nil {
			return err
		}
		w.audit("reclassification.force", "reclassification", reclassID(v.ID), created(map[string]any{
			"service": v.Service, "team": v.Team, "from": v.From.String(), "to": to.String(), "reason": reason,
		}))
		out = v
		return notifyOf(w, announce, v)
	})
	if err != nil {
		return nil, fmt.Errorf("store: force reclassification of %q: %w", service, err)
	}
	return out, nil
}
