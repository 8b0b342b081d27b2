package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Backup and restore of a SQLite database (PostgreSQL has its own tools:
// docs/operations.md).
//
// Backup uses VACUUM INTO: SQLite copies the database as one read
// transaction sees it, so the copy is consistent while paved keeps serving
// (in WAL mode readers and the writer do not block each other), and it is
// compacted. Restore checks a backup before it replaces anything: SQLite's
// integrity check, a schema this paved knows, and an intact audit chain.

// Backup writes a consistent copy of the database to path, which must not
// exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.engine != EngineSQLite {
		return paved.Errorf(paved.EINVALID, "paved backup copies a SQLite database; back up PostgreSQL with pg_dump (see docs/operations.md)")
	}
	if _, err := os.Stat(path); err == nil {
		return paved.FieldErrorf(paved.EINVALID, path, "already exists: a backup is never written over a file")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return paved.FieldErrorf(paved.EINVALID, path, "%v", paved.UnwrapPathError(err))
	}
	if strings.ContainsRune(path, 0) {
		return paved.FieldErrorf(paved.EINVALID, "backup", "path contains a NUL byte")
	}
	// The path is a bound parameter, so no quoting is involved.
	if _, err := db.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return syncFile(path)
}

// BackupReport is what Verify found in a database file.
type BackupReport struct {
	SchemaVersion int   `json:"schema_version"`
	AuditEvents   int64 `json:"audit_events"`
	Services      int64 `json:"services"`
	Teams         int64 `json:"teams"`
	Users         int64 `json:"users"`
}

// VerifyFile checks the SQLite database file at path without changing it:
// PRAGMA integrity_check, a schema version this paved knows (not newer),
// and the audit hash chain from the first event to the last.
func VerifyFile(ctx context.Context, path string) (*BackupReport, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "%v", paved.UnwrapPathError(err))
	}
	db, err := openReadOnly(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var ok string
	if err := db.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "not a readable SQLite database: %v", err)
	}
	if ok != "ok" {
		return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, path, "SQLite integrity check failed: %s", ok)
	}
	rep := &BackupReport{}
	if rep.SchemaVersion, err = db.SchemaVersion(ctx); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "not a paved database: %v", err)
	}
	ms, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	if rep.SchemaVersion == 0 {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "not a paved database (no schema)")
	}
	if rep.SchemaVersion > len(ms) {
		return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, path, "schema version %d is newer than this paved knows (%d): restore it with a newer paved", rep.SchemaVersion, len(ms))
	}
	var v paved.ChainVerifier
	if err := db.AllAuditEvents(ctx, func(e *paved.AuditEvent) error {
		v.Add(e)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: reading the audit log of %s: %w", path, err)
	}
	if p := v.Problems(); len(p) > 0 {
		return nil, paved.FieldErrorf(paved.EUNPROCESSABLE, path, "the audit chain is broken at event %d: %s", p[0].Seq, p[0].Problem)
	}
	rep.AuditEvents = int64(v.Events())
	for _, c := range []struct {
		table string
		n     *int64
	}{{"services", &rep.Services}, {"teams", &rep.Teams}, {"users", &rep.Users}} {
		if err := db.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.table).Scan(c.n); err != nil {
			return nil, fmt.Errorf("store: counting %s in %s: %w", c.table, path, err)
		}
	}
	return rep, nil
}

// Restore replaces the SQLite database at target with the backup at
// source, after VerifyFile accepts the backup. paved must not be running
// on target: a -wal file beside it means a process has it open (or did not
// close it cleanly), and Restore refuses unless force. The new file is
// written beside the target and renamed over it, so an interrupted restore
// leaves the old database in place.
func Restore(ctx context.Context, source, target string, force bool) (*BackupReport, error) {
	if isPostgresDSN(target) {
		return nil, paved.Errorf(paved.EINVALID, "paved restore writes a SQLite database; restore PostgreSQL with pg_restore (see docs/operations.md)")
	}
	rep, err := VerifyFile(ctx, source)
	if err != nil {
		return nil, err
	}
	if !force {
		if _, err := os.Stat(target + "-wal"); err == nil {
			return nil, paved.FieldErrorf(paved.ECONFLICT, target, "%s-wal exists: paved may be running on this database; stop it (or, if it crashed, pass --force)", target)
		}
	}
	tmp := target + ".restore-tmp"
	if err := copyFile(source, tmp); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	// Stale WAL and shared-memory files belong to the old database: left
	// beside the new one, SQLite would replay them into it.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			os.Remove(tmp)
			return nil, fmt.Errorf("store: restore: %w", err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("store: restore: %w", err)
	}
	if d, err := os.Open(filepath.Dir(target)); err == nil {
		d.Sync() // make the rename durable
		d.Close()
	}
	return rep, nil
}

// openReadOnly opens a SQLite file without migrating or changing it.
func openReadOnly(ctx context.Context, path string) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, paved.FieldErrorf(paved.EINVALID, path, "SQLite path contains ? or #: rename the file")
	}
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, paved.FieldErrorf(paved.EINVALID, path, "cannot open as SQLite: %v", err)
	}
	return &DB{db: sdb, engine: EngineSQLite, now: time.Now, stmts: map[string]*sql.Stmt{}}, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}
