package store

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// sliceSource is a paved.CostLineSource over lines; fail, when set, is
// returned after the lines instead of io.EOF.
type sliceSource struct {
	lines []*paved.CostLine
	cols  map[string]string
	fail  error
	i     int
}

func (s *sliceSource) Next() (*paved.CostLine, error) {
	if s.i < len(s.lines) {
		s.i++
		return s.lines[s.i-1], nil
	}
	if s.fail != nil {
		return nil, s.fail
	}
	return nil, io.EOF
}

func (s *sliceSource) CostColumns() map[string]string { return s.cols }

func money(t testing.TB, s string) paved.Money {
	t.Helper()
	m, err := paved.ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var oct = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func key(provider, account, sub, service, team string, method paved.AllocMethod) *paved.CostKey {
	k := &paved.CostKey{Provider: provider, BillingAccountID: account, SubAccountID: sub, Service: service, Team: team, Method: method}
	if service != "" {
		k.Tags = map[string]string{"service": service}
	}
	k.Untagged = service == "" && method != paved.AllocTag
	return k
}

func line(t testing.TB, k *paved.CostKey, start time.Time, cat, billed, effective string) *paved.CostLine {
	return &paved.CostLine{
		Key: k, BillingPeriodStart: time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC),
		BillingPeriodEnd: time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, time.UTC), Currency: "USD",
		ChargeStart: start, ChargeEnd: start.Add(time.Hour), Category: cat, ServiceName: "Amazon EC2",
		ResourceID: "i-" + k.Service, Billed: money(t, billed), Effective: money(t, effective), EffectiveSet: true,
	}
}

func totalsByGroup(ts []*paved.CostTotal) map[string]string {
	out := map[string]paved.Money{}
	for _, t := range ts {
		g := t.Group
		if t.Shared != "" {
			g = "shared:" + t.Shared
		}
		out[g] += t.Cost
	}
	s := map[string]string{}
	for k, v := range out {
		s[k] = v.String()
	}
	return s
}

