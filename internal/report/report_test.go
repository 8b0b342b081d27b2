package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	// The blank import keeps go-sarif (and its copy of the OASIS schema) in
	// go.mod for sarifSchemaText.
	_ "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/xeipuuv/gojsonschema"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

func fixture() *Result {
	fs := []paved.Finding{
		{Rule: "db-memory-ceiling", Severity: paved.SeverityDeny, Resource: "module.db.aws_db_instance.main", ResourceType: "aws_db_instance", Action: "create",
			Message: "aws_db_instance module.db.aws_db_instance.main has 4096 GiB of memory (db.x2iedn.32xlarge): above the ceiling of 256 GiB", Path: "instance_class", Value: "db.x2iedn.32xlarge",
			Remediation: "Pick a smaller class, or ask for a sign-off.", DocURL: "docs/guardrails.md#db-memory-ceiling", Input: "plan.json", File: "modules/db/main.tf", Line: 12},
		{Rule: "required-tags", Severity: paved.SeverityWarn, Resource: "module.db.aws_db_instance.main", ResourceType: "aws_db_instance", Action: "create",
			Message: "missing tags: cost-center, team | owner", Path: "tags", Value: []any{"cost-center"}, Input: "plan.json", File: "modules/db/main.tf", Line: 12},
		{Rule: "main/deny", Severity: paved.SeverityDeny, Message: "Containers must not run as root: <web>", Input: "k8s/deploy.yaml", Policy: "main"},
		{Rule: "s3-public-access-block", Severity: paved.SeverityWarn, Resource: "aws_s3_bucket.logs", ResourceType: "aws_s3_bucket", Action: "update",
			Message: "bucket has no public access block, comma, colon: 100%", Input: "plan.json", EnforceFrom: "2027-01-01"},
	}
	for i := range fs {
		fs[i].Fingerprint = fs[i].ComputeFingerprint()
	}
	return &Result{
		Tool:    Tool{Name: "paved", Version: "1.0.0-test"},
		Service: &paved.ServiceContext{Name: "checkout-api", Team: "checkout", Tier: 1, Phase: paved.PhaseGreenLight, DataClass: paved.DataConfidential},
		Inputs:  []string{"plan.json", "k8s/deploy.yaml"},
		Resources: []ResourceRef{
			{Input: "plan.json", Address: "module.db.aws_db_instance.main", Type: "aws_db_instance", Action: "create"},
			{Input: "plan.json", Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", Action: "update"},
			{Input: "plan.json", Address: "aws_vpc.main", Type: "aws_vpc", Action: "no-op"},
			{Input: "k8s/deploy.yaml", Address: "Deployment/shop/web", Type: "Deployment", Action: "apply"},
		},
		Findings: fs,
		Rules: map[string]paved.Rule{
			"db-memory-ceiling": {ID: "db-memory-ceiling", Title: "Database memory above the ceiling", Description: "A database this large needs a conversation.", Severity: paved.SeverityDeny, Category: "sizing", Remediation: "Pick a smaller class.", DocURL: "docs/guardrails.md#db-memory-ceiling"},
			"required-tags":     {ID: "required-tags", Title: "Cost-allocation tags", Severity: paved.SeverityWarn, Category: "tagging", Security: false},
		},
		DocBase: "https://github.com/paved-dev/paved/blob/main",
	}
}

func TestGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, fixture(), Options{Color: format == "text"}); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", "report."+format+".golden"), buf.Bytes())
		})
	}
}

func TestSARIFValidAgainstSchema(t *testing.T) {
	for name, r := range map[string]*Result{"findings": fixture(), "empty": {Tool: Tool{Name: "paved"}}} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, "sarif", r, Options{}); err != nil {
				t.Fatal(err)
			}
			res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchemaText(t)), gojsonschema.NewBytesLoader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Errors() {
				t.Errorf("SARIF schema: %s", e)
			}
		})
	}
}

// sarifSchemaText returns the official SARIF 2.1.0 JSON schema (errata 01)
// as go-sarif ships it in its module, so the test validates our bytes
// against the real schema without a copy of it in this repository.
func sarifSchemaText(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3").Output()
	if err != nil {
		t.Fatalf("locating go-sarif: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg/report/v210/sarif/schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	start := strings.Index(s, "`")
	end := strings.LastIndex(s, "`")
	if start < 0 || end <= start {
		t.Fatal("schema not found in go-sarif's schema.go")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(s[start+1:end]), &v); err != nil || v["title"] == nil {
		t.Fatalf("go-sarif's schema is not the JSON schema: %v", err)
	}
	return s[start+1 : end]
}

// The validator must be able to fail: a wrong version and a zero line are errors.
func TestSARIFSchemaRejects(t *testing.T) {
	bad := `{"version":"2.0.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchemaText(t)), gojsonschema.NewStringLoader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors()) < 2 {
		t.Fatalf("want errors for version and startLine, got %v", res.Errors())
	}
}

func TestJUnitParses(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "junit", fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// 4 resources + the whole-input finding of k8s/deploy.yaml = 5 cases;
	// the DB (deny) and the k8s input (deny) fail; warnings never fail.
	if got.Tests != 5 || got.Failures != 2 {
		t.Fatalf("tests=%d failures=%d, want 5 and 2", got.Tests, got.Failures)
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\nb\r", "a%0Ab%0D", "a%0Ab%0D"},
		{"k:v,w", "k:v,w", "k%3Av%2Cw"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestMarkdownTruncates(t *testing.T) {
	r := fixture()
	for i := 0; i < 2000; i++ {
		r.Findings = append(r.Findings, paved.Finding{Rule: "x", Severity: paved.SeverityWarn, Resource: "aws_s3_bucket.b" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676)), Message: strings.Repeat("long message ", 10), Input: "plan.json"})
	}
	var buf bytes.Buffer
	if err := Write(&buf, "markdown", r, Options{MaxMarkdown: 20000}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 20000 {
		t.Fatalf("markdown is %d bytes, over the 20000 limit", buf.Len())
	}
	if !strings.Contains(buf.String(), "more resource(s) with findings are not shown") {
		t.Fatal("truncation is not announced")
	}
}

func TestUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "yaml", fixture(), Options{})
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "json") {
		t.Fatalf("got %v", err)
	}
}

func TestPassed(t *testing.T) {
	r := fixture()
	if r.Passed() {
		t.Fatal("deny findings: want not passed")
	}
	r.Findings = r.Findings[1:2]
	if !r.Passed() {
		t.Fatal("only warnings: want passed")
	}
}
