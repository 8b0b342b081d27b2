package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/testutil"
)

// launchSeed is seed plus the people a launch needs:
//
//	ana (architect, platform), sec (security, platform), rev (reviewer,
//	platform), pat (developer, payments), gone (retired)
//
// and version 1 of both templates, stored.
func launchSeed(t *testing.T, e *env) {
	t.Helper()
	seed(t, e)
	for _, u := range []*paved.User{
		{Name: "ana", Roles: []paved.Role{paved.RoleArchitect}, Teams: []string{"platform"}},
		{Name: "sec", Roles: []paved.Role{paved.RoleSecurity}, Teams: []string{"platform"}},
		{Name: "rev", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform"}},
		{Name: "pat", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
		{Name: "gone", Roles: []paved.Role{paved.RoleDeveloper}},
	} {
		must(t, e.db.CreateUser(e.ctx, u))
	}
	must(t, e.db.RetireUser(e.ctx, "gone"))
	for _, k := range paved.TemplateKinds {
		must(t, e.db.SaveTemplate(e.ctx, testTemplate(k, 1, "d1")))
	}
}

// testTemplate is a small template of kind k; digest stands in for the
// parser's sha256.
func testTemplate(k paved.TemplateKind, version int, digest string) *paved.Template {
	prefix := string(k[:1])
	return &paved.Template{
		Kind: k, Version: version, Title: fmt.Sprintf("The %s, v%d", k, version), Description: "Read the *guidance*.",
		Areas: []*paved.TemplateArea{
			{ID: "deployment", Title: "Deployment", Items: []*paved.TemplateItem{
				{ID: prefix + "-rollback", Title: "How do you roll back?", Guidance: "Why it matters.", Form: paved.FormText,
					RequiredFor: []paved.Tier{1, 2}},
				{ID: prefix + "-runbook", Title: "Where is the runbook?", Guidance: "Link it.", Form: paved.FormLink,
					RequiredFor: []paved.Tier{1, 2, 3, 4}, Evidence: &paved.EvidenceRule{Source: "catalog-link", Value: "runbook"}},
			}},
			{ID: "security", Title: "Security", Items: []*paved.TemplateItem{
				{ID: prefix + "-encryption", Title: "Encrypted at rest?", Guidance: "Say how.", Form: paved.FormText,
					Evidence: &paved.EvidenceRule{Source: "check-rules", Rules: []string{"rds-encryption-at-rest"}}},
			}},
		},
		Digest: digest,
		Source: "embedded",
	}
}

func as(name string) context.Context {
	return paved.WithActor(context.Background(), paved.Actor{Name: name})
}

// actionsSince returns the actions of the events after seq, in order.
func actionsSince(t *testing.T, e *env, seq int64) []string {
	t.Helper()
	var out []string
	for _, ev := range verifyChain(t, e) {
		if ev.Seq > seq {
			out = append(out, ev.Action)
		}
	}
	return out
}

func head(t *testing.T, e *env) int64 {
	t.Helper()
	h, err := e.db.AuditHead(context.Background())
	must(t, err)
	return h
}

// lastEvent returns the newest audit event.
func lastEvent(t *testing.T, e *env) *paved.AuditEvent {
	t.Helper()
	evs, _, err := e.db.FindAuditEvents(context.Background(), paved.AuditFilter{Page: paved.Page{Limit: 1}})
	must(t, err)
	if len(evs) == 0 {
		t.Fatal("no audit events")
	}
	return evs[0]
}

func TestLaunchTemplates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		ctx := e.ctx

		got, err := e.db.FindTemplate(ctx, paved.KindChecklist, 1)
		must(t, err)
		if want := testTemplate(paved.KindChecklist, 1, "d1"); !reflect.DeepEqual(got, want) {
			t.Fatalf("FindTemplate =\n%s\nwant\n%s", jsonOf(got), jsonOf(want))
		}
		ev := lastEvent(t, e)
		if ev.Action != "template.save" || ev.ObjectType != "template" || ev.ObjectID != "checklist/1" ||
			string(ev.Changes["digest"].To) != `"d1"` || string(ev.Changes["items"].To) != "3" {
			t.Fatalf("audit event = %+v", ev)
		}

		// The same version and digest again: nothing written.
		h := head(t, e)
		must(t, e.db.SaveTemplate(ctx, testTemplate(paved.KindChecklist, 1, "d1")))
		if head(t, e) != h {
			t.Fatal("saving the same template again appended an audit event")
		}
		// Another digest under a stored version: refused, naming it.
		err = e.db.SaveTemplate(ctx, testTemplate(paved.KindChecklist, 1, "other"))
		wantErr(t, err, paved.ECONFLICT, "version")
		for _, w := range []string{"checklist", "version 1", "bump the version"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("conflict error %q does not say %q", err, w)
			}
		}
		must(t, e.db.SaveTemplate(ctx, testTemplate(paved.KindChecklist, 2, "d2")))
		must(t, e.db.SaveTemplate(ctx, testTemplate(paved.KindChecklist, 10, "d10")))

		list, err := e.db.FindTemplates(ctx, paved.KindChecklist)
		must(t, err)
		var versions []int
		for _, t := range list {
			versions = append(versions, t.Version)
		}
		if !slices.Equal(versions, []int{10, 2, 1}) {
			t.Fatalf("FindTemplates versions = %v, want newest first", versions)
		}
		list, err = e.db.FindTemplates(ctx, paved.KindQuestionnaire)
		must(t, err)
		if len(list) != 1 || list[0].Digest != "d1" {
			t.Fatalf("questionnaire templates = %s", jsonOf(list))
		}

		_, err = e.db.FindTemplate(ctx, paved.KindChecklist, 3)
		wantErr(t, err, paved.ENOTFOUND, "")
		_, err = e.db.FindTemplate(ctx, "runbook", 1)
		wantErr(t, err, paved.EINVALID, "kind")
		_, err = e.db.FindTemplates(ctx, "runbook")
		wantErr(t, err, paved.EINVALID, "kind")

		for _, c := range []struct {
			name  string
			t     *paved.Template
			field string
		}{
			{"nil", nil, ""},
			{"kind", &paved.Template{Kind: "form", Version: 1, Digest: "x"}, "kind"},
			{"version", &paved.Template{Kind: paved.KindChecklist, Version: 0, Digest: "x"}, "version"},
			{"digest", &paved.Template{Kind: paved.KindChecklist, Version: 4}, "digest"},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, e.db.SaveTemplate(ctx, c.t), paved.EINVALID, c.field)
			})
		}
		verifyChain(t, e)
	})
}

