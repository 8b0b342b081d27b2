package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestDataCoverage checks that the demo lets a newcomer see every case the
// product distinguishes: every phase, tier and data class, grandfathered
// services, every enablement kind, business units and every role.
func TestDataCoverage(t *testing.T) {
	teams := map[string]*paved.Team{}
	kinds := map[paved.TeamKind]bool{}
	product := 0
	for _, tm := range Teams() {
		if err := tm.Validate(); err != nil {
			t.Errorf("team %s: %v", tm.Name, err)
		}
		if tm.Parent != "" && teams[tm.Parent] == nil {
			t.Errorf("team %s: parent %s is not defined before it", tm.Name, tm.Parent)
		}
		if teams[tm.Name] != nil {
			t.Errorf("team %s defined twice", tm.Name)
		}
		teams[tm.Name] = tm
		kinds[tm.Kind] = true
		if tm.Kind == paved.KindProduct && tm.Type == "team" {
			product++
		}
	}
	for _, k := range paved.TeamKinds {
		if !kinds[k] {
			t.Errorf("no team of kind %s", k)
		}
	}
	if product < 6 {
		t.Errorf("%d product teams, want at least 6", product)
	}

	roles := map[paved.Role]bool{}
	for _, u := range Users() {
		if err := u.Validate(); err != nil {
			t.Errorf("user %s: %v", u.Name, err)
		}
		for _, r := range u.Roles {
			roles[r] = true
		}
		for _, tm := range u.Teams {
			if teams[tm] == nil {
				t.Errorf("user %s: team %s is not a demo team", u.Name, tm)
			}
			if u.HasRole(paved.RoleReviewer) && !u.HasRole(paved.RoleAdmin) && !teams[tm].Kind.Enablement() {
				t.Errorf("reviewer %s is in product team %s: reviewers sit in enablement teams", u.Name, tm)
			}
		}
	}
	for _, r := range paved.Roles {
		if !roles[r] {
			t.Errorf("no user with role %s", r)
		}
	}

	names := map[string]bool{}
	phases := map[paved.Phase]bool{}
	tiers := map[paved.Tier]bool{}
	classes := map[paved.DataClass]bool{}
	grandfathered := 0
	svcs := Services()
	for _, s := range svcs {
		names[s.Name] = true
	}
	for _, s := range svcs {
		if err := s.Validate(); err != nil {
			t.Errorf("service %s: %v", s.Name, err)
		}
		if teams[s.Owner] == nil || teams[s.Owner].Type != "team" {
			t.Errorf("service %s: owner %s is not a demo team", s.Name, s.Owner)
		}
		for _, d := range s.DependsOn {
			if !names[strings.TrimPrefix(d, "component:")] {
				t.Errorf("service %s depends on unknown %s", s.Name, d)
			}
		}
		if s.Grandfathered {
			grandfathered++
			if s.Phase != paved.PhaseProduction {
				t.Errorf("service %s is grandfathered in phase %s, want production", s.Name, s.Phase)
			}
		}
		phases[s.Phase], tiers[s.Tier], classes[s.DataClass] = true, true, true
	}
	if len(svcs) < 28 || len(svcs) > 40 {
		t.Errorf("%d services, want about 30", len(svcs))
	}
	if grandfathered == 0 {
		t.Error("no grandfathered service")
	}
	for _, p := range paved.Phases {
		if !phases[p] {
			t.Errorf("no service in phase %s", p)
		}
	}
	for tr := paved.TierMin; tr <= paved.TierMax; tr++ {
		if !tiers[tr] {
			t.Errorf("no service of tier %d", tr)
		}
	}
	for _, c := range paved.DataClasses {
		if !classes[c] {
			t.Errorf("no service with data class %s", c)
		}
	}
}

