// Package check is the `paved check` pipeline: it reads Terraform plans and
// Kubernetes manifests (internal/iac), evaluates them against the guard
// rails (internal/policy), prices the plan (internal/cost), applies the
// guard rails that are Go rather than Rego (the monthly cost increase, the
// playground budget), applies the exceptions that cover deny findings, and
// decides what a recorded check keeps. The result is a report.Result, which
// internal/report renders.
//
// Besides its inputs (the plans and manifests, a signed exceptions file)
// the package opens nothing: what it takes from the platform config comes
// as a Checker (internal/app builds one from a platform snapshot), and the
// catalog, spend, records and exceptions come through Store (the CLI's
// local database or a paved server's client). The impact analysis and the
// campaigns evaluate recorded checks with Recorded.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/report"
)

// Checker is what a check takes from the platform config: the guard rails,
// the price book and the cost guard rail's thresholds. It is immutable.
type Checker struct {
	// Engine holds the guard rails.
	Engine *policy.Engine
	// Policy are the options Engine was compiled with (whether it holds
	// the built-in library, the documentation's base).
	Policy policy.Options
	// Prices prices the plan; nil: the check prices nothing (paved check
	// --no-cost).
	Prices *cost.PriceBook
	// PlanCost holds the thresholds of the cost-monthly-increase rule.
	PlanCost cost.GuardConfig
	// ConfigVersion is the version of the platform config, recorded with
	// a check so that the server can tell a check made with another one.
	ConfigVersion string
	// Now is the clock of the cost rule's enforce_from; nil: time.Now.
	Now func() time.Time
}

// Policies are what a check runs besides the platform config's guard
// rails: conftest-style policy folders and data, and the switches of the
// built-in library (paved check's --policy, --data, --namespace ...).
type Policies struct {
	Dirs          []string
	Data          []string
	Namespaces    []string
	AllNamespaces bool
	Combine       bool
	// RegoVersion of the policies: "v1" (the default, also "") or "v0".
	RegoVersion string
	NoBuiltin   bool
	// DocBase is the base URL of the rule documentation; "": the paved
	// repository.
	DocBase string
	// Print receives print() output of the policies; nil discards it.
	Print io.Writer
}

// Apply adds p to the options of the platform config's engine
// (platform.Options.Policy), so that the rules compile once: p's folders
// come first, then the config's policies/ unless p names it too.
func (p Policies) Apply(o *policy.Options) {
	dirs := slices.Clone(p.Dirs)
	for _, d := range o.PolicyDirs {
		if !slices.ContainsFunc(dirs, func(x string) bool { return filepath.Clean(x) == filepath.Clean(d) }) {
			dirs = append(dirs, d)
		}
	}
	o.PolicyDirs, o.DataPaths, o.Namespaces = dirs, p.Data, p.Namespaces
	o.AllNamespaces, o.Combine, o.RegoVersion = p.AllNamespaces, p.Combine, p.RegoVersion
	o.NoBuiltin, o.DocBase, o.Print = p.NoBuiltin, p.DocBase, p.Print
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Pending is a Checker being made ready. Compiling the rules and reading
// the inputs are independent: a caller starts the first with Prepare
// before Run does the second, so that the compile hides behind the
// reading of a large plan.
type Pending struct {
	done chan struct{}
	c    *Checker
	err  error
}

// Prepare runs f on its own goroutine.
func Prepare(f func() (*Checker, error)) *Pending {
	p := &Pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.c, p.err = f()
	}()
	return p
}

// Ready is a Pending that is ready with c.
func Ready(c *Checker) *Pending {
	p := &Pending{done: make(chan struct{}), c: c}
	close(p.done)
	return p
}

// Wait returns the checker once it is ready.
func (p *Pending) Wait() (*Checker, error) {
	<-p.done
	return p.c, p.err
}

// Store is what a check reads and writes besides its inputs: the local
// database (through the CLI's backend) or a paved server (its client).
type Store interface {
	// FindService looks up the service a check is for (LookupService).
	FindService(ctx context.Context, name string) (*paved.Service, error)
	// CostServiceSpend is the service's spend this month and its budget
	// (the playground budget guard rail).
	CostServiceSpend(ctx context.Context, service string) (*cost.ServiceSpend, error)
	// RecordCheck records the check; it sets c.ID.
	RecordCheck(ctx context.Context, c *paved.CheckRecord) error
	// CheckCoverage says which deny findings of a recorded check valid
	// exceptions cover, and which wait for a sign-off.
	CheckCoverage(ctx context.Context, check int64) (*paved.ExceptionCoverage, error)
	// RequestExceptions asks for exceptions for a recorded check's deny
	// findings that none covers.
	RequestExceptions(ctx context.Context, in exception.RequestInput) (*exception.RequestResult, error)
}

