package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestOwnershipEdits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		admin := as("ada")

		edits, err := e.db.FindOwnershipEdits(e.ctx)
		must(t, err)
		if edits == nil || len(edits) != 0 {
			t.Fatalf("no edits yet: %#v", edits)
		}

		e1 := &paved.OwnershipEdit{Concern: "backups", Owner: "sre", Accountable: "payments", Consulted: []string{"security"}, Reason: "the DBAs moved"}
		must(t, e.db.SaveOwnershipEdit(admin, e1))
		if e1.UpdatedBy != "ada" || !e1.UpdatedAt.Equal(e.clock.Now()) || e1.Informed == nil {
			t.Fatalf("saved %s", jsonOf(e1))
		}
		ev := lastEvent(t, e)
		if ev.Action != "ownership.edit" || ev.ObjectType != "concern" || ev.ObjectID != "backups" ||
			string(ev.Changes["owner"].To) != `"sre"` || string(ev.Changes["consulted"].To) != `["security"]` || string(ev.Changes["reason"].To) != `"the DBAs moved"` {
			t.Fatalf("event %+v", ev)
		}
		must(t, e.db.SaveOwnershipEdit(admin, &paved.OwnershipEdit{Concern: "aaa-first", Owner: ""}))

		// Saving the same again changes nothing and records nothing.
		n := auditCount(t, e)
		e.clock.Advance(time.Hour)
		same := &paved.OwnershipEdit{Concern: "backups", Owner: "sre", Accountable: "payments", Consulted: []string{"security"}, Informed: []string{}, Reason: "the DBAs moved"}
		must(t, e.db.SaveOwnershipEdit(as("bob"), same))
		if auditCount(t, e) != n || same.UpdatedBy != "ada" {
			t.Fatalf("a no-op save wrote: %s", jsonOf(same))
		}

		// A change replaces the edit and records only what changed.
		e2 := &paved.OwnershipEdit{Concern: "backups", Owner: "sre", Informed: []string{"payments"}}
		must(t, e.db.SaveOwnershipEdit(admin, e2))
		ev = lastEvent(t, e)
		if _, ok := ev.Changes["owner"]; ok || string(ev.Changes["accountable"].From) != `"payments"` || string(ev.Changes["informed"].To) != `["payments"]` {
			t.Fatalf("update event %s", jsonOf(ev.Changes))
		}

		edits, err = e.db.FindOwnershipEdits(e.ctx)
		must(t, err)
		if len(edits) != 2 || edits[0].Concern != "aaa-first" || !reflect.DeepEqual(edits[1], e2) {
			t.Fatalf("edits %s, want [aaa-first, %s]", jsonOf(edits), jsonOf(e2))
		}

		must(t, e.db.DeleteOwnershipEdit(admin, "backups"))
		ev = lastEvent(t, e)
		if ev.Action != "ownership.reset" || string(ev.Changes["owner"].From) != `"sre"` {
			t.Fatalf("reset event %+v", ev)
		}
		err = e.db.DeleteOwnershipEdit(admin, "backups")
		if paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Fatalf("second reset: %v", err)
		}
		if err := e.db.SaveOwnershipEdit(admin, &paved.OwnershipEdit{Concern: " "}); paved.ErrorCode(err) != paved.EINVALID {
			t.Fatalf("empty concern: %v", err)
		}
		verifyChain(t, e)
	})
}

