package app_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "paved.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestNewFromSnapshot: every service takes its settings from the one
// snapshot, and the check pipeline its guard rails.
func TestNewFromSnapshot(t *testing.T) {
	db := openStore(t)
	snap, err := platform.Load("", platform.Options{Adjust: func(c *config.Config) error {
		c.Organisation.Name = "Acme Corp"
		c.Catalog.DefaultTier = 2
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
	a, err := app.New(snap, db, app.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if a.Store != db || a.Organisation != "Acme Corp" || a.Exceptions.Organisation != "Acme Corp" {
		t.Errorf("organisation %q / %q", a.Organisation, a.Exceptions.Organisation)
	}
	if a.Launch.Library != snap.Templates || a.Ownership.Map != snap.Ownership || a.Spend.Config != &snap.Config.Spend {
		t.Error("a service does not take the snapshot's settings")
	}
	if a.Launch.Considerations == nil || a.Exceptions.Rules == nil || a.Exceptions.Policy != snap.Config.Exceptions.Policy() {
		t.Error("launch considerations or exception rules are not wired")
	}
	if r, ok := a.Exceptions.Rules("db-memory-ceiling"); !ok || r.ID != "db-memory-ceiling" {
		t.Error("the exception service does not know the guard rails")
	}
	if c, err := a.Checker(); err != nil || c.Engine != snap.Engine || c.Prices != snap.Prices || c.ConfigVersion != platform.BuiltinVersion || !c.Now().Equal(clock()) {
		t.Errorf("check pipeline: %+v, %v", c, err)
	}
	if d := a.ServiceDefaults(); d.Tier != 2 || d.DataClass != snap.Config.Catalog.DefaultDataClass {
		t.Errorf("service defaults %+v", d)
	}
	if p, err := a.Platform(); err != nil || p != snap || a.Snapshot() != snap {
		t.Errorf("Platform: %v, %v", p, err)
	}
	if !a.Launch.Now().Equal(clock()) || !a.Spend.Now().Equal(clock()) {
		t.Error("a service runs on another clock")
	}
}

// TestNewWithoutSnapshot: the built-in defaults, nothing compiled until a
// snapshot is asked for, then the same one every time.
func TestNewWithoutSnapshot(t *testing.T) {
	db := openStore(t)
	a, err := app.New(nil, db, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Exceptions.Rules != nil || a.Snapshot() != nil || a.Launch.Library == nil {
		t.Error("defaults without a snapshot")
	}
	if d := a.ServiceDefaults(); d.Tier != paved.DefaultTier || d.DataClass != paved.DataInternal {
		t.Errorf("service defaults %+v", d)
	}
	p1, err := a.Platform()
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := a.Platform(); p1 != p2 || p1.Version.String() != platform.BuiltinVersion {
		t.Error("the built-in snapshot is loaded more than once")
	}
	if c, err := a.Checker(); err != nil || c.Engine != p1.Engine {
		t.Errorf("checker of the built-in defaults: %v", err)
	}
	if _, err := app.New(nil, nil, app.Options{}); err == nil {
		t.Error("an App without a store")
	}
}

// TestDeferredEngine: an App over a snapshot that defers its rules builds
// every service without compiling them; the first rule lookup does.
func TestDeferredEngine(t *testing.T) {
	db := openStore(t)
	snap, err := platform.Load("", platform.Options{DeferEngine: true})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Engine != nil {
		t.Fatal("the rules compiled in Load")
	}
	a, err := app.New(snap, db, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := a.Exceptions.Rules("db-memory-ceiling"); !ok || r.ID != "db-memory-ceiling" {
		t.Error("the exception service does not know the guard rails")
	}
	e1, err := snap.Compiled()
	if err != nil {
		t.Fatal(err)
	}
	if c, err := a.Checker(); err != nil || c.Engine != e1 {
		t.Errorf("the checker compiled its own rules: %v", err)
	}
}

// TestFacts: the facts service takes paved.yaml's collectors, the
// process's credentials and metrics, and the approved registries of the
// k8s-approved-registries guard rail as a check of the service would see
// them (its tier's override included); none when the rail is disabled.
func TestFacts(t *testing.T) {
	db := openStore(t)
	load := func(disable bool) *platform.Snapshot {
		snap, err := platform.Load("", platform.Options{Adjust: func(c *config.Config) error {
			c.Facts.Collectors = []facts.CollectorConfig{{Name: "github", TokenEnv: "GH_TOKEN"}}
			c.Guardrails.Rules = map[string]policy.RuleConfig{"k8s-approved-registries": {
				Params: map[string]any{"approved": []any{"registry.example.com"}},
				Tiers:  map[string]map[string]any{"1": {"approved": []any{"registry.example.com/tier1"}}},
			}}
			if disable {
				c.Guardrails.Disabled = []string{"k8s-approved-registries"}
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	env := func(k string) string { return map[string]string{"GH_TOKEN": "t0ken"}[k] }
	a, err := app.New(load(false), db, app.Options{Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	f := a.Facts
	if f == nil || f.Store != db || len(f.Config.Collectors) != 1 || f.Factories[facts.KindKubernetes] == nil || f.Deps.Getenv("GH_TOKEN") != "t0ken" {
		t.Fatalf("facts service %+v", f)
	}
	if len(f.Jobs()) != 1 || f.Jobs()[0].Name != "facts.github" {
		t.Errorf("jobs %+v", f.Jobs())
	}
	for _, c := range []struct {
		tier paved.Tier
		want []string
	}{{2, []string{"registry.example.com"}}, {1, []string{"registry.example.com/tier1"}}} {
		if got := f.Deps.ApprovedRegistries(&paved.Service{Name: "web", Tier: c.tier}); !slices.Equal(got, c.want) {
			t.Errorf("tier %d: approved registries %v, want %v", c.tier, got, c.want)
		}
	}
	a, err = app.New(load(true), db, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Facts.Deps.ApprovedRegistries(&paved.Service{Name: "web", Tier: 2}); got != nil {
		t.Errorf("approved registries of a disabled guard rail: %v", got)
	}
}
