package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// launchFixture is the portal fixture with the people a launch needs: an
// architect and a reviewer from the enablement side and a second developer
// of payments to be the peer, and a launch.Service over the same store to
// set up what a test does not do through the portal.
type launchFixture struct {
	*portalFixture
	ls      *launch.Service
	clients map[string]*signedIn
}

type signedIn struct {
	pc   *portalClient
	csrf string
}

func newLaunchFixture(t *testing.T) *launchFixture {
	t.Helper()
	f := &launchFixture{portalFixture: newPortalFixture(t), clients: map[string]*signedIn{}}
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "seed"})
	for _, u := range []*paved.User{
		{Name: "arnold", DisplayName: "Arnold Arch", Roles: []paved.Role{paved.RoleArchitect}, Teams: []string{"platform"}},
		{Name: "rita", DisplayName: "Rita Review", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform"}},
		{Name: "pete", DisplayName: "Pete Peer", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"payments"}},
	} {
		if err := f.db.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user %s: %v", u.Name, err)
		}
		secret := paved.NewTokenSecret()
		tok := &paved.Token{User: u.Name, Name: "test", Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret)}
		if err := f.db.CreateToken(ctx, tok); err != nil {
			t.Fatalf("create token for %s: %v", u.Name, err)
		}
		f.tokens[u.Name] = secret
	}
	f.ls = &launch.Service{Store: f.db, Library: launch.DefaultLibrary()}
	return f
}

// as returns a context acting as the named user, for launch.Service calls.
func (f *launchFixture) as(t testing.TB, name string) context.Context {
	t.Helper()
	u, err := f.db.FindUser(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return paved.WithActor(context.Background(), paved.Actor{User: u})
}

// user returns a signed-in portal client for name (one per user and
// fixture) and its CSRF token.
func (f *launchFixture) user(t testing.TB, name string) *signedIn {
	t.Helper()
	if c := f.clients[name]; c != nil {
		c.pc.t = t
		return c
	}
	pc := f.client(t)
	c := &signedIn{pc: pc, csrf: pc.signin(f.tokens[name])}
	f.clients[name] = c
	return c
}

func (c *signedIn) post(path string, form url.Values) (*http.Response, string) {
	c.pc.t.Helper()
	v := url.Values{"csrf": {c.csrf}}
	for k, vs := range form {
		v[k] = vs
	}
	return c.pc.post(path, v, nil)
}

// follow posts and, on 303, returns the page it leads to.
func (c *signedIn) follow(path string, form url.Values) (*http.Response, string) {
	c.pc.t.Helper()
	resp, body := c.post(path, form)
	if resp.StatusCode != http.StatusSeeOther {
		return resp, body
	}
	return c.pc.get(resp.Header.Get("Location"))
}

func wantPageLacks(t testing.TB, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("page has %q, want it not to", s)
		}
	}
}

var idRE = regexp.MustCompile(` id="([^"]+)"`)

// wantUniqueIDs checks that no element id repeats on a page: labels, anchors
// and aria references would point at the wrong element.
func wantUniqueIDs(t testing.TB, path, body string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range idRE.FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("%s: id %q repeats", path, m[1])
		}
		seen[m[1]] = true
	}
}

// stateOf reads an item's state badge from the launch page.
func stateOf(t testing.TB, body, item string) string {
	t.Helper()
	marker := `id="state-` + item + `">`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatalf("no state badge for %s on the page", item)
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, "<")]
}

