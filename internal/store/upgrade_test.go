package store

// The upgrade test: a database created by every earlier schema version, with
// rows in every one of its tables, is opened by today's paved (store.Open
// migrates it to the latest version) and found intact: every table's rows
// are unchanged column for column, every row reads back through today's
// store API, the audit chain verifies, and new writes work.
//
// Each migration has one fixture here. Its fill runs on a database at
// exactly that schema version (the earlier fixtures' rows already in it) and
// adds rows to the tables the migration created, through the store methods
// that still work on that schema or, where today's method needs a later
// table, through SQL written for that schema. Its check runs after the
// upgrade and reads them back through today's API, then writes. A new
// migration therefore needs one more fixture: TestUpgradeFixtures fails
// until it has one, and TestUpgrade fails while one of its tables is empty.
//
//	go test ./internal/store -run Upgrade
//	bash scripts/with-postgres.sh go test ./internal/store -run Upgrade

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/testutil"
)

// upgradeFixture fills and checks the tables of one migration.
type upgradeFixture struct {
	version int
	fill    func(t *testing.T, u *upgradeEnv)
	check   func(t *testing.T, u *upgradeEnv)
}

// upgradeRewrites names, per migration, the tables whose existing rows the
// migration changes on purpose (a backfill, a new encoding); the raw
// comparison leaves them out when an upgrade crosses that migration, and
// the fixture's check says what became of them. Empty while every
// migration only adds.
var upgradeRewrites = map[int][]string{
	// 0010 rebuilds sessions (token_id may be NULL now); the rows keep
	// every column but their ids, and checkCatalog and checkIdentity
	// authenticate them.
	10: {"sessions"},
}

// upgradeEnv is the database under test: db is a handle on the old schema
// while the fixtures fill it and today's store after the upgrade. The other
// fields carry what the fills wrote to the checks.
type upgradeEnv struct {
	db    *DB
	dsn   string
	clock *clock
	ctx   context.Context // actor "upgrader"

	// 1
	teams    map[string]*paved.Team
	users    map[string]*paved.User
	services map[string]*paved.Service
	token    *paved.Token
	revoked  *paved.Token
	session  *paved.Session
	// 2
	templates   []*paved.Template
	answers     map[string]*paved.Answer
	comment     *paved.Comment
	assessments []*paved.Assessment
	walkthrough *paved.Walkthrough
	phase       *paved.PhaseChange
	check2      *paved.CheckRecord
	// 3
	notes      []*paved.Notification
	deliveries map[paved.DeliveryStatus]int64
	leased     int64
	// 4
	key        []byte
	approved   *paved.Exception
	pending    *paved.Exception
	excComment *paved.ExceptionComment
	// 5
	batch  *paved.CostBatch
	budget *paved.Budget
	alert  *paved.CostAlert
	// 6
	edit      *paved.OwnershipEdit
	resources *paved.CheckResources
	// 7
	campaignDay *paved.CampaignDay
	// 8
	placeholder *paved.Team
	// 9
	facts []*paved.Fact
	// 11
	reclass *paved.Reclassification
	// 12
	scorecards []*paved.ScorecardResult
}

func upActor(name string) context.Context {
	return paved.WithActor(context.Background(), paved.Actor{Name: name})
}

// sameJSON fails unless got and want marshal to the same JSON.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := jsonOf(got), jsonOf(want); g != w {
		t.Errorf("%s after the upgrade:\n got %s\nwant %s", what, g, w)
	}
}

var upgradeFixtures = []upgradeFixture{
	{version: 1, fill: fillCatalog, check: checkCatalog},
	{version: 2, fill: fillLaunch, check: checkLaunch},
	{version: 3, fill: fillOutbox, check: checkOutbox},
	{version: 4, fill: fillExceptions, check: checkExceptions},
	{version: 5, fill: fillCost, check: checkCost},
	{version: 6, fill: fillOwnership, check: checkOwnership},
	{version: 7, fill: fillCampaigns, check: checkCampaigns},
	{version: 8, fill: fillPlaceholders, check: checkPlaceholders},
	{version: 9, fill: fillFacts, check: checkFacts},
	{version: 10, fill: fillIdentity, check: checkIdentity},
	{version: 11, fill: fillReclass, check: checkReclass},
	{version: 12, fill: fillScorecards, check: checkScorecards},
}

// TestUpgradeFixtures keeps a fixture per migration.
func TestUpgradeFixtures(t *testing.T) {
	latest := latestVersion(t)
	for i, f := range upgradeFixtures {
		if f.version != i+1 || f.fill == nil || f.check == nil {
			t.Fatalf("upgradeFixtures[%d] is for version %d (fill %v, check %v): want version %d with both", i, f.version, f.fill != nil, f.check != nil, i+1)
		}
	}
	if len(upgradeFixtures) < latest {
		t.Fatalf("migration %04d has no upgrade fixture: add one to upgradeFixtures (upgrade_test.go) that fills the tables it creates and checks them after an upgrade", len(upgradeFixtures)+1)
	}
	if len(upgradeFixtures) > latest {
		t.Fatalf("%d upgrade fixtures for %d migrations", len(upgradeFixtures), latest)
	}
}

// TestUpgrade creates a database at every schema version from 1 to the
// latest, fills it, opens it with Open and checks it. From the latest
// version Open has nothing to migrate; the run still proves the newest
// fixture works before the next migration needs it.
func TestUpgrade(t *testing.T) {
	ms, err := loadMigrations(migrationFiles, "migrations")
	must(t, err)
	if len(upgradeFixtures) != len(ms) {
		t.Skip("TestUpgradeFixtures fails: a migration has no fixture")
	}
	for _, eng := range engineNames {
		t.Run(eng, func(t *testing.T) {
			for from := 1; from <= len(ms); from++ {
				t.Run(fmt.Sprintf("from-%d", from), func(t *testing.T) { testUpgradeFrom(t, eng, ms, from) })
			}
		})
	}
}

