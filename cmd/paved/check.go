package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/report"
)

// checkOptions are the flags of paved check.
type checkOptions struct {
	output        string
	outFile       string
	service       string
	policies      []string
	namespaces    []string
	allNamespaces bool
	combine       bool
	data          []string
	regoVersion   string
	source        string
	explain       string
	listRules     bool
	noBuiltin     bool
	maxFileSize   string
	docBase       string
	color         string
	record        checkRecordFlags    // with --server and --service (launch_check.go)
	exc           checkExceptionFlags // exceptions (check_exceptions.go)
	cost          checkCostFlags      // --no-cost (check_cost.go)
}

func (a *app) checkCmd() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check Terraform plans and Kubernetes manifests against the guard rails",
		Long: `Check Terraform plan JSON (terraform show -json PLANFILE > plan.json) and
Kubernetes manifests (files or folders of YAML/JSON, "-" for stdin) against
the organisation's guard rails: the built-in library tuned by paved.yaml,
plus conftest-style policies given with --policy.

A deny finding needs a sign-off; a warn finding is advice. Exit codes: 0 no
deny finding, 1 deny findings, 2 a usage or input error.

With --service the service's tier, phase and data class (from the local
database, or from --server) select the thresholds that apply. With --server
and --service the check is also recorded with the server (what ran and what
it found, never the plan), where the service's launch checklist takes
evidence from it; --commit, --branch, --pull-request and --run-url default
from GitHub Actions or GitLab CI.`,
		Example: `  terraform show -json tfplan > plan.json && paved check plan.json
  paved check --service checkout-api -o sarif --source infra/ plan.json > paved.sarif
  paved check k8s/ --policy policy/ --namespace main
  paved check --explain db-memory-ceiling`,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error { return a.check(cmd, args, &o) }),
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "text", "output format: "+strings.Join(report.Formats, ", "))
	f.StringVar(&o.outFile, "out", "", "write the report to this file instead of stdout")
	f.StringVar(&o.service, "service", "", "the catalog service this change belongs to (its tier, phase and data class pick the thresholds)")
	f.StringArrayVarP(&o.policies, "policy", "p", nil, "conftest-style policy file or folder (repeatable)")
	f.StringArrayVarP(&o.namespaces, "namespace", "n", nil, "policy namespace to evaluate (repeatable; default main)")
	f.BoolVar(&o.allNamespaces, "all-namespaces", false, "evaluate every namespace of the --policy folders")
	f.BoolVar(&o.combine, "combine", false, "give the --policy folders every document at once, as conftest --combine: input is [{path, contents}, ...]")
	f.StringArrayVarP(&o.data, "data", "d", nil, "JSON or YAML data file or folder for the policies (repeatable)")
	f.StringVar(&o.regoVersion, "rego-version", "v1", "Rego version of the --policy files: v1, or v0 for older policies")
	f.StringVar(&o.source, "source", "", "Terraform configuration folder the plan was made from: findings then point at .tf files and lines")
	f.StringVar(&o.explain, "explain", "", "print the documentation of a rule and exit")
	f.BoolVar(&o.listRules, "list-rules", false, "list the rules in force and exit")
	f.BoolVar(&o.noBuiltin, "no-builtin", false, "evaluate only the --policy folders, not the built-in library")
	f.StringVar(&o.maxFileSize, "max-file-size", "256MiB", "refuse input files larger than this")
	f.StringVar(&o.docBase, "doc-base", "", "base URL of the rule documentation (default: the paved repository)")
	f.StringVar(&o.color, "color", "auto", "colour text output: auto, always or never")
	o.record.add(cmd)
	o.exc.add(cmd)
	o.cost.add(cmd)
	return cmd
}

