package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/policy"
)

func (a *app) policyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work on the guard-rail policies: run their Rego tests, see the impact of a proposed config",
	}
	cmd.AddCommand(a.policyTestCmd(), a.policyImpactCmd())
	return cmd
}

type policyTestOptions struct {
	policies    []string
	data        []string
	regoVersion string
	noBuiltin   bool
	run         string
	verbose     bool
	output      string
	failOnEmpty bool
}

func (a *app) policyTestCmd() *cobra.Command {
	var o policyTestOptions
	cmd := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the Rego unit tests of the built-in library and of custom policies",
		Long: `Run the test_ rules of the built-in guard-rail library and of custom
policies, like opa test or conftest verify, with a coverage summary per rule.

Each DIR is either a platform config directory (it holds paved.yaml: its
parameters apply, and its policies/ folder is tested) or a folder of
policies with their *_test.rego files. The tests see what the rules see in
a check: the library's data (data.paved.lib's helpers are there for custom
policies with or without --no-builtin), the parameters as
data.paved.params, and the --data files. The built-in rules' own tests see
each rule's default parameters, so tuning paved.yaml never fails them; the
custom tests see the parameters paved.yaml sets (without a tier or phase).

Exit codes: 0 every test passed (or there was no test, as with conftest
verify, unless --fail-on-empty), 1 a test failed or errored, 2 a policy or
test that does not compile, or another input error.`,
		Example: `  paved policy test                       # the built-in library
  paved policy test platform/             # paved.yaml's parameters and platform/policies/
  paved policy test -p policy/ --no-builtin -v --run deny_public`,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error { return a.policyTest(cmd, args, &o) }),
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.policies, "policy", "p", nil, "policy file or folder to test (repeatable)")
	f.StringArrayVarP(&o.data, "data", "d", nil, "JSON or YAML data file or folder for the policies (repeatable)")
	f.StringVar(&o.regoVersion, "rego-version", "v1", "Rego version of the custom policies: v1, or v0 for older policies")
	f.BoolVar(&o.noBuiltin, "no-builtin", false, "test only the custom policies, not the built-in library")
	f.StringVar(&o.run, "run", "", "run only the tests whose package.name matches this regular expression")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "list every test, with print() output")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	f.BoolVar(&o.failOnEmpty, "fail-on-empty", false, "exit 1 when no test ran (a folder without *_test.rego files, a --run that matches nothing)")
	return cmd
}

func (a *app) policyTest(cmd *cobra.Command, args []string, o *policyTestOptions) error {
	if o.output != formatText && o.output != formatJSON {
		return usagef("-o %q: want text or json", o.output)
	}
	cfgPath := a.config
	dirs := append([]string(nil), o.policies...)
	for _, arg := range args {
		if _, err := os.Stat(filepath.Join(arg, config.FileName)); err == nil {
			if cfgPath != "" && cfgPath != arg {
				return usagef("%s is a platform config directory, and --config names %s: give one", arg, cfgPath)
			}
			cfgPath = arg
			continue
		}
		dirs = append(dirs, arg)
	}
	cfg, err := a.loadConfigFrom(cfgPath)
	if err != nil {
		return err
	}
	if pd := cfg.PoliciesDir(); pd != "" {
		if fi, err := os.Stat(pd); err == nil && fi.IsDir() {
			dirs = append(dirs, pd)
		}
	}
	if o.noBuiltin && len(dirs) == 0 {
		return usagef("--no-builtin leaves nothing to test: name a policy folder")
	}
	rep, err := policy.RunTests(cmd.Context(), policy.TestOptions{
		Options: policy.Options{
			Config:      cfg.Guardrails,
			NoBuiltin:   o.noBuiltin,
			PolicyDirs:  dirs,
			DataPaths:   o.data,
			RegoVersion: o.regoVersion,
		},
		Run:     o.run,
		Explain: o.verbose,
	})
	if err != nil {
		return err
	}
	if len(rep.Results) == 0 {
		// One message, and conftest verify's exit code: a folder of
		// policies without tests is not a failure unless asked.
		where := strings.Join(dirs, ", ")
		if !o.noBuiltin {
			where = strings.Join(append([]string{"the built-in library"}, dirs...), ", ")
		}
		msg := "no tests found in " + where
		if o.run != "" {
			msg = fmt.Sprintf("no test matches --run %q in %s", o.run, where)
		}
		if o.output == formatJSON {
			if err := writeJSON(a.stdout, rep); err != nil {
				return err
			}
		}
		if o.failOnEmpty {
			return &exitError{code: 1, msg: msg + " (--fail-on-empty)"}
		}
		if o.output != formatJSON {
			fmt.Fprintf(a.stdout, "%s: nothing to run (--fail-on-empty makes this a failure)\n", msg)
		}
		return nil
	}
	if o.output == formatJSON {
		if err := writeJSON(a.stdout, rep); err != nil {
			return err
		}
	} else {
		writeTestReport(a.stdout, rep, o.verbose)
	}
	if !rep.OK() {
		return &exitError{code: 1}
	}
	return nil
}

// loadConfigFrom loads the config named by path ("" for --config, the
// environment or the defaults).
func (a *app) loadConfigFrom(path string) (*config.Config, error) {
	if path == "" || path == a.config {
		return a.loadConfig()
	}
	saved := a.config
	a.config = path
	defer func() { a.config = saved }()
	return a.loadConfig()
}

func writeTestReport(w interface{ Write([]byte) (int, error) }, rep *policy.TestReport, verbose bool) {
	for _, r := range rep.Results {
		name := r.Package + "." + r.Name
		switch {
		case r.Outcome == "pass" && !verbose:
			continue
		case r.Outcome == "pass":
			fmt.Fprintf(w, "PASS  %s (%s)\n", name, r.Duration.Round(1000))
		case r.Outcome == "skip":
			if verbose {
				fmt.Fprintf(w, "SKIP  %s\n", name)
			}
			continue
		default:
			fmt.Fprintf(w, "%-5s %s  %s:%d\n", strings.ToUpper(r.Outcome), name, r.File, r.Line)
			if r.Error != "" {
				fmt.Fprintf(w, "      %s\n", r.Error)
			}
		}
		if r.Output != "" && (verbose || r.Outcome != "pass") {
			for _, line := range strings.Split(strings.TrimRight(r.Output, "\n"), "\n") {
				fmt.Fprintf(w, "      | %s\n", line)
			}
		}
	}
	fmt.Fprintln(w, "Coverage:")
	for _, c := range rep.Coverage {
		if c.Covered+c.NotCovered == 0 {
			continue
		}
		label := c.File
		if c.Rule != "" {
			label = c.Rule
		}
		note := fmt.Sprintf("%d tests", c.Tests)
		if c.Tests == 0 {
			note = "no tests"
		}
		fmt.Fprintf(w, "  %-40s %5.1f%%  (%d/%d lines, %s)\n", label, c.Percent, c.Covered, c.Covered+c.NotCovered, note)
	}
	total := rep.Passed + rep.Failed + rep.Errored
	verdict := "PASS"
	if !rep.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "%s: %d/%d tests passed", verdict, rep.Passed, total)
	if rep.Failed > 0 {
		fmt.Fprintf(w, ", %d failed", rep.Failed)
	}
	if rep.Errored > 0 {
		fmt.Fprintf(w, ", %d errored", rep.Errored)
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(w, ", %d skipped", rep.Skipped)
	}
	fmt.Fprintf(w, "; line coverage %.1f%%\n", rep.Percent)
}
