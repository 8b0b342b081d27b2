package launch_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/testutil"
)

// vaultFixture adds vault, a tier 1 service with restricted data owned by
// payments, moved to green-light (an admin forced it, so the test needs no
// questionnaire), and boss, an admin who is a member of payments.
func vaultFixture(t *testing.T, eng string) *fixture {
	t.Helper()
	f := newFixtureAt(t, testutil.DSN(t, eng))
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "setup"})
	if err := f.db.CreateService(ctx, &paved.Service{Name: "vault", Owner: "payments", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhasePlayground}); err != nil {
		t.Fatal(err)
	}
	boss := &paved.User{Name: "boss", Roles: []paved.Role{paved.RoleAdmin, paved.RoleArchitect}, Teams: []string{"payments"}}
	if err := f.db.CreateUser(ctx, boss); err != nil {
		t.Fatal(err)
	}
	f.users["boss"] = must(f.db.FindUser(ctx, "boss"))
	must(f.svc.Advance(f.as("ada"), "vault", paved.PhaseGreenLight, true, "pilot of the new vault"))
	return f
}

func classOf(t *testing.T, f *fixture, service string) paved.Classification {
	t.Helper()
	return paved.ClassOf(must(f.db.FindService(context.Background(), service)))
}

var (
	tier1Restricted = paved.Classification{Tier: 1, DataClass: paved.DataRestricted}
	tier4Internal   = paved.Classification{Tier: 4, DataClass: paved.DataInternal}
)

// TestAbuseLowerTierAndWalkAroundGates is the sequence of issue 15 §1, on
// both engines: a developer lowers their tier 1/restricted service in
// green-light, with its launch under way, to tier 4/internal; cancels the
// walkthrough in which the architect requested changes; schedules a new
// one; has a peer from another team sign; and advances. Each step is
// refused, and the gates keep reading tier 1/restricted.
func TestAbuseLowerTierAndWalkAroundGates(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) {
			f := vaultFixture(t, eng)
			s, dev := f.svc, f.as("dev")
			wt := must(s.Schedule(dev, "vault", time.Date(2026, 3, 20, 14, 0, 0, 0, time.UTC), []string{"pat", "ari", "sam"}))
			must(s.Sign(f.as("ari"), wt.ID, paved.SignArchitect, paved.DecisionRequestChanges, "The key rotation design is missing."))

			// 1. Lowering is not applied: it becomes a request, which
			// needs a reason.
			four, internal := paved.Tier(4), paved.DataInternal
			lower := paved.ServiceUpdate{Tier: &four, DataClass: &internal}
			_, err := s.UpdateService(dev, "vault", lower, "")
			wantCode(t, "lowering without a reason", err, paved.EINVALID, "architect's or security engineer's approval")
			res := must(s.UpdateService(dev, "vault", lower, "it only serves internal dashboards now"))
			if res.Reclassification == nil || res.Reclassification.Status != paved.ReclassPending || res.Reclassification.To != tier4Internal ||
				res.Reclassification.From != tier1Restricted || res.Reclassification.RequestedBy != "dev" {
				t.Fatalf("update result = %+v, want a pending request from tier 1/restricted to tier 4/internal", res.Reclassification)
			}
			if got := classOf(t, f, "vault"); got != tier1Restricted {
				t.Fatalf("vault is %v after the lowering request, want it unchanged", got)
			}
			_, err = s.UpdateService(f.as("pat"), "vault", lower, "again")
			wantCode(t, "a second pending request", err, paved.ECONFLICT, "already has a reclassification request")

			// The requester and their team (an admin in it included)
			// cannot decide it; a developer of another team cannot either.
			for _, who := range []string{"dev", "pat", "boss", "olu", "erin"} {
				_, err := s.DecideReclassification(f.as(who), res.Reclassification.ID, true, "")
				wantCode(t, who+" approving", err, paved.EFORBIDDEN)
			}

			// 2. The team cannot cancel the walkthrough with the
			// architect's objection; nor can another adviser.
			for _, who := range []string{"dev", "pat", "sam"} {
				wantCode(t, who+" cancelling", s.CancelWalkthrough(f.as(who), wt.ID, "rescheduling"), paved.EFORBIDDEN, "objection")
			}

			// 3. A new walkthrough is not scheduled over the open one.
			_, err = s.Schedule(dev, "vault", time.Date(2026, 3, 27, 14, 0, 0, 0, time.UTC), []string{"olu"})
			wantCode(t, "scheduling a new walkthrough", err, paved.ECONFLICT, "still open")

			// 4. A peer from another team signs; the architect's request
			// still stands and security has not signed.
			ws := must(s.Sign(f.as("olu"), wt.ID, paved.SignPeer, paved.DecisionApprove, ""))
			if ws.Outcome != paved.OutcomeChangesRequested {
				t.Errorf("outcome after the peer = %s, want changes-requested", ws.Outcome)
			}

			// 5. Advance is refused: the gate reads tier 1/restricted.
			_, err = s.Advance(dev, "vault", paved.PhaseProduction, false, "")
			wantCode(t, "advance", err, paved.EUNPROCESSABLE, "asked for changes", "security assessment")
			st := must(s.Status(dev, "vault"))
			if st.GateClass != tier1Restricted {
				t.Errorf("status gate class = %v, want tier 1/restricted", st.GateClass)
			}

			// Even a lowering that reaches the store some other way (a
			// catalog import, an admin's PATCH racing the request) leaves
			// the gates where they were.
			_, err = f.db.UpdateService(f.as("ada"), "vault", lower)
			if err != nil {
				t.Fatal(err)
			}
			l := must(f.db.FindLaunch(context.Background(), "vault"))
			if got := launch.GateClass(l); got != tier1Restricted {
				t.Errorf("gate class after a direct lowering = %v, want tier 1/restricted", got)
			}
			st = must(s.Status(dev, "vault"))
			if req := launch.RequiredSignoffs(st.GateClass.Tier, st.GateClass.DataClass); len(req) != 3 {
				t.Errorf("required sign-offs after a direct lowering = %v, want peer, architect, security", req)
			}
			_, err = s.Sign(f.as("sam"), wt.ID, paved.SignSecurity, paved.DecisionApprove, "")
			if err != nil {
				t.Errorf("security signing a tier 1 walkthrough after a direct lowering: %v", err)
			}
			_, err = s.Advance(dev, "vault", paved.PhaseProduction, false, "")
			wantCode(t, "advance after a direct lowering", err, paved.EUNPROCESSABLE, "asked for changes")
		})
	}
}