// TestSeed seeds a real SQLite store twice: the first run builds the
// organisation with an audit trail and a token per user, the second
// changes nothing and returns no tokens.
func TestSeed(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	tokens, err := Seed(ctx, testApp(t, st))
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != len(Users()) {
		t.Errorf("got %d tokens, want one per user (%d)", len(tokens), len(Users()))
	}
	for user, secret := range tokens {
		u, tok, err := st.Authenticate(ctx, paved.HashToken(secret))
		if err != nil || u.Name != user || tok.Name != TokenName {
			t.Errorf("token of %s does not authenticate as them: %v, %v, %v", user, u, tok, err)
		}
	}
	cat, err := st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Teams) != len(Teams()) || len(cat.Users) != len(Users()) || len(cat.Services) != len(Services()) {
		t.Errorf("catalog has %d teams, %d users, %d services", len(cat.Teams), len(cat.Users), len(cat.Services))
	}
	ret, err := st.FindService(ctx, "legacy-sso")
	if err != nil || ret.Phase != paved.PhaseRetired {
		t.Errorf("legacy-sso = %+v, %v; want retired", ret, err)
	}
	gf, err := st.FindService(ctx, "payment-ledger")
	if err != nil || !gf.Grandfathered || gf.Phase != paved.PhaseProduction {
		t.Errorf("payment-ledger = %+v, %v; want grandfathered production", gf, err)
	}
	events, n, err := st.FindAuditEvents(ctx, paved.AuditFilter{Page: paved.Page{Limit: 1}})
	if err != nil || n == 0 {
		t.Fatalf("no audit events after seeding: %v", err)
	}
	if events[0].Actor != Actor {
		t.Errorf("audit actor = %q, want %q", events[0].Actor, Actor)
	}

	again, err := Seed(ctx, testApp(t, st))
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("second Seed returned %d tokens, want none", len(again))
	}
	_, n2, err := st.FindAuditEvents(ctx, paved.AuditFilter{})
	if err != nil || n2 != n {
		t.Errorf("second Seed wrote audit events: %d -> %d (%v)", n, n2, err)
	}
	var v paved.ChainVerifier
	if err := st.AllAuditEvents(ctx, func(e *paved.AuditEvent) error { v.Add(e); return nil }); err != nil {
		t.Fatal(err)
	}
	if p := v.Problems(); len(p) != 0 || v.Events() != n {
		t.Errorf("audit chain after seeding: %d events, problems %v", v.Events(), p)
	}
}

// TestSeedKeepsActor checks that a caller's actor is used for the audit
// trail rather than the default.
func TestSeedKeepsActor(t *testing.T) {
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "local:alice"})
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	events, _, err := st.FindAuditEvents(ctx, paved.AuditFilter{Actor: "local:alice", Page: paved.Page{Limit: 1}})
	if err != nil || len(events) == 0 {
		t.Errorf("no events by local:alice: %v", err)
	}
}

// TestSeedLaunches checks that the demo's launches are in the stages a
// newcomer walks journeys 2 and 3 with, each reached through its gate.
// It runs on SQLite, and on PostgreSQL too when PAVED_TEST_POSTGRES names a
// server where it may create a database (scripts/with-postgres.sh).
func TestSeedLaunches(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) { testSeedLaunches(t, testutil.DSN(t, eng)) })
	}
}

