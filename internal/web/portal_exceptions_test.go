package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
)

// exceptionFixture is the launch fixture with a recorded check of
// payments-api (alice's team) that puts a 1 TB database in a plan, and
// alice's pending request for it.
func newExceptionFixture(t *testing.T) (*launchFixture, *paved.Exception) {
	t.Helper()
	f := newLaunchFixture(t)
	svc := ""
	for _, s := range f.services {
		if s.Owner == "payments" && s.Phase != paved.PhaseRetired {
			svc = s.Name
			break
		}
	}
	big := paved.Finding{Rule: "db-memory-ceiling", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main", ResourceType: "aws_db_instance",
		Path: "instance_class", Value: "db.x2iedn.8xlarge", Message: "aws_db_instance.main uses db.x2iedn.8xlarge with 1024 GiB of memory, above the 256 GiB ceiling"}
	big.Fingerprint = big.ComputeFingerprint()
	c := &paved.CheckRecord{Service: svc, Commit: "abc123", ResourceTypes: map[string]int{"aws_db_instance": 1}, Rules: []string{big.Rule}, Findings: []paved.Finding{big}}
	if err := f.db.RecordCheck(f.as(t, "alice"), c); err != nil {
		t.Fatal(err)
	}
	es := &exception.Service{Store: f.db}
	res, err := es.Request(f.as(t, "alice"), exception.RequestInput{Check: c.ID, Reason: "The risk model keeps <900 GiB> hot; sharding in Q3."})
	if err != nil {
		t.Fatal(err)
	}
	return f, res.Exceptions[0]
}

func excPath(e *paved.Exception, action string) string {
	p := "/exceptions/" + strconv.FormatInt(e.ID, 10)
	if action != "" {
		p += "/" + action
	}
	return p
}

func TestPortalExceptionPages(t *testing.T) {
	f, e := newExceptionFixture(t)
	rita, bob, alice := f.user(t, "rita"), f.user(t, "bob"), f.user(t, "alice")

	// The queue: the request with its offending value and justification, escaped.
	resp, body := rita.pc.get("/exceptions")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "exception-"+strconv.FormatInt(e.ID, 10), "db.x2iedn.8xlarge", "&lt;900 GiB&gt;", "db-memory-ceiling", ">pending<")
	wantUniqueIDs(t, "/exceptions", body)
	resp, body = bob.pc.get("/exceptions?status=approved")
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "No exception matches.")
	resp, body = bob.pc.get("/exceptions?status=nonsense")
	wantPageStatus(t, resp, body, http.StatusBadRequest)

	// The request: the reviewer gets the decision forms, others do not.
	resp, body = rita.pc.get(excPath(e, ""))
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="form-approve"`, `id="form-reject"`, `id="form-comment"`, "at most 180d from today", "db.x2iedn.8xlarge")
	wantUniqueIDs(t, excPath(e, ""), body)
	_, body = alice.pc.get(excPath(e, ""))
	wantPageContains(t, body, `id="form-comment"`, `id="form-revoke"`)
	wantPageLacks(t, body, `id="form-approve"`)
	_, body = bob.pc.get(excPath(e, ""))
	wantPageLacks(t, body, `id="form-approve"`, `id="form-comment"`, `id="form-revoke"`)
	_, body = f.user(t, "sam").pc.get(excPath(e, ""))
	wantPageContains(t, body, `id="exception-why-not"`, "reviewer role")
	resp, body = bob.pc.get("/exceptions/999")
	wantPageStatus(t, resp, body, http.StatusNotFound)

	// The service page lists it.
	resp, body = bob.pc.get("/services/" + e.Service)
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="service-exception-`+strconv.FormatInt(e.ID, 10)+`"`, "1 waiting")
	wantUniqueIDs(t, "/services/"+e.Service, body)
}

// TestPortalExceptionForms: every form refuses forbidden roles and a
// missing CSRF token without changing anything; refusals the user can act
// on come back at the form; decisions land.
func TestPortalExceptionForms(t *testing.T) {
	f, e := newExceptionFixture(t)
	rita, bob, alice, dave := f.user(t, "rita"), f.user(t, "bob"), f.user(t, "alice"), f.user(t, "dave")
	state := func() paved.ExceptionStatus {
		t.Helper()
		got, err := f.db.FindException(f.as(t, "rita"), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	for _, tt := range []struct {
		who    *signedIn
		action string
		form   url.Values
	}{
		{bob, "approve", url.Values{"expires": {"30d"}}},
		{alice, "approve", url.Values{"expires": {"30d"}}},
		{dave, "reject", url.Values{"reason": {"no"}}},
		{bob, "comments", url.Values{"body": {"hi"}}},
		{dave, "comments", url.Values{"body": {"hi"}}},
		{bob, "revoke", url.Values{"reason": {"x"}}},
		{dave, "revoke", url.Values{"reason": {"x"}}},
	} {
		resp, body := tt.who.post(excPath(e, tt.action), tt.form)
		wantPageStatus(t, resp, body, http.StatusForbidden)
	}
	// Without the CSRF token.
	resp, body := rita.pc.post(excPath(e, "approve"), url.Values{"expires": {"30d"}}, nil)
	wantPageStatus(t, resp, body, http.StatusForbidden)
	if st := state(); st != paved.ExceptionPending {
		t.Fatalf("a refused form changed the request: %s", st)
	}

	// Refusals at the form: beyond the maximum; a rejection without a reason.
	resp, body = rita.post(excPath(e, "approve"), url.Values{"expires": {"400d"}, "conditions": {"Shard by Q3."}})
	wantPageStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantPageContains(t, body, `id="exception-error"`, "beyond the maximum", "Shard by Q3.")
	resp, body = rita.post(excPath(e, "reject"), url.Values{"reason": {" "}})
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	wantPageContains(t, body, `id="exception-error"`, "needs a reason")

	// A question and an answer; then the approval.
	_, body = rita.follow(excPath(e, "comments"), url.Values{"body": {"Why not 512 GiB?"}})
	wantPageContains(t, body, "Comment added.", "Why not 512 GiB?")
	_, body = alice.follow(excPath(e, "comments"), url.Values{"body": {"The hot set is 870 GiB."}})
	wantPageContains(t, body, "The hot set is 870 GiB.")
	resp, body = rita.follow(excPath(e, "approve"), url.Values{"expires": {"30d"}, "conditions": {"Shard by Q3."}})
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "Exception approved.", `id="exception-decision"`, "Approved by", "Shard by Q3.")
	if st := state(); st != paved.ExceptionApproved {
		t.Fatalf("after approval: %s", st)
	}
	// Decided already: the forms are gone, a replayed post is a conflict at the page.
	wantPageLacks(t, body, `id="form-approve"`)
	resp, body = rita.post(excPath(e, "reject"), url.Values{"reason": {"late"}})
	wantPageStatus(t, resp, body, http.StatusConflict)
	wantPageContains(t, body, "already approved")
	// The owning team withdraws it.
	_, body = alice.follow(excPath(e, "revoke"), url.Values{"reason": {"Sharded early."}})
	wantPageContains(t, body, "Exception revoked.", "Sharded early.")
	if st := state(); st != paved.ExceptionRevoked {
		t.Fatalf("after revoking: %s", st)
	}
}