func TestLaunchPinAndContact(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		ctx := e.ctx

		l, err := e.db.FindLaunch(ctx, "finder")
		must(t, err)
		want := map[paved.TemplateKind]int{paved.KindQuestionnaire: 0, paved.KindChecklist: 0}
		if !reflect.DeepEqual(l.Versions, want) || l.Contact != "" || l.Service.Name != "finder" ||
			l.Answers == nil || l.Assessments == nil || l.Walkthroughs == nil || l.Phases == nil || l.LatestCheck != nil {
			t.Fatalf("empty launch = %s", jsonOf(l))
		}
		_, err = e.db.FindLaunch(ctx, "nope")
		wantErr(t, err, paved.ENOTFOUND, "")

		h := head(t, e)
		must(t, e.db.PinTemplate(ctx, "finder", paved.KindChecklist, 1))
		must(t, e.db.PinTemplate(ctx, "finder", paved.KindChecklist, 1)) // no-op
		must(t, e.db.SaveTemplate(ctx, testTemplate(paved.KindChecklist, 2, "d2")))
		must(t, e.db.PinTemplate(ctx, "finder", paved.KindChecklist, 2))
		must(t, e.db.PinTemplate(ctx, "finder", paved.KindQuestionnaire, 1))
		ev := lastEvent(t, e)
		if ev.ObjectType != "service" || ev.ObjectID != "finder" || string(ev.Changes["questionnaire_version"].To) != "1" ||
			ev.Changes["questionnaire_version"].From != nil {
			t.Fatalf("pin event = %+v", ev)
		}
		wantErr(t, e.db.PinTemplate(ctx, "finder", paved.KindChecklist, 7), paved.ENOTFOUND, "version")
		wantErr(t, e.db.PinTemplate(ctx, "nope", paved.KindChecklist, 1), paved.ENOTFOUND, "")
		wantErr(t, e.db.PinTemplate(ctx, "finder", "runbook", 1), paved.EINVALID, "kind")

		must(t, e.db.SetContact(ctx, "finder", "ana"))
		must(t, e.db.SetContact(ctx, "finder", "ana")) // no-op
		must(t, e.db.SetContact(ctx, "finder", "sec"))
		ev = lastEvent(t, e)
		if ev.Action != "launch.contact" || string(ev.Changes["contact"].From) != `"ana"` || string(ev.Changes["contact"].To) != `"sec"` {
			t.Fatalf("contact event = %+v", ev)
		}
		wantErr(t, e.db.SetContact(ctx, "finder", "nobody"), paved.ENOTFOUND, "contact")
		wantErr(t, e.db.SetContact(ctx, "finder", "gone"), paved.EUNPROCESSABLE, "contact")
		wantErr(t, e.db.SetContact(ctx, "nope", "ana"), paved.ENOTFOUND, "")

		l, err = e.db.FindLaunch(ctx, "finder")
		must(t, err)
		want = map[paved.TemplateKind]int{paved.KindQuestionnaire: 1, paved.KindChecklist: 2}
		if !reflect.DeepEqual(l.Versions, want) || l.Contact != "sec" {
			t.Fatalf("launch versions %v contact %q", l.Versions, l.Contact)
		}

		must(t, e.db.SetContact(ctx, "finder", ""))
		l, err = e.db.FindLaunch(ctx, "finder")
		must(t, err)
		if l.Contact != "" {
			t.Fatalf("contact after removal = %q", l.Contact)
		}
		got := actionsSince(t, e, h)
		wantActions := []string{"launch.pin", "template.save", "launch.pin", "launch.pin", "launch.contact", "launch.contact", "launch.contact"}
		if !slices.Equal(got, wantActions) {
			t.Fatalf("actions = %v, want %v", got, wantActions)
		}
	})
}

