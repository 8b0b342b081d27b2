package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

const auditCols = `seq, event_time, actor, action, object_type, object_id, changes, prev_hash, hash`

// scanAuditEvent reads one row. A row whose time or changes cannot be read
// (someone edited it by hand) still comes back, with the unreadable part
// empty: its hash then no longer matches, and paved.VerifyChain names the
// event, which is more useful than failing the whole read.
func scanAuditEvent(rows *sql.Rows) (*paved.AuditEvent, error) {
	var e paved.AuditEvent
	var at, changes string
	if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &changes, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	if t, err := parseTime(at); err == nil {
		e.Time = t
	}
	if changes != "" && changes != "{}" {
		var m map[string]paved.Change
		if err := json.Unmarshal([]byte(changes), &m); err == nil {
			e.Changes = m
		} else {
			e.Changes = map[string]paved.Change{"(unreadable)": {To: json.RawMessage(mustJSON(changes))}}
		}
	}
	return &e, nil
}

func mustJSON(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// FindAuditEvents returns events newest first.
func (db *DB) FindAuditEvents(ctx context.Context, f paved.AuditFilter) ([]*paved.AuditEvent, int, error) {
	var where []string
	var args []any
	if f.ObjectType != "" {
		where, args = append(where, "object_type = ?"), append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		where, args = append(where, "object_id = ?"), append(args, f.ObjectID)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM audit_events"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count audit events: %w", err)
	}
	p := f.Page.Normalize()
	if total == 0 || p.Offset >= total {
		return []*paved.AuditEvent{}, total, nil
	}
	rows, err := r.query(ctx, "SELECT "+auditCols+" FROM audit_events"+cond+" ORDER BY seq DESC LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find audit events: %w", err)
	}
	defer rows.Close()
	out := make([]*paved.AuditEvent, 0, min(p.Limit, total))
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: find audit events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find audit events: %w", err)
	}
	return out, total, nil
}

// AllAuditEvents streams every event in seq order to fn; an error from fn
// stops the stream and is returned as is.
func (db *DB) AllAuditEvents(ctx context.Context, fn func(*paved.AuditEvent) error) error {
	rows, err := db.reader().query(ctx, "SELECT "+auditCols+" FROM audit_events ORDER BY seq")
	if err != nil {
		return fmt.Errorf("store: read audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			return fmt.Errorf("store: read audit log: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: read audit log: %w", err)
	}
	return nil
}

// AuditHead returns the newest event's seq. It is a primary-key lookup, so
// it is cheap enough to run on every cached read.
func (db *DB) AuditHead(ctx context.Context) (int64, error) {
	var seq int64
	if err := db.reader().queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit_events").Scan(&seq); err != nil {
		return 0, fmt.Errorf("store: audit head: %w", err)
	}
	return seq, nil
}

// KnownAuditHead is the highest head this process wrote (or was told was
// verified intact, NoteAuditHead). It lives in memory: a restart forgets
// it, which is what the signed anchors outside the database are for
// (paved audit anchor, paved serve --audit-anchor-every).
func (db *DB) KnownAuditHead() paved.AuditHead {
	db.hmu.Lock()
	defer db.hmu.Unlock()
	return db.known
}

// NoteAuditHead raises the known head to h when h is further along.
func (db *DB) NoteAuditHead(h paved.AuditHead) {
	db.hmu.Lock()
	defer db.hmu.Unlock()
	if h.Seq > db.known.Seq {
		db.known = h
	}
}