// TestReclassificationDecisions: who decides, one winner of racing
// decisions, an approval lowering the gates, an admin's forced lowering.
func TestReclassificationDecisions(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) {
			f := vaultFixture(t, eng)
			s, dev := f.svc, f.as("dev")
			four, internal := paved.Tier(4), paved.DataInternal
			lower := paved.ServiceUpdate{Tier: &four, DataClass: &internal}

			// Raising is applied at once, lowering only with a decision.
			two := paved.Tier(2)
			res := must(s.UpdateService(dev, "search-api", paved.ServiceUpdate{Tier: &two}, ""))
			if res.Reclassification != nil || res.Service.Tier != 2 {
				t.Errorf("raising search-api = %+v", res)
			}
			// A playground service whose launch has not started is lowered
			// at once.
			res = must(s.UpdateService(f.as("olu"), "search-api", paved.ServiceUpdate{Tier: &four}, ""))
			if res.Reclassification != nil || res.Service.Tier != 4 {
				t.Errorf("lowering search-api in playground = %+v", res)
			}

			r := must(s.UpdateService(dev, "vault", lower, "internal dashboards only")).Reclassification
			_, err := s.DecideReclassification(f.as("sam"), r.ID, false, "")
			wantCode(t, "a rejection without a comment", err, paved.EINVALID)

			// ari and sam decide at once: one wins.
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, who := range []string{"ari", "sam"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = s.DecideReclassification(f.as(who), r.ID, who == "ari", "decided by "+who)
				}()
			}
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch code(err) {
				case "":
					won++
				case paved.ECONFLICT:
				default:
					t.Errorf("decider %d: %v", i, err)
				}
			}
			if won != 1 {
				t.Fatalf("%d decisions won (%v), want exactly 1", won, errs)
			}
			got := must(s.Reclassification(dev, r.ID))
			l := must(f.db.FindLaunch(context.Background(), "vault"))
			switch got.Status {
			case paved.ReclassApproved:
				if paved.ClassOf(l.Service) != tier4Internal || launch.GateClass(l) != tier4Internal {
					t.Errorf("approved: service %v, gates %v, want tier 4/internal", paved.ClassOf(l.Service), launch.GateClass(l))
				}
			case paved.ReclassRejected:
				if paved.ClassOf(l.Service) != tier1Restricted || launch.GateClass(l) != tier1Restricted {
					t.Errorf("rejected: service %v, gates %v, want tier 1/restricted", paved.ClassOf(l.Service), launch.GateClass(l))
				}
			default:
				t.Fatalf("status after the race = %s", got.Status)
			}

			// Raising again after green-light is applied and kept.
			one, restricted := paved.Tier(1), paved.DataRestricted
			must(s.UpdateService(dev, "vault", paved.ServiceUpdate{Tier: &one, DataClass: &restricted}, ""))

			// An admin forces a lowering only with a reason; it is
			// recorded, audited and lowers the gates.
			_, err = s.ForceReclassification(f.as("dev"), "vault", tier4Internal, "because")
			wantCode(t, "a developer forcing", err, paved.EFORBIDDEN)
			_, err = s.ForceReclassification(f.as("ada"), "vault", tier4Internal, " ")
			wantCode(t, "forcing without a reason", err, paved.EINVALID)
			fr := must(s.ForceReclassification(f.as("ada"), "vault", tier4Internal, "decommissioning the restricted part"))
			if fr.Status != paved.ReclassForced || fr.DecidedBy != "ada" || fr.Comment != "decommissioning the restricted part" {
				t.Errorf("forced = %+v", fr)
			}
			l = must(f.db.FindLaunch(context.Background(), "vault"))
			if launch.GateClass(l) != tier4Internal {
				t.Errorf("gates after forcing = %v", launch.GateClass(l))
			}
			list, total := must2(s.Reclassifications(dev, paved.ReclassFilter{Service: "vault"}))
			if total != 2 || list[0].ID != fr.ID {
				t.Errorf("reclassifications of vault = %d: %+v", total, list)
			}
			var actions []string
			must0(f.db.AllAuditEvents(context.Background(), func(e *paved.AuditEvent) error {
				if strings.HasPrefix(e.Action, "reclassification.") || e.Action == "service.reclassify" {
					actions = append(actions, e.Action)
				}
				return nil
			}))
			if want := "reclassification.request service.reclassify"; !strings.Contains(strings.Join(actions, " "), "reclassification.request") ||
				!strings.Contains(strings.Join(actions, " "), "reclassification.force") {
				t.Errorf("audit actions = %v, want %s ... reclassification.force", actions, want)
			}
			var kinds []string
			ns, _ := must2(f.db.FindNotifications(context.Background(), paved.NotificationFilter{}))
			for _, n := range ns {
				kinds = append(kinds, n.Kind)
			}
			if j := strings.Join(kinds, " "); !strings.Contains(j, paved.NotifyReclassRequested) || !strings.Contains(j, paved.NotifyReclassDecided) {
				t.Errorf("notifications = %v", kinds)
			}
		})
	}
}