func TestLaunchAnswers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		bob, rev := as("bob"), as("rev")
		t0 := e.clock.Now().UTC()

		a, err := e.db.SaveAnswer(bob, &paved.Answer{Service: "ledger", Item: "c-rollback", Kind: paved.KindChecklist,
			TemplateVersion: 1, Status: paved.AnswerGiven, Text: "Blue/green.", Links: []string{"https://wiki/rollback"},
			Revision: 9, Author: "mallory"})
		must(t, err)
		want := &paved.Answer{Service: "ledger", Item: "c-rollback", Kind: paved.KindChecklist, TemplateVersion: 1,
			Status: paved.AnswerGiven, Text: "Blue/green.", Links: []string{"https://wiki/rollback"}, Revision: 1,
			Author: "bob", UpdatedAt: t0}
		if !reflect.DeepEqual(a, want) {
			t.Fatalf("SaveAnswer =\n%s\nwant\n%s", jsonOf(a), jsonOf(want))
		}
		ev := lastEvent(t, e)
		if ev.Action != "launch.answer" || ev.ObjectType != "answer" || ev.ObjectID != "ledger/c-rollback" || ev.Actor != "bob" {
			t.Fatalf("answer event = %+v", ev)
		}

		// Accepting n/a on an answered item is refused.
		_, err = e.db.ReviewAnswer(rev, "ledger", "c-rollback", paved.AnswerReview{AcceptNA: true})
		wantErr(t, err, paved.EUNPROCESSABLE, "accept_na")

		// n/a, accepted, flagged.
		e.clock.Advance(time.Minute)
		a, err = e.db.SaveAnswer(bob, &paved.Answer{Service: "ledger", Item: "c-rollback", Kind: paved.KindChecklist,
			TemplateVersion: 1, Status: paved.AnswerNA, NAReason: "No deploys: a batch job."})
		must(t, err)
		if a.Revision != 2 || a.Links == nil || len(a.Links) != 0 || a.Text != "" {
			t.Fatalf("second revision = %s", jsonOf(a))
		}
		e.clock.Advance(time.Minute)
		t2 := e.clock.Now().UTC()
		a, err = e.db.ReviewAnswer(rev, "ledger", "c-rollback", paved.AnswerReview{AcceptNA: true})
		must(t, err)
		if a.NAAcceptedBy != "rev" || a.NAAcceptedAt == nil || !a.NAAcceptedAt.Equal(t2) || !a.Settled() || a.Revision != 2 {
			t.Fatalf("accepted = %s", jsonOf(a))
		}
		h := head(t, e)
		_, err = e.db.ReviewAnswer(rev, "ledger", "c-rollback", paved.AnswerReview{AcceptNA: true})
		must(t, err)
		flag := "Is there really no deploy?"
		a, err = e.db.ReviewAnswer(as("ana"), "ledger", "c-rollback", paved.AnswerReview{Flag: &flag})
		must(t, err)
		if a.Flag != flag || a.FlaggedBy != "ana" || a.FlaggedAt == nil || a.NAAcceptedBy != "rev" {
			t.Fatalf("flagged = %s", jsonOf(a))
		}
		if got := actionsSince(t, e, h); !slices.Equal(got, []string{"launch.review"}) {
			t.Fatalf("repeating an acceptance wrote %v", got)
		}

		// Saving the same answer again writes nothing.
		h = head(t, e)
		same, err := e.db.SaveAnswer(bob, &paved.Answer{Service: "ledger", Item: "c-rollback", Kind: paved.KindChecklist,
			TemplateVersion: 1, Status: paved.AnswerNA, NAReason: "No deploys: a batch job."})
		must(t, err)
		if head(t, e) != h || !reflect.DeepEqual(same, a) {
			t.Fatalf("an unchanged answer was written again: %s", jsonOf(same))
		}

		// Another pinned version with the same content: a new revision that
		// keeps the acceptance (status, text and reason unchanged).
		kept, err := e.db.SaveAnswer(bob, &paved.Answer{Service: "ledger", Item: "c-rollback", Kind: paved.KindChecklist,
			TemplateVersion: 2, Status: paved.AnswerNA, NAReason: "No deploys: a batch job."})
		must(t, err)
		if kept.Revision != 3 || kept.NAAcceptedBy != "rev" || kept.Flag != flag {
			t.Fatalf("version-only change = %s", jsonOf(kept))
		}

		// A changed reason clears the acceptance and keeps the flag.
		e.clock.Advance(time.Minute)
		a, err = e.db.SaveAnswer(as("pat"), &paved.Answer{Service: "ledger", Item: "c-rollback", Kind: paved.KindChecklist,
			TemplateVersion: 2, Status: paved.AnswerNA, NAReason: "Deployed by the platform's batch runner."})
		must(t, err)
		if a.Revision != 4 || a.NAAcceptedBy != "" || a.NAAcceptedAt != nil || a.Settled() || a.Flag != flag || a.FlaggedBy != "ana" || a.Author != "pat" {
			t.Fatalf("changed reason = %s", jsonOf(a))
		}
		ev = lastEvent(t, e)
		if string(ev.Changes["na_reason"].To) != `"Deployed by the platform's batch runner."` || string(ev.Changes["na_accepted_by"].From) != `"rev"` {
			t.Fatalf("change event = %+v", ev.Changes)
		}

		// Clearing the flag; clearing again is a no-op.
		empty := ""
		a, err = e.db.ReviewAnswer(rev, "ledger", "c-rollback", paved.AnswerReview{Flag: &empty})
		must(t, err)
		if a.Flag != "" || a.FlaggedBy != "" || a.FlaggedAt != nil {
			t.Fatalf("cleared flag = %s", jsonOf(a))
		}
		h = head(t, e)
		_, err = e.db.ReviewAnswer(rev, "ledger", "c-rollback", paved.AnswerReview{Flag: &empty})
		must(t, err)
		if head(t, e) != h {
			t.Fatal("clearing a cleared flag wrote an event")
		}

		// A second item; the launch holds both, as last written.
		_, err = e.db.SaveAnswer(bob, &paved.Answer{Service: "ledger", Item: "q-rollback", Kind: paved.KindQuestionnaire,
			TemplateVersion: 1, Status: paved.AnswerGiven, Text: "We redeploy the previous image."})
		must(t, err)
		l, err := e.db.FindLaunch(e.ctx, "ledger")
		must(t, err)
		if len(l.Answers) != 2 || !reflect.DeepEqual(l.Answers["c-rollback"], a) || l.Answers["q-rollback"].Kind != paved.KindQuestionnaire {
			t.Fatalf("launch answers = %s", jsonOf(l.Answers))
		}

		// History: one item, then all, oldest first.
		hist, err := e.db.AnswerHistory(e.ctx, "ledger", "c-rollback")
		must(t, err)
		var revs []string
		for _, r := range hist {
			revs = append(revs, fmt.Sprintf("%d %s %s v%d", r.Revision, r.Status, r.Author, r.TemplateVersion))
		}
		if want := []string{"1 answered bob v1", "2 n/a bob v1", "3 n/a bob v2", "4 n/a pat v2"}; !slices.Equal(revs, want) {
			t.Fatalf("history = %v, want %v", revs, want)
		}
		if hist[0].Text != "Blue/green." || !slices.Equal(hist[0].Links, []string{"https://wiki/rollback"}) || !hist[0].At.Equal(t0) ||
			hist[3].NAReason != "Deployed by the platform's batch runner." || hist[1].Links == nil || hist[0].Service != "ledger" {
			t.Fatalf("history contents = %s", jsonOf(hist))
		}
		all, err := e.db.AnswerHistory(e.ctx, "ledger", "")
		must(t, err)
		if len(all) != 5 || all[4].Item != "q-rollback" {
			t.Fatalf("all history = %s", jsonOf(all))
		}
		none, err := e.db.AnswerHistory(e.ctx, "finder", "")
		must(t, err)
		if none == nil || len(none) != 0 {
			t.Fatalf("history of an unanswered service = %#v", none)
		}
		_, err = e.db.AnswerHistory(e.ctx, "nope", "")
		wantErr(t, err, paved.ENOTFOUND, "")

		t.Run("errors", func(t *testing.T) {
			ok := func(mod func(a *paved.Answer)) *paved.Answer {
				a := &paved.Answer{Service: "ledger", Item: "x", Kind: paved.KindChecklist, TemplateVersion: 1, Status: paved.AnswerGiven, Text: "t"}
				mod(a)
				return a
			}
			for _, c := range []struct {
				name, code, field string
				a                 *paved.Answer
			}{
				{"nil", paved.EINVALID, "", nil},
				{"item", paved.EINVALID, "item", ok(func(a *paved.Answer) { a.Item = " " })},
				{"kind", paved.EINVALID, "kind", ok(func(a *paved.Answer) { a.Kind = "form" })},
				{"status", paved.EINVALID, "status", ok(func(a *paved.Answer) { a.Status = "maybe" })},
				{"service", paved.ENOTFOUND, "", ok(func(a *paved.Answer) { a.Service = "nope" })},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.db.SaveAnswer(bob, c.a)
					wantErr(t, err, c.code, c.field)
				})
			}
			flag := "x"
			for _, c := range []struct {
				name, service, item, code string
				r                         paved.AnswerReview
			}{
				{"neither", "ledger", "c-rollback", paved.EINVALID, paved.AnswerReview{}},
				{"both", "ledger", "c-rollback", paved.EINVALID, paved.AnswerReview{AcceptNA: true, Flag: &flag}},
				{"no answer", "ledger", "c-never", paved.ENOTFOUND, paved.AnswerReview{AcceptNA: true}},
				{"no service", "nope", "c-rollback", paved.ENOTFOUND, paved.AnswerReview{Flag: &flag}},
			} {
				t.Run(c.name, func(t *testing.T) {
					_, err := e.db.ReviewAnswer(rev, c.service, c.item, c.r)
					wantErr(t, err, c.code, "")
				})
			}
		})
		verifyChain(t, e)
	})
}