func (a *app) check(cmd *cobra.Command, args []string, o *checkOptions) error {
	ctx := cmd.Context()
	defer startProfiles(a.getenv)()
	if !validFormat(o.output) {
		return usagef("-o %q: want one of %s", o.output, strings.Join(report.Formats, ", "))
	}
	var maxBytes config.ByteSize
	if err := maxBytes.UnmarshalText([]byte(o.maxFileSize)); err != nil {
		return flagError("max-file-size", err)
	}
	if o.color != "auto" && o.color != "always" && o.color != "never" {
		return usagef("--color %q: want auto, always or never", o.color)
	}
	if o.explain == "" && !o.listRules && len(args) == 0 {
		return usagef("name at least one plan, manifest or folder to check (\"-\" reads stdin)")
	}
	record := o.service != "" && a.serverURL() != ""
	if f := o.record.given(cmd); f != "" && !record {
		return usagef("--%s is recorded with the check: it needs --server (or PAVED_SERVER) and --service", f)
	}
	if err := o.exc.validate(record); err != nil {
		return err
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	// The platform config directory's policies/ run in every check, as if
	// given with --policy (config_check.go).
	if o.policies, err = withConfigPolicies(cfg, o.policies); err != nil {
		return err
	}
	newEngine := func() (*policy.Engine, error) {
		return policy.New(policy.Options{
			Config:        cfg.Guardrails,
			NoBuiltin:     o.noBuiltin,
			DocBase:       o.docBase,
			PolicyDirs:    o.policies,
			Namespaces:    o.namespaces,
			AllNamespaces: o.allNamespaces,
			Combine:       o.combine,
			DataPaths:     o.data,
			RegoVersion:   o.regoVersion,
			Print:         a.stderr,
		})
	}
	if o.explain != "" || o.listRules {
		eng, err := newEngine()
		if err != nil {
			return err
		}
		return a.describeRules(eng, o)
	}
	// Compiling the rules and reading the inputs are independent: do both
	// at once, so the compile hides behind the reading of a large plan.
	type built struct {
		eng *policy.Engine
		err error
	}
	engc := make(chan built, 1)
	go func() {
		eng, err := newEngine()
		engc <- built{eng, err}
	}()
	var b built
	var waited bool
	engine := func() built {
		if !waited {
			b, waited = <-engc, true
		}
		return b
	}
	svc := paved.ServiceContext{}
	if o.service != "" {
		if svc, err = a.serviceContext(cmd, o.service); err != nil {
			return err
		}
	}
	// While a plan is read its text and its decoded form are both alive;
	// the text is one pointer-free block that the collector need not scan,
	// so collecting more often here costs little and lowers the peak.
	gcPercent := debug.SetGCPercent(readGCPercent)
	docs, err := iac.ReadPaths(args, iac.Options{
		MaxFileBytes: int64(maxBytes),
		SourceDir:    o.source,
		Stdin:        a.stdin,
		// Only conftest-style policies read the raw document, and they may
		// judge any YAML or JSON (CI workflows, compose files), as conftest does.
		DropRaw:     len(o.policies) == 0 && len(o.data) == 0,
		AcceptOther: len(o.policies) > 0,
		// No built-in rule reads prior values (policy's needBefore); a
		// custom rule in --policy might; the cost estimate prices them.
		DropBefore: len(o.policies) == 0 && o.cost.off,
		// The estimate prices prior values only where the plan changes or
		// deletes the object (TestEstimateNeedsPriorValuesOnlyForChanges).
		BeforeForChanges: len(o.policies) == 0,
		// The rules read few of a resource's attributes: the reader need
		// not build the others. By the time the plan is scanned the rules
		// are usually compiled.
		Attributes: func() map[string]bool {
			if record {
				return nil // a recorded check keeps its resources' attributes (ownership_check.go)
			}
			if b := engine(); b.err == nil {
				return o.cost.attributes(b.eng.AttributeKeys())
			}
			return nil // the error is reported below
		},
		OnSkip: func(file, reason string) {
			fmt.Fprintf(a.stderr, "paved: skipped %s: %s\n", file, reason)
		},
	})
	if err == nil {
		// The plan's text is garbage now: collect it before the rules
		// run, so that the heap goal of the evaluation does not count it.
		runtime.GC()
	}
	debug.SetGCPercent(gcPercent)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return paved.Errorf(paved.EINVALID, "no Terraform plan or Kubernetes manifest found in %s", strings.Join(args, ", "))
	}
	for _, d := range docs {
		if d.Incomplete {
			fmt.Fprintf(a.stderr, "paved: %s is an incomplete plan (complete: false): the changes Terraform deferred are not in it and were not checked\n", d.Input)
		}
	}
	b = engine()
	if b.err != nil {
		return b.err
	}
	eng := b.eng
	// The estimate reads the prior values, which the rules then do
	// without (check_cost.go).
	pc, err := o.estimateCost(cfg, docs)
	if err != nil {
		return err
	}
	findings, err := eng.Check(ctx, docs, svc)
	if err != nil {
		return err
	}
	findings = o.costFinding(cfg, pc, docs, svc, findings)
	findings = a.budgetFinding(ctx, cmd, o, pc, svc, findings) // check_budget.go
	res := checkResult(docs, findings, eng, svc, o.docBase)
	o.addCost(res, cfg, pc)
	addBudgetRule(res)
	// The check is recorded before the report is written, so that the
	// report can say which deny findings exceptions cover; an error there
	// is returned once the report is out (check_exceptions.go).
	var recordErr error
	if record {
		rec := checkRecord(svc.Name, ciDefaults(o.record, a.getenv), res, eng)
		rec.ConfigVersion = a.checkConfigVersion(cfg)
		rec.Resources, rec.ResourcesOmitted = a.recordedResources(docs)
		recordErr = a.recordAndCover(ctx, cmd, o, res, rec)
	} else if o.exc.file != "" {
		a.fileExceptions(o, res, svc)
	}
	w := a.stdout
	var out *os.File
	if o.outFile != "" {
		if out, err = os.Create(o.outFile); err != nil {
			return paved.FieldErrorf(paved.EINVALID, "--out", "%v", err)
		}
		defer out.Close() // on the error paths; the result of the real close is checked below
		w = out
	}
	if err := report.Write(w, o.output, res, report.Options{Color: a.useColor(o.color, w)}); err != nil {
		return err
	}
	if out != nil {
		// A report CI uploads must not be silently cut short (disk full).
		if err := out.Close(); err != nil {
			return fmt.Errorf("--out %s: %w", o.outFile, err)
		}
	}
	if recordErr != nil {
		return recordErr
	}
	if !res.Passed() {
		return &exitError{code: 1}
	}
	return nil
}

