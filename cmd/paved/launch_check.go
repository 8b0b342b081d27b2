package main

import (
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/report"
)

// paved check --server URL --service NAME records the check with the
// server (POST /api/v1/services/{name}/checks): what ran and what it found,
// never the plan. The service's launch then takes automatic evidence from
// it (encryption at rest, multi-AZ, backups ...). The CI details default
// from the GitHub Actions and GitLab CI environments.

// checkRecordFlags are the CI details recorded with a check.
type checkRecordFlags struct {
	commit, branch, pullRequest, runURL string
}

func (f *checkRecordFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.commit, "commit", "", "with --server and --service: the commit checked (default: from GitHub Actions or GitLab CI)")
	fl.StringVar(&f.branch, "branch", "", "with --server and --service: the branch checked (default: from CI)")
	fl.StringVar(&f.pullRequest, "pull-request", "", "with --server and --service: URL of the pull or merge request (default: from CI)")
	fl.StringVar(&f.runURL, "run-url", "", "with --server and --service: URL of the CI run (default: from CI)")
}

// given reports whether any of the flags was set on the command line.
func (f *checkRecordFlags) given(cmd *cobra.Command) string {
	for _, n := range []string{"commit", "branch", "pull-request", "run-url"} {
		if cmd.Flags().Changed(n) {
			return n
		}
	}
	return ""
}

var githubPullRef = regexp.MustCompile(`^refs/pull/(\d+)/`)

// ciDefaults fills what the flags left empty from the CI environment.
func ciDefaults(f checkRecordFlags, getenv func(string) string) checkRecordFlags {
	or := func(v, d string) string {
		if v != "" {
			return v
		}
		return d
	}
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		repo := strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/") + "/" + getenv("GITHUB_REPOSITORY")
		f.commit = or(f.commit, getenv("GITHUB_SHA"))
		f.branch = or(f.branch, or(getenv("GITHUB_HEAD_REF"), getenv("GITHUB_REF_NAME")))
		if m := githubPullRef.FindStringSubmatch(getenv("GITHUB_REF")); m != nil && getenv("GITHUB_REPOSITORY") != "" {
			f.pullRequest = or(f.pullRequest, repo+"/pull/"+m[1])
		}
		if id := getenv("GITHUB_RUN_ID"); id != "" && getenv("GITHUB_REPOSITORY") != "" {
			f.runURL = or(f.runURL, repo+"/actions/runs/"+id)
		}
	case getenv("GITLAB_CI") == "true":
		f.commit = or(f.commit, getenv("CI_COMMIT_SHA"))
		f.branch = or(f.branch, or(getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"), getenv("CI_COMMIT_REF_NAME")))
		if p, iid := getenv("CI_MERGE_REQUEST_PROJECT_URL"), getenv("CI_MERGE_REQUEST_IID"); p != "" && iid != "" {
			f.pullRequest = or(f.pullRequest, strings.TrimSuffix(p, "/")+"/-/merge_requests/"+iid)
		}
		f.runURL = or(f.runURL, getenv("CI_PIPELINE_URL"))
	}
	return f
}

// checkRecord builds what is recorded of a check: the evaluated resource
// types and rules, and the findings (whose values are never sensitive
// ones); no plan, no input file contents.
func checkRecord(service string, f checkRecordFlags, res *report.Result, eng *policy.Engine) *paved.CheckRecord {
	c := &paved.CheckRecord{
		Service:       service,
		Commit:        f.commit,
		Branch:        f.branch,
		PullRequest:   f.pullRequest,
		RunURL:        f.runURL,
		ResourceTypes: map[string]int{},
		Rules:         []string{},
		Findings:      res.Findings,
	}
	if c.Findings == nil {
		c.Findings = []paved.Finding{}
	}
	for _, r := range res.Resources {
		c.ResourceTypes[r.Type]++
	}
	// Rules lists the rules that had something to judge: enabled, and
	// naming a type the check's resources have ("*": any resource). A rule
	// that ran over nothing is no evidence (a manifest-only check says
	// nothing about database encryption).
	for _, r := range eng.Rules() {
		if !eng.Disabled(r.ID) && ruleApplies(r.Types, c.ResourceTypes) {
			c.Rules = append(c.Rules, r.ID)
		}
	}
	sort.Strings(c.Rules)
	return c
}

// ruleApplies reports whether a rule listing types judges any of the
// resource types counted in present.
func ruleApplies(types []string, present map[string]int) bool {
	for _, t := range types {
		if t == "*" && len(present) > 0 {
			return true
		}
		if present[t] > 0 {
			return true
		}
	}
	return false
}
