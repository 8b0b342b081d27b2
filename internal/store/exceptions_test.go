package store

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
)

// The exceptions conformance tests run the application service
// (internal/exception) over the store, on SQLite and PostgreSQL, so that
// the abuse cases of issue 5 are refused by the same code on both engines.

const excDay = 24 * time.Hour

// exceptionSeed adds reviewers and a recorded check with two deny findings
// (the 1 TB database and a public one, a security rule) and a warning to
// the seed organisation, and returns the check.
func exceptionSeed(t *testing.T, e *env) *paved.CheckRecord {
	t.Helper()
	seed(t, e)
	must(t, e.db.CreateTeam(e.ctx, &paved.Team{Name: "security", Title: "Security", Kind: paved.KindSecurity}))
	for _, u := range []*paved.User{
		{Name: "rev", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform"}},
		{Name: "rev2", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform"}},
		{Name: "sec", Roles: []paved.Role{paved.RoleSecurity}, Teams: []string{"security"}},
		{Name: "ana", Roles: []paved.Role{paved.RoleArchitect}, Teams: []string{"platform"}},
		{Name: "rin", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform", "payments"}},
		{Name: "pat", Roles: []paved.Role{paved.RoleDeveloper, paved.RoleReviewer}, Teams: []string{"payments"}},
		{Name: "prod", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"search"}},
	} {
		must(t, e.db.CreateUser(e.ctx, u))
	}
	return recordTestCheck(t, e, "checkout", "db.x2iedn.32xlarge")
}

func recordTestCheck(t *testing.T, e *env, service, class string) *paved.CheckRecord {
	t.Helper()
	big := paved.Finding{Rule: "aws-db-max-memory", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main",
		ResourceType: "aws_db_instance", Path: "instance_class", Value: class, Message: class + " has 1024 GiB of memory"}
	public := paved.Finding{Rule: "aws-db-public", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main",
		Path: "publicly_accessible", Value: true, Message: "the database is reachable from the internet"}
	warn := paved.Finding{Rule: "required-tags", Severity: paved.SeverityWarn, Resource: "aws_db_instance.main", Message: "no cost-center tag"}
	fs := []paved.Finding{big, public, warn}
	for i := range fs {
		fs[i].Fingerprint = fs[i].ComputeFingerprint()
	}
	c := &paved.CheckRecord{Service: service, Commit: "abc123", ResourceTypes: map[string]int{"aws_db_instance": 1},
		Rules: []string{"aws-db-max-memory", "aws-db-public", "required-tags"}, Findings: fs}
	must(t, e.db.RecordCheck(as("bob"), c))
	return c
}

func exceptionService(e *env) *exception.Service {
	return &exception.Service{Store: e.db, Now: e.clock.Now, Organisation: "acme",
		Rules: func(id string) (paved.Rule, bool) {
			switch id {
			case "aws-db-public":
				return paved.Rule{ID: id, Security: true}, true
			case "aws-db-max-memory":
				return paved.Rule{ID: id}, true
			}
			return paved.Rule{}, false
		}}
}

// userCtx acts as a stored user (the web server's context carries it).
func userCtx(t *testing.T, e *env, name string) context.Context {
	t.Helper()
	u, err := e.db.FindUser(context.Background(), name)
	must(t, err)
	return paved.WithActor(context.Background(), paved.Actor{User: u})
}

// notifications returns the kinds of the recorded notifications, oldest first.
func notificationKinds(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	rows, err := e.db.reader().query(context.Background(), "SELECT kind FROM notifications ORDER BY id")
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var k string
		must(t, rows.Scan(&k))
		out = append(out, k)
	}
	must(t, rows.Err())
	return out
}

func requestBig(t *testing.T, e *env, svc *exception.Service, c *paved.CheckRecord, who string) *paved.Exception {
	t.Helper()
	res, err := svc.Request(userCtx(t, e, who), exception.RequestInput{Check: c.ID, Rule: "aws-db-max-memory",
		Reason: "The nightly risk model loads 800 GiB into memory; sharding is planned for Q3."})
	must(t, err)
	if len(res.Exceptions) != 1 {
		t.Fatalf("request: %+v", res)
	}
	return res.Exceptions[0]
}

func TestExceptionLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		c := exceptionSeed(t, e)
		svc := exceptionService(e)
		bob := userCtx(t, e, "bob")

		cov, err := svc.Coverage(bob, c.ID)
		must(t, err)
		if cov.Passed || len(cov.Findings) != 2 || cov.Findings[0].State != paved.FindingUncovered {
			t.Fatalf("coverage before any request: %+v", cov)
		}

		// Request every uncovered deny finding at once.
		h := head(t, e)
		res, err := svc.Request(bob, exception.RequestInput{Check: c.ID, Reason: "Risk model needs the memory."})
		must(t, err)
		if res.Created != 2 || res.Reused != 0 || len(res.Exceptions) != 2 {
			t.Fatalf("request: %+v", res)
		}
		big := res.Exceptions[0]
		if big.Status != paved.ExceptionPending || big.Team != "payments" || big.RequestedBy != "bob" || big.Value != "db.x2iedn.32xlarge" ||
			!big.ExpiresAt.Equal(e.clock.Now().UTC().Add(90*excDay).Truncate(time.Microsecond)) && big.ExpiresAt.Sub(e.clock.Now().Add(90*excDay)).Abs() > time.Millisecond {
			t.Fatalf("request stored as %+v", big)
		}
		if !res.Exceptions[1].Security {
			t.Fatalf("a security rule's request is not marked security: %+v", res.Exceptions[1])
		}
		if got := actionsSince(t, e, h); strings.Join(got, ",") != "exception.request,exception.request" {
			t.Fatalf("audit after the request: %v", got)
		}
		if got := notificationKinds(t, e); strings.Join(got, ",") != "exception.requested,exception.requested" {
			t.Fatalf("notifications: %v", got)
		}

		// Idempotent: the same request again reuses the pending ones.
		h = head(t, e)
		res, err = svc.Request(bob, exception.RequestInput{Check: c.ID, Reason: "again"})
		must(t, err)
		if res.Created != 0 || res.Reused != 2 || res.Exceptions[0].ID != big.ID {
			t.Fatalf("repeated request: %+v", res)
		}
		if head(t, e) != h {
			t.Fatal("a reused request wrote audit events")
		}
		cov, err = svc.Coverage(bob, c.ID)
		must(t, err)
		if cov.Pending != 2 || cov.Findings[0].State != paved.FindingPending || cov.Findings[0].Exception.Link != "/exceptions/"+itoa(big.ID) {
			t.Fatalf("coverage while pending: %+v", cov)
		}

		// A question and an answer in the thread.
		rev := userCtx(t, e, "rev")
		_, err = svc.Comment(rev, big.ID, "Why not memory-optimised r7 with 512 GiB?")
		must(t, err)
		_, err = svc.Comment(bob, big.ID, "The model does not fit: 800 GiB working set.")
		must(t, err)

		// Approve for 30 days with conditions.
		got, err := svc.Approve(rev, big.ID, "30d", "Shard by Q3; review the sizing then.")
		must(t, err)
		if got.Status != paved.ExceptionApproved || got.DecidedBy != "rev" || got.Conditions == "" || len(got.Comments) != 2 ||
			got.ExpiresAt.Sub(e.clock.Now().Add(30*excDay)).Abs() > time.Second {
			t.Fatalf("approved: %+v", got)
		}
		if ev := lastEvent(t, e); ev.Action != "exception.approve" || ev.Actor != "rev" {
			t.Fatalf("last audit event: %+v", ev)
		}
		kinds := notificationKinds(t, e)
		if kinds[len(kinds)-1] != "exception.decided" {
			t.Fatalf("notifications: %v", kinds)
		}
		cov, err = svc.Coverage(bob, c.ID)
		must(t, err)
		if cov.Findings[0].State != paved.FindingCovered || cov.Findings[0].Exception.ID != big.ID {
			t.Fatalf("coverage after approval: %+v", cov.Findings[0])
		}

		// The same values pass on the next run; a changed value (1 TB -> 2 TB) does not.
		same := recordTestCheck(t, e, "checkout", "db.x2iedn.32xlarge")
		cov, err = svc.Coverage(bob, same.ID)
		must(t, err)
		if cov.Findings[0].State != paved.FindingCovered {
			t.Fatalf("the same value on the next run: %+v", cov.Findings[0])
		}
		changed := recordTestCheck(t, e, "checkout", "db.x2iedn.metal")
		cov, err = svc.Coverage(bob, changed.ID)
		must(t, err)
		if cov.Findings[0].State != paved.FindingUncovered {
			t.Fatalf("a changed value: %+v", cov.Findings[0])
		}
		// Asking again for the covered finding by fingerprint is a conflict that names the exception.
		_, err = svc.Request(bob, exception.RequestInput{Check: same.ID, Fingerprint: big.Fingerprint, Reason: "again"})
		wantErr(t, err, paved.ECONFLICT, "")

		// Lists.
		list, n, err := svc.List(rev, paved.ExceptionFilter{Status: paved.ExceptionPending}, false)
		must(t, err)
		if n != 1 || list[0].Rule != "aws-db-public" {
			t.Fatalf("pending queue: %d %+v", n, list)
		}
		_, n, err = svc.List(rev, paved.ExceptionFilter{Service: "checkout", Team: "payments"}, false)
		must(t, err)
		if n != 2 {
			t.Fatalf("the service's exceptions: %d", n)
		}
		_, n, err = svc.List(rev, paved.ExceptionFilter{Service: "ledger"}, false)
		must(t, err)
		if n != 0 {
			t.Fatalf("another service: %d", n)
		}

		// Close to expiry: announced once, whatever the number of runs.
		_, n, err = svc.List(rev, paved.ExceptionFilter{}, true)
		must(t, err)
		if n != 0 {
			t.Fatal("expiring 30 days out with a 14-day notice")
		}
		e.clock.Advance(20 * excDay)
		_, n, err = svc.List(rev, paved.ExceptionFilter{}, true)
		must(t, err)
		if n != 1 {
			t.Fatalf("expiring after 20 days: %d", n)
		}
		sent, err := svc.NotifyExpiring(context.Background())
		must(t, err)
		again, err := svc.NotifyExpiring(context.Background())
		must(t, err)
		if sent != 1 || again != 0 {
			t.Fatalf("expiring notices: %d then %d, want 1 then 0", sent, again)
		}
		kinds = notificationKinds(t, e)
		if kinds[len(kinds)-1] != "exception.expiring" {
			t.Fatalf("notifications: %v", kinds)
		}

		// Revoked: covers nothing.
		got, err = svc.Revoke(rev, big.ID, "The sharding landed early.")
		must(t, err)
		if got.Status != paved.ExceptionRevoked || got.RevokedBy != "rev" {
			t.Fatalf("revoked: %+v", got)
		}
		cov, err = svc.Coverage(bob, same.ID)
		must(t, err)
		if cov.Findings[0].State == paved.FindingCovered {
			t.Fatal("a revoked exception still covers")
		}
		_, err = svc.Revoke(rev, big.ID, "twice")
		wantErr(t, err, paved.ECONFLICT, "")
		verifyChain(t, e)
	})
}