// TestWithdrawReclassification: only the requester withdraws a pending
// request (not a teammate, a decider or an admin); the service and the
// gates keep their classification; a withdrawn request is decided by
// nobody and a new one may be asked.
func TestWithdrawReclassification(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) {
			f := vaultFixture(t, eng)
			s := f.svc
			r := must(s.RequestReclassification(f.as("dev"), "vault", tier4Internal, "internal dashboards only")).Reclassification
			for _, who := range []string{"pat", "ari", "ada", "boss"} {
				_, err := s.WithdrawReclassification(f.as(who), r.ID)
				wantCode(t, who+" withdrawing dev's request", err, paved.EFORBIDDEN)
			}
			w := must(s.WithdrawReclassification(f.as("dev"), r.ID))
			if w.Status != paved.ReclassWithdrawn || w.DecidedBy != "dev" {
				t.Errorf("withdrawn = %+v", w)
			}
			_, err := s.WithdrawReclassification(f.as("dev"), r.ID)
			wantCode(t, "withdrawing twice", err, paved.ECONFLICT)
			_, err = s.DecideReclassification(f.as("ari"), r.ID, true, "")
			wantCode(t, "approving a withdrawn request", err, paved.ECONFLICT)
			l := must(f.db.FindLaunch(context.Background(), "vault"))
			if paved.ClassOf(l.Service) != tier1Restricted || launch.GateClass(l) != tier1Restricted {
				t.Errorf("after the withdrawal: service %v, gates %v", paved.ClassOf(l.Service), launch.GateClass(l))
			}
			if again := must(s.RequestReclassification(f.as("pat"), "vault", tier4Internal, "asked again")).Reclassification; again == nil {
				t.Error("no new request after the withdrawal")
			}
		})
	}
}

