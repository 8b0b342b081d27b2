package web

import (
	"net/http"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/exception"
)

// seedExceptionCheck records check #1 of svc-alpha: a database with 1 TB
// of memory (deny) and a missing tag (warn).
func seedExceptionCheck(e *apiEnv) {
	big := paved.Finding{Rule: "aws-db-max-memory", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main",
		ResourceType: "aws_db_instance", Path: "instance_class", Value: "db.x2iedn.32xlarge",
		Message: "db.x2iedn.32xlarge has 1024 GiB of memory, above the 256 GiB ceiling"}
	warn := paved.Finding{Rule: "required-tags", Severity: paved.SeverityWarn, Resource: "aws_db_instance.main", Message: "no cost-center tag"}
	big.Fingerprint, warn.Fingerprint = big.ComputeFingerprint(), warn.ComputeFingerprint()
	c := &paved.CheckRecord{Service: "svc-alpha", Commit: "abc123", ResourceTypes: map[string]int{"aws_db_instance": 1},
		Rules: []string{"aws-db-max-memory", "required-tags"}, Findings: []paved.Finding{big, warn}}
	e.must(e.db.RecordCheck(e.actingAs("dev-alpha"), c))
	if c.ID != 1 {
		e.t.Fatalf("seeded check has id %d, want 1", c.ID)
	}
}

// seedExceptionRequest also requests exception #1 for its deny finding, as
// dev-alpha.
func seedExceptionRequest(e *apiEnv) {
	seedExceptionCheck(e)
	res, err := e.srv.exceptions.Request(e.actingAs("dev-alpha"), exception.RequestInput{Check: 1, Reason: "The risk model needs 800 GiB in memory."})
	e.must(err)
	if len(res.Exceptions) != 1 || res.Exceptions[0].ID != 1 {
		e.t.Fatalf("seeded request: %+v", res)
	}
}

// seedExceptionApproved approves exception #1 as reviewer.
func seedExceptionApproved(e *apiEnv) {
	seedExceptionRequest(e)
	_, err := e.srv.exceptions.Approve(e.actingAs("reviewer"), 1, "30d", "")
	e.must(err)
}

// TestAPIExceptionFlow walks journey 4 through the API: a check with a
// deny finding, a request, a question, an approval, coverage, export.
func TestAPIExceptionFlow(t *testing.T) {
	e := newAPIEnv(t)
	seedExceptionCheck(e)
	dev, rev := tokenOf("dev-alpha"), tokenOf("reviewer")

	rec := e.do("GET", "/api/v1/checks/1/coverage", dev, "")
	cov := decode[paved.ExceptionCoverage](t, rec)
	if rec.Code != 200 || cov.Passed || len(cov.Findings) != 1 || cov.Findings[0].State != paved.FindingUncovered {
		t.Fatalf("coverage before: %d %s", rec.Code, rec.Body)
	}

	rec = e.do("POST", "/api/v1/exceptions", dev, `{"check":1,"reason":"The risk model needs 800 GiB in memory."}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("request: %d %s", rec.Code, rec.Body)
	}
	res := decode[exception.RequestResult](t, rec)
	if res.Created != 1 || res.Exceptions[0].Value != "db.x2iedn.32xlarge" {
		t.Fatalf("request: %+v", res)
	}
	// Idempotent: 200 with the same request.
	rec = e.do("POST", "/api/v1/exceptions", dev, `{"check":1,"reason":"again"}`)
	if rec.Code != http.StatusOK || decode[exception.RequestResult](t, rec).Reused != 1 {
		t.Fatalf("repeated request: %d %s", rec.Code, rec.Body)
	}
	// Replayed for another service.
	rec = e.do("POST", "/api/v1/exceptions", dev, `{"check":1,"service":"svc-beta","reason":"replay"}`)
	wantProblem(t, rec, http.StatusUnprocessableEntity, "unprocessable")

	rec = e.do("GET", "/api/v1/exceptions?status=pending", rev, "")
	list := decode[api.List[*paved.Exception]](t, rec)
	if list.Total != 1 || list.Items[0].ID != 1 {
		t.Fatalf("queue: %s", rec.Body)
	}
	rec = e.do("POST", "/api/v1/exceptions/1/comments", rev, `{"body":"Why not 512 GiB?"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}
	// Beyond the maximum; then approved for 30 days.
	rec = e.do("POST", "/api/v1/exceptions/1/approve", rev, `{"expires":"400d"}`)
	wantProblem(t, rec, http.StatusUnprocessableEntity, "unprocessable")
	rec = e.do("POST", "/api/v1/exceptions/1/approve", rev, `{"expires":"30d","conditions":"Shard by Q3."}`)
	got := decode[paved.Exception](t, rec)
	if rec.Code != 200 || got.Status != paved.ExceptionApproved || len(got.Comments) != 1 {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	// Decided already: 409.
	rec = e.do("POST", "/api/v1/exceptions/1/reject", rev, `{"reason":"no"}`)
	wantProblem(t, rec, http.StatusConflict, "conflict")

	rec = e.do("GET", "/api/v1/checks/1/coverage", dev, "")
	cov = decode[paved.ExceptionCoverage](t, rec)
	if !cov.Passed || cov.Findings[0].Exception.ID != 1 {
		t.Fatalf("coverage after: %s", rec.Body)
	}

	rec = e.do("GET", "/api/v1/exceptions/key", dev, "")
	key := decode[api.PublicKeyResponse](t, rec)
	trust, err := exception.ParsePublicKey(key.PublicKey)
	if err != nil {
		t.Fatalf("key: %v (%s)", err, rec.Body)
	}
	rec = e.do("GET", "/api/v1/exceptions/export?service=svc-alpha", dev, "")
	v, err := exception.Verify(rec.Body.Bytes(), trust, e.srv.now())
	if err != nil || len(v.Valid) != 1 {
		t.Fatalf("export: %v %s", err, rec.Body)
	}
	tampered := strings.Replace(rec.Body.String(), "db.x2iedn.32xlarge", "db.x2iedn.metal", 1)
	if _, err := exception.Verify([]byte(tampered), trust, e.srv.now()); err == nil {
		t.Fatal("a tampered export verifies")
	}

	for _, bad := range []string{"/api/v1/exceptions?status=open", "/api/v1/exceptions?expiring=maybe", "/api/v1/exceptions?nope=1", "/api/v1/checks/x/coverage"} {
		wantProblem(t, e.do("GET", bad, dev, ""), http.StatusBadRequest, "invalid")
	}
	wantProblem(t, e.do("GET", "/api/v1/exceptions/99", dev, ""), http.StatusNotFound, "not_found")
	wantProblem(t, e.do("GET", "/api/v1/checks/99/coverage", dev, ""), http.StatusNotFound, "not_found")
}
