package paved

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

const minute = time.Minute

// at is a time n minutes after a fixed start.
func at(n int) time.Time {
	return time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
}

func TestParseTokenScope(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"read", "read", ""},
		{" READ ", "read", ""},
		{"checks:shop", "checks:shop", ""},
		{"checks: shop , payments,shop", "checks:payments,shop", ""},
		{"checks", "", "names the services"},
		{"checks:", "", "names the services"},
		{"read:shop", "", "names no services"},
		{"write", "", `unknown scope "write"`},
		{"checks:no spaces", "", "not valid"},
		{"checks:" + manyServices(MaxScopeServices+1), "", "at most 100"},
	}
	for _, tc := range tests {
		s, err := ParseTokenScope(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTokenScope(%q) = %v, %v; want error with %q", tc.in, s, err, tc.err)
			}
			continue
		}
		if err != nil || s.String() != tc.want {
			t.Errorf("ParseTokenScope(%q) = %q, %v; want %q", tc.in, s.String(), err, tc.want)
		}
	}
}

func manyServices(n int) string {
	var names []string
	for i := range n {
		names = append(names, "s"+strconv.Itoa(i))
	}
	return strings.Join(names, ",")
}

func TestScopeValidateCI(t *testing.T) {
	ok := &TokenScope{Access: ScopeChecks, Services: []string{"shop"}, CI: CIRecorder("https://token.actions.githubusercontent.com", "acme/shop", "abc")}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if ok.CI != "ci:token.actions.githubusercontent.com/acme/shop@abc" {
		t.Errorf("CIRecorder = %q", ok.CI)
	}
	for _, bad := range []*TokenScope{
		{Access: ScopeChecks, Services: []string{"shop"}, CI: "alice"},
		{Access: ScopeChecks, Services: []string{"shop"}, CI: "ci:x\ny"},
		{Access: ScopeRead, CI: "ci:x/y"},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

// TestAuthorizeScoped: a scope limits a person's token whatever its roles;
// a CI token may do exactly its scope and nothing else.
func TestAuthorizeScoped(t *testing.T) {
	u := func(scope string, roles []Role, teams ...string) *User {
		s, err := ParseTokenScope(scope)
		if err != nil {
			t.Fatal(err)
		}
		return &User{Name: "u", Roles: roles, Teams: teams, Scope: s}
	}
	ci := &User{Name: "paved-ci", Scope: &TokenScope{Access: ScopeChecks, Services: []string{"shop"}, CI: "ci:gh/acme/shop@1"}}
	readDev := u("read", []Role{RoleDeveloper}, "payments")
	readAdmin := u("read", []Role{RoleAdmin})
	readSec := u("read", []Role{RoleSecurity})
	checksDev := u("checks:shop", []Role{RoleDeveloper}, "payments")
	checksViewer := u("checks:shop", []Role{RoleViewer}, "payments")
	checksAdmin := u("checks:shop", []Role{RoleAdmin})
	shop := Resource{Team: "payments", Service: "shop"}
	other := Resource{Team: "payments", Service: "ledger"}
	tests := []struct {
		who  string
		u    *User
		act  Action
		res  Resource
		want string
	}{
		{"read token reads", readDev, ActReadCatalog, Resource{}, ""},
		{"read token cannot answer", readDev, ActAnswer, shop, EFORBIDDEN},
		{"read token cannot record", readDev, ActRecordCheck, shop, EFORBIDDEN},
		{"read token of an admin cannot write", readAdmin, ActManageUsers, Resource{}, EFORBIDDEN},
		{"read token of an admin reads notifications", readAdmin, ActReadNotifications, Resource{}, ""},
		{"read token keeps the role's limits", readDev, ActReadAudit, Resource{}, EFORBIDDEN},
		{"read token of security reads the audit log", readSec, ActReadAudit, Resource{}, ""},
		{"read token cannot make tokens", readDev, ActOwnTokens, Resource{}, EFORBIDDEN},
		{"checks token records for its service", checksDev, ActRecordCheck, shop, ""},
		{"checks token requests for its service", checksDev, ActRequestException, shop, ""},
		{"checks token reads exceptions", checksDev, ActReadExceptions, Resource{}, ""},
		{"checks token not for another service", checksDev, ActRecordCheck, other, EFORBIDDEN},
		{"checks token needs a service", checksDev, ActRecordCheck, Resource{Team: "payments"}, EFORBIDDEN},
		{"checks token cannot answer", checksDev, ActAnswer, shop, EFORBIDDEN},
		{"checks token cannot decide", checksAdmin, ActDecideException, shop, EFORBIDDEN},
		{"checks token cannot read the audit log", checksAdmin, ActReadAudit, Resource{}, EFORBIDDEN},
		{"checks token keeps the role's limits", checksViewer, ActRecordCheck, shop, EFORBIDDEN},
		{"ci records for its service", ci, ActRecordCheck, shop, ""},
		{"ci requests exceptions for its service", ci, ActRequestException, shop, ""},
		{"ci reads the catalog", ci, ActReadCatalog, Resource{}, ""},
		{"ci not for another service", ci, ActRecordCheck, other, EFORBIDDEN},
		{"ci pushes facts for its service", ci, ActPushFacts, shop, ""},
		{"ci pushes no facts for another service", ci, ActPushFacts, other, EFORBIDDEN},
		{"read token pushes no facts", readDev, ActPushFacts, shop, EFORBIDDEN},
		{"ci cannot comment", ci, ActCommentException, shop, EFORBIDDEN},
		{"ci cannot answer", ci, ActAnswer, shop, EFORBIDDEN},
		{"ci cannot advance", ci, ActAdvancePhase, shop, EFORBIDDEN},
		{"ci cannot make tokens", ci, ActOwnTokens, Resource{}, EFORBIDDEN},
		{"ci cannot read the audit log", ci, ActReadAudit, Resource{}, EFORBIDDEN},
	}
	for _, tc := range tests {
		err := Authorize(tc.u, tc.act, tc.res)
		if got := ErrorCode(err); got != tc.want {
			t.Errorf("%s: Authorize(%s) = %v; want %q", tc.who, tc.act, err, tc.want)
		}
	}
	// Every action is either a read or refused to a read-only token of an
	// admin: a new write action cannot slip through as a read.
	for _, act := range allActions {
		err := Authorize(readAdmin, act, shop)
		if readActions[act] != (err == nil) {
			t.Errorf("read-only admin token, %s: %v (read action: %v)", act, err, readActions[act])
		}
	}
}

// allActions lists every action of authz.go (kept in step by TestAuthorize's
// role table and the web's route table).
var allActions = []Action{
	ActReadCatalog, ActImportCatalog, ActCreateService, ActUpdateService, ActRetireService, ActManageTeams,
	ActManageUsers, ActReadAudit, ActOwnTokens, ActManageTokens, ActAnswer, ActComment, ActReviewAnswer,
	ActAssess, ActSetContact, ActWalkthrough, ActSignoff, ActAdvancePhase, ActForcePhase, ActRecordCheck,
	ActReadExceptions, ActRequestException, ActDecideException, ActCommentException, ActRevokeException,
	ActReadNotifications, ActEditOwnership, ActReadCost, ActIngestCost, ActSetBudget, ActPlanAlert,
	ActConfigAdmin, ActConfigImpact, ActPushFacts,
}

func TestScopeNarrows(t *testing.T) {
	p := func(s string) *TokenScope {
		v, err := ParseTokenScope(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		parent, child string
		want          bool
	}{
		{"", "", true},
		{"", "read", true},
		{"read", "", false},
		{"read", "read", true},
		{"read", "checks:a", false},
		{"checks:a,b", "checks:a", true},
		{"checks:a", "checks:a,b", false},
		{"checks:a", "read", false},
		{"checks:a", "", false},
	}
	for _, tc := range tests {
		if got := p(tc.parent).Narrows(p(tc.child)); got != tc.want {
			t.Errorf("%q.Narrows(%q) = %v; want %v", tc.parent, tc.child, got, tc.want)
		}
	}
	ci := &TokenScope{Access: ScopeChecks, Services: []string{"a"}, CI: "ci:x/y@1"}
	if ci.Narrows(p("checks:a")) {
		t.Error("a CI token made a token without its CI identity")
	}
}

func TestRecorder(t *testing.T) {
	ciUser := &User{Name: "paved-ci", Scope: &TokenScope{Access: ScopeChecks, Services: []string{"shop"}, CI: "ci:gh/acme/shop@1"}}
	ctx := WithActor(context.Background(), Actor{User: ciUser})
	if a := ActorFrom(ctx); a.Name != "ci:gh/acme/shop@1" || RecorderOf(a) != a.Name || SourceOf(a.Name) != SourceCI {
		t.Errorf("CI actor = %+v", a)
	}
	ctx = WithActor(context.Background(), Actor{User: &User{Name: "alice"}})
	if a := ActorFrom(ctx); a.Name != "alice" || SourceOf(RecorderOf(a)) != SourcePerson {
		t.Errorf("person actor = %+v", a)
	}
	if SourceOf("local:root") != SourcePerson || SourceOf("") != SourcePerson {
		t.Error("local and unknown recorders are not persons")
	}
	for tier, want := range map[Tier]string{1: "[ci]", 2: "[ci]", 3: "[ci person]", 4: "[ci person]"} {
		if got := "[" + strings.Join(toStrings(DefaultCheckSources(tier)), " ") + "]"; got != want {
			t.Errorf("DefaultCheckSources(%d) = %s; want %s", tier, got, want)
		}
	}
	r := &EvidenceRule{Sources: []CheckSource{SourcePerson}}
	if got := r.CheckSourcesFor(1); len(got) != 1 || got[0] != SourcePerson {
		t.Errorf("template sources not honoured: %v", got)
	}
}

func toStrings(s []CheckSource) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

func TestSessionIdle(t *testing.T) {
	s := &Session{CreatedAt: at(0), IdleTimeout: 30 * minute}
	if s.IdleExpired(at(29)) || !s.IdleExpired(at(30)) {
		t.Error("idle timeout from creation")
	}
	s.LastSeenAt = at(20)
	if s.IdleExpired(at(49)) || !s.IdleExpired(at(50)) {
		t.Error("idle timeout from the last request")
	}
	s.IdleTimeout = 0
	if s.IdleExpired(at(100000)) {
		t.Error("no idle timeout")
	}
}

// FuzzParseTokenScope: a scope either parses into one that validates and
// reads back the same, or is refused.
func FuzzParseTokenScope(f *testing.F) {
	for _, s := range []string{"read", "checks:a,b", "checks:", "CHECKS: a ,a", "read:x", "checks:a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseTokenScope(in)
		if err != nil || s == nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("%q parsed into an invalid scope: %v", in, err)
		}
		again, err := ParseTokenScope(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("%q -> %q -> %v, %v", in, s.String(), again, err)
		}
	})
}
