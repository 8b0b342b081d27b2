package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db")}
	dir := filepath.Join("testdata", "check")

	// A database with 4 TiB of RAM is out of bounds: exit 1, the rule and the
	// value named; the sensitive password appears nowhere.
	r := cli(t, e, "check", filepath.Join(dir, "bigdb.json"))
	if r.code != 1 || !strings.Contains(r.out, "db-memory-ceiling") || !strings.Contains(r.out, "db.x2iedn.32xlarge") {
		t.Fatalf("big database: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if strings.Contains(r.out+r.errOut, "hunter2") {
		t.Fatal("a sensitive value was printed")
	}

	// Every output format renders, and json is machine-readable.
	for _, f := range []string{"json", "sarif", "junit", "markdown", "github"} {
		r := cli(t, e, "check", "-o", f, filepath.Join(dir, "bigdb.json"))
		if r.code != 1 || r.out == "" || strings.Contains(r.out, "hunter2") {
			t.Errorf("-o %s: exit %d, %d bytes, stderr %q", f, r.code, len(r.out), r.errOut)
		}
	}
	var rep struct {
		Summary struct {
			Passed bool
			Deny   int
		}
		Findings []struct{ Rule, Severity, Fingerprint string }
	}
	if err := json.Unmarshal([]byte(cli(t, e, "check", "-o", "json", filepath.Join(dir, "bigdb.json")).out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Passed || rep.Summary.Deny == 0 || rep.Findings[0].Fingerprint == "" {
		t.Fatalf("json report: %+v", rep)
	}

	// Tuning the ceiling in paved.yaml lets the same plan through that rule.
	cfg := filepath.Join(t.TempDir(), "paved.yaml")
	writeFile(t, cfg, "guardrails:\n  rules:\n    db-memory-ceiling:\n      params: {max_memory_gib: 8192}\n")
	r = cli(t, e, "check", "--config", cfg, filepath.Join(dir, "bigdb.json"))
	if strings.Contains(r.out, "db-memory-ceiling") {
		t.Fatalf("raised ceiling still denies:\n%s", r.out)
	}

	// A folder of manifests: without conftest policies values.yaml is
	// skipped with a note; with them it is a document they may judge (as
	// conftest reads any file), and the policy folder runs beside the
	// built-in library.
	r = cli(t, e, "check", filepath.Join(dir, "k8s"))
	if r.code != 1 || !strings.Contains(r.errOut, "skipped") || !strings.Contains(r.errOut, "values.yaml") {
		t.Fatalf("k8s folder without policies: exit %d\nstderr:\n%s", r.code, r.errOut)
	}
	r = cli(t, e, "check", "--policy", filepath.Join(dir, "policy"), filepath.Join(dir, "k8s"))
	if r.code != 1 || strings.Contains(r.errOut, "skipped") || !strings.Contains(r.out, "Containers must not run as root in Deployment web") ||
		!strings.Contains(r.out, "fewer than 3 replicas") || !strings.Contains(r.out, "latest") {
		t.Fatalf("k8s folder: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.errOut)
	}

	// Input errors exit 2 and say what is wrong.
	expect(t, 2, "Terraform state file, not a plan", e, "check", filepath.Join(dir, "state.json"))
	// ... whatever rules run: conftest-style policies do not make a state
	// file or a catalog file something the guard rails checked.
	expect(t, 2, "Terraform state file, not a plan", e, "check", "--policy", filepath.Join(dir, "policy"), filepath.Join(dir, "state.json"))
	expect(t, 2, "Backstage catalog entity (kind Group), not a Kubernetes manifest: import it with paved catalog import", e, "check", filepath.Join(dir, "..", "backstage", "org.yaml"))
	expect(t, 2, "Backstage catalog entity", e, "check", "--policy", filepath.Join(dir, "policy"), filepath.Join(dir, "..", "backstage", "org.yaml"))
	expect(t, 2, "no such file", e, "check", filepath.Join(dir, "missing.json"))
	expect(t, 2, `-o "yaml"`, e, "check", "-o", "yaml", filepath.Join(dir, "bigdb.json"))
	expect(t, 2, "name at least one", e, "check")
	expect(t, 2, `no rule "nope"`, e, "check", "--explain", "nope")
	expect(t, 2, `--service: service "nope" does not exist`, e, "check", "--service", "nope", filepath.Join(dir, "bigdb.json"))

	// The rule library explains itself.
	if out := must(t, e, "check", "--explain", "db-memory-ceiling"); !strings.Contains(out, "max_memory_gib") {
		t.Fatalf("explain:\n%s", out)
	}
	if out := must(t, e, "check", "--list-rules"); !strings.Contains(out, "db-memory-ceiling") || strings.Count(out, "\n") < 30 {
		t.Fatalf("list-rules:\n%s", out)
	}

	// A clean input passes with exit 0 (stdin, a ConfigMap breaks no rule).
	var out, errOut bytes.Buffer
	app := &app{stdin: strings.NewReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\ndata: {a: b}\n"),
		stdout: &out, stderr: &errOut, getenv: func(k string) string { return e[k] }}
	if err := app.run(context.Background(), []string{"check", "-"}); err != nil {
		t.Fatalf("clean ConfigMap: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "PASS") {
		t.Fatalf("clean ConfigMap output:\n%s", out.String())
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
