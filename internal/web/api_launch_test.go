package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/launch"
)

// firstItem is the id of the first questionnaire item that takes a written
// answer, in the embedded templates.
func firstItem(t *testing.T) string {
	t.Helper()
	for _, it := range launch.DefaultLibrary().Current(paved.KindQuestionnaire).Items() {
		if it.Form != paved.FormLink {
			return it.ID
		}
	}
	t.Fatal("the questionnaire has no text item")
	return ""
}

func currentVersion(t *testing.T, k paved.TemplateKind) int {
	t.Helper()
	return launch.DefaultLibrary().Current(k).Version
}

// actingAs is a context in which the seeded user name acts, for seeding
// launch state through the service the server uses.
func (e *apiEnv) actingAs(name string) context.Context {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.db.FindUser(ctx, name)
	if err != nil {
		e.t.Fatalf("find user %s: %v", name, err)
	}
	return paved.WithActor(ctx, paved.Actor{User: u})
}

func (e *apiEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("seed: %v", err)
	}
}

// seedAnswer answers svc-alpha's first questionnaire item.
func seedAnswer(e *apiEnv) {
	_, err := e.srv.launch.Answer(e.actingAs("dev-alpha"), "svc-alpha", firstItem(e.t), launch.AnswerInput{Text: "It moves money."})
	e.must(err)
}

// seedNA marks svc-alpha's first questionnaire item n/a.
func seedNA(e *apiEnv) {
	_, err := e.srv.launch.Answer(e.actingAs("dev-alpha"), "svc-alpha", firstItem(e.t), launch.AnswerInput{Status: paved.AnswerNA, NAReason: "a library, not a service"})
	e.must(err)
}

// seedWalkthrough creates svc-crit (alpha's, tier 1, restricted: peer,
// architect and security sign) and schedules its walkthrough #1, by admin
// so that every other caller may be its peer.
func seedWalkthrough(e *apiEnv) {
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	e.must(e.db.CreateService(ctx, &paved.Service{Name: "svc-crit", Owner: "alpha", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhasePlayground}))
	ws, err := e.srv.launch.Schedule(e.actingAs("admin"), "svc-crit", time.Date(2030, 5, 4, 14, 0, 0, 0, time.UTC), []string{"dev-alpha", "architect", "security"})
	e.must(err)
	if ws.ID != 1 {
		e.t.Fatalf("seeded walkthrough has id %d, want 1", ws.ID)
	}
}

// seedFollowUp adds follow-up #1 to walkthrough #1.
func seedFollowUp(e *apiEnv) {
	seedWalkthrough(e)
	f, err := e.srv.launch.AddFollowUp(e.actingAs("architect"), 1, "Restore drill", "dev-alpha", time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC))
	e.must(err)
	if f.ID != 1 {
		e.t.Fatalf("seeded follow-up has id %d, want 1", f.ID)
	}
}

// requiredItems lists the items of kind that tier must settle.
func requiredItems(t *testing.T, k paved.TemplateKind, tier paved.Tier) []*paved.TemplateItem {
	t.Helper()
	var out []*paved.TemplateItem
	for _, it := range launch.DefaultLibrary().Current(k).Items() {
		if it.Required(tier) {
			out = append(out, it)
		}
	}
	return out
}

// answerBody is a valid answer to it: text and a link, whatever its form.
func answerBody(it *paved.TemplateItem) string {
	return fmt.Sprintf(`{"text":"Our answer to %s.","links":["https://docs.example.com/%s"]}`, it.ID, it.ID)
}