func TestLaunchComments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		c1 := &paved.Comment{Service: "ledger", Item: "c-rollback", Body: "How long does a rollback take?"}
		must(t, e.db.AddComment(as("ana"), c1))
		if c1.ID == 0 || c1.Author != "ana" || !c1.At.Equal(e.clock.Now()) {
			t.Fatalf("comment = %s", jsonOf(c1))
		}
		ev := lastEvent(t, e)
		if ev.Action != "launch.comment" || ev.ObjectID != "ledger/c-rollback" || string(ev.Changes["body"].To) != `"How long does a rollback take?"` {
			t.Fatalf("comment event = %+v", ev)
		}
		e.clock.Advance(time.Second)
		c2 := &paved.Comment{Service: "ledger", Item: "c-rollback", Body: "Two minutes."}
		must(t, e.db.AddComment(as("bob"), c2))
		c3 := &paved.Comment{Service: "ledger", Item: "q-rollback", Body: "See above."}
		must(t, e.db.AddComment(as("bob"), c3))

		got, err := e.db.FindComments(e.ctx, "ledger", "c-rollback")
		must(t, err)
		if !reflect.DeepEqual(got, []*paved.Comment{c1, c2}) {
			t.Fatalf("FindComments = %s", jsonOf(got))
		}
		got, err = e.db.FindComments(e.ctx, "ledger", "")
		must(t, err)
		if !reflect.DeepEqual(got, []*paved.Comment{c1, c2, c3}) {
			t.Fatalf("FindComments all = %s", jsonOf(got))
		}
		got, err = e.db.FindComments(e.ctx, "finder", "")
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Fatalf("no comments = %#v", got)
		}
		_, err = e.db.FindComments(e.ctx, "nope", "")
		wantErr(t, err, paved.ENOTFOUND, "")
		wantErr(t, e.db.AddComment(e.ctx, nil), paved.EINVALID, "")
		wantErr(t, e.db.AddComment(e.ctx, &paved.Comment{Service: "ledger", Item: "x", Body: "  "}), paved.EINVALID, "body")
		wantErr(t, e.db.AddComment(e.ctx, &paved.Comment{Service: "ledger", Body: "b"}), paved.EINVALID, "item")
		wantErr(t, e.db.AddComment(e.ctx, &paved.Comment{Service: "nope", Item: "x", Body: "b"}), paved.ENOTFOUND, "")
		verifyChain(t, e)
	})
}

func TestLaunchAssessments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		sec := &paved.Assessment{Service: "ledger", Kind: paved.AssessSecurity, ThreatModel: "https://wiki/tm",
			VulnScan: "0 critical", VulnScanLink: "https://scan/1", RiskRating: paved.RiskHigh, PenTest: "https://pentest/1",
			Links: []string{"https://wiki/sec"}, Notes: "Reviewed with security."}
		must(t, e.db.AddAssessment(as("sec"), sec))
		if sec.ID == 0 || sec.RecordedBy != "sec" || !sec.RecordedAt.Equal(e.clock.Now()) {
			t.Fatalf("assessment = %s", jsonOf(sec))
		}
		ev := lastEvent(t, e)
		if ev.Action != "launch.assess" || ev.ObjectType != "assessment" || string(ev.Changes["risk_rating"].To) != `"high"` {
			t.Fatalf("assess event = %+v", ev)
		}
		e.clock.Advance(time.Hour)
		load := &paved.Assessment{Service: "ledger", Kind: paved.AssessLoad, ExpectedPeakRPS: 120.5, TestedRPS: 300, P99Millis: 87.25}
		must(t, e.db.AddAssessment(as("bob"), load))
		e.clock.Advance(time.Hour)
		sec2 := &paved.Assessment{Service: "ledger", Kind: paved.AssessSecurity, ThreatModel: "https://wiki/tm2", RiskRating: paved.RiskLow}
		must(t, e.db.AddAssessment(as("sec"), sec2))

		l, err := e.db.FindLaunch(e.ctx, "ledger")
		must(t, err)
		if !reflect.DeepEqual(l.Assessments, []*paved.Assessment{sec2, load, sec}) {
			t.Fatalf("assessments =\n%s", jsonOf(l.Assessments))
		}
		if l.LatestAssessment(paved.AssessSecurity) != l.Assessments[0] || l.Assessments[1].Links == nil {
			t.Fatalf("latest security assessment is not the newest")
		}
		wantErr(t, e.db.AddAssessment(e.ctx, nil), paved.EINVALID, "")
		wantErr(t, e.db.AddAssessment(e.ctx, &paved.Assessment{Service: "ledger", Kind: "pen"}), paved.EINVALID, "kind")
		wantErr(t, e.db.AddAssessment(e.ctx, &paved.Assessment{Service: "ledger", Kind: paved.AssessSecurity, RiskRating: "meh"}), paved.EINVALID, "risk_rating")
		wantErr(t, e.db.AddAssessment(e.ctx, &paved.Assessment{Service: "nope", Kind: paved.AssessLoad}), paved.ENOTFOUND, "")
		verifyChain(t, e)
	})
}

