package store

// The path to production (paved.LaunchStore): this file assembles launches
// and moves services between phases; launch_templates.go, launch_answers.go,
// launch_walkthroughs.go and checks.go hold the rest.
//
// Locking on PostgreSQL: every launch write keyed by a service first takes
// the service row FOR NO KEY UPDATE (lockService), and every walkthrough
// write its walkthrough row, before anything else. Writers of one launch
// therefore run one after the other, so a gate or a sign-off check that
// reads the launch inside its transaction decides on what is committed
// and cannot be overtaken. NO KEY UPDATE rather than UPDATE: it does not
// block the key-share locks that foreign-key checks of other writers take
// on the same row. SQLite needs none of this: its writers are serialised
// for the whole transaction.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	paved "github.com/paved-dev/paved"
)

// FindLaunch loads a service's whole launch in one consistent snapshot.
func (db *DB) FindLaunch(ctx context.Context, service string) (*paved.Launch, error) {
	var out *paved.Launch
	err := db.snapshot(ctx, func(r runner) error {
		s, err := findService(ctx, r, service, false)
		if err != nil {
			return err
		}
		out, err = loadLaunch(ctx, r, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find launch %q: %w", service, err)
	}
	return out, nil
}

// loadLaunch assembles the launch of s, a service already read by r.
func loadLaunch(ctx context.Context, r runner, s *paved.Service) (*paved.Launch, error) {
	l := newLaunch(s)
	if err := loadLaunchParts(ctx, r, map[int64]*paved.Launch{s.ID: l}, "?", []any{s.ID}); err != nil {
		return nil, err
	}
	return l, nil
}

func newLaunch(s *paved.Service) *paved.Launch {
	l := &paved.Launch{
		Service:      s,
		Versions:     make(map[paved.TemplateKind]int, len(paved.TemplateKinds)),
		Answers:      map[string]*paved.Answer{},
		Assessments:  []*paved.Assessment{},
		Walkthroughs: []*paved.Walkthrough{},
		Phases:       []*paved.PhaseChange{},
	}
	for _, k := range paved.TemplateKinds {
		l.Versions[k] = 0
	}
	return l
}

// defaultLaunchPhases are the phases FindLaunches selects when the filter
// names none: the launches still in flight.
var defaultLaunchPhases = []paved.Phase{paved.PhasePlayground, paved.PhaseGreenLight}

// FindLaunches loads the launches f selects, in service name order: the
// services of f.Team (all teams when empty) in f.Phases (playground and
// green-light when empty). Grandfathered services are never launches and
// are left out. The whole set takes a fixed number of queries, however
// many services it holds.
func (db *DB) FindLaunches(ctx context.Context, f paved.LaunchFilter) ([]*paved.Launch, error) {
	phases := f.Phases
	if len(phases) == 0 {
		phases = defaultLaunchPhases
	}
	phaseArgs := make([]any, 0, len(phases))
	for i, p := range phases {
		if !p.Valid() {
			return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("phases[%d]", i),
				"unknown phase %q: want one of playground, green-light, production, retired", p)
		}
		if !slices.Contains(phaseArgs, any(string(p))) {
			phaseArgs = append(phaseArgs, string(p))
		}
	}
	cond := "s.phase IN (" + placeholders(len(phaseArgs)) + ")"
	if !f.IncludeGrandfathered {
		cond = "s.grandfathered = 0 AND " + cond
	}
	args := phaseArgs
	var out []*paved.Launch
	err := db.snapshot(ctx, func(r runner) error {
		if f.Team != "" {
			var teamID int64
			err := r.queryRow(ctx, "SELECT id FROM teams WHERE name = ?", f.Team).Scan(&teamID)
			if errNoRows(err) {
				return paved.FieldErrorf(paved.ENOTFOUND, "team", "team %q does not exist", f.Team)
			} else if err != nil {
				return err
			}
			cond += " AND s.owner_id = ?"
			args = append(args, teamID)
		}
		out = []*paved.Launch{}
		byID := map[int64]*paved.Launch{}
		err := eachRow(ctx, r, "SELECT "+serviceCols+serviceFrom+" WHERE "+cond+" ORDER BY s.name", args, func(rows *sql.Rows) error {
			s, err := scanService(rows)
			if err != nil {
				return err
			}
			l := newLaunch(s)
			out = append(out, l)
			byID[s.ID] = l
			return nil
		})
		if err != nil || len(out) == 0 {
			return err
		}
		return loadLaunchParts(ctx, r, byID, "SELECT s.id FROM services s WHERE "+cond, args)
	})
	if err != nil {
		return nil, fmt.Errorf("store: find launches: %w", err)
	}
	return out, nil
}

// loadLaunchParts fills the launches of byID. ids is SQL that yields their
// service ids inside IN (...), with its arguments: "?" for one service, or
// the selecting subquery for many; every part is then one query for the
// whole set.
func loadLaunchParts(ctx context.Context, r runner, byID map[int64]*paved.Launch, ids string, args []any) error {
	in := " IN (" + ids + ")"
	get := func(id int64) (*paved.Launch, error) {
		l := byID[id]
		if l == nil {
			// The service set cannot change inside the snapshot or the
			// write transaction; this would be a bug in the queries.
			return nil, fmt.Errorf("row for service %d outside the selected launches", id)
		}
		return l, nil
	}

	err := eachRow(ctx, r, "SELECT service_id, kind, version FROM launch_pins WHERE service_id"+in, args, func(rows *sql.Rows) error {
		var id int64
		var kind string
		var v int
		if err := rows.Scan(&id, &kind, &v); err != nil {
			return err
		}
		l, err := get(id)
		if err == nil {
			l.Versions[paved.TemplateKind(kind)] = v
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("pins: %w", err)
	}

	err = eachRow(ctx, r, "SELECT l.service_id, u.name FROM launches l JOIN users u ON u.id = l.contact_id WHERE l.service_id"+in, args, func(rows *sql.Rows) error {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		l, err := get(id)
		if err == nil {
			l.Contact = name
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("contact: %w", err)
	}

	err = eachRow(ctx, r, "SELECT "+answerCols+", a.service_id FROM answers a WHERE a.service_id"+in, args, func(rows *sql.Rows) error {
		var id int64
		a, err := scanAnswer(rows, &id)
		if err != nil {
			return err
		}
		l, err := get(id)
		if err == nil {
			a.Service = l.Service.Name
			l.Answers[a.Item] = a
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("answers: %w", err)
	}

	err = eachRow(ctx, r, "SELECT "+assessmentCols+", a.service_id FROM assessments a WHERE a.service_id"+in+
		" ORDER BY a.recorded_at DESC, a.id DESC", args, func(rows *sql.Rows) error {
		var id int64
		a, err := scanAssessment(rows, &id)
		if err != nil {
			return err
		}
		l, err := get(id)
		if err == nil {
			a.Service = l.Service.Name
			l.Assessments = append(l.Assessments, a)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("assessments: %w", err)
	}

	ws, err := loadWalkthroughs(ctx, r, "w.service_id"+in, args)
	if err != nil {
		return err
	}
	for _, w := range ws {
		l, err := get(w.serviceID)
		if err != nil {
			return err
		}
		l.Walkthroughs = append(l.Walkthroughs, w.Walkthrough)
	}

	err = eachRow(ctx, r, "SELECT service_id, from_phase, to_phase, actor, at, forced, reason FROM phase_changes WHERE service_id"+in+
		" ORDER BY at, id", args, func(rows *sql.Rows) error {
		var id int64
		var pc paved.PhaseChange
		var forced int
		if err := rows.Scan(&id, &pc.From, &pc.To, &pc.Actor, scanTime(&pc.At), &forced, &pc.Reason); err != nil {
			return err
		}
		pc.Forced = forced != 0
		l, err := get(id)
		if err == nil {
			pc.Service = l.Service.Name
			l.Phases = append(l.Phases, &pc)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("phases: %w", err)
	}

	err = eachRow(ctx, r, "SELECT service_id, tier, data_class FROM service_gate_class WHERE service_id"+in, args, func(rows *sql.Rows) error {
		var id int64
		var t int
		var d string
		if err := rows.Scan(&id, &t, &d); err != nil {
			return err
		}
		l, err := get(id)
		if err == nil {
			l.GateClass = paved.Classification{Tier: paved.Tier(t), DataClass: paved.DataClass(d)}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("gate classification: %w", err)
	}

	// The newest check per service: one index probe per service on
	// (service_id, at, id), however many checks each has.
	err = eachRow(ctx, r, "SELECT "+checkCols+", c.service_id FROM checks c WHERE c.id IN (SELECT (SELECT c2.id FROM checks c2"+
		" WHERE c2.service_id = s.id ORDER BY c2.at DESC, c2.id DESC LIMIT 1) FROM services s WHERE s.id"+in+")", args, func(rows *sql.Rows) error {
		var id int64
		c, err := scanCheck(rows, &id)
		if err != nil {
			return err
		}
		l, err := get(id)
		if err == nil {
			c.Service = l.Service.Name
			l.LatestCheck = c
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("latest check: %w", err)
	}

	// The newest check recorded by CI, for the services whose newest check
	// a person recorded: evidence that must come from CI reads it
	// (launch.EvidenceFor). Old checks have recorded_by '' (people's).
	err = eachRow(ctx, r, "SELECT "+checkCols+", c.service_id FROM checks c WHERE c.id IN (SELECT (SELECT c2.id FROM checks c2"+
		" WHERE c2.service_id = s.id AND c2.recorded_by LIKE 'ci:%' ORDER BY c2.at DESC, c2.id DESC LIMIT 1) FROM services s WHERE s.id"+in+")", args, func(rows *sql.Rows) error {
		var id int64
		c, err := scanCheck(rows, &id)
		if err != nil {
			return err
		}
		l, err := get(id)
		if err == nil && (l.LatestCheck == nil || l.LatestCheck.ID != c.ID) {
			c.Service = l.Service.Name
			l.LatestCICheck = c
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("latest CI check: %w", err)
	}
	return nil
}

// SetContact assigns the service's enablement contact; "" removes it.
// Whether the user may be a contact (a member of an enablement team) is the
// launch rules' decision; the store only requires an active user.
func (db *DB) SetContact(ctx context.Context, service, user string) error {
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, service)
		if err != nil {
			return err
		}
		var old string
		err = w.queryRow(ctx, "SELECT COALESCE(u.name, '') FROM launches l LEFT JOIN users u ON u.id = l.contact_id WHERE l.service_id = ?", sid).Scan(&old)
		if err != nil && !errNoRows(err) {
			return err
		}
		if old == user {
			return nil
		}
		var contact any
		if user != "" {
			uid, err := launchUserRef(ctx, w.runner, "contact", user)
			if err != nil {
				return err
			}
			contact = uid
		}
		if _, err := w.exec(ctx, `INSERT INTO launches (service_id, contact_id, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET contact_id = excluded.contact_id, updated_at = excluded.updated_at`,
			sid, contact, formatTime(w.now)); err != nil {
			return err
		}
		w.audit("launch.contact", "service", service, map[string]paved.Change{"contact": change(old, user)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set contact of %q: %w", service, err)
	}
	return nil
}

// ChangePhase moves a service to c.To. The launch is read inside the
// transaction with the service row locked, gate (unless nil) decides on
// it, and the move and its history row commit together. c.From, c.Actor and
// c.At are set from the stored phase, the context's actor and the clock.
func (db *DB) ChangePhase(ctx context.Context, c *paved.PhaseChange, gate func(*paved.Launch) error) error {
	if c == nil {
		return paved.Errorf(paved.EINVALID, "no phase change given")
	}
	if !c.To.Valid() {
		return paved.FieldErrorf(paved.EINVALID, "to", "unknown phase %q: want one of playground, green-light, production, retired", c.To)
	}
	if c.Forced && strings.TrimSpace(c.Reason) == "" {
		return paved.FieldErrorf(paved.EINVALID, "reason", "a forced phase change needs a reason: say why the gate is bypassed")
	}
	v := *c
	err := db.write(ctx, func(w *wtx) error {
		q := "SELECT " + serviceCols + serviceFrom + " WHERE s.name = ?"
		if w.db.engine == EnginePostgres {
			q += " FOR NO KEY UPDATE OF s"
		}
		s, err := scanService(w.queryRow(ctx, q, v.Service))
		if errNoRows(err) {
			return paved.Errorf(paved.ENOTFOUND, "service %q does not exist", v.Service)
		} else if err != nil {
			return err
		}
		v.From = s.Phase
		if v.From == v.To {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "to", "service %q is already in %s", v.Service, v.To)
		}
		if gate != nil {
			l, err := loadLaunch(ctx, w.runner, s)
			if err != nil {
				return err
			}
			if err := gate(l); err != nil {
				return err
			}
		}
		v.Actor, v.At = w.actor, w.now
		if _, err := w.exec(ctx, "UPDATE services SET phase = ?, updated_at = ? WHERE id = ?", string(v.To), formatTime(w.now), s.ID); err != nil {
			return err
		}
		// The gates' classification (service_gate_class) needs no row
		// here: the first write that changes the classification past
		// playground keeps the one it had (keepGateClass).
		if _, err := w.exec(ctx, "INSERT INTO phase_changes (service_id, from_phase, to_phase, actor, at, forced, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
			s.ID, string(v.From), string(v.To), v.Actor, formatTime(v.At), boolInt(v.Forced), v.Reason); err != nil {
			return err
		}
		changes := map[string]paved.Change{"phase": change(v.From, v.To)}
		if v.Forced {
			changes["forced"] = change(nil, true)
		}
		if v.Reason != "" {
			changes["reason"] = change(nil, v.Reason)
		}
		w.audit("service.phase", "service", v.Service, changes)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: change phase of %q: %w", c.Service, err)
	}
	*c = v
	return nil
}

// lockService returns the id of the named service, locking its row on
// PostgreSQL so that the launch writes of one service serialise (see the
// top of this file).
func lockService(ctx context.Context, w *wtx, name string) (int64, error) {
	q := "SELECT id FROM services WHERE name = ?"
	if w.db.engine == EnginePostgres {
		q += " FOR NO KEY UPDATE"
	}
	return serviceIDQuery(ctx, w.runner, q, name)
}

// serviceID returns the id of the named service, for reads.
func serviceID(ctx context.Context, r runner, name string) (int64, error) {
	return serviceIDQuery(ctx, r, "SELECT id FROM services WHERE name = ?", name)
}

func serviceIDQuery(ctx context.Context, r runner, q, name string) (int64, error) {
	var id int64
	err := r.queryRow(ctx, q, name).Scan(&id)
	if errNoRows(err) {
		return 0, paved.Errorf(paved.ENOTFOUND, "service %q does not exist", name)
	}
	return id, err
}

// launchUserRef resolves a user that a launch write names (a contact, a
// participant, a signer, a follow-up owner): it must exist (ENOTFOUND,
// naming field) and be active.
func launchUserRef(ctx context.Context, r runner, field, name string) (int64, error) {
	var id int64
	var retired sql.NullString
	err := r.queryRow(ctx, "SELECT id, retired_at FROM users WHERE name = ?", name).Scan(&id, &retired)
	if errNoRows(err) {
		return 0, paved.FieldErrorf(paved.ENOTFOUND, field, "user %q does not exist: name a user of the catalog (paved user list)", name)
	} else if err != nil {
		return 0, fmt.Errorf("look up user %q: %w", name, err)
	}
	if retired.Valid {
		return 0, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "user %q is retired: name an active user", name)
	}
	return id, nil
}

// carriedUserRef is launchUserRef for what a new walkthrough carries over
// from the one before (an objection, an open follow-up): the person named
// there may have been retired since, and that must not block the next
// walkthrough nor drop the objection. The row keeps the retired signer or
// owner; an active holder of the same role resolves a carried objection
// by signing that role (the newest sign-off of a role counts), and anyone
// who may complete follow-ups completes a retired owner's.
func carriedUserRef(ctx context.Context, r runner, field, name string) (int64, error) {
	var id int64
	err := r.queryRow(ctx, "SELECT id FROM users WHERE name = ?", name).Scan(&id)
	if errNoRows(err) {
		return 0, paved.FieldErrorf(paved.ENOTFOUND, field, "user %q does not exist: name a user of the catalog (paved user list)", name)
	} else if err != nil {
		return 0, fmt.Errorf("look up user %q: %w", name, err)
	}
	return id, nil
}

// eachRow runs q and calls fn for every row.
func eachRow(ctx context.Context, r runner, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// change is an audit Change from old to new; an empty side (nil, "", 0,
// false, [] or {}) is left out, as paved.Diff leaves out a creation's From.
func change(old, new any) paved.Change {
	return paved.Change{From: auditJSON(old), To: auditJSON(new)}
}

// created is the audit record of a creation given as field -> value, empty
// values left out.
func created(fields map[string]any) map[string]paved.Change {
	out := make(map[string]paved.Change, len(fields))
	for k, v := range fields {
		if b := auditJSON(v); b != nil {
			out[k] = paved.Change{To: b}
		}
	}
	return out
}

func auditJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	switch string(b) {
	case "null", `""`, "0", "false", "[]", "{}":
		return nil
	}
	return b
}

// marshalJSON is the stored form of a value for a JSON column; empty is
// empty (the column's "[]" or "{}").
func marshalJSON(v any, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if s := string(b); s != "null" {
		return s, nil
	}
	return empty, nil
}