func itoa(id int64) string { return jsonOf(id) }

// TestExceptionAbuse: the bad input and abuse cases of issue 5, each
// refused with a clear error and without a write.
func TestExceptionAbuse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		c := exceptionSeed(t, e)
		svc := exceptionService(e)
		refused := func(t *testing.T, err error, code, words string) {
			t.Helper()
			wantErr(t, err, code, "")
			if !strings.Contains(err.Error(), words) {
				t.Fatalf("error %q does not say %q", err, words)
			}
		}

		t.Run("self-approval", func(t *testing.T) {
			// An admin of an enablement team may ask for another team's
			// service, but never decide their own request.
			x := requestBig(t, e, svc, c, "ada")
			h := head(t, e)
			_, err := svc.Approve(userCtx(t, e, "ada"), x.ID, "", "")
			refused(t, err, paved.EFORBIDDEN, "self-approval")
			if head(t, e) != h {
				t.Fatal("a refused decision wrote")
			}
			_, err = svc.Revoke(userCtx(t, e, "ada"), x.ID, "clean up")
			must(t, err)
		})
		x := requestBig(t, e, svc, c, "bob")
		for _, tt := range []struct{ who, words string }{
			{"pat", "member of team"},                      // another developer of the requesting team
			{"rin", "member of team"},                      // a reviewer who is also in the requesting team
			{"ana", "reviewer role"},                       // an architect
			{"cy", "reviewer role"},                        // a viewer
			{"prod", "not a member of an enablement team"}, // a reviewer of a product team
		} {
			t.Run("approval by "+tt.who, func(t *testing.T) {
				h := head(t, e)
				_, err := svc.Approve(userCtx(t, e, tt.who), x.ID, "", "")
				refused(t, err, paved.EFORBIDDEN, tt.words)
				if head(t, e) != h {
					t.Fatal("a refused decision wrote")
				}
			})
		}
		t.Run("security rule by a reviewer", func(t *testing.T) {
			res, err := svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Rule: "aws-db-public", Reason: "A vendor connects directly."})
			must(t, err)
			_, err = svc.Approve(userCtx(t, e, "rev"), res.Exceptions[0].ID, "", "")
			refused(t, err, paved.EFORBIDDEN, "security rule")
			_, err = svc.Reject(userCtx(t, e, "sec"), res.Exceptions[0].ID, "Use PrivateLink for the vendor.")
			must(t, err)
			// Asking for every uncovered finding leaves the rejected one alone;
			// selecting it asks again.
			again, err := svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Reason: "again"})
			must(t, err)
			if again.Rejected != 1 || again.Created != 0 {
				t.Fatalf("bulk request after a rejection: %+v", again)
			}
			again, err = svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Rule: "aws-db-public", Reason: "A new argument."})
			must(t, err)
			if again.Created != 1 {
				t.Fatalf("a selected request after a rejection: %+v", again)
			}
		})
		t.Run("expiry beyond the maximum", func(t *testing.T) {
			_, err := svc.Approve(userCtx(t, e, "rev"), x.ID, "365d", "")
			refused(t, err, paved.EUNPROCESSABLE, "beyond the maximum")
			_, err = svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Rule: "aws-db-max-memory", Reason: "long", Expires: "2y"})
			wantErr(t, err, paved.EINVALID, "expires")
			_, err = svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Rule: "aws-db-max-memory", Reason: "long", Expires: "400d"})
			refused(t, err, paved.EUNPROCESSABLE, "beyond the maximum")
		})
		t.Run("already decided", func(t *testing.T) {
			_, err := svc.Approve(userCtx(t, e, "rev"), x.ID, "30d", "")
			must(t, err)
			_, err = svc.Approve(userCtx(t, e, "rev2"), x.ID, "30d", "")
			refused(t, err, paved.ECONFLICT, "already approved")
			_, err = svc.Reject(userCtx(t, e, "rev2"), x.ID, "No.")
			refused(t, err, paved.ECONFLICT, "already approved")
			// The store refuses it too, whatever the caller checked.
			_, err = e.db.DecideException(as("rev2"), x.ID, paved.ExceptionDecision{Reason: "No."}, nil)
			wantErr(t, err, paved.ECONFLICT, "")
		})
		t.Run("expired request", func(t *testing.T) {
			c2 := recordTestCheck(t, e, "ledger", "db.r6g.16xlarge")
			res, err := svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c2.ID, Rule: "aws-db-max-memory", Reason: "Quarter end.", Expires: "2d"})
			must(t, err)
			e.clock.Advance(3 * excDay)
			_, err = svc.Approve(userCtx(t, e, "rev"), res.Exceptions[0].ID, "", "")
			refused(t, err, paved.ECONFLICT, "expired")
			_, err = e.db.DecideException(as("rev"), res.Exceptions[0].ID, paved.ExceptionDecision{Approve: true, ExpiresAt: e.clock.Now().Add(excDay)}, nil)
			wantErr(t, err, paved.ECONFLICT, "")
			// An approved exception past its expiry cannot be decided or revoked either.
			_, err = svc.Reject(userCtx(t, e, "rev"), x.ID, "late")
			refused(t, err, paved.ECONFLICT, "already approved")
			e.clock.Advance(30 * excDay)
			_, err = svc.Revoke(userCtx(t, e, "rev"), x.ID, "late")
			refused(t, err, paved.ECONFLICT, "expired")
		})
		t.Run("replayed for another service", func(t *testing.T) {
			h := head(t, e)
			_, err := svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Service: "ledger", Reason: "replay"})
			refused(t, err, paved.EUNPROCESSABLE, "not \"ledger\"")
			// Straight at the store: a request for ledger naming checkout's check.
			_, err = e.db.CreateException(as("bob"), &paved.Exception{Service: "ledger", Rule: "aws-db-max-memory", Resource: "aws_db_instance.main",
				Fingerprint: c.Findings[0].Fingerprint, Check: c.ID, Reason: "replay", ExpiresAt: e.clock.Now().Add(excDay)}, exception.Requested)
			refused(t, err, paved.EUNPROCESSABLE, "recorded for service \"checkout\"")
			if head(t, e) != h {
				t.Fatal("a refused request wrote")
			}
		})
		t.Run("no such finding", func(t *testing.T) {
			_, err := svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Fingerprint: "feed", Reason: "?"})
			wantErr(t, err, paved.ENOTFOUND, "")
			_, err = svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: 999, Reason: "?"})
			wantErr(t, err, paved.ENOTFOUND, "")
			_, err = svc.Request(userCtx(t, e, "bob"), exception.RequestInput{Check: c.ID, Reason: "  "})
			wantErr(t, err, paved.EINVALID, "reason")
			_, err = svc.Reject(userCtx(t, e, "rev"), 999, "no")
			wantErr(t, err, paved.ENOTFOUND, "")
		})
		verifyChain(t, e)
	})
}

