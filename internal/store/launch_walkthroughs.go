package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// walkthroughRow is a walkthrough with the id of its service, for
// assembling launches.
type walkthroughRow struct {
	*paved.Walkthrough
	serviceID int64
}

// loadWalkthroughs reads the walkthroughs that where (a condition on
// walkthroughs w) selects, newest first, with their sign-offs in time order
// and their follow-ups in creation order: three queries for any number.
func loadWalkthroughs(ctx context.Context, r runner, where string, args []any) ([]walkthroughRow, error) {
	var out []walkthroughRow
	byID := map[int64]*paved.Walkthrough{}
	err := eachRow(ctx, r, `SELECT w.id, w.service_id, s.name, w.scheduled_at, w.participants, w.created_by, w.created_at, w.cancelled,
		w.cancelled_by FROM walkthroughs w JOIN services s ON s.id = w.service_id WHERE `+where+` ORDER BY w.created_at DESC, w.id DESC`, args,
		func(rows *sql.Rows) error {
			w := &paved.Walkthrough{Signoffs: []*paved.Signoff{}, FollowUps: []*paved.FollowUp{}}
			var sid int64
			var cancelled int
			if err := rows.Scan(&w.ID, &sid, &w.Service, scanTime(&w.ScheduledAt), scanJSON(&w.Participants),
				&w.CreatedBy, scanTime(&w.CreatedAt), &cancelled, &w.CancelledBy); err != nil {
				return err
			}
			w.Participants = nonNil(w.Participants)
			w.Cancelled = cancelled != 0
			out = append(out, walkthroughRow{w, sid})
			byID[w.ID] = w
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("walkthroughs: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	err = eachRow(ctx, r, `SELECT so.id, so.walkthrough_id, u.name, so.role, so.decision, so.comment, so.at,
		u.retired_at IS NOT NULL FROM signoffs so JOIN walkthroughs w ON w.id = so.walkthrough_id JOIN users u ON u.id = so.signer_id
		WHERE `+where+` ORDER BY so.at, so.id`, args, func(rows *sql.Rows) error {
		var s paved.Signoff
		if err := rows.Scan(&s.ID, &s.Walkthrough, &s.Signer, &s.Role, &s.Decision, &s.Comment, scanTime(&s.At), &s.SignerRetired); err != nil {
			return err
		}
		if w := byID[s.Walkthrough]; w != nil {
			w.Signoffs = append(w.Signoffs, &s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sign-offs: %w", err)
	}
	err = eachRow(ctx, r, `SELECT `+followUpCols+` FROM follow_ups f JOIN walkthroughs w ON w.id = f.walkthrough_id
		JOIN users u ON u.id = f.owner_id WHERE `+where+` ORDER BY f.id`, args, func(rows *sql.Rows) error {
		f, err := scanFollowUp(rows)
		if err != nil {
			return err
		}
		if w := byID[f.Walkthrough]; w != nil {
			w.FollowUps = append(w.FollowUps, f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return out, nil
}

const followUpCols = `f.id, f.walkthrough_id, f.description, u.name, f.due, f.created_by, f.created_at, f.done_by, f.done_at`

func scanFollowUp(r rowScanner) (*paved.FollowUp, error) {
	var f paved.FollowUp
	if err := r.Scan(&f.ID, &f.Walkthrough, &f.Description, &f.Owner, scanTime(&f.Due), &f.CreatedBy, scanTime(&f.CreatedAt),
		&f.DoneBy, scanTimePtr(&f.DoneAt)); err != nil {
		return nil, err
	}
	return &f, nil
}

// findWalkthrough reads one walkthrough with its sign-offs and follow-ups.
func findWalkthrough(ctx context.Context, r runner, id int64) (*paved.Walkthrough, error) {
	ws, err := loadWalkthroughs(ctx, r, "w.id = ?", []any{id})
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, walkthroughNotFound(id)
	}
	return ws[0].Walkthrough, nil
}

func walkthroughNotFound(id int64) error {
	return paved.Errorf(paved.ENOTFOUND, "walkthrough %d does not exist", id)
}

func walkthroughID(id int64) string { return strconv.FormatInt(id, 10) }

// lockWalkthrough takes the walkthrough's row on PostgreSQL, so that the
// writes of one walkthrough (sign-offs above all) serialise, and reports
// whether it exists.
func lockWalkthrough(ctx context.Context, w *wtx, id int64) error {
	q := "SELECT id FROM walkthroughs WHERE id = ?"
	if w.db.engine == EnginePostgres {
		q += " FOR NO KEY UPDATE"
	}
	var got int64
	err := w.queryRow(ctx, q, id).Scan(&got)
	if errNoRows(err) {
		return walkthroughNotFound(id)
	}
	return err
}

// FindWalkthrough returns a walkthrough with its sign-offs (in time order,
// superseded ones included) and follow-ups.
func (db *DB) FindWalkthrough(ctx context.Context, id int64) (*paved.Walkthrough, error) {
	var out *paved.Walkthrough
	err := db.snapshot(ctx, func(r runner) error {
		var err error
		out, err = findWalkthrough(ctx, r, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find walkthrough %d: %w", id, err)
	}
	return out, nil
}

// CreateWalkthrough schedules a walkthrough and fills its ID, CreatedBy (the
// context's actor), CreatedAt and empty sign-offs and follow-ups. Every
// participant must be an active user. Whether another walkthrough is still
// pending is the launch rules' decision. announce (nil: none) composes the
// notification from the walkthrough as stored and the owner team.
func (db *DB) CreateWalkthrough(ctx context.Context, wt *paved.Walkthrough, announce func(*paved.Walkthrough, string) *paved.Notification) error {
	if wt == nil {
		return paved.Errorf(paved.EINVALID, "no walkthrough given")
	}
	if wt.ScheduledAt.IsZero() {
		return paved.FieldErrorf(paved.EINVALID, "scheduled_at", "the walkthrough has no date: give scheduled_at (RFC 3339 or YYYY-MM-DD HH:MM)")
	}
	v := *wt
	v.Participants = []string{}
	for _, p := range wt.Participants {
		if !slices.Contains(v.Participants, p) {
			v.Participants = append(v.Participants, p)
		}
	}
	v.ScheduledAt = wt.ScheduledAt.UTC()
	carried, carriedFollowUps := wt.Signoffs, wt.FollowUps
	v.Signoffs, v.FollowUps, v.Cancelled, v.CancelledBy = []*paved.Signoff{}, []*paved.FollowUp{}, false, ""
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, v.Service)
		if err != nil {
			return err
		}
		for i, p := range v.Participants {
			if _, err := launchUserRef(ctx, w.runner, "participants["+strconv.Itoa(i)+"]", p); err != nil {
				return err
			}
		}
		v.CreatedBy, v.CreatedAt = w.actor, w.now
		if err := w.queryRow(ctx, `INSERT INTO walkthroughs (service_id, scheduled_at, participants, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, sid, formatTime(v.ScheduledAt), toJSON(v.Participants),
			v.CreatedBy, formatTime(v.CreatedAt)).Scan(&v.ID); err != nil {
			return err
		}
		fields := map[string]any{"service": v.Service, "scheduled_at": v.ScheduledAt, "participants": v.Participants}
		for _, c := range carried {
			if c == nil {
				continue
			}
			so := *c
			signer, err := carriedUserRef(ctx, w.runner, "signer", so.Signer)
			if err != nil {
				return err
			}
			so.Walkthrough, so.At = v.ID, w.now
			if err := w.queryRow(ctx, `INSERT INTO signoffs (walkthrough_id, signer_id, role, decision, comment, at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, so.Walkthrough, signer, string(so.Role), string(so.Decision),
				so.Comment, formatTime(so.At)).Scan(&so.ID); err != nil {
				return err
			}
			v.Signoffs = append(v.Signoffs, &so)
		}
		for _, c := range carriedFollowUps {
			if c == nil {
				continue
			}
			f := *c
			owner, err := carriedUserRef(ctx, w.runner, "owner", f.Owner)
			if err != nil {
				return err
			}
			f.Walkthrough, f.DoneBy, f.DoneAt = v.ID, "", nil
			if f.CreatedBy == "" {
				f.CreatedBy = w.actor
			}
			f.CreatedAt = w.now
			if err := w.queryRow(ctx, `INSERT INTO follow_ups (walkthrough_id, description, owner_id, due, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, v.ID, f.Description, owner, formatTime(f.Due),
				f.CreatedBy, formatTime(f.CreatedAt)).Scan(&f.ID); err != nil {
				return err
			}
			v.FollowUps = append(v.FollowUps, &f)
		}
		if len(v.Signoffs) > 0 {
			fields["carried_signoffs"] = len(v.Signoffs)
		}
		if len(v.FollowUps) > 0 {
			fields["carried_follow_ups"] = len(v.FollowUps)
		}
		w.audit("walkthrough.schedule", "walkthrough", walkthroughID(v.ID), created(fields))
		if announce == nil {
			return nil
		}
		var team string
		if err := w.queryRow(ctx, "SELECT t.name FROM services s JOIN teams t ON t.id = s.owner_id WHERE s.id = ?", sid).Scan(&team); err != nil {
			return err
		}
		c := v
		c.Participants = slices.Clone(v.Participants)
		return w.notifyIf(announce(&c, team))
	})
	if err != nil {
		return fmt.Errorf("store: schedule walkthrough of %q: %w", wt.Service, err)
	}
	*wt = v
	return nil
}

// CancelWalkthrough marks a walkthrough cancelled; it then takes no more
// sign-offs. The reason is kept in the audit event. check (nil: none) runs on the walkthrough as stored, read
// after its row is locked, so a sign-off racing the cancellation is seen
// by it. Cancelling a cancelled walkthrough writes nothing.
func (db *DB) CancelWalkthrough(ctx context.Context, id int64, reason string, check func(*paved.Walkthrough) error) error {
	if err := checkReclassText("reason", reason, false); err != nil {
		return err
	}
	err := db.write(ctx, func(w *wtx) error {
		if err := lockWalkthrough(ctx, w, id); err != nil {
			return err
		}
		if check != nil {
			wt, err := findWalkthrough(ctx, w.runner, id)
			if err != nil {
				return err
			}
			if err := check(wt); err != nil {
				return err
			}
		}
		res, err := w.exec(ctx, "UPDATE walkthroughs SET cancelled = 1, cancelled_by = ?, cancelled_at = ? WHERE id = ? AND cancelled = 0",
			w.actor, formatTime(w.now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		changes := map[string]paved.Change{"cancelled": change(false, true)}
		if reason != "" {
			changes["reason"] = change(nil, reason)
		}
		w.audit("walkthrough.cancel", "walkthrough", walkthroughID(id), changes)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: cancel walkthrough %d: %w", id, err)
	}
	return nil
}

// AddSignoff records a sign-off and fills its ID and At. check runs on the
// walkthrough as stored, read after its row is locked, so two signers
// racing are decided one after the other; check's error aborts the write
// and is returned as is. A cancelled walkthrough takes no sign-offs.
func (db *DB) AddSignoff(ctx context.Context, s *paved.Signoff, check func(*paved.Walkthrough) error) error {
	if s == nil {
		return paved.Errorf(paved.EINVALID, "no sign-off given")
	}
	if !slices.Contains(paved.SignRoles, s.Role) {
		return paved.FieldErrorf(paved.EINVALID, "role", "unknown sign-off role %q: want peer, architect or security", s.Role)
	}
	switch s.Decision {
	case paved.DecisionApprove, paved.DecisionRequestChanges, paved.DecisionVeto:
	default:
		return paved.FieldErrorf(paved.EINVALID, "decision", "unknown decision %q: want approve, request-changes or veto", s.Decision)
	}
	v := *s
	err := db.write(ctx, func(w *wtx) error {
		if err := lockWalkthrough(ctx, w, v.Walkthrough); err != nil {
			return err
		}
		signer, err := launchUserRef(ctx, w.runner, "signer", v.Signer)
		if err != nil {
			return err
		}
		wt, err := findWalkthrough(ctx, w.runner, v.Walkthrough)
		if err != nil {
			return err
		}
		if wt.Cancelled {
			return paved.Errorf(paved.EUNPROCESSABLE, "walkthrough %d was cancelled and takes no sign-offs: sign the walkthrough scheduled after it", wt.ID)
		}
		if check != nil {
			if err := check(wt); err != nil {
				return err
			}
		}
		v.At = w.now
		if err := w.queryRow(ctx, `INSERT INTO signoffs (walkthrough_id, signer_id, role, decision, comment, at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, v.Walkthrough, signer, string(v.Role), string(v.Decision),
			v.Comment, formatTime(v.At)).Scan(&v.ID); err != nil {
			return err
		}
		w.audit("walkthrough.signoff", "walkthrough", walkthroughID(v.Walkthrough), created(map[string]any{
			"service": wt.Service, "signoff": v.ID, "signer": v.Signer, "role": v.Role, "decision": v.Decision, "comment": v.Comment,
		}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sign walkthrough %d: %w", s.Walkthrough, err)
	}
	*s = v
	return nil
}

// AddFollowUp adds an agreed action to a walkthrough and fills its ID,
// CreatedBy, CreatedAt; Due keeps only its date (midnight UTC).
func (db *DB) AddFollowUp(ctx context.Context, f *paved.FollowUp) error {
	if f == nil {
		return paved.Errorf(paved.EINVALID, "no follow-up given")
	}
	if strings.TrimSpace(f.Description) == "" {
		return paved.FieldErrorf(paved.EINVALID, "description", "the follow-up has no description: say what is to be done")
	}
	if f.Owner == "" {
		return paved.FieldErrorf(paved.EINVALID, "owner", "the follow-up has no owner: name the user who will do it")
	}
	if f.Due.IsZero() {
		return paved.FieldErrorf(paved.EINVALID, "due", "the follow-up has no due date: give one as YYYY-MM-DD")
	}
	v := *f
	d := f.Due.UTC()
	v.Due = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	v.DoneBy, v.DoneAt = "", nil
	err := db.write(ctx, func(w *wtx) error {
		if err := lockWalkthrough(ctx, w, v.Walkthrough); err != nil {
			return err
		}
		owner, err := launchUserRef(ctx, w.runner, "owner", v.Owner)
		if err != nil {
			return err
		}
		v.CreatedBy, v.CreatedAt = w.actor, w.now
		if err := w.queryRow(ctx, `INSERT INTO follow_ups (walkthrough_id, description, owner_id, due, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, v.Walkthrough, v.Description, owner, formatTime(v.Due),
			v.CreatedBy, formatTime(v.CreatedAt)).Scan(&v.ID); err != nil {
			return err
		}
		w.audit("walkthrough.followup", "walkthrough", walkthroughID(v.Walkthrough), created(map[string]any{
			"follow_up": v.ID, "description": v.Description, "owner": v.Owner, "due": v.Due.Format(time.DateOnly),
		}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add follow-up to walkthrough %d: %w", f.Walkthrough, err)
	}
	*f = v
	return nil
}

// CompleteFollowUp marks a walkthrough's follow-up done by the context's
// actor. Completing a done follow-up writes nothing and returns it.
func (db *DB) CompleteFollowUp(ctx context.Context, walkthrough, id int64) (*paved.FollowUp, error) {
	var out *paved.FollowUp
	err := db.write(ctx, func(w *wtx) error {
		if err := lockWalkthrough(ctx, w, walkthrough); err != nil {
			return err
		}
		f, err := scanFollowUp(w.queryRow(ctx, "SELECT "+followUpCols+` FROM follow_ups f JOIN users u ON u.id = f.owner_id
			WHERE f.id = ? AND f.walkthrough_id = ?`, id, walkthrough))
		if errNoRows(err) {
			return paved.Errorf(paved.ENOTFOUND, "walkthrough %d has no follow-up %d", walkthrough, id)
		} else if err != nil {
			return err
		}
		if f.DoneAt != nil {
			out = f
			return nil
		}
		now := w.now
		v := *f
		v.DoneBy, v.DoneAt = w.actor, &now
		if _, err := w.exec(ctx, "UPDATE follow_ups SET done_by = ?, done_at = ? WHERE id = ?", v.DoneBy, formatTime(now), id); err != nil {
			return err
		}
		changes := paved.Diff(f, &v)
		changes["follow_up"] = change(nil, id)
		w.audit("walkthrough.followup-done", "walkthrough", walkthroughID(walkthrough), changes)
		out = &v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: complete follow-up %d of walkthrough %d: %w", id, walkthrough, err)
	}
	return out, nil
}