func TestLaunchWalkthroughs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		at := time.Date(2026, 4, 1, 14, 0, 0, 0, time.FixedZone("CEST", 2*3600))
		w := &paved.Walkthrough{Service: "ledger", ScheduledAt: at, Participants: []string{"ana", "sec", "ana", "pat"}}
		must(t, e.db.CreateWalkthrough(as("bob"), w, launch.SignoffRequested))
		if w.ID == 0 || w.CreatedBy != "bob" || !w.ScheduledAt.Equal(at) || w.ScheduledAt.Location() != time.UTC ||
			!slices.Equal(w.Participants, []string{"ana", "sec", "pat"}) || w.Signoffs == nil || w.FollowUps == nil {
			t.Fatalf("walkthrough = %s", jsonOf(w))
		}
		ev := lastEvent(t, e)
		if ev.Action != "walkthrough.schedule" || ev.ObjectType != "walkthrough" || ev.ObjectID != fmt.Sprint(w.ID) {
			t.Fatalf("schedule event = %+v", ev)
		}
		got, err := e.db.FindWalkthrough(e.ctx, w.ID)
		must(t, err)
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("FindWalkthrough =\n%s\nwant\n%s", jsonOf(got), jsonOf(w))
		}

		// Sign-offs: the check sees the walkthrough as stored.
		var seen []int
		check := func(w *paved.Walkthrough) error { seen = append(seen, len(w.Signoffs)); return nil }
		s1 := &paved.Signoff{Walkthrough: w.ID, Signer: "pat", Role: paved.SignPeer, Decision: paved.DecisionRequestChanges, Comment: "Add a runbook."}
		must(t, e.db.AddSignoff(as("pat"), s1, check))
		e.clock.Advance(time.Minute)
		s2 := &paved.Signoff{Walkthrough: w.ID, Signer: "pat", Role: paved.SignPeer, Decision: paved.DecisionApprove}
		must(t, e.db.AddSignoff(as("pat"), s2, check))
		if !slices.Equal(seen, []int{0, 1}) || s1.ID == 0 || s2.ID <= s1.ID || !s2.At.Equal(e.clock.Now()) {
			t.Fatalf("check saw %v sign-offs; s1 %s s2 %s", seen, jsonOf(s1), jsonOf(s2))
		}
		ev = lastEvent(t, e)
		if ev.Action != "walkthrough.signoff" || string(ev.Changes["decision"].To) != `"approve"` || string(ev.Changes["signer"].To) != `"pat"` {
			t.Fatalf("signoff event = %+v", ev)
		}

		// A check's error aborts the write and comes back as is.
		h := head(t, e)
		refuse := paved.Errorf(paved.EFORBIDDEN, "veto is only for tier 1")
		err = e.db.AddSignoff(as("ana"), &paved.Signoff{Walkthrough: w.ID, Signer: "ana", Role: paved.SignArchitect, Decision: paved.DecisionVeto},
			func(*paved.Walkthrough) error { return refuse })
		if !errors.Is(err, refuse) {
			t.Fatalf("AddSignoff with a refusing check = %v", err)
		}
		got, err = e.db.FindWalkthrough(e.ctx, w.ID)
		must(t, err)
		if head(t, e) != h || len(got.Signoffs) != 2 {
			t.Fatalf("a refused sign-off was written: %d sign-offs", len(got.Signoffs))
		}

		// Follow-ups.
		f := &paved.FollowUp{Walkthrough: w.ID, Description: "Write the restore runbook", Owner: "pat",
			Due: time.Date(2026, 4, 15, 23, 30, 0, 0, time.UTC)}
		must(t, e.db.AddFollowUp(as("ana"), f))
		if f.ID == 0 || f.CreatedBy != "ana" || !f.Due.Equal(time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)) || f.DoneAt != nil {
			t.Fatalf("follow-up = %s", jsonOf(f))
		}
		ev = lastEvent(t, e)
		if ev.Action != "walkthrough.followup" || string(ev.Changes["due"].To) != `"2026-04-15"` {
			t.Fatalf("follow-up event = %+v", ev)
		}
		e.clock.Advance(time.Hour)
		done, err := e.db.CompleteFollowUp(as("pat"), w.ID, f.ID)
		must(t, err)
		if done.DoneBy != "pat" || done.DoneAt == nil || !done.DoneAt.Equal(e.clock.Now()) || done.Owner != "pat" {
			t.Fatalf("done = %s", jsonOf(done))
		}
		h = head(t, e)
		again, err := e.db.CompleteFollowUp(as("bob"), w.ID, f.ID)
		must(t, err)
		if head(t, e) != h || again.DoneBy != "pat" {
			t.Fatalf("completing twice wrote or changed: %s", jsonOf(again))
		}
		_, err = e.db.CompleteFollowUp(e.ctx, w.ID, f.ID+100)
		wantErr(t, err, paved.ENOTFOUND, "")
		_, err = e.db.CompleteFollowUp(e.ctx, w.ID+100, f.ID)
		wantErr(t, err, paved.ENOTFOUND, "")

		got, err = e.db.FindWalkthrough(e.ctx, w.ID)
		must(t, err)
		want := *w
		want.Signoffs = []*paved.Signoff{s1, s2}
		want.FollowUps = []*paved.FollowUp{done}
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("FindWalkthrough =\n%s\nwant\n%s", jsonOf(got), jsonOf(&want))
		}

		// Cancel; a cancelled walkthrough takes no sign-offs; a newer one
		// comes first in the launch.
		wantErr(t, e.db.CancelWalkthrough(as("bob"), w.ID, "", func(*paved.Walkthrough) error {
			return paved.Errorf(paved.EFORBIDDEN, "refused in the transaction")
		}), paved.EFORBIDDEN, "")
		must(t, e.db.CancelWalkthrough(as("bob"), w.ID, "the date moved", nil))
		h = head(t, e)
		must(t, e.db.CancelWalkthrough(as("bob"), w.ID, "", nil))
		if head(t, e) != h {
			t.Fatal("cancelling twice wrote an event")
		}
		err = e.db.AddSignoff(as("sec"), &paved.Signoff{Walkthrough: w.ID, Signer: "sec", Role: paved.SignSecurity, Decision: paved.DecisionApprove}, nil)
		wantErr(t, err, paved.EUNPROCESSABLE, "")
		e.clock.Advance(time.Hour)
		w2 := &paved.Walkthrough{Service: "ledger", ScheduledAt: at.Add(48 * time.Hour)}
		must(t, e.db.CreateWalkthrough(as("bob"), w2, launch.SignoffRequested))
		if w2.Participants == nil {
			t.Fatal("participants nil")
		}
		l, err := e.db.FindLaunch(e.ctx, "ledger")
		must(t, err)
		want.Cancelled, want.CancelledBy = true, "bob"
		if len(l.Walkthroughs) != 2 || !reflect.DeepEqual(l.Walkthroughs[0], w2) || !reflect.DeepEqual(l.Walkthroughs[1], &want) {
			t.Fatalf("launch walkthroughs =\n%s", jsonOf(l.Walkthroughs))
		}

		t.Run("errors", func(t *testing.T) {
			ctx := e.ctx
			wantErr(t, e.db.CreateWalkthrough(ctx, nil, launch.SignoffRequested), paved.EINVALID, "")
			wantErr(t, e.db.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "ledger"}, launch.SignoffRequested), paved.EINVALID, "scheduled_at")
			wantErr(t, e.db.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "nope", ScheduledAt: at}, launch.SignoffRequested), paved.ENOTFOUND, "")
			wantErr(t, e.db.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "ledger", ScheduledAt: at, Participants: []string{"ana", "nobody"}}, launch.SignoffRequested),
				paved.ENOTFOUND, "participants[1]")
			wantErr(t, e.db.CreateWalkthrough(ctx, &paved.Walkthrough{Service: "ledger", ScheduledAt: at, Participants: []string{"gone"}}, launch.SignoffRequested),
				paved.EUNPROCESSABLE, "participants[0]")
			_, err := e.db.FindWalkthrough(ctx, 999)
			wantErr(t, err, paved.ENOTFOUND, "")
			wantErr(t, e.db.CancelWalkthrough(ctx, 999, "", nil), paved.ENOTFOUND, "")

			sign := func(mod func(s *paved.Signoff)) *paved.Signoff {
				s := &paved.Signoff{Walkthrough: w2.ID, Signer: "ana", Role: paved.SignArchitect, Decision: paved.DecisionApprove}
				mod(s)
				return s
			}
			for _, c := range []struct {
				name, code, field string
				s                 *paved.Signoff
			}{
				{"nil", paved.EINVALID, "", nil},
				{"role", paved.EINVALID, "role", sign(func(s *paved.Signoff) { s.Role = "boss" })},
				{"decision", paved.EINVALID, "decision", sign(func(s *paved.Signoff) { s.Decision = "maybe" })},
				{"walkthrough", paved.ENOTFOUND, "", sign(func(s *paved.Signoff) { s.Walkthrough = 999 })},
				{"signer", paved.ENOTFOUND, "signer", sign(func(s *paved.Signoff) { s.Signer = "nobody" })},
			} {
				t.Run(c.name, func(t *testing.T) {
					wantErr(t, e.db.AddSignoff(ctx, c.s, nil), c.code, c.field)
				})
			}
			due := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			for _, c := range []struct {
				name, code, field string
				f                 *paved.FollowUp
			}{
				{"nil", paved.EINVALID, "", nil},
				{"description", paved.EINVALID, "description", &paved.FollowUp{Walkthrough: w2.ID, Owner: "pat", Due: due}},
				{"no owner", paved.EINVALID, "owner", &paved.FollowUp{Walkthrough: w2.ID, Description: "d", Due: due}},
				{"due", paved.EINVALID, "due", &paved.FollowUp{Walkthrough: w2.ID, Description: "d", Owner: "pat"}},
				{"unknown owner", paved.ENOTFOUND, "owner", &paved.FollowUp{Walkthrough: w2.ID, Description: "d", Owner: "nobody", Due: due}},
				{"walkthrough", paved.ENOTFOUND, "", &paved.FollowUp{Walkthrough: 999, Description: "d", Owner: "pat", Due: due}},
			} {
				t.Run(c.name, func(t *testing.T) {
					wantErr(t, e.db.AddFollowUp(ctx, c.f), c.code, c.field)
				})
			}
		})

		evs := verifyChain(t, e)
		var actions []string
		for _, ev := range evs {
			if strings.HasPrefix(ev.Action, "walkthrough.") && !slices.Contains(actions, ev.Action) {
				actions = append(actions, ev.Action)
			}
		}
		if want := []string{"walkthrough.schedule", "walkthrough.signoff", "walkthrough.followup", "walkthrough.followup-done", "walkthrough.cancel"}; !slices.Equal(actions, want) {
			t.Fatalf("walkthrough actions = %v, want %v", actions, want)
		}
	})
}

