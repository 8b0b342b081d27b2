package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	paved "github.com/paved-dev/paved"
)

// Facts (paved.FactStore): the current value of each fact, the history of
// its changes, the collectors' health and the catalog files they found.

// maxObservationsPerWrite bounds one RecordFacts call; the facts service
// writes a collector's run in batches well under it.
const maxObservationsPerWrite = 1000

// recordedObservation is an observation checked and put into stored form.
type recordedObservation struct {
	*paved.FactObservation
	values map[string]string // key -> canonical JSON
	keys   []string          // sorted
}

// RecordFacts applies observations in one transaction (see paved.FactStore).
func (db *DB) RecordFacts(ctx context.Context, obs []*paved.FactObservation) ([]*paved.FactEvent, error) {
	if len(obs) > maxObservationsPerWrite {
		return nil, paved.Errorf(paved.ETOOLARGE, "%d observations in one write: at most %d", len(obs), maxObservationsPerWrite)
	}
	checked := make([]*recordedObservation, 0, len(obs))
	for i, o := range obs {
		r, err := checkObservation(fmt.Sprintf("observations[%d]", i), o)
		if err != nil {
			return nil, err
		}
		checked = append(checked, r)
	}
	var events []*paved.FactEvent
	err := db.write(ctx, func(w *wtx) error {
		events = events[:0]
		for _, o := range checked {
			evs, err := w.recordObservation(ctx, o)
			if err != nil {
				return err
			}
			events = append(events, evs...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: record facts: %w", err)
	}
	return events, nil
}

func checkObservation(field string, o *paved.FactObservation) (*recordedObservation, error) {
	if o == nil {
		return nil, paved.FieldErrorf(paved.EINVALID, field, "no observation given")
	}
	if err := paved.ValidateName(field+".service", o.Service); err != nil {
		return nil, err
	}
	if err := paved.ValidateName(field+".source", o.Source); err != nil {
		return nil, err
	}
	if o.ObservedAt.IsZero() || !o.ExpiresAt.After(o.ObservedAt) {
		return nil, paved.FieldErrorf(paved.EINVALID, field+".expires_at", "a fact expires after it was observed: observed %s, expires %s",
			o.ObservedAt.UTC().Format(time.RFC3339), o.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if len(o.Facts) > paved.MaxFactsPerObserved {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, field+".facts", "%d facts in one observation: at most %d", len(o.Facts), paved.MaxFactsPerObserved)
	}
	if len(o.Version) > 100 || !utf8.ValidString(o.Version) {
		return nil, paved.FieldErrorf(paved.EINVALID, field+".version", "the version is at most 100 characters of text")
	}
	r := &recordedObservation{FactObservation: o, values: make(map[string]string, len(o.Facts))}
	for k, v := range o.Facts {
		if err := paved.ValidateFactKey(field+".facts."+k, k); err != nil {
			return nil, err
		}
		nv, err := paved.ValidateFactValue(field+".facts."+k, v)
		if err != nil {
			return nil, err
		}
		r.values[k] = paved.FactValueJSON(nv)
		r.keys = append(r.keys, k)
	}
	sort.Strings(r.keys)
	return r, nil
}

type storedFact struct {
	value      string
	observedAt time.Time
}

// recordObservation writes one observation and returns its events.
func (w *wtx) recordObservation(ctx context.Context, o *recordedObservation) ([]*paved.FactEvent, error) {
	sid, err := lockService(ctx, w, o.Service)
	if err != nil {
		return nil, err
	}
	cur := map[string]storedFact{}
	err = eachRow(ctx, w.runner, "SELECT fact_key, fact_value, observed_at FROM facts WHERE service_id = ? AND source = ?"+w.forUpdate("facts"),
		[]any{sid, o.Source}, func(rows *sql.Rows) error {
			var k string
			var f storedFact
			if err := rows.Scan(&k, &f.value, scanTime(&f.observedAt)); err != nil {
				return err
			}
			cur[k] = f
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read facts of %s from %s: %w", o.Service, o.Source, err)
	}
	at := o.ObservedAt.UTC()
	observed, expires := formatTime(at), formatTime(o.ExpiresAt)
	var events []*paved.FactEvent
	changes := map[string]paved.Change{}
	event := func(key string, kind paved.FactEventKind, value, previous string) {
		e := &paved.FactEvent{Service: o.Service, Source: o.Source, Key: key, Kind: kind, At: at, Actor: w.actor, Version: o.Version}
		e.Value, e.Previous = decodeFactValue(value), decodeFactValue(previous)
		events = append(events, e)
		c := paved.Change{}
		if previous != "" {
			c.From = []byte(previous)
		}
		if value != "" {
			c.To = []byte(value)
		}
		changes[key] = c
	}
	for _, k := range o.keys {
		v := o.values[k]
		old, ok := cur[k]
		switch {
		case !ok:
			if _, err := w.exec(ctx, `INSERT INTO facts (service_id, source, fact_key, fact_value, version, actor, observed_at, changed_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sid, o.Source, k, v, o.Version, w.actor, observed, observed, expires); err != nil {
				return nil, fmt.Errorf("insert fact %s: %w", k, err)
			}
			event(k, paved.FactObserved, v, "")
		case old.observedAt.After(at):
			// An observation older than the one stored (a slow push
			// racing a newer one) does not roll the fact back.
		case old.value != v:
			if _, err := w.exec(ctx, `UPDATE facts SET fact_value = ?, version = ?, actor = ?, observed_at = ?, changed_at = ?, expires_at = ?
				WHERE service_id = ? AND fact_key = ? AND source = ?`, v, o.Version, w.actor, observed, observed, expires, sid, k, o.Source); err != nil {
				return nil, fmt.Errorf("update fact %s: %w", k, err)
			}
			event(k, paved.FactChanged, v, old.value)
		default:
			if _, err := w.exec(ctx, `UPDATE facts SET version = ?, actor = ?, observed_at = ?, expires_at = ?
				WHERE service_id = ? AND fact_key = ? AND source = ?`, o.Version, w.actor, observed, expires, sid, k, o.Source); err != nil {
				return nil, fmt.Errorf("refresh fact %s: %w", k, err)
			}
		}
	}
	if o.Complete {
		gone := make([]string, 0)
		for k, old := range cur {
			if _, ok := o.values[k]; !ok && !old.observedAt.After(at) {
				gone = append(gone, k)
			}
		}
		sort.Strings(gone)
		for _, k := range gone {
			if _, err := w.exec(ctx, "DELETE FROM facts WHERE service_id = ? AND fact_key = ? AND source = ?", sid, k, o.Source); err != nil {
				return nil, fmt.Errorf("remove fact %s: %w", k, err)
			}
			event(k, paved.FactRemoved, "", cur[k].value)
		}
	}
	for _, e := range events {
		if err := w.queryRow(ctx, `INSERT INTO fact_events (service_id, source, fact_key, kind, fact_value, previous, at, actor, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, sid, e.Source, e.Key, string(e.Kind),
			nullJSON(e.Value), nullJSON(e.Previous), formatTime(e.At), e.Actor, e.Version).Scan(&e.ID); err != nil {
			return nil, fmt.Errorf("record fact event %s: %w", e.Key, err)
		}
	}
	// A push is audited even when it changed nothing (who vouched for what,
	// and when); a collector's refresh of unchanged values is not, or the
	// chain would grow by every service on every run.
	if len(changes) > 0 || o.Source == paved.FactSourcePush {
		changes["source"] = paved.Change{To: auditJSON(o.Source)}
		if o.Source == paved.FactSourcePush && len(changes) == 1 {
			changes["refreshed"] = paved.Change{To: auditJSON(o.keys)}
		}
		w.audit("fact.record", "service", o.Service, changes)
	}
	return events, nil
}

func nullJSON(v any) any {
	if v == nil {
		return nil
	}
	return paved.FactValueJSON(v)
}

func decodeFactValue(s string) any {
	if s == "" {
		return nil
	}
	var v any
	if err := scanJSON(&v).Scan(s); err != nil {
		return s
	}
	return v
}

const factCols = "s.name, f.source, f.fact_key, f.fact_value, f.version, f.actor, f.observed_at, f.changed_at, f.expires_at"

// FindFacts returns the current facts f selects (see paved.FactStore).
func (db *DB) FindFacts(ctx context.Context, f paved.FactFilter) ([]*paved.Fact, error) {
	out := []*paved.Fact{}
	err := db.snapshot(ctx, func(r runner) error {
		var where []string
		var args []any
		if f.Service != "" {
			sid, err := serviceID(ctx, r, f.Service)
			if err != nil {
				return err
			}
			where, args = append(where, "f.service_id = ?"), append(args, sid)
		}
		if f.Source != "" {
			where, args = append(where, "f.source = ?"), append(args, f.Source)
		}
		if p := strings.TrimSuffix(f.KeyPrefix, "."); p != "" {
			// Byte order: "." sorts just before "/", so [p., p/) is every
			// key below p.
			where, args = append(where, "(f.fact_key = ? OR (f.fact_key >= ? AND f.fact_key < ?))"), append(args, p, p+".", p+"/")
		}
		q := "SELECT " + factCols + " FROM facts f JOIN services s ON s.id = f.service_id"
		if len(where) > 0 {
			q += " WHERE " + strings.Join(where, " AND ")
		}
		q += " ORDER BY s.name, f.fact_key, f.source"
		return eachRow(ctx, r, q, args, func(rows *sql.Rows) error {
			var x paved.Fact
			var value string
			if err := rows.Scan(&x.Service, &x.Source, &x.Key, &value, &x.Version, &x.Actor,
				scanTime(&x.ObservedAt), scanTime(&x.ChangedAt), scanTime(&x.ExpiresAt)); err != nil {
				return err
			}
			x.Value = decodeFactValue(value)
			out = append(out, &x)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: find facts: %w", err)
	}
	return out, nil
}

// FactHistory returns a service's fact events, newest first.
func (db *DB) FactHistory(ctx context.Context, f paved.FactHistoryFilter) ([]*paved.FactEvent, int, error) {
	var out []*paved.FactEvent
	var total int
	err := db.snapshot(ctx, func(r runner) error {
		sid, err := serviceID(ctx, r, f.Service)
		if err != nil {
			return err
		}
		where, args := "e.service_id = ?", []any{sid}
		if f.Source != "" {
			where, args = where+" AND e.source = ?", append(args, f.Source)
		}
		if f.Key != "" {
			where, args = where+" AND e.fact_key = ?", append(args, f.Key)
		}
		if err := r.queryRow(ctx, "SELECT COUNT(*) FROM fact_events e WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		p := f.Page.Normalize()
		out = make([]*paved.FactEvent, 0, min(p.Limit, total))
		if total == 0 || p.Offset >= total {
			return nil
		}
		return eachRow(ctx, r, `SELECT e.id, e.source, e.fact_key, e.kind, e.fact_value, e.previous, e.at, e.actor, e.version
			FROM fact_events e WHERE `+where+" ORDER BY e.id DESC LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset), func(rows *sql.Rows) error {
			e := &paved.FactEvent{Service: f.Service}
			var kind string
			var value, previous sql.NullString
			if err := rows.Scan(&e.ID, &e.Source, &e.Key, &kind, &value, &previous, scanTime(&e.At), &e.Actor, &e.Version); err != nil {
				return err
			}
			e.Kind = paved.FactEventKind(kind)
			e.Value, e.Previous = decodeFactValue(value.String), decodeFactValue(previous.String)
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: fact history of %q: %w", f.Service, err)
	}
	return out, total, nil
}

// RecordCollectorRun stores the outcome of a collector's run: the latest
// run replaces the previous one, a success moves last_success_at and a
// failure counts up consecutive_failures. Not audited: it records the
// collector's health, not a change of anything paved decides on.
func (db *DB) RecordCollectorRun(ctx context.Context, r *paved.CollectorRun) error {
	if r == nil {
		return paved.Errorf(paved.EINVALID, "no collector run given")
	}
	if err := paved.ValidateName("collector", r.Collector); err != nil {
		return err
	}
	if len(r.Error) > 2000 {
		r.Error = r.Error[:2000]
	}
	var success any
	fails := "0"
	if r.Error == "" {
		success = formatTime(r.FinishedAt)
	} else {
		fails = "collector_runs.consecutive_failures + 1"
	}
	err := db.write(ctx, func(w *wtx) error {
		_, err := w.exec(ctx, `INSERT INTO collector_runs (collector, kind, started_at, finished_at, services, failed, facts, changes, error, last_success_at, consecutive_failures)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (collector) DO UPDATE SET kind = excluded.kind, started_at = excluded.started_at, finished_at = excluded.finished_at,
				services = excluded.services, failed = excluded.failed, facts = excluded.facts, changes = excluded.changes, error = excluded.error,
				last_success_at = COALESCE(excluded.last_success_at, collector_runs.last_success_at),
				consecutive_failures = `+fails,
			r.Collector, r.Kind, formatTime(r.StartedAt), formatTime(r.FinishedAt), r.Services, r.Failed, r.Facts, r.Changes, r.Error,
			success, boolInt(r.Error != ""))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record run of collector %q: %w", r.Collector, err)
	}
	return nil
}

// FindCollectorRuns returns every collector's latest run, by name.
func (db *DB) FindCollectorRuns(ctx context.Context) ([]*paved.CollectorRun, error) {
	out := []*paved.CollectorRun{}
	err := eachRow(ctx, db.reader(), `SELECT collector, kind, started_at, finished_at, services, failed, facts, changes, error, last_success_at, consecutive_failures
		FROM collector_runs ORDER BY collector`, nil, func(rows *sql.Rows) error {
		var r paved.CollectorRun
		if err := rows.Scan(&r.Collector, &r.Kind, scanTime(&r.StartedAt), scanTime(&r.FinishedAt), &r.Services, &r.Failed, &r.Facts,
			&r.Changes, &r.Error, scanTimePtr(&r.LastSuccessAt), &r.ConsecutiveFailures); err != nil {
			return err
		}
		out = append(out, &r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: find collector runs: %w", err)
	}
	return out, nil
}

// maxDiscoveries bounds one collector's catalog files.
const maxDiscoveries = 10000

// ReplaceDiscoveries replaces the catalog files a collector found, in one
// transaction, audited as one event with the counts.
func (db *DB) ReplaceDiscoveries(ctx context.Context, collector string, ds []*paved.CatalogDiscovery) error {
	if err := paved.ValidateName("collector", collector); err != nil {
		return err
	}
	if len(ds) > maxDiscoveries {
		return paved.Errorf(paved.ETOOLARGE, "%d catalog files: at most %d per collector", len(ds), maxDiscoveries)
	}
	for i, d := range ds {
		if d == nil || d.Repository == "" || d.Path == "" || d.URL == "" {
			return paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("discoveries[%d]", i), "a discovery names its repository, path and URL")
		}
		if len(d.Content) > paved.MaxDiscoveryBytes {
			return paved.FieldErrorf(paved.ETOOLARGE, fmt.Sprintf("discoveries[%d].content", i), "%s is %d bytes: at most %d", d.Path, len(d.Content), paved.MaxDiscoveryBytes)
		}
	}
	err := db.write(ctx, func(w *wtx) error {
		var before int
		if err := w.queryRow(ctx, "SELECT COUNT(*) FROM catalog_discoveries WHERE collector = ?", collector).Scan(&before); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM catalog_discoveries WHERE collector = ?", collector); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, d := range ds {
			id := d.Repository + "\x00" + d.Path
			if seen[id] {
				continue
			}
			seen[id] = true
			found := d.FoundAt
			if found.IsZero() {
				found = w.now
			}
			if _, err := w.exec(ctx, `INSERT INTO catalog_discoveries (collector, repository, path, url, sha, content, found_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, collector, d.Repository, d.Path, d.URL, d.SHA, strings.ToValidUTF8(d.Content, "\uFFFD"), formatTime(found)); err != nil {
				return fmt.Errorf("discovery %s %s: %w", d.Repository, d.Path, err)
			}
		}
		if before != len(seen) {
			w.audit("catalog.discover", "collector", collector, map[string]paved.Change{"files": change(before, len(seen))})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: replace discoveries of %q: %w", collector, err)
	}
	return nil
}

// FindDiscoveries returns the catalog files found ("" for every collector's).
func (db *DB) FindDiscoveries(ctx context.Context, collector string) ([]*paved.CatalogDiscovery, error) {
	q, args := "SELECT collector, repository, path, url, sha, content, found_at FROM catalog_discoveries", []any{}
	if collector != "" {
		q, args = q+" WHERE collector = ?", append(args, collector)
	}
	out := []*paved.CatalogDiscovery{}
	err := eachRow(ctx, db.reader(), q+" ORDER BY collector, repository, path", args, func(rows *sql.Rows) error {
		var d paved.CatalogDiscovery
		if err := rows.Scan(&d.Collector, &d.Repository, &d.Path, &d.URL, &d.SHA, &d.Content, scanTime(&d.FoundAt)); err != nil {
			return err
		}
		out = append(out, &d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: find discoveries: %w", err)
	}
	return out, nil
}
