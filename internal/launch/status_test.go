package launch

import (
	"math"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestEvaluateStates(t *testing.T) {
	l := readyLaunch()
	l.Service.Tier = 3
	l.Answers["deploy-rollback"] = &paved.Answer{Item: "deploy-rollback", Status: paved.AnswerNA, NAReason: "batch job", Flag: "why no rollback?"}
	l.Answers["runbooks"] = &paved.Answer{Item: "runbooks", Status: paved.AnswerNA, NAReason: "n/a"} // evidence wins over a pending n/a
	l.Service.Links = l.Service.Links[:1]                                                            // runbook only, no on-call
	delete(l.Answers, "config-management")
	st := Evaluate(l, testTemplates(), map[string]int{"ha-approach": 2}, now)

	want := map[string]struct {
		state    ItemState
		required bool
		flagged  bool
		comments int
	}{
		"ha-approach":        {StateSettled, true, false, 2},
		"data-protection":    {StateSettled, true, false, 0},
		"support":            {StateMissing, false, false, 0}, // tier 3: not required
		"deploy-rollback":    {StateNAPending, true, true, 0},
		"config-management":  {StateMissing, false, false, 0},
		"encryption-at-rest": {StateEvidenced, true, false, 0},
		"runbooks":           {StateEvidenced, true, false, 0},
		"load-test":          {StateEvidenced, false, false, 0},
	}
	n := 0
	for _, a := range st.Areas {
		for _, it := range a.Items {
			n++
			w, ok := want[it.Item.ID]
			if !ok {
				t.Errorf("unexpected item %s", it.Item.ID)
				continue
			}
			if it.State != w.state || it.Required != w.required || it.Flagged != w.flagged || it.Comments != w.comments {
				t.Errorf("%s: state %s required %v flagged %v comments %d; want %+v", it.Item.ID, it.State, it.Required, it.Flagged, it.Comments, w)
			}
			if it.Kind == "" || it.Area != a.ID {
				t.Errorf("%s: kind %q area %q", it.Item.ID, it.Kind, it.Area)
			}
		}
	}
	if n != len(want) {
		t.Errorf("%d items, want %d", n, len(want))
	}
	// Required: overview 2 (both done); deployment 1 (n/a pending: not
	// done); security 2 (both evidenced); capacity 0.
	wantAreas := map[string]float64{"overview": 1, "deployment": 0, "security": 1, "capacity": 1}
	for k, v := range wantAreas {
		if st.Score.Areas[k] != v {
			t.Errorf("area %s: score %v, want %v", k, st.Score.Areas[k], v)
		}
	}
	if st.Score.Overall != 0.8 {
		t.Errorf("overall %v, want 0.8", st.Score.Overall)
	}
	if st.Versions[paved.KindQuestionnaire] != 1 || st.Versions[paved.KindChecklist] != 1 {
		t.Errorf("versions %v", st.Versions)
	}
	if st.Next == nil || st.Next.To != paved.PhaseProduction || st.Next.Open() {
		t.Fatalf("next gate %+v", st.Next)
	}
	if st.Security == nil || st.Load == nil || st.Walkthrough == nil || st.Walkthrough.Outcome != paved.OutcomeApproved {
		t.Errorf("assessments or walkthrough missing: %+v", st)
	}
	if st.NextStep != "Waiting for a reviewer to accept the n/a on deploy-rollback." {
		t.Errorf("next step %q", st.NextStep)
	}
}

func TestEvaluateSharedAreaID(t *testing.T) {
	tpl := testTemplates()
	tpl[paved.KindQuestionnaire].Areas[0].ID = "security" // same id as a checklist area
	st := Evaluate(readyLaunch(), tpl, nil, now)
	if _, ok := st.Score.Areas["security"]; !ok {
		t.Errorf("areas %v", st.Score.Areas)
	}
	if _, ok := st.Score.Areas["checklist/security"]; !ok {
		t.Errorf("areas %v: want the checklist's security area under checklist/security", st.Score.Areas)
	}
}

func TestEvaluateNothingRequired(t *testing.T) {
	st := Evaluate(readyLaunch(), map[paved.TemplateKind]*paved.Template{}, nil, now)
	if st.Score.Overall != 1 || len(st.Areas) != 0 {
		t.Errorf("score %v areas %d", st.Score.Overall, len(st.Areas))
	}
	if st := Evaluate(nil, nil, nil, now); st == nil || st.NextStep == "" {
		t.Error("nil launch: want a status saying so")
	}
}

func TestNextStep(t *testing.T) {
	playground := func(l *paved.Launch) { l.Service.Phase = paved.PhasePlayground }
	tests := []struct {
		name   string
		change func(l *paved.Launch)
		want   string
	}{
		{"questionnaire items", func(l *paved.Launch) {
			playground(l)
			delete(l.Answers, "ha-approach")
			delete(l.Answers, "data-protection")
		}, "Answer 2 required questionnaire items, starting with ha-approach."},
		{"one questionnaire item", func(l *paved.Launch) { playground(l); delete(l.Answers, "data-protection") }, "Answer the required questionnaire item data-protection."},
		{"contact", func(l *paved.Launch) { playground(l); l.Contact = "" }, "Assign an enablement contact."},
		{"ready for green-light", playground, "Ready: move to green-light with `paved launch advance payments-api`."},
		{"checklist items", func(l *paved.Launch) { delete(l.Answers, "deploy-rollback") }, "Answer the required checklist item deploy-rollback."},
		{"security assessment", func(l *paved.Launch) { l.Assessments = l.Assessments[:1] }, "Record the security assessment."},
		{"load profile", func(l *paved.Launch) {
			l.Assessments = l.Assessments[1:]
			l.Answers["load-test"] = answered("load-test")
		}, "Record the load profile."},
		{"incomplete assessment", func(l *paved.Launch) { l.Assessments[0].P99Millis = 0 },
			"Complete the assessments: the load profile needs the p99 latency measured at the tested load (ms, above 0)."},
		{"walkthrough", func(l *paved.Launch) { l.Walkthroughs = nil }, "Schedule the walkthrough."},
		{"one sign-off missing", func(l *paved.Launch) { l.Walkthroughs[0].Signoffs = l.Walkthroughs[0].Signoffs[:2] }, "Waiting for security's sign-off on walkthrough #7."},
		{"two sign-offs missing", func(l *paved.Launch) { l.Walkthroughs[0].Signoffs = l.Walkthroughs[0].Signoffs[:1] }, "Waiting for the architect's and security's sign-offs on walkthrough #7."},
		{"changes requested", func(l *paved.Launch) {
			l.Walkthroughs[0].Signoffs = append(l.Walkthroughs[0].Signoffs, so("ari", paved.SignArchitect, paved.DecisionRequestChanges))
		}, "Address the changes ari asked for at walkthrough #7, then ask for a new sign-off."},
		{"vetoed", func(l *paved.Launch) {
			l.Walkthroughs[0].Signoffs = append(l.Walkthroughs[0].Signoffs, so("sam", paved.SignSecurity, paved.DecisionVeto))
		}, "Walkthrough #7 was vetoed: address the objection and schedule a new walkthrough."},
		{"overdue follow-up", func(l *paved.Launch) {
			l.Walkthroughs[0].FollowUps = []*paved.FollowUp{{ID: 1, Description: "alerts", Owner: "dev", Due: t0}}
		}, "Complete the overdue walkthrough follow-up."},
		{"ready for production", nil, "Ready: move to production with `paved launch advance payments-api`."},
		{"production", func(l *paved.Launch) { l.Service.Phase = paved.PhaseProduction }, "In production: keep the checklist answers current as the service changes."},
		{"retired", func(l *paved.Launch) { l.Service.Phase = paved.PhaseRetired }, "Retired: nothing left to do."},
		{"grandfathered", func(l *paved.Launch) { l.Service.Phase, l.Service.Grandfathered = paved.PhaseProduction, true },
			"Grandfathered: payments-api was in production before paved, so no launch gate applies."},
	}
	for _, tt := range tests {
		l := readyLaunch()
		if tt.change != nil {
			tt.change(l)
		}
		st := Evaluate(l, testTemplates(), nil, now)
		if st.NextStep != tt.want {
			t.Errorf("%s: next step\n got %q\nwant %q", tt.name, st.NextStep, tt.want)
		}
	}
	// Production, retired and grandfathered services have no next gate.
	for _, change := range []func(*paved.Launch){
		func(l *paved.Launch) { l.Service.Phase = paved.PhaseProduction },
		func(l *paved.Launch) { l.Service.Phase = paved.PhaseRetired },
		func(l *paved.Launch) { l.Service.Grandfathered = true },
	} {
		l := readyLaunch()
		change(l)
		if st := Evaluate(l, testTemplates(), nil, now); st.Next != nil {
			t.Errorf("%s: next gate %+v, want none", l.Service.Phase, st.Next)
		}
	}
}

func TestReplayReadiness(t *testing.T) {
	l := readyLaunch()
	l.Service.Tier = 4 // required: ha-approach; deploy-rollback, runbooks
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	accepted := at(5)
	l.Answers = map[string]*paved.Answer{
		"ha-approach":     {Item: "ha-approach", Status: paved.AnswerGiven, Revision: 1},
		"deploy-rollback": {Item: "deploy-rollback", Status: paved.AnswerNA, Revision: 2, NAAcceptedBy: "rey", NAAcceptedAt: &accepted},
	}
	rev := func(item string, n int, s paved.AnswerStatus, h int) *paved.AnswerRevision {
		return &paved.AnswerRevision{Item: item, Revision: n, Status: s, At: at(h)}
	}
	history := []*paved.AnswerRevision{
		rev("deploy-rollback", 2, paved.AnswerNA, 3), // out of order on purpose
		rev("ha-approach", 1, paved.AnswerGiven, 1),
		rev("deploy-rollback", 1, paved.AnswerGiven, 2),
		rev("removed-item", 1, paved.AnswerGiven, 2), // no longer in the template
		rev("runbooks", 1, paved.AnswerGiven, 4),
		rev("runbooks", 2, paved.AnswerNA, 4), // same moment: one point
	}
	pts := ReplayReadiness(l, testTemplates(), history)
	type pt struct {
		h       int
		overall float64
	}
	want := []pt{
		{1, 1.0 / 3}, // ha-approach
		{2, 2.0 / 3}, // + deploy-rollback answered
		{3, 1.0 / 3}, // deploy-rollback became n/a, not accepted yet
		{4, 1.0 / 3}, // runbooks answered then n/a at once (never accepted)
		{5, 2.0 / 3}, // the n/a on deploy-rollback accepted
	}
	if len(pts) != len(want) {
		t.Fatalf("%d points, want %d: %+v", len(pts), len(want), pts)
	}
	for i, w := range want {
		if !pts[i].At.Equal(at(w.h)) || math.Abs(pts[i].Score.Overall-w.overall) > 1e-9 {
			t.Errorf("point %d: %v %.3f, want %v %.3f", i, pts[i].At, pts[i].Score.Overall, at(w.h), w.overall)
		}
	}
	if got := pts[1].Score.Areas["deployment"]; got != 1 {
		t.Errorf("deployment at point 1: %v", got)
	}
	if pts := ReplayReadiness(l, testTemplates(), nil); len(pts) != 0 {
		// only the acceptance, which finds no revision to accept
		t.Errorf("no history: %d points", len(pts))
	}
	if ReplayReadiness(nil, nil, nil) != nil {
		t.Error("nil launch: want no points")
	}
}

func TestEvaluateDefaultTemplates(t *testing.T) {
	lib := DefaultLibrary()
	tpl := map[paved.TemplateKind]*paved.Template{}
	for _, k := range paved.TemplateKinds {
		tpl[k] = lib.Current(k)
	}
	for tier := paved.Tier(1); tier <= 4; tier++ {
		l := &paved.Launch{Service: &paved.Service{Name: "new", Owner: "t", Tier: tier, DataClass: paved.DataRestricted, Phase: paved.PhasePlayground}}
		st := Evaluate(l, tpl, nil, now)
		areas := len(tpl[paved.KindQuestionnaire].Areas) + len(tpl[paved.KindChecklist].Areas)
		if len(st.Areas) != areas || len(st.Score.Areas) != areas {
			t.Errorf("tier %d: %d areas, %d scores, want %d", tier, len(st.Areas), len(st.Score.Areas), areas)
		}
		if st.Next == nil || st.Next.Open() || st.Score.Overall != 0 {
			t.Errorf("tier %d: a new service passes green-light: %+v score %v", tier, st.Next, st.Score.Overall)
		}
		g := CheckGate(l, tpl, paved.PhaseProduction, now)
		if g.Open() || g.Gaps[0].Kind != "phase" {
			t.Errorf("tier %d: playground to production: %+v", tier, g.Gaps)
		}
	}
}
