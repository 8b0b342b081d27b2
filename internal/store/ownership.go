package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Admin edits of the ownership map. They are laid over the config file's
// ownership.yaml by internal/ownership, which also checks the concern and
// the team references against the map and the catalog before saving: the
// store keeps what it is given, as written.

const ownershipEditCols = "concern, owner, accountable, consulted, informed, reason, updated_by, updated_at"

func scanOwnershipEdit(r rowScanner) (*paved.OwnershipEdit, error) {
	var e paved.OwnershipEdit
	if err := r.Scan(&e.Concern, &e.Owner, &e.Accountable, scanJSON(&e.Consulted), scanJSON(&e.Informed),
		&e.Reason, &e.UpdatedBy, scanTime(&e.UpdatedAt)); err != nil {
		return nil, err
	}
	e.Consulted, e.Informed = nonNil(e.Consulted), nonNil(e.Informed)
	return &e, nil
}

// FindOwnershipEdits returns every admin edit, by concern id.
func (db *DB) FindOwnershipEdits(ctx context.Context) ([]*paved.OwnershipEdit, error) {
	out := []*paved.OwnershipEdit{}
	err := db.snapshot(ctx, func(r runner) error {
		out = out[:0]
		rows, err := r.query(ctx, "SELECT "+ownershipEditCols+" FROM ownership_edits ORDER BY concern")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanOwnershipEdit(rows)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find ownership edits: %w", err)
	}
	return out, nil
}

// SaveOwnershipEdit stores e, replacing an earlier edit of its concern,
// and records what changed in the audit log (nothing when nothing did).
func (db *DB) SaveOwnershipEdit(ctx context.Context, e *paved.OwnershipEdit) error {
	if e == nil {
		return paved.Errorf(paved.EINVALID, "no ownership edit given")
	}
	v := *e
	v.Concern = strings.TrimSpace(v.Concern)
	if v.Concern == "" {
		return paved.FieldErrorf(paved.EINVALID, "concern", "name the concern to assign")
	}
	v.Consulted, v.Informed = nonNil(slices.Clone(v.Consulted)), nonNil(slices.Clone(v.Informed))
	err := db.write(ctx, func(w *wtx) error {
		old, err := scanOwnershipEdit(w.queryRow(ctx, "SELECT "+ownershipEditCols+" FROM ownership_edits WHERE concern = ?", v.Concern))
		if errNoRows(err) {
			old = nil
		} else if err != nil {
			return err
		}
		v.UpdatedBy, v.UpdatedAt = w.actor, w.now
		if old != nil && old.Owner == v.Owner && old.Accountable == v.Accountable && slices.Equal(old.Consulted, v.Consulted) &&
			slices.Equal(old.Informed, v.Informed) && old.Reason == v.Reason {
			v.UpdatedBy, v.UpdatedAt = old.UpdatedBy, old.UpdatedAt
			return nil
		}
		if _, err := w.exec(ctx, `INSERT INTO ownership_edits (`+ownershipEditCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (concern) DO UPDATE SET owner = excluded.owner, accountable = excluded.accountable,
				consulted = excluded.consulted, informed = excluded.informed, reason = excluded.reason,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			v.Concern, v.Owner, v.Accountable, toJSON(v.Consulted), toJSON(v.Informed), v.Reason, v.UpdatedBy, formatTime(v.UpdatedAt)); err != nil {
			return err
		}
		if old == nil {
			old = &paved.OwnershipEdit{}
		}
		changes := editChanges(old, &v)
		changes["reason"] = change(nil, v.Reason)
		if len(changes["reason"].To) == 0 {
			delete(changes, "reason")
		}
		w.audit("ownership.edit", "concern", v.Concern, changes)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save ownership edit of %q: %w", v.Concern, err)
	}
	*e = v
	return nil
}

// DeleteOwnershipEdit removes the edit of a concern: the config file's
// assignment applies again.
func (db *DB) DeleteOwnershipEdit(ctx context.Context, concern string) error {
	err := db.write(ctx, func(w *wtx) error {
		old, err := scanOwnershipEdit(w.queryRow(ctx, "SELECT "+ownershipEditCols+" FROM ownership_edits WHERE concern = ?", concern))
		if errNoRows(err) {
			return paved.FieldErrorf(paved.ENOTFOUND, "concern", "concern %q has no admin edit: it already follows the config file", concern)
		} else if err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM ownership_edits WHERE concern = ?", concern); err != nil {
			return err
		}
		w.audit("ownership.reset", "concern", concern, editChanges(old, &paved.OwnershipEdit{}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete ownership edit of %q: %w", concern, err)
	}
	return nil
}

// editChanges is the audit record of an assignment changing from old to
// new: the fields that differ.
func editChanges(old, new *paved.OwnershipEdit) map[string]paved.Change {
	changes := map[string]paved.Change{}
	add := func(k string, from, to any) {
		if c := change(from, to); string(c.From) != string(c.To) {
			changes[k] = c
		}
	}
	add("owner", old.Owner, new.Owner)
	add("accountable", old.Accountable, new.Accountable)
	add("consulted", old.Consulted, new.Consulted)
	add("informed", old.Informed, new.Informed)
	return changes
}