func testUpgradeFrom(t *testing.T, eng string, ms []migration, from int) {
	ctx := context.Background()
	dsn := testutil.DSN(t, eng)
	u := &upgradeEnv{dsn: dsn, clock: newClock(), ctx: upActor("upgrader")}

	// A database at version from, as the paved of that version left it: each
	// migration applied, then its era's rows written.
	driver, source := "sqlite", dsn
	if eng == EnginePostgres {
		driver = "pgx"
	} else {
		var err error
		source, err = sqliteDSN(dsn)
		must(t, err)
	}
	sdb, err := sql.Open(driver, source)
	must(t, err)
	old := &DB{db: sdb, engine: eng, now: u.clock.Now, stmts: map[string]*sql.Stmt{}}
	u.db = old
	for _, m := range ms[:from] {
		conn, err := sdb.Conn(ctx)
		must(t, err)
		must(t, old.applyMigration(ctx, conn, m))
		conn.Close()
		if v, err := old.SchemaVersion(ctx); err != nil || v != m.Version {
			t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, m.Version)
		}
		upgradeFixtures[m.Version-1].fill(t, u)
		u.clock.Advance(time.Hour)
	}
	before := dumpTables(t, old)
	for table, rows := range before {
		if len(rows.rows) == 0 {
			t.Errorf("table %s has no rows at schema version %d: fill it in the fixture of the migration that created it", table, from)
		}
	}
	eventsBefore := 0
	must(t, old.AllAuditEvents(ctx, func(*paved.AuditEvent) error { eventsBefore++; return nil }))
	must(t, old.Close())

	// Today's paved opens it.
	db, err := Open(ctx, dsn, WithNow(u.clock.Now))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	u.db = db
	if v, err := db.SchemaVersion(ctx); err != nil || v != len(ms) {
		t.Fatalf("SchemaVersion after Open = %d, %v; want %d", v, err, len(ms))
	}

	// Every row of every old table is still there, column for column.
	rewritten := map[string]bool{}
	for v := from + 1; v <= len(ms); v++ {
		for _, table := range upgradeRewrites[v] {
			rewritten[table] = true
		}
	}
	after := dumpTables(t, db)
	for table, want := range before {
		if rewritten[table] {
			continue
		}
		if _, ok := after[table]; !ok {
			t.Errorf("table %s is gone after the upgrade", table)
			continue
		}
		rows := selectRows(t, db, table, want.cols)
		if lost, extra := rowDiff(want.rows, rows), rowDiff(rows, want.rows); len(lost)+len(extra) > 0 {
			t.Errorf("table %s (%s) changed in the upgrade:\nrows lost or changed: %s\nrows new or changed: %s",
				table, strings.Join(want.cols, ", "), strings.Join(lost, "; "), strings.Join(extra, "; "))
		}
	}
	evs := verifyChainOf(t, db)
	if len(evs) != eventsBefore {
		t.Fatalf("the audit log has %d events after the upgrade, %d before", len(evs), eventsBefore)
	}

	// Each era's rows read back through today's API; new writes work.
	u.clock.Advance(time.Hour)
	for _, f := range upgradeFixtures[:from] {
		t.Run(fmt.Sprintf("check-%d", f.version), func(t *testing.T) { f.check(t, u) })
	}
	if len(verifyChainOf(t, db)) <= eventsBefore {
		t.Fatal("the checks' writes appended no audit events")
	}
}

func verifyChainOf(t *testing.T, db *DB) []*paved.AuditEvent {
	t.Helper()
	var evs []*paved.AuditEvent
	must(t, db.AllAuditEvents(context.Background(), func(ev *paved.AuditEvent) error {
		evs = append(evs, ev)
		return nil
	}))
	if probs := paved.VerifyChain(evs); len(probs) > 0 {
		t.Fatalf("audit chain broken: %+v", probs)
	}
	return evs
}

// rowDiff returns the rows of a that b lacks (both sorted; repeats count).
func rowDiff(a, b []string) []string {
	var out []string
	j := 0
	for _, r := range a {
		for j < len(b) && b[j] < r {
			j++
		}
		if j < len(b) && b[j] == r {
			j++
			continue
		}
		out = append(out, r)
	}
	return out
}

type tableDump struct {
	cols []string
	rows []string
}

