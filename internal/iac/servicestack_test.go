package iac

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/paved-dev/paved"
)

// serviceStackPlan is the realistic benchmark template of bench/genplan (one
// production service stack, written by bench/testdata/service-stack.gen.py).
var serviceStackPlan = filepath.Join("..", "..", "bench", "testdata", "service-stack.plan.json")

// TestServiceStackTemplate is a smoke test of the template without a golden
// file: it reads as one plan with every resource change, the secrets that
// Terraform writes into a plan in clear text reach no normalised resource,
// and it scales to unique addresses.
func TestServiceStackTemplate(t *testing.T) {
	data := readFixture(t, serviceStackPlan)
	var raw struct {
		FormatVersion    string `json:"format_version"`
		TerraformVersion string `json:"terraform_version"`
		ResourceChanges  []struct {
			Address string `json:"address"`
			Change  struct {
				Before          any `json:"before"`
				After           any `json:"after"`
				BeforeSensitive any `json:"before_sensitive"`
				AfterSensitive  any `json:"after_sensitive"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if n := len(raw.ResourceChanges); n < 80 || n > 120 {
		t.Errorf("the template has %d resource changes, want 80 to 120 (one service stack)", n)
	}

	docs, err := Read(filepath.ToSlash(serviceStackPlan), data, Options{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(docs) != 1 || docs[0].Kind != KindTerraformPlan {
		t.Fatalf("got %d documents, want one Terraform plan", len(docs))
	}
	doc := docs[0]
	if doc.FormatVersion != raw.FormatVersion || doc.TerraformVersion != raw.TerraformVersion {
		t.Errorf("versions %q/%q, want %q/%q", doc.FormatVersion, doc.TerraformVersion, raw.FormatVersion, raw.TerraformVersion)
	}
	if len(doc.Resources) != len(raw.ResourceChanges) {
		t.Fatalf("got %d resources, want %d (one per resource change)", len(doc.Resources), len(raw.ResourceChanges))
	}
	byAddr := map[string]*paved.IaCResource{}
	for _, r := range doc.Resources {
		if byAddr[r.Address] != nil {
			t.Errorf("address %s appears twice", r.Address)
		}
		byAddr[r.Address] = r
	}

	// The secrets: every string the plan marks sensitive.
	secrets := map[string]string{} // value -> where
	for _, rc := range raw.ResourceChanges {
		collectSensitive(rc.Change.Before, rc.Change.BeforeSensitive, rc.Address+" before", secrets)
		collectSensitive(rc.Change.After, rc.Change.AfterSensitive, rc.Address+" after", secrets)
	}
	if len(secrets) < 4 {
		t.Fatalf("found %d sensitive values in the template, want the database password, the Redis auth token and the SecureString parameters", len(secrets))
	}
	out, err := json.Marshal(doc.Resources)
	if err != nil {
		t.Fatal(err)
	}
	for v, where := range secrets {
		if !bytes.Contains(data, []byte(v)) {
			t.Errorf("sensitive value of %s is not in the template", where)
		}
		if bytes.Contains(out, []byte(v)) {
			t.Errorf("sensitive value of %s appears in the normalised resources", where)
		}
	}
	for addr, attr := range map[string]string{
		"aws_db_instance.main":                   "password",
		"aws_elasticache_replication_group.main": "auth_token",
		"aws_ssm_parameter.db_password":          "value",
	} {
		r := byAddr[addr]
		if r == nil {
			t.Errorf("%s is missing", addr)
			continue
		}
		if got := r.After[attr]; got != paved.SensitiveValue {
			t.Errorf("%s.%s = %v, want %q", addr, attr, got, paved.SensitiveValue)
		}
	}

	// Default tags reach the resources through tags_all, and the stack
	// lives in eu-west-1 (the health-check alarm in us-east-1).
	if r := byAddr["aws_db_instance.main"]; r != nil && (r.Tags["team"] != "checkout" || r.Region != "eu-west-1") {
		t.Errorf("aws_db_instance.main: tags %v, region %q; want the default tags and eu-west-1", r.Tags, r.Region)
	}
	if r := byAddr["aws_cloudwatch_metric_alarm.api_health"]; r != nil && r.Region != "us-east-1" {
		t.Errorf("aws_cloudwatch_metric_alarm.api_health: region %q, want us-east-1", r.Region)
	}

	// bench/genplan scales it: the copies get unique addresses.
	scaled, err := ScalePlan(data, 500)
	if err != nil {
		t.Fatalf("ScalePlan: %v", err)
	}
	sdocs, err := Read("scaled.json", scaled, Options{})
	if err != nil {
		t.Fatalf("Read scaled: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range sdocs[0].Resources {
		if seen[r.Address] {
			t.Errorf("scaled plan: address %s appears twice", r.Address)
		}
		seen[r.Address] = true
	}
	if len(seen) != 500 {
		t.Errorf("scaled plan: %d resources, want 500", len(seen))
	}
}

// collectSensitive records the non-empty strings of v that sens marks
// sensitive (true for a whole value, objects and arrays mirroring it).
func collectSensitive(v, sens any, where string, out map[string]string) {
	switch s := sens.(type) {
	case bool:
		if s {
			collectStrings(v, where, out)
		}
	case map[string]any:
		if m, ok := v.(map[string]any); ok {
			for k, ss := range s {
				collectSensitive(m[k], ss, where+"."+k, out)
			}
		}
	case []any:
		if l, ok := v.([]any); ok {
			for i := range min(len(s), len(l)) {
				collectSensitive(l[i], s[i], fmt.Sprintf("%s[%d]", where, i), out)
			}
		}
	}
}

func collectStrings(v any, where string, out map[string]string) {
	switch v := v.(type) {
	case string:
		if v != "" {
			out[v] = where
		}
	case map[string]any:
		for k, e := range v {
			collectStrings(e, where+"."+k, out)
		}
	case []any:
		for i, e := range v {
			collectStrings(e, fmt.Sprintf("%s[%d]", where, i), out)
		}
	}
}