// TestLaunchConcurrentSigners races two signers for one role through two
// handles (two replicas): the check, which allows one sign-off per role,
// must see the other's committed sign-off, so exactly one succeeds.
func TestLaunchConcurrentSigners(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		other, err := Open(context.Background(), e.dsn, WithNow(e.clock.Now))
		must(t, err)
		defer other.Close()
		handles := []*DB{e.db, other}
		signers := []string{"ana", "sec"}
		for round := range 3 {
			w := &paved.Walkthrough{Service: "ledger", ScheduledAt: e.clock.Now()}
			must(t, e.db.CreateWalkthrough(e.ctx, w, launch.SignoffRequested))
			onePerRole := func(w *paved.Walkthrough) error {
				time.Sleep(30 * time.Millisecond) // hold the window open
				for _, s := range w.Signoffs {
					if s.Role == paved.SignArchitect {
						return paved.Errorf(paved.ECONFLICT, "%s already signed as architect", s.Signer)
					}
				}
				return nil
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = handles[i].AddSignoff(as(signers[i]), &paved.Signoff{Walkthrough: w.ID, Signer: signers[i],
						Role: paved.SignArchitect, Decision: paved.DecisionApprove}, onePerRole)
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
			got, err := e.db.FindWalkthrough(e.ctx, w.ID)
			must(t, err)
			if ok != 1 || conflicts != 1 || len(got.Signoffs) != 1 {
				t.Fatalf("round %d: %d succeeded, %d conflicts, %d sign-offs stored; want exactly one", round, ok, conflicts, len(got.Signoffs))
			}
		}
		verifyChain(t, e)
	})
}