func TestCostIngestAndRead(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		checkout := key("AWS", "111", "222", "checkout", "payments", paved.AllocCatalog)
		orphan := key("AWS", "111", "222", "", paved.Unallocated, paved.AllocNone)
		shared := key("AWS", "111", "333", "", "", paved.AllocShared)
		shared.Shared = "platform"
		reseller := key("Reseller", "111", "", "search", "discovery", paved.AllocCatalog)
		d1 := oct.Add(9 * time.Hour)
		d2 := oct.Add(24*time.Hour + 3*time.Hour)
		src := &sliceSource{
			lines: []*paved.CostLine{
				line(t, checkout, d1, "Usage", "1.5", "1.25"),
				line(t, checkout, d1.Add(time.Hour), "Usage", "1.5", "1.25"),
				line(t, checkout, d2, "Usage", "2", "2"),
				line(t, orphan, d1, "Usage", "0.1", "0.1"),
				line(t, orphan, d2, "Purchase", "3", "3"),
				line(t, orphan, d2, "Credit", "-10", "-10"),
				line(t, shared, d1, "Usage", "4", "4"),
				line(t, reseller, d1, "Usage", "7", "0"),
			},
			cols: map[string]string{"AWS": paved.ColumnEffective, "Reseller": paved.ColumnBilled},
		}
		res, err := e.db.IngestCost(e.ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if res.Lines != 8 || len(res.Batches) != 1 || res.Keys != 4 {
			t.Fatalf("ingest %+v", res)
		}
		b := res.Batches[0]
		// AWS effective 1.25+1.25+2+0.1+3-10+4 = 1.6; Reseller billed 7.
		if b.Cost.String() != "8.6" || b.Billed.String() != "9.1" || b.Replaced || b.CostColumns["Reseller"] != paved.ColumnBilled {
			t.Errorf("batch %+v", b)
		}
		q := paved.CostQuery{From: oct, To: oct.AddDate(0, 1, 0), By: paved.ByTeam}
		ts, err := e.db.CostTotals(e.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got := totalsByGroup(ts)
		want := map[string]string{"payments": "4.5", "unallocated": "-6.9", "shared:platform": "4", "discovery": "7"}
		if len(got) != len(want) {
			t.Errorf("by team %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("by team %v, want %v", got, want)
				break
			}
		}
		q.By, q.Categories = paved.ByService, []string{"Usage"}
		ts, _ = e.db.CostTotals(e.ctx, q)
		if g := totalsByGroup(ts); g["checkout"] != "4.5" || g[""] != "0.1" || g["search"] != "7" {
			t.Errorf("usage by service %v", g)
		}
		q.By, q.Categories, q.Daily, q.Team = paved.ByTeam, nil, true, "payments"
		ts, _ = e.db.CostTotals(e.ctx, q)
		if len(ts) != 2 || !ts[0].Day.Equal(oct) || ts[0].Cost.String() != "2.5" || ts[1].Cost.String() != "2" {
			t.Errorf("daily %+v", ts)
		}
		q = paved.CostQuery{From: oct, To: oct.AddDate(0, 1, 0), By: paved.ByAccount}
		ts, _ = e.db.CostTotals(e.ctx, q)
		if g := totalsByGroup(ts); g["222"] != "-2.4" || g["111"] != "7" {
			t.Errorf("by account %v", g)
		}

		hours, err := e.db.CostHours(e.ctx, []string{"222"}, oct, oct.AddDate(0, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		if len(hours) != 3 || !hours[0].Hour.Equal(d1) || hours[0].Cost.String() != "1.35" {
			t.Errorf("hours %+v", hours)
		}

		un, err := e.db.Untagged(e.ctx, oct, oct.AddDate(0, 1, 0), 10)
		if err != nil {
			t.Fatal(err)
		}
		// Usage 0.1 and Purchase 3 of the orphan key; the credit does not hide it.

		if len(un) != 1 || un[0].Cost.String() != "3.1" || un[0].Account != "222" || un[0].Lines != 2 {
			t.Errorf("untagged %+v", un)
		}

		first, last, cur, err := e.db.CostRange(e.ctx)
		if err != nil || !first.Equal(oct) || !last.Equal(oct.AddDate(0, 0, 1)) || cur != "USD" {
			t.Errorf("range %v %v %q %v", first, last, cur, err)
		}

		// Re-ingest replaces the batch; readers never see both.
		src2 := &sliceSource{lines: []*paved.CostLine{line(t, checkout, d1, "Usage", "9", "9")}, cols: map[string]string{"AWS": paved.ColumnEffective}}
		res, err = e.db.IngestCost(e.ctx, src2)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Batches[0].Replaced || res.Batches[0].Cost.String() != "9" {
			t.Errorf("replace %+v", res.Batches[0])
		}
		batches, _ := e.db.FindCostBatches(e.ctx)
		if len(batches) != 1 || batches[0].Lines != 1 {
			t.Errorf("batches %+v", batches)
		}
		ts, _ = e.db.CostTotals(e.ctx, paved.CostQuery{From: oct, To: oct.AddDate(0, 1, 0), By: paved.ByTeam})
		if g := totalsByGroup(ts); len(g) != 1 || g["payments"] != "9" {
			t.Errorf("after replace %v", g)
		}
		var n int
		e.db.db.QueryRow("SELECT COUNT(*) FROM cost_lines").Scan(&n)
		if n != 1 {
			t.Errorf("%d lines stored after the replace, want 1", n)
		}

		// A failing source leaves the stored batch as it was.
		src3 := &sliceSource{lines: []*paved.CostLine{line(t, checkout, d1, "Usage", "100", "100")}, fail: paved.Errorf(paved.EINVALID, "f.csv:9: broken")}
		if _, err := e.db.IngestCost(e.ctx, src3); err == nil || !strings.Contains(err.Error(), "f.csv:9: broken") || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("failing ingest: %v", err)
		}
		ts, _ = e.db.CostTotals(e.ctx, paved.CostQuery{From: oct, To: oct.AddDate(0, 1, 0), By: paved.ByTeam})
		if g := totalsByGroup(ts); g["payments"] != "9" {
			t.Errorf("after a failed ingest %v", g)
		}

		// Another account in the same period in another currency.
		eur := line(t, key("AWS", "999", "", "x", "y", paved.AllocTag), d1, "Usage", "1", "1")
		eur.Currency = "EUR"
		_, err = e.db.IngestCost(e.ctx, &sliceSource{lines: []*paved.CostLine{eur}, cols: map[string]string{}})
		if paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), "billing period 2026-10 is stored in USD (billing account 111)") {
			t.Errorf("currency conflict: %v", err)
		}

		// Re-allocation changes keys, not lines.
		keys, err := e.db.CostKeys(e.ctx)
		if err != nil || len(keys) != 4 {
			t.Fatalf("keys %d %v", len(keys), err)
		}
		for _, k := range keys {
			if k.Service == "checkout" {
				k.Team, k.Method = "checkout-team", paved.AllocTag
			}
		}
		changed, err := e.db.Reallocate(e.ctx, keys)
		if err != nil || changed != 1 {
			t.Errorf("reallocate %d %v", changed, err)
		}
		ts, _ = e.db.CostTotals(e.ctx, paved.CostQuery{From: oct, To: oct.AddDate(0, 1, 0), By: paved.ByTeam})
		if g := totalsByGroup(ts); g["checkout-team"] != "9" {
			t.Errorf("after reallocate %v", g)
		}
	})
}

