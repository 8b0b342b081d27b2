package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/store"
)

// TestAuditAnchor: paved audit anchor signs the head; paved audit verify
// --anchor passes while the log reaches it and exits 1 once the tail is
// deleted (which a fresh process, knowing no head, could not tell from
// the chain alone), or when the anchor was altered or is checked against
// another key.
func TestAuditAnchor(t *testing.T) {
	db := filepath.Join(t.TempDir(), "paved.db")
	e := env{"PAVED_DATABASE": db}
	for _, name := range []string{"shop", "search", "identity"} {
		must(t, e, "team", "create", name, "--kind", "product")
	}
	dir := t.TempDir()
	anchor := filepath.Join(dir, "anchor.json")
	must(t, e, "audit", "anchor", "--out", anchor)
	data, err := os.ReadFile(anchor)
	if err != nil {
		t.Fatal(err)
	}
	as, err := paved.ReadAuditAnchors(anchor, bytes.NewReader(data))
	if err != nil || len(as) != 1 || as[0].Seq != 3 || as[0].Format != paved.AuditAnchorFormat {
		t.Fatalf("anchor %s: %v", data, err)
	}
	// (The first anchor generated the signing key: one more event.)
	if out := must(t, e, "audit", "anchor"); !strings.Contains(out, `"seq":4`) || strings.Count(out, "\n") != 1 {
		t.Errorf("anchor on stdout: %q", out)
	}
	key := strings.TrimSpace(must(t, e, "exception", "key"))
	must(t, e, "audit", "verify", "--anchor", anchor)
	must(t, e, "audit", "verify", "--anchor", anchor, "--trust", key)
	must(t, e, "team", "create", "later", "--kind", "product")
	must(t, e, "audit", "verify", "--anchor", anchor) // the log goes past the anchor

	// An altered anchor, or another key.
	forged := filepath.Join(dir, "forged.json")
	if err := os.WriteFile(forged, bytes.Replace(data, []byte(`"seq":3`), []byte(`"seq":2`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	r := expect(t, 1, "audit log verification failed", e, "audit", "verify", "--anchor", forged)
	if !strings.Contains(r.out, "not signed by the key") {
		t.Errorf("forged anchor: %s", r.out)
	}
	expect(t, 1, "audit log verification failed", e, "audit", "verify", "--anchor", anchor, "--trust", "ed25519:"+strings.Repeat("A", 43)+"=")
	expect(t, 2, "--trust goes with --anchor", e, "audit", "verify", "--trust", key)
	expect(t, 2, "not an audit anchor", e, "audit", "verify", "--anchor", filepath.Join("testdata", "..", "audit_anchor_test.go"))

	// Delete the tail: each CLI run is a fresh process that knows no
	// head, so the chain alone verifies; the anchor does not.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM audit_events WHERE seq > 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	must(t, e, "audit", "verify")
	r = expect(t, 1, "audit log verification failed", e, "audit", "verify", "--anchor", anchor)
	if !strings.Contains(r.out, "the log ends at event 2, but the anchor holds event 3") {
		t.Errorf("after deleting the tail: %s", r.out)
	}
	// A log that does not verify is not anchored.
	raw, err = sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	expect(t, 1, "does not verify", e, "audit", "anchor")
}

// TestAuditAnchorer: paved serve --audit-anchor-every appends one signed
// line per period to the anchor file, which paved audit verify --anchor
// reads; the flags go together.
func TestAuditAnchorer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paved.db")
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &exception.Service{Store: db, Organisation: "Acme", Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }}
	file := filepath.Join(t.TempDir(), "anchors.jsonl")
	var logs bytes.Buffer
	a := &auditAnchorer{every: time.Hour, file: file, log: slog.New(slog.NewJSONHandler(&logs, nil)),
		sign: func(ctx context.Context) (*paved.AuditAnchor, error) { return svc.AnchorAuditLog(ctx, db) }}
	if err := a.anchorOnce(ctx); paved.ErrorCode(err) != paved.EUNPROCESSABLE {
		t.Fatalf("anchoring an empty log: %v", err)
	}
	// (The first anchor generates the signing key: an event of its own.)
	for _, name := range []string{"a", "b"} {
		if err := db.CreateTeam(ctx, &paved.Team{Name: name, Kind: paved.KindProduct}); err != nil {
			t.Fatal(err)
		}
		if err := a.anchorOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	as, err := paved.ReadAuditAnchors(file, bytes.NewReader(data))
	if err != nil || len(as) != 2 || as[0].Seq != 1 || as[1].Seq <= as[0].Seq || as[0].Issuer != "Acme" {
		t.Fatalf("anchor file %s: %v", data, err)
	}
	must(t, env{"PAVED_DATABASE": path}, "audit", "verify", "--anchor", file)
	for _, c := range []struct {
		every time.Duration
		file  string
		want  string
	}{
		{time.Hour, "", "needs --audit-anchor-file"},
		{0, file, "needs --audit-anchor-every"},
		{-time.Second, file, "want 0 or a positive duration"},
	} {
		if err := checkAnchorFlags(c.every, c.file); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %q: %v", c.every, c.file, err)
		}
	}
}