func TestPortalLaunchPages(t *testing.T) {
	f := newLaunchFixture(t)
	bob := f.user(t, "bob") // a viewer reads everything and changes nothing
	tests := []struct {
		path   string
		status int
		want   []string
		lacks  []string
	}{
		{"/services/checkout-api", 200,
			[]string{"Path to production", `id="next-step"`, "Questionnaire and checklist", `href="/services/checkout-api/launch/packet"`, `aria-current="step"`, "Green-light questionnaire"},
			[]string{`id="form-phase"`, `id="form-contact"`, "Record a security assessment", "Schedule a walkthrough", "Force a move"}},
		{"/services/checkout-api/launch", 200,
			[]string{"purpose-and-impact", `id="state-purpose-and-impact">missing<`, "Guidance", "Developers of"},
			[]string{`action="/services/checkout-api/launch/items/purpose-and-impact/answer"`, "Add a comment", "Accept n/a"}},
		{"/services/checkout-api/launch/items/purpose-and-impact", 200, []string{"Answer history", "Not answered yet."}, nil},
		{"/services/payments-gateway", 200, []string{"grandfathered"}, nil},
		{"/launches", 200, []string{"checkout-api", "ranking-model"}, []string{"payments-gateway", "invoice-service"}},
		{"/launches?team=search", 200, []string{"fraud-scoring"}, []string{"checkout-api"}},
		{"/launches?team=nobody", 400, []string{"There is no team"}, nil},
		{"/reviews", 200, []string{"Nothing waits for you."}, nil},
		{"/services/nope/launch", 404, nil, nil},
		{"/services/checkout-api/launch/items/nope", 404, []string{"has no item"}, nil},
		{"/services/checkout-api/launch/packet?format=pdf", 400, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := bob.pc.get(tt.path)
			wantPageStatus(t, resp, body, tt.status)
			wantPageContains(t, body, tt.want...)
			wantPageLacks(t, body, tt.lacks...)
		})
	}

	t.Run("packet", func(t *testing.T) {
		resp, body := bob.pc.get("/services/checkout-api/launch/packet")
		wantPageStatus(t, resp, body, 200)
		wantPageContains(t, body, "checkout-api")
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("packet CSP %q: want a strict policy", csp)
		}
		resp, body = bob.pc.get("/services/checkout-api/launch/packet?format=markdown")
		wantPageStatus(t, resp, body, 200)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/markdown") {
			t.Errorf("markdown packet Content-Type %q", ct)
		}
	})

	t.Run("nav", func(t *testing.T) {
		_, body := bob.pc.get("/")
		wantPageContains(t, body, `href="/launches"`)
		wantPageLacks(t, body, `href="/reviews"`)
		_, body = f.user(t, "rita").pc.get("/")
		wantPageContains(t, body, `href="/reviews"`)
	})
}

