package policy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

func TestRunTestsBuiltinLibrary(t *testing.T) {
	rep, err := RunTests(context.Background(), TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Passed < 150 {
		t.Fatalf("built-in library: %d passed, %d failed, %d errored", rep.Passed, rep.Failed, rep.Errored)
	}
	rules := 0
	for _, c := range rep.Coverage {
		if c.Rule == "" {
			continue
		}
		rules++
		if c.Tests == 0 {
			t.Errorf("rule %s (%s): no tests counted", c.Rule, c.File)
		}
		if c.Covered == 0 {
			t.Errorf("rule %s: no line covered", c.Rule)
		}
	}
	if rules < 45 {
		t.Errorf("coverage lists %d rules", rules)
	}
	if rep.Percent < 80 {
		t.Errorf("line coverage %.1f%%", rep.Percent)
	}
}

func TestRunTests(t *testing.T) {
	tests := []struct {
		name                    string
		opts                    TestOptions
		passed, failed, errored int
		wantErr                 string // substring of a load error
		check                   func(t *testing.T, rep *TestReport)
	}{
		{
			name:   "conftest-style folder with data and print",
			opts:   TestOptions{Options: Options{NoBuiltin: true, PolicyDirs: []string{"testdata/regotest/good"}, DataPaths: []string{"testdata/regotest/good/limits.yaml"}}},
			passed: 2,
			check: func(t *testing.T, rep *TestReport) {
				var out string
				for _, r := range rep.Results {
					out += r.Output
				}
				if !strings.Contains(out, "min replicas from --data: 2") {
					t.Errorf("print output not captured: %q", out)
				}
				if len(rep.Coverage) != 1 || rep.Coverage[0].Tests != 2 || rep.Coverage[0].Percent != 100 {
					t.Errorf("coverage = %+v", rep.Coverage)
				}
			},
		},
		{
			name:   "failing and erroring tests, explained",
			opts:   TestOptions{Options: Options{NoBuiltin: true, PolicyDirs: []string{"testdata/regotest/failing"}}, Explain: true},
			passed: 1, failed: 1, errored: 1,
			check: func(t *testing.T, rep *TestReport) {
				for _, r := range rep.Results {
					switch r.Name {
					case "test_fails":
						if !strings.Contains(r.Error, "main_test.rego:8: count(deny) == 0") {
							t.Errorf("test_fails: error %q does not name the failing expression", r.Error)
						}
					case "test_errors":
						if !strings.Contains(r.Error, "to_number") {
							t.Errorf("test_errors: error %q", r.Error)
						}
					}
				}
			},
		},
		{
			name:   "--run selects by package.name",
			opts:   TestOptions{Options: Options{NoBuiltin: true, PolicyDirs: []string{"testdata/regotest/failing"}}, Run: `^main\.test_passes$`},
			passed: 1,
		},
		{
			name:   "built-in library and the organisation's parameters",
			opts:   TestOptions{Options: Options{PolicyDirs: []string{"testdata/regotest/params/policies"}, Config: Config{Rules: map[string]RuleConfig{"db-memory-ceiling": {Params: map[string]any{"max_memory_gib": 64}}}}}, Run: `^platform\.`},
			passed: 1,
		},
		{
			// The example of docs/configuration.md raises the ceiling and
			// changes the required tags: the built-in rules' own tests are
			// the library's and still pass, against the defaults.
			name: "built-in tests hold under tuned parameters",
			opts: TestOptions{Options: Options{Config: Config{Rules: map[string]RuleConfig{
				"db-memory-ceiling": {Params: map[string]any{"max_memory_gib": 1024}, Tiers: map[string]map[string]any{"1": {"max_memory_gib": 4096}}},
				"required-tags":     {Params: map[string]any{"required_keys": []any{"team", "service", "cost-center"}}},
			}}}},
			check: func(t *testing.T, rep *TestReport) {
				if !rep.OK() || rep.Passed < 150 {
					t.Errorf("%d passed, %d failed, %d errored: %+v", rep.Passed, rep.Failed, rep.Errored, failures(rep))
				}
			},
		},
		{
			// ... while the platform's own tests see its parameters.
			name: "built-in tests on defaults, custom tests on paved.yaml",
			opts: TestOptions{Options: Options{PolicyDirs: []string{"testdata/regotest/params/policies"}, Config: Config{Rules: map[string]RuleConfig{"db-memory-ceiling": {Params: map[string]any{"max_memory_gib": 64}}}}}},
			check: func(t *testing.T, rep *TestReport) {
				if !rep.OK() || rep.Passed < 150 {
					t.Errorf("%d passed, %d failed, %d errored: %+v", rep.Passed, rep.Failed, rep.Errored, failures(rep))
				}
				found := false
				for _, r := range rep.Results {
					found = found || r.Name == "test_ceiling_configured" && r.Outcome == "pass"
				}
				if !found {
					t.Errorf("the platform's test of its own parameter did not pass")
				}
			},
		},
		{
			name:   "custom rules use the library without the built-in rules",
			opts:   TestOptions{Options: Options{NoBuiltin: true, PolicyDirs: []string{"testdata/regotest/uses-lib"}}},
			passed: 2,
			check: func(t *testing.T, rep *TestReport) {
				if len(rep.Coverage) != 1 || rep.Coverage[0].Rule != "bucket-owner" || rep.Coverage[0].Tests != 2 {
					t.Errorf("coverage = %+v (the library's helpers are not the custom policies' coverage)", rep.Coverage)
				}
			},
		},
		{
			name:   "custom rules use the library beside the built-in rules",
			opts:   TestOptions{Options: Options{PolicyDirs: []string{"testdata/regotest/uses-lib"}}, Run: `bucket_owner`},
			passed: 2,
		},
		{
			name:    "a test that does not parse",
			opts:    TestOptions{Options: Options{NoBuiltin: true, PolicyDirs: []string{"testdata/regotest/broken"}}},
			wantErr: "main_test.rego:5",
		},
		{
			name:    "bad --run",
			opts:    TestOptions{Run: "("},
			wantErr: "--run",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := RunTests(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error()+" "+errField(err), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.passed+tt.failed+tt.errored > 0 && (rep.Passed != tt.passed || rep.Failed != tt.failed || rep.Errored != tt.errored) {
				t.Fatalf("passed/failed/errored = %d/%d/%d, want %d/%d/%d: %+v", rep.Passed, rep.Failed, rep.Errored, tt.passed, tt.failed, tt.errored, rep.Results)
			}
			if tt.check != nil {
				tt.check(t, rep)
			}
		})
	}
}

// failures lists the tests that did not pass.
func failures(rep *TestReport) []string {
	var out []string
	for _, r := range rep.Results {
		if r.Outcome == "fail" || r.Outcome == "error" {
			out = append(out, r.Package+"."+r.Name+" "+r.Error)
		}
	}
	return out
}

// errField is the Field of a *paved.Error (file:line for load errors).
func errField(err error) string {
	var pe *paved.Error
	if errors.As(err, &pe) {
		return pe.Field
	}
	return ""
}
