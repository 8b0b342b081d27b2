package web

import (
	"database/sql"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// TestAuditWrittenByAPI checks that API changes land in the audit log with
// the token's user as actor, newest first, and that verification passes
// and then finds a tampered event.
func TestAuditWrittenByAPI(t *testing.T) {
	e := newAPIEnv(t)
	steps := []struct{ user, method, path, body string }{
		{"dev-alpha", "POST", "/api/v1/services", `{"name":"pay","owner":"alpha"}`},
		{"dev-alpha", "PATCH", "/api/v1/services/pay", `{"title":"Payments"}`},
		{"admin", "POST", "/api/v1/services/pay/retire", ""},
		{"admin", "POST", "/api/v1/teams", `{"name":"delta","kind":"reliability"}`},
		{"dev-alpha", "POST", "/api/v1/tokens", `{"name":"ci"}`},
	}
	for _, s := range steps {
		if rec := e.as(s.user, s.method, s.path, s.body); rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", s.method, s.path, rec.Code, rec.Body)
		}
	}
	l := decode[api.List[paved.AuditEvent]](t, e.as("security", "GET", "/api/v1/audit?object_type=service&object_id=pay", ""))
	var got []string
	for _, ev := range l.Items {
		got = append(got, ev.Actor+":"+ev.Action)
	}
	if want := "[admin:service.retire dev-alpha:service.update dev-alpha:service.create]"; fmt.Sprint(got) != want {
		t.Fatalf("events for pay = %v, want %s", got, want)
	}
	if ch, ok := l.Items[1].Changes["title"]; !ok || string(ch.To) != `"Payments"` {
		t.Errorf("update event changes = %v", l.Items[1].Changes)
	}
	l = decode[api.List[paved.AuditEvent]](t, e.as("admin", "GET", "/api/v1/audit?actor=admin&limit=1", ""))
	if l.Total != 2 || len(l.Items) != 1 || l.Items[0].Action != "team.create" {
		t.Fatalf("admin's events, page of 1: %+v", l)
	}
	l = decode[api.List[paved.AuditEvent]](t, e.as("admin", "GET", "/api/v1/audit?object_type=token", ""))
	if l.Total < 1 {
		t.Fatal("token creation was not audited")
	}
	wantProblem(t, e.as("admin", "GET", "/api/v1/audit?object_type=pizza", ""), 400, "invalid")
	for _, ty := range paved.AuditObjectTypes {
		if rec := e.as("admin", "GET", "/api/v1/audit?object_type="+ty, ""); rec.Code != 200 {
			t.Errorf("object_type=%s: %d %s", ty, rec.Code, rec.Body)
		}
	}

	v := decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify", ""))
	if !v.OK || v.Events < len(steps) || len(v.Problems) != 0 {
		t.Fatalf("verify on an intact log: %+v", v)
	}

	// Alter one event behind the store's back: verify must name it.
	raw, err := sql.Open("sqlite", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var actor3 string
	if err := raw.QueryRow("SELECT actor FROM audit_events WHERE seq = 3").Scan(&actor3); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	v = decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify", ""))
	if v.OK || len(v.Problems) == 0 || v.Problems[0].Seq != 3 {
		t.Fatalf("verify after tampering with seq 3: %+v", v)
	}
	if _, err := raw.Exec("UPDATE audit_events SET actor = ? WHERE seq = 3", actor3); err != nil {
		t.Fatal(err)
	}
	v = decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify", ""))
	if !v.OK || v.Known != v.Head || v.Head.Seq < 4 {
		t.Fatalf("verify after the repair: %+v", v)
	}

	// A signed anchor of the head; verify?expect= holds the log to it.
	an := decode[paved.AuditAnchor](t, e.as("architect", "GET", "/api/v1/audit/anchor", ""))
	if an.Seq < v.Head.Seq || an.Signature == "" {
		t.Fatalf("anchor: %+v", an)
	}
	if v := decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify?expect="+an.Head().String(), "")); !v.OK {
		t.Fatalf("verify with the anchor: %+v", v)
	}
	wantProblem(t, e.as("architect", "GET", "/api/v1/audit/verify?expect=3:abc", ""), 400, "invalid")

	// Delete the tail under the live server: the chain that is left is
	// consistent, but it no longer reaches the head the server wrote, and
	// the API and the portal say so.
	known := decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify", "")).Head
	if _, err := raw.Exec("DELETE FROM audit_events WHERE seq > 2"); err != nil {
		t.Fatal(err)
	}
	v = decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify", ""))
	if v.OK || v.Known != known || v.Head.Seq != 2 || len(v.Problems) != 1 || !strings.Contains(v.Problems[0].Problem, "events were deleted") {
		t.Fatalf("verify after deleting the tail: %+v", v)
	}
	chain, err := e.srv.verifyAuditChain(httptest.NewRequest("GET", "/audit", nil))
	if err != nil || len(chain.Problems) != 1 || chain.Known != known || chain.Head.Seq != 2 {
		t.Fatalf("the audit page after deleting the tail: %+v %v", chain, err)
	}
	// Deleting every event does not verify as an empty log either.
	if _, err := raw.Exec("DELETE FROM audit_events"); err != nil {
		t.Fatal(err)
	}
	v = decode[api.AuditVerification](t, e.as("architect", "GET", "/api/v1/audit/verify", ""))
	if v.OK || v.Events != 0 {
		t.Fatalf("verify after deleting every event: %+v", v)
	}
}
