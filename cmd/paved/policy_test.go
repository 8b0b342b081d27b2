package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyTest(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db")}
	fixtures := filepath.Join("..", "..", "internal", "policy", "testdata", "regotest")

	// The built-in library's own tests pass, with a coverage line per rule.
	r := cli(t, e, "policy", "test")
	if r.code != 0 || !strings.Contains(r.out, "db-memory-ceiling") || !strings.Contains(r.out, "PASS:") {
		t.Fatalf("built-in: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// A failing test: exit 1, named with the expression that failed under -v.
	r = cli(t, e, "policy", "test", "--no-builtin", "-v", "-p", filepath.Join(fixtures, "failing"))
	if r.code != 1 || !strings.Contains(r.out, "FAIL  main.test_fails") || !strings.Contains(r.out, "count(deny) == 0") {
		t.Fatalf("failing: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// A test that does not compile: exit 2 with file:line.
	r = cli(t, e, "policy", "test", "--no-builtin", filepath.Join(fixtures, "broken"))
	if r.code != 2 || !strings.Contains(r.errOut, "main_test.rego:5") {
		t.Fatalf("broken: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// A platform config directory: its paved.yaml parameters are what the
	// tests see, its policies/ folder is tested; JSON output.
	r = cli(t, e, "policy", "test", "-o", "json", "--run", `^platform\.`, filepath.Join(fixtures, "params"))
	if r.code != 0 {
		t.Fatalf("config dir: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	var rep struct {
		Passed  int `json:"passed"`
		Results []struct {
			Name string `json:"name"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || rep.Passed != 1 || rep.Results[0].Name != "test_ceiling_configured" {
		t.Fatalf("config dir json: %v %+v\n%s", err, rep, r.out)
	}

	if r := cli(t, e, "policy", "test", "--no-builtin"); r.code != 2 {
		t.Fatalf("--no-builtin with nothing to test: exit %d", r.code)
	}

	// Policies without tests: one message and exit 0, as conftest verify;
	// --fail-on-empty makes it a failure.
	untested := t.TempDir()
	writeFile(t, filepath.Join(untested, "main.rego"), "package main\n\ndeny contains \"no\" if input.bad\n")
	r = cli(t, e, "policy", "test", "--no-builtin", untested)
	if r.code != 0 || strings.Count(r.out+r.errOut, "\n") != 1 || !strings.Contains(r.out, "no tests found in "+untested) || strings.Contains(r.out, "PASS") {
		t.Fatalf("no tests: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.errOut)
	}
	r = cli(t, e, "policy", "test", "--no-builtin", "--fail-on-empty", untested)
	if r.code != 1 || r.out != "" || !strings.Contains(r.errOut, "no tests found in "+untested+" (--fail-on-empty)") {
		t.Fatalf("no tests, --fail-on-empty: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.errOut)
	}
	r = cli(t, e, "policy", "test", "--run", "no_such_test")
	if r.code != 0 || !strings.Contains(r.out, `no test matches --run "no_such_test" in the built-in library`) {
		t.Fatalf("--run matching nothing: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// The platform team tunes a parameter, as docs/configuration.md shows:
	// the built-in tests still pass (they test the library against its
	// defaults), and a custom rule that uses the library is tested too.
	platform := t.TempDir()
	writeFile(t, filepath.Join(platform, "paved.yaml"), "guardrails:\n  rules:\n    db-memory-ceiling:\n      params: {max_memory_gib: 256}\n      tiers:\n        \"1\": {max_memory_gib: 1024}\n    required-tags:\n      params:\n        required_keys: [team, service, cost-center]\n")
	r = cli(t, e, "policy", "test", platform)
	if r.code != 0 || !strings.Contains(r.out, "PASS:") {
		t.Fatalf("tuned platform: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = cli(t, e, "policy", "test", "--no-builtin", filepath.Join(fixtures, "uses-lib"))
	if r.code != 0 || !strings.Contains(r.out, "PASS: 2/2 tests passed") {
		t.Fatalf("custom rule using the library, --no-builtin: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

func TestBackupRestoreCLI(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "paved.db")
	e := env{"PAVED_DATABASE": db}
	if r := cli(t, e, "team", "create", "alpha", "--kind", "product"); r.code != 0 {
		t.Fatalf("team create: exit %d %s", r.code, r.errOut)
	}
	bk := filepath.Join(dir, "backup.db")
	r := cli(t, e, "backup", bk)
	if r.code != 0 || !strings.Contains(r.out, "chain intact") || !strings.Contains(r.out, "1 teams") {
		t.Fatalf("backup: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r := cli(t, e, "backup", bk); r.code != 2 {
		t.Fatalf("backup over an existing file: exit %d", r.code)
	}
	other := filepath.Join(dir, "other.db")
	r = cli(t, env{"PAVED_DATABASE": other}, "restore", bk)
	if r.code != 0 || !strings.Contains(r.out, "restored") {
		t.Fatalf("restore: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r := cli(t, env{"PAVED_DATABASE": other}, "team", "show", "alpha"); r.code != 0 {
		t.Fatalf("restored database lacks the team: exit %d %s", r.code, r.errOut)
	}
	if r := cli(t, env{"PAVED_DATABASE": other}, "restore", filepath.Join(dir, "missing.db")); r.code != 2 {
		t.Fatalf("restore of a missing file: exit %d", r.code)
	}
}
