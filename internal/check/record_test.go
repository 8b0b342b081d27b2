package check

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

func TestRecordedResources(t *testing.T) {
	doc := &iac.Document{Resources: []*paved.IaCResource{
		{Address: "b.x", Type: "b", Action: "create", After: map[string]any{"password": paved.SensitiveValue, "n": 1.0}, Before: map[string]any{"old": "secret"}, Tags: map[string]string{"team": "t"}, Region: "eu-west-1"},
		{Address: "a.x", Type: "a", Action: "update", After: map[string]any{"big": strings.Repeat("x", paved.MaxCheckResourceBytes), "k": true, "l": []any{1.0}}},
		{Address: "data.aws_ami.x", Type: "aws_ami", Mode: "data", After: map[string]any{}},
	}}
	dup := &iac.Document{Resources: []*paved.IaCResource{{Address: "a.x", Type: "a"}}}
	rs, omitted, total := recordedResources([]*iac.Document{doc, dup})
	if len(rs) != 2 || omitted != 1 || total != 3 {
		t.Fatalf("got %d resources, %d omitted of %d", len(rs), omitted, total)
	}
	if rs[0].Address != "a.x" || !rs[0].Trimmed || rs[0].After["k"] != true || rs[0].After["big"] != nil || rs[0].After["l"] != nil {
		t.Errorf("trimmed resource: %+v", rs[0])
	}
	b := rs[1]
	if b.Address != "b.x" || b.Trimmed || b.After["password"] != paved.SensitiveValue || b.Tags["team"] != "t" || b.Region != "eu-west-1" || b.Action != "create" {
		t.Errorf("resource: %+v", b)
	}
	if strings.Contains(jsonString(rs), "secret") {
		t.Error("prior values are sent")
	}

	// A Kubernetes Secret's data is masked; the report's copy is not touched.
	sec := &paved.IaCResource{Address: "Secret/shop/db", Type: "Secret", Source: "kubernetes", Action: "apply",
		After: map[string]any{"data": map[string]any{"password": "aHVudGVyMg=="}, "stringData": "raw"}}
	rs, _, _ = recordedResources([]*iac.Document{{Resources: []*paved.IaCResource{sec}}})
	if b := jsonString(rs); strings.Contains(b, "aHVudGVyMg") || strings.Contains(b, "raw") {
		t.Errorf("secret sent: %s", b)
	}
	if sec.After["data"].(map[string]any)["password"] != "aHVudGVyMg==" {
		t.Error("the manifest as read was changed")
	}

	// Over the count: the first in address order are kept.
	var many []*paved.IaCResource
	for i := range paved.MaxCheckResources + 3 {
		many = append(many, &paved.IaCResource{Address: fmt.Sprintf("r.n%05d", i), Type: "r"})
	}
	rs, omitted, _ = recordedResources([]*iac.Document{{Resources: many}})
	if len(rs) != paved.MaxCheckResources || omitted != 3 || rs[0].Address != "r.n00000" {
		t.Errorf("count cap: %d kept, %d omitted", len(rs), omitted)
	}
	// Over the bytes: resources that do not fit are left out.
	var fat []*paved.IaCResource
	for i := range 200 {
		fat = append(fat, &paved.IaCResource{Address: fmt.Sprintf("f.n%03d", i), Type: "f", After: map[string]any{"v": strings.Repeat("y", 60<<10)}})
	}
	rs, omitted, _ = recordedResources([]*iac.Document{{Resources: fat}})
	if omitted == 0 || len(rs)+omitted != 200 || len(jsonString(rs)) > paved.MaxCheckResourcesBytes+1<<20 {
		t.Errorf("byte cap: %d kept, %d omitted, %d bytes", len(rs), omitted, len(jsonString(rs)))
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A recorded check lists only the rules that had a resource to judge, so
// that launch evidence never rests on a rule that ran over nothing.
func TestRuleApplies(t *testing.T) {
	manifests := map[string]int{"Deployment": 1, "Service": 1}
	for _, tt := range []struct {
		types   []string
		present map[string]int
		want    bool
	}{
		{[]string{"aws_db_instance", "aws_rds_cluster"}, manifests, false},
		{[]string{"Deployment", "StatefulSet"}, manifests, true},
		{[]string{"*"}, manifests, true},
		{[]string{"*"}, map[string]int{}, false},
		{nil, manifests, false},
	} {
		if got := ruleApplies(tt.types, tt.present); got != tt.want {
			t.Errorf("ruleApplies(%v, %v) = %v, want %v", tt.types, tt.present, got, tt.want)
		}
	}
}