func TestCostIngestTwoCurrenciesInOneRun(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a := line(t, key("AWS", "1", "", "x", "y", paved.AllocTag), oct, "Usage", "1", "1")
		b := line(t, key("AWS", "2", "", "x", "y", paved.AllocTag), oct, "Usage", "1", "1")
		b.Currency, b.File, b.Line = "EUR", "b.csv", 7
		_, err := e.db.IngestCost(e.ctx, &sliceSource{lines: []*paved.CostLine{a, b}})
		if err == nil || !strings.Contains(err.Error(), "b.csv:7: billing period 2026-10 has lines in USD") {
			t.Errorf("got %v", err)
		}
		if bs, _ := e.db.FindCostBatches(e.ctx); len(bs) != 0 {
			t.Errorf("a failed ingest left %d batches", len(bs))
		}
	})
}

func TestBudgetsAndAlerts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		b := &paved.Budget{Scope: paved.ScopeTeam, Name: "payments", Amount: money(t, "1000")}
		if err := e.db.SetBudget(e.ctx, b); err != nil {
			t.Fatal(err)
		}
		b2 := &paved.Budget{Scope: paved.ScopeAccount, Name: "210987654321", Amount: money(t, "200"), Playground: true}
		if err := e.db.SetBudget(e.ctx, b2); err != nil {
			t.Fatal(err)
		}
		b.Amount = money(t, "1500.50")
		if err := e.db.SetBudget(e.ctx, b); err != nil {
			t.Fatal(err)
		}
		bs, err := e.db.FindBudgets(e.ctx)
		if err != nil || len(bs) != 2 || bs[0].Scope != paved.ScopeAccount || !bs[0].Playground || bs[1].Amount.String() != "1500.5" || bs[1].UpdatedBy != "tester" {
			t.Fatalf("budgets %+v %v", bs, err)
		}
		if err := e.db.SetBudget(e.ctx, &paved.Budget{Scope: "team", Name: "x", Amount: 0}); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("zero budget: %v", err)
		}
		if err := e.db.DeleteBudget(e.ctx, paved.ScopeAccount, "210987654321"); err != nil {
			t.Fatal(err)
		}
		if err := e.db.DeleteBudget(e.ctx, paved.ScopeAccount, "210987654321"); paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Errorf("delete twice: %v", err)
		}

		alert := func(key string, threshold int) *paved.CostAlert {
			return &paved.CostAlert{Rule: paved.RuleBudget, Scope: paved.ScopeTeam, Name: "payments", Team: "payments", Period: "2026-10",
				Threshold: threshold, Amount: money(t, "800"), Limit: money(t, "1000"), Currency: "USD", Key: key,
				Message: "payments spent 80% of its budget"}
		}
		saved, err := e.db.SaveCostAlerts(e.ctx, []*paved.CostAlert{alert("budget|team|payments|2026-10|50", 50)}, cost.AlertNotification)
		if err != nil || len(saved) != 1 || saved[0].ID == 0 {
			t.Fatalf("save %+v %v", saved, err)
		}
		// De-duplicated by key.
		saved, err = e.db.SaveCostAlerts(e.ctx, []*paved.CostAlert{alert("budget|team|payments|2026-10|50", 50)}, cost.AlertNotification)
		if err != nil || len(saved) != 0 {
			t.Errorf("duplicate saved %+v %v", saved, err)
		}
		spike := &paved.CostAlert{Rule: paved.RuleSpike, Scope: paved.ScopeService, Name: "checkout", Team: "payments", Period: "2026-10",
			Day: oct.AddDate(0, 0, 3), Amount: money(t, "300"), Limit: money(t, "120"), Currency: "USD", Key: "spike|service|checkout|2026-10-04", Message: "spike"}
		saved, err = e.db.SaveCostAlerts(e.ctx, []*paved.CostAlert{spike}, cost.AlertNotification)
		if err != nil || len(saved) != 1 {
			t.Fatalf("spike %+v %v", saved, err)
		}
		var kinds []string
		rows, _ := e.db.db.Query("SELECT kind FROM notifications ORDER BY id")
		for rows.Next() {
			var k string
			rows.Scan(&k)
			kinds = append(kinds, k)
		}
		rows.Close()
		if strings.Join(kinds, ",") != "budget.alert,cost.spike" {
			t.Errorf("notifications %v", kinds)
		}

		// Planned: suppresses the rule for the scope and period.
		if _, err := e.db.PlanCostAlert(e.ctx, saved[0].ID, " "); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("plan without reason: %v", err)
		}
		p, err := e.db.PlanCostAlert(e.ctx, saved[0].ID, "load test of the new checkout")
		if err != nil || !p.Planned() || p.PlannedBy != "tester" || p.PlannedAt == nil {
			t.Fatalf("plan %+v %v", p, err)
		}
		if _, err := e.db.PlanCostAlert(e.ctx, saved[0].ID, "again"); paved.ErrorCode(err) != paved.ECONFLICT {
			t.Errorf("plan twice: %v", err)
		}
		if _, err := e.db.PlanCostAlert(e.ctx, 9999, "x"); paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Errorf("plan missing: %v", err)
		}
		next := *spike
		next.Key, next.Day = "spike|service|checkout|2026-10-05", oct.AddDate(0, 0, 4)
		saved, err = e.db.SaveCostAlerts(e.ctx, []*paved.CostAlert{&next}, cost.AlertNotification)
		if err != nil || len(saved) != 0 {
			t.Errorf("planned period still alerts: %+v %v", saved, err)
		}
		all, err := e.db.FindCostAlerts(e.ctx, paved.CostAlertFilter{Period: "2026-10"})
		if err != nil || len(all) != 2 || all[0].Rule != paved.RuleSpike || !all[0].Day.Equal(oct.AddDate(0, 0, 3)) {
			t.Errorf("find %+v %v", all, err)
		}
		one, err := e.db.FindCostAlert(e.ctx, all[1].ID)
		if err != nil || one.Threshold != 50 || one.Limit.String() != "1000" {
			t.Errorf("find one %+v %v", one, err)
		}
		if _, err := e.db.FindCostAlert(e.ctx, 12345); paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Errorf("missing: %v", err)
		}
		if got, _ := e.db.FindCostAlerts(e.ctx, paved.CostAlertFilter{Scope: paved.ScopeTeam, Name: "payments"}); len(got) != 1 {
			t.Errorf("filter %d", len(got))
		}
	})
}

