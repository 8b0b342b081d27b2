package facts_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/facts/expr"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/store"
)

// fakeCollector observes what its function says; a real provider is
// replayed in each collector's own tests.
type fakeCollector func(ctx context.Context, t *facts.Target) error

func (f fakeCollector) Collect(ctx context.Context, t *facts.Target) error { return f(ctx, t) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newStore(t *testing.T, c *clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "paved.db"), store.WithNow(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "tester"})
	must(t, db.CreateTeam(ctx, &paved.Team{Name: "payments", Kind: paved.KindProduct}))
	for _, s := range []string{"checkout", "ledger"} {
		must(t, db.CreateService(ctx, &paved.Service{Name: s, Owner: "payments", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhaseProduction}))
	}
	return db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFailingCollector: a collector that fails (or hangs) neither blocks
// another collector nor loses what it observed before; its facts age out
// and stop counting as evidence.
func TestFailingCollector(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}
	db := newStore(t, c)
	failing := false
	hang := make(chan struct{})
	cfg := &facts.Config{Collectors: []facts.CollectorConfig{
		{Name: "pagerduty", TokenEnv: "PD", Interval: notify.Duration(time.Hour), Timeout: notify.Duration(200 * time.Millisecond), TTL: notify.Duration(2 * time.Hour)},
		{Name: "github", TokenEnv: "GH", Interval: notify.Duration(time.Hour)},
	}}
	svc := &facts.Service{Store: db, Config: cfg, Now: c.Now, Factories: map[string]facts.Factory{
		facts.KindPagerDuty: func(facts.CollectorConfig, facts.Deps) (facts.Collector, error) {
			return fakeCollector(func(ctx context.Context, t *facts.Target) error {
				if failing {
					t.Fail("checkout", errors.New("503 Service Unavailable"))
					select { // a provider that never answers
					case <-ctx.Done():
						return ctx.Err()
					case <-hang:
						return nil
					}
				}
				t.Observe("checkout", map[string]any{"pagerduty.escalation_levels": 2, "pagerduty.oncall.now": true})
				return nil
			}), nil
		},
		facts.KindGitHub: func(facts.CollectorConfig, facts.Deps) (facts.Collector, error) {
			return fakeCollector(func(_ context.Context, t *facts.Target) error {
				for _, s := range t.Services {
					t.Observe(s.Name, map[string]any{"github.repository.exists": true})
				}
				return nil
			}), nil
		},
	}}
	ctx := context.Background()
	res, err := svc.Collect(ctx, "pagerduty")
	must(t, err)
	if len(res.Events) != 2 || res.Run.Services != 1 {
		t.Fatalf("first run = %+v", res.Run)
	}
	oncall := expr.MustParse("pagerduty.escalation_levels >= 2 and pagerduty.oncall.now")
	evidence := func() *expr.Result {
		fs, err := svc.List(ctx, "checkout", "")
		must(t, err)
		return oncall.Eval(fs, c.Now())
	}
	if r := evidence(); !r.Satisfied {
		t.Fatalf("after a good run: %s", r.Detail)
	}

	// The provider fails: the run ends at its timeout, the other
	// collector runs meanwhile, and the facts stay until they expire.
	failing = true
	c.Add(time.Hour)
	var wg sync.WaitGroup
	var pdErr, ghErr error
	var ghRes *facts.RunResult
	wg.Add(2)
	go func() { defer wg.Done(); _, pdErr = svc.Collect(ctx, "pagerduty") }()
	go func() { defer wg.Done(); ghRes, ghErr = svc.Collect(ctx, "github") }()
	wg.Wait()
	if pdErr == nil || !strings.Contains(pdErr.Error(), "deadline") {
		t.Fatalf("the hanging collector: %v", pdErr)
	}
	if ghErr != nil || ghRes.Run.Services != 2 {
		t.Fatalf("the other collector: %v %+v", ghErr, ghRes)
	}
	if r := evidence(); !r.Satisfied {
		t.Fatalf("within the TTL the facts still count: %s", r.Detail)
	}
	c.Add(90 * time.Minute) // past observed + 2h
	if r := evidence(); r.Satisfied || !strings.Contains(r.Detail, "expired") {
		t.Fatalf("after the TTL: %v %s", r.Satisfied, r.Detail)
	}
	h, err := svc.Health(ctx)
	must(t, err)
	if len(h) != 2 || h[0].Collector != "pagerduty" || h[0].Error == "" || h[0].ConsecutiveFailures != 1 || h[0].LastSuccessAt == nil || h[0].Failed != 1 || h[1].Error != "" {
		t.Fatalf("health = %+v %+v", h[0], h[1])
	}

	// Jobs: one per collector, alone, with its interval.
	jobs := svc.Jobs()
	if len(jobs) != 2 || jobs[0].Name != "facts.pagerduty" || !jobs[0].Alone || jobs[0].Every != time.Hour || jobs[0].Timeout != time.Minute+200*time.Millisecond {
		t.Fatalf("jobs = %+v", jobs)
	}
	if _, err := svc.Collect(ctx, "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("unknown collector: %v", err)
	}
	close(hang)
}

