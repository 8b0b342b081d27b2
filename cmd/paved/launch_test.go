package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestLaunchUsage checks that launch command-line mistakes exit 2 with a
// message, before anything is opened.
func TestLaunchUsage(t *testing.T) {
	e := env{"PAVED_DATABASE": "/nonexistent/dir/paved.db"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"launch", "status"}, "accepts 1 arg(s), received 0"},
		{[]string{"launch", "status", "x", "-o", "yaml"}, `-o "yaml": want text or json`},
		{[]string{"launch", "answer", "x", "ha"}, "give the answer: --text, --file or --link"},
		{[]string{"launch", "answer", "x", "ha", "--text", "a", "--file", "f"}, "not both"},
		{[]string{"launch", "answer", "x", "ha", "--na", " "}, "--na needs a reason"},
		{[]string{"launch", "answer", "x", "ha", "--file", "/nonexistent/answer.md"}, "--file: open /nonexistent/answer.md"},
		{[]string{"launch", "comment", "x", "ha", " "}, "the comment is empty"},
		{[]string{"launch", "review", "x", "ha"}, "exactly one of --accept-na, --flag NOTE or --unflag"},
		{[]string{"launch", "review", "x", "ha", "--flag", ""}, "--flag needs a note"},
		{[]string{"launch", "contact", "x"}, "name the contact"},
		{[]string{"launch", "contact", "x", "u", "--remove"}, "--remove takes only the service"},
		{[]string{"launch", "advance", "x", "--to", "live"}, `--to: unknown phase "live"`},
		{[]string{"launch", "advance", "x", "--force"}, "--force needs --reason"},
		{[]string{"launch", "advance", "x", "--reason", "r"}, "--reason goes with --force"},
		{[]string{"launch", "advance", "x", "retired", "--to", "production"}, "give the phase once"},
		{[]string{"launch", "assess", "x", "performance"}, `assessment kind "performance"`},
		{[]string{"launch", "assess", "x", "load", "--expected-rps", "1"}, "needs --expected-rps, --tested-rps and --p99"},
		{[]string{"launch", "assess", "x", "load", "--risk", "low"}, "--risk is for a security assessment"},
		{[]string{"launch", "walkthrough", "x", "--participant", "u"}, "--at: the walkthrough needs a time"},
		{[]string{"launch", "walkthrough", "x", "--at", "2030-05-04 14:00"}, "name the participants"},
		{[]string{"launch", "walkthrough", "cancel", "abc"}, `walkthrough id "abc"`},
		{[]string{"launch", "walkthrough", "followup", "add", "1", "--owner", "u", "--due", "2030-01-01"}, "needs --description and --owner"},
		{[]string{"launch", "walkthrough", "followup", "add", "1", "--description", "d", "--owner", "u", "--due", "soon"}, `--due: due date "soon"`},
		{[]string{"launch", "walkthrough", "followup", "done", "1", "0"}, `follow-up id "0"`},
		{[]string{"launch", "signoff", "1", "--role", "boss", "--approve"}, `--role "boss"`},
		{[]string{"launch", "signoff", "1", "--role", "peer"}, "exactly one of --approve"},
		{[]string{"launch", "signoff", "1", "--role", "peer", "--request-changes"}, "needs a --comment"},
		{[]string{"launch", "packet", "x", "--format", "pdf"}, `--format "pdf"`},
		{[]string{"launch", "upgrade", "x", "--kind", "runbook"}, `--kind: unknown template kind "runbook"`},
		{[]string{"launch", "blocked", "extra"}, "unknown command"},
		{[]string{"check", "--commit", "abc", "x.json"}, "--commit is recorded with the check: it needs --server"},
		{[]string{"check", "--server", "http://localhost:1", "--run-url", "https://ci", "x.json"}, "needs --server (or PAVED_SERVER) and --service"},
		{[]string{"launch", "status", "x", "--as", "ann", "--server", "http://localhost:1"}, "--as names the acting user for the local database"},
	}
	for _, tt := range tests {
		r := cli(t, e, tt.args...)
		if r.code != 2 || !strings.HasPrefix(r.errOut, "paved: ") || !strings.Contains(r.errOut, tt.want) {
			t.Errorf("paved %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), r.code, r.errOut, tt.want)
		}
	}
}

