package launch_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/store"
)

// clock steps one second on every reading, so that every write has its
// own time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	db    *store.DB
	svc   *launch.Service
	clock *clock
	users map[string]*paved.User
}

// newFixture opens a fresh store with the organisation of the tests:
//
//	payments (product):   dev, pat (developers)
//	search (product):     olu (developer)
//	platform (dev-prod):  erin (reviewer, the enablement contact)
//	architecture (infra): ari (architect)
//	security (security):  sam (security)
//	ada: admin, in no team
//
// and payments-api, a tier 2 service with confidential data in
// playground: its walkthrough needs peer, architect and security.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureAt(t, filepath.Join(t.TempDir(), "paved.db"))
}

// newFixtureAt is newFixture on the database dsn (testutil.DSN gives one
// of either engine).
func newFixtureAt(t *testing.T, dsn string) *fixture {
	t.Helper()
	current = t
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "setup"})
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	db, err := store.Open(ctx, dsn, store.WithNow(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, tm := range []*paved.Team{
		{Name: "payments", Kind: paved.KindProduct},
		{Name: "search", Kind: paved.KindProduct},
		{Name: "platform", Kind: paved.KindDeveloperProductivity},
		{Name: "architecture", Kind: paved.KindInfrastructure},
		{Name: "security", Kind: paved.KindSecurity},
	} {
		if err := db.CreateTeam(ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, db: db, clock: c, users: map[string]*paved.User{}}
	for _, u := range []*paved.User{
		{Name: "dev", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
		{Name: "pat", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
		{Name: "olu", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"search"}},
		{Name: "erin", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform"}},
		{Name: "ari", Roles: []paved.Role{paved.RoleArchitect}, Teams: []string{"architecture"}},
		{Name: "sam", Roles: []paved.Role{paved.RoleSecurity}, Teams: []string{"security"}},
		{Name: "ada", Roles: []paved.Role{paved.RoleAdmin}},
	} {
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindUser(ctx, u.Name)
		if err != nil {
			t.Fatal(err)
		}
		f.users[u.Name] = got
	}
	for _, s := range []*paved.Service{
		{Name: "payments-api", Owner: "payments", Tier: 2, DataClass: paved.DataConfidential, Phase: paved.PhasePlayground,
			Links: []paved.Link{{URL: "https://runbooks.example.com/payments", Type: "runbook"}}},
		{Name: "search-api", Owner: "search", Tier: 4, DataClass: paved.DataPublic, Phase: paved.PhasePlayground},
		{Name: "ledger", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhaseProduction, Grandfathered: true},
	} {
		if err := db.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tpl := launch.TestTemplates()
	f.svc = &launch.Service{Store: db, Library: launch.NewTestLibrary(tpl[paved.KindQuestionnaire], tpl[paved.KindChecklist]), Now: c.Now}
	return f
}

func (f *fixture) as(name string) context.Context {
	u := f.users[name]
	if u == nil {
		f.t.Fatalf("no user %s", name)
	}
	return paved.WithActor(context.Background(), paved.Actor{User: u})
}

func code(err error) string { return paved.ErrorCode(err) }

// current is the running test, for must. The Service tests do not run in
// parallel.
var current *testing.T

// must fails the current test on err.
func must[T any](v T, err error) T {
	current.Helper()
	if err != nil {
		current.Fatal(err)
	}
	return v
}

func wantCode(t *testing.T, what string, err error, want string, msg ...string) {
	t.Helper()
	if code(err) != want {
		t.Errorf("%s: %v (code %q), want %q", what, err, code(err), want)
		return
	}
	for _, m := range msg {
		if err == nil || !strings.Contains(err.Error(), m) {
			t.Errorf("%s: %v, want a message containing %q", what, err, m)
		}
	}
}

func answer(text string) launch.AnswerInput { return launch.AnswerInput{Text: text} }

// TestServicePathToProduction walks payments-api from playground to
// production, meeting each refusal on the way.
func TestServicePathToProduction(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	dev := f.as("dev")
	const svc = "payments-api"

	// Unpinned: the configured versions show, nothing is stored yet.
	st := must(s.Status(dev, svc))
	if st.Versions[paved.KindQuestionnaire] != 1 || st.Next == nil || st.Next.To != paved.PhaseGreenLight {
		t.Fatalf("status: versions %v next %+v", st.Versions, st.Next)
	}
	if st.NextStep != "Answer 3 required questionnaire items, starting with ha-approach." {
		t.Errorf("next step %q", st.NextStep)
	}
	if l := must(f.db.FindLaunch(dev, svc)); l.Versions[paved.KindQuestionnaire] != 0 {
		t.Fatalf("pinned before any write: %v", l.Versions)
	}

	// Bad answers.
	_, err := s.Answer(dev, svc, "no-such-item", answer("x"))
	wantCode(t, "unknown item", err, paved.ENOTFOUND, "paved launch status payments-api")
	_, err = s.Answer(dev, svc, "ha-approach", launch.AnswerInput{Text: "x", TemplateVersion: 2})
	wantCode(t, "other template version", err, paved.ECONFLICT, "pinned to questionnaire version 1")
	_, err = s.Answer(dev, svc, "ha-approach", answer("   "))
	wantCode(t, "empty text", err, paved.EINVALID)
	_, err = s.Answer(dev, svc, "support", answer("the on-call rota"))
	wantCode(t, "link item without a link", err, paved.EINVALID, "link")
	_, err = s.Answer(dev, svc, "support", launch.AnswerInput{Links: []string{"ftp://x"}})
	wantCode(t, "not an http link", err, paved.EINVALID, "http")
	_, err = s.Answer(dev, svc, "support", launch.AnswerInput{Links: []string{"/relative"}})
	wantCode(t, "relative link", err, paved.EINVALID)
	_, err = s.Answer(dev, svc, "support", launch.AnswerInput{Status: paved.AnswerNA})
	wantCode(t, "n/a without a reason", err, paved.EINVALID, "reason")
	_, err = s.Answer(dev, svc, "support", launch.AnswerInput{Status: "maybe"})
	wantCode(t, "unknown status", err, paved.EINVALID)
	if l := must(f.db.FindLaunch(dev, svc)); l.Versions[paved.KindQuestionnaire] != 0 {
		t.Fatalf("a refused answer pinned the templates: %v", l.Versions)
	}
	// A phase change the gate refuses (422) writes nothing either: no
	// launch.pin in the audit log.
	head := must(f.db.AuditHead(dev))
	_, err = s.Advance(dev, svc, "", false, "")
	wantCode(t, "advance with nothing answered", err, paved.EUNPROCESSABLE)
	if after := must(f.db.AuditHead(dev)); after != head {
		t.Fatalf("a refused advance wrote %d audit events", after-head)
	}
	if l := must(f.db.FindLaunch(dev, svc)); l.Versions[paved.KindQuestionnaire] != 0 {
		t.Fatalf("a refused advance pinned the templates: %v", l.Versions)
	}

	// The first answer pins both templates.
	a := must(s.Answer(dev, svc, "ha-approach", launch.AnswerInput{Text: "Two AZs", TemplateVersion: 1}))
	if a.Revision != 1 || a.Author != "dev" || a.Kind != paved.KindQuestionnaire || a.TemplateVersion != 1 {
		t.Errorf("answer %+v", a)
	}
	if l := must(f.db.FindLaunch(dev, svc)); l.Versions[paved.KindQuestionnaire] != 1 || l.Versions[paved.KindChecklist] != 1 {
		t.Fatalf("not pinned: %v", l.Versions)
	}

	// The green-light gate lists what is missing.
	_, err = s.Advance(dev, svc, "", false, "")
	wantCode(t, "advance with gaps", err, paved.EUNPROCESSABLE, "payments-api cannot move from playground to green-light: 3 things are missing",
		"answer questionnaire item data-protection", "answer questionnaire item support", "assign an enablement contact")

	// The contact must be from an enablement team.
	wantCode(t, "contact from a product team", s.SetContact(dev, svc, "olu"), paved.EUNPROCESSABLE, "enablement team")
	wantCode(t, "unknown contact", s.SetContact(dev, svc, "nobody"), paved.EUNPROCESSABLE)
	if err := s.SetContact(dev, svc, "erin"); err != nil {
		t.Fatal(err)
	}
	must(s.Answer(dev, svc, "data-protection", answer("TLS everywhere; KMS at rest")))
	must(s.Answer(dev, svc, "support", launch.AnswerInput{Links: []string{"https://oncall.example.com/payments", " "}}))
	st = must(s.Status(dev, svc))
	if !st.Next.Open() || !strings.HasPrefix(st.NextStep, "Ready: move to green-light") {
		t.Fatalf("gate %+v, next step %q", st.Next, st.NextStep)
	}
	pc := must(s.Advance(dev, svc, "", false, ""))
	if pc.From != paved.PhasePlayground || pc.To != paved.PhaseGreenLight || pc.Actor != "dev" || pc.Forced {
		t.Errorf("phase change %+v", pc)
	}

	// Production: nothing yet.
	_, err = s.Advance(dev, svc, paved.PhaseProduction, false, "")
	wantCode(t, "production with gaps", err, paved.EUNPROCESSABLE, "answer checklist item deploy-rollback (Deployment)",
		"record a security assessment", "record a load profile", "schedule the walkthrough")

	for _, id := range []string{"deploy-rollback", "config-management"} {
		must(s.Answer(dev, svc, id, answer("documented in the repo")))
	}
	// Encryption at rest from the guard-rail check, recorded by CI (a
	// tier 2 service's evidence must come from CI; a person's check is
	// refused, with the reason).
	if err := s.RecordCheck(dev, &paved.CheckRecord{Service: svc, Commit: "abc123def", ResourceTypes: map[string]int{"aws_db_instance": 1},
		Rules: []string{"rds-encryption-at-rest"}}); err != nil {
		t.Fatal(err)
	}
	st = must(s.Status(dev, svc))
	for _, a := range st.Areas {
		for _, it := range a.Items {
			if it.Item.ID == "encryption-at-rest" && (it.State == launch.StateEvidenced || !strings.Contains(it.Evidence.Detail, "must come from CI")) {
				t.Errorf("encryption-at-rest from a person's check: %s %+v", it.State, it.Evidence)
			}
		}
	}
	ci := paved.WithActor(context.Background(), paved.Actor{User: &paved.User{Name: paved.CIUser,
		Scope: &paved.TokenScope{Access: paved.ScopeChecks, Services: []string{svc}, CI: "ci:token.actions.githubusercontent.com/acme/payments-api@abc123def"}}})
	if err := s.RecordCheck(ci, &paved.CheckRecord{Service: svc, Commit: "abc123def", ResourceTypes: map[string]int{"aws_db_instance": 1},
		Rules: []string{"rds-encryption-at-rest"}}); err != nil {
		t.Fatal(err)
	}
	st = must(s.Status(dev, svc))
	for _, a := range st.Areas {
		for _, it := range a.Items {
			if it.Item.ID == "encryption-at-rest" && (it.State != launch.StateEvidenced || !strings.Contains(it.Evidence.Detail, "check #")) {
				t.Errorf("encryption-at-rest: %s %+v", it.State, it.Evidence)
			}
		}
	}

	// Assessments.
	_, err = s.Assess(dev, svc, &paved.Assessment{Kind: paved.AssessSecurity, ThreatModel: "not a link"})
	wantCode(t, "threat model not a link", err, paved.EINVALID)
	_, err = s.Assess(dev, svc, &paved.Assessment{Kind: paved.AssessSecurity, RiskRating: "meh"})
	wantCode(t, "unknown risk", err, paved.EINVALID)
	_, err = s.Assess(dev, svc, &paved.Assessment{Kind: paved.AssessLoad, TestedRPS: -1})
	wantCode(t, "negative load", err, paved.EINVALID)
	_, err = s.Assess(dev, svc, &paved.Assessment{Kind: paved.AssessLoad, RiskRating: paved.RiskLow})
	wantCode(t, "mixed kinds", err, paved.EINVALID)
	_, err = s.Assess(dev, svc, &paved.Assessment{Kind: "audit"})
	wantCode(t, "unknown kind", err, paved.EINVALID)
	sec := must(s.Assess(f.as("sam"), svc, &paved.Assessment{Kind: "Security", ThreatModel: "https://docs.example.com/tm", RiskRating: "Medium"}))
	if sec.ID == 0 || sec.RecordedBy != "sam" || sec.RiskRating != paved.RiskMedium || sec.Service != svc {
		t.Errorf("assessment %+v", sec)
	}
	must(s.Assess(dev, svc, &paved.Assessment{Kind: paved.AssessLoad, ExpectedPeakRPS: 200, TestedRPS: 150, P99Millis: 90}))
	_, err = s.Advance(dev, svc, paved.PhaseProduction, false, "")
	wantCode(t, "pen test and load", err, paved.EUNPROCESSABLE, "pen-test", "below the expected peak")
	must(s.Assess(f.as("sam"), svc, &paved.Assessment{Kind: paved.AssessSecurity, ThreatModel: "https://docs.example.com/tm", RiskRating: paved.RiskMedium, PenTest: "https://docs.example.com/pentest"}))
	must(s.Assess(dev, svc, &paved.Assessment{Kind: paved.AssessLoad, ExpectedPeakRPS: 200, TestedRPS: 300, P99Millis: 90}))
	if st := must(s.Status(dev, svc)); st.NextStep != "Schedule the walkthrough." {
		t.Errorf("next step %q", st.NextStep)
	}

	// The walkthrough.
	_, err = s.Schedule(dev, svc, time.Time{}, nil)
	wantCode(t, "no date", err, paved.EINVALID)
	_, err = s.Schedule(dev, svc, f.clock.Now().Add(48*time.Hour), []string{"pat", "ghost"})
	wantCode(t, "unknown participant", err, paved.EUNPROCESSABLE, "ghost")
	w := must(s.Schedule(dev, svc, f.clock.Now().Add(48*time.Hour), []string{"pat", "ari", "sam", "pat"}))
	if !slices.Equal(w.Participants, []string{"pat", "ari", "sam"}) || w.Outcome != paved.OutcomePending ||
		!slices.Equal(w.Required, []paved.SignRole{paved.SignPeer, paved.SignArchitect, paved.SignSecurity}) || w.VetoAllowed {
		t.Errorf("walkthrough %+v", w)
	}
	_, err = s.Schedule(dev, svc, f.clock.Now().Add(72*time.Hour), nil)
	wantCode(t, "second walkthrough while one is open", err, paved.ECONFLICT, "cancel it first")
	if err := s.CancelWalkthrough(dev, w.ID, ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "cancel twice", s.CancelWalkthrough(dev, w.ID, ""), paved.ECONFLICT)
	_, err = s.Sign(f.as("pat"), w.ID, paved.SignPeer, paved.DecisionApprove, "")
	wantCode(t, "sign a cancelled walkthrough", err, paved.ECONFLICT, "cancelled")
	w = must(s.Schedule(dev, svc, f.clock.Now().Add(72*time.Hour), []string{"pat", "ari", "sam"}))

	if in := must(s.Inbox(f.as("pat"), "")); len(in.Signoffs) != 1 {
		t.Errorf("pat (a participant) is not offered the peer role: %+v", in.Signoffs)
	}
	if in := must(s.Inbox(f.as("olu"), "")); len(in.Signoffs) != 0 {
		t.Errorf("olu (another team, not a participant) is offered the peer role: %+v", in.Signoffs)
	}
	_, err = s.Sign(dev, w.ID, paved.SignPeer, paved.DecisionApprove, "")
	wantCode(t, "the scheduler as peer", err, paved.EFORBIDDEN, "second pair of eyes")
	_, err = s.Sign(f.as("pat"), w.ID, paved.SignArchitect, paved.DecisionApprove, "")
	wantCode(t, "developer as architect", err, paved.EFORBIDDEN)
	_, err = s.Sign(f.as("ada"), w.ID, paved.SignArchitect, paved.DecisionApprove, "")
	wantCode(t, "admin as architect", err, paved.EFORBIDDEN)
	_, err = s.Sign(f.as("ari"), w.ID, paved.SignArchitect, paved.DecisionVeto, "no")
	wantCode(t, "veto on tier 2", err, paved.EFORBIDDEN, "request changes instead")
	ws := must(s.Sign(f.as("pat"), w.ID, "Peer", "APPROVE", ""))
	if ws.Current[paved.SignPeer] == nil || ws.Current[paved.SignPeer].Signer != "pat" {
		t.Errorf("peer sign-off %+v", ws.Current)
	}
	_, err = s.Sign(f.as("pat"), w.ID, paved.SignPeer, paved.DecisionApprove, "")
	wantCode(t, "approving twice", err, paved.ECONFLICT, "already approved")
	ws = must(s.Sign(f.as("ari"), w.ID, paved.SignArchitect, paved.DecisionRequestChanges, "document the rollback"))
	if ws.Outcome != paved.OutcomeChangesRequested {
		t.Errorf("outcome %s", ws.Outcome)
	}
	if st := must(s.Status(dev, svc)); !strings.Contains(st.NextStep, "Address the changes ari asked for") {
		t.Errorf("next step %q", st.NextStep)
	}
	must(s.Sign(f.as("ari"), w.ID, paved.SignArchitect, paved.DecisionApprove, "thanks"))
	if st := must(s.Status(dev, svc)); st.NextStep != "Waiting for security's sign-off on walkthrough #"+itoa(w.ID)+"." {
		t.Errorf("next step %q", st.NextStep)
	}
	// The inbox of sam shows the walkthrough; pat's no longer does.
	if in := must(s.Inbox(f.as("sam"), "")); len(in.Signoffs) != 1 || in.Signoffs[0].ID != w.ID {
		t.Errorf("sam's inbox %+v", in.Signoffs)
	}
	if in := must(s.Inbox(f.as("pat"), "")); len(in.Signoffs) != 0 {
		t.Errorf("pat's inbox %+v", in.Signoffs)
	}

	ws = must(s.Sign(f.as("sam"), w.ID, paved.SignSecurity, paved.DecisionApprove, ""))
	if ws.Outcome != paved.OutcomeApproved {
		t.Fatalf("outcome %s", ws.Outcome)
	}

	// A follow-up due before today blocks until done.
	_, err = s.AddFollowUp(dev, w.ID, "add an alert on p99", "ghost", f.clock.Now())
	wantCode(t, "unknown owner", err, paved.EUNPROCESSABLE)
	_, err = s.AddFollowUp(dev, w.ID, " ", "dev", f.clock.Now())
	wantCode(t, "no description", err, paved.EINVALID)
	fu := must(s.AddFollowUp(dev, w.ID, "add an alert on p99", "dev", f.clock.Now().Add(-48*time.Hour)))
	if fu.ID == 0 || fu.Due.Hour() != 0 || fu.CreatedBy != "dev" {
		t.Errorf("follow-up %+v", fu)
	}
	_, err = s.Advance(dev, svc, "", false, "")
	wantCode(t, "overdue follow-up", err, paved.EUNPROCESSABLE, "add an alert on p99")
	must(s.CompleteFollowUp(dev, w.ID, fu.ID))
	_, err = s.CompleteFollowUp(dev, w.ID, fu.ID)
	wantCode(t, "complete twice", err, paved.ECONFLICT)
	_, err = s.CompleteFollowUp(dev, w.ID, 999)
	wantCode(t, "unknown follow-up", err, paved.ENOTFOUND)

	pc = must(s.Advance(dev, svc, "", false, ""))
	if pc.To != paved.PhaseProduction {
		t.Fatalf("phase change %+v", pc)
	}
	st = must(s.Status(dev, svc))
	if st.Service.Phase != paved.PhaseProduction || st.Next != nil || len(st.Phases) != 2 || st.Score.Overall != 1 {
		t.Errorf("in production: phase %s next %+v phases %d score %v", st.Service.Phase, st.Next, len(st.Phases), st.Score.Overall)
	}
	_, err = s.Advance(dev, svc, "", false, "")
	wantCode(t, "no next phase", err, paved.EUNPROCESSABLE, "no next gate")
	_, err = s.Advance(dev, svc, paved.PhaseGreenLight, false, "")
	wantCode(t, "backwards", err, paved.EUNPROCESSABLE, "force")

	// Readiness rose over time.
	pts := must(s.Readiness(dev, svc))
	if len(pts) < 5 || pts[len(pts)-1].Score.Overall <= pts[0].Score.Overall {
		t.Errorf("readiness %+v", pts)
	}
	for i := 1; i < len(pts); i++ {
		if !pts[i].At.After(pts[i-1].At) {
			t.Errorf("readiness points out of order at %d", i)
		}
	}

	// The packet renders.
	p := must(s.Packet(dev, svc))
	var md, html bytes.Buffer
	if err := launch.WritePacketMarkdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if err := launch.WritePacketHTML(&html, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Walkthrough packet: payments-api", "document the rollback", "**Outcome: approved.**", "Security assessment"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown packet lacks %q", want)
		}
	}
	if len(p.Assessments) != 4 {
		t.Errorf("packet assessments: %d", len(p.Assessments))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestServiceActor(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	// A local CLI run names the actor without a signed-in user.
	cli := paved.WithActor(context.Background(), paved.Actor{Name: "dev"})
	a := must(s.Answer(cli, "payments-api", "ha-approach", answer("Two AZs")))
	if a.Author != "dev" {
		t.Errorf("author %q", a.Author)
	}
	system := paved.WithActor(context.Background(), paved.Actor{Name: "system"})
	_, err := s.Answer(system, "payments-api", "ha-approach", answer("x"))
	wantCode(t, "not a paved user", err, paved.EFORBIDDEN, "--as USER")
	_, err = s.Answer(context.Background(), "payments-api", "ha-approach", answer("x"))
	wantCode(t, "no actor at all", err, paved.EFORBIDDEN)
	// Reading needs no user.
	if _, err := s.Status(context.Background(), "payments-api"); err != nil {
		t.Error(err)
	}
	_, err = s.Status(context.Background(), "no-such-service")
	wantCode(t, "unknown service", err, paved.ENOTFOUND)
}

func TestServiceForceAndGrandfathered(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	_, err := s.Advance(f.as("dev"), "payments-api", paved.PhaseProduction, true, "launch day")
	wantCode(t, "developer forcing", err, paved.EFORBIDDEN, "admin")
	_, err = s.Advance(f.as("ada"), "payments-api", paved.PhaseProduction, true, "  ")
	wantCode(t, "force without a reason", err, paved.EINVALID, "reason")
	_, err = s.Advance(f.as("ada"), "payments-api", paved.PhaseProduction, false, "")
	wantCode(t, "playground to production", err, paved.EUNPROCESSABLE, "green-light first", "answer questionnaire item", "schedule the walkthrough")
	pc := must(s.Advance(f.as("ada"), "payments-api", paved.PhaseProduction, true, "pilot customer"))
	if !pc.Forced || pc.Reason != "pilot customer" || pc.From != paved.PhasePlayground {
		t.Errorf("forced change %+v", pc)
	}
	st := must(s.Status(f.as("dev"), "payments-api"))
	if last := st.Phases[len(st.Phases)-1]; !last.Forced || last.Reason != "pilot customer" {
		t.Errorf("phase history %+v", last)
	}
	// Backwards only by force.
	must(s.Advance(f.as("ada"), "payments-api", paved.PhaseGreenLight, true, "rolled back the launch"))

	// Grandfathered: status says so; only retiring moves it.
	st = must(s.Status(f.as("dev"), "ledger"))
	if !st.Grandfathered || st.Next != nil || !strings.HasPrefix(st.NextStep, "Grandfathered") {
		t.Errorf("grandfathered status: %v %+v %q", st.Grandfathered, st.Next, st.NextStep)
	}
	_, err = s.Advance(f.as("dev"), "ledger", "", false, "")
	wantCode(t, "grandfathered next", err, paved.EUNPROCESSABLE, "grandfathered")
	_, err = s.Advance(f.as("dev"), "ledger", paved.PhaseGreenLight, false, "")
	wantCode(t, "grandfathered back", err, paved.EUNPROCESSABLE, "grandfathered")
	if pc := must(s.Advance(f.as("dev"), "ledger", paved.PhaseRetired, false, "")); pc.To != paved.PhaseRetired {
		t.Errorf("retire %+v", pc)
	}
	_, err = s.Schedule(f.as("dev"), "ledger", f.clock.Now(), nil)
	wantCode(t, "walkthrough of a retired service", err, paved.EUNPROCESSABLE)
}

func TestServiceReviewCommentsInbox(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	dev, erin := f.as("dev"), f.as("erin")
	const svc = "payments-api"
	if err := s.SetContact(dev, svc, "erin"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Review(erin, svc, "ha-approach", paved.AnswerReview{AcceptNA: true})
	wantCode(t, "review before an answer", err, paved.ENOTFOUND)
	_, err = s.Review(erin, svc, "ha-approach", paved.AnswerReview{})
	wantCode(t, "empty review", err, paved.EINVALID)
	must(s.Answer(dev, svc, "ha-approach", answer("Two AZs")))
	_, err = s.Review(erin, svc, "ha-approach", paved.AnswerReview{AcceptNA: true})
	wantCode(t, "accept n/a on an answer", err, paved.EUNPROCESSABLE)
	must(s.Answer(dev, svc, "data-protection", launch.AnswerInput{Status: "N/A", NAReason: "no data stored"}))

	// erin, the contact, sees the n/a to review; olu (not a reviewer) does not.
	in := must(s.Inbox(erin, ""))
	if len(in.NAReviews) != 1 || in.NAReviews[0].Item != "data-protection" || in.NAReviews[0].Note != "no data stored" || !slices.Equal(in.Contact, []string{svc}) {
		t.Errorf("erin's inbox %+v %+v", in.NAReviews, in.Contact)
	}
	if in := must(s.Inbox(erin, "olu")); len(in.NAReviews) != 0 {
		t.Errorf("olu's inbox %+v", in.NAReviews)
	}
	a := must(s.Review(erin, svc, "data-protection", paved.AnswerReview{AcceptNA: true}))
	if a.NAAcceptedBy != "erin" || !a.Settled() {
		t.Errorf("accepted %+v", a)
	}
	flag := "which AZs?"
	a = must(s.Review(erin, svc, "ha-approach", paved.AnswerReview{Flag: &flag}))
	if a.Flag != flag || a.FlaggedBy != "erin" {
		t.Errorf("flag %+v", a)
	}
	if in := must(s.Inbox(erin, "")); len(in.Flagged) != 1 || in.Flagged[0].Note != flag || len(in.NAReviews) != 0 {
		t.Errorf("erin's inbox after review %+v %+v", in.Flagged, in.NAReviews)
	}
	// A changed answer keeps the flag until a reviewer closes it.
	a = must(s.Answer(dev, svc, "ha-approach", answer("eu-west-1a and 1b")))
	if a.Flag != flag || a.Revision != 2 {
		t.Errorf("changed answer %+v", a)
	}
	empty := ""
	if a = must(s.Review(erin, svc, "ha-approach", paved.AnswerReview{Flag: &empty})); a.Flag != "" {
		t.Errorf("flag not closed: %+v", a)
	}
	// A changed n/a needs a new acceptance.
	if a = must(s.Answer(dev, svc, "data-protection", launch.AnswerInput{Status: paved.AnswerNA, NAReason: "only public data"})); a.NAAcceptedBy != "" {
		t.Errorf("acceptance survived a new reason: %+v", a)
	}

	// History and comments.
	h := must(s.History(dev, svc, "ha-approach"))
	if len(h) != 2 || h[0].Text != "Two AZs" || h[1].Revision != 2 {
		t.Errorf("history %+v", h)
	}
	_, err = s.History(dev, svc, "nope")
	wantCode(t, "history of an unknown item", err, paved.ENOTFOUND)
	_, err = s.Comment(erin, svc, "ha-approach", "  ")
	wantCode(t, "empty comment", err, paved.EINVALID)
	_, err = s.Comment(erin, svc, "nope", "hi")
	wantCode(t, "comment on an unknown item", err, paved.ENOTFOUND)
	c := must(s.Comment(erin, svc, "ha-approach", "What happens when an AZ fails?"))
	if c.ID == 0 || c.Author != "erin" {
		t.Errorf("comment %+v", c)
	}
	must(s.Comment(dev, svc, "ha-approach", "Traffic shifts."))
	if cs := must(s.Comments(dev, svc, "ha-approach")); len(cs) != 2 || cs[1].Author != "dev" {
		t.Errorf("comments %+v", cs)
	}
	if cs := must(s.Comments(dev, svc, "data-protection")); cs == nil || len(cs) != 0 {
		t.Errorf("no comments: %#v", cs)
	}
	st := must(s.Status(dev, svc))
	if it := st.Areas[0].Items[0]; it.Comments != 2 {
		t.Errorf("comment count %d", it.Comments)
	}
}

func TestServiceVeto(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "setup"})
	tier := paved.Tier(1)
	if _, err := f.db.UpdateService(ctx, "payments-api", paved.ServiceUpdate{Tier: &tier}); err != nil {
		t.Fatal(err)
	}
	w := must(s.Schedule(f.as("dev"), "payments-api", f.clock.Now(), nil))
	if !w.VetoAllowed {
		t.Error("tier 1: veto not allowed")
	}
	_, err := s.Sign(f.as("pat"), w.ID, paved.SignPeer, paved.DecisionVeto, "no")
	wantCode(t, "peer veto", err, paved.EFORBIDDEN, "only the architect or security")
	_, err = s.Sign(f.as("sam"), w.ID, paved.SignSecurity, paved.DecisionVeto, "")
	wantCode(t, "veto without a reason", err, paved.EINVALID, "comment")
	ws := must(s.Sign(f.as("sam"), w.ID, paved.SignSecurity, paved.DecisionVeto, "card data unencrypted"))
	if ws.Outcome != paved.OutcomeVetoed {
		t.Errorf("outcome %s", ws.Outcome)
	}
	_, err = s.Sign(f.as("ari"), w.ID, paved.SignArchitect, paved.DecisionApprove, "")
	wantCode(t, "signing after a veto", err, paved.ECONFLICT, "vetoed by sam")
	// A vetoed walkthrough is closed: a new one may be scheduled.
	must(s.Schedule(f.as("dev"), "payments-api", f.clock.Now(), nil))
}

func TestServiceUpgrade(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	dev := f.as("dev")
	const svc = "payments-api"
	must(s.Answer(dev, svc, "deploy-rollback", answer("blue/green")))
	must(s.Answer(dev, svc, "config-management", answer("env vars from SSM")))

	// The enablement team publishes checklist v2: config-management is
	// gone, observability is new.
	tpl := launch.TestTemplates()
	v2 := tpl[paved.KindChecklist]
	v2.Version = 2
	dep := v2.Areas[0]
	dep.Items = []*paved.TemplateItem{dep.Items[0], {ID: "observability", Title: "Observability and alerting", Form: paved.FormText, RequiredFor: []paved.Tier{1, 2, 3}}}
	s2 := &launch.Service{Store: f.db, Library: launch.NewTestLibrary(tpl[paved.KindQuestionnaire], v2), Now: f.clock.Now}

	st := must(s2.Status(dev, svc))
	if st.Versions[paved.KindChecklist] != 1 || st.Upgrades[paved.KindChecklist] != 2 {
		t.Fatalf("versions %v upgrades %v", st.Versions, st.Upgrades)
	}
	// The pinned v1 still judges the launch: observability is not asked.
	_, err := s2.Answer(dev, svc, "observability", answer("Grafana"))
	wantCode(t, "item of a newer version", err, paved.ENOTFOUND)
	// A new service starts on v2.
	if st := must(s2.Status(dev, "search-api")); st.Versions[paved.KindChecklist] != 2 {
		t.Errorf("new service on %v", st.Versions)
	}

	up := must(s2.Upgrade(dev, svc, paved.KindChecklist, false))
	if up.Applied || up.From != 1 || up.To != 2 || len(up.Changes) != 2 {
		t.Fatalf("upgrade preview %+v", up)
	}
	changes := map[string]string{}
	for _, c := range up.Changes {
		changes[c.Item] = c.Change
	}
	if changes["observability"] != "added" || changes["config-management"] != "removed" {
		t.Errorf("changes %v", changes)
	}
	if st := must(s2.Status(dev, svc)); st.Versions[paved.KindChecklist] != 1 {
		t.Errorf("a preview re-pinned: %v", st.Versions)
	}
	up = must(s2.Upgrade(dev, svc, paved.KindChecklist, true))
	if !up.Applied {
		t.Fatalf("not applied: %+v", up)
	}
	st = must(s2.Status(dev, svc))
	if st.Versions[paved.KindChecklist] != 2 || st.Upgrades != nil {
		t.Errorf("after upgrade: versions %v upgrades %v", st.Versions, st.Upgrades)
	}
	var ids []string
	for _, a := range st.Areas {
		for _, it := range a.Items {
			if it.State == launch.StateSettled {
				ids = append(ids, it.Item.ID)
			}
		}
	}
	if !slices.Equal(ids, []string{"deploy-rollback"}) {
		t.Errorf("settled after upgrade: %v (the answer to removed config-management no longer counts)", ids)
	}
	if h := must(s2.History(dev, svc, "config-management")); len(h) != 1 {
		t.Errorf("history of a removed item: %+v", h)
	}
	// The old Service (v1 configured) still reads the v2 pin from the store.
	if st := must(s.Status(dev, svc)); st.Versions[paved.KindChecklist] != 2 {
		t.Errorf("pinned version read back: %v", st.Versions)
	}
	// Answering against v1 is now a conflict.
	_, err = s2.Answer(dev, svc, "deploy-rollback", launch.AnswerInput{Text: "x", TemplateVersion: 1})
	wantCode(t, "answer for the old version", err, paved.ECONFLICT, "reload and answer again")
	_, err = s2.Upgrade(dev, svc, "policy", false)
	wantCode(t, "unknown kind", err, paved.EINVALID)
}

func TestServiceBlocked(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	must(s.Answer(f.as("dev"), "payments-api", "ha-approach", answer("Two AZs")))
	all := must(s.Blocked(f.as("erin"), ""))
	var names []string
	for _, b := range all {
		names = append(names, b.Service)
		if b.Next == nil || b.Next.Open() {
			t.Errorf("%s: next %+v", b.Service, b.Next)
		}
	}
	if !slices.Equal(names, []string{"payments-api", "search-api"}) {
		t.Errorf("blocked %v (grandfathered ledger left out)", names)
	}
	if b := must(s.Blocked(f.as("erin"), "search")); len(b) != 1 || b[0].Service != "search-api" || b[0].Tier != 4 {
		t.Errorf("search's blocked %+v", b)
	}
	_, err := s.Blocked(f.as("erin"), "nope")
	wantCode(t, "unknown team", err, paved.ENOTFOUND)
}

// TestControlCharactersInLaunchTexts: answers, n/a reasons, comments and
// assessments hold printable UTF-8 only; a NUL (a 500 on PostgreSQL) or a
// terminal escape is refused as invalid before anything is written
// (issue 15 §5).
func TestControlCharactersInLaunchTexts(t *testing.T) {
	f := newFixture(t)
	s := f.svc
	dev, sec := f.as("dev"), f.as("sam")
	const svc = "payments-api"
	_, err := s.Answer(dev, svc, "ha-approach", answer("two zones\x00"))
	wantCode(t, "NUL in an answer", err, paved.EINVALID, "text", "U+0000")
	_, err = s.Answer(dev, svc, "support", launch.AnswerInput{Status: paved.AnswerNA, NAReason: "no\x1b[2J"})
	wantCode(t, "escape in an n/a reason", err, paved.EINVALID, "na_reason")
	_, err = s.Comment(dev, svc, "ha-approach", "see \x07 here")
	wantCode(t, "BEL in a comment", err, paved.EINVALID, "body")
	_, err = s.Assess(sec, svc, &paved.Assessment{Kind: paved.AssessSecurity, RiskRating: "low", Notes: "ok\x00"})
	wantCode(t, "NUL in assessment notes", err, paved.EINVALID, "notes")
	if l := must(f.db.FindLaunch(dev, svc)); l.Versions[paved.KindQuestionnaire] != 0 {
		t.Errorf("a refused text pinned the templates: %v", l.Versions)
	}
}
