package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

func TestLastSaturday(t *testing.T) {
	for now, want := range map[string]string{
		"2026-11-20": "2026-11-14", // a Friday: the Saturday before
		"2026-11-15": "2026-11-14", // the Sunday after
		"2026-11-14": "2026-10-31", // on a Saturday: the one before, not today
		"2026-11-12": "2026-10-31", // Saturday 7 November is before the 9th
		"2026-11-02": "2026-10-31",
	} {
		n, _ := time.Parse(time.DateOnly, now)
		if got := lastSaturday(n).Format(time.DateOnly); got != want {
			t.Errorf("lastSaturday(%s) = %s, want %s", now, got, want)
		}
	}
}

// TestSeedSpend seeds the demo's billing data as of Friday 20 November
// 2026: October and November to the 19th, budgets, and the playground
// account's Friday-evening GPU job, caught by the burn-rate rule when the
// export through Friday came in, and by the spike rule.
func TestSeedSpend(t *testing.T) {
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: Actor})
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tm := range Teams() {
		if err := ensureTeam(ctx, st, tm); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range Services() {
		if err := ensureService(ctx, st, s); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	start := time.Now()
	if err := seedSpend(ctx, st, now); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded in %v", time.Since(start))
	bs, err := st.FindCostBatches(ctx)
	if err != nil || len(bs) != 2 || bs[0].Period != "2026-11" || bs[1].Period != "2026-10" || !bs[0].Replaced && bs[0].Lines == 0 {
		t.Fatalf("batches %+v %v", bs, err)
	}
	alerts, err := st.FindCostAlerts(ctx, paved.CostAlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range alerts {
		got = append(got, a.Key)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"burn|account|" + PlaygroundAccount + "|2026-11-13",
		"spike|account|" + PlaygroundAccount + "|2026-11-13",
		"spike|service|recommendations|2026-11-14",
		"budget|account|" + PlaygroundAccount + "|2026-11|100",
		"budget|team|search|2026-11|",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no alert %s among\n%s", want, all)
		}
	}
	for _, a := range alerts {
		if a.Rule == paved.RuleBurn && (!strings.Contains(a.Message, "runs out in") || a.Team != "search") {
			t.Errorf("burn alert %+v", a)
		}
	}
	// Most spend is tagged; some is not.
	un, err := st.Untagged(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 100)
	if err != nil || len(un) == 0 {
		t.Errorf("untagged %d %v", len(un), err)
	}
	// A second seed writes nothing.
	if err := seedSpend(ctx, st, now); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.FindCostBatches(ctx); again[0].ID != bs[0].ID {
		t.Error("a second seed ingested again")
	}
	if teams := sortedTeams(); len(teams) < 8 {
		t.Errorf("teams %v", teams)
	}
}