// dumpTables reads every table but schema_migrations: its columns and its
// rows as text, in a stable order.
func dumpTables(t *testing.T, db *DB) map[string]tableDump {
	t.Helper()
	ctx := context.Background()
	var q string
	if db.engine == EnginePostgres {
		q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
			ORDER BY table_name, ordinal_position`
	} else {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
	}
	rows, err := db.db.QueryContext(ctx, q)
	must(t, err)
	cols := map[string][]string{}
	for rows.Next() {
		var table, col string
		must(t, rows.Scan(&table, &col))
		if table != "schema_migrations" {
			cols[table] = append(cols[table], col)
		}
	}
	must(t, rows.Err())
	rows.Close()
	out := map[string]tableDump{}
	for table, cs := range cols {
		out[table] = tableDump{cols: cs, rows: selectRows(t, db, table, cs)}
	}
	return out
}

// selectRows reads cols of every row of table as text, one string a row,
// sorted.
func selectRows(t *testing.T, db *DB, table string, cols []string) []string {
	t.Helper()
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = "CAST(" + c + " AS TEXT)"
	}
	rows, err := db.db.QueryContext(context.Background(), "SELECT "+strings.Join(exprs, ", ")+" FROM "+table)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		must(t, rows.Scan(dest...))
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = "NULL"
			if v.Valid {
				parts[i] = fmt.Sprintf("%q", v.String)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	must(t, rows.Err())
	slices.Sort(out)
	return out
}

// 0001: teams, users and their roles and teams, services, tokens, sessions,
// the audit log.
func fillCatalog(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	u.teams, u.users, u.services = map[string]*paved.Team{}, map[string]*paved.User{}, map[string]*paved.Service{}
	for _, tm := range []*paved.Team{
		{Name: "platform", Title: "Platform", Kind: paved.KindDeveloperProductivity, Description: "Paves the road", Email: "platform@example.com"},
		{Name: "payments", Title: "Payments", Kind: paved.KindProduct, Parent: "platform", Type: "team", Namespace: "fin",
			Tags: []string{"money"}, Links: []paved.Link{{URL: "https://wiki/payments", Title: "Wiki"}}, Annotations: map[string]string{"slack": "#payments"}},
		{Name: "security", Title: "Security", Kind: paved.KindSecurity},
		{Name: "old-team", Kind: paved.KindProduct},
	} {
		must(t, u.db.CreateTeam(ctx, tm))
		u.teams[tm.Name] = tm
	}
	// RetireTeam as the paved of schema 1 to 7 did it: today's reads the
	// teams.placeholder column of 0008.
	must(t, u.db.write(ctx, func(w *wtx) error {
		old := *u.teams["old-team"]
		v := old
		now := w.now
		v.RetiredAt, v.UpdatedAt = &now, now
		if _, err := w.exec(ctx, "UPDATE teams SET retired_at = ?, updated_at = ? WHERE id = ?", formatTime(now), formatTime(now), v.ID); err != nil {
			return err
		}
		w.audit("team.retire", "team", v.Name, paved.Diff(&old, &v))
		return nil
	}))
	for _, us := range []*paved.User{
		{Name: "ada", DisplayName: "Ada L.", Email: "ada@example.com", Roles: []paved.Role{paved.RoleAdmin}, Teams: []string{"platform"}},
		{Name: "bob", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
		{Name: "ana", Roles: []paved.Role{paved.RoleArchitect}, Teams: []string{"platform"}},
		{Name: "rev", Roles: []paved.Role{paved.RoleReviewer, paved.RoleSecurity}, Teams: []string{"platform", "security"}},
		{Name: "gone", Roles: []paved.Role{paved.RoleViewer}},
	} {
		must(t, u.db.CreateUser(ctx, us))
		u.users[us.Name] = us
	}
	oldRetireUser(t, u, "gone")
	for _, s := range []*paved.Service{
		{Name: "checkout", Title: "Checkout", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhaseGreenLight,
			System: "shop", Type: "service", Lifecycle: "production", Tags: []string{"pci"}, Links: []paved.Link{{URL: "https://runbooks/checkout", Title: "runbook"}},
			Annotations: map[string]string{"pagerduty": "P123"}, DependsOn: []string{"component:ledger"}, ProvidesAPIs: []string{"checkout-api"}},
		{Name: "ledger", Owner: "payments", Tier: 2, DataClass: paved.DataConfidential, Phase: paved.PhasePlayground},
		{Name: "legacy", Owner: "platform", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhaseProduction, Grandfathered: true},
	} {
		must(t, u.db.CreateService(ctx, s))
		u.services[s.Name] = s
	}
	must(t, u.db.RetireService(ctx, "legacy"))
	expires := u.clock.Now().Add(90 * 24 * time.Hour)
	u.token = &paved.Token{User: "ada", Name: "laptop", Prefix: "pvd_abcd", Hash: "hash-of-ada-laptop", ExpiresAt: &expires}
	oldCreateToken(t, u, u.token)
	u.revoked = &paved.Token{User: "bob", Name: "ci", Prefix: "pvd_efgh", Hash: "hash-of-bob-ci"}
	oldCreateToken(t, u, u.revoked)
	oldRevokeToken(t, u, u.revoked)
	u.session = &paved.Session{Hash: "hash-of-ada-session", User: "ada", TokenID: u.token.ID, CSRF: "csrf-secret",
		ExpiresAt: u.clock.Now().Add(30 * 24 * time.Hour)}
	oldCreateSession(t, u, u.session)
}

func checkCatalog(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	for name, want := range u.teams {
		got, err := u.db.FindTeam(ctx, name)
		must(t, err)
		got.Members, got.Children, got.Services = nil, nil, 0
		if name == "old-team" {
			if got.RetiredAt == nil {
				t.Errorf("team old-team is no longer retired")
			}
			got.RetiredAt, got.UpdatedAt = nil, want.UpdatedAt
		}
		sameJSON(t, "team "+name, got, want)
	}
	for name, want := range u.users {
		got, err := u.db.FindUser(ctx, name)
		must(t, err)
		if name == "gone" {
			if got.RetiredAt == nil {
				t.Errorf("user gone is no longer retired")
			}
			got.RetiredAt, got.UpdatedAt = nil, want.UpdatedAt
		}
		sameJSON(t, "user "+name, got, want)
	}
	for name, want := range u.services {
		got, err := u.db.FindService(ctx, name)
		must(t, err)
		if name == "legacy" {
			if got.Phase != paved.PhaseRetired {
				t.Errorf("service legacy is %s, want retired", got.Phase)
			}
			got.Phase, got.UpdatedAt = want.Phase, want.UpdatedAt
		}
		if name == "ledger" && got.Phase == paved.PhaseGreenLight { // moved by the 0002 fixture
			got.Phase, got.UpdatedAt = want.Phase, want.UpdatedAt
		}
		sameJSON(t, "service "+name, got, want)
	}
	user, tok, err := u.db.Authenticate(ctx, u.token.Hash)
	must(t, err)
	if user.Name != "ada" || tok.ID != u.token.ID || tok.Name != "laptop" || !tok.ExpiresAt.Equal(*u.token.ExpiresAt) {
		t.Errorf("Authenticate = %s, %s", jsonOf(user), jsonOf(tok))
	}
	if _, _, err := u.db.Authenticate(ctx, u.revoked.Hash); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("the revoked token authenticates: %v", err)
	}
	user, s, err := u.db.AuthenticateSession(ctx, u.session.Hash)
	must(t, err)
	if user.Name != "ada" || s.CSRF != "csrf-secret" || s.TokenID != u.token.ID || !s.ExpiresAt.Equal(u.session.ExpiresAt) {
		t.Errorf("AuthenticateSession = %s, %s", jsonOf(user), jsonOf(s))
	}
	// New writes.
	must(t, u.db.CreateTeam(ctx, &paved.Team{Name: "after-upgrade", Kind: paved.KindProduct, Parent: "platform"}))
	must(t, u.db.CreateService(ctx, &paved.Service{Name: "new-svc", Owner: "after-upgrade", Tier: 3, DataClass: paved.DataPublic, Phase: paved.PhasePlayground}))
	title := "Checkout v2"
	if _, err := u.db.UpdateService(ctx, "checkout", paved.ServiceUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	must(t, u.db.CreateToken(ctx, &paved.Token{User: "bob", Name: "new", Hash: "hash-after-upgrade"}))
}

// 0002: templates, launches and pins, answers and revisions, comments,
// assessments, walkthroughs with sign-offs and follow-ups, phase changes,
// checks.
func upTemplate(k paved.TemplateKind) *paved.Template {
	p := string(k[:1])
	return &paved.Template{Kind: k, Version: 1, Title: "The " + string(k), Description: "Read the *guidance*.", Digest: "digest-" + p, Source: "embedded",
		Areas: []*paved.TemplateArea{{ID: "deployment", Title: "Deployment", Items: []*paved.TemplateItem{
			{ID: p + "-rollback", Title: "How do you roll back?", Guidance: "Why.", Form: paved.FormText, RequiredFor: []paved.Tier{1, 2}},
			{ID: p + "-encryption", Title: "Encrypted at rest?", Guidance: "How.", Form: paved.FormText, RequiredFor: []paved.Tier{1},
				Evidence: &paved.EvidenceRule{Source: "check-rules", Rules: []string{"rds-encryption-at-rest"}}},
		}}}}
}

func fillLaunch(t *testing.T, u *upgradeEnv) {
	ctx, bob := u.ctx, upActor("bob")
	for _, k := range paved.TemplateKinds {
		tpl := upTemplate(k)
		must(t, u.db.SaveTemplate(ctx, tpl))
		u.templates = append(u.templates, tpl)
	}
	must(t, u.db.PinTemplate(ctx, "checkout", paved.KindChecklist, 1))
	must(t, u.db.SetContact(ctx, "checkout", "ana"))
	u.answers = map[string]*paved.Answer{}
	_, err := u.db.SaveAnswer(bob, &paved.Answer{Service: "checkout", Item: "c-rollback", Kind: paved.KindChecklist, TemplateVersion: 1,
		Status: paved.AnswerGiven, Text: "Blue-green"})
	must(t, err)
	u.clock.Advance(time.Minute)
	a, err := u.db.SaveAnswer(bob, &paved.Answer{Service: "checkout", Item: "c-rollback", Kind: paved.KindChecklist, TemplateVersion: 1,
		Status: paved.AnswerGiven, Text: "Blue-green, then the previous image", Links: []string{"https://runbooks/checkout#rollback"}})
	must(t, err)
	u.answers["c-rollback"] = a
	_, err = u.db.SaveAnswer(bob, &paved.Answer{Service: "checkout", Item: "c-encryption", Kind: paved.KindChecklist, TemplateVersion: 1,
		Status: paved.AnswerNA, NAReason: "No data at rest"})
	must(t, err)
	_, err = u.db.ReviewAnswer(upActor("rev"), "checkout", "c-encryption", paved.AnswerReview{AcceptNA: true})
	must(t, err)
	flag := "Which cache?"
	a, err = u.db.ReviewAnswer(upActor("rev"), "checkout", "c-encryption", paved.AnswerReview{Flag: &flag})
	must(t, err)
	u.answers["c-encryption"] = a
	u.comment = &paved.Comment{Service: "checkout", Item: "c-rollback", Body: "How long does it take?"}
	must(t, u.db.AddComment(upActor("ana"), u.comment))
	u.assessments = []*paved.Assessment{
		{Service: "checkout", Kind: paved.AssessSecurity, ThreatModel: "https://docs/tm", VulnScan: "0 critical", RiskRating: paved.RiskLow, PenTest: "https://docs/pt"},
		{Service: "checkout", Kind: paved.AssessLoad, ExpectedPeakRPS: 120, TestedRPS: 300.5, P99Millis: 87.25, Links: []string{"https://grafana/x"}, Notes: "k6"},
	}
	for _, as := range u.assessments {
		u.clock.Advance(time.Minute)
		must(t, u.db.AddAssessment(bob, as))
	}
	// CreateWalkthrough also notifies (a table of 0003): this schema's
	// paved wrote the walkthrough alone.
	wt := &paved.Walkthrough{Service: "checkout", ScheduledAt: u.clock.Now().Add(48 * time.Hour).Truncate(time.Minute),
		Participants: []string{"ana", "rev"}, CreatedBy: "bob", CreatedAt: u.clock.Now()}
	must(t, u.db.write(bob, func(w *wtx) error {
		if err := w.queryRow(ctx, `INSERT INTO walkthroughs (service_id, scheduled_at, participants, created_by, created_at)
			SELECT id, ?, ?, ?, ? FROM services WHERE name = 'checkout' RETURNING id`,
			formatTime(wt.ScheduledAt), toJSON(wt.Participants), wt.CreatedBy, formatTime(wt.CreatedAt)).Scan(&wt.ID); err != nil {
			return err
		}
		w.audit("walkthrough.schedule", "walkthrough", walkthroughID(wt.ID), created(map[string]any{
			"service": wt.Service, "scheduled_at": wt.ScheduledAt, "participants": wt.Participants}))
		return nil
	}))
	u.clock.Advance(time.Minute)
	so := &paved.Signoff{Walkthrough: wt.ID, Signer: "ana", Role: paved.SignArchitect, Decision: paved.DecisionApprove, Comment: "fine"}
	must(t, u.db.AddSignoff(upActor("ana"), so, nil))
	f1 := &paved.FollowUp{Walkthrough: wt.ID, Description: "Add an alert on p99", Owner: "bob", Due: u.clock.Now().Add(14 * 24 * time.Hour)}
	must(t, u.db.AddFollowUp(upActor("ana"), f1))
	f2 := &paved.FollowUp{Walkthrough: wt.ID, Description: "Write the runbook", Owner: "bob", Due: u.clock.Now().Add(7 * 24 * time.Hour)}
	must(t, u.db.AddFollowUp(upActor("ana"), f2))
	done, err := u.db.CompleteFollowUp(bob, wt.ID, f2.ID)
	must(t, err)
	wt.Signoffs, wt.FollowUps = []*paved.Signoff{so}, []*paved.FollowUp{f1, done}
	u.walkthrough = wt
	u.phase = &paved.PhaseChange{Service: "ledger", To: paved.PhaseGreenLight, Forced: true, Reason: "pilot"}
	must(t, u.db.ChangePhase(upActor("ada"), u.phase, nil))
	u.check2 = &paved.CheckRecord{Service: "checkout", Commit: "abc123", Branch: "main", RunURL: "https://ci/1", ConfigVersion: "v1",
		ResourceTypes: map[string]int{"aws_db_instance": 1}, Rules: []string{"aws-db-public"},
		Findings: []paved.Finding{{Rule: "aws-db-public", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main",
			Path: "publicly_accessible", Value: true, Message: "public", Fingerprint: "fp-public"}}}
	oldRecordCheck(t, u, upActor("ci"), u.check2)
}

func checkLaunch(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	for _, want := range u.templates {
		got, err := u.db.FindTemplate(ctx, want.Kind, want.Version)
		must(t, err)
		if !reflect.DeepEqual(got, want) {
			sameJSON(t, "template", got, want)
		}
	}
	l, err := u.db.FindLaunch(ctx, "checkout")
	must(t, err)
	if l.Versions[paved.KindChecklist] != 1 || l.Contact != "ana" {
		t.Errorf("launch pins %v, contact %q", l.Versions, l.Contact)
	}
	for item, want := range u.answers {
		sameJSON(t, "answer "+item, l.Answers[item], want)
	}
	hist, err := u.db.AnswerHistory(ctx, "checkout", "c-rollback")
	must(t, err)
	if len(hist) != 2 || hist[0].Text != "Blue-green" || hist[1].Revision != 2 || hist[1].Author != "bob" {
		t.Errorf("history = %s", jsonOf(hist))
	}
	cs, err := u.db.FindComments(ctx, "checkout", "c-rollback")
	must(t, err)
	sameJSON(t, "comments", cs, []*paved.Comment{u.comment})
	got := map[int64]*paved.Assessment{}
	for _, a := range l.Assessments {
		got[a.ID] = a
	}
	for _, want := range u.assessments {
		sameJSON(t, "assessment", got[want.ID], want)
	}
	var wt *paved.Walkthrough
	for _, w := range l.Walkthroughs {
		if w.ID == u.walkthrough.ID {
			wt = w
		}
	}
	sameJSON(t, "walkthrough", wt, u.walkthrough)
	ledger, err := u.db.FindLaunch(ctx, "ledger")
	must(t, err)
	if len(ledger.Phases) == 0 {
		t.Fatal("ledger lost its phase change")
	}
	sameJSON(t, "phase change", ledger.Phases[0], u.phase)
	c, err := u.db.FindCheck(ctx, u.check2.ID)
	must(t, err)
	sameJSON(t, "check", c, u.check2)
	// New writes.
	if _, err := u.db.SaveAnswer(upActor("bob"), &paved.Answer{Service: "checkout", Item: "c-rollback", Kind: paved.KindChecklist,
		TemplateVersion: 1, Status: paved.AnswerGiven, Text: "after the upgrade"}); err != nil {
		t.Fatal(err)
	}
	must(t, u.db.AddSignoff(upActor("rev"), &paved.Signoff{Walkthrough: u.walkthrough.ID, Signer: "rev", Role: paved.SignSecurity,
		Decision: paved.DecisionApprove}, nil))
	must(t, u.db.CreateWalkthrough(upActor("bob"), &paved.Walkthrough{Service: "ledger", ScheduledAt: u.clock.Now().Add(time.Hour)}, launch.SignoffRequested))
	must(t, u.db.RecordCheck(upActor("ci"), &paved.CheckRecord{Service: "checkout", Commit: "def456"}))
}

// 0003: notifications, deliveries and their attempts, jobs.
func fillOutbox(t *testing.T, u *upgradeEnv) {
	ctx := context.Background()
	for i, kind := range []string{paved.NotifySignoffRequested, paved.NotifyExceptionDecided, paved.NotifyBudgetAlert} {
		n := &paved.Notification{Kind: kind, Subject: fmt.Sprintf("notice %d", i), Service: "checkout", Team: "payments",
			Link: "/services/checkout", Data: map[string]any{"n": float64(i)}}
		if i < 2 {
			must(t, u.db.RecordNotification(u.ctx, n))
		}
		u.notes = append(u.notes, n)
	}
	// Two notifications fanned out to two targets each; the third is
	// recorded after the fan-out and waits for it.
	if n, err := u.db.FanOutNotifications(ctx, 10, func(*paved.Notification) []string { return []string{"hooks", "slack"} }); err != nil || n != 2 {
		t.Fatalf("FanOut = %d, %v", n, err)
	}
	must(t, u.db.RecordNotification(u.ctx, u.notes[2]))
	claims, err := u.db.ClaimDeliveries(ctx, "old-runner", 10, time.Minute)
	must(t, err)
	if len(claims) != 4 {
		t.Fatalf("claimed %d deliveries, want 4", len(claims))
	}
	start := u.clock.Now()
	u.deliveries = map[paved.DeliveryStatus]int64{}
	outcomes := []*paved.DeliveryOutcome{
		{StatusCode: 200, Status: paved.DeliveryDelivered},
		{StatusCode: 410, Error: "410 Gone", Status: paved.DeliveryFailed},
		{StatusCode: 503, Error: "503 Service Unavailable", Status: paved.DeliveryPending, RetryIn: 30 * time.Second},
	}
	for i, o := range outcomes {
		o.ID, o.Attempt, o.Runner, o.StartedAt, o.Duration = claims[i].ID, claims[i].Attempt, "old-runner", start, 15*time.Millisecond
		must(t, u.db.FinishDelivery(ctx, o))
		u.deliveries[o.Status] = o.ID
	}
	u.leased = claims[3].ID // its runner died: the lease runs out
	run, ok, err := u.db.ClaimJob(ctx, "exceptions.expiring", "old-runner", time.Minute)
	must(t, err)
	if !ok {
		t.Fatal("ClaimJob on a new job failed")
	}
	must(t, u.db.FinishJob(ctx, "exceptions.expiring", "old-runner", run, time.Hour, ""))
}

func checkOutbox(t *testing.T, u *upgradeEnv) {
	ctx := context.Background()
	for _, want := range u.notes {
		ns, _, err := u.db.FindNotifications(ctx, paved.NotificationFilter{Kind: want.Kind, Page: paved.Page{Limit: 100}})
		must(t, err)
		var got *paved.Notification
		for _, n := range ns {
			if n.ID == want.ID {
				got = n
			}
		}
		sameJSON(t, "notification", got, want)
	}
	for status, id := range u.deliveries {
		ds, _, err := u.db.FindDeliveries(ctx, paved.DeliveryFilter{Status: status, Page: paved.Page{Limit: 100}})
		must(t, err)
		found := false
		for _, d := range ds {
			if d.ID == id {
				found = true
				if len(d.Log) != 1 || d.Log[0].Runner != "old-runner" || d.Log[0].DurationMS != 15 || d.Attempts != 1 {
					t.Errorf("delivery %d: %s", id, jsonOf(d))
				}
			}
		}
		if !found {
			t.Errorf("delivery %d is no longer %s", id, status)
		}
	}
	// The waiting notification fans out; the retry and the expired lease
	// are claimed again, with the next attempt number.
	if _, err := u.db.FanOutNotifications(ctx, 100, func(*paved.Notification) []string { return []string{"hooks"} }); err != nil {
		t.Fatal(err)
	}
	ds, _, err := u.db.FindDeliveries(ctx, paved.DeliveryFilter{NotificationID: u.notes[2].ID})
	must(t, err)
	if len(ds) != 1 || ds[0].Status != paved.DeliveryPending {
		t.Errorf("deliveries of the waiting notification: %s", jsonOf(ds))
	}
	claims, err := u.db.ClaimDeliveries(ctx, "new-runner", 100, time.Minute)
	must(t, err)
	attempts := map[int64]int{}
	for _, c := range claims {
		attempts[c.ID] = c.Attempt
	}
	if attempts[u.deliveries[paved.DeliveryPending]] != 2 || attempts[u.leased] != 2 || attempts[ds[0].ID] != 1 {
		t.Errorf("claims after the upgrade: %s", jsonOf(claims))
	}
	if _, ok, err := u.db.ClaimJob(ctx, "exceptions.expiring", "new-runner", time.Minute); err != nil || !ok {
		t.Errorf("ClaimJob after the upgrade = %v, %v", ok, err)
	}
}

// 0004: exceptions, their comments, the signing key.
func fillExceptions(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	key, err := u.db.ExceptionKey(ctx)
	must(t, err)
	u.key = key
	c := &paved.CheckRecord{Service: "checkout", Commit: "exc", ResourceTypes: map[string]int{"aws_db_instance": 1},
		Rules: []string{"aws-db-public", "aws-db-max-memory"}, Findings: []paved.Finding{
			{Rule: "aws-db-public", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main", Message: "public", Fingerprint: "fp-public"},
			{Rule: "aws-db-max-memory", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main", Path: "instance_class",
				Value: "db.x2iedn.32xlarge", Message: "1 TiB", Fingerprint: "fp-mem"},
		}}
	oldRecordCheck(t, u, upActor("ci"), c)
	expires := u.clock.Now().Add(30 * 24 * time.Hour)
	u.approved = &paved.Exception{Service: "checkout", Rule: "aws-db-public", Resource: "aws_db_instance.main", Fingerprint: "fp-public",
		Message: "public", Security: true, Check: c.ID, Reason: "A public status page database.", ExpiresAt: expires}
	_, err = u.db.CreateException(upActor("bob"), u.approved, exception.Requested)
	must(t, err)
	u.pending = &paved.Exception{Service: "checkout", Rule: "aws-db-max-memory", Resource: "aws_db_instance.main", Fingerprint: "fp-mem",
		ResourceType: "aws_db_instance", Path: "instance_class", Value: "db.x2iedn.32xlarge", Message: "1 TiB", Check: c.ID,
		Reason: "The risk model loads 800 GiB.", ExpiresAt: expires}
	_, err = u.db.CreateException(upActor("bob"), u.pending, exception.Requested)
	must(t, err)
	u.approved, err = u.db.DecideException(upActor("rev"), u.approved.ID, paved.ExceptionDecision{Approve: true,
		ExpiresAt: u.clock.Now().Add(20 * 24 * time.Hour), Conditions: "Only the status page"}, nil)
	must(t, err)
	u.excComment = &paved.ExceptionComment{Exception: u.pending.ID, Body: "Can it be sharded?"}
	must(t, u.db.AddExceptionComment(upActor("rev"), u.excComment))
	u.pending.Comments = []*paved.ExceptionComment{u.excComment}
}

func checkExceptions(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	key, err := u.db.ExceptionKey(ctx)
	must(t, err)
	if !slices.Equal(key, u.key) {
		t.Error("the signing key changed in the upgrade")
	}
	for _, want := range []*paved.Exception{u.approved, u.pending} {
		got, err := u.db.FindException(ctx, want.ID)
		must(t, err)
		w := *want
		if w.Comments == nil {
			w.Comments = []*paved.ExceptionComment{}
		}
		sameJSON(t, "exception", got, &w)
	}
	if _, err := u.db.DecideException(upActor("rev"), u.pending.ID, paved.ExceptionDecision{Reason: "Shard it first."}, nil); err != nil {
		t.Fatal(err)
	}
	must(t, u.db.AddExceptionComment(upActor("bob"), &paved.ExceptionComment{Exception: u.pending.ID, Body: "Fair."}))
}

// 0005: cost keys, batches, SKUs, lines, daily and hourly roll-ups,
// budgets, alerts.
type upSource struct {
	lines []*paved.CostLine
	i     int
}

func (s *upSource) Next() (*paved.CostLine, error) {
	if s.i >= len(s.lines) {
		return nil, io.EOF
	}
	s.i++
	return s.lines[s.i-1], nil
}

func (s *upSource) CostColumns() map[string]string {
	return map[string]string{"AWS": paved.ColumnEffective}
}

// feb is the billing period of the fixture's cost: the month before the
// test clock's.
var feb = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

func upCostLines(t *testing.T, scale int64) *upSource {
	tagged := &paved.CostKey{Provider: "AWS", BillingAccountID: "111", SubAccountID: "222", SubAccountName: "prod",
		Tags: map[string]string{"service": "checkout"}, Service: "checkout", Team: "payments", Method: paved.AllocCatalog}
	untagged := &paved.CostKey{Provider: "AWS", BillingAccountID: "111", SubAccountID: "222", Team: paved.Unallocated,
		Method: paved.AllocNone, Untagged: true}
	mk := func(k *paved.CostKey, start time.Time, cat, svc, region string, nanos int64) *paved.CostLine {
		return &paved.CostLine{Key: k, BillingPeriodStart: feb, BillingPeriodEnd: feb.AddDate(0, 1, 0), Currency: "USD",
			ChargeStart: start, ChargeEnd: start.Add(time.Hour), Category: cat, ServiceName: svc, ServiceCategory: "Compute",
			Region: region, ResourceID: "i-" + k.Service, Billed: paved.Money(nanos * scale), Effective: paved.Money(nanos * scale), EffectiveSet: true}
	}
	var ls []*paved.CostLine
	for d := range 3 {
		for h := range 2 {
			at := feb.AddDate(0, 0, d).Add(time.Duration(9+h) * time.Hour)
			ls = append(ls, mk(tagged, at, "Usage", "Amazon EC2", "eu-west-1", 1_250_000_000))
			ls = append(ls, mk(untagged, at, "Usage", "Amazon S3", "us-east-1", 100_000_000))
		}
	}
	ls = append(ls, mk(untagged, feb.AddDate(0, 0, 2), "Credit", "Amazon EC2", "", -500_000_000))
	return &upSource{lines: ls}
}

func fillCost(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	res, err := u.db.IngestCost(ctx, upCostLines(t, 1))
	must(t, err)
	if len(res.Batches) != 1 {
		t.Fatalf("ingest: %s", jsonOf(res))
	}
	u.batch = res.Batches[0]
	u.budget = &paved.Budget{Scope: paved.ScopeTeam, Name: "payments", Amount: paved.Money(1000_000_000_000)}
	must(t, u.db.SetBudget(ctx, u.budget))
	saved, err := u.db.SaveCostAlerts(ctx, []*paved.CostAlert{{Rule: paved.RuleBudget, Scope: paved.ScopeTeam, Name: "payments",
		Team: "payments", Period: "2026-02", Threshold: 50, Amount: paved.Money(600_000_000_000), Limit: u.budget.Amount,
		Currency: "USD", Key: "budget|team|payments|2026-02|50", Message: "payments spent 60% of its budget"}}, cost.AlertNotification)
	must(t, err)
	if len(saved) != 1 {
		t.Fatalf("alerts saved: %s", jsonOf(saved))
	}
	u.alert, err = u.db.PlanCostAlert(ctx, saved[0].ID, "load test")
	must(t, err)
}

func checkCost(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	bs, err := u.db.FindCostBatches(ctx)
	must(t, err)
	if len(bs) != 1 {
		t.Fatalf("batches = %s", jsonOf(bs))
	}
	want := *u.batch
	want.Replaced = false
	sameJSON(t, "cost batch", bs[0], &want)
	ts, err := u.db.CostTotals(ctx, paved.CostQuery{From: feb, To: feb.AddDate(0, 1, 0), By: paved.ByTeam})
	must(t, err)
	if got := totalsByGroup(ts); got["payments"] != "7.5" || got[paved.Unallocated] != "0.1" || len(got) != 2 {
		t.Errorf("totals by team = %v", got)
	}
	hours, err := u.db.CostHours(ctx, []string{"222"}, feb, feb.AddDate(0, 1, 0))
	must(t, err)
	hours2, err := u.db.CostHours(ctx, []string{"111"}, feb, feb.AddDate(0, 1, 0))
	must(t, err)
	if len(hours)+len(hours2) == 0 {
		t.Errorf("no hourly cost after the upgrade")
	}
	un, err := u.db.Untagged(ctx, feb, feb.AddDate(0, 1, 0), 10)
	must(t, err)
	if len(un) == 0 {
		t.Errorf("no untagged cost after the upgrade")
	}
	budgets, err := u.db.FindBudgets(ctx)
	must(t, err)
	if len(budgets) != 1 || budgets[0].Amount != u.budget.Amount || budgets[0].UpdatedBy != "upgrader" {
		t.Errorf("budgets = %s", jsonOf(budgets))
	}
	a, err := u.db.FindCostAlert(ctx, u.alert.ID)
	must(t, err)
	sameJSON(t, "cost alert", a, u.alert)
	// A new ingest of the same account and period replaces the old one.
	res, err := u.db.IngestCost(ctx, upCostLines(t, 2))
	must(t, err)
	if len(res.Batches) != 1 || !res.Batches[0].Replaced || res.Batches[0].Cost != 2*u.batch.Cost {
		t.Errorf("re-ingest = %s", jsonOf(res.Batches))
	}
	must(t, u.db.SetBudget(ctx, &paved.Budget{Scope: paved.ScopeService, Name: "checkout", Amount: paved.Money(5_000_000_000)}))
}

// 0006: ownership edits, the latest check's resources.
func fillOwnership(t *testing.T, u *upgradeEnv) {
	u.edit = &paved.OwnershipEdit{Concern: "backups", Owner: "platform", Accountable: "platform", Consulted: []string{"security"},
		Informed: []string{"product-team"}, Reason: "platform runs the backups now"}
	must(t, u.db.SaveOwnershipEdit(upActor("ada"), u.edit))
	rs := []*paved.CheckResource{
		{Address: "aws_db_instance.main", Type: "aws_db_instance", Action: "create", Region: "eu-west-1",
			After: map[string]any{"backup_retention_period": 7.0, "password": paved.SensitiveValue}, Tags: map[string]string{"team": "payments"}},
		{Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", Action: "no-op", After: map[string]any{"bucket": "logs"}},
	}
	c := &paved.CheckRecord{Service: "ledger", Commit: "own", Resources: rs, ResourcesOmitted: 2}
	oldRecordCheck(t, u, upActor("ci"), c)
	u.resources = &paved.CheckResources{Service: "ledger", CheckID: c.ID, At: c.At, Resources: rs, Omitted: 2}
}

func checkOwnership(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	edits, err := u.db.FindOwnershipEdits(ctx)
	must(t, err)
	sameJSON(t, "ownership edits", edits, []*paved.OwnershipEdit{u.edit})
	got, err := u.db.LatestCheckResources(ctx, "ledger")
	must(t, err)
	sameJSON(t, "check resources", got, u.resources)
	must(t, u.db.DeleteOwnershipEdit(upActor("ada"), "backups"))
	must(t, u.db.RecordCheck(upActor("ci"), &paved.CheckRecord{Service: "ledger", Commit: "new",
		Resources: []*paved.CheckResource{{Address: "aws_sqs_queue.q", Type: "aws_sqs_queue", Action: "create"}}}))
}

// 0007: campaign days and notices.
func fillCampaigns(t *testing.T, u *upgradeEnv) {
	u.campaignDay = &paved.CampaignDay{Rule: "require-owner-tag", EnforceFrom: "2026-06-01", Day: "2026-03-14", Failing: 2, Resources: 5,
		Checked: 3, Teams: map[string]int{"payments": 2}}
	n, err := u.db.RecordCampaignDay(u.ctx, []*paved.CampaignDay{u.campaignDay}, []*paved.CampaignNotice{{
		Rule: "require-owner-tag", EnforceFrom: "2026-06-01", Kind: paved.NotifyCampaignStarted, Service: "checkout",
		Notification: &paved.Notification{Kind: paved.NotifyCampaignStarted, Subject: "Campaign require-owner-tag: checkout",
			Service: "checkout", Team: "payments", Link: "/campaigns#require-owner-tag"}}})
	must(t, err)
	if n != 1 {
		t.Fatalf("notices sent = %d", n)
	}
}

func checkCampaigns(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	days, err := u.db.FindCampaignDays(ctx, "require-owner-tag", "")
	must(t, err)
	if len(days) != 1 {
		t.Fatalf("campaign days = %s", jsonOf(days))
	}
	want := *u.campaignDay
	want.RecordedAt = days[0].RecordedAt
	sameJSON(t, "campaign day", days[0], &want)
	sent, err := u.db.CampaignNoticesSent(ctx, "require-owner-tag", "2026-06-01")
	must(t, err)
	if sent[paved.NotifyCampaignStarted] != 1 {
		t.Errorf("notices sent = %v", sent)
	}
	// The same notice is not sent twice; the next day records.
	n, err := u.db.RecordCampaignDay(ctx, []*paved.CampaignDay{{Rule: "require-owner-tag", EnforceFrom: "2026-06-01", Day: "2026-03-15",
		Failing: 1, Resources: 1, Checked: 3, Teams: map[string]int{"payments": 1}}}, []*paved.CampaignNotice{{
		Rule: "require-owner-tag", EnforceFrom: "2026-06-01", Kind: paved.NotifyCampaignStarted, Service: "checkout",
		Notification: &paved.Notification{Kind: paved.NotifyCampaignStarted, Subject: "again", Service: "checkout"}}})
	must(t, err)
	if n != 0 {
		t.Errorf("a notice was sent twice across the upgrade")
	}
}

// fillPlaceholders: an import that keeps a dangling owner (0008).
func fillPlaceholders(t *testing.T, u *upgradeEnv) {
	must(t, u.db.ApplyImport(u.ctx, &paved.ImportPlan{
		Teams:    []*paved.Team{{Name: "radio", Namespace: "music", Kind: paved.KindProduct, Placeholder: true}},
		Services: []*paved.Service{{Name: "stations", Owner: "radio", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground}},
	}))
	tm, err := u.db.FindTeam(u.ctx, "radio")
	must(t, err)
	u.placeholder = tm
}

func checkPlaceholders(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	tm, err := u.db.FindTeam(ctx, "radio")
	must(t, err)
	sameJSON(t, "placeholder team", tm, u.placeholder)
	if s, err := u.db.FindService(ctx, "stations"); err != nil || s.Owner != "radio" {
		t.Fatalf("service of the placeholder: %+v %v", s, err)
	}
	// The teams of older eras are defined teams.
	if tm, err := u.db.FindTeam(ctx, "payments"); err == nil && tm.Placeholder {
		t.Error("a team created before 0008 reads as a placeholder")
	}
	// Its Group, imported now, defines it.
	def := *tm
	def.Placeholder, def.Type = false, "team"
	def.Members, def.Children = nil, nil
	must(t, u.db.ApplyImport(ctx, &paved.ImportPlan{Teams: []*paved.Team{&def}}))
	if tm, err := u.db.FindTeam(ctx, "radio"); err != nil || tm.Placeholder {
		t.Fatalf("after its Group: %+v %v", tm, err)
	}
}

// fillReclass: a tier 1/restricted service in green-light (its gate
// classification kept) with a pending request to lower it.
func fillReclass(t *testing.T, u *upgradeEnv) {
	ctx := upActor("bob")
	must(t, u.db.CreateService(ctx, &paved.Service{Name: "vault", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhasePlayground}))
	must(t, u.db.ChangePhase(upActor("ada"), &paved.PhaseChange{Service: "vault", To: paved.PhaseGreenLight, Forced: true, Reason: "pilot"}, nil))
	// Lowered in the store directly (as an import could): the gates keep
	// tier 1.
	tier := paved.Tier(2)
	_, err := u.db.UpdateService(ctx, "vault", paved.ServiceUpdate{Tier: &tier})
	must(t, err)
	u.reclass = &paved.Reclassification{Service: "vault", To: paved.Classification{Tier: 4, DataClass: paved.DataInternal}, Reason: "internal tool now"}
	must(t, u.db.RequestReclassification(ctx, u.reclass, nil, nil))
}

func checkReclass(t *testing.T, u *upgradeEnv) {
	ctx := u.ctx
	got, err := u.db.FindReclassification(ctx, u.reclass.ID)
	must(t, err)
	sameJSON(t, "reclassification", got, u.reclass)
	l, err := u.db.FindLaunch(ctx, "vault")
	must(t, err)
	if want := (paved.Classification{Tier: 1, DataClass: paved.DataRestricted}); l.GateClass != want {
		t.Errorf("gate class = %v, want %v", l.GateClass, want)
	}
	d, err := u.db.DecideReclassification(upActor("ana"), u.reclass.ID, paved.ReclassDecision{Approve: true, Comment: "agreed"}, nil)
	must(t, err)
	if d.Status != paved.ReclassApproved {
		t.Errorf("decided = %s", jsonOf(d))
	}
	l, err = u.db.FindLaunch(ctx, "vault")
	must(t, err)
	if want := (paved.Classification{Tier: 4, DataClass: paved.DataInternal}); l.GateClass != want || paved.ClassOf(l.Service) != want {
		t.Errorf("after approval: service %v, gate class %v, want both %v", paved.ClassOf(l.Service), l.GateClass, want)
	}
}
