package store

import (
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// The upgrade fixture of migration 0009 (facts).

func fillFacts(t *testing.T, u *upgradeEnv) {
	now := u.clock.Now()
	_, err := u.db.RecordFacts(u.ctx, []*paved.FactObservation{{
		Service: "checkout", Source: "github", Version: "github/1", ObservedAt: now, ExpiresAt: now.Add(24 * time.Hour), Complete: true,
		Facts: map[string]any{"github.repository.exists": true, "github.branch_protection.required_reviews": 2},
	}})
	must(t, err)
	u.facts = []*paved.Fact{
		{Service: "checkout", Source: "github", Key: "github.branch_protection.required_reviews", Value: 2.0, ObservedAt: now, ChangedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), Version: "github/1", Actor: "upgrader"},
		{Service: "checkout", Source: "github", Key: "github.repository.exists", Value: true, ObservedAt: now, ChangedAt: now,
			ExpiresAt: now.Add(24 * time.Hour), Version: "github/1", Actor: "upgrader"},
	}
	must(t, u.db.RecordCollectorRun(u.ctx, &paved.CollectorRun{Collector: "github", Kind: "github", StartedAt: now, FinishedAt: now, Services: 1, Facts: 2, Changes: 2}))
	must(t, u.db.ReplaceDiscoveries(u.ctx, "github", []*paved.CatalogDiscovery{{Repository: "acme/checkout", Path: "catalog-info.yaml",
		URL: "https://github.com/acme/checkout/blob/main/catalog-info.yaml", Content: "kind: Component\n", FoundAt: now}}))
}

func checkFacts(t *testing.T, u *upgradeEnv) {
	fs, err := u.db.FindFacts(u.ctx, paved.FactFilter{Service: "checkout"})
	must(t, err)
	sameJSON(t, "facts", fs, u.facts)
	hist, total, err := u.db.FactHistory(u.ctx, paved.FactHistoryFilter{Service: "checkout"})
	must(t, err)
	if total != 2 || hist[0].Kind != paved.FactObserved {
		t.Errorf("fact history = %s", jsonOf(hist))
	}
	rs, err := u.db.FindCollectorRuns(u.ctx)
	must(t, err)
	if len(rs) != 1 || rs[0].LastSuccessAt == nil {
		t.Errorf("collector runs = %s", jsonOf(rs))
	}
	ds, err := u.db.FindDiscoveries(u.ctx, "")
	must(t, err)
	if len(ds) != 1 || ds[0].Repository != "acme/checkout" {
		t.Errorf("discoveries = %s", jsonOf(ds))
	}
	// New writes work: a change is an event.
	now := u.clock.Now()
	evs, err := u.db.RecordFacts(u.ctx, []*paved.FactObservation{{Service: "checkout", Source: "github", ObservedAt: now, ExpiresAt: now.Add(time.Hour),
		Facts: map[string]any{"github.branch_protection.required_reviews": 1}}})
	must(t, err)
	if len(evs) != 1 || evs[0].Kind != paved.FactChanged {
		t.Errorf("events after the upgrade = %s", jsonOf(evs))
	}
}
