package store

// The conformance suite: every test that takes an *env runs once per engine,
// on SQLite in a temporary directory and on PostgreSQL when
// PAVED_TEST_POSTGRES holds the URL of a server where the test may create
// databases (scripts/with-postgres.sh starts one). Each test gets a fresh
// database, dropped afterwards. PAVED_TEST_POSTGRES_REQUIRED=1 turns a
// missing server into a failure instead of a skip, for CI.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// clock is a test clock that moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	db    *DB
	dsn   string
	clock *clock
	ctx   context.Context // carries the actor "tester"
}

var engineNames = []string{EngineSQLite, EnginePostgres}

// forEachEngine runs fn as a subtest per engine, each on a fresh database.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, eng := range engineNames {
		t.Run(eng, func(t *testing.T) {
			dsn := testutil.DSN(t, eng)
			fn(t, openEnv(t, dsn))
		})
	}
}

func openEnv(t *testing.T, dsn string) *env {
	t.Helper()
	c := newClock()
	db, err := Open(context.Background(), dsn, WithNow(c.Now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return &env{db: db, dsn: dsn, clock: c, ctx: paved.WithActor(context.Background(), paved.Actor{Name: "tester"})}
}

// wantErr fails unless err carries code and, when field is not empty, an
// *paved.Error whose Field contains field.
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := paved.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field != "" {
		var pe *paved.Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Field, field) {
			t.Fatalf("error %v: field = %q, want it to name %q", err, fieldOf(err), field)
		}
	}
}

func fieldOf(err error) string {
	var pe *paved.Error
	if errors.As(err, &pe) {
		return pe.Field
	}
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// auditCount returns the number of events in the log.
func auditCount(t *testing.T, e *env) int {
	t.Helper()
	_, n, err := e.db.FindAuditEvents(context.Background(), paved.AuditFilter{})
	must(t, err)
	return n
}

// verifyChain reads the whole log and fails on any chain problem.
func verifyChain(t *testing.T, e *env) []*paved.AuditEvent {
	t.Helper()
	var evs []*paved.AuditEvent
	must(t, e.db.AllAuditEvents(context.Background(), func(ev *paved.AuditEvent) error {
		evs = append(evs, ev)
		return nil
	}))
	if probs := paved.VerifyChain(evs); len(probs) > 0 {
		t.Fatalf("audit chain broken: %+v", probs)
	}
	return evs
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// seed is a small organisation used by several tests:
//
//	platform (developer-productivity)
//	  payments (product) -> checkout (production, tier 1, restricted), ledger (green-light, tier 2)
//	  search (product)   -> finder (playground, tier 3), old-finder (retired)
//	users: ada (admin, platform), bob (developer, payments), cy (viewer, search)
func seed(t *testing.T, e *env) {
	t.Helper()
	ctx := e.ctx
	for _, tm := range []*paved.Team{
		{Name: "platform", Title: "Platform", Kind: paved.KindDeveloperProductivity, Description: "Paves the road"},
		{Name: "payments", Title: "Payments", Kind: paved.KindProduct, Parent: "platform", Tags: []string{"money"}},
		{Name: "search", Title: "Search", Kind: paved.KindProduct, Parent: "platform",
			Links: []paved.Link{{URL: "https://wiki/search", Title: "Wiki"}}, Annotations: map[string]string{"slack": "#search"}},
	} {
		must(t, e.db.CreateTeam(ctx, tm))
	}
	for _, u := range []*paved.User{
		{Name: "ada", DisplayName: "Ada Lovelace", Email: "ada@example.com", Roles: []paved.Role{paved.RoleAdmin}, Teams: []string{"platform"}},
		{Name: "bob", DisplayName: "Bob", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
		{Name: "cy", DisplayName: "Cy", Roles: []paved.Role{paved.RoleViewer}, Teams: []string{"search"}},
	} {
		must(t, e.db.CreateUser(ctx, u))
	}
	for _, s := range []*paved.Service{
		{Name: "checkout", Title: "Checkout", Description: "Takes the money", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhaseProduction},
		{Name: "ledger", Title: "Ledger", Owner: "payments", Tier: 2, DataClass: paved.DataConfidential, Phase: paved.PhaseGreenLight},
		{Name: "finder", Title: "Finder 100%_fast", Owner: "search", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground},
		{Name: "old-finder", Title: "Old finder", Owner: "search", Tier: 4, DataClass: paved.DataPublic, Phase: paved.PhasePlayground},
	} {
		must(t, e.db.CreateService(ctx, s))
	}
	must(t, e.db.RetireService(ctx, "old-finder"))
}

func names[T any](items []T, name func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, name(it))
	}
	return out
}

func teamNames(ts []*paved.Team) []string {
	return names(ts, func(t *paved.Team) string { return t.Name })
}
func userNames(us []*paved.User) []string {
	return names(us, func(u *paved.User) string { return u.Name })
}
func serviceNames(ss []*paved.Service) []string {
	return names(ss, func(s *paved.Service) string { return s.Name })
}