func TestLaunchChangePhase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		ctx := as("bob")
		_, err := e.db.SaveAnswer(ctx, &paved.Answer{Service: "finder", Item: "q-rollback", Kind: paved.KindQuestionnaire,
			TemplateVersion: 1, Status: paved.AnswerGiven, Text: "Redeploy."})
		must(t, err)

		// A refusing gate: nothing is written.
		h := head(t, e)
		var seen *paved.Launch
		refuse := paved.Errorf(paved.EUNPROCESSABLE, "answer questionnaire item q-runbook")
		c := &paved.PhaseChange{Service: "finder", To: paved.PhaseGreenLight}
		err = e.db.ChangePhase(ctx, c, func(l *paved.Launch) error { seen = l; return refuse })
		if !errors.Is(err, refuse) {
			t.Fatalf("ChangePhase with a refusing gate = %v", err)
		}
		if seen == nil || seen.Service.Phase != paved.PhasePlayground || seen.Answers["q-rollback"] == nil {
			t.Fatalf("the gate saw %s", jsonOf(seen))
		}
		l, err := e.db.FindLaunch(e.ctx, "finder")
		must(t, err)
		if head(t, e) != h || l.Service.Phase != paved.PhasePlayground || len(l.Phases) != 0 {
			t.Fatalf("a refused move was written: phase %s, %d changes", l.Service.Phase, len(l.Phases))
		}

		// A passing gate; then a forced move without a gate.
		e.clock.Advance(time.Hour)
		c = &paved.PhaseChange{Service: "finder", From: paved.PhaseProduction, To: paved.PhaseGreenLight, Actor: "mallory"}
		must(t, e.db.ChangePhase(ctx, c, func(*paved.Launch) error { return nil }))
		want := &paved.PhaseChange{Service: "finder", From: paved.PhasePlayground, To: paved.PhaseGreenLight, Actor: "bob", At: e.clock.Now().UTC()}
		if !reflect.DeepEqual(c, want) {
			t.Fatalf("change = %s, want %s", jsonOf(c), jsonOf(want))
		}
		ev := lastEvent(t, e)
		if ev.Action != "service.phase" || ev.ObjectType != "service" || ev.ObjectID != "finder" ||
			string(ev.Changes["phase"].From) != `"playground"` || string(ev.Changes["phase"].To) != `"green-light"` {
			t.Fatalf("phase event = %+v", ev)
		}
		e.clock.Advance(time.Hour)
		f := &paved.PhaseChange{Service: "finder", To: paved.PhaseProduction, Forced: true, Reason: "Launch day, assessed offline."}
		must(t, e.db.ChangePhase(as("ada"), f, nil))
		ev = lastEvent(t, e)
		if string(ev.Changes["forced"].To) != "true" || string(ev.Changes["reason"].To) != `"Launch day, assessed offline."` {
			t.Fatalf("forced event = %+v", ev.Changes)
		}

		l, err = e.db.FindLaunch(e.ctx, "finder")
		must(t, err)
		if l.Service.Phase != paved.PhaseProduction || !reflect.DeepEqual(l.Phases, []*paved.PhaseChange{c, f}) {
			t.Fatalf("phases = %s (service in %s)", jsonOf(l.Phases), l.Service.Phase)
		}
		svc, err := e.db.FindService(e.ctx, "finder")
		must(t, err)
		if svc.Phase != paved.PhaseProduction || !svc.UpdatedAt.Equal(e.clock.Now()) {
			t.Fatalf("service after the move = %s", jsonOf(svc))
		}

		wantErr(t, e.db.ChangePhase(ctx, nil, nil), paved.EINVALID, "")
		wantErr(t, e.db.ChangePhase(ctx, &paved.PhaseChange{Service: "finder", To: "beta"}, nil), paved.EINVALID, "to")
		wantErr(t, e.db.ChangePhase(ctx, &paved.PhaseChange{Service: "finder", To: paved.PhaseRetired, Forced: true, Reason: " "}, nil), paved.EINVALID, "reason")
		wantErr(t, e.db.ChangePhase(ctx, &paved.PhaseChange{Service: "finder", To: paved.PhaseProduction}, nil), paved.EUNPROCESSABLE, "to")
		wantErr(t, e.db.ChangePhase(ctx, &paved.PhaseChange{Service: "nope", To: paved.PhaseProduction}, nil), paved.ENOTFOUND, "")
		verifyChain(t, e)
	})
}

