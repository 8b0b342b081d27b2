package main

import (
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// The flags of paved check that go with a server: the CI details recorded
// with a check (--server and --service), and the exceptions (recorded
// check, or a signed file offline).
//
// paved check --server URL --service NAME records the check with the
// server (POST /api/v1/services/{name}/checks): what ran and what it found,
// never the plan. The service's launch then takes automatic evidence from
// it (encryption at rest, multi-AZ, backups ...). The CI details default
// from the GitHub Actions and GitLab CI environments. The server then
// answers which deny findings valid exceptions cover; --request-exceptions
// opens requests for the uncovered ones, --wait polls until they are
// decided. Offline, --exceptions FILE --trust KEY reads a signed export
// instead.

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

// checkExceptionFlags are the exception flags of paved check.
type checkExceptionFlags struct {
	request  bool
	reason   string
	expires  string
	wait     time.Duration
	interval time.Duration
	file     string
	trust    string
}

func (f *checkExceptionFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.request, "request-exceptions", false, "with --server and --service: ask for exceptions for the deny findings no valid exception covers (needs --reason)")
	fl.StringVar(&f.reason, "reason", "", "with --request-exceptions: the team's justification")
	fl.StringVar(&f.expires, "exception-expires", "", "with --request-exceptions: the expiry asked for (30d, 12w, YYYY-MM-DD; default the configured default)")
	fl.DurationVar(&f.wait, "wait", 0, "with --server and --service: wait up to this long (e.g. 30m) for pending requests to be decided")
	fl.DurationVar(&f.interval, "wait-interval", 15*time.Second, "with --wait: how often to ask the server")
	fl.StringVar(&f.file, "exceptions", "", "without a server: a signed exceptions file (paved exception export) whose approved exceptions cover deny findings")
	fl.StringVar(&f.trust, "trust", "", "with --exceptions: the public key the file must be signed with (ed25519:..., as paved exception key prints it, or a file holding it)")
	_ = fl.MarkHidden("wait-interval")
}

// validate checks the combinations before anything is read.
func (f *checkExceptionFlags) validate(record bool) error {
	switch {
	case (f.request || f.wait > 0) && !record:
		flag := "--request-exceptions"
		if !f.request {
			flag = "--wait"
		}
		return usagef("%s works with the server: it needs --server (or PAVED_SERVER) and --service", flag)
	case f.request && strings.TrimSpace(f.reason) == "":
		return usagef("--request-exceptions needs --reason: say why the change must go out of bounds")
	case !f.request && (f.reason != "" || f.expires != ""):
		return usagef("--reason and --exception-expires go with --request-exceptions")
	case f.wait < 0:
		return usagef("--wait %s: want a positive duration such as 30m", f.wait)
	case f.interval < time.Second:
		return usagef("--wait-interval %s: want at least 1s", f.interval)
	case f.file != "" && record:
		return usagef("--exceptions is for checks without a server: with --server and --service the server says which exceptions apply")
	case f.file != "" && f.trust == "":
		return usagef("--exceptions needs --trust KEY: the public key the file must be signed with (paved exception key prints it)")
	case f.trust != "" && f.file == "":
		return usagef("--trust goes with --exceptions FILE")
	}
	return nil
}