// TestExceptionConcurrentDecisions races two reviewers on two handles (two
// replicas) deciding one request at the same moment: exactly one decision
// lands, the other gets ECONFLICT.
func TestExceptionConcurrentDecisions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		c := exceptionSeed(t, e)
		svc := exceptionService(e)
		other, err := Open(context.Background(), e.dsn, WithNow(e.clock.Now))
		must(t, err)
		defer other.Close()
		handles := []*DB{e.db, other}
		reviewers := []string{"rev", "rev2"}
		for round := range 4 {
			x := requestBig(t, e, svc, c, "bob")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					d := paved.ExceptionDecision{Approve: true, ExpiresAt: e.clock.Now().Add(30 * excDay)}
					if (i+round)%2 == 1 {
						d = paved.ExceptionDecision{Reason: "Shard it first."}
					}
					hold := func(stored *paved.Exception) (*paved.Notification, error) {
						time.Sleep(30 * time.Millisecond) // hold the window open
						return exception.Decided(stored, d, reviewers[i]), nil
					}
					_, errs[i] = handles[i].DecideException(as(reviewers[i]), x.ID, d, hold)
				}()
			}
			close(start)
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch paved.ErrorCode(err) {
				case "":
					ok++
				case paved.ECONFLICT:
					conflicts++
				default:
					t.Fatalf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d decisions landed, %d conflicts; want exactly one of each (%v)", round, ok, conflicts, errs)
			}
			got, err := e.db.FindException(e.ctx, x.ID)
			must(t, err)
			if got.Status == paved.ExceptionPending {
				t.Fatalf("round %d: still pending", round)
			}
			if got.Status == paved.ExceptionApproved {
				_, err := svc.Revoke(userCtx(t, e, "rev"), x.ID, "next round")
				must(t, err)
			}
		}
		// One decided notification per landed decision.
		decided := 0
		for _, k := range notificationKinds(t, e) {
			if k == paved.NotifyExceptionDecided {
				decided++
			}
		}
		if decided < 4 {
			t.Fatalf("%d exception.decided notifications for 4 decisions", decided)
		}
		verifyChain(t, e)
	})
}