// describeRules answers --explain and --list-rules.
// readGCPercent is the collector's GOGC while inputs are read (see check).
const readGCPercent = 25

func (a *app) describeRules(eng *policy.Engine, o *checkOptions) error {
	if o.explain == cost.RuleMonthlyIncrease {
		text, err := a.explainCostRule()
		if err != nil {
			return err
		}
		_, err = io.WriteString(a.stdout, text)
		return err
	}
	if o.explain != "" {
		text := eng.Explain(o.explain)
		if text == "" {
			return paved.Errorf(paved.ENOTFOUND, "no rule %q: paved check --list-rules lists them", o.explain)
		}
		_, err := io.WriteString(a.stdout, text)
		return err
	}
	return a.listRules(eng)
}

func validFormat(f string) bool {
	for _, v := range report.Formats {
		if f == v {
			return true
		}
	}
	return f == "md"
}

// serviceContext looks the service up where the other commands would: the
// server with --server, else the local database.
func (a *app) serviceContext(cmd *cobra.Command, name string) (paved.ServiceContext, error) {
	b, err := a.open(cmd.Context(), cmd)
	if err != nil {
		return paved.ServiceContext{}, err
	}
	defer b.Close()
	s, err := b.FindService(cmd.Context(), name)
	if err != nil {
		if code := paved.ErrorCode(err); code != paved.EINTERNAL {
			return paved.ServiceContext{}, paved.FieldErrorf(code, "--service", "%s", paved.ErrorMessage(err))
		}
		return paved.ServiceContext{}, fmt.Errorf("--service %s: %w", name, err)
	}
	return paved.ServiceContext{Name: s.Name, Team: s.Owner, Tier: s.Tier, Phase: s.Phase, DataClass: s.DataClass}, nil
}

func checkResult(docs []*iac.Document, findings []paved.Finding, eng *policy.Engine, svc paved.ServiceContext, docBase string) *report.Result {
	res := &report.Result{
		Tool:     report.Tool{Name: "paved", Version: buildInfo().Version},
		Findings: findings,
		Rules:    map[string]paved.Rule{},
		DocBase:  docBase,
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
		if r, ok := eng.Rule(f.Rule); ok {
			res.Rules[f.Rule] = r
		}
	}
	return res
}

func (a *app) listRules(eng *policy.Engine) error {
	rules := eng.Rules()
	costRule, costOff, err := a.costRule()
	if err != nil {
		return err
	}
	rules = append(rules, costRule)
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	tw := newTable(a.stdout)
	row(tw, "RULE", "SEVERITY", "CATEGORY", "TITLE")
	for _, r := range rules {
		sev := string(r.Severity)
		if r.EnforceFrom != "" {
			sev += " from " + r.EnforceFrom
		}
		if eng.Disabled(r.ID) || (r.ID == cost.RuleMonthlyIncrease && costOff) {
			sev = "disabled"
		}
		row(tw, r.ID, sev, r.Category, r.Title)
	}
	return tw.Flush()
}

// useColor decides on ANSI colours: always, never, or (auto) when writing
// to a terminal and NO_COLOR is not set (https://no-color.org).
func (a *app) useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if a.getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