// Options are the inputs of one check besides the checker.
type Options struct {
	// Paths are the plans, manifests and folders to read ("-": Stdin).
	Paths        []string
	Stdin        io.Reader
	MaxFileBytes int64
	// SourceDir is the Terraform configuration the plan was made from:
	// findings then point at .tf files and lines.
	SourceDir string
	// Policies says that policy folders run besides the built-in library
	// (--policy, the config's policies/), Data that data files were given:
	// they may read whole documents and prior values, so the reader keeps
	// them. It is known before the checker is ready; Run refuses a checker
	// with policies when Policies is false.
	Policies, Data bool
	// Service is the catalog service the change belongs to (its tier,
	// phase and data class pick the thresholds); zero: none.
	Service paved.ServiceContext
	// NoCost leaves out the cost estimate and the cost guard rails.
	NoCost bool
	// Record, when set, records the check with the store for Service and
	// applies the store's exceptions (Exceptions' server part).
	Record *Record
	// Exceptions are the exceptions to apply.
	Exceptions Exceptions
	// Server is the paved server the check is recorded with: named in
	// the notes, and the base of the links to its exceptions.
	Server string
	// Version is paved's version, named in the report.
	Version string
	// Note tells the person running the check what happened on the way
	// (skipped files, the recorded check's id); nil: nothing.
	Note func(msg string)
}

// Record holds the CI details recorded with a check.
type Record struct {
	Commit, Branch, PullRequest, RunURL string
}

// Exceptions say how a check applies exceptions: with a store (Record),
// the ones the store holds, asking for new ones with Request and waiting
// up to Wait for decisions; without, the approved ones of a signed
// exceptions File verified with the Trust key.
type Exceptions struct {
	Request         bool
	Reason, Expires string
	Wait, Every     time.Duration
	File, Trust     string
}

// Result is a check's outcome: the report, and why recording the check
// or applying the server's exceptions failed (RecordErr; the report says
// so too, and the check fails once the report is written).
type Result struct {
	*report.Result
	RecordErr error
}

// readGCPercent is the collector's GOGC while the inputs are read.
const readGCPercent = 25

// Run checks the inputs: read, evaluate, estimate the cost, apply the cost
// and budget guard rails, then record and apply exceptions. st may be nil
// when the check is not recorded (without it the budget is not checked).
func Run(ctx context.Context, o Options, p *Pending, st Store) (*Result, error) {
	note := o.Note
	if note == nil {
		note = func(string) {}
	}
	if o.Record != nil && st == nil {
		return nil, errors.New("check: recording a check needs a store")
	}
	// While a plan is read its text and its decoded form are both alive;
	// the text is one pointer-free block that the collector need not scan,
	// so collecting more often here costs little and lowers the peak.
	gcPercent := debug.SetGCPercent(readGCPercent)
	docs, err := iac.ReadPaths(o.Paths, iac.Options{
		MaxFileBytes: o.MaxFileBytes,
		SourceDir:    o.SourceDir,
		Stdin:        o.Stdin,
		// Only conftest-style policies read the raw document, and they may
		// judge any YAML or JSON (CI workflows, compose files), as conftest does.
		DropRaw:     !o.Policies && !o.Data,
		AcceptOther: o.Policies,
		// No built-in rule reads prior values (policy's needBefore); a
		// custom rule in a policy folder might; the cost estimate prices
		// them.
		DropBefore: !o.Policies && o.NoCost,
		// The estimate prices prior values only where the plan changes or
		// deletes the object (TestEstimateNeedsPriorValuesOnlyForChanges).
		BeforeForChanges: !o.Policies,
		// The rules read few of a resource's attributes: the reader need
		// not build the others. By the time the plan is scanned the rules
		// are usually compiled.
		Attributes: func() map[string]bool {
			if o.Record != nil {
				return nil // a recorded check keeps its resources' attributes (record.go)
			}
			if c, err := p.Wait(); err == nil {
				return costAttributes(o.NoCost || c.Prices == nil, c.Engine.AttributeKeys())
			}
			return nil // the error is reported below
		},
		OnSkip: func(file, reason string) { note(fmt.Sprintf("skipped %s: %s", file, reason)) },
	})
	if err == nil {
		// The plan's text is garbage now: collect it before the rules
		// run, so that the heap goal of the evaluation does not count it.
		runtime.GC()
	}
	debug.SetGCPercent(gcPercent)
	c, cerr := p.Wait()
	if cerr != nil {
		// The platform config's problems come first, as they would if it
		// were read before the inputs.
		return nil, cerr
	}
	if err != nil {
		return nil, err
	}
	if len(c.Policy.PolicyDirs) > 0 && !o.Policies {
		return nil, paved.Errorf(paved.ECONFLICT, "the platform config's policies/ appeared while the inputs were read: check again")
	}
	if len(docs) == 0 {
		return nil, paved.Errorf(paved.EINVALID, "no Terraform plan or Kubernetes manifest found in %s", strings.Join(o.Paths, ", "))
	}
	for _, d := range docs {
		if d.Incomplete {
			note(fmt.Sprintf("%s is an incomplete plan (complete: false): the changes Terraform deferred are not in it and were not checked", d.Input))
		}
	}
	// The estimate reads the prior values, which the rules then do
	// without (cost.go).
	var pc *cost.PlanCost
	if !o.NoCost && c.Prices != nil {
		pc = estimate(c.Prices, docs, !o.Policies)
	}
	svc := o.Service
	findings, err := c.Engine.Check(ctx, docs, svc)
	if err != nil {
		return nil, err
	}
	findings = c.costFinding(pc, docs, svc, findings)
	findings = c.budgetFinding(ctx, st, pc, svc, findings, note)
	res := c.result(docs, findings, svc, o.Version)
	c.addCost(res, pc)
	addBudgetRule(res)
	// The check is recorded before the report is written, so that the
	// report can say which deny findings exceptions cover.
	out := &Result{Result: res}
	switch {
	case o.Record != nil:
		rec := newRecord(svc.Name, *o.Record, res, c.Engine)
		rec.ConfigVersion = c.ConfigVersion
		var omitted, total int
		rec.Resources, omitted, total = recordedResources(docs)
		rec.ResourcesOmitted = omitted
		if omitted > 0 {
			note(fmt.Sprintf("recording %d of the check's %d resources with it (at most %d resources and %d MiB are recorded); the other %d are left out",
				len(rec.Resources), total, paved.MaxCheckResources, paved.MaxCheckResourcesBytes>>20, omitted))
		}
		if out.RecordErr = serverExceptions(ctx, st, o, res, rec, note); out.RecordErr != nil {
			res.Warn("exceptions were not applied: " + paved.ErrorMessage(out.RecordErr))
		}
	case o.Exceptions.File != "":
		fileExceptions(o.Exceptions, res, svc, c.now(), note)
	}
	return out, nil
}

