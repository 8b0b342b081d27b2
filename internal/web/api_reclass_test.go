package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// seedReclass puts svc-crit (alpha's, tier 1/restricted) in green-light and
// has dev-alpha ask to lower it to tier 4/internal: request #1.
func seedReclass(e *apiEnv) {
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	e.must(e.db.CreateService(ctx, &paved.Service{Name: "svc-crit", Owner: "alpha", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhasePlayground}))
	_, err := e.srv.launch.Advance(e.actingAs("admin"), "svc-crit", paved.PhaseGreenLight, true, "seed")
	e.must(err)
	res, err := e.srv.launch.RequestReclassification(e.actingAs("dev-alpha"), "svc-crit", paved.Classification{Tier: 4, DataClass: paved.DataInternal}, "internal dashboards only")
	e.must(err)
	if res.Reclassification == nil || res.Reclassification.ID != 1 {
		e.t.Fatalf("seeded reclassification = %+v, want request #1", res.Reclassification)
	}
}

// TestAPIAbuseLowerTierAndWalkAroundGates is issue 15 §1's sequence through
// the real HTTP handler: every step is refused.
func TestAPIAbuseLowerTierAndWalkAroundGates(t *testing.T) {
	e := newAPIEnv(t)
	dev, admin := tokenOf("dev-alpha"), tokenOf("admin")
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	e.must(e.db.CreateService(ctx, &paved.Service{Name: "svc-crit", Owner: "alpha", Tier: 1, DataClass: paved.DataRestricted, Phase: paved.PhasePlayground}))
	ok := func(rec interface {
		Result() *http.Response
	}, what string) {
		t.Helper()
		if res := rec.Result(); res.StatusCode/100 != 2 {
			t.Fatalf("%s: status %d", what, res.StatusCode)
		}
	}
	ok(e.do("POST", "/api/v1/services/svc-crit/phase", admin, `{"to":"green-light","force":true,"reason":"pilot"}`), "forcing green-light")
	ok(e.do("POST", "/api/v1/services/svc-crit/walkthroughs", dev, `{"scheduled_at":"2030-05-04 14:00","participants":["architect","security","dev-beta"]}`), "scheduling")
	ok(e.do("POST", "/api/v1/walkthroughs/1/signoffs", tokenOf("architect"), `{"role":"architect","decision":"request-changes","comment":"Key rotation is missing."}`), "the architect's request")

	// 1. Lowering tier 1/restricted to tier 4/internal: not applied.
	wantProblem(t, e.do("PATCH", "/api/v1/services/svc-crit", dev, `{"tier":4,"data_class":"internal"}`), http.StatusBadRequest, "invalid")
	rec := e.do("PATCH", "/api/v1/services/svc-crit", dev, `{"tier":4,"data_class":"internal","reclassify_reason":"internal dashboards only"}`)
	if rec.Code != http.StatusAccepted || rec.Header().Get("Location") != "/api/v1/reclassifications/1" {
		t.Fatalf("lowering PATCH = %d (Location %q) %s, want 202 naming request #1", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	var svc paved.Service
	e.must(json.Unmarshal(e.do("GET", "/api/v1/services/svc-crit", dev, "").Body.Bytes(), &svc))
	if svc.Tier != 1 || svc.DataClass != paved.DataRestricted {
		t.Fatalf("svc-crit after the lowering PATCH is tier %d/%s, want 1/restricted", svc.Tier, svc.DataClass)
	}
	wantProblem(t, e.do("POST", "/api/v1/reclassifications/1/approve", dev, `{}`), http.StatusForbidden, "forbidden")

	// 2. Cancelling the walkthrough the architect objected to.
	wantProblem(t, e.do("POST", "/api/v1/walkthroughs/1/cancel", dev, ""), http.StatusForbidden, "forbidden")

	// 3. Scheduling a new one.
	wantProblem(t, e.do("POST", "/api/v1/services/svc-crit/walkthroughs", dev, `{"scheduled_at":"2030-05-11 14:00","participants":["dev-beta"]}`), http.StatusConflict, "conflict")

	// 4. A peer from another team signs: the request for changes stands.
	rec = e.do("POST", "/api/v1/walkthroughs/1/signoffs", tokenOf("dev-beta"), `{"role":"peer","decision":"approve"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"outcome":"changes-requested"`) {
		t.Fatalf("the peer's sign-off = %d %s, want 200 with the outcome still changes-requested", rec.Code, rec.Body.String())
	}

	// 5. Advance.
	p := wantProblem(t, e.do("POST", "/api/v1/services/svc-crit/phase", dev, `{"to":"production"}`), http.StatusUnprocessableEntity, "unprocessable")
	if !strings.Contains(p.Detail, "asked for changes") {
		t.Errorf("advance refused with %q, want the architect's request named", p.Detail)
	}
}
