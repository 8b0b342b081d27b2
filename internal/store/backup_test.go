package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// A backup taken while writers keep committing is a consistent snapshot:
// it verifies (integrity, schema, audit chain), every service in it has its
// audit event and the reverse, and restoring it brings exactly that back.
func TestBackupUnderWriteLoadAndRestore(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "paved.db")
	e := openEnv(t, dsn)
	must(t, e.db.CreateTeam(e.ctx, &paved.Team{Name: "alpha", Kind: paved.KindProduct}))

	var stop atomic.Bool
	var written atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				s := &paved.Service{Name: fmt.Sprintf("svc-%d-%d", w, i), Owner: "alpha", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground}
				if err := e.db.CreateService(e.ctx, s); err != nil {
					t.Errorf("writer: %v", err)
					return
				}
				written.Add(1)
			}
		}()
	}
	// Let the writers get going, then back up twice while they write.
	for written.Load() < 50 {
		time.Sleep(time.Millisecond)
	}
	backups := []string{filepath.Join(dir, "b1.db"), filepath.Join(dir, "b2.db")}
	for _, b := range backups {
		must(t, e.db.Backup(context.Background(), b))
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()

	for _, b := range backups {
		rep, err := VerifyFile(context.Background(), b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		// One audit event per team and service created.
		if rep.AuditEvents != rep.Services+rep.Teams || rep.Services == 0 {
			t.Fatalf("%s: %d audit events for %d services and %d teams: not a consistent snapshot", b, rep.AuditEvents, rep.Services, rep.Teams)
		}
		// Every service in the backup has its create event, by name.
		bdb, err := openReadOnly(context.Background(), b)
		must(t, err)
		rows, err := bdb.db.Query("SELECT s.name FROM services s LEFT JOIN audit_events a ON a.object_type = 'service' AND a.object_id = s.name AND a.action = 'service.create' WHERE a.seq IS NULL")
		must(t, err)
		if rows.Next() {
			var n string
			rows.Scan(&n)
			t.Errorf("%s: service %s has no audit event", b, n)
		}
		rows.Close()
		bdb.Close()
	}
	if err := e.db.Backup(context.Background(), backups[0]); err == nil {
		t.Fatal("a backup overwrote an existing file")
	}

	// Restore the first backup over the live file: refused while the -wal
	// file says the database is open, then done once it is closed.
	want, err := VerifyFile(context.Background(), backups[0])
	must(t, err)
	if _, err := Restore(context.Background(), backups[0], dsn, false); err == nil {
		t.Fatal("restore over a database in use was not refused")
	}
	must(t, e.db.Close())
	os.Remove(dsn + "-wal") // what a clean shutdown leaves
	got, err := Restore(context.Background(), backups[0], dsn, false)
	must(t, err)
	if *got != *want {
		t.Fatalf("restored %+v, backup had %+v", got, want)
	}
	after := openEnv(t, dsn)
	_, total, err := after.db.FindServices(after.ctx, paved.ServiceFilter{})
	must(t, err)
	if int64(total) != want.Services {
		t.Fatalf("restored database lists %d services, the backup %d", total, want.Services)
	}

	// A damaged backup is refused before anything is replaced.
	bad := filepath.Join(dir, "bad.db")
	must(t, os.WriteFile(bad, []byte("not a database"), 0o600))
	if _, err := Restore(context.Background(), bad, dsn, true); err == nil {
		t.Fatal("a file that is not a database was restored")
	}
}
