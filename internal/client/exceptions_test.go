package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestExceptionRequests runs every exception method against the recording
// server and compares the requests with testdata/exception_requests.golden.
func TestExceptionRequests(t *testing.T) {
	rec := &recorder{answers: map[string]string{
		"POST /api/v1/exceptions":             `{"check":4,"service":"pay","exceptions":[{"id":12,"service":"pay","status":"pending"}],"created":1}`,
		"GET /api/v1/exceptions":              `{"items":[{"id":12,"service":"pay","status":"pending"}],"total":3,"offset":0,"limit":1}`,
		"GET /api/v1/exceptions/12":           `{"id":12,"service":"pay","status":"pending","value":"db.x2iedn.32xlarge","comments":[{"id":1,"author":"rita","body":"why?"}]}`,
		"POST /api/v1/exceptions/12/approve":  `{"id":12,"status":"approved","expires_at":"2030-02-01T00:00:00Z"}`,
		"POST /api/v1/exceptions/12/comments": `{"id":2,"exception":12,"author":"rita","body":"ok"}`,
		"GET /api/v1/exceptions/key":          `{"public_key":"ed25519:AAAA","key_id":"ab"}`,
		"GET /api/v1/checks/4/coverage":       `{"check":4,"service":"pay","findings":[{"rule":"r","resource":"x","fingerprint":"f","state":"pending","exception":{"id":12,"status":"pending","link":"/exceptions/12"}}],"passed":false,"pending":1}`,
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := New(srv.URL, "pvd_tok")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.RequestExceptions(ctx, exception.RequestInput{Check: 4, Service: "pay", Reason: "needs memory", Fingerprint: "f", Expires: "30d"})
	must(err)
	if res.Created != 1 || res.Exceptions[0].ID != 12 {
		t.Errorf("RequestExceptions = %+v", res)
	}
	es, n, err := c.ListExceptions(ctx, paved.ExceptionFilter{Service: "pay", Status: paved.ExceptionPending, Page: paved.Page{Limit: 1}}, true)
	must(err)
	if n != 3 || len(es) != 1 {
		t.Errorf("ListExceptions = %d %+v", n, es)
	}
	e, err := c.GetException(ctx, 12)
	must(err)
	if e.Value != "db.x2iedn.32xlarge" || len(e.Comments) != 1 {
		t.Errorf("GetException = %+v", e)
	}
	e, err = c.ApproveException(ctx, 12, "30d", "shard by Q3")
	must(err)
	if e.Status != paved.ExceptionApproved {
		t.Errorf("ApproveException = %+v", e)
	}
	_, err = c.RejectException(ctx, 12, "no")
	must(err)
	_, err = c.CommentOnException(ctx, 12, "ok")
	must(err)
	_, err = c.WithdrawException(ctx, 12, "sharded")
	must(err)
	k, err := c.ExceptionPublicKey(ctx)
	must(err)
	if k != "ed25519:AAAA" {
		t.Errorf("ExceptionPublicKey = %q", k)
	}
	cov, err := c.CheckCoverage(ctx, 4)
	must(err)
	if cov.Pending != 1 || cov.Findings[0].Exception.Link != "/exceptions/12" {
		t.Errorf("CheckCoverage = %+v", cov)
	}
	testutil.Golden(t, filepath.Join("testdata", "exception_requests.golden"), rec.log.Bytes())
}

func TestExportExceptions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RequestURI() != "/api/v1/exceptions/export?service=pay" {
			t.Errorf("request %s", r.URL.RequestURI())
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"format":"paved-exceptions/v1","issuer":"acme","generated_at":"2030-01-01T00:00:00Z","key_id":"ab","exceptions":[],"signature":"AA=="}`)
	}))
	defer srv.Close()
	c, err := New(srv.URL, "pvd_tok")
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.ExportExceptions(context.Background(), "pay")
	if err != nil || f.Format != exception.FileFormat || f.Signature != "AA==" {
		t.Fatalf("ExportExceptions = %+v, %v", f, err)
	}
}