// TestPortalLaunchAuthz posts every launch form as users the rules refuse
// (403, nothing changes) and as one they allow (not 403), in an order in
// which the allowed posts make sense.
func TestPortalLaunchAuthz(t *testing.T) {
	f := newLaunchFixture(t)
	const svc = "ranking-model" // tier 2, public data, green-light, owned by payments
	if _, err := f.ls.Answer(f.as(t, "alice"), svc, "purpose-and-impact", launch.AnswerInput{Text: "Ranks search results."}); err != nil {
		t.Fatal(err)
	}
	ws, err := f.ls.Schedule(f.as(t, "alice"), svc, time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC), []string{"pete", "arnold"})
	if err != nil {
		t.Fatal(err)
	}
	fu, err := f.ls.AddFollowUp(f.as(t, "alice"), ws.ID, "Add the dashboard", "alice", time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	base := "/services/" + svc + "/launch"
	wt := fmt.Sprintf("%s/walkthroughs/%d", base, ws.ID)
	item := base + "/items/purpose-and-impact"

	type route struct {
		name      string
		path      string
		form      url.Values
		forbidden []string
		allowed   string
		want      int // status for the allowed user
	}
	routes := []route{
		{"answer", item + "/answer", url.Values{"text": {"Ranks results by relevance."}},
			[]string{"bob", "dave", "rita", "sam", "arnold"}, "alice", 303},
		{"comment", item + "/comments", url.Values{"body": {"Which results?"}},
			[]string{"bob", "dave"}, "rita", 303},
		{"review", item + "/review", url.Values{"action": {"flag"}, "flag": {"Name the consumers."}},
			[]string{"bob", "alice", "pete", "dave"}, "rita", 303},
		{"contact", base + "/contact", url.Values{"contact": {"rita"}},
			[]string{"bob", "dave", "sam"}, "alice", 303},
		{"assessment", base + "/assessments", url.Values{"kind": {"load"}, "expected_peak_rps": {"100"}, "tested_rps": {"150"}, "p99_ms": {"80"}},
			[]string{"bob", "dave", "rita", "arnold"}, "sam", 303},
		{"phase", base + "/phase", url.Values{"to": {"production"}},
			[]string{"bob", "dave", "rita", "sam", "arnold"}, "alice", 422},
		{"force", base + "/phase", url.Values{"to": {"playground"}, "force": {"1"}, "reason": {"test"}},
			[]string{"alice", "rita", "bob"}, "", 0},
		{"schedule", base + "/walkthroughs", url.Values{"scheduled_at": {"2030-01-03T10:00"}},
			[]string{"bob", "dave"}, "alice", 409},
		{"follow-up", wt + "/follow-ups", url.Values{"description": {"Write the runbook"}, "owner": {"pete"}, "due": {"2030-03-01"}},
			[]string{"bob", "dave"}, "rita", 303},
		{"follow-up done", fmt.Sprintf("%s/follow-ups/%d/done", wt, fu.ID), nil,
			[]string{"bob", "dave"}, "alice", 303},
		{"sign-off", wt + "/signoffs", url.Values{"role": {"architect"}, "decision": {"approve"}},
			[]string{"bob"}, "arnold", 303},
		{"sign-off in a role one may not fill", wt + "/signoffs", url.Values{"role": {"architect"}, "decision": {"approve"}},
			nil, "alice", 403},
		{"cancel", wt + "/cancel", nil,
			[]string{"bob", "dave"}, "sam", 303},
	}
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			before, err := f.ls.Status(context.Background(), svc)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range rt.forbidden {
				resp, body := f.user(t, name).post(rt.path, rt.form)
				if resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
				}
				wantPageContains(t, body, "Not allowed")
			}
			// Without the CSRF token even an allowed user changes nothing.
			who := rt.allowed
			if who == "" {
				who = "root"
			}
			form := url.Values{}
			for k, v := range rt.form {
				form[k] = v
			}
			resp, body := f.user(t, who).pc.post(rt.path, form, nil)
			wantPageStatus(t, resp, body, http.StatusForbidden)
			wantPageContains(t, body, "could not be verified")
			after, err := f.ls.Status(context.Background(), svc)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := launchFingerprint(after), launchFingerprint(before); a != b {
				t.Errorf("a refused post changed the launch:\nbefore %s\nafter  %s", b, a)
			}
			if rt.allowed == "" {
				return
			}
			resp, body = f.user(t, rt.allowed).post(rt.path, rt.form)
			if resp.StatusCode != rt.want {
				t.Errorf("%s: status %d, want %d\n%s", rt.allowed, resp.StatusCode, rt.want, body)
			}
		})
	}

	t.Run("walkthrough of another service", func(t *testing.T) {
		other, err := f.ls.Schedule(f.as(t, "alice"), "checkout-api", time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC), nil)
		if err != nil {
			t.Fatal(err)
		}
		// alice may act on ranking-model, but the walkthrough is checkout-api's.
		resp, body := f.user(t, "arnold").post(fmt.Sprintf("%s/walkthroughs/%d/signoffs", base, other.ID), url.Values{"role": {"architect"}, "decision": {"approve"}})
		wantPageStatus(t, resp, body, http.StatusNotFound)
		resp, body = f.user(t, "alice").post(fmt.Sprintf("%s/walkthroughs/%d/cancel", base, other.ID), nil)
		wantPageStatus(t, resp, body, http.StatusNotFound)
		resp, body = f.user(t, "alice").post(base+"/walkthroughs/x/cancel", nil)
		wantPageStatus(t, resp, body, http.StatusNotFound)
	})

	t.Run("unknown service", func(t *testing.T) {
		resp, body := f.user(t, "alice").post("/services/nope/launch/items/purpose-and-impact/answer", url.Values{"text": {"x"}})
		wantPageStatus(t, resp, body, http.StatusNotFound)
	})

	t.Run("admin forces", func(t *testing.T) {
		resp, body := f.user(t, "root").post(base+"/phase", url.Values{"to": {"playground"}, "force": {"1"}, "reason": {"Back to the drawing board."}})
		wantPageStatus(t, resp, body, http.StatusSeeOther)
		st, err := f.ls.Status(context.Background(), svc)
		if err != nil {
			t.Fatal(err)
		}
		if st.Service.Phase != paved.PhasePlayground || len(st.Phases) == 0 || !st.Phases[len(st.Phases)-1].Forced {
			t.Fatalf("after the forced move: phase %s, history %+v", st.Service.Phase, st.Phases)
		}
		_, page := f.user(t, "bob").pc.get("/services/" + svc)
		wantPageContains(t, page, "forced", "Back to the drawing board.")
	})
}