var _ = errors.New

// pausingSource hands out lines and stops half-way until released, so a
// test can read while the ingest's transaction is open.
type pausingSource struct {
	sliceSource
	at      int
	paused  chan struct{}
	release chan struct{}
}

func (p *pausingSource) Next() (*paved.CostLine, error) {
	if p.i == p.at {
		close(p.paused)
		<-p.release
	}
	return p.sliceSource.Next()
}

// TestCostIngestIsAtomicForReaders reads while a re-ingest is half-way:
// the readers see the old batch whole, then the new one whole.
func TestCostIngestIsAtomicForReaders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		k := key("AWS", "111", "222", "checkout", "payments", paved.AllocCatalog)
		var old []*paved.CostLine
		for i := 0; i < 10; i++ {
			old = append(old, line(t, k, oct.Add(time.Duration(i)*time.Hour), "Usage", "1", "1"))
		}
		if _, err := e.db.IngestCost(e.ctx, &sliceSource{lines: old, cols: map[string]string{"AWS": paved.ColumnEffective}}); err != nil {
			t.Fatal(err)
		}
		var lines []*paved.CostLine
		for i := 0; i < 2000; i++ {
			lines = append(lines, line(t, k, oct.Add(time.Duration(i%700)*time.Hour), "Usage", "2", "2"))
		}
		src := &pausingSource{sliceSource: sliceSource{lines: lines, cols: map[string]string{"AWS": paved.ColumnEffective}}, at: 1500,
			paused: make(chan struct{}), release: make(chan struct{})}
		done := make(chan error, 1)
		go func() { _, err := e.db.IngestCost(e.ctx, src); done <- err }()
		<-src.paused
		q := paved.CostQuery{From: oct, To: oct.AddDate(0, 1, 0), By: paved.ByTeam}
		ts, err := e.db.CostTotals(e.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if g := totalsByGroup(ts); g["payments"] != "10" {
			t.Errorf("during the ingest readers see %v, want the old 10", g)
		}
		if bs, _ := e.db.FindCostBatches(e.ctx); len(bs) != 1 || bs[0].Lines != 10 {
			t.Errorf("during the ingest: batches %+v", bs)
		}
		close(src.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		ts, _ = e.db.CostTotals(e.ctx, q)
		if g := totalsByGroup(ts); g["payments"] != "4000" {
			t.Errorf("after the ingest %v, want 4000", g)
		}
	})
}
