package store

import (
	"context"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func obs(e *env, svc, source string, complete bool, facts map[string]any) *paved.FactObservation {
	now := e.clock.Now()
	return &paved.FactObservation{Service: svc, Source: source, Version: source + "/1", ObservedAt: now,
		ExpiresAt: now.Add(time.Hour), Facts: facts, Complete: complete}
}

func kinds(evs []*paved.FactEvent) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Kind)+" "+e.Source+" "+e.Key)
	}
	return strings.Join(s, "; ")
}

func TestFacts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := paved.WithActor(context.Background(), paved.Actor{Name: "job:facts.github"})
		evs, err := e.db.RecordFacts(ctx, []*paved.FactObservation{
			obs(e, "checkout", "github", true, map[string]any{
				"github.repository.exists":                  true,
				"github.branch_protection.required_reviews": 2,
				"github.branch_protection.required_checks":  []string{"paved check", "build"},
			}),
			obs(e, "ledger", "github", true, map[string]any{"github.repository.exists": false}),
		})
		must(t, err)
		if got, want := kinds(evs), "observed github github.branch_protection.required_checks; observed github github.branch_protection.required_reviews; observed github github.repository.exists; observed github github.repository.exists"; got != want {
			t.Fatalf("events = %s\nwant %s", got, want)
		}
		ev := lastEvent(t, e)
		if ev.Action != "fact.record" || ev.ObjectID != "ledger" || ev.Actor != "job:facts.github" || string(ev.Changes["github.repository.exists"].To) != "false" {
			t.Fatalf("audit event = %s", jsonOf(ev))
		}

		// The same values again: nothing changes, nothing is audited, the
		// times move.
		seq := head(t, e)
		e.clock.Advance(10 * time.Minute)
		evs, err = e.db.RecordFacts(ctx, []*paved.FactObservation{obs(e, "checkout", "github", true, map[string]any{
			"github.repository.exists":                  true,
			"github.branch_protection.required_reviews": 2.0,
			"github.branch_protection.required_checks":  []any{"paved check", "build"},
		})})
		must(t, err)
		if len(evs) != 0 || head(t, e) != seq {
			t.Fatalf("an unchanged observation made events %s or audit events (head %d, was %d)", kinds(evs), head(t, e), seq)
		}
		fs, err := e.db.FindFacts(e.ctx, paved.FactFilter{Service: "checkout"})
		must(t, err)
		if len(fs) != 3 || fs[0].Key != "github.branch_protection.required_checks" || !fs[0].ObservedAt.Equal(e.clock.Now()) ||
			!fs[0].ChangedAt.Equal(e.clock.Now().Add(-10*time.Minute)) || !fs[0].ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) ||
			fs[0].Version != "github/1" || fs[0].Actor != "job:facts.github" {
			t.Fatalf("facts = %s", jsonOf(fs))
		}
		if v, ok := fs[1].Value.(float64); !ok || v != 2 {
			t.Fatalf("required_reviews reads back as %#v", fs[1].Value)
		}

		// A change and a removal (complete observation), and a push beside
		// it that does not remove what it does not name.
		e.clock.Advance(10 * time.Minute)
		push := obs(e, "checkout", paved.FactSourcePush, false, map[string]any{"backup.last_restore_test": "2026-03-01T00:00:00Z"})
		evs, err = e.db.RecordFacts(ctx, []*paved.FactObservation{
			obs(e, "checkout", "github", true, map[string]any{"github.repository.exists": true, "github.branch_protection.required_reviews": 1}),
			push,
		})
		must(t, err)
		if got, want := kinds(evs), "changed github github.branch_protection.required_reviews; removed github github.branch_protection.required_checks; observed push backup.last_restore_test"; got != want {
			t.Fatalf("events = %s\nwant %s", got, want)
		}
		if evs[0].Previous.(float64) != 2 || evs[0].Value.(float64) != 1 || evs[1].Value != nil || evs[1].Previous == nil {
			t.Fatalf("change event = %s", jsonOf(evs[:2]))
		}
		// A push of the same value is still audited: who vouched for it.
		seq = head(t, e)
		_, err = e.db.RecordFacts(ctx, []*paved.FactObservation{push})
		must(t, err)
		if head(t, e) != seq+1 || lastEvent(t, e).Changes["refreshed"].To == nil {
			t.Fatalf("an unchanged push was not audited: %s", jsonOf(lastEvent(t, e)))
		}
		// An observation older than the stored one does not roll back.
		old := obs(e, "checkout", "github", true, map[string]any{"github.branch_protection.required_reviews": 5})
		old.ObservedAt, old.ExpiresAt = old.ObservedAt.Add(-time.Hour), old.ExpiresAt.Add(-time.Hour)
		evs, err = e.db.RecordFacts(ctx, []*paved.FactObservation{old})
		must(t, err)
		if len(evs) != 0 {
			t.Fatalf("a stale observation made events %s", kinds(evs))
		}

		fs, err = e.db.FindFacts(e.ctx, paved.FactFilter{KeyPrefix: "github.branch_protection"})
		must(t, err)
		if len(fs) != 1 || fs[0].Service != "checkout" || fs[0].Value.(float64) != 1 {
			t.Fatalf("facts under github.branch_protection = %s", jsonOf(fs))
		}
		fs, err = e.db.FindFacts(e.ctx, paved.FactFilter{Source: paved.FactSourcePush})
		must(t, err)
		if len(fs) != 1 || fs[0].Key != "backup.last_restore_test" {
			t.Fatalf("pushed facts = %s", jsonOf(fs))
		}
		fs, err = e.db.FindFacts(e.ctx, paved.FactFilter{KeyPrefix: "github.repo"})
		must(t, err)
		if len(fs) != 0 {
			t.Fatalf("a key prefix matched part of a segment: %s", jsonOf(fs))
		}

		hist, total, err := e.db.FactHistory(e.ctx, paved.FactHistoryFilter{Service: "checkout"})
		must(t, err)
		if total != 6 || len(hist) != 6 || hist[0].Key != "backup.last_restore_test" || hist[5].Kind != paved.FactObserved {
			t.Fatalf("history (%d) = %s", total, kinds(hist))
		}
		hist, total, err = e.db.FactHistory(e.ctx, paved.FactHistoryFilter{Service: "checkout", Key: "github.branch_protection.required_reviews", Page: paved.Page{Limit: 1}})
		must(t, err)
		if total != 2 || len(hist) != 1 || hist[0].Kind != paved.FactChanged {
			t.Fatalf("history of one key (%d) = %s", total, kinds(hist))
		}

		// Bad input writes nothing.
		seq = head(t, e)
		for name, tc := range map[string]struct {
			o    *paved.FactObservation
			code string
		}{
			"unknown service": {obs(e, "nope", "github", true, map[string]any{"github.x.y": 1}), paved.ENOTFOUND},
			"bad key":         {obs(e, "checkout", "github", true, map[string]any{"GitHub": 1}), paved.EINVALID},
			"null value":      {obs(e, "checkout", "github", true, map[string]any{"github.x.y": nil}), paved.EINVALID},
			"bad source":      {obs(e, "checkout", "git hub", true, nil), paved.EINVALID},
			"no expiry":       {&paved.FactObservation{Service: "checkout", Source: "github", ObservedAt: e.clock.Now()}, paved.EINVALID},
		} {
			_, err := e.db.RecordFacts(ctx, []*paved.FactObservation{obs(e, "ledger", "github", true, map[string]any{"github.repository.exists": true}), tc.o})
			if paved.ErrorCode(err) != tc.code {
				t.Errorf("%s: error %v, want %s", name, err, tc.code)
			}
		}
		if head(t, e) != seq {
			t.Fatal("a refused write appended audit events")
		}
		_, err = e.db.FindFacts(e.ctx, paved.FactFilter{Service: "nope"})
		wantErr(t, err, paved.ENOTFOUND, "")
		_, _, err = e.db.FactHistory(e.ctx, paved.FactHistoryFilter{Service: "nope"})
		wantErr(t, err, paved.ENOTFOUND, "")
	})
}