func TestCheckResources(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		ci := as("ci-bot")

		none, err := e.db.LatestCheckResources(e.ctx, "ledger")
		must(t, err)
		if none != nil {
			t.Fatalf("none recorded: %s", jsonOf(none))
		}
		if _, err := e.db.LatestCheckResources(e.ctx, "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Fatalf("unknown service: %v", err)
		}

		rs := []*paved.CheckResource{
			{Address: "aws_db_instance.main", Type: "aws_db_instance", Action: "create", Region: "eu-west-1",
				After: map[string]any{"backup_retention_period": 7.0, "password": paved.SensitiveValue, "tags": map[string]any{"team": "payments"}},
				Tags:  map[string]string{"team": "payments"}},
			{Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", Action: "no-op", After: map[string]any{"bucket": "logs"}},
		}
		c1 := &paved.CheckRecord{Service: "ledger", Commit: "abc", Resources: rs, ResourcesOmitted: 3}
		must(t, e.db.RecordCheck(ci, c1))
		if c1.Resources != nil {
			t.Fatalf("the record returned keeps the resources: %s", jsonOf(c1.Resources))
		}
		got, err := e.db.LatestCheckResources(e.ctx, "ledger")
		must(t, err)
		want := &paved.CheckResources{Service: "ledger", CheckID: c1.ID, At: e.clock.Now(), Resources: rs, Omitted: 3}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("LatestCheckResources =\n%s\nwant\n%s", jsonOf(got), jsonOf(want))
		}
		// The latest check itself does not carry them.
		lc, err := e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		if lc.Resources != nil {
			t.Fatalf("LatestCheck carries resources")
		}
		// The audit event names counts, never attribute values.
		if b := string(lastEvent(t, e).ChangesJSON()); strings.Contains(b, "backup_retention_period") || strings.Contains(b, "eu-west-1") {
			t.Fatalf("audit leaks resources: %s", b)
		}

		// A check without resources (nil) keeps them.
		e.clock.Advance(time.Minute)
		must(t, e.db.RecordCheck(ci, &paved.CheckRecord{Service: "ledger", Commit: "def"}))
		got, err = e.db.LatestCheckResources(e.ctx, "ledger")
		must(t, err)
		if got.CheckID != c1.ID {
			t.Fatalf("a check without resources replaced them: %s", jsonOf(got))
		}
		// An empty list replaces them.
		c3 := &paved.CheckRecord{Service: "ledger", Commit: "ghi", Resources: []*paved.CheckResource{}}
		must(t, e.db.RecordCheck(ci, c3))
		got, err = e.db.LatestCheckResources(e.ctx, "ledger")
		must(t, err)
		if got.CheckID != c3.ID || got.Resources == nil || len(got.Resources) != 0 || got.Omitted != 0 {
			t.Fatalf("empty list: %s", jsonOf(got))
		}
		// Another service's are its own.
		must(t, e.db.RecordCheck(ci, &paved.CheckRecord{Service: "finder", Resources: rs[:1]}))
		got, err = e.db.LatestCheckResources(e.ctx, "finder")
		must(t, err)
		if len(got.Resources) != 1 {
			t.Fatalf("finder: %s", jsonOf(got))
		}

		// A Kubernetes Secret's data is never stored in clear, whoever sent it.
		secret := &paved.CheckResource{Address: "Secret/shop/db", Type: "Secret", Action: "apply",
			After: map[string]any{"kind": "Secret", "data": map[string]any{"password": "aHVudGVyMg=="}, "stringData": map[string]any{"token": "t0k3n"}}}
		must(t, e.db.RecordCheck(ci, &paved.CheckRecord{Service: "checkout", Resources: []*paved.CheckResource{secret}}))
		got, err = e.db.LatestCheckResources(e.ctx, "checkout")
		must(t, err)
		if b := jsonOf(got); strings.Contains(b, "aHVudGVyMg") || strings.Contains(b, "t0k3n") || !strings.Contains(b, `"password":"(sensitive)"`) {
			t.Fatalf("secret stored: %s", b)
		}
		if secret.After["data"].(map[string]any)["password"] != "aHVudGVyMg==" {
			t.Fatal("the caller's resource was changed")
		}

		// Bad resources refuse the whole check: nothing is recorded.
		before, err := e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		for _, tc := range []struct {
			rs      []*paved.CheckResource
			omitted int
			code    string
			want    string
		}{
			{[]*paved.CheckResource{nil}, 0, paved.EINVALID, "a resource is null"},
			{[]*paved.CheckResource{{Type: "x"}}, 0, paved.EINVALID, "no address"},
			{[]*paved.CheckResource{{Address: "a"}}, 0, paved.EINVALID, "resource a has no type"},
			{[]*paved.CheckResource{{Address: "a", Type: "t"}, {Address: "a", Type: "t"}}, 0, paved.EINVALID, "listed twice"},
			{[]*paved.CheckResource{{Address: "a", Type: "t"}}, -1, paved.EINVALID, "resources_omitted is -1"},
			{make([]*paved.CheckResource, paved.MaxCheckResources+1), 0, paved.ETOOLARGE, "at most 5000"},
			{[]*paved.CheckResource{{Address: "a", Type: "t", After: map[string]any{"big": strings.Repeat("x", 2*paved.MaxCheckResourcesBytes)}}}, 0, paved.ETOOLARGE, "bytes as JSON"},
		} {
			err := e.db.RecordCheck(ci, &paved.CheckRecord{Service: "ledger", Commit: "bad", Resources: tc.rs, ResourcesOmitted: tc.omitted})
			if paved.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%.60s: %v, want %s %q", jsonOf(tc.rs), err, tc.code, tc.want)
			}
		}
		after, err := e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		if after.ID != before.ID {
			t.Fatalf("a refused check was recorded")
		}
		verifyChain(t, e)
	})
}
