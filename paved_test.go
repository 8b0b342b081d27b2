package paved

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParsers(t *testing.T) {
	tiers := []struct {
		in   string
		want Tier
		ok   bool
	}{
		{"1", 1, true}, {"4", 4, true}, {"tier1", 1, true}, {"Tier 2", 2, true}, {"tier-3", 3, true},
		{"0", 0, false}, {"5", 0, false}, {"01", 0, false}, {"1.0", 0, false}, {"", 0, false}, {"critical", 0, false},
	}
	for _, tt := range tiers {
		got, err := ParseTier(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTier(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("ParseTier(%q): code %q, want invalid", tt.in, ErrorCode(err))
		}
	}
	phases := map[string]Phase{"playground": PhasePlayground, "Green-Light": PhaseGreenLight, "greenlight": PhaseGreenLight, "green_light": PhaseGreenLight, " production ": PhaseProduction, "retired": PhaseRetired}
	for in, want := range phases {
		if got, err := ParsePhase(in); err != nil || got != want {
			t.Errorf("ParsePhase(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "prod", "staging"} {
		if _, err := ParsePhase(bad); err == nil {
			t.Errorf("ParsePhase(%q): want error", bad)
		}
	}
	if _, err := ParseDataClass("secret"); err == nil || !strings.Contains(err.Error(), "restricted") {
		t.Errorf("ParseDataClass(secret): want an error listing the classes, got %v", err)
	}
	if k, err := ParseTeamKind("Security"); err != nil || !k.Enablement() {
		t.Errorf("ParseTeamKind(Security) = %v, %v; want an enablement kind", k, err)
	}
	if KindProduct.Enablement() {
		t.Error("product teams are not enablement teams")
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole(root): want error")
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"payments-api", true}, {"a", true}, {"A.b_c-9", true}, {strings.Repeat("a", 63), true},
		{"", false}, {"my service", false}, {"-lead", false}, {"trail-", false}, {"double--dash", false},
		{strings.Repeat("a", 64), false}, {"ünïcode", false}, {"a/b", false},
	}
	for _, tt := range tests {
		err := ValidateName("name", tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v; want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "name: ") {
			t.Errorf("ValidateName(%q) error %q does not name the field", tt.name, err)
		}
	}
}

func TestErrors(t *testing.T) {
	e := FieldErrorf(EUNPROCESSABLE, "owner", "team %q does not exist", "x")
	if e.Error() != `owner: team "x" does not exist` || ErrorCode(e) != EUNPROCESSABLE {
		t.Fatalf("got %q %q", e.Error(), ErrorCode(e))
	}
	wrapped := wrap(e)
	if ErrorCode(wrapped) != EUNPROCESSABLE || ErrorMessage(wrapped) != e.Error() {
		t.Fatalf("wrapped: code %q message %q", ErrorCode(wrapped), ErrorMessage(wrapped))
	}
	plain := json.Unmarshal([]byte("{"), &struct{}{})
	if ErrorCode(plain) != EINTERNAL || ErrorMessage(plain) != "internal error" {
		t.Fatalf("internal errors must not leak: %q %q", ErrorCode(plain), ErrorMessage(plain))
	}
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Fatal("nil error has a code")
	}
}

type wrapped struct{ err error }

func (w wrapped) Error() string { return "context: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }
func wrap(err error) error      { return wrapped{err} }

func TestAuthorize(t *testing.T) {
	u := func(roles []Role, teams ...string) *User { return &User{Name: "u", Roles: roles, Teams: teams} }
	viewer := u([]Role{RoleViewer}, "payments")
	dev := u([]Role{RoleDeveloper}, "payments")
	reviewer := u([]Role{RoleReviewer}, "platform")
	architect := u([]Role{RoleArchitect}, "platform")
	security := u([]Role{RoleSecurity}, "security")
	admin := u([]Role{RoleAdmin})
	reviewerIn := u([]Role{RoleReviewer}, "payments")
	noRole := u(nil, "payments")
	payments := Resource{Team: "payments"}
	search := Resource{Team: "search"}
	tests := []struct {
		who  string
		u    *User
		act  Action
		res  Resource
		want string // "" allowed, else the error code
	}{
		{"anonymous reads", nil, ActReadCatalog, Resource{}, EUNAUTHORIZED},
		{"viewer reads", viewer, ActReadCatalog, Resource{}, ""},
		{"no role reads", noRole, ActReadCatalog, Resource{}, ""},
		{"no role cannot change its team's service", noRole, ActUpdateService, payments, EFORBIDDEN},
		{"viewer cannot create", viewer, ActCreateService, payments, EFORBIDDEN},
		{"developer creates for own team", dev, ActCreateService, payments, ""},
		{"developer updates own team's service", dev, ActUpdateService, payments, ""},
		{"developer retires own team's service", dev, ActRetireService, payments, ""},
		{"developer cannot touch another team's service", dev, ActUpdateService, search, EFORBIDDEN},
		{"developer needs an owner team", dev, ActCreateService, Resource{}, EFORBIDDEN},
		{"reviewer cannot change services", reviewer, ActUpdateService, Resource{Team: "platform"}, EFORBIDDEN},
		{"developer cannot manage teams", dev, ActManageTeams, Resource{}, EFORBIDDEN},
		{"developer cannot import", dev, ActImportCatalog, Resource{}, EFORBIDDEN},
		{"developer cannot read audit", dev, ActReadAudit, Resource{}, EFORBIDDEN},
		{"reviewer cannot read audit", reviewer, ActReadAudit, Resource{}, EFORBIDDEN},
		{"architect reads audit", architect, ActReadAudit, Resource{}, ""},
		{"security reads audit", security, ActReadAudit, Resource{}, ""},
		{"own tokens", viewer, ActOwnTokens, Resource{}, ""},
		{"own tokens by name", viewer, ActManageTokens, Resource{User: "u"}, ""},
		{"another user's tokens", viewer, ActManageTokens, Resource{User: "other"}, EFORBIDDEN},
		{"admin everything", admin, ActManageUsers, Resource{}, ""},
		{"anonymous cannot read scorecards", nil, ActReadScorecards, Resource{}, EUNAUTHORIZED},
		{"no role reads scorecards", noRole, ActReadScorecards, Resource{}, ""},
		{"viewer reads scorecards", viewer, ActReadScorecards, Resource{}, ""},
		{"developer reads scorecards", dev, ActReadScorecards, Resource{}, ""},
		{"reviewer reads scorecards", reviewer, ActReadScorecards, Resource{}, ""},
		{"architect reads scorecards", architect, ActReadScorecards, Resource{}, ""},
		{"security reads scorecards", security, ActReadScorecards, Resource{}, ""},
		{"admin reads scorecards", admin, ActReadScorecards, Resource{}, ""},
		{"anonymous cannot evaluate scorecards", nil, ActEvaluateScorecards, Resource{}, EUNAUTHORIZED},
		{"no role cannot evaluate scorecards", noRole, ActEvaluateScorecards, Resource{}, EFORBIDDEN},
		{"viewer cannot evaluate scorecards", viewer, ActEvaluateScorecards, Resource{}, EFORBIDDEN},
		{"developer cannot evaluate scorecards", dev, ActEvaluateScorecards, payments, EFORBIDDEN},
		{"reviewer cannot evaluate scorecards", reviewer, ActEvaluateScorecards, Resource{}, EFORBIDDEN},
		{"architect cannot evaluate scorecards", architect, ActEvaluateScorecards, Resource{}, EFORBIDDEN},
		{"security cannot evaluate scorecards", security, ActEvaluateScorecards, Resource{}, EFORBIDDEN},
		{"admin evaluates scorecards", admin, ActEvaluateScorecards, Resource{}, ""},
		{"admin another team's service", admin, ActRetireService, search, ""},
		{"unknown action", dev, Action("launch:nope"), payments, EFORBIDDEN},

		// Spend.
		{"anonymous reads spend", nil, ActReadCost, Resource{}, EUNAUTHORIZED},
		{"viewer reads spend", viewer, ActReadCost, Resource{}, ""},
		{"anonymous reads a team's spend", nil, ActReadCost, payments, EUNAUTHORIZED},
		{"no role reads own team's spend", noRole, ActReadCost, payments, ""},
		{"viewer reads own team's spend", viewer, ActReadCost, payments, ""},
		{"viewer cannot read another team's spend", viewer, ActReadCost, search, EFORBIDDEN},
		{"developer reads own team's spend", dev, ActReadCost, payments, ""},
		{"developer cannot read another team's spend", dev, ActReadCost, search, EFORBIDDEN},
		{"reviewer cannot read another team's spend", reviewer, ActReadCost, payments, EFORBIDDEN},
		{"reviewer reads own team's spend", reviewer, ActReadCost, Resource{Team: "platform"}, ""},
		{"architect reads any team's spend", architect, ActReadCost, search, ""},
		{"security reads any team's spend", security, ActReadCost, search, ""},
		{"admin reads any team's spend", admin, ActReadCost, search, ""},
		{"anonymous cannot read all spend", nil, ActReadAllCost, Resource{}, EUNAUTHORIZED},
		{"no role cannot read all spend", noRole, ActReadAllCost, Resource{}, EFORBIDDEN},
		{"viewer cannot read all spend", viewer, ActReadAllCost, Resource{}, EFORBIDDEN},
		{"developer cannot read all spend", dev, ActReadAllCost, Resource{}, EFORBIDDEN},
		{"reviewer cannot read all spend", reviewer, ActReadAllCost, Resource{}, EFORBIDDEN},
		{"architect reads all spend", architect, ActReadAllCost, Resource{}, ""},
		{"security reads all spend", security, ActReadAllCost, Resource{}, ""},
		{"admin reads all spend", admin, ActReadAllCost, Resource{}, ""},
		{"developer cannot ingest billing", dev, ActIngestCost, Resource{}, EFORBIDDEN},
		{"reviewer cannot ingest billing", reviewer, ActIngestCost, Resource{}, EFORBIDDEN},
		{"admin ingests billing", admin, ActIngestCost, Resource{}, ""},
		{"developer cannot set a budget", dev, ActSetBudget, payments, EFORBIDDEN},
		{"admin sets a budget", admin, ActSetBudget, payments, ""},
		{"developer plans own team's alert", dev, ActPlanAlert, payments, ""},
		{"developer cannot plan another team's alert", dev, ActPlanAlert, search, EFORBIDDEN},
		{"viewer cannot plan an alert", viewer, ActPlanAlert, payments, EFORBIDDEN},
		{"admin plans any alert", admin, ActPlanAlert, search, ""},
		{"viewer cannot see the config's reload errors", viewer, ActConfigAdmin, Resource{}, EFORBIDDEN},
		{"reviewer cannot see the config's reload errors", reviewer, ActConfigAdmin, Resource{}, EFORBIDDEN},
		{"admin sees the config's reload errors", admin, ActConfigAdmin, Resource{}, ""},
		{"anonymous cannot analyse a config", nil, ActConfigImpact, Resource{}, EUNAUTHORIZED},
		{"developer cannot analyse a config", dev, ActConfigImpact, Resource{}, EFORBIDDEN},
		{"reviewer analyses a config", reviewer, ActConfigImpact, Resource{}, ""},
		{"architect analyses a config", architect, ActConfigImpact, Resource{}, ""},
		{"security analyses a config", security, ActConfigImpact, Resource{}, ""},
		{"admin analyses a config", admin, ActConfigImpact, Resource{}, ""},

		// The path to production.
		{"anonymous answers", nil, ActAnswer, payments, EUNAUTHORIZED},
		{"developer answers for own team", dev, ActAnswer, payments, ""},
		{"developer cannot answer for another team", dev, ActAnswer, search, EFORBIDDEN},
		{"developer answers only with an owner team", dev, ActAnswer, Resource{}, EFORBIDDEN},
		{"viewer cannot answer", viewer, ActAnswer, payments, EFORBIDDEN},
		{"no role cannot answer", noRole, ActAnswer, payments, EFORBIDDEN},
		{"reviewer cannot answer", reviewer, ActAnswer, payments, EFORBIDDEN},
		{"architect cannot answer", architect, ActAnswer, payments, EFORBIDDEN},
		{"admin answers", admin, ActAnswer, search, ""},
		{"developer records own team's check", dev, ActRecordCheck, payments, ""},
		{"developer cannot record another team's check", dev, ActRecordCheck, search, EFORBIDDEN},
		{"reviewer cannot record a check", reviewer, ActRecordCheck, payments, EFORBIDDEN},
		{"developer advances own team's service", dev, ActAdvancePhase, payments, ""},
		{"developer cannot advance another team's service", dev, ActAdvancePhase, search, EFORBIDDEN},
		{"architect cannot advance", architect, ActAdvancePhase, payments, EFORBIDDEN},
		{"security cannot advance", security, ActAdvancePhase, payments, EFORBIDDEN},
		{"developer cannot force", dev, ActForcePhase, payments, EFORBIDDEN},
		{"architect cannot force", architect, ActForcePhase, payments, EFORBIDDEN},
		{"admin forces", admin, ActForcePhase, payments, ""},
		{"developer comments on own team's item", dev, ActComment, payments, ""},
		{"developer cannot comment on another team's item", dev, ActComment, search, EFORBIDDEN},
		{"viewer cannot comment", viewer, ActComment, payments, EFORBIDDEN},
		{"reviewer comments anywhere", reviewer, ActComment, search, ""},
		{"architect comments anywhere", architect, ActComment, search, ""},
		{"security comments anywhere", security, ActComment, search, ""},
		{"developer schedules own team's walkthrough", dev, ActWalkthrough, payments, ""},
		{"developer cannot schedule another team's walkthrough", dev, ActWalkthrough, search, EFORBIDDEN},
		{"reviewer manages walkthroughs", reviewer, ActWalkthrough, search, ""},
		{"viewer cannot schedule", viewer, ActWalkthrough, payments, EFORBIDDEN},
		{"developer sets own team's contact", dev, ActSetContact, payments, ""},
		{"developer cannot set another team's contact", dev, ActSetContact, search, EFORBIDDEN},
		{"reviewer sets a contact", reviewer, ActSetContact, search, ""},
		{"architect cannot set a contact", architect, ActSetContact, search, EFORBIDDEN},
		{"developer assesses own team's service", dev, ActAssess, payments, ""},
		{"developer cannot assess another team's service", dev, ActAssess, search, EFORBIDDEN},
		{"security assesses anywhere", security, ActAssess, search, ""},
		{"reviewer cannot record an assessment", reviewer, ActAssess, payments, EFORBIDDEN},
		{"reviewer reviews another team's answers", reviewer, ActReviewAnswer, payments, ""},
		{"architect reviews answers", architect, ActReviewAnswer, payments, ""},
		{"security reviews answers", security, ActReviewAnswer, payments, ""},
		{"reviewer cannot review own team's answers", reviewerIn, ActReviewAnswer, payments, EFORBIDDEN},
		{"developer cannot review answers", dev, ActReviewAnswer, payments, EFORBIDDEN},
		{"admin reviews answers", admin, ActReviewAnswer, payments, ""},
		{"developer may sign (as peer)", dev, ActSignoff, payments, ""},
		{"developer of another team may sign", dev, ActSignoff, search, ""},
		{"reviewer signs", reviewer, ActSignoff, payments, ""},
		{"architect signs", architect, ActSignoff, payments, ""},
		{"security signs", security, ActSignoff, payments, ""},
		{"viewer cannot sign", viewer, ActSignoff, payments, EFORBIDDEN},
		{"no role cannot sign", noRole, ActSignoff, payments, EFORBIDDEN},
		{"anonymous cannot sign", nil, ActSignoff, payments, EUNAUTHORIZED},

		// Exceptions.
		{"viewer reads exceptions", viewer, ActReadExceptions, payments, ""},
		{"anonymous cannot read exceptions", nil, ActReadExceptions, payments, EUNAUTHORIZED},
		{"developer requests for own team", dev, ActRequestException, payments, ""},
		{"developer cannot request for another team", dev, ActRequestException, search, EFORBIDDEN},
		{"reviewer cannot request", reviewer, ActRequestException, payments, EFORBIDDEN},
		{"viewer cannot request", viewer, ActRequestException, payments, EFORBIDDEN},
		{"reviewer decides another team's exception", reviewer, ActDecideException, payments, ""},
		{"security decides", security, ActDecideException, payments, ""},
		{"reviewer cannot decide own team's exception", reviewerIn, ActDecideException, payments, EFORBIDDEN},
		{"developer cannot decide", dev, ActDecideException, search, EFORBIDDEN},
		{"architect cannot decide", architect, ActDecideException, payments, EFORBIDDEN},
		{"viewer cannot decide", viewer, ActDecideException, payments, EFORBIDDEN},
		{"developer comments on own team's exception", dev, ActCommentException, payments, ""},
		{"developer cannot comment on another team's exception", dev, ActCommentException, search, EFORBIDDEN},
		{"reviewer comments on an exception", reviewer, ActCommentException, search, ""},
		{"viewer cannot comment on an exception", viewer, ActCommentException, payments, EFORBIDDEN},
		{"developer withdraws own team's exception", dev, ActRevokeException, payments, ""},
		{"developer cannot revoke another team's exception", dev, ActRevokeException, search, EFORBIDDEN},
		{"security revokes", security, ActRevokeException, payments, ""},
		{"viewer cannot revoke", viewer, ActRevokeException, payments, EFORBIDDEN},

		// Reclassification: every role.
		{"developer requests own team's reclassification", dev, ActRequestReclass, payments, ""},
		{"developer cannot request another team's", dev, ActRequestReclass, search, EFORBIDDEN},
		{"viewer cannot request a reclassification", viewer, ActRequestReclass, payments, EFORBIDDEN},
		{"reviewer cannot request a reclassification", reviewer, ActRequestReclass, Resource{Team: "platform"}, EFORBIDDEN},
		{"architect cannot request a reclassification", architect, ActRequestReclass, payments, EFORBIDDEN},
		{"security cannot request a reclassification", security, ActRequestReclass, payments, EFORBIDDEN},
		{"admin requests a reclassification", admin, ActRequestReclass, payments, ""},
		{"anonymous cannot request a reclassification", nil, ActRequestReclass, payments, EUNAUTHORIZED},
		{"architect decides another team's reclassification", architect, ActDecideReclass, payments, ""},
		{"security decides another team's reclassification", security, ActDecideReclass, payments, ""},
		{"architect of the owning team cannot decide", u([]Role{RoleArchitect}, "payments"), ActDecideReclass, payments, EFORBIDDEN},
		{"security of the owning team cannot decide", u([]Role{RoleSecurity}, "payments"), ActDecideReclass, payments, EFORBIDDEN},
		{"reviewer cannot decide a reclassification", reviewer, ActDecideReclass, payments, EFORBIDDEN},
		{"developer cannot decide a reclassification", dev, ActDecideReclass, search, EFORBIDDEN},
		{"viewer cannot decide a reclassification", viewer, ActDecideReclass, search, EFORBIDDEN},
		{"admin passes Authorize (CanDecideReclassification applies the team rules)", admin, ActDecideReclass, payments, ""},
		{"anonymous cannot decide a reclassification", nil, ActDecideReclass, payments, EUNAUTHORIZED},
		{"admin forces a reclassification", admin, ActForceReclass, payments, ""},
		{"architect cannot force a reclassification", architect, ActForceReclass, payments, EFORBIDDEN},
		{"security cannot force a reclassification", security, ActForceReclass, payments, EFORBIDDEN},
		{"reviewer cannot force a reclassification", reviewer, ActForceReclass, payments, EFORBIDDEN},
		{"developer cannot force a reclassification", dev, ActForceReclass, payments, EFORBIDDEN},
		{"viewer cannot force a reclassification", viewer, ActForceReclass, payments, EFORBIDDEN},
		{"anonymous cannot force a reclassification", nil, ActForceReclass, payments, EUNAUTHORIZED},
		{"developer withdraws own team's request (CanWithdrawReclassification: the requester only)", dev, ActWithdrawReclass, payments, ""},
		{"developer cannot withdraw another team's request", dev, ActWithdrawReclass, search, EFORBIDDEN},
		{"viewer cannot withdraw a request", viewer, ActWithdrawReclass, payments, EFORBIDDEN},
		{"reviewer cannot withdraw a request", reviewer, ActWithdrawReclass, Resource{Team: "platform"}, EFORBIDDEN},
		{"architect cannot withdraw a request", architect, ActWithdrawReclass, payments, EFORBIDDEN},
		{"security cannot withdraw a request", security, ActWithdrawReclass, payments, EFORBIDDEN},
		{"admin passes Authorize (CanWithdrawReclassification: the requester only)", admin, ActWithdrawReclass, payments, ""},
		{"anonymous cannot withdraw a request", nil, ActWithdrawReclass, payments, EUNAUTHORIZED},

		// Notifications.
		{"admin reads notifications", admin, ActReadNotifications, Resource{}, ""},
		{"security cannot read notifications", security, ActReadNotifications, Resource{}, EFORBIDDEN},
		{"reviewer cannot read notifications", reviewer, ActReadNotifications, Resource{}, EFORBIDDEN},
		{"developer cannot read notifications", dev, ActReadNotifications, Resource{}, EFORBIDDEN},
		{"anonymous cannot read notifications", nil, ActReadNotifications, Resource{}, EUNAUTHORIZED},

		// The ownership map.
		{"admin edits the ownership map", admin, ActEditOwnership, Resource{}, ""},
		{"architect cannot edit the ownership map", architect, ActEditOwnership, Resource{}, EFORBIDDEN},
		{"reviewer cannot edit the ownership map", reviewer, ActEditOwnership, Resource{}, EFORBIDDEN},
		{"security cannot edit the ownership map", security, ActEditOwnership, Resource{}, EFORBIDDEN},
		{"developer cannot edit the ownership map", dev, ActEditOwnership, payments, EFORBIDDEN},
		{"anonymous cannot edit the ownership map", nil, ActEditOwnership, Resource{}, EUNAUTHORIZED},
	}
	for _, tt := range tests {
		err := Authorize(tt.u, tt.act, tt.res)
		if ErrorCode(err) != tt.want {
			t.Errorf("%s: Authorize = %v (code %q), want %q", tt.who, err, ErrorCode(err), tt.want)
		}
	}
}

// TestAuthorizeSpend: spend.visibility chooses the action of a read of
// spend; with team visibility a developer reads only their teams' spend.
func TestAuthorizeSpend(t *testing.T) {
	dev := &User{Name: "d", Roles: []Role{RoleDeveloper}, Teams: []string{"payments"}}
	arch := &User{Name: "a", Roles: []Role{RoleArchitect}}
	tests := []struct {
		u    *User
		v    SpendVisibility
		team string
		want string
	}{
		{dev, "", "search", ""},
		{dev, SpendOrganisation, "", ""},
		{dev, SpendOrganisation, "search", ""},
		{dev, SpendTeam, "payments", ""},
		{dev, SpendTeam, "search", EFORBIDDEN},
		{dev, SpendTeam, "", EFORBIDDEN},
		{arch, SpendTeam, "search", ""},
		{arch, SpendTeam, "", ""},
		{nil, SpendTeam, "payments", EUNAUTHORIZED},
		{nil, SpendOrganisation, "", EUNAUTHORIZED},
	}
	for _, tt := range tests {
		err := AuthorizeSpend(tt.u, tt.v, tt.team)
		if got := ErrorCode(err); (err == nil) != (tt.want == "") || (tt.want != "" && got != tt.want) {
			t.Errorf("AuthorizeSpend(%v, %q, %q) = %v; want %q", tt.u, tt.v, tt.team, err, tt.want)
		}
	}
	var v SpendVisibility
	if err := v.UnmarshalText([]byte("teams")); err == nil {
		t.Error("spend visibility \"teams\" accepted")
	}
}

func TestTokens(t *testing.T) {
	a, b := NewTokenSecret(), NewTokenSecret()
	if a == b || !strings.HasPrefix(a, TokenPrefix) || len(a) < 40 {
		t.Fatalf("weak or repeated secrets: %q %q", a, b)
	}
	if HashToken(a) == HashToken(b) || HashToken(a) != HashToken(a) || strings.Contains(HashToken(a), a) {
		t.Fatal("HashToken is not a deterministic one-way digest")
	}
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		tok  Token
		want bool
	}{
		{Token{}, true},
		{Token{ExpiresAt: &future}, true},
		{Token{ExpiresAt: &past}, false},
		{Token{ExpiresAt: &now}, false},
		{Token{RevokedAt: &past}, false},
	}
	for i, tt := range tests {
		if got := tt.tok.Active(now); got != tt.want {
			t.Errorf("case %d: Active = %v, want %v", i, got, tt.want)
		}
	}
}

func chain(n int) []*AuditEvent {
	var evs []*AuditEvent
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e := &AuditEvent{Seq: int64(i), Time: time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC), Actor: "ana", Action: "service.update",
			ObjectType: "service", ObjectID: "checkout", Changes: map[string]Change{"tier": {From: json.RawMessage("2"), To: json.RawMessage("1")}}, PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		evs = append(evs, e)
	}
	return evs
}

