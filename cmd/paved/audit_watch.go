package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
)

// auditWatch verifies the audit hash chain in the background, every
// period, on every replica (each streams the log once a period: seconds
// for a million events), and exports the result on /metrics so that an
// alert fires when an event is altered, inserted or deleted behind paved's
// back, or when verification stops running:
//
//	paved_audit_chain_problems                        problems found by the last run (0: intact)
//	paved_audit_chain_events                          events the last run checked
//	paved_audit_chain_last_verified_timestamp_seconds when the last run finished
//
// Each run also logs the head of the chain (its last sequence number and
// hash), an anchor outside the database: a chain rewritten whole by
// someone with write access to the database (every hash recomputed) still
// verifies, but no longer holds the heads logged before. Within one
// process the watch checks that itself: the log must still hold the head
// the store knows (the furthest this process wrote or verified) with the
// hash it had (paved.VerifyAuditLog, which the API and the portal use too,
// so all three agree).
//
// `paved audit verify` is the same check on demand (docs/operations.md).
type auditWatch struct {
	store   paved.AuditStore
	log     *slog.Logger
	every   time.Duration
	now     func() time.Time
	timeout time.Duration

	problems, events, last prometheus.Gauge
}

func newAuditWatch(st paved.AuditStore, reg *prometheus.Registry, log *slog.Logger, every time.Duration) (*auditWatch, error) {
	w := &auditWatch{store: st, log: log, every: every, now: time.Now, timeout: 10 * time.Minute,
		problems: prometheus.NewGauge(prometheus.GaugeOpts{Name: "paved_audit_chain_problems",
			Help: "Problems (altered, inserted or deleted events) the last audit chain verification of this replica found; 0: the chain is intact."}),
		events: prometheus.NewGauge(prometheus.GaugeOpts{Name: "paved_audit_chain_events",
			Help: "Audit events the last verification of this replica checked."}),
		last: prometheus.NewGauge(prometheus.GaugeOpts{Name: "paved_audit_chain_last_verified_timestamp_seconds",
			Help: "Unix time at which this replica's last audit chain verification finished (0: none yet)."}),
	}
	for _, c := range []prometheus.Collector{w.problems, w.events, w.last} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("audit watch: registering metrics: %w", err)
		}
	}
	return w, nil
}

// verifyOnce streams the whole log through the chain check and records
// the result; it returns the problems found.
func (w *auditWatch) verifyOnce(ctx context.Context) ([]paved.ChainProblem, error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	start := time.Now()
	v, _, err := paved.VerifyAuditLog(ctx, w.store)
	if err != nil {
		w.log.Error("audit chain verification could not read the log", "error", err.Error())
		return nil, err
	}
	p := v.Problems()
	head := v.Head()
	headSeq, headHash := head.Seq, head.Hash
	w.problems.Set(float64(len(p)))
	w.events.Set(float64(v.Events()))
	w.last.Set(float64(w.now().Unix()))
	attrs := []any{"events", v.Events(), "problems", len(p), "head_seq", headSeq, "head_hash", headHash,
		"duration_ms", time.Since(start).Milliseconds()}
	if len(p) > 0 {
		first := fmt.Sprintf("event %d: %s", p[0].Seq, p[0].Problem)
		w.log.Error("audit chain verification failed: run paved audit verify for every problem", append(attrs, "first", first)...)
	} else {
		w.log.Info("audit chain verified", attrs...)
	}
	return p, nil
}

// run verifies a few minutes after the start (spread across replicas),
// then every period, until ctx ends. A period of 0 turns it off.
func (w *auditWatch) run(ctx context.Context) {
	if w.every <= 0 {
		return
	}
	first := time.Minute + time.Duration(rand.Int64N(int64(2*time.Minute)))
	t := time.NewTimer(min(first, w.every))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, _ = w.verifyOnce(ctx)
		t.Reset(w.every)
	}
}

// newAuditWatchRegistry makes the registry of /metrics with the audit
// watch's gauges on it, for paved serve.
func newAuditWatchRegistry(st paved.AuditStore, log *slog.Logger, every time.Duration) (*prometheus.Registry, *auditWatch, error) {
	reg := prometheus.NewRegistry()
	w, err := newAuditWatch(st, reg, log, every)
	return reg, w, err
}
