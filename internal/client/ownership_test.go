package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/ownership"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestOwnershipRequests runs every ownership method against the recording
// server and compares the requests with testdata/ownership_requests.golden.
func TestOwnershipRequests(t *testing.T) {
	rec := &recorder{answers: map[string]string{
		"GET /api/v1/ownership":                     `{"source":"embedded","layers":[{"id":"data","title":"Data","concerns":[{"id":"backups","title":"Backups","layer":"data","owner":"product-team","consulted":[],"informed":[]}]}],"teams":[],"problems":[]}`,
		"PUT /api/v1/ownership/concerns/backups":    `{"id":"backups","owner":"sre","consulted":["security"],"informed":[]}`,
		"DELETE /api/v1/ownership/concerns/backups": `{"id":"backups","owner":"product-team","consulted":[],"informed":[]}`,
		"GET /api/v1/ownership/export":              "version: 1\n",
		"GET /api/v1/ownership/gaps":                `{"unowned":[{"concern":"siem","title":"SIEM","reason":"no owner in the ownership map","services":[]}],"services":[],"checked":3}`,
		"GET /api/v1/services/pay/ownership":        `{"service":"pay","team":"payments","check":4,"resources":1,"untabled":{},"considerations":[{"resource":"aws_db_instance.db","resource_type":"aws_db_instance","concern":"backups","coverage":"vendor-once-enabled","state":"enabled","source":"https://docs.aws.amazon.com/x"}]}`,
		"GET /api/v1/services/pay/check-resources":  `{"service":"pay","check_id":4,"at":"2030-01-02T00:00:00Z","resources":[{"address":"aws_db_instance.db","type":"aws_db_instance"}]}`,
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/services/new/check-resources" {
			fmt.Fprintf(&rec.log, "%s %s\n", r.Method, r.URL.RequestURI())
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"status":404,"code":"not_found","detail":"no check with resources is recorded for new yet"}`)
			return
		}
		rec.ServeHTTP(w, r)
	}))
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
	v, err := c.OwnershipShow(ctx, ownership.Filter{Team: "cloud-engineering", Concern: "backups"})
	must(err)
	if v.Layers[0].Concerns[0].Owner != paved.ProductTeam {
		t.Errorf("OwnershipShow = %+v", v)
	}
	cn, err := c.OwnershipEdit(ctx, &paved.OwnershipEdit{Concern: "backups", Owner: "sre", Consulted: []string{"security"}, Reason: "DBAs"})
	must(err)
	if cn.Owner != "sre" {
		t.Errorf("OwnershipEdit = %+v", cn)
	}
	_, err = c.OwnershipReset(ctx, "backups")
	must(err)
	b, err := c.OwnershipExport(ctx)
	must(err)
	if string(b) != "version: 1\n" {
		t.Errorf("OwnershipExport = %q", b)
	}
	g, err := c.OwnershipGaps(ctx)
	must(err)
	if g.Checked != 3 || g.Unowned[0].Concern != "siem" {
		t.Errorf("OwnershipGaps = %+v", g)
	}
	r, err := c.ServiceOwnership(ctx, "pay")
	must(err)
	if len(r.Considerations) != 1 || r.Considerations[0].State != paved.StateEnabled {
		t.Errorf("ServiceOwnership = %+v", r)
	}
	rs, err := c.LatestCheckResources(ctx, "pay")
	must(err)
	if rs.CheckID != 4 || len(rs.Resources) != 1 {
		t.Errorf("LatestCheckResources = %+v", rs)
	}
	rs, err = c.LatestCheckResources(ctx, "new")
	must(err)
	if rs != nil {
		t.Errorf("no check yet: %+v", rs)
	}
	testutil.Golden(t, filepath.Join("testdata", "ownership_requests.golden"), rec.log.Bytes())
}
