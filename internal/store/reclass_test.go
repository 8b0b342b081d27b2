package store

import (
	"context"
	"sync"
	"testing"

	paved "github.com/paved-dev/paved"
)

func gateOf(t *testing.T, e *env, service string) paved.Classification {
	t.Helper()
	l, err := e.db.FindLaunch(context.Background(), service)
	must(t, err)
	return l.GateClass
}

// TestGateClassKept: every write that changes the classification of a
// service past playground keeps the strictest since green-light (the
// service update and the catalog import alike); a playground service
// keeps none.
func TestGateClassKept(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := as("bob")
		c := func(t paved.Tier, d paved.DataClass) paved.Classification {
			return paved.Classification{Tier: t, DataClass: d}
		}
		if g := gateOf(t, e, "ledger"); !g.IsZero() {
			t.Fatalf("gate class before any change = %v", g)
		}
		four, public, one := paved.Tier(4), paved.DataPublic, paved.Tier(1)
		_, err := e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{Tier: &four, DataClass: &public})
		must(t, err)
		if g := gateOf(t, e, "ledger"); g != c(2, paved.DataConfidential) {
			t.Errorf("after lowering: gate %v, want tier 2/confidential", g)
		}
		_, err = e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{Tier: &one})
		must(t, err)
		if g := gateOf(t, e, "ledger"); g != c(1, paved.DataConfidential) {
			t.Errorf("after raising the tier: gate %v, want tier 1/confidential", g)
		}
		// Playground: nothing kept.
		_, err = e.db.UpdateService(ctx, "finder", paved.ServiceUpdate{Tier: &four})
		must(t, err)
		if g := gateOf(t, e, "finder"); !g.IsZero() {
			t.Errorf("playground gate class = %v", g)
		}
		// An approved reclassification resets it.
		r := &paved.Reclassification{Service: "ledger", To: c(3, paved.DataInternal), Reason: "batch only"}
		must(t, e.db.RequestReclassification(ctx, r, nil, nil))
		if r.From != c(1, paved.DataPublic) || r.Team != "payments" || r.RequestedBy != "bob" {
			t.Errorf("request as stored = %+v", r)
		}
		wantErr(t, e.db.RequestReclassification(ctx, &paved.Reclassification{Service: "ledger", To: c(4, paved.DataPublic), Reason: "again"}, nil, nil), paved.ECONFLICT, "")
		_, err = e.db.DecideReclassification(as("ana"), r.ID, paved.ReclassDecision{Approve: true}, nil)
		must(t, err)
		if g := gateOf(t, e, "ledger"); g != c(3, paved.DataInternal) {
			t.Errorf("after the approval: gate %v, want tier 3/internal", g)
		}
	})
}

// TestReclassificationStore: the in-transaction rule, a service changed
// since the request, one winner of racing decisions, the force.
func TestReclassificationStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		to := paved.Classification{Tier: 4, DataClass: paved.DataInternal}
		r := &paved.Reclassification{Service: "checkout", To: to, Reason: "demo"}
		wantErr(t, e.db.RequestReclassification(as("bob"), &paved.Reclassification{Service: "checkout", To: to}, nil, nil), paved.EINVALID, "reason")
		wantErr(t, e.db.RequestReclassification(as("bob"), &paved.Reclassification{Service: "checkout", To: paved.Classification{Tier: 9, DataClass: paved.DataPublic}, Reason: "x"}, nil, nil), paved.EINVALID, "to.tier")
		must(t, e.db.RequestReclassification(as("bob"), r, nil, nil))

		refused := paved.Errorf(paved.EFORBIDDEN, "refused in the transaction")
		_, err := e.db.DecideReclassification(as("ana"), r.ID, paved.ReclassDecision{Approve: true}, func(*paved.Reclassification, string) (*paved.Notification, error) {
			return nil, refused
		})
		wantErr(t, err, paved.EFORBIDDEN, "")
		_, err = e.db.DecideReclassification(as("ana"), r.ID, paved.ReclassDecision{}, nil)
		wantErr(t, err, paved.EINVALID, "comment")

		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.db.DecideReclassification(as("ana"), r.ID, paved.ReclassDecision{Approve: i%2 == 0, Comment: "racing"}, nil)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch paved.ErrorCode(err) {
			case "":
				won++
			case paved.ECONFLICT:
			default:
				t.Errorf("racing decision: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of 4 racing decisions won: %v", won, errs)
		}

		// A request whose service changed meanwhile is not approved.
		r2 := &paved.Reclassification{Service: "ledger", To: paved.Classification{Tier: 4, DataClass: paved.DataPublic}, Reason: "x"}
		must(t, e.db.RequestReclassification(as("bob"), r2, nil, nil))
		one := paved.Tier(1)
		_, err = e.db.UpdateService(as("bob"), "ledger", paved.ServiceUpdate{Tier: &one})
		must(t, err)
		_, err = e.db.DecideReclassification(as("ana"), r2.ID, paved.ReclassDecision{Approve: true}, nil)
		wantErr(t, err, paved.ECONFLICT, "")

		// Forcing withdraws it, needs a reason and resets the gates.
		_, err = e.db.ForceReclassification(as("ada"), "ledger", to, " ", nil)
		wantErr(t, err, paved.EINVALID, "reason")
		f, err := e.db.ForceReclassification(as("ada"), "ledger", to, "decommissioning", nil)
		must(t, err)
		got, err := e.db.FindReclassification(context.Background(), r2.ID)
		must(t, err)
		if got.Status != paved.ReclassWithdrawn || f.Status != paved.ReclassForced || gateOf(t, e, "ledger") != to {
			t.Errorf("after forcing: request %s, forced %s, gate %v", got.Status, f.Status, gateOf(t, e, "ledger"))
		}
		list, total, err := e.db.FindReclassifications(context.Background(), paved.ReclassFilter{Service: "ledger"})
		must(t, err)
		if total != 2 || list[0].ID != f.ID {
			t.Errorf("ledger's reclassifications: %d, first #%d", total, list[0].ID)
		}
		_, _, err = e.db.FindReclassifications(context.Background(), paved.ReclassFilter{Service: "nope"})
		wantErr(t, err, paved.ENOTFOUND, "")
	})
}