// TestExceptionExport: the server's key is made once and kept; an export
// verifies with it, and an altered or foreign file covers nothing.
func TestExceptionExport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		c := exceptionSeed(t, e)
		svc := exceptionService(e)
		x := requestBig(t, e, svc, c, "bob")
		_, err := svc.Approve(userCtx(t, e, "rev"), x.ID, "30d", "")
		must(t, err)

		k1, err := e.db.ExceptionKey(e.ctx)
		must(t, err)
		k2, err := e.db.ExceptionKey(e.ctx)
		must(t, err)
		if !ed25519.PrivateKey(k1).Equal(ed25519.PrivateKey(k2)) {
			t.Fatal("a second ExceptionKey made another key")
		}
		pub, err := svc.PublicKey(e.ctx)
		must(t, err)
		trust, err := exception.ParsePublicKey(pub)
		must(t, err)
		if ev := verifyChain(t, e); !strings.Contains(jsonOf(ev), "signing_key.create") || strings.Contains(jsonOf(ev), jsonOf(k1)[1:20]) {
			t.Fatal("the key's creation is not audited, or the audit holds the private key")
		}

		f, err := svc.Export(e.ctx, "checkout")
		must(t, err)
		data, _ := json.Marshal(f)
		v, err := exception.Verify(data, trust, e.clock.Now())
		must(t, err)
		if len(v.Valid) != 1 || v.Valid[0].ID != x.ID {
			t.Fatalf("export: %+v", v.Valid)
		}
		if cov := exception.OfflineCoverage(v, "checkout", c.Findings, e.clock.Now()); cov.Findings[0].State != paved.FindingCovered {
			t.Fatalf("offline coverage: %+v", cov)
		}
		// Altered: a bigger instance slipped into the file.
		f.Exceptions[0].Value = "db.x2iedn.metal"
		data, _ = json.Marshal(f)
		_, err = exception.Verify(data, trust, e.clock.Now())
		wantErr(t, err, paved.EUNPROCESSABLE, "")
		// Forged: signed by a key the CI does not trust.
		_, foreign, _ := ed25519.GenerateKey(nil)
		f.Sign(foreign)
		data, _ = json.Marshal(f)
		_, err = exception.Verify(data, trust, e.clock.Now())
		wantErr(t, err, paved.EUNPROCESSABLE, "")
		// Another service's export holds none of checkout's.
		f, err = svc.Export(e.ctx, "ledger")
		must(t, err)
		if len(f.Exceptions) != 0 {
			t.Fatalf("ledger's export: %+v", f.Exceptions)
		}
	})
}