// result gathers the report of the findings.
func (c *Checker) result(docs []*iac.Document, findings []paved.Finding, svc paved.ServiceContext, version string) *report.Result {
	res := &report.Result{
		Tool:     report.Tool{Name: "paved", Version: version},
		Findings: findings,
		Rules:    map[string]paved.Rule{},
		DocBase:  c.Policy.DocBase,
	}
	if svc.Name != "" {
		res.Service = &svc
	}
	seen := map[string]bool{}
	for _, d := range docs {
		if !seen[d.Input] {
			seen[d.Input] = true
			res.Inputs = append(res.Inputs, d.Input)
		}
		for _, r := range d.Resources {
			res.Resources = append(res.Resources, report.ResourceRef{Input: d.Input, Address: r.Address, Type: r.Type, Action: r.Action})
		}
	}
	for _, f := range findings {
		if r, ok := c.Engine.Rule(f.Rule); ok {
			res.Rules[f.Rule] = r
		}
	}
	return res
}

// Rules are the rules in force, the cost guard rail's included, by id.
func (c *Checker) Rules() []paved.Rule {
	rules := append(c.Engine.Rules(), cost.GuardRule(c.PlanCost))
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules
}

// Disabled reports whether paved.yaml switched a rule off.
func (c *Checker) Disabled(id string) bool {
	if id == cost.RuleMonthlyIncrease {
		return c.PlanCost.Disabled
	}
	return c.Engine.Disabled(id)
}

// Explain is a rule's documentation; "" for a rule that does not exist.
func (c *Checker) Explain(id string) string {
	if id == cost.RuleMonthlyIncrease {
		return explainCost(c.PlanCost)
	}
	return c.Engine.Explain(id)
}

// ServiceContext is what the rules know of a service.
func ServiceContext(s *paved.Service) paved.ServiceContext {
	return paved.ServiceContext{Name: s.Name, Team: s.Owner, Tier: s.Tier, Phase: s.Phase, DataClass: s.DataClass}
}

// LookupService reads the service a check is for from the store.
func LookupService(ctx context.Context, st Store, name string) (paved.ServiceContext, error) {
	s, err := st.FindService(ctx, name)
	if err != nil {
		return paved.ServiceContext{}, err
	}
	return ServiceContext(s), nil
}

// Recorded evaluates a service's latest recorded resources with eng: how
// the impact analysis and the campaigns see a service. Only paved-style
// rules run (conftest-style policies judge whole documents, which a
// recorded check does not keep).
func Recorded(ctx context.Context, eng *policy.Engine, s *paved.Service, rs *paved.CheckResources) ([]paved.Finding, error) {
	return eng.CheckRecorded(ctx, rs, ServiceContext(s))
}
