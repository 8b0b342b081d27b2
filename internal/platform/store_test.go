package platform

import (
	"context"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/testutil"
)

// The impact analysis and the campaigns read a real store: these tests run
// on SQLite and, under scripts/with-postgres.sh, on PostgreSQL.

// testClock is the stores' clock: fixed, so that reports are stable.
var testClock = time.Date(2029, 12, 1, 9, 0, 0, 0, time.UTC)

// forEachStore runs fn on a fresh SQLite store and, when PAVED_TEST_POSTGRES
// is set, on a fresh PostgreSQL database.
func forEachStore(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, eng := range []string{store.EngineSQLite, store.EnginePostgres} {
		t.Run(eng, func(t *testing.T) {
			dsn := testutil.DSN(t, eng)
			db, err := store.Open(context.Background(), dsn, store.WithNow(func() time.Time { return testClock }))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, db)
		})
	}
}

func actor(name string) context.Context {
	return paved.WithActor(context.Background(), paved.Actor{Name: name})
}

// seedChecks makes the organisation of the impact and campaign tests:
// two teams with three services that have recorded checks, and one
// service without.
func seedChecks(t *testing.T, db *store.DB) map[string]*paved.CheckRecord {
	t.Helper()
	ctx := actor("seed")
	for _, tm := range []paved.Team{{Name: "checkout", Kind: paved.KindProduct}, {Name: "search", Kind: paved.KindProduct}, {Name: "cloud", Kind: paved.KindCloud}} {
		must(t, db.CreateTeam(ctx, &tm))
	}
	for _, s := range []paved.Service{
		{Name: "cart", Owner: "checkout", Tier: 2, DataClass: paved.DataConfidential, Phase: paved.PhaseProduction},
		{Name: "ledger", Owner: "checkout", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhaseProduction},
		{Name: "web", Owner: "search", Tier: 3, DataClass: paved.DataPublic, Phase: paved.PhasePlayground},
		{Name: "idle", Owner: "search", Tier: 4, DataClass: paved.DataInternal, Phase: paved.PhasePlayground},
	} {
		must(t, db.CreateService(ctx, &s))
	}
	db1 := func(addr, class string, encrypted bool, tags map[string]string) *paved.CheckResource {
		return &paved.CheckResource{Address: addr, Type: "aws_db_instance", Action: "create", Region: "eu-west-1", Tags: tags,
			After: map[string]any{"instance_class": class, "engine": "postgres", "storage_encrypted": encrypted, "multi_az": true,
				"backup_retention_period": 7, "publicly_accessible": false, "tags": tags}}
	}
	bucket := func(addr string, tags map[string]string) *paved.CheckResource {
		return &paved.CheckResource{Address: addr, Type: "aws_s3_bucket", Action: "create", Region: "eu-west-1", Tags: tags,
			After: map[string]any{"bucket": addr, "tags": tags}}
	}
	owner := func(team string) map[string]string {
		return map[string]string{"team": team, "service": "x", "owner": team}
	}
	checks := map[string]*paved.CheckRecord{
		"cart": {Service: "cart", Resources: []*paved.CheckResource{
			db1("aws_db_instance.main", "db.x2iedn.32xlarge", true, map[string]string{"team": "checkout", "service": "cart"}),
			bucket("aws_s3_bucket.logs", map[string]string{"team": "checkout", "service": "cart"}),
		}},
		"ledger": {Service: "ledger", Resources: []*paved.CheckResource{
			db1("aws_db_instance.db", "db.r6g.large", false, owner("checkout")),
		}},
		"web": {Service: "web", Resources: []*paved.CheckResource{bucket("aws_s3_bucket.site", owner("search"))}},
	}
	for _, name := range []string{"cart", "ledger", "web"} {
		c := checks[name]
		c.ConfigVersion = "test"
		c.ResourceTypes, c.Rules, c.Findings = map[string]int{}, []string{}, []paved.Finding{}
		must(t, db.RecordCheck(actor("ci"), c))
	}
	return checks
}

// exceptionFor records an exception for the finding of rule on resource
// as snapshot s reports it, approved or pending.
func exceptionFor(t *testing.T, db *store.DB, s *Snapshot, c *paved.CheckRecord, rule, resource string, approve bool) *paved.Exception {
	t.Helper()
	rs, err := db.LatestCheckResources(context.Background(), c.Service)
	must(t, err)
	svc, err := db.FindService(context.Background(), c.Service)
	must(t, err)
	fs, err := s.Engine.CheckRecorded(context.Background(), rs, check.ServiceContext(svc))
	must(t, err)
	for i := range fs {
		f := &fs[i]
		if f.Rule != rule || f.Resource != resource {
			continue
		}
		e := &paved.Exception{Service: c.Service, Rule: rule, Resource: resource, Fingerprint: paved.ExceptionFingerprint(f),
			Path: f.Path, Value: f.Value, Message: f.Message, Check: c.ID, Reason: "needed for the launch",
			ExpiresAt: testClock.Add(60 * 24 * time.Hour)}
		_, err := db.CreateException(actor("dev"), e, exception.Requested)
		must(t, err)
		if approve {
			e, err = db.DecideException(actor("rev"), e.ID, paved.ExceptionDecision{Approve: true, ExpiresAt: testClock.Add(30 * 24 * time.Hour)},
				func(*paved.Exception) (*paved.Notification, error) { return nil, nil })
			must(t, err)
		}
		return e
	}
	t.Fatalf("no %s finding on %s of %s: %+v", rule, resource, c.Service, fs)
	return nil
}
