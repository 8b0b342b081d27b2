package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

// gauge reads one gauge from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestAuditWatch: the background verification reports an intact chain,
// then the altered event after someone edits the database behind paved's
// back, on /metrics and in the log.
func TestAuditWatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paved.db")
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"payments", "search", "identity"} {
		if err := db.CreateTeam(ctx, &paved.Team{Name: name, Kind: paved.KindProduct}); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	reg, w, err := newAuditWatchRegistry(db, slog.New(slog.NewJSONHandler(&logs, nil)), 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if got := gauge(t, reg, "paved_audit_chain_last_verified_timestamp_seconds"); got != 0 {
		t.Errorf("verified before any run: %v", got)
	}
	p, err := w.verifyOnce(ctx)
	if err != nil || len(p) != 0 {
		t.Fatalf("intact chain: %v %v", p, err)
	}
	if got := gauge(t, reg, "paved_audit_chain_problems"); got != 0 {
		t.Errorf("problems = %v", got)
	}
	if got := gauge(t, reg, "paved_audit_chain_events"); got != 3 {
		t.Errorf("events = %v, want 3", got)
	}
	if got := gauge(t, reg, "paved_audit_chain_last_verified_timestamp_seconds"); got < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last verified = %v", got)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// The periodic loop picks it up.
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); w.run(rctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for gauge(t, reg, "paved_audit_chain_problems") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the periodic verification did not report the altered event")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(logs.String(), `"msg":"audit chain verification failed: run paved audit verify for every problem"`) ||
		!strings.Contains(logs.String(), "event 2: content does not match its hash (altered)") ||
		!strings.Contains(logs.String(), `"head_seq":3`) {
		t.Errorf("log:\n%s", logs.String())
	}
}

// TestAuditWatchRewrite: a chain rewritten whole (every hash recomputed)
// verifies on its own, but the watch remembers the head it saw and
// reports the rewrite.
func TestAuditWatchRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paved.db")
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"payments", "search"} {
		if err := db.CreateTeam(ctx, &paved.Team{Name: name, Kind: paved.KindProduct}); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	reg, w, err := newAuditWatchRegistry(db, slog.New(slog.NewJSONHandler(&logs, nil)), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := w.verifyOnce(ctx); err != nil || len(p) != 0 {
		t.Fatalf("intact: %v %v", p, err)
	}
	// Rewrite event 1 and recompute every hash after it, as someone with
	// write access to the database could.
	var events []*paved.AuditEvent
	if err := db.AllAuditEvents(ctx, func(e *paved.AuditEvent) error { events = append(events, e); return nil }); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	prev := paved.GenesisHash
	for _, e := range events {
		if e.Seq == 1 {
			e.Actor = "mallory"
		}
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		if _, err := raw.Exec(`UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.Actor, e.PrevHash, e.Hash, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	if p := paved.VerifyChain(events); len(p) != 0 {
		t.Fatalf("the rewritten chain does not verify on its own: %v", p)
	}
	p, err := w.verifyOnce(ctx)
	if err != nil || len(p) != 1 || !strings.Contains(p[0].Problem, "the log was rewritten") {
		t.Fatalf("rewrite: %v %v", p, err)
	}
	if got := gauge(t, reg, "paved_audit_chain_problems"); got != 1 {
		t.Errorf("problems = %v", got)
	}
}
