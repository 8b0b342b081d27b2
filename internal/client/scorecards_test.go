package client

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestScorecardRequests: each method sends the route and query the server
// expects and decodes its answer.
func TestScorecardRequests(t *testing.T) {
	rec := &recorder{answers: map[string]string{
		"GET /api/v1/scorecards": `[{"service":"pay","team":"payments","scorecard":"security","day":"2026-03-16","since":"2026-03-14","level":"bronze","score":0.5,"failing":["reviews"]},
			{"service":"search","team":"payments","scorecard":"security","day":"2026-03-16","since":"2026-03-16","level":"","score":0.2,"failing":["reviews","runbooks"]}]`,
		"GET /api/v1/services/pay/scorecards": `{"service":"pay","team":"payments","scorecards":[{"scorecard":"security","title":"Security hygiene","service":"pay","team":"payments","level":"bronze","next":"silver","score":0.5,"rules":[{"id":"reviews","title":"Reviewed","level":"silver","pass":false,"detail":"no fact"}],"missing":[{"id":"reviews","title":"Reviewed","level":"silver","pass":false,"detail":"no fact"}],"next_step":"Require reviews."}]}`,
		"POST /api/v1/scorecards/evaluate":    `{"services":2,"evaluations":3,"notices":1}`,
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := New(srv.URL, "pvd_tok")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rs, err := c.ScorecardStandings(ctx, paved.ScorecardFilter{Team: "payments", Scorecard: "security", Service: "pay"}, "bronze")
	if err != nil || len(rs) != 1 || rs[0].Since != "2026-03-14" {
		t.Fatalf("ScorecardStandings = %v, %v", rs, err)
	}
	st, err := c.ServiceScorecards(ctx, "pay")
	if err != nil || len(st.Scorecards) != 1 || st.Scorecards[0].Missing[0].ID != "reviews" || st.Scorecards[0].NextStep == "" {
		t.Fatalf("ServiceScorecards = %+v, %v", st, err)
	}
	res, err := c.EvaluateScorecards(ctx)
	if err != nil || res.Services != 2 || res.Evaluations != 3 || res.Notices != 1 {
		t.Fatalf("EvaluateScorecards = %+v, %v", res, err)
	}
	want := `GET /api/v1/scorecards?level=bronze&scorecard=security&team=payments auth="Bearer pvd_tok" ctype=""
GET /api/v1/services/pay/scorecards auth="Bearer pvd_tok" ctype=""
POST /api/v1/scorecards/evaluate auth="Bearer pvd_tok" ctype=""
`
	if got := rec.log.String(); got != want {
		t.Errorf("requests:\n got %s\nwant %s", got, strings.TrimSpace(want))
	}
}