func TestCollectorRuns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		now := e.clock.Now()
		run := func(errText string) {
			must(t, e.db.RecordCollectorRun(e.ctx, &paved.CollectorRun{Collector: "github", Kind: "github", StartedAt: e.clock.Now(),
				FinishedAt: e.clock.Now().Add(time.Minute), Services: 3, Failed: 1, Facts: 20, Changes: 2, Error: errText}))
			e.clock.Advance(time.Hour)
		}
		run("")
		run("401 Bad credentials")
		run("401 Bad credentials")
		must(t, e.db.RecordCollectorRun(e.ctx, &paved.CollectorRun{Collector: "pagerduty", Kind: "pagerduty", StartedAt: now, FinishedAt: now, Error: "boom"}))
		rs, err := e.db.FindCollectorRuns(e.ctx)
		must(t, err)
		if len(rs) != 2 || rs[0].Collector != "github" || rs[0].Error != "401 Bad credentials" || rs[0].ConsecutiveFailures != 2 ||
			rs[0].LastSuccessAt == nil || !rs[0].LastSuccessAt.Equal(now.Add(time.Minute)) || rs[0].Services != 3 {
			t.Fatalf("runs = %s", jsonOf(rs))
		}
		if rs[1].LastSuccessAt != nil || rs[1].ConsecutiveFailures != 1 {
			t.Fatalf("a collector that never succeeded = %s", jsonOf(rs[1]))
		}
		run("")
		rs, err = e.db.FindCollectorRuns(e.ctx)
		must(t, err)
		if rs[0].ConsecutiveFailures != 0 || rs[0].Error != "" || !rs[0].LastSuccessAt.After(now.Add(time.Hour)) {
			t.Fatalf("after a success = %s", jsonOf(rs[0]))
		}
	})
}

