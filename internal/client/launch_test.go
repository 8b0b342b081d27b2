package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestLaunchRequests runs every launch method against the recording server
// and compares the requests with testdata/launch_requests.golden.
func TestLaunchRequests(t *testing.T) {
	rec := &recorder{answers: map[string]string{
		"GET /api/v1/services/pay/launch":             `{"service":{"name":"pay","owner":"payments","tier":1},"versions":{"questionnaire":1,"checklist":2},"areas":[],"score":{"overall":0.5},"next_gate":{"from":"green-light","to":"production","gaps":[{"kind":"assessment","message":"record a load profile"}]},"next_step":"record a load profile","phases":[]}`,
		"GET /api/v1/services/pay/launch/readiness":   `{"items":[{"at":"2030-01-02T00:00:00Z","score":{"overall":0.25}}],"total":1,"offset":0,"limit":1}`,
		"GET /api/v1/walkthroughs/7":                  `{"id":7,"service":"pay","scheduled_at":"2030-05-04T14:00:00Z","participants":["ann"],"signoffs":[],"follow_ups":[],"required":["peer","architect"],"current":{},"outcome":"pending","veto_allowed":false}`,
		"POST /api/v1/walkthroughs/7/signoffs":        `{"id":7,"service":"pay","outcome":"approved","required":["peer"],"current":{"peer":{"signer":"bob","role":"peer","decision":"approve"}}}`,
		"POST /api/v1/services/pay/phase":             `{"service":"pay","from":"green-light","to":"production","actor":"ann"}`,
		"GET /api/v1/launches/blocked":                `{"items":[{"service":"pay","team":"payments","tier":1,"phase":"green-light","score":0.5,"next_gate":{"to":"production","gaps":[]}}],"total":1}`,
		"POST /api/v1/services/pay/checks":            `{"id":4,"service":"pay","actor":"ci","at":"2030-01-02T00:00:00Z","resource_types":{},"rules":[],"findings":[]}`,
		"GET /api/v1/services/pay/launch/packet":      "# pay\n",
		"GET /api/v1/services/pay/answers/ha/history": `{"items":[{"service":"pay","item":"ha","revision":1}],"total":1}`,
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

	st, err := c.LaunchStatus(ctx, "pay")
	must(err)
	if st.Service.Name != "pay" || st.Versions[paved.KindChecklist] != 2 || st.Next.To != paved.PhaseProduction || len(st.Next.Gaps) != 1 {
		t.Errorf("LaunchStatus = %+v", st)
	}
	var packet bytes.Buffer
	must(c.Packet(ctx, "pay", "html", &packet))
	if packet.String() != "# pay\n" {
		t.Errorf("Packet wrote %q", packet.String())
	}
	pts, err := c.Readiness(ctx, "pay")
	must(err)
	if len(pts) != 1 || pts[0].Score.Overall != 0.25 {
		t.Errorf("Readiness = %+v", pts)
	}
	_, err = c.Upgrade(ctx, "pay", paved.KindChecklist, true)
	must(err)
	must(c.SetContact(ctx, "pay", "hana"))
	_, err = c.Answer(ctx, "pay", "ha", launch.AnswerInput{Text: "two zones", Links: []string{"https://x.example.com/ha"}, TemplateVersion: 1})
	must(err)
	_, err = c.Answer(ctx, "pay", "pen-test", launch.AnswerInput{Status: paved.AnswerNA, NAReason: "internal only"})
	must(err)
	revs, err := c.History(ctx, "pay", "ha")
	must(err)
	if len(revs) != 1 || revs[0].Revision != 1 {
		t.Errorf("History = %+v", revs)
	}
	_, err = c.Review(ctx, "pay", "pen-test", paved.AnswerReview{AcceptNA: true})
	must(err)
	empty := ""
	_, err = c.Review(ctx, "pay", "ha", paved.AnswerReview{Flag: &empty})
	must(err)
	_, err = c.Comments(ctx, "pay", "a/b")
	must(err)
	_, err = c.Comment(ctx, "pay", "ha", "which zones?")
	must(err)
	_, err = c.Assess(ctx, "pay", &paved.Assessment{Kind: paved.AssessLoad, ExpectedPeakRPS: 100, TestedRPS: 150, P99Millis: 80})
	must(err)
	pc, err := c.Advance(ctx, "pay", paved.PhaseProduction, false, "")
	must(err)
	if pc.To != paved.PhaseProduction || pc.Actor != "ann" {
		t.Errorf("Advance = %+v", pc)
	}
	_, err = c.Advance(ctx, "pay", "", true, "incident fix")
	must(err)
	_, err = c.Schedule(ctx, "pay", time.Date(2030, 5, 4, 16, 0, 0, 0, time.FixedZone("CEST", 2*3600)), []string{"ann", "bob"})
	must(err)
	_, err = c.Schedule(ctx, "pay", time.Date(2030, 5, 4, 14, 0, 0, 0, time.UTC), nil)
	must(err)
	ws, err := c.Walkthrough(ctx, 7)
	must(err)
	if ws.Walkthrough == nil || ws.ID != 7 || ws.Outcome != paved.OutcomePending || len(ws.Required) != 2 {
		t.Errorf("Walkthrough = %+v", ws)
	}
	must(c.CancelWalkthrough(ctx, 7, ""))
	ws, err = c.Sign(ctx, 7, paved.SignPeer, paved.DecisionApprove, "")
	must(err)
	if ws.Outcome != paved.OutcomeApproved || ws.Current[paved.SignPeer].Signer != "bob" {
		t.Errorf("Sign = %+v", ws)
	}
	_, err = c.AddFollowUp(ctx, 7, "restore drill", "ann", time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC))
	must(err)
	_, err = c.CompleteFollowUp(ctx, 7, 3)
	must(err)
	bl, err := c.Blocked(ctx, "payments")
	must(err)
	if len(bl) != 1 || bl[0].Service != "pay" {
		t.Errorf("Blocked = %+v", bl)
	}
	_, err = c.Inbox(ctx)
	must(err)
	_, err = c.Template(ctx, paved.KindQuestionnaire, 0)
	must(err)
	_, err = c.Template(ctx, paved.KindChecklist, 2)
	must(err)
	cr := &paved.CheckRecord{Service: "pay", Commit: "abc123", ResourceTypes: map[string]int{"aws_db_instance": 1}, Rules: []string{"rds-multi-az"}, Findings: []paved.Finding{}}
	must(c.RecordCheck(ctx, cr))
	if cr.ID != 4 || cr.Actor != "ci" {
		t.Errorf("RecordCheck filled %+v", cr)
	}
	testutil.Golden(t, filepath.Join("testdata", "launch_requests.golden"), rec.log.Bytes())
}

// TestLaunchProblem: a refused gate comes back as the server's
// unprocessable error with every gap.
func TestLaunchProblem(t *testing.T) {
	srv := httptest.NewServer(problemHandler(422, `{"status":422,"code":"unprocessable","detail":"pay cannot move to production:\n- record a load profile\n- schedule the walkthrough"}`))
	defer srv.Close()
	c, _ := New(srv.URL, "pvd_x")
	_, err := c.Advance(context.Background(), "pay", paved.PhaseProduction, false, "")
	if paved.ErrorCode(err) != paved.EUNPROCESSABLE || !strings.Contains(paved.ErrorMessage(err), "\n- schedule the walkthrough") {
		t.Errorf("Advance = %v", err)
	}
}

func problemHandler(status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}