// launchFingerprint summarises what the launch forms change.
func launchFingerprint(st *launch.Status) string {
	var b strings.Builder
	fmt.Fprintf(&b, "phase=%s contact=%s", st.Service.Phase, st.Contact)
	for _, a := range st.Areas {
		for _, it := range a.Items {
			if it.Answer != nil {
				fmt.Fprintf(&b, " %s=%d/%s/%d", it.Item.ID, it.Answer.Revision, it.Answer.Flag, it.Comments)
			}
		}
	}
	if st.Load != nil {
		fmt.Fprintf(&b, " load=%d", st.Load.ID)
	}
	if w := st.Walkthrough; w != nil {
		fmt.Fprintf(&b, " wt=%d/%d/%d/%t", w.ID, len(w.Signoffs), len(w.FollowUps), w.Cancelled)
		for _, fu := range w.FollowUps {
			fmt.Fprintf(&b, "/%t", fu.DoneAt != nil)
		}
	}
	return b.String()
}

func TestPortalLaunchAnswering(t *testing.T) {
	f := newLaunchFixture(t)
	alice := f.user(t, "alice")
	const page = "/services/checkout-api/launch"
	item := func(id string) string { return page + "/items/" + id }

	t.Run("answer settles the item", func(t *testing.T) {
		resp, body := alice.post(item("purpose-and-impact")+"/answer", url.Values{
			"status": {"answered"}, "text": {"Takes the money.\r\nAn hour down loses every order."}, "template_version": {"1"},
		})
		wantPageStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != page+"#item-purpose-and-impact" {
			t.Errorf("Location = %q", loc)
		}
		_, body = alice.pc.get(page)
		wantPageContains(t, body, "Answer saved.", "Takes the money.\nAn hour down loses every order.", `href="/users/alice"`, "revision 1")
		if st := stateOf(t, body, "purpose-and-impact"); st != "settled" {
			t.Errorf("state %q, want settled", st)
		}
		_, body = alice.pc.get(item("purpose-and-impact"))
		wantPageContains(t, body, "Revision 1 by", "Takes the money.")
	})

	tests := []struct {
		name   string
		item   string
		form   url.Values
		status int
		want   []string
	}{
		{"empty answer", "data-classes", url.Values{"text": {"  "}}, 400, nil},
		{"link item without a link", "architecture-sketch", url.Values{"text": {"On the wiki somewhere."}}, 0, []string{"On the wiki somewhere."}},
		{"link that is not http", "architecture-sketch", url.Values{"links": {"javascript:alert(1)"}}, 400, nil},
		{"n/a without a reason", "data-classes", url.Values{"status": {"n/a"}}, 400, nil},
		{"unknown status", "data-classes", url.Values{"status": {"maybe"}, "text": {"x"}}, 400, []string{"unknown answer status"}},
		{"another template version", "data-classes", url.Values{"text": {"Card numbers."}, "template_version": {"7"}}, 409, []string{"pinned"}},
		{"template version not a number", "data-classes", url.Values{"text": {"Card numbers."}, "template_version": {"seven"}}, 400, []string{"not a number"}},
		{"unknown item", "no-such-item", url.Values{"text": {"x"}}, 404, []string{"paved launch status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := alice.post(item(tt.item)+"/answer", tt.form)
			if tt.status == 0 && resp.StatusCode < 400 || tt.status != 0 && resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.status, body)
			}
			wantPageContains(t, body, `role="alert"`, "Not saved:")
			wantPageContains(t, body, tt.want...)
		})
	}

	t.Run("comment", func(t *testing.T) {
		resp, body := alice.post(item("purpose-and-impact")+"/comments", url.Values{"body": {"Is an hour the right unit?"}})
		wantPageStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != page+"#item-purpose-and-impact-comments" {
			t.Errorf("Location = %q", loc)
		}
		_, body = alice.pc.get(page)
		wantPageContains(t, body, "Comment added.", "Is an hour the right unit?", "Comments (1)")
		resp, body = alice.post(item("purpose-and-impact")+"/comments", url.Values{"body": {" "}})
		wantPageStatus(t, resp, body, http.StatusBadRequest)
		wantPageContains(t, body, "the comment is empty")
	})

	t.Run("n/a reviewed and flagged", func(t *testing.T) {
		resp, body := alice.post(item("data-classes")+"/answer", url.Values{"status": {"n/a"}, "na_reason": {"We keep no data."}})
		wantPageStatus(t, resp, body, http.StatusSeeOther)
		rita := f.user(t, "rita")
		_, body = rita.pc.get("/reviews")
		wantPageContains(t, body, "n/a reasons to review", "checkout-api", "We keep no data.")
		_, body = rita.pc.get(page)
		if st := stateOf(t, body, "data-classes"); st != "n/a, waiting for review" {
			t.Errorf("state %q", st)
		}
		wantPageContains(t, body, `id="accept-na-data-classes"`)
		wantPageLacks(t, body, `id="form-answer-data-classes"`)

		resp, body = rita.follow(item("data-classes")+"/review", url.Values{"action": {"accept-na"}})
		wantPageStatus(t, resp, body, http.StatusOK)
		wantPageContains(t, body, "Review saved.", "Accepted by")
		if st := stateOf(t, body, "data-classes"); st != "settled" {
			t.Errorf("state %q after acceptance", st)
		}

		resp, body = rita.post(item("data-classes")+"/review", url.Values{"action": {"flag"}, "flag": {" "}})
		wantPageStatus(t, resp, body, http.StatusBadRequest)
		wantPageContains(t, body, "say what needs follow-up")
		resp, body = rita.follow(item("data-classes")+"/review", url.Values{"action": {"flag"}, "flag": {"Logs hold user ids."}})
		wantPageStatus(t, resp, body, http.StatusOK)
		wantPageContains(t, body, "Flagged for follow-up", "Logs hold user ids.", `id="unflag-data-classes"`)
		_, body = rita.pc.get("/reviews")
		wantPageContains(t, body, "Your open flags", "Logs hold user ids.")
		resp, body = rita.follow(item("data-classes")+"/review", url.Values{"action": {"unflag"}})
		wantPageStatus(t, resp, body, http.StatusOK)
		wantPageLacks(t, body, `id="flagnote-data-classes"`, "Logs hold user ids.")
		resp, body = rita.post(item("data-classes")+"/review", url.Values{"action": {"approve"}})
		wantPageStatus(t, resp, body, http.StatusBadRequest)
	})

	t.Run("service page progress", func(t *testing.T) {
		_, body := alice.pc.get("/services/checkout-api")
		wantPageContains(t, body, `id="bar-questionnaire-the-service"`, "Record a security assessment", "Schedule a walkthrough", `id="form-contact"`)
		wantPageLacks(t, body, "Force a move")
	})
}