func TestDiscoveries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		d := func(repo string) *paved.CatalogDiscovery {
			return &paved.CatalogDiscovery{Repository: repo, Path: "catalog-info.yaml", URL: "https://github.com/" + repo + "/blob/main/catalog-info.yaml",
				SHA: "3d21ec53a331a6f037a91c368710b99387d012c1", Content: "apiVersion: backstage.io/v1alpha1\nkind: Component\n"}
		}
		must(t, e.db.ReplaceDiscoveries(e.ctx, "github", []*paved.CatalogDiscovery{d("acme/web"), d("acme/api"), d("acme/api")}))
		if ev := lastEvent(t, e); ev.Action != "catalog.discover" || string(ev.Changes["files"].To) != "2" {
			t.Fatalf("audit = %s", jsonOf(ev))
		}
		must(t, e.db.ReplaceDiscoveries(e.ctx, "gitlab", []*paved.CatalogDiscovery{d("group/svc")}))
		must(t, e.db.ReplaceDiscoveries(e.ctx, "github", []*paved.CatalogDiscovery{d("acme/web")}))
		ds, err := e.db.FindDiscoveries(e.ctx, "")
		must(t, err)
		if len(ds) != 2 || ds[0].Collector != "github" || ds[0].Repository != "acme/web" || ds[1].Collector != "gitlab" || ds[0].Content == "" {
			t.Fatalf("discoveries = %s", jsonOf(ds))
		}
		ds, err = e.db.FindDiscoveries(e.ctx, "gitlab")
		must(t, err)
		if len(ds) != 1 {
			t.Fatalf("gitlab's = %s", jsonOf(ds))
		}
		big := d("acme/big")
		big.Content = strings.Repeat("x", paved.MaxDiscoveryBytes+1)
		wantErr(t, e.db.ReplaceDiscoveries(e.ctx, "github", []*paved.CatalogDiscovery{big}), paved.ETOOLARGE, "content")
	})
}