// TestFindLaunches checks the many-services path against FindLaunch, which
// assembles the same parts for one service.
func TestFindLaunches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		ctx := e.ctx
		for _, s := range []*paved.Service{
			{Name: "wallet", Owner: "payments", Tier: 3, DataClass: paved.DataInternal, Phase: paved.PhasePlayground},
			{Name: "legacy", Owner: "payments", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhaseGreenLight, Grandfathered: true},
			{Name: "indexer", Owner: "search", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhaseGreenLight},
		} {
			must(t, e.db.CreateService(ctx, s))
		}
		// Give every launch some of each part, different per service.
		for i, svc := range []string{"ledger", "finder", "wallet", "indexer", "checkout"} {
			if i%2 == 0 {
				must(t, e.db.PinTemplate(ctx, svc, paved.KindChecklist, 1))
				must(t, e.db.SetContact(ctx, svc, "ana"))
			}
			for j := range i + 1 {
				_, err := e.db.SaveAnswer(ctx, &paved.Answer{Service: svc, Item: fmt.Sprintf("c-%d", j), Kind: paved.KindChecklist,
					TemplateVersion: 1, Status: paved.AnswerGiven, Text: svc})
				must(t, err)
			}
			must(t, e.db.AddAssessment(ctx, &paved.Assessment{Service: svc, Kind: paved.AssessLoad, ExpectedPeakRPS: float64(i + 1)}))
			w := &paved.Walkthrough{Service: svc, ScheduledAt: e.clock.Now(), Participants: []string{"ana"}}
			must(t, e.db.CreateWalkthrough(ctx, w, launch.SignoffRequested))
			must(t, e.db.AddSignoff(ctx, &paved.Signoff{Walkthrough: w.ID, Signer: "pat", Role: paved.SignPeer, Decision: paved.DecisionApprove}, nil))
			must(t, e.db.AddFollowUp(ctx, &paved.FollowUp{Walkthrough: w.ID, Description: "d", Owner: "pat", Due: e.clock.Now()}))
			if i%3 == 0 {
				must(t, e.db.RecordCheck(ctx, &paved.CheckRecord{Service: svc, Commit: "old", Rules: []string{"r"}}))
				e.clock.Advance(time.Second)
				must(t, e.db.RecordCheck(ctx, &paved.CheckRecord{Service: svc, Commit: "new-" + svc}))
			}
			e.clock.Advance(time.Minute)
		}
		must(t, e.db.ChangePhase(ctx, &paved.PhaseChange{Service: "wallet", To: paved.PhaseGreenLight}, nil))
		must(t, e.db.ChangePhase(ctx, &paved.PhaseChange{Service: "wallet", To: paved.PhasePlayground, Forced: true, Reason: "back"}, nil))

		launchNames := func(ls []*paved.Launch) []string {
			return names(ls, func(l *paved.Launch) string { return l.Service.Name })
		}
		for _, c := range []struct {
			name string
			f    paved.LaunchFilter
			want []string
		}{
			{"default", paved.LaunchFilter{}, []string{"finder", "indexer", "ledger", "wallet"}},
			{"team", paved.LaunchFilter{Team: "payments"}, []string{"ledger", "wallet"}},
			{"production", paved.LaunchFilter{Phases: []paved.Phase{paved.PhaseProduction}}, []string{"checkout"}},
			{"retired asked for", paved.LaunchFilter{Team: "search", Phases: []paved.Phase{paved.PhaseRetired, paved.PhaseRetired}}, []string{"old-finder"}},
			{"green-light of search", paved.LaunchFilter{Team: "search", Phases: []paved.Phase{paved.PhaseGreenLight}}, []string{"indexer"}},
			{"none", paved.LaunchFilter{Team: "platform"}, []string{}},
		} {
			t.Run(c.name, func(t *testing.T) {
				ls, err := e.db.FindLaunches(ctx, c.f)
				must(t, err)
				if got := launchNames(ls); !slices.Equal(got, c.want) {
					t.Fatalf("FindLaunches = %v, want %v", got, c.want)
				}
				for _, l := range ls {
					one, err := e.db.FindLaunch(ctx, l.Service.Name)
					must(t, err)
					if !reflect.DeepEqual(l, one) {
						t.Fatalf("FindLaunches and FindLaunch differ for %s:\n%s\n%s", l.Service.Name, jsonOf(l), jsonOf(one))
					}
				}
			})
		}
		ls, err := e.db.FindLaunches(ctx, paved.LaunchFilter{})
		must(t, err)
		byName := map[string]*paved.Launch{}
		for _, l := range ls {
			byName[l.Service.Name] = l
		}
		if l := byName["wallet"]; l.Contact != "ana" || l.Versions[paved.KindChecklist] != 1 || len(l.Answers) != 3 ||
			len(l.Assessments) != 1 || len(l.Walkthroughs) != 1 || len(l.Walkthroughs[0].Signoffs) != 1 ||
			len(l.Walkthroughs[0].FollowUps) != 1 || len(l.Phases) != 2 || l.LatestCheck != nil {
			t.Fatalf("wallet = %s", jsonOf(l))
		}
		if l := byName["ledger"]; l.LatestCheck == nil || l.LatestCheck.Commit != "new-ledger" || l.Contact != "ana" {
			t.Fatalf("ledger latest check = %s", jsonOf(l.LatestCheck))
		}
		if l := byName["indexer"]; l.LatestCheck == nil || l.LatestCheck.Commit != "new-indexer" || l.Contact != "" || l.Versions[paved.KindChecklist] != 0 {
			t.Fatalf("indexer = %s", jsonOf(l))
		}

		_, err = e.db.FindLaunches(ctx, paved.LaunchFilter{Team: "ghosts"})
		wantErr(t, err, paved.ENOTFOUND, "team")
		_, err = e.db.FindLaunches(ctx, paved.LaunchFilter{Phases: []paved.Phase{paved.PhasePlayground, "beta"}})
		wantErr(t, err, paved.EINVALID, "phases[1]")
	})
}

// TestLaunchMigrateFromV1 opens a database created by the previous paved
// (schema version 1, with data): Open adds the launch tables and the
// existing services get empty launches.
func TestLaunchMigrateFromV1(t *testing.T) {
	for _, eng := range engineNames {
		t.Run(eng, func(t *testing.T) {
			ctx := context.Background()
			dsn := testutil.DSN(t, eng)
			driver, source := "sqlite", dsn
			if eng == EnginePostgres {
				driver = "pgx"
			} else {
				var err error
				source, err = sqliteDSN(dsn)
				must(t, err)
			}
			sdb, err := sql.Open(driver, source)
			must(t, err)
			old := &DB{db: sdb, engine: eng, now: time.Now, stmts: map[string]*sql.Stmt{}}
			ms, err := loadMigrations(migrationFiles, "migrations")
			must(t, err)
			conn, err := sdb.Conn(ctx)
			must(t, err)
			must(t, old.applyMigration(ctx, conn, ms[0]))
			conn.Close()
			if v, err := old.SchemaVersion(ctx); err != nil || v != 1 {
				t.Fatalf("SchemaVersion = %d, %v; want 1", v, err)
			}
			must(t, old.CreateTeam(ctx, &paved.Team{Name: "team", Kind: paved.KindProduct}))
			must(t, old.CreateService(ctx, &paved.Service{Name: "svc", Owner: "team", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhaseGreenLight}))
			must(t, old.Close())

			e := openEnv(t, dsn)
			if v, err := e.db.SchemaVersion(ctx); err != nil || v != latestVersion(t) {
				t.Fatalf("SchemaVersion after Open = %d, %v", v, err)
			}
			l, err := e.db.FindLaunch(ctx, "svc")
			must(t, err)
			if l.Service.Phase != paved.PhaseGreenLight || len(l.Answers) != 0 {
				t.Fatalf("launch = %s", jsonOf(l))
			}
			_, err = e.db.SaveAnswer(e.ctx, &paved.Answer{Service: "svc", Item: "x", Kind: paved.KindChecklist, TemplateVersion: 1, Status: paved.AnswerGiven, Text: "t"})
			must(t, err)
			verifyChain(t, e)
		})
	}
}