// TestLaunchAPIJourney walks svc-alpha (tier 2, internal) from playground
// to production through the API, with the refusals on the way.
func TestLaunchAPIJourney(t *testing.T) {
	e := newAPIEnv(t)
	const base = "/api/v1/services/svc-alpha"

	st := decode[launch.Status](t, e.as("viewer", "GET", base+"/launch", ""))
	if st.Service.Name != "svc-alpha" || st.Next == nil || st.Next.To != paved.PhaseGreenLight || len(st.Next.Gaps) == 0 || st.NextStep == "" {
		t.Fatalf("status before anything: %+v", st)
	}

	// Bad input, each a clear problem.
	item := firstItem(t)
	p := wantProblem(t, e.as("dev-alpha", "PUT", base+"/answers/no-such-item", `{"text":"x"}`), 404, "not_found")
	if !strings.Contains(p.Detail, "paved launch status") {
		t.Errorf("unknown item: %q does not say how to see the ids", p.Detail)
	}
	wantProblem(t, e.as("dev-alpha", "PUT", base+"/answers/"+item, `{"text":"x","colour":"red"}`), 400, "invalid")
	wantProblem(t, e.as("dev-alpha", "PUT", base+"/answers/"+item, `{"text":"x","template_version":99}`), 409, "conflict")
	wantProblem(t, e.as("dev-alpha", "PUT", base+"/answers/"+item, `{"status":"n/a"}`), 400, "invalid")
	wantProblem(t, e.as("dev-alpha", "PUT", "/api/v1/services/nope/answers/"+item, `{"text":"x"}`), 404, "not_found")
	wantProblem(t, e.as("dev-alpha", "POST", base+"/phase", `{"to":"launched"}`), 400, "invalid")
	wantProblem(t, e.as("dev-alpha", "POST", base+"/phase", `{"to":"production","force":true,"reason":"x"}`), 403, "forbidden")
	wantProblem(t, e.as("admin", "POST", base+"/phase", `{"to":"production","force":true}`), 400, "invalid")
	wantProblem(t, e.as("viewer", "GET", base+"/launch/packet?format=pdf", ""), 400, "invalid")
	wantProblem(t, e.as("viewer", "GET", base+"/launch?verbose=1", ""), 400, "invalid")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/walkthroughs/x", ""), 400, "invalid")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/walkthroughs/99", ""), 404, "not_found")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/templates/runbook", ""), 400, "invalid")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/templates/checklist/0", ""), 400, "invalid")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/templates/checklist/999", ""), 404, "not_found")
	wantProblem(t, e.as("dev-alpha", "POST", base+"/walkthroughs", `{"scheduled_at":"next tuesday","participants":["architect"]}`), 400, "invalid")

	// Playground -> production directly is refused with both gates' gaps.
	p = wantProblem(t, e.as("dev-alpha", "POST", base+"/phase", `{"to":"production"}`), 422, "unprocessable")
	if !strings.Contains(p.Detail, "\n") {
		t.Errorf("a refused move lists its gaps one per line: %q", p.Detail)
	}

	// The questionnaire, answered, with a comment and an n/a accepted.
	for _, it := range requiredItems(t, paved.KindQuestionnaire, 2) {
		if rec := e.as("dev-alpha", "PUT", base+"/answers/"+it.ID, answerBody(it)); rec.Code != 200 {
			t.Fatalf("answer %s: %d %s", it.ID, rec.Code, rec.Body)
		}
	}
	rec := e.as("reviewer", "POST", base+"/answers/"+item+"/comments", `{"body":"Which zones?"}`)
	if rec.Code != 201 || decode[paved.Comment](t, rec).Author != "reviewer" {
		t.Fatalf("comment: %d %s", rec.Code, rec.Body)
	}
	cl := decode[api.List[paved.Comment]](t, e.as("viewer", "GET", base+"/answers/"+item+"/comments", ""))
	if cl.Total != 1 || cl.Items[0].Body != "Which zones?" {
		t.Fatalf("comments: %+v", cl)
	}
	rec = e.as("dev-alpha", "PUT", base+"/answers/"+item, `{"status":"n/a","na_reason":"not applicable here"}`)
	if a := decode[paved.Answer](t, rec); rec.Code != 200 || a.Revision != 2 || a.Status != paved.AnswerNA {
		t.Fatalf("n/a: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("dev-alpha", "POST", base+"/answers/"+item+"/review", `{"accept_na":true}`), 403, "forbidden")
	wantProblem(t, e.as("reviewer", "POST", base+"/answers/"+item+"/review", `{"accept_na":true,"flag":"x"}`), 400, "invalid")
	rec = e.as("reviewer", "POST", base+"/answers/"+item+"/review", `{"accept_na":true}`)
	if a := decode[paved.Answer](t, rec); rec.Code != 200 || a.NAAcceptedBy != "reviewer" {
		t.Fatalf("accept n/a: %d %s", rec.Code, rec.Body)
	}
	rec = e.as("reviewer", "POST", base+"/answers/"+item+"/review", `{"flag":"say more"}`)
	if a := decode[paved.Answer](t, rec); rec.Code != 200 || a.Flag != "say more" {
		t.Fatalf("flag: %d %s", rec.Code, rec.Body)
	}
	in := decode[launch.Inbox](t, e.as("reviewer", "GET", "/api/v1/reviews", ""))
	if len(in.Flagged) != 1 || in.Flagged[0].Item != item {
		t.Errorf("reviewer's inbox: %+v", in)
	}
	hist := decode[api.List[paved.AnswerRevision]](t, e.as("viewer", "GET", base+"/answers/"+item+"/history", ""))
	if hist.Total != 2 || hist.Items[0].Revision != 1 || hist.Items[1].Status != paved.AnswerNA {
		t.Fatalf("history: %+v", hist)
	}

	// Green-light needs the contact: refused, then assigned, then open.
	p = wantProblem(t, e.as("dev-alpha", "POST", base+"/phase", `{}`), 422, "unprocessable")
	if !strings.Contains(strings.ToLower(p.Detail), "contact") {
		t.Errorf("green-light refused without naming the contact: %q", p.Detail)
	}
	wantProblem(t, e.as("dev-alpha", "PUT", base+"/contact", `{"user":"dev-beta"}`), 422, "unprocessable")
	rec = e.as("reviewer", "PUT", base+"/contact", `{"user":"reviewer"}`)
	if rec.Code != 200 || decode[api.ContactResponse](t, rec).Contact != "reviewer" {
		t.Fatalf("contact: %d %s", rec.Code, rec.Body)
	}
	rec = e.as("dev-alpha", "POST", base+"/phase", `{}`)
	if pc := decode[paved.PhaseChange](t, rec); rec.Code != 200 || pc.From != paved.PhasePlayground || pc.To != paved.PhaseGreenLight || pc.Actor != "dev-alpha" {
		t.Fatalf("to green-light: %d %s", rec.Code, rec.Body)
	}

	// Production: refused with the gaps, then the checklist, assessments
	// and an approved walkthrough open it.
	p = wantProblem(t, e.as("dev-alpha", "POST", base+"/phase", `{"to":"production"}`), 422, "unprocessable")
	for _, want := range []string{"security", "load", "walkthrough"} {
		if !strings.Contains(strings.ToLower(p.Detail), want) {
			t.Errorf("production refused without naming %s: %q", want, p.Detail)
		}
	}
	for _, it := range requiredItems(t, paved.KindChecklist, 2) {
		if rec := e.as("dev-alpha", "PUT", base+"/answers/"+it.ID, answerBody(it)); rec.Code != 200 {
			t.Fatalf("answer %s: %d %s", it.ID, rec.Code, rec.Body)
		}
	}
	wantProblem(t, e.as("dev-alpha", "POST", base+"/assessments", `{"kind":"load","expected_peak_rps":100,"service":"svc-beta"}`), 400, "invalid")
	rec = e.as("security", "POST", base+"/assessments", `{"kind":"security","threat_model":"https://docs.example.com/tm","pen_test":"https://docs.example.com/pt","risk_rating":"low","recorded_by":"mallory"}`)
	if a := decode[paved.Assessment](t, rec); rec.Code != 201 || a.RecordedBy != "security" || a.Service != "svc-alpha" || a.ID == 0 {
		t.Fatalf("security assessment: %d %s", rec.Code, rec.Body)
	}
	rec = e.as("dev-alpha", "POST", base+"/assessments", `{"kind":"load","expected_peak_rps":100,"tested_rps":150,"p99_ms":80}`)
	if rec.Code != 201 {
		t.Fatalf("load profile: %d %s", rec.Code, rec.Body)
	}
	rec = e.as("dev-alpha", "POST", base+"/walkthroughs", `{"scheduled_at":"2030-05-04 14:00","participants":["dev-beta","architect"]}`)
	if rec.Code != 201 {
		t.Fatalf("schedule: %d %s", rec.Code, rec.Body)
	}
	ws := decode[launch.WalkthroughStatus](t, rec)
	if rec.Header().Get("Location") != fmt.Sprintf("/api/v1/walkthroughs/%d", ws.ID) || ws.Outcome != paved.OutcomePending ||
		!ws.ScheduledAt.Equal(time.Date(2030, 5, 4, 14, 0, 0, 0, time.UTC)) || len(ws.Required) != 2 {
		t.Fatalf("scheduled: %s %+v", rec.Header().Get("Location"), ws)
	}
	wt := fmt.Sprintf("/api/v1/walkthroughs/%d", ws.ID)
	wantProblem(t, e.as("dev-alpha", "POST", wt+"/signoffs", `{"role":"peer","decision":"approve"}`), 403, "forbidden")                  // scheduled it
	wantProblem(t, e.as("architect", "POST", wt+"/signoffs", `{"role":"architect","decision":"veto","comment":"no"}`), 403, "forbidden") // tier 2: no veto
	wantProblem(t, e.as("security", "POST", wt+"/signoffs", `{"role":"security","decision":"approve"}`), 422, "unprocessable")           // not required
	wantProblem(t, e.as("dev-beta", "POST", wt+"/signoffs", `{"role":"peer","decision":"approve","extra":1}`), 400, "invalid")
	rec = e.as("dev-beta", "POST", wt+"/signoffs", `{"role":"peer","decision":"approve"}`)
	if rec.Code != 200 || decode[launch.WalkthroughStatus](t, rec).Outcome != paved.OutcomePending {
		t.Fatalf("peer: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("dev-beta", "POST", wt+"/signoffs", `{"role":"peer","decision":"approve"}`), 409, "conflict") // twice
	rec = e.as("architect", "POST", wt+"/signoffs", `{"role":"architect","decision":"approve"}`)
	if rec.Code != 200 || decode[launch.WalkthroughStatus](t, rec).Outcome != paved.OutcomeApproved {
		t.Fatalf("architect: %d %s", rec.Code, rec.Body)
	}
	rec = e.as("reviewer", "POST", wt+"/follow-ups", `{"description":"Restore drill","owner":"dev-alpha","due":"2030-06-01"}`)
	f := decode[paved.FollowUp](t, rec)
	if rec.Code != 201 || f.Owner != "dev-alpha" || f.Due.Format(time.DateOnly) != "2030-06-01" {
		t.Fatalf("follow-up: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("reviewer", "POST", wt+"/follow-ups", `{"description":"x","owner":"dev-alpha","due":"June"}`), 400, "invalid")
	rec = e.as("dev-alpha", "POST", fmt.Sprintf("%s/follow-ups/%d/done", wt, f.ID), "")
	if rec.Code != 200 || decode[paved.FollowUp](t, rec).DoneBy != "dev-alpha" {
		t.Fatalf("follow-up done: %d %s", rec.Code, rec.Body)
	}

	// A recorded check: the server says who and when.
	rec = e.as("dev-alpha", "POST", base+"/checks", `{"actor":"mallory","commit":"abc123","run_url":"https://ci.example.com/1","resource_types":{"aws_db_instance":1},"rules":["rds-encryption-at-rest"],"findings":[]}`)
	if c := decode[paved.CheckRecord](t, rec); rec.Code != 201 || c.Actor != "dev-alpha" || c.At.IsZero() || c.Service != "svc-alpha" || c.ID == 0 {
		t.Fatalf("check: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("dev-alpha", "POST", base+"/checks", `{"run_url":"ci/1"}`), 400, "invalid")

	rec = e.as("dev-alpha", "POST", base+"/phase", `{"to":"production"}`)
	if rec.Code != 200 {
		t.Fatalf("to production: %d %s", rec.Code, rec.Body)
	}
	st = decode[launch.Status](t, e.as("viewer", "GET", base+"/launch", ""))
	if st.Service.Phase != paved.PhaseProduction || st.Next != nil || len(st.Phases) != 2 || st.LatestCheck == nil {
		t.Fatalf("status in production: phase %s next %+v phases %d check %v", st.Service.Phase, st.Next, len(st.Phases), st.LatestCheck)
	}
	wantProblem(t, e.as("dev-alpha", "POST", base+"/phase", `{"to":"green-light"}`), 422, "unprocessable") // backwards
	rec = e.as("admin", "POST", base+"/phase", `{"to":"green-light","force":true,"reason":"rollback drill"}`)
	if pc := decode[paved.PhaseChange](t, rec); rec.Code != 200 || !pc.Forced || pc.Reason != "rollback drill" {
		t.Fatalf("forced move: %d %s", rec.Code, rec.Body)
	}

	// Readiness, the packet, the organisation views, templates.
	rl := decode[api.List[launch.ReadinessPoint]](t, e.as("viewer", "GET", base+"/launch/readiness", ""))
	if rl.Total == 0 || rl.Items[rl.Total-1].Score.Overall <= rl.Items[0].Score.Overall {
		t.Errorf("readiness does not rise: %+v", rl)
	}
	rec = e.as("viewer", "GET", base+"/launch/packet", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/markdown") || !strings.Contains(rec.Body.String(), "svc-alpha") {
		t.Fatalf("packet md: %d %q %.200s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = e.as("viewer", "GET", base+"/launch/packet?format=html", "")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || rec.Header().Get("Content-Security-Policy") != packetCSP ||
		!strings.Contains(rec.Body.String(), "<html") || strings.Contains(rec.Body.String(), "<script") {
		t.Fatalf("packet html: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Security-Policy"))
	}
	bl := decode[api.List[launch.Blocked]](t, e.as("viewer", "GET", "/api/v1/launches/blocked?team=alpha", ""))
	if bl.Total != 1 || bl.Items[0].Service != "svc-alpha" {
		t.Errorf("blocked: %+v", bl)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/launches/blocked?team=nobody", ""), 404, "not_found")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/launches/blocked?team=Not+A+Name", ""), 400, "invalid")
	q := decode[paved.Template](t, e.as("viewer", "GET", "/api/v1/templates/questionnaire", ""))
	if q.Kind != paved.KindQuestionnaire || len(q.Areas) == 0 || q.Digest == "" {
		t.Errorf("questionnaire: %+v", q)
	}
	pinned := decode[paved.Template](t, e.as("viewer", "GET", fmt.Sprintf("/api/v1/templates/checklist/%d", st.Versions[paved.KindChecklist]), ""))
	if pinned.Kind != paved.KindChecklist || pinned.Version != st.Versions[paved.KindChecklist] {
		t.Errorf("pinned checklist: %+v", pinned)
	}
	up := decode[launch.Upgrade](t, e.as("dev-alpha", "POST", base+"/launch/upgrade", `{"kind":"checklist"}`))
	if up.Applied || up.From != up.To {
		t.Errorf("upgrade to the same version: %+v", up)
	}
	wantProblem(t, e.as("dev-alpha", "POST", base+"/launch/upgrade", `{"kind":"runbook"}`), 400, "invalid")

	// Every change is in the audit log.
	al := decode[api.List[paved.AuditEvent]](t, e.as("admin", "GET", "/api/v1/audit?object_id=svc-alpha&limit=500", ""))
	var actions []string
	for _, ev := range al.Items {
		actions = append(actions, ev.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "phase") {
		t.Errorf("no phase events in the audit log: %v", actions)
	}
}

// TestLaunchAPIVeto: on a tier 1 service an architect may veto; the veto
// ends the walkthrough, and a cancelled walkthrough takes no sign-off.
func TestLaunchAPIVeto(t *testing.T) {
	e := newAPIEnv(t)
	seedWalkthrough(e)
	rec := e.as("architect", "POST", "/api/v1/walkthroughs/1/signoffs", `{"role":"architect","decision":"veto","comment":"no DR plan"}`)
	ws := decode[launch.WalkthroughStatus](t, rec)
	if rec.Code != 200 || ws.Outcome != paved.OutcomeVetoed || !ws.VetoAllowed || ws.Current[paved.SignArchitect].Signer != "architect" {
		t.Fatalf("veto: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("security", "POST", "/api/v1/walkthroughs/1/signoffs", `{"role":"security","decision":"approve"}`), 409, "conflict")

	// A vetoed walkthrough is closed: a new one can be scheduled, and the
	// veto carries over to it as the architect's request for changes, so
	// the team cannot cancel it; an admin can, with a reason; it then takes
	// no sign-offs.
	rec = e.as("dev-alpha", "POST", "/api/v1/services/svc-crit/walkthroughs", `{"scheduled_at":"2030-06-04T10:00:00+02:00","participants":["architect"]}`)
	if rec.Code != 201 {
		t.Fatalf("reschedule: %d %s", rec.Code, rec.Body)
	}
	next := decode[launch.WalkthroughStatus](t, rec)
	id := next.ID
	if next.Outcome != paved.OutcomeChangesRequested || next.Current[paved.SignArchitect] == nil || next.Current[paved.SignArchitect].Signer != "architect" {
		t.Errorf("the new walkthrough does not carry the veto over: %s", rec.Body)
	}
	wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/services/svc-crit/walkthroughs", `{"scheduled_at":"2030-06-05 10:00","participants":["architect"]}`), 409, "conflict")
	wantProblem(t, e.as("dev-alpha", "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/cancel", id), ""), 403, "forbidden")
	wantProblem(t, e.as("admin", "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/cancel", id), ""), 400, "invalid")
	rec = e.as("admin", "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/cancel", id), `{"reason":"rescheduled with the DR plan"}`)
	if rec.Code != 200 || !decode[launch.WalkthroughStatus](t, rec).Cancelled {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("admin", "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/cancel", id), `{"reason":"again"}`), 409, "conflict")
	wantProblem(t, e.as("dev-beta", "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/signoffs", id), `{"role":"peer","decision":"approve"}`), 409, "conflict")
	got := decode[launch.WalkthroughStatus](t, e.as("viewer", "GET", fmt.Sprintf("/api/v1/walkthroughs/%d", id), ""))
	if !got.Cancelled || !got.ScheduledAt.Equal(time.Date(2030, 6, 4, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("cancelled walkthrough: %+v", got)
	}
}

// TestLaunchJSONShapes checks that WalkthroughStatus encodes its walkthrough
// inline, as the OpenAPI document says.
func TestLaunchJSONShapes(t *testing.T) {
	e := newAPIEnv(t)
	seedWalkthrough(e)
	rec := e.as("viewer", "GET", "/api/v1/walkthroughs/1", "")
	var m map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "service", "scheduled_at", "participants", "signoffs", "follow_ups", "required", "current", "outcome", "veto_allowed"} {
		if _, ok := m[k]; !ok {
			t.Errorf("walkthrough answer lacks %q: %s", k, rec.Body)
		}
	}
	if _, ok := m["Walkthrough"]; ok {
		t.Errorf("walkthrough nested instead of inline: %s", rec.Body)
	}
	if rec.Code != http.StatusOK {
		t.Fatal(rec.Code)
	}
}