func TestVerifyChain(t *testing.T) {
	if p := VerifyChain(chain(5)); len(p) != 0 {
		t.Fatalf("intact chain has problems: %v", p)
	}
	tests := []struct {
		name    string
		tamper  func([]*AuditEvent) []*AuditEvent
		wantSeq int64
		want    string
	}{
		{"altered actor", func(e []*AuditEvent) []*AuditEvent { e[2].Actor = "mallory"; return e }, 3, "altered"},
		{"altered changes", func(e []*AuditEvent) []*AuditEvent {
			e[1].Changes["tier"] = Change{From: json.RawMessage("2"), To: json.RawMessage("4")}
			return e
		}, 2, "altered"},
		{"deleted event", func(e []*AuditEvent) []*AuditEvent { return append(e[:2], e[3:]...) }, 4, "missing"},
		{"inserted event", func(e []*AuditEvent) []*AuditEvent {
			x := *e[1]
			x.Actor = "mallory"
			x.Hash = x.ComputeHash()
			return append(e[:2], append([]*AuditEvent{&x}, e[2:]...)...)
		}, 2, "inserted"},
		{"rehashed after alteration", func(e []*AuditEvent) []*AuditEvent {
			e[0].Actor = "mallory"
			e[0].Hash = e[0].ComputeHash() // the forger fixes this hash, but the next link breaks
			return e
		}, 2, "prev_hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := VerifyChain(tt.tamper(chain(5)))
			if len(p) == 0 {
				t.Fatal("tampering not found")
			}
			if p[0].Seq != tt.wantSeq || !strings.Contains(p[0].Problem, tt.want) {
				t.Fatalf("first problem %+v; want seq %d mentioning %q", p[0], tt.wantSeq, tt.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	old := &Service{Name: "a", Owner: "payments", Tier: 2, Tags: []string{}, CreatedAt: time.Now()}
	nu := *old
	nu.Tier = 1
	nu.Tags = nil // empty and missing lists are the same fact
	nu.UpdatedAt = time.Now()
	d := Diff(old, &nu)
	if got := ChangedFields(d); len(got) != 1 || got[0] != "tier" {
		t.Fatalf("changed fields %v, want [tier]", got)
	}
	if string(d["tier"].From) != "2" || string(d["tier"].To) != "1" {
		t.Fatalf("tier change %s -> %s", d["tier"].From, d["tier"].To)
	}
	created := Diff((*Service)(nil), &Service{Name: "b", Owner: "search", Tier: 3})
	if got := ChangedFields(created); strings.Join(got, ",") != "name,owner,tier" {
		t.Fatalf("creation diff %v", got)
	}
	team := Diff(&Team{Name: "t", Members: []string{"a"}}, &Team{Name: "t", Members: []string{"b"}, Services: 3})
	if len(team) != 0 {
		t.Fatalf("read-only fields must not be audited: %v", team)
	}
}

func TestActionSummary(t *testing.T) {
	tests := map[string][]string{
		"create": {"create"}, "update": {"update"}, "delete": {"delete"}, "no-op": {"no-op"}, "read": {"read"},
		"replace": {"delete", "create"}, "forget": {"forget"},
	}
	for want, in := range tests {
		if got := ActionSummary(in); got != want {
			t.Errorf("ActionSummary(%v) = %q, want %q", in, got, want)
		}
	}
	if got := ActionSummary([]string{"create", "delete"}); got != "replace" {
		t.Errorf("create-before-destroy: %q", got)
	}
}

func TestFingerprint(t *testing.T) {
	base := Finding{Rule: "db-memory-ceiling", Resource: "aws_db_instance.main", Path: "instance_class", Value: "db.x2iedn.32xlarge", Message: "m"}
	fp := base.ComputeFingerprint()
	same := base
	same.Message = "reworded message"
	same.Severity = SeverityWarn
	if same.ComputeFingerprint() != fp {
		t.Error("the fingerprint must bind values, not wording")
	}
	for name, mut := range map[string]func(*Finding){
		"value":    func(f *Finding) { f.Value = "db.x2iedn.24xlarge" },
		"resource": func(f *Finding) { f.Resource = "aws_db_instance.other" },
		"rule":     func(f *Finding) { f.Rule = "instance-size" },
		"path":     func(f *Finding) { f.Path = "allocated_storage" },
	} {
		f := base
		mut(&f)
		if f.ComputeFingerprint() == fp {
			t.Errorf("changing the %s must change the fingerprint", name)
		}
	}
	a := Finding{Value: map[string]any{"a": 1, "b": 2}}
	b := Finding{Value: map[string]any{"b": 2, "a": 1}}
	if a.ComputeFingerprint() != b.ComputeFingerprint() {
		t.Error("map order must not change the fingerprint")
	}
	d, w := Summarize([]Finding{{Severity: SeverityDeny}, {Severity: SeverityWarn}, {Severity: SeverityDeny}})
	if d != 2 || w != 1 {
		t.Errorf("Summarize = %d, %d", d, w)
	}
}

func TestPageNormalize(t *testing.T) {
	tests := []struct{ in, want Page }{
		{Page{}, Page{0, DefaultLimit}},
		{Page{Offset: -3, Limit: -1}, Page{0, DefaultLimit}},
		{Page{Offset: 10, Limit: 10000}, Page{10, MaxLimit}},
	}
	for _, tt := range tests {
		if got := tt.in.Normalize(); got != tt.want {
			t.Errorf("%+v.Normalize() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Service{Name: "checkout", Owner: "payments", Tier: 1, DataClass: DataRestricted, Phase: PhasePlayground}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		mut   func(*Service)
	}{
		{"owner", func(s *Service) { s.Owner = "" }},
		{"tier", func(s *Service) { s.Tier = 5 }},
		{"data_class", func(s *Service) { s.DataClass = "secret" }},
		{"phase", func(s *Service) { s.Phase = "prod" }},
		{"links[0].url", func(s *Service) { s.Links = []Link{{Title: "no url"}} }},
		{"name", func(s *Service) { s.Name = "has space" }},
	}
	for _, tt := range tests {
		s := good
		tt.mut(&s)
		err := s.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tt.field+":") {
			t.Errorf("%s: got %v", tt.field, err)
		}
	}
	if err := (&Team{Name: "t", Kind: KindProduct, Parent: "t"}).Validate(); err == nil {
		t.Error("a team cannot be its own parent")
	}
	if err := (&User{Name: "u", Roles: []Role{"root"}}).Validate(); err == nil || !strings.HasPrefix(err.Error(), "roles[0]") {
		t.Errorf("unknown role: %v", err)
	}
}

func TestNewToken(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tok, secret, err := NewToken("ann", " ci ", 0, now, "days")
	if err != nil || tok.ExpiresAt != nil || tok.Name != "ci" || tok.Hash != HashToken(secret) || tok.Prefix != DisplayPrefix(secret) {
		t.Fatalf("no expiry: %+v %v", tok, err)
	}
	tok, _, err = NewToken("ann", "ci", 30, now, "days")
	if err != nil || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(now.Add(30*24*time.Hour)) {
		t.Fatalf("30 days: %+v %v", tok, err)
	}
	for _, days := range []int{-1, MaxTokenDays + 1} {
		if _, _, err := NewToken("ann", "ci", days, now, "--expires-in"); ErrorCode(err) != EINVALID || !strings.HasPrefix(err.Error(), "--expires-in:") {
			t.Errorf("%d days: %v", days, err)
		}
	}
	for _, bad := range []struct{ user, name, field string }{{"a b", "ci", "user"}, {"ann", " ", "name"}, {"ann", "a\x00b", "name"}, {"ann", strings.Repeat("n", 101), "name"}} {
		if _, _, err := NewToken(bad.user, bad.name, 0, now, "days"); !strings.HasPrefix(ErrorMessage(err), bad.field+":") {
			t.Errorf("%q/%q: %v, want an error on %s", bad.user, bad.name, err, bad.field)
		}
	}
}

// TestChainVerifierExpect: a head the log must reach (the server's known
// head, a signed anchor) turns a log cut short, emptied or rewritten from
// that event on into a problem, though the chain left is consistent.
func TestChainVerifierExpect(t *testing.T) {
	full := chain(5)
	head := AuditHead{Seq: 5, Hash: full[4].Hash}
	mid := AuditHead{Seq: 3, Hash: full[2].Hash}
	rewritten := chain(5)
	rewritten[2].Actor = "mallory"
	prev := rewritten[1].Hash
	for _, e := range rewritten[2:] {
		e.PrevHash = prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
	}
	tests := []struct {
		name   string
		events []*AuditEvent
		expect AuditHead
		want   string // "" for intact
	}{
		{"reaches the head", full, head, ""},
		{"goes past the head", full, mid, ""},
		{"nothing expected", full[:2], AuditHead{}, ""},
		{"tail deleted", full[:3], head, "the log ends at event 3, but the anchor holds event 5"},
		{"every event deleted", nil, head, "the log ends at event 0"},
		{"rewritten from the head", rewritten, mid, "the log was rewritten from here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v ChainVerifier
			v.Expect(tt.expect, "the anchor holds")
			for _, e := range tt.events {
				v.Add(e)
			}
			p := v.Problems()
			if tt.want == "" {
				if len(p) != 0 {
					t.Fatalf("problems %v", p)
				}
				return
			}
			if len(p) != 1 || !strings.Contains(p[0].Problem, tt.want) {
				t.Fatalf("problems %v, want %q", p, tt.want)
			}
		})
	}
}

func TestValidateTexts(t *testing.T) {
	ok := &Service{Name: "a", Owner: "t", Tier: 1, DataClass: DataInternal, Phase: PhasePlayground,
		Title: "Zahlungen – ünïcode 💳", Description: "line one\nline two\r\n\tindented",
		Tags: []string{"x"}, Annotations: map[string]string{"k": "v"}, Links: []Link{{URL: "https://x", Title: "Wiki"}}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("printable texts refused: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(s *Service)
		field string
	}{
		{"NUL in the title", func(s *Service) { s.Title = "a\x00b" }, "title"},
		{"escape in the description", func(s *Service) { s.Description = "\x1b[31mred" }, "description"},
		{"DEL in a tag", func(s *Service) { s.Tags = []string{"ok", "b\x7f"} }, "tags[1]"},
		{"C1 in a link title", func(s *Service) { s.Links = []Link{{URL: "https://x", Title: "a\u0085"}} }, "links[0].title"},
		{"bell in an annotation", func(s *Service) { s.Annotations = map[string]string{"k": "\a"} }, "annotations.k"},
		{"NUL in an annotation key", func(s *Service) { s.Annotations = map[string]string{"k\x00": "v"} }, "annotations.(key)"},
		{"invalid UTF-8", func(s *Service) { s.Title = "\xff" }, "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := *ok
			tt.edit(&s)
			err := s.Validate()
			var pe *Error
			if !errors.As(err, &pe) || pe.Code != EINVALID || pe.Field != tt.field {
				t.Fatalf("err = %v, want invalid at %s", err, tt.field)
			}
		})
	}
	tm := &Team{Name: "t", Kind: KindProduct, Description: "x\x00"}
	if err := tm.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("team: %v", err)
	}
	u := &User{Name: "u", DisplayName: "\x00"}
	if err := u.Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("user: %v", err)
	}
}

func TestValidateLinks(t *testing.T) {
	svc := func(ls ...Link) *Service {
		return &Service{Name: "a", Owner: "t", Tier: 1, DataClass: DataInternal, Phase: PhasePlayground, Links: ls}
	}
	for _, ok := range []string{"https://wiki.example.com/a?b=c#d", "http://grafana.internal:3000/d/x", "mailto:team@example.com", "HTTPS://EXAMPLE.COM"} {
		if err := svc(Link{URL: ok}).Validate(); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, tt := range []struct{ url, want string }{
		{"javascript:alert(document.cookie)", "http, https or mailto"},
		{"JavaScript:alert(1)", "http, https or mailto"},
		{"data:text/html,<script>alert(1)</script>", "http, https or mailto"},
		{"vbscript:msgbox", "http, https or mailto"},
		{"//evil.example.com/x", "http, https or mailto"},
		{"https:///no-host", "no host"},
		{"mailto:", "no address"},
		{"", "required"},
		{"https://example.com/" + strings.Repeat("a", MaxLinkURLLen), "at most 2048"},
	} {
		err := svc(Link{URL: "https://ok.example.com"}, Link{URL: tt.url}).Validate()
		var pe *Error
		if !errors.As(err, &pe) || pe.Field != "links[1].url" || !strings.Contains(pe.Message, tt.want) {
			t.Errorf("%.40q: %v, want links[1].url %q", tt.url, err, tt.want)
		}
	}
	many := make([]Link, MaxLinks+1)
	for i := range many {
		many[i] = Link{URL: "https://example.com"}
	}
	if err := svc(many...).Validate(); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "at most 50") {
		t.Errorf("51 links: %v", err)
	}
	if err := svc(Link{URL: "https://example.com", Title: strings.Repeat("t", 201)}).Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("long title: %v", err)
	}
}