// TestWithdrawReclassification: the check runs in the transaction, a
// withdrawn request is no longer pending (nor decided, nor withdrawn
// again), the gates keep their classification, and a new request may
// follow.
func TestWithdrawReclassification(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := as("bob")
		to := paved.Classification{Tier: 4, DataClass: paved.DataPublic}
		four, public := paved.Tier(4), paved.DataPublic
		_, err := e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{Tier: &four, DataClass: &public})
		must(t, err)
		gate := gateOf(t, e, "ledger")
		r := &paved.Reclassification{Service: "ledger", To: to, Reason: "batch only"}
		must(t, e.db.RequestReclassification(ctx, r, nil, nil))

		_, err = e.db.WithdrawReclassification(ctx, r.ID, func(*paved.Reclassification) error {
			return paved.Errorf(paved.EFORBIDDEN, "refused in the transaction")
		})
		wantErr(t, err, paved.EFORBIDDEN, "")
		w, err := e.db.WithdrawReclassification(ctx, r.ID, nil)
		must(t, err)
		got, err := e.db.FindReclassification(context.Background(), r.ID)
		must(t, err)
		if w.Status != paved.ReclassWithdrawn || got.Status != paved.ReclassWithdrawn || got.DecidedBy != "bob" || got.DecidedAt == nil {
			t.Errorf("withdrawn: returned %+v, stored %+v", w, got)
		}
		_, err = e.db.WithdrawReclassification(ctx, r.ID, nil)
		wantErr(t, err, paved.ECONFLICT, "")
		_, err = e.db.DecideReclassification(as("ana"), r.ID, paved.ReclassDecision{Approve: true}, nil)
		wantErr(t, err, paved.ECONFLICT, "")
		if g := gateOf(t, e, "ledger"); g != gate {
			t.Errorf("gate after the withdrawal = %v, want %v", g, gate)
		}
		_, err = e.db.WithdrawReclassification(ctx, 9999, nil)
		wantErr(t, err, paved.ENOTFOUND, "")
		must(t, e.db.RequestReclassification(ctx, &paved.Reclassification{Service: "ledger", To: to, Reason: "again"}, nil, nil))
	})
}

// TestImportKeepsGateClass: a catalog import that lowers the tier and
// the data class of a service past playground writes them (the catalog
// is the source it mirrors) but keeps the gates at the strictest
// classification since green-light; a later import that raises one of
// them moves the gates up; a playground service keeps none.
func TestImportKeepsGateClass(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := as("importer")
		byName := func(name string) *paved.Service {
			t.Helper()
			c, err := e.db.Catalog(ctx)
			must(t, err)
			for _, s := range c.Services {
				if s.Name == name {
					return s
				}
			}
			t.Fatalf("no service %s in the catalog", name)
			return nil
		}
		ledger, finder := byName("ledger"), byName("finder")
		ledger.Tier, ledger.DataClass = 4, paved.DataPublic
		finder.Tier = 4
		must(t, e.db.ApplyImport(ctx, &paved.ImportPlan{Services: []*paved.Service{ledger, finder}}))
		if got := byName("ledger"); got.Tier != 4 || got.DataClass != paved.DataPublic {
			t.Errorf("ledger after the import = tier %d/%s, want the catalog's 4/public", got.Tier, got.DataClass)
		}
		want := paved.Classification{Tier: 2, DataClass: paved.DataConfidential}
		if g := gateOf(t, e, "ledger"); g != want {
			t.Errorf("ledger's gates after a lowering import = %v, want %v", g, want)
		}
		if g := gateOf(t, e, "finder"); !g.IsZero() {
			t.Errorf("playground finder's gates = %v, want none", g)
		}

		// Raising the data class through the catalog moves the gates up;
		// lowering it again does not bring them down.
		ledger = byName("ledger")
		ledger.DataClass = paved.DataRestricted
		must(t, e.db.ApplyImport(ctx, &paved.ImportPlan{Services: []*paved.Service{ledger}}))
		ledger = byName("ledger")
		ledger.DataClass = paved.DataInternal
		must(t, e.db.ApplyImport(ctx, &paved.ImportPlan{Services: []*paved.Service{ledger}}))
		want = paved.Classification{Tier: 2, DataClass: paved.DataRestricted}
		if g := gateOf(t, e, "ledger"); g != want {
			t.Errorf("ledger's gates after raise and lower imports = %v, want %v", g, want)
		}
	})
}
