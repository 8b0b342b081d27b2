package store

import (
	"context"
	"fmt"
	"time"

	paved "github.com/paved-dev/paved"
)

// wtx is one write transaction. Its methods record audit events; write
// appends them to the chain just before commit, so the change and its
// record commit together or not at all.
type wtx struct {
	runner
	now    time.Time
	actor  string
	events []*paved.AuditEvent
}

// audit records an event to append when the transaction commits.
func (w *wtx) audit(action, objectType, objectID string, changes map[string]paved.Change) {
	w.events = append(w.events, &paved.AuditEvent{
		Actor:      w.actor,
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
		Changes:    changes,
	})
}

// write runs fn in one transaction and appends its audit events. An error
// from fn (or a panic) rolls everything back.
func (db *DB) write(ctx context.Context, fn func(w *wtx) error) (err error) {
	if db.engine == EngineSQLite {
		db.wmu.Lock()
		defer db.wmu.Unlock()
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	w := &wtx{
		runner: runner{db: db, tx: tx},
		now:    db.now().UTC(),
		actor:  paved.ActorFrom(ctx).Name,
	}
	if err := fn(w); err != nil {
		return err
	}
	if err := w.appendAudit(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	if n := len(w.events); n > 0 {
		last := w.events[n-1]
		db.NoteAuditHead(paved.AuditHead{Seq: last.Seq, Hash: last.Hash})
	}
	return nil
}

// appendAudit chains the recorded events onto the log. The head is read
// under a lock so that concurrent writers cannot both extend the same head:
// on PostgreSQL a transaction-scoped advisory lock (taken last, after the
// transaction's row locks, so it cannot deadlock with them and is held only
// for the few inserts here); on SQLite the transaction already holds the
// database's single write lock. The unique seq is the backstop either way.
func (w *wtx) appendAudit(ctx context.Context) error {
	if len(w.events) == 0 {
		return nil
	}
	if w.db.engine == EnginePostgres {
		if _, err := w.exec(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockKey); err != nil {
			return fmt.Errorf("audit: take lock: %w", err)
		}
	}
	seq, prev := int64(0), paved.GenesisHash
	err := w.queryRow(ctx, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").Scan(&seq, &prev)
	if err != nil && !errNoRows(err) {
		return fmt.Errorf("audit: read head: %w", err)
	}
	// When the log ends before the head this process wrote or verified,
	// its tail was deleted behind paved's back. Continuing from the log's
	// end would reuse the deleted sequence numbers, and after a restart
	// nothing would show that events were ever there; continuing from the
	// known head keeps the gap in the chain, where every verification
	// names it. (Refusing writes instead would let whoever can delete
	// rows stop paved.)
	if k := w.db.KnownAuditHead(); k.Seq > seq || (k.Seq == seq && k.Seq > 0 && k.Hash != prev) {
		seq, prev = k.Seq, k.Hash
	}
	// The time is taken after the lock, so that times never go backwards
	// along the chain.
	at := w.db.now().UTC()
	const insert = `INSERT INTO audit_events (seq, event_time, actor, action, object_type, object_id, changes, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	exec := func(args ...any) error { _, err := w.exec(ctx, insert, args...); return err }
	if len(w.events) > 1 {
		st, err := w.prepare(ctx, insert)
		if err != nil {
			return fmt.Errorf("audit: prepare: %w", err)
		}
		defer st.Close()
		exec = func(args ...any) error { _, err := st.ExecContext(ctx, args...); return err }
	}
	for _, e := range w.events {
		seq++
		e.Seq, e.Time, e.PrevHash = seq, at, prev
		e.Hash = e.ComputeHash()
		if err := exec(e.Seq, formatTime(e.Time), e.Actor, e.Action, e.ObjectType, e.ObjectID,
			string(e.ChangesJSON()), e.PrevHash, e.Hash); err != nil {
			return fmt.Errorf("audit: append %s %s: %w", e.Action, e.ObjectID, err)
		}
		prev = e.Hash
	}
	return nil
}

// createDiff is the audit record of a creation: every field set, leaving out
// the empty lists and maps that the store normalises nil to, which say
// nothing.
func createDiff(v any) map[string]paved.Change {
	d := paved.Diff(nil, v)
	for k, c := range d {
		switch string(c.To) {
		case "[]", "{}", "null", `""`:
			delete(d, k)
		}
	}
	return d
}
