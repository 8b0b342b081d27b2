package check_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/store"
)

// bigdb is a plan with two databases of 512 GiB of RAM each: over the
// memory ceiling, and together over the default monthly cost increase.
const bigdb = "testdata/bigdb.json"

// builtin is the built-in platform config, loaded once (a snapshot never
// changes).
var builtin = sync.OnceValues(func() (*platform.Snapshot, error) { return platform.Load("", platform.Options{}) })

func checker(t *testing.T) *check.Checker {
	t.Helper()
	snap, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.NewChecker(snap)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rules(fs []paved.Finding, sev paved.Severity) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == sev {
			out = append(out, f.Rule)
		}
	}
	slices.Sort(out)
	return out
}

func TestRunWithoutAService(t *testing.T) {
	ctx := context.Background()
	c := checker(t)
	res, err := check.Run(ctx, check.Options{Paths: []string{bigdb}, Version: "test"}, check.Ready(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(res.Findings, paved.SeverityDeny); !slices.Equal(got, []string{cost.RuleMonthlyIncrease, "db-memory-ceiling", "db-memory-ceiling"}) {
		t.Errorf("deny findings %v", got)
	}
	if res.Passed() || res.Cost == nil || res.Cost.MonthlyIncrease() <= 0 || res.RecordErr != nil {
		t.Errorf("result: passed %v, cost %+v, record error %v", res.Passed(), res.Cost, res.RecordErr)
	}
	for _, id := range []string{cost.RuleMonthlyIncrease, "db-memory-ceiling"} {
		if r, ok := res.Rules[id]; !ok || r.DocURL == "" {
			t.Errorf("rule %s not described: %+v", id, r)
		}
	}
	if b, _ := json.Marshal(res.Result); strings.Contains(string(b), "hunter2") {
		t.Error("a sensitive value is in the result")
	}

	// Without the cost: no estimate, no cost finding.
	res, err = check.Run(ctx, check.Options{Paths: []string{bigdb}, NoCost: true}, check.Ready(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(res.Findings, paved.SeverityDeny); res.Cost != nil || !slices.Equal(got, []string{"db-memory-ceiling", "db-memory-ceiling"}) {
		t.Errorf("--no-cost: cost %v, deny %v", res.Cost, got)
	}

	// A checker with a policy folder the reader was not told about
	// (the config's policies/ appeared meanwhile) is refused.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte("package main\n\ndeny contains \"no\" if false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	po := c.Policy
	check.Policies{Dirs: []string{dir}}.Apply(&po)
	eng, err := policy.New(po)
	if err != nil {
		t.Fatal(err)
	}
	pc := &check.Checker{Engine: eng, Policy: po, Prices: c.Prices, PlanCost: c.PlanCost}
	if _, err := check.Run(ctx, check.Options{Paths: []string{bigdb}}, check.Ready(pc), nil); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Errorf("policies the reader did not expect: %v", err)
	}
	if _, err := check.Run(ctx, check.Options{Paths: []string{bigdb}, Policies: true}, check.Ready(pc), nil); err != nil {
		t.Errorf("with the policies announced: %v", err)
	}

	// The config's problems come before the inputs', as if it were read
	// first.
	bad := check.Prepare(func() (*check.Checker, error) { return nil, paved.Errorf(paved.EINVALID, "paved.yaml:1: broken") })
	if _, err := check.Run(ctx, check.Options{Paths: []string{"testdata/missing.json"}}, bad, nil); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("config error: %v", err)
	}
	if _, err := check.Run(ctx, check.Options{Paths: []string{"testdata/missing.json"}}, check.Ready(c), nil); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing input: %v", err)
	}
}

// Apply adds the command line's policies to the config's, the config's
// policies/ once and last.
func TestPoliciesApply(t *testing.T) {
	o := policy.Options{PolicyDirs: []string{"platform/policies"}, DocBase: "x"}
	check.Policies{Dirs: []string{"mine", "./platform/policies/"}, Data: []string{"d"}, NoBuiltin: true}.Apply(&o)
	if !slices.Equal(o.PolicyDirs, []string{"mine", "./platform/policies/"}) || !slices.Equal(o.DataPaths, []string{"d"}) || !o.NoBuiltin || o.DocBase != "" {
		t.Errorf("options %+v", o)
	}
	o = policy.Options{PolicyDirs: []string{"platform/policies"}}
	check.Policies{Dirs: []string{"mine"}}.Apply(&o)
	if !slices.Equal(o.PolicyDirs, []string{"mine", "platform/policies"}) {
		t.Errorf("dirs %v", o.PolicyDirs)
	}
}

// The cost guard rail is listed and explained with the engine's rules.
func TestCheckerRules(t *testing.T) {
	c := checker(t)
	if c.Explain(cost.RuleMonthlyIncrease) == "" || c.Explain("db-memory-ceiling") == "" || c.Explain("nope") != "" {
		t.Error("Explain")
	}
	if !slices.ContainsFunc(c.Rules(), func(r paved.Rule) bool { return r.ID == cost.RuleMonthlyIncrease }) || c.Disabled(cost.RuleMonthlyIncrease) {
		t.Error("Rules leaves out the cost guard rail")
	}
}

// appStore is check.Store over the application services, as the CLI's
// local backend and the API give it.
type appStore struct{ a *app.App }

func (s appStore) FindService(ctx context.Context, name string) (*paved.Service, error) {
	return s.a.Store.FindService(ctx, name)
}

func (s appStore) CostServiceSpend(ctx context.Context, service string) (*cost.ServiceSpend, error) {
	return s.a.Spend.Service(ctx, service)
}

func (s appStore) RecordCheck(ctx context.Context, c *paved.CheckRecord) error {
	return s.a.Launch.RecordCheck(ctx, c)
}

func (s appStore) CheckCoverage(ctx context.Context, id int64) (*paved.ExceptionCoverage, error) {
	return s.a.Exceptions.Coverage(ctx, id)
}

func (s appStore) RequestExceptions(ctx context.Context, in exception.RequestInput) (*exception.RequestResult, error) {
	return s.a.Exceptions.Request(ctx, in)
}

// TestRunForAService runs the whole pipeline for a playground service over
// a real database: the budget guard rail, the record, and exceptions asked
// for, approved and applied.
func TestRunForAService(t *testing.T) {
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test"})
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "paved.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dev := &paved.User{Name: "dev", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"shop"}}
	rev := &paved.User{Name: "rev", Roles: []paved.Role{paved.RoleReviewer}, Teams: []string{"platform"}}
	for _, err := range []error{
		db.CreateTeam(ctx, &paved.Team{Name: "shop", Kind: paved.KindProduct}),
		db.CreateTeam(ctx, &paved.Team{Name: "platform", Kind: paved.KindDeveloperProductivity}),
		db.CreateUser(ctx, dev),
		db.CreateUser(ctx, rev),
		db.CreateService(ctx, &paved.Service{Name: "orders", Owner: "shop", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhasePlayground}),
		db.SetBudget(ctx, &paved.Budget{Scope: paved.ScopeService, Name: "orders", Amount: 100 * paved.MoneyUnit}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	snap, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(snap, db, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := appStore{a}
	svc, err := check.LookupService(ctx, st, "orders")
	if err != nil || svc.Phase != paved.PhasePlayground || svc.Team != "shop" {
		t.Fatalf("service context %+v, %v", svc, err)
	}
	var notes []string
	o := check.Options{Paths: []string{bigdb}, Service: svc, Record: &check.Record{Commit: "abc123"}, Server: "https://paved.example.com",
		Note: func(m string) { notes = append(notes, m) }}
	devCtx := paved.WithActor(ctx, paved.Actor{User: dev})

	// Recorded, asked for, pending.
	o.Exceptions = check.Exceptions{Request: true, Reason: "the order history needs it until the archive moves"}
	c, err := a.Checker()
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(devCtx, o, check.Ready(c), st)
	if err != nil || res.RecordErr != nil {
		t.Fatalf("run: %v, %v", err, res.RecordErr)
	}
	want := []string{cost.RuleMonthlyIncrease, "db-memory-ceiling", "db-memory-ceiling", check.RulePlaygroundBudget}
	if got := rules(res.Findings, paved.SeverityDeny); !slices.Equal(got, want) || res.Rules[check.RulePlaygroundBudget].ID == "" {
		t.Fatalf("deny findings %v, want %v", got, want)
	}
	if res.Passed() || res.Exceptions == nil || !strings.Contains(strings.Join(notes, "\n"), "4 exception request(s) opened") ||
		!strings.Contains(strings.Join(notes, "\n"), "https://paved.example.com/exceptions/") {
		t.Fatalf("pending exceptions: passed %v, notes %q", res.Passed(), notes)
	}
	rec, err := db.LatestCheck(ctx, "orders")
	if err != nil || rec == nil || rec.Commit != "abc123" || rec.ConfigVersion != platform.BuiltinVersion || !slices.Contains(rec.Rules, "db-memory-ceiling") {
		t.Fatalf("recorded: %+v, %v", rec, err)
	}
	rs, err := db.LatestCheckResources(ctx, "orders")
	if err != nil || rs == nil || len(rs.Resources) != 2 || strings.Contains(jsonOf(rs), "hunter2") {
		t.Fatalf("recorded resources: %s, %v", jsonOf(rs), err)
	}

	// The reviewer approves; the next check passes on the exceptions.
	revCtx := paved.WithActor(ctx, paved.Actor{User: rev})
	es, _, err := a.Exceptions.List(revCtx, paved.ExceptionFilter{Service: "orders", Status: paved.ExceptionPending}, false)
	if err != nil || len(es) != 4 {
		t.Fatalf("pending: %d, %v", len(es), err)
	}
	for _, e := range es {
		if _, err := a.Exceptions.Approve(revCtx, e.ID, "30d", ""); err != nil {
			t.Fatal(err)
		}
	}
	o.Exceptions = check.Exceptions{}
	res, err = check.Run(devCtx, o, check.Ready(c), st)
	if err != nil || res.RecordErr != nil {
		t.Fatalf("run: %v, %v", err, res.RecordErr)
	}
	if !res.Passed() || len(rules(res.Findings, paved.SeverityException)) != 4 {
		t.Fatalf("covered: passed %v, findings %+v", res.Passed(), res.Findings)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