// TestLocalLaunchNeedsAs: the local backend's launch methods that share a
// name with the store's (SetContact, CancelWalkthrough, CompleteFollowUp,
// RecordCheck) run the launch rules, which ask for a paved user, instead
// of writing to the store directly.
func TestLocalLaunchNeedsAs(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db")}
	must(t, e, "team", "create", "shop")
	must(t, e, "service", "create", "s", "--owner", "shop")
	ctx := t.Context()
	a := &app{getenv: func(k string) string { return e[k] }}
	b, err := a.open(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l := b.(*local)
	for name, err := range map[string]error{
		"SetContact":        l.SetContact(ctx, "s", "x"),
		"CancelWalkthrough": l.CancelWalkthrough(ctx, 1, ""),
		"RecordCheck":       l.RecordCheck(ctx, &paved.CheckRecord{Service: "s"}),
		"CompleteFollowUp":  func() error { _, err := l.CompleteFollowUp(ctx, 1, 1); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), "pass --as USER") {
			t.Errorf("%s without --as = %v, want a request for --as", name, err)
		}
	}
}

func TestCIDefaults(t *testing.T) {
	gh := env{"GITHUB_ACTIONS": "true", "GITHUB_SHA": "abc", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_HEAD_REF": "feature",
		"GITHUB_REF_NAME": "7/merge", "GITHUB_SERVER_URL": "https://github.example.com/", "GITHUB_REPOSITORY": "org/repo", "GITHUB_RUN_ID": "99"}
	push := env{"GITHUB_ACTIONS": "true", "GITHUB_SHA": "def", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "org/repo", "GITHUB_RUN_ID": "5"}
	gl := env{"GITLAB_CI": "true", "CI_COMMIT_SHA": "123", "CI_COMMIT_REF_NAME": "main", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "fix",
		"CI_MERGE_REQUEST_PROJECT_URL": "https://gitlab.example.com/org/repo", "CI_MERGE_REQUEST_IID": "3", "CI_PIPELINE_URL": "https://gitlab.example.com/org/repo/-/pipelines/8"}
	tests := []struct {
		name string
		in   checkRecordFlags
		env  env
		want checkRecordFlags
	}{
		{"none", checkRecordFlags{}, env{}, checkRecordFlags{}},
		{"github pull request", checkRecordFlags{}, gh, checkRecordFlags{"abc", "feature", "https://github.example.com/org/repo/pull/7", "https://github.example.com/org/repo/actions/runs/99"}},
		{"github push", checkRecordFlags{}, push, checkRecordFlags{"def", "main", "", "https://github.com/org/repo/actions/runs/5"}},
		{"flags win", checkRecordFlags{commit: "mine", runURL: "https://ci/1"}, gh, checkRecordFlags{"mine", "feature", "https://github.example.com/org/repo/pull/7", "https://ci/1"}},
		{"gitlab merge request", checkRecordFlags{}, gl, checkRecordFlags{"123", "fix", "https://gitlab.example.com/org/repo/-/merge_requests/3", "https://gitlab.example.com/org/repo/-/pipelines/8"}},
	}
	for _, tt := range tests {
		if got := ciDefaults(tt.in, func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestBar(t *testing.T) {
	for in, want := range map[float64]string{0: "[--------------------]", 0.5: "[##########----------]", 1: "[####################]", 1.7: "[####################]", -1: "[--------------------]"} {
		if got := bar(in); got != want {
			t.Errorf("bar(%v) = %s, want %s", in, got, want)
		}
	}
}

// TestLaunchTemplatesFromConfig: the platform config's templates/ folder,
// next to paved.yaml, overrides the embedded questionnaire; a malformed
// template is refused with its file and line.
func TestLaunchTemplatesFromConfig(t *testing.T) {
	dir := t.TempDir()
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db"), "PAVED_CONFIG": dir}
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "paved.yaml"), "organisation:\n  name: Acme\n")
	q, err := os.ReadFile("../../internal/launch/templates/questionnaire.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := regexp.MustCompile(`(?m)^version: \d+$`).ReplaceAllString(string(q), "version: 42")
	writeFile(t, filepath.Join(dir, "templates", "questionnaire.yaml"), v2)
	must(t, e, "team", "create", "shop")
	must(t, e, "service", "create", "s", "--owner", "shop")
	if out := must(t, e, "launch", "status", "s"); !strings.Contains(out, "questionnaire v42") {
		t.Errorf("status with the override:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "templates", "questionnaire.yaml"), "kind: questionnaire\nversion: 1\ntitle: Q\nareas:\n  - id: a\n    colour: red\n")
	r := expect(t, 2, "questionnaire.yaml:", e, "launch", "status", "s")
	if !strings.Contains(r.errOut, "colour") {
		t.Errorf("malformed template: %s", r.errOut)
	}
}
