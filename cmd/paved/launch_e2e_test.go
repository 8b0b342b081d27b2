package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// TestLaunchEndToEnd walks a service from playground to production through
// the CLI on the local database: the questionnaire and a contact open
// green-light; a refused production move lists its gaps and exits 1; the
// checklist, an n/a a reviewer accepts, the assessments and a walkthrough
// signed by peer, architect and security open production. Then the same
// service is read and a check recorded through a server.
func TestLaunchEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "paved.db")
	e := env{"PAVED_DATABASE": db}

	// The organisation: a product team, three enablement teams, people.
	must(t, e, "team", "create", "shop", "--kind", "product")
	must(t, e, "team", "create", "devprod", "--kind", "developer-productivity")
	must(t, e, "team", "create", "platform", "--kind", "infrastructure-engineering")
	must(t, e, "team", "create", "security", "--kind", "security")
	must(t, e, "user", "create", "ann", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "ben", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "hana", "--role", "reviewer", "--team", "devprod")
	must(t, e, "user", "create", "dave", "--role", "architect", "--team", "platform")
	must(t, e, "user", "create", "sara", "--role", "security", "--team", "security")
	must(t, e, "user", "create", "root", "--role", "admin")
	// Tier 2 with confidential data: peer, architect and security sign.
	must(t, e, "service", "create", "checkout-api", "--owner", "shop", "--tier", "2", "--data-class", "confidential",
		"--link", "repo=https://git.example.com/shop/checkout-api")

	ann, hana, dave, sara := e.with("PAVED_AS", "ann"), e.with("PAVED_AS", "hana"), e.with("PAVED_AS", "dave"), e.with("PAVED_AS", "sara")

	out := must(t, e, "launch", "status", "checkout-api")
	for _, want := range []string{"checkout-api", "phase:", "playground", "next step:", "questionnaire v", "gaps before green-light"} {
		if !strings.Contains(out, want) {
			t.Errorf("status before anything lacks %q:\n%s", want, out)
		}
	}

	// Changes need a paved user; reads do not.
	q := requiredIDs(t, paved.KindQuestionnaire, 2)
	expect(t, 2, "pass --as USER", e, "launch", "answer", "checkout-api", q[0].ID, "--text", "x")
	expect(t, 2, `user "nobody" does not exist`, e.with("PAVED_AS", "nobody"), "launch", "answer", "checkout-api", q[0].ID, "--text", "x")
	expect(t, 1, "needs the developer role", hana, "launch", "answer", "checkout-api", q[0].ID, "--text", "x")
	expect(t, 2, "paved launch status", ann, "launch", "answer", "checkout-api", "no-such-item", "--text", "x")
	expect(t, 2, "give the answer", ann, "launch", "answer", "checkout-api", q[0].ID)
	expect(t, 2, "--na marks the item not applicable", ann, "launch", "answer", "checkout-api", q[0].ID, "--na", "x", "--text", "y")
	expect(t, 2, "pinned to questionnaire version", ann, "launch", "answer", "checkout-api", q[0].ID, "--text", "x", "--template-version", "99")

	// The questionnaire.
	answerAll(t, ann, "checkout-api", q)
	if out := must(t, ann, "launch", "history", "checkout-api", q[0].ID); !strings.Contains(out, "ann") || !strings.Contains(out, "answered") {
		t.Errorf("history:\n%s", out)
	}
	must(t, hana, "launch", "comment", "checkout-api", q[0].ID, "Which zones?")
	must(t, ann, "launch", "comment", "checkout-api", q[0].ID, "eu-west-1a and 1b.")
	if out := must(t, e, "launch", "comments", "checkout-api", q[0].ID); strings.Count(out, ":\n") != 2 || !strings.Contains(out, "Which zones?") {
		t.Errorf("comments:\n%s", out)
	}

	// Green-light waits for the contact: a refused move exits 1.
	r := expect(t, 1, "paved: ", ann, "launch", "advance", "checkout-api")
	if !strings.Contains(strings.ToLower(r.errOut), "contact") {
		t.Errorf("green-light refused without naming the contact:\n%s", r.errOut)
	}
	expect(t, 2, "not a member of an enablement team", ann, "launch", "contact", "checkout-api", "ben")
	must(t, ann, "launch", "contact", "checkout-api", "hana")
	if out := must(t, ann, "launch", "advance", "checkout-api"); out != "checkout-api: playground -> green-light\n" {
		t.Errorf("advance to green-light printed %q", out)
	}

	// Production: refused, every gap listed.
	r = expect(t, 1, "paved: ", ann, "launch", "advance", "checkout-api", "--to", "production")
	c := requiredIDs(t, paved.KindChecklist, 2)
	for _, want := range []string{"security", "load", "walkthrough"} {
		if !strings.Contains(strings.ToLower(r.errOut), want) {
			t.Errorf("production refused without naming %s:\n%s", want, r.errOut)
		}
	}
	if strings.Count(r.errOut, "\n") < 4 {
		t.Errorf("production refused with fewer gaps than expected:\n%s", r.errOut)
	}

	// The checklist, one item n/a until a reviewer accepts it.
	na := c[len(c)-1]
	answerAll(t, ann, "checkout-api", c[:len(c)-1])
	must(t, ann, "launch", "answer", "checkout-api", na.ID, "--na", "nothing of the kind here")
	if out := must(t, e, "launch", "status", "checkout-api", "--all"); !regexp.MustCompile(`na-pending\s+` + na.ID).MatchString(out) {
		t.Errorf("status with a pending n/a:\n%s", out)
	}
	expect(t, 1, "reviewing answers needs the reviewer", ann, "launch", "review", "checkout-api", na.ID, "--accept-na")
	expect(t, 2, "exactly one of", hana, "launch", "review", "checkout-api", na.ID, "--accept-na", "--unflag")
	must(t, hana, "launch", "review", "checkout-api", na.ID, "--accept-na")
	must(t, hana, "launch", "review", "checkout-api", c[0].ID, "--flag", "Say how long a rollback takes.")
	if out := must(t, hana, "launch", "inbox"); !strings.Contains(out, "items you flagged") || !strings.Contains(out, "enablement contact for: checkout-api") {
		t.Errorf("hana's inbox:\n%s", out)
	}
	must(t, hana, "launch", "review", "checkout-api", c[0].ID, "--unflag")

	// Assessments.
	expect(t, 2, "needs --threat-model", sara, "launch", "assess", "checkout-api", "security", "--risk", "low")
	expect(t, 2, "--p99 is for a load assessment", sara, "launch", "assess", "checkout-api", "security", "--threat-model", "https://x.example.com/tm", "--risk", "low", "--p99", "3")
	must(t, sara, "launch", "assess", "checkout-api", "security", "--threat-model", "https://docs.example.com/checkout-api/threat-model",
		"--risk", "medium", "--pen-test", "https://docs.example.com/checkout-api/pen-test", "--vuln-scan", "0 critical, 1 high (accepted)")
	must(t, ann, "launch", "assess", "checkout-api", "load", "--expected-rps", "300", "--tested-rps", "450", "--p99", "120", "--link", "https://grafana.example.com/d/load")

	// The walkthrough: scheduled by ann, so ann cannot be its peer.
	expect(t, 2, "--at", ann, "launch", "walkthrough", "checkout-api", "--at", "next week", "--participant", "ben")
	out = must(t, ann, "launch", "walkthrough", "checkout-api", "--at", "2030-05-04 14:00", "--participant", "ben", "--participant", "dave", "--participant", "sara")
	m := regexp.MustCompile(`walkthrough #(\d+) `).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "required: peer, architect, security") {
		t.Fatalf("walkthrough scheduled:\n%s", out)
	}
	id := m[1]
	expect(t, 1, "second pair of eyes", ann, "launch", "signoff", id, "--role", "peer", "--approve")
	expect(t, 2, "exactly one of", ann, "launch", "signoff", id, "--role", "peer", "--approve", "--veto")
	must(t, e.with("PAVED_AS", "ben"), "launch", "signoff", id, "--role", "peer", "--approve")
	expect(t, 2, "already approved", e.with("PAVED_AS", "ben"), "launch", "signoff", id, "--role", "peer", "--approve")
	must(t, dave, "launch", "signoff", id, "--role", "architect", "--request-changes", "--comment", "Add a restore drill.")
	expect(t, 1, "paved: ", ann, "launch", "advance", "checkout-api")
	must(t, dave, "launch", "walkthrough", "followup", "add", id, "--description", "Restore drill", "--owner", "ann", "--due", "2030-06-01")
	must(t, dave, "launch", "signoff", id, "--role", "architect", "--approve")
	if out := must(t, sara, "launch", "signoff", id, "--role", "security", "--approve"); !strings.Contains(out, "outcome now approved") {
		t.Errorf("last sign-off:\n%s", out)
	}
	if out := must(t, e, "launch", "walkthrough", "show", id); !strings.Contains(out, "outcome approved") || !strings.Contains(out, "Restore drill") {
		t.Errorf("walkthrough show:\n%s", out)
	}
	must(t, ann, "launch", "walkthrough", "followup", "done", id, "1")

	// The gate opens.
	if out := must(t, ann, "launch", "advance", "checkout-api"); out != "checkout-api: green-light -> production\n" {
		t.Errorf("advance to production printed %q", out)
	}
	out = must(t, e, "launch", "status", "checkout-api")
	for _, want := range []string{"production", "playground -> green-light", "green-light -> production", "outcome approved"} {
		if !strings.Contains(out, want) {
			t.Errorf("status in production lacks %q:\n%s", want, out)
		}
	}
	expect(t, 1, "only an admin", ann, "launch", "advance", "checkout-api", "--to", "green-light", "--force", "--reason", "x")
	expect(t, 2, "--force needs --reason", ann, "launch", "advance", "checkout-api", "--to", "green-light", "--force")

	// The audit log holds the phase moves, by ann acting through the CLI.
	out = must(t, e, "audit", "list", "--object-type", "service", "--object-id", "checkout-api")
	if strings.Count(out, "service.phase") != 2 || !strings.Contains(out, " ann ") {
		t.Errorf("audit of checkout-api:\n%s", out)
	}

	// A tier 3 service: no veto, not even for an architect.
	must(t, e, "service", "create", "promo-widget", "--owner", "shop", "--tier", "3", "--data-class", "internal")
	out = must(t, ann, "launch", "walkthrough", "promo-widget", "--at", "2030-05-05T09:00:00Z", "--participant", "dave")
	m = regexp.MustCompile(`walkthrough #(\d+) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("promo-widget walkthrough:\n%s", out)
	}
	expect(t, 1, "veto", dave, "launch", "signoff", m[1], "--role", "architect", "--veto", "--comment", "No.")
	must(t, ann, "launch", "walkthrough", "cancel", m[1])
	if out := must(t, e, "launch", "blocked", "--team", "shop"); !strings.Contains(out, "promo-widget") || strings.Contains(out, "checkout-api") {
		t.Errorf("blocked:\n%s", out)
	}

	// The packet, as a file.
	packet := filepath.Join(t.TempDir(), "packet.html")
	must(t, e, "launch", "packet", "checkout-api", "--format", "html", "-o", packet)
	if b, err := os.ReadFile(packet); err != nil || !strings.Contains(string(b), "<html") || !strings.Contains(string(b), "checkout-api") {
		t.Errorf("packet: %v\n%.300s", err, b)
	}
	if out := must(t, e, "launch", "packet", "checkout-api"); !strings.HasPrefix(out, "#") {
		t.Errorf("markdown packet starts %.80q", out)
	}

	// Through a server: the same status, and a recorded check with the CI
	// details from GitHub Actions.
	local := must(t, e, "launch", "status", "checkout-api")
	tok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ann"))
	srv := startServer(t, e)
	re := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", tok)
	if got := must(t, re, "launch", "status", "checkout-api"); got != local {
		t.Errorf("local and server status differ:\nlocal:\n%s\nserver:\n%s", local, got)
	}
	expect(t, 2, "--as names the acting user for the local database", re, "launch", "status", "checkout-api", "--as", "ann")
	expect(t, 2, "needs --server", e, "check", "--commit", "abc", "testdata/check/bigdb.json")
	gh := re.with("GITHUB_ACTIONS", "true", "GITHUB_SHA", "0123abcd", "GITHUB_REF", "refs/pull/42/merge", "GITHUB_HEAD_REF", "bigger-db",
		"GITHUB_SERVER_URL", "https://github.com", "GITHUB_REPOSITORY", "shop/checkout-api", "GITHUB_RUN_ID", "777")
	r = cli(t, gh, "check", "--service", "checkout-api", "testdata/check/bigdb.json")
	if r.code > 1 || !strings.Contains(r.errOut, "paved: recorded check #") {
		t.Fatalf("check --server --service: exit %d\n%s", r.code, r.errOut)
	}
	var st launch.Status
	if err := json.Unmarshal([]byte(must(t, re, "launch", "status", "checkout-api", "-o", "json")), &st); err != nil {
		t.Fatal(err)
	}
	lc := st.LatestCheck
	if lc == nil || lc.Actor != "ann" || lc.Commit != "0123abcd" || lc.Branch != "bigger-db" ||
		lc.PullRequest != "https://github.com/shop/checkout-api/pull/42" || lc.RunURL != "https://github.com/shop/checkout-api/actions/runs/777" ||
		len(lc.Rules) == 0 || len(lc.ResourceTypes) == 0 {
		t.Errorf("recorded check: %+v", lc)
	}
	srv.stop(t)
	if out := must(t, e, "audit", "verify"); !strings.HasPrefix(out, "audit log intact") {
		t.Errorf("audit verify: %s", out)
	}
}

// requiredIDs lists the items of kind that tier must settle, in the
// embedded templates.
func requiredIDs(t *testing.T, k paved.TemplateKind, tier paved.Tier) []*paved.TemplateItem {
	t.Helper()
	var out []*paved.TemplateItem
	for _, it := range launch.DefaultLibrary().Current(k).Items() {
		if it.Required(tier) {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s item is required for tier %d", k, tier)
	}
	return out
}

// answerAll answers each item with text and a link, which fits every form.
func answerAll(t *testing.T, e env, service string, items []*paved.TemplateItem) {
	t.Helper()
	for _, it := range items {
		must(t, e, "launch", "answer", service, it.ID, "--text", "Our answer to "+it.Title, "--link", "https://docs.example.com/"+service+"/"+it.ID)
	}
}
