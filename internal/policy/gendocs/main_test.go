package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paved-dev/paved/internal/testutil"
)

const docPath = "../../../docs/guardrails.md"

// TestGuardrailsDocUpToDate fails when docs/guardrails.md does not match
// the rules' METADATA; go test ./internal/policy/gendocs -update rewrites it.
func TestGuardrailsDocUpToDate(t *testing.T) {
	var got bytes.Buffer
	if err := run(os.DirFS("../rego"), &got); err != nil {
		t.Fatal(err)
	}
	if testutil.Updating() {
		if err := os.WriteFile(docPath, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (run: go run ./internal/policy/gendocs > docs/guardrails.md)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("docs/guardrails.md is out of date with the rules' METADATA: run go run ./internal/policy/gendocs > docs/guardrails.md")
	}
}

func TestRenderRule(t *testing.T) {
	fsys := fstest.MapFS{"rules/sizing/x.rego": {Data: []byte(`# METADATA
# title: Something | big
# description: Why it matters.
# custom:
#   id: x-rule
#   severity: deny
#   category: sizing
#   checkov: [CKV_AWS_79, CKV2_AWS_6]
#   trivy: []
#   security: true
#   remediation: Make it smaller.
#   resource_types: [aws_instance]
#   parameters:
#     max: {default: [1, "a|b"], description: The most.}
#   examples:
#     fail: |
#       resource "aws_instance" "a" {}
#     pass: |
#       resource "aws_instance" "b" {}
package paved.rules.x_rule

deny contains "x" if false
`)}, "rules/sizing/x_test.rego": {Data: []byte("package broken {")}}
	var b bytes.Buffer
	if err := run(fsys, &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| [x-rule](#x-rule) | Something \\| big | deny | sizing |",
		"\n### x-rule\n\n**Something | big**\n",
		"- Security: yes",
		"- Scope: resource",
		"- Resource types: `aws_instance`",
		"| `max` | `[1,\"a\\|b\"]` | The most. |",
		"Fails:\n\n```hcl\nresource \"aws_instance\" \"a\" {}\n```",
		"Passes:\n\n```hcl\nresource \"aws_instance\" \"b\" {}\n```",
		"Remediation: Make it smaller.",
		"- Checkov: `CKV_AWS_79`, `CKV2_AWS_6`; Trivy: none (",
		"| [x-rule](#x-rule) | deny | `CKV_AWS_79`, `CKV2_AWS_6` | none |",
		"## Compared with Checkov and Trivy",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRuleWithoutMetadataIsAnError(t *testing.T) {
	fsys := fstest.MapFS{"rules/a/y.rego": {Data: []byte("package paved.rules.y\n\ndeny contains 1 if false\n")}}
	var b bytes.Buffer
	err := run(fsys, &b)
	if err == nil || !strings.Contains(err.Error(), "rules/a/y.rego") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
}

// FuzzRun feeds arbitrary rule files to the generator: it may reject them,
// never panic.
func FuzzRun(f *testing.F) {
	f.Add("# METADATA\n# title: t\n# custom:\n#   id: a\n#   parameters: {x: 1}\n#   examples: [1]\npackage paved.rules.a\n")
	f.Add("# METADATA\n# custom:\n#   id: b\n#   resource_types: x\n#   parameters:\n#     p: {default: {a: [1, null]}}\npackage paved.rules.b\n")
	f.Add("package x\n")
	f.Fuzz(func(t *testing.T, src string) {
		var b bytes.Buffer
		_ = run(fstest.MapFS{"rules/c/r.rego": {Data: []byte(src)}}, &b)
	})
}
