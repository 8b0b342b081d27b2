package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	paved "github.com/paved-dev/paved"
	pavedapp "github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/platform"
	"github.com/paved-dev/paved/internal/report"
)

// paved check: the flags and the report. The pipeline (read, evaluate,
// cost, budget, exceptions, the record) is internal/check.

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
	noCost        bool
	record        checkRecordFlags    // with --server and --service (check_flags.go)
	exc           checkExceptionFlags // exceptions (check_flags.go)
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
	f.BoolVar(&o.noCost, "no-cost", false, "do not estimate the plan's monthly cost (and do not apply the cost-monthly-increase guard rail)")
	o.record.add(cmd)
	o.exc.add(cmd)
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
	// The platform config is loaded for this check (checkLoad).
	a.forCheck = &checkLoad{noPrices: o.noCost, policy: check.Policies{
		Dirs: o.policies, Data: o.data, Namespaces: o.namespaces, AllNamespaces: o.allNamespaces, Combine: o.combine,
		RegoVersion: o.regoVersion, NoBuiltin: o.noBuiltin, DocBase: o.docBase, Print: a.stderr,
	}.Apply}
	// It is made ready while the inputs are read. Its policies/ run in
	// every check, as if given with --policy; the reader must know that
	// before it starts.
	pending := check.Prepare(func() (*check.Checker, error) {
		snap, err := a.snapshot()
		if err != nil {
			return nil, err
		}
		return pavedapp.NewChecker(snap)
	})
	if o.explain != "" || o.listRules {
		c, err := pending.Wait()
		if err != nil {
			return err
		}
		return a.describeRules(c, o)
	}
	configPolicies, _ := platform.PolicyDirs(a.configDir()) // an unreadable folder fails the snapshot
	in := check.Options{
		Paths: args, Stdin: a.stdin, MaxFileBytes: int64(maxBytes), SourceDir: o.source,
		Policies: len(o.policies) > 0 || len(configPolicies) > 0, Data: len(o.data) > 0,
		NoCost: o.noCost, Server: a.serverURL(), Version: buildInfo().Version,
		Exceptions: check.Exceptions{Request: o.exc.request, Reason: o.exc.reason, Expires: o.exc.expires,
			Wait: o.exc.wait, Every: o.exc.interval, File: o.exc.file, Trust: o.exc.trust},
		Note: func(msg string) { fmt.Fprintf(a.stderr, "paved: %s\n", msg) },
	}
	// The service's context, its spend, the record and the exceptions all
	// come from one backend: the server with --server, else the local
	// database.
	var st check.Store
	if o.service != "" {
		b, err := a.openForCheck(ctx, cmd, o.service)
		if err != nil {
			return err
		}
		defer b.Close()
		st = b
		if in.Service, err = check.LookupService(ctx, b, o.service); err != nil {
			if code := paved.ErrorCode(err); code != paved.EINTERNAL {
				return paved.FieldErrorf(code, "--service", "%s", paved.ErrorMessage(err))
			}
			return fmt.Errorf("--service %s: %w", o.service, err)
		}
	}
	if record {
		r := ciDefaults(o.record, a.getenv)
		in.Record = &check.Record{Commit: r.commit, Branch: r.branch, PullRequest: r.pullRequest, RunURL: r.runURL}
	}
	res, err := check.Run(ctx, in, pending, st)
	if err != nil {
		return err
	}
	// The report needs nothing of the platform config: without it the
	// compiled rules, the largest thing left on the heap, are collected
	// while a large report is written (a peak 10% lower on 10k plans).
	a.dropSnapshot()
	if err := a.writeCheckReport(o, res.Result); err != nil {
		return err
	}
	if res.RecordErr != nil {
		return res.RecordErr
	}
	if !res.Passed() {
		return &exitError{code: 1}
	}
	return nil
}

// writeCheckReport writes the report to --out or stdout.
func (a *app) writeCheckReport(o *checkOptions, res *report.Result) error {
	w := a.stdout
	var out *os.File
	if o.outFile != "" {
		var err error
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
	return nil
}

// describeRules answers --explain and --list-rules.
func (a *app) describeRules(c *check.Checker, o *checkOptions) error {
	if o.explain != "" {
		text := c.Explain(o.explain)
		if text == "" {
			return paved.Errorf(paved.ENOTFOUND, "no rule %q: paved check --list-rules lists them", o.explain)
		}
		_, err := io.WriteString(a.stdout, text)
		return err
	}
	tw := newTable(a.stdout)
	row(tw, "RULE", "SEVERITY", "CATEGORY", "TITLE")
	for _, r := range c.Rules() {
		sev := string(r.Severity)
		if r.EnforceFrom != "" {
			sev += " from " + r.EnforceFrom
		}
		if c.Disabled(r.ID) {
			sev = "disabled"
		}
		row(tw, r.ID, sev, r.Category, r.Title)
	}
	return tw.Flush()
}

func validFormat(f string) bool {
	for _, v := range report.Formats {
		if f == v {
			return true
		}
	}
	return f == "md"
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