func testSeedLaunches(t *testing.T, dsn string) {
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	svc := &launch.Service{Store: st, Library: launch.DefaultLibrary()}
	status := func(name string) *launch.Status {
		t.Helper()
		s, err := svc.Status(ctx, name)
		if err != nil {
			t.Fatalf("status of %s: %v", name, err)
		}
		return s
	}

	// Half-way through the questionnaire, with the dialogue.
	gc := status("gift-cards")
	comments, flagged, naPending := 0, 0, 0
	for _, ar := range gc.Areas {
		for _, it := range ar.Items {
			comments += it.Comments
			if it.Flagged {
				flagged++
			}
			if it.State == launch.StateNAPending {
				naPending++
			}
		}
	}
	if gc.Service.Phase != paved.PhasePlayground || gc.Contact == "" || comments < 2 || flagged != 1 || naPending != 1 ||
		gc.Next == nil || gc.Next.Open() || gc.Areas[0].Done == 0 {
		t.Errorf("gift-cards: phase %s contact %q comments %d flagged %d n/a pending %d next %+v", gc.Service.Phase, gc.Contact, comments, flagged, naPending, gc.Next)
	}

	// Green-light with a walkthrough waiting for security.
	fs := status("fraud-scoring")
	if fs.Service.Phase != paved.PhaseGreenLight || fs.Security == nil || fs.Load == nil || fs.LatestCheck == nil || fs.Walkthrough == nil ||
		fs.Walkthrough.Outcome != paved.OutcomePending || len(fs.Walkthrough.Current) != 2 || fs.Walkthrough.Current[paved.SignSecurity] != nil {
		t.Errorf("fraud-scoring: %+v", fs)
	}
	evidenced := 0
	for _, ar := range fs.Areas {
		for _, it := range ar.Items {
			if it.State == launch.StateEvidenced {
				evidenced++
			}
		}
	}
	if evidenced == 0 || fs.Score.Overall < 0.8 || fs.Score.Overall >= 1 {
		t.Errorf("fraud-scoring: %d evidenced items, readiness %.2f", evidenced, fs.Score.Overall)
	}
	in, err := svc.Inbox(ctx, "fatima.ali")
	if err != nil || len(in.Signoffs) == 0 {
		t.Errorf("fatima.ali's inbox has no walkthrough to sign: %+v, %v", in, err)
	}

	// Blocked by changes requested.
	mg := status("mfa-gateway")
	if mg.Service.Phase != paved.PhaseGreenLight || mg.Walkthrough == nil || mg.Walkthrough.Outcome != paved.OutcomeChangesRequested || len(mg.Walkthrough.FollowUps) != 1 {
		t.Errorf("mfa-gateway: %+v", mg.Walkthrough)
	}
	if mg.Next == nil || len(mg.Next.Gaps) == 0 {
		t.Errorf("mfa-gateway is not blocked: %+v", mg.Next)
	}
	for _, g := range mg.Next.Gaps {
		if g.Kind != "walkthrough" && g.Kind != "follow-up" {
			t.Errorf("mfa-gateway should wait only for its walkthrough, also: %+v", g)
		}
	}

	// The whole path, and grandfathered production.
	ad := status("analytics-dashboards")
	if ad.Service.Phase != paved.PhaseProduction || ad.Grandfathered || len(ad.Phases) != 2 || ad.Phases[1].Forced {
		t.Errorf("analytics-dashboards: phase %s grandfathered %v phases %+v", ad.Service.Phase, ad.Grandfathered, ad.Phases)
	}
	for _, s := range Services() {
		got := status(s.Name)
		switch {
		case s.Phase == paved.PhaseProduction && !got.Grandfathered && s.Name != "analytics-dashboards":
			t.Errorf("%s is in production without the gate and not grandfathered", s.Name)
		case s.Phase == paved.PhaseGreenLight && (got.Service.Phase != paved.PhaseGreenLight || len(got.Phases) != 1 || got.Contact == ""):
			t.Errorf("%s did not reach green-light through the gate: %s, %d moves, contact %q", s.Name, got.Service.Phase, len(got.Phases), got.Contact)
		}
	}
	for name := range Stories {
		if _, err := st.FindService(ctx, name); err != nil {
			t.Errorf("story %s: %v", name, err)
		}
	}

	// A second Seed leaves the launches alone.
	_, before, err := st.FindAuditEvents(ctx, paved.AuditFilter{Page: paved.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	if _, after, err := st.FindAuditEvents(ctx, paved.AuditFilter{Page: paved.Page{Limit: 1}}); err != nil || after != before {
		t.Errorf("second Seed wrote %d audit events (%v)", after-before, err)
	}
}