// TestWalkthroughObjectionCarriesOver: only the objecting signer or an
// admin with a reason cancels a walkthrough with an objection, and the
// next walkthrough carries the objection and the open follow-ups over.
func TestWalkthroughObjectionCarriesOver(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) {
			f := vaultFixture(t, eng)
			s, dev := f.svc, f.as("dev")
			wt := must(s.Schedule(dev, "vault", time.Date(2026, 3, 20, 14, 0, 0, 0, time.UTC), nil))
			must(s.Sign(f.as("ari"), wt.ID, paved.SignArchitect, paved.DecisionRequestChanges, "Rotate the keys."))
			must(s.AddFollowUp(f.as("ari"), wt.ID, "Write the key rotation runbook", "pat", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)))

			wantCode(t, "an admin without a reason", s.CancelWalkthrough(f.as("ada"), wt.ID, ""), paved.EINVALID, "reason")
			must0(s.CancelWalkthrough(f.as("ada"), wt.ID, "the architect is on leave; re-run with the same objection"))

			next := must(s.Schedule(dev, "vault", time.Date(2026, 3, 27, 14, 0, 0, 0, time.UTC), nil))
			if next.Outcome != paved.OutcomeChangesRequested || len(next.Signoffs) != 1 || next.Signoffs[0].Signer != "ari" ||
				!strings.Contains(next.Signoffs[0].Comment, "Rotate the keys.") {
				t.Errorf("new walkthrough = outcome %s, sign-offs %+v: want ari's request carried over", next.Outcome, next.Signoffs)
			}
			if len(next.FollowUps) != 1 || next.FollowUps[0].Description != "Write the key rotation runbook" || next.FollowUps[0].Owner != "pat" {
				t.Errorf("follow-ups of the new walkthrough = %+v", next.FollowUps)
			}
			// The objecting signer may withdraw by cancelling; then the
			// objection does not carry over.
			must0(s.CancelWalkthrough(f.as("ari"), next.ID, ""))
			third := must(s.Schedule(dev, "vault", time.Date(2026, 4, 3, 14, 0, 0, 0, time.UTC), nil))
			if third.Outcome != paved.OutcomePending || len(third.Signoffs) != 0 || len(third.FollowUps) != 1 {
				t.Errorf("after the signer withdrew: outcome %s, sign-offs %+v, follow-ups %d", third.Outcome, third.Signoffs, len(third.FollowUps))
			}
		})
	}
}

// TestCarryOverRetiredSigner: the signer of an objection (and the owner of
// an open follow-up) retired since does not block the next walkthrough.
// The objection still carries over in the same role, naming the retired
// signer: an active holder of that role resolves it by signing the role,
// since the newest sign-off of a role counts; the follow-up stays open
// with its owner, for anyone who may complete follow-ups.
func TestCarryOverRetiredSigner(t *testing.T) {
	for _, eng := range testutil.Engines {
		t.Run(eng, func(t *testing.T) {
			f := vaultFixture(t, eng)
			s, dev := f.svc, f.as("dev")
			ctx := paved.WithActor(context.Background(), paved.Actor{Name: "setup"})
			must0(f.db.CreateUser(ctx, &paved.User{Name: "arlo", Roles: []paved.Role{paved.RoleArchitect}, Teams: []string{"architecture"}}))
			f.users["arlo"] = must(f.db.FindUser(ctx, "arlo"))

			wt := must(s.Schedule(dev, "vault", time.Date(2026, 3, 20, 14, 0, 0, 0, time.UTC), nil))
			must(s.Sign(f.as("ari"), wt.ID, paved.SignArchitect, paved.DecisionRequestChanges, "Rotate the keys."))
			must(s.AddFollowUp(f.as("ari"), wt.ID, "Write the key rotation runbook", "pat", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)))
			must0(s.CancelWalkthrough(f.as("ada"), wt.ID, "re-run after the reorganisation"))
			must0(f.db.RetireUser(ctx, "ari"))
			must0(f.db.RetireUser(ctx, "pat"))

			next := must(s.Schedule(dev, "vault", time.Date(2026, 3, 27, 14, 0, 0, 0, time.UTC), nil))
			if next.Outcome != paved.OutcomeChangesRequested || len(next.Signoffs) != 1 || next.Signoffs[0].Signer != "ari" ||
				next.Signoffs[0].Role != paved.SignArchitect {
				t.Fatalf("new walkthrough = outcome %s, sign-offs %+v: want ari's request carried over", next.Outcome, next.Signoffs)
			}
			if len(next.FollowUps) != 1 || next.FollowUps[0].Owner != "pat" || next.FollowUps[0].DoneAt != nil {
				t.Errorf("follow-ups of the new walkthrough = %+v", next.FollowUps)
			}
			// The team cannot cancel it; an active architect resolves the
			// objection by signing the role.
			wantCode(t, "the team cancelling", s.CancelWalkthrough(dev, next.ID, "ari left"), paved.EFORBIDDEN)
			st := must(s.Sign(f.as("arlo"), next.ID, paved.SignArchitect, paved.DecisionApprove, "Rotation is in place."))
			if st.Outcome == paved.OutcomeChangesRequested || st.Outcome == paved.OutcomeVetoed {
				t.Errorf("after arlo signed: outcome %s", st.Outcome)
			}
			must(s.CompleteFollowUp(dev, next.ID, next.FollowUps[0].ID))
		})
	}
}

func must0(err error) {
	current.Helper()
	if err != nil {
		current.Fatal(err)
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	current.Helper()
	if err != nil {
		current.Fatal(err)
	}
	return a, b
}
