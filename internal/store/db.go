// Package store persists paved's catalog, credentials and audit log in SQL.
// One package with portable SQL serves two engines: SQLite (the default, a
// pure-Go driver, one file) and PostgreSQL (pgx, for several replicas behind a
// load balancer). Queries are written once with ? placeholders; rebind turns
// them into $n for PostgreSQL. The same conformance suite tests both engines:
//
//	go test ./internal/store/                                  # SQLite only
//	scripts/with-postgres.sh go test ./internal/store/         # SQLite and PostgreSQL
//
// Every write is one transaction that also appends its audit events to the
// hash chain (tx.go); reads run on the pool through cached prepared
// statements, or in a read-only snapshot when they take several queries.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	paved "github.com/paved-dev/paved"
)

// Engine names returned by (*DB).Engine.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// DB is paved's store. It implements paved.Store and is safe for concurrent use.
type DB struct {
	db     *sql.DB
	engine string
	now    func() time.Time

	// wmu serialises this process's writers on SQLite. BEGIN IMMEDIATE alone
	// would serialise them too, but a writer that finds the lock taken
	// sleeps in SQLite's busy handler in steps of up to 100 ms; a Go mutex
	// hands the lock over at once. Other processes still meet BEGIN
	// IMMEDIATE and the busy timeout. Unused on PostgreSQL.
	wmu sync.Mutex

	// stmts caches prepared statements for the read paths, keyed by the
	// query as written. The set is bounded: every cached query is built by
	// this package from a fixed set of fragments (filters only add
	// conditions, values are always arguments), never from input.
	smu   sync.RWMutex
	stmts map[string]*sql.Stmt

	// known is the highest audit head this process wrote or saw verified
	// (KnownAuditHead).
	hmu   sync.Mutex
	known paved.AuditHead
}

var _ paved.Store = (*DB)(nil)

// Option configures Open.
type Option func(*options)

type options struct {
	now      func() time.Time
	maxConns int
}

// WithNow sets the clock (tests use a fixed or stepping one). Times are
// stored in UTC whatever the clock's location.
func WithNow(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithMaxOpenConns caps the connection pool. The default suits a small
// server: 2 per CPU with at least 4 on SQLite (readers run in parallel under
// WAL), 20 on PostgreSQL.
func WithMaxOpenConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxConns = n
		}
	}
}

// Open connects to dsn and brings the schema up to date. A dsn starting with
// postgres:// or postgresql:// is a PostgreSQL connection string; anything
// else is the path of a SQLite file, created if missing.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "database", "database is empty: want a file path or a postgres:// URL")
	}
	db := &DB{now: o.now, stmts: map[string]*sql.Stmt{}}
	var driver, source string
	if isPostgresDSN(dsn) {
		db.engine, driver, source = EnginePostgres, "pgx", dsn
		if o.maxConns == 0 {
			o.maxConns = 20
		}
	} else {
		var err error
		if source, err = sqliteDSN(dsn); err != nil {
			return nil, err
		}
		db.engine, driver = EngineSQLite, "sqlite"
		if o.maxConns == 0 {
			o.maxConns = max(4, 2*runtime.NumCPU())
		}
	}
	sdb, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", db.engine, err)
	}
	// Idle connections equal to open ones: the default of 2 idle would make
	// a busy server close and reopen connections (and rerun the SQLite
	// pragmas) on every burst.
	sdb.SetMaxOpenConns(o.maxConns)
	sdb.SetMaxIdleConns(o.maxConns)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	db.db = sdb
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", db.engine, err)
	}
	if err := db.Migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

func isPostgresDSN(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// sqliteDSN turns a file path into the driver's DSN with the settings paved
// relies on: WAL (readers never block the writer), foreign keys enforced, a
// busy timeout for writers from other processes, synchronous=NORMAL (safe
// under WAL, and an fsync per commit less), and BEGIN IMMEDIATE for every
// transaction, so a writer takes the write lock up front instead of failing
// with SQLITE_BUSY when it upgrades a read lock.
func sqliteDSN(path string) (string, error) {
	if strings.ContainsAny(path, "?#") {
		return "", paved.FieldErrorf(paved.EINVALID, "database", "SQLite path %q contains ? or #: rename the file", path)
	}
	return path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)", nil
}

// Engine returns EngineSQLite or EnginePostgres.
func (db *DB) Engine() string { return db.engine }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", db.engine, err)
	}
	return nil
}

// Close closes the cached statements and the pool.
func (db *DB) Close() error {
	db.smu.Lock()
	for q, s := range db.stmts {
		s.Close()
		delete(db.stmts, q)
	}
	db.smu.Unlock()
	return db.db.Close()
}

// rebind rewrites the ? placeholders of q into PostgreSQL's $1, $2 ... and
// leaves q alone for SQLite. Question marks inside single-quoted literals,
// double-quoted identifiers and comments are not placeholders.
func rebind(engine, q string) string {
	if engine != EnginePostgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			// Copy the quoted run; a doubled quote is an escaped quote and
			// simply closes and reopens the run.
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+1])
			i += j
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// stmt returns a cached prepared statement for q (written with ?).
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	db.smu.RLock()
	s := db.stmts[q]
	db.smu.RUnlock()
	if s != nil {
		return s, nil
	}
	s, err := db.db.PrepareContext(ctx, rebind(db.engine, q))
	if err != nil {
		return nil, err
	}
	db.smu.Lock()
	defer db.smu.Unlock()
	if old := db.stmts[q]; old != nil {
		s.Close()
		return old, nil
	}
	db.stmts[q] = s
	return s, nil
}

// runner runs queries written with ? either on the pool (reads, through the
// statement cache) or inside a write transaction.
type runner struct {
	db *DB
	tx *sql.Tx
}

func (db *DB) reader() runner { return runner{db: db} }

func (r runner) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if r.tx != nil {
		return r.tx.QueryContext(ctx, rebind(r.db.engine, q), args...)
	}
	s, err := r.db.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// queryOnce runs q without caching its statement: for queries whose text
// varies with the input (IN lists).
func (r runner) queryOnce(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if r.tx != nil {
		return r.tx.QueryContext(ctx, rebind(r.db.engine, q), args...)
	}
	return r.db.db.QueryContext(ctx, rebind(r.db.engine, q), args...)
}

func (r runner) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if r.tx != nil {
		return r.tx.QueryRowContext(ctx, rebind(r.db.engine, q), args...)
	}
	s, err := r.db.stmt(ctx, q)
	if err != nil {
		// sql.Row cannot carry an error from outside; fall back to an
		// unprepared query, which reports the same error on Scan.
		return r.db.db.QueryRowContext(ctx, rebind(r.db.engine, q), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

func (r runner) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if r.tx != nil {
		return r.tx.ExecContext(ctx, rebind(r.db.engine, q), args...)
	}
	return r.db.db.ExecContext(ctx, rebind(r.db.engine, q), args...)
}

// prepare prepares q inside the transaction, for loops (imports).
func (r runner) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	if r.tx != nil {
		return r.tx.PrepareContext(ctx, rebind(r.db.engine, q))
	}
	return r.db.db.PrepareContext(ctx, rebind(r.db.engine, q))
}

// forUpdate locks the rows a write reads first on PostgreSQL, so two
// concurrent updates of one object cannot lose each other's change. SQLite
// needs nothing: its writers are serialised for the whole transaction.
func (r runner) forUpdate(table string) string {
	if r.db.engine == EnginePostgres {
		return " FOR UPDATE OF " + table
	}
	return ""
}