func TestPush(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}
	db := newStore(t, c)
	svc := &facts.Service{Store: db, Now: c.Now, Config: &facts.Config{Collectors: []facts.CollectorConfig{{Name: "ghe", Kind: "github", TokenEnv: "X"}}}}
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "ci-bot"})
	evs, err := svc.Push(ctx, "checkout", &facts.Push{Facts: map[string]any{"backup.last_restore_test": "2026-03-01T02:00:00Z"}, ExpiresIn: "90d", Version: "velero/1.14"})
	must(t, err)
	if len(evs) != 1 || evs[0].Source != paved.FactSourcePush || evs[0].Actor != "ci-bot" {
		t.Fatalf("events = %+v", evs)
	}
	fs, err := svc.List(ctx, "checkout", paved.FactSourcePush)
	must(t, err)
	if len(fs) != 1 || !fs[0].ExpiresAt.Equal(c.Now().Add(90*24*time.Hour)) || fs[0].Version != "velero/1.14" {
		t.Fatalf("facts = %+v", fs[0])
	}
	future := c.Now().Add(time.Hour)
	long := c.Now().Add(-400 * 24 * time.Hour)
	for name, tc := range map[string]struct {
		p    *facts.Push
		code string
	}{
		"nothing":               {&facts.Push{}, paved.EINVALID},
		"a collector's kind":    {&facts.Push{Facts: map[string]any{"github.branch_protection.required_reviews": 2}}, paved.EFORBIDDEN},
		"kube":                  {&facts.Push{Facts: map[string]any{"kube.replicas.ready_min": 3}}, paved.EFORBIDDEN},
		"a collector's name":    {&facts.Push{Facts: map[string]any{"ghe.x": 1}}, paved.EFORBIDDEN},
		"bad key":               {&facts.Push{Facts: map[string]any{"Backup": 1}}, paved.EINVALID},
		"in the future":         {&facts.Push{Facts: map[string]any{"backup.ok": true}, ObservedAt: &future}, paved.EINVALID},
		"already expired":       {&facts.Push{Facts: map[string]any{"backup.ok": true}, ObservedAt: &long}, paved.EINVALID},
		"bad expiry":            {&facts.Push{Facts: map[string]any{"backup.ok": true}, ExpiresIn: "soon"}, paved.EINVALID},
		"expiry over a year":    {&facts.Push{Facts: map[string]any{"backup.ok": true}, ExpiresIn: "400d"}, paved.EINVALID},
		"unknown service (404)": {&facts.Push{Facts: map[string]any{"backup.ok": true}}, paved.ENOTFOUND},
	} {
		service := "checkout"
		if strings.HasPrefix(name, "unknown") {
			service = "nope"
		}
		if _, err := svc.Push(ctx, service, tc.p); paved.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
}

// TestLiveJobs: a collector's job runs through the Service in force at
// each run (a reload swaps it), and skips its runs once a reload removed
// the collector.
func TestLiveJobs(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}
	db := newStore(t, c)
	ctx := context.Background()
	var ran []string
	mk := func(token string, collectors ...string) *facts.Service {
		cfg := &facts.Config{}
		for _, n := range collectors {
			cfg.Collectors = append(cfg.Collectors, facts.CollectorConfig{Name: n, Kind: "github", TokenEnv: "T", Interval: notify.Duration(time.Hour)})
		}
		return &facts.Service{Store: db, Now: c.Now, Config: cfg, Factories: map[string]facts.Factory{
			"github": func(cc facts.CollectorConfig, _ facts.Deps) (facts.Collector, error) {
				return fakeCollector(func(context.Context, *facts.Target) error { ran = append(ran, cc.Name+"@"+token); return nil }), nil
			}}}
	}
	cur := mk("v1", "ghe")
	jobs := facts.LiveJobs(func() *facts.Service { return cur }, nil)
	if len(jobs) != 1 || jobs[0].Name != "facts.ghe" || !jobs[0].Alone || jobs[0].Every != time.Hour {
		t.Fatalf("jobs = %+v", jobs)
	}
	must(t, jobs[0].Run(ctx))
	cur = mk("v2", "ghe") // a reload
	must(t, jobs[0].Run(ctx))
	cur = mk("v3", "other") // a reload without ghe
	must(t, jobs[0].Run(ctx))
	if strings.Join(ran, " ") != "ghe@v1 ghe@v2" {
		t.Fatalf("runs = %v", ran)
	}
	if jobs := facts.LiveJobs(func() *facts.Service { return &facts.Service{} }, nil); jobs != nil {
		t.Fatalf("jobs without a facts section = %+v", jobs)
	}
}