func TestPortalLaunchWalkthrough(t *testing.T) {
	f := newLaunchFixture(t)
	const svc = "ranking-model" // tier 2, public: peer and architect sign, no veto
	alice, pete, arnold := f.user(t, "alice"), f.user(t, "pete"), f.user(t, "arnold")
	base := "/services/" + svc + "/launch"

	resp, body := alice.post(base+"/walkthroughs", url.Values{"scheduled_at": {"next week"}})
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	wantPageContains(t, body, "is not a time", `value="next week"`)
	resp, body = alice.post(base+"/walkthroughs", url.Values{"scheduled_at": {"2030-01-02T10:00"}, "participants": {"pete, nobody"}})
	wantPageStatus(t, resp, body, http.StatusUnprocessableEntity)
	wantPageContains(t, body, "not a paved user", "pete, nobody")
	resp, body = alice.follow(base+"/walkthroughs", url.Values{"scheduled_at": {"2030-01-02T10:00"}, "participants": {"pete, arnold"}})
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "Walkthrough scheduled.", "2030-01-02 10:00 UTC", `id="outcome">pending<`, "with pete, arnold")
	// alice scheduled it: she is not its peer, and not an architect.
	wantPageLacks(t, body, `id="sign-peer-approve"`, `id="sign-architect-approve"`)
	wantPageContains(t, body, "Why you cannot sign this walkthrough", "second pair of eyes")

	st, err := f.ls.Status(context.Background(), svc)
	if err != nil || st.Walkthrough == nil {
		t.Fatalf("status: %v, walkthrough %v", err, st)
	}
	sign := fmt.Sprintf("%s/walkthroughs/%d/signoffs", base, st.Walkthrough.ID)

	_, body = pete.pc.get("/services/" + svc)
	wantPageContains(t, body, `id="sign-peer-approve"`, `id="sign-peer-request-changes"`)
	wantPageLacks(t, body, `id="sign-architect-approve"`, `id="sign-peer-veto"`, "or veto")
	// An architect may sign as architect, or as peer (not both).
	_, body = arnold.pc.get("/services/" + svc)
	wantPageContains(t, body, `id="sign-architect-approve"`, `id="sign-peer-approve"`)
	wantPageLacks(t, body, `id="sign-architect-veto"`)
	_, body = arnold.pc.get("/reviews")
	wantPageContains(t, body, "Walkthroughs to sign (1)", svc)
	for _, who := range []string{"alice", "arnold", "root"} {
		for _, path := range []string{"/services/" + svc, base, "/launches", "/reviews"} {
			_, body := f.user(t, who).pc.get(path)
			wantUniqueIDs(t, who+" "+path, body)
		}
	}

	resp, body = arnold.post(sign, url.Values{"role": {"architect"}, "decision": {"veto"}, "comment": {"No."}})
	wantPageStatus(t, resp, body, http.StatusForbidden)
	wantPageContains(t, body, "request changes instead", `value="architect"`, ">No.</textarea>")
	resp, body = arnold.post(sign, url.Values{"role": {"architect"}, "decision": {"request-changes"}})
	wantPageStatus(t, resp, body, http.StatusBadRequest)
	wantPageContains(t, body, "needs a comment")

	resp, body = pete.follow(sign, url.Values{"role": {"peer"}, "decision": {"approve"}, "comment": {"Looks good."}})
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, "Sign-off recorded.", "Looks good.", `id="outcome">pending<`)
	resp, body = pete.post(sign, url.Values{"role": {"peer"}, "decision": {"approve"}})
	wantPageStatus(t, resp, body, http.StatusConflict)
	wantPageContains(t, body, "an approval is given once")

	resp, body = arnold.follow(sign, url.Values{"role": {"architect"}, "decision": {"request-changes"}, "comment": {"Add a cache."}})
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="outcome">changes-requested<`, "Add a cache.", `id="sign-architect-approve"`)
	resp, body = arnold.follow(sign, url.Values{"role": {"architect"}, "decision": {"approve"}})
	wantPageStatus(t, resp, body, http.StatusOK)
	wantPageContains(t, body, `id="outcome">approved<`, "Every sign-off (3)")
	wantPageLacks(t, body, `id="sign-architect-approve"`)
}

func TestGuidanceHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"One line.", "<p>One line.</p>"},
		{"Two\nlines.\n\nNew paragraph.", "<p>Two lines.</p><p>New paragraph.</p>"},
		{"Intro:\n- a `b`\n- **c**\nafter", "<p>Intro:</p><ul><li>a <code>b</code></li><li><strong>c</strong></li></ul><p>after</p>"},
		{"* star", "<ul><li>star</li></ul>"},
		{"<script>alert(1)</script> & co", "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>"},
		{"[docs](https://example.com/a?b=1&c=2)", `<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a></p>`},
		{"[bad](javascript:alert(1))", "<p>[bad](javascript:alert(1))</p>"},
		{"[x\" onclick=\"y](https://e.com)", `<p><a href="https://e.com" rel="noopener noreferrer">x&#34; onclick=&#34;y</a></p>`},
	}
	for _, tt := range tests {
		if got := guidanceHTML(tt.in); got != template.HTML(tt.want) {
			t.Errorf("guidanceHTML(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestPacketStylePolicy(t *testing.T) {
	page := []byte("<html><head><style>body{color:red}</style><STYLE media=print>p{}</STYLE></head></html>")
	csp := packetStylePolicy(page)
	for _, want := range []string{"default-src 'none'", "'sha256-", "form-action 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	if n := strings.Count(csp, "'sha256-"); n != 2 {
		t.Errorf("policy %q: %d hashes, want 2", csp, n)
	}
	if csp := packetStylePolicy([]byte("<p>no style</p>")); !strings.Contains(csp, "style-src 'none'") {
		t.Errorf("policy without styles: %q", csp)
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Hour, "in the future"},
		{10 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{5 * time.Hour, "5 hours ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{90 * 24 * time.Hour, "3 months ago"},
		{3 * 365 * 24 * time.Hour, "3 years ago"},
	}
	for _, tt := range tests {
		if got := ago(now, now.Add(-tt.d)); got != tt.want {
			t.Errorf("ago(-%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := ago(now, time.Time{}); got != "" {
		t.Errorf("ago(zero) = %q", got)
	}
}

func TestParseWhen(t *testing.T) {
	want := time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC)
	for _, in := range []string{"2030-01-02T10:00", "2030-01-02 10:00", "2030-01-02T10:00:00", "2030-01-02T11:00:00+01:00", " 2030-01-02 10:00 "} {
		got, err := parseWhen(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "tomorrow", "2030-13-01 10:00"} {
		if _, err := parseWhen(in); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("parseWhen(%q): error %v, want EINVALID", in, err)
		}
	}
}

func TestTimeline(t *testing.T) {
	created := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	green := created.AddDate(0, 1, 0)
	prod := created.AddDate(0, 2, 0)
	back := created.AddDate(0, 3, 0)
	tests := []struct {
		name   string
		phase  paved.Phase
		moves  []*paved.PhaseChange
		states string // state@date per step
	}{
		{"new", paved.PhasePlayground, nil, "current@2030-01-01 upcoming@ upcoming@"},
		{"green-light", paved.PhaseGreenLight,
			[]*paved.PhaseChange{{From: paved.PhasePlayground, To: paved.PhaseGreenLight, At: green}},
			"done@2030-01-01 current@2030-02-01 upcoming@"},
		{"forced back", paved.PhaseGreenLight,
			[]*paved.PhaseChange{{To: paved.PhaseGreenLight, At: green}, {To: paved.PhaseProduction, At: prod}, {To: paved.PhaseGreenLight, At: back, Forced: true}},
			"done@2030-01-01 current@2030-04-01! upcoming@"},
		{"retired from playground", paved.PhaseRetired,
			[]*paved.PhaseChange{{To: paved.PhaseRetired, At: green}},
			"done@2030-01-01 skipped@ skipped@ current@2030-02-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &launch.Status{Service: &paved.Service{Name: "s", Phase: tt.phase, CreatedAt: created}, Phases: tt.moves}
			var got []string
			for _, s := range timeline(st) {
				v := s.State + "@"
				if !s.At.IsZero() {
					v += s.At.Format("2006-01-02")
				}
				if s.Forced {
					v += "!"
				}
				got = append(got, v)
			}
			if g := strings.Join(got, " "); g != tt.states {
				t.Errorf("timeline = %s, want %s", g, tt.states)
			}
		})
	}
}

func TestNewTrend(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	pt := func(h int, s float64) launch.ReadinessPoint {
		return launch.ReadinessPoint{At: at.Add(time.Duration(h) * time.Hour), Score: launch.Score{Overall: s}}
	}
	if tr := newTrend([]launch.ReadinessPoint{pt(0, .5)}); tr != nil {
		t.Errorf("one point makes a trend: %+v", tr)
	}
	tr := newTrend([]launch.ReadinessPoint{pt(0, 0), pt(1, .5), pt(4, 1)})
	if tr.Points != "0.0,60.0 75.0,30.0 300.0,0.0" {
		t.Errorf("points %q", tr.Points)
	}
	tr = newTrend([]launch.ReadinessPoint{pt(0, 0), pt(0, 1)})
	if tr.Points != "0.0,60.0 300.0,0.0" {
		t.Errorf("points at one time %q", tr.Points)
	}
}
