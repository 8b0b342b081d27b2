// Package testutil holds the helpers the test suites of several packages
// share: a fresh database per test on either engine, and golden files.
// Only tests import it.
package testutil

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver the PostgreSQL admin connection uses
)

// The engine names, as internal/store spells them (testutil cannot import
// the store: the store's own tests import testutil).
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Engines are both engines, for tests that run once per engine.
var Engines = []string{SQLite, Postgres}

// update is the one -update flag of every test binary that compares
// golden files. Packages with other kinds of generated files keep their
// own, differently named flags (-update-openapi, -update-prices).
var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Updating reports whether the test run rewrites golden files (-update),
// for the few tests that write a golden file by other means.
func Updating() bool { return *update }

var (
	pgOnce  sync.Once
	pgAdmin *sql.DB
	pgErr   error
	dbSeq   atomic.Int64
)

// DSN returns the data source name of a fresh, empty database for engine:
// a SQLite file in the test's temporary directory, or a PostgreSQL
// database created on the server that PAVED_TEST_POSTGRES names
// (scripts/with-postgres.sh starts one) and dropped when the test ends.
// Without PAVED_TEST_POSTGRES a PostgreSQL test is skipped, or fails when
// PAVED_TEST_POSTGRES_REQUIRED=1 (CI).
func DSN(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case SQLite:
		return filepath.Join(t.TempDir(), "paved.db")
	case Postgres:
	default:
		t.Fatalf("testutil.DSN: unknown engine %q", engine)
	}
	base := os.Getenv("PAVED_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("PAVED_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatal("PAVED_TEST_POSTGRES_REQUIRED=1 but PAVED_TEST_POSTGRES is empty: run under scripts/with-postgres.sh")
		}
		t.Skip("PAVED_TEST_POSTGRES is not set: PostgreSQL tests skipped (run under scripts/with-postgres.sh)")
	}
	pgOnce.Do(func() {
		pgAdmin, pgErr = sql.Open("pgx", base)
		if pgErr == nil {
			pgErr = pgAdmin.Ping()
		}
	})
	if pgErr != nil {
		t.Fatalf("connect to PAVED_TEST_POSTGRES: %v", pgErr)
	}
	// The process id keeps the test binaries of several packages, which
	// run at the same time on one server, apart.
	name := fmt.Sprintf("paved_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := pgAdmin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := pgAdmin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PAVED_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Golden compares got with the file at path, or writes got to it (and its
// folder) under -update. A difference fails the test and shows both.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (check the difference, then run go test -update to accept it): %s", path, Diff(want, got))
	}
}

// shortText is how long a text may be for Diff to show it whole.
const shortText = 4 << 10

// Diff describes how got differs from want: the first line that differs
// and, when both are short, both texts whole.
func Diff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	first := ""
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) || (i >= len(wl)) != (i >= len(gl)) {
			first = fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, w, g)
			break
		}
	}
	if len(want) > shortText || len(got) > shortText {
		return first
	}
	return fmt.Sprintf("%s\n--- got\n%s\n--- want\n%s", first, got, want)
}

// GoldenJSON is Golden for v as indented JSON with a final newline.
func GoldenJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Golden(t, path, append(b, '\n'))
}
