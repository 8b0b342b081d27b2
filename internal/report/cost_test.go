package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/testutil"
)

// costFixture is the report fixture with a plan cost estimate: increases,
// a decrease, a replace, unpriced parts and usage-based parts.
func costFixture(t *testing.T) *Result {
	t.Helper()
	book, err := cost.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	res := func(addr, typ, action string, before, after map[string]any) *paved.IaCResource {
		return &paved.IaCResource{Address: addr, Type: typ, Source: "terraform", Provider: "aws", Mode: "managed", Action: action, Before: before, After: after, Region: "us-east-1"}
	}
	db := func(class string, multiAZ bool) map[string]any {
		return map[string]any{"instance_class": class, "engine": "postgres", "multi_az": multiAZ, "allocated_storage": 100.0, "storage_type": "gp3"}
	}
	eu := res("aws_instance.eu", "aws_instance", "create", nil, map[string]any{"instance_type": "m6i.large", "root_block_device": []any{map[string]any{"volume_size": 20.0, "volume_type": "gp3"}}})
	eu.Region = "eu-north-1"
	pc := book.Estimate(cost.PlanInput{Name: "plan.json", Resources: []*paved.IaCResource{
		res("module.db.aws_db_instance.main", "aws_db_instance", "update", db("db.r6g.large", false), db("db.r6g.2xlarge", true)),
		res("aws_instance.old", "aws_instance", "delete", map[string]any{"instance_type": "m5.xlarge", "root_block_device": []any{map[string]any{"volume_size": 50.0, "volume_type": "gp2"}}}, nil),
		res("aws_elasticache_cluster.sessions", "aws_elasticache_cluster", "replace", map[string]any{"node_type": "cache.t3.small", "engine": "redis"}, map[string]any{"node_type": "cache.r6g.large", "engine": "redis"}),
		res("aws_nat_gateway.main", "aws_nat_gateway", "create", nil, map[string]any{}),
		res("aws_s3_bucket.logs", "aws_s3_bucket", "create", nil, map[string]any{"bucket": "logs"}),
		res("aws_cloudfront_distribution.cdn", "aws_cloudfront_distribution", "create", nil, map[string]any{}),
		eu,
		res("aws_vpc.main", "aws_vpc", "no-op", map[string]any{}, map[string]any{}),
		res("aws_eip.nat", "aws_eip", "no-op", map[string]any{}, map[string]any{}),
	}})
	r := fixture()
	r.Cost = pc
	return r
}

func TestCostGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, costFixture(t), Options{Color: false}); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", "cost."+format+".golden"), buf.Bytes())
		})
	}
}

// TestCostSections checks what each format says about the cost, and that
// SARIF and JUnit say nothing of it.
func TestCostSections(t *testing.T) {
	out := func(format string, r *Result) string {
		var buf bytes.Buffer
		if err := Write(&buf, format, r, Options{}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	r := costFixture(t)
	change := "+" + cost.FormatUSD(r.Cost.Change)
	text := out("text", r)
	for _, want := range []string{"Monthly cost", change, "module.db.aws_db_instance.main (update)", "Not priced (left out of the totals, not counted as zero):", "aws_cloudfront_distribution.cdn: aws_cloudfront_distribution is not priced", "Depends on usage (not in the totals):", "aws_nat_gateway.main: data processed $0.045/GB", "1 unchanged resource(s) at $3.65 are in both totals"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	// The PASS/FAIL line stays last but for the exception lines.
	if lines := strings.Split(strings.TrimSpace(text), "\n"); !strings.HasPrefix(lines[len(lines)-2], "FAIL") {
		t.Errorf("status is not at the end:\n%s", text)
	}
	var doc struct {
		Cost *cost.PlanCost `json:"cost"`
	}
	if err := json.Unmarshal([]byte(out("json", r)), &doc); err != nil || doc.Cost == nil || doc.Cost.Change != r.Cost.Change || len(doc.Cost.Resources) != len(r.Cost.Resources) {
		t.Errorf("json cost %+v, %v", doc.Cost, err)
	}
	if md := out("markdown", r); !strings.Contains(md, "💰 **Monthly cost: "+change+"**") || !strings.Contains(md, "<details><summary>Cost of the 7 changed resource(s)</summary>") {
		t.Errorf("markdown:\n%s", md)
	}
	if gh := out("github", r); !strings.Contains(gh, "::notice title=paved cost::Monthly cost change "+change) {
		t.Errorf("github:\n%s", gh)
	}
	for _, format := range []string{"sarif", "junit"} {
		plain := fixture()
		if out(format, r) != out(format, plain) {
			t.Errorf("%s output changes with the cost", format)
		}
	}
	// No estimate, or nothing to price: no section anywhere.
	for _, c := range []*cost.PlanCost{nil, {Currency: "USD", Resources: []*cost.ResourceCost{}}} {
		r := fixture()
		r.Cost = c
		for _, format := range []string{"text", "markdown", "github"} {
			if s := out(format, r); strings.Contains(s, "onthly cost") {
				t.Errorf("%s with cost %v:\n%s", format, c, s)
			}
		}
		if s := out("json", r); strings.Contains(s, `"cost"`) != (c != nil) {
			t.Errorf("json with cost %v:\n%s", c, s)
		}
	}
}

// TestCostListsBounded keeps the text and markdown sections short on a
// plan of many resources.
func TestCostListsBounded(t *testing.T) {
	book, err := cost.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var rs []*paved.IaCResource
	for i := range 500 {
		typ := "aws_instance"
		if i%2 == 0 {
			typ = fmt.Sprintf("aws_unknown_%d", i%40)
		}
		rs = append(rs, &paved.IaCResource{Address: fmt.Sprintf("%s.r%d", typ, i), Type: typ, Source: "terraform", Provider: "aws", Action: "create",
			After: map[string]any{"instance_type": "t3.micro"}, Region: "us-east-1"})
		rs = append(rs, &paved.IaCResource{Address: fmt.Sprintf("aws_s3_bucket.b%d", i), Type: "aws_s3_bucket", Source: "terraform", Provider: "aws", Action: "create", After: map[string]any{}, Region: "us-east-1"})
	}
	r := fixture()
	r.Cost = book.Estimate(cost.PlanInput{Name: "p", Resources: rs})
	for _, format := range []string{"text", "markdown"} {
		var buf bytes.Buffer
		if err := Write(&buf, format, r, Options{}); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > 12000 {
			t.Errorf("%s: %d bytes for the cost of 1,000 resources", format, buf.Len())
		}
		if !strings.Contains(buf.String(), "more reason(s)") || !strings.Contains(buf.String(), "… ") {
			t.Errorf("%s does not say what it left out:\n%s", format, buf.String())
		}
	}
}

// TestCostSummaryAgreesWithTable: a resource priced in part (its instance
// hours have a price, its storage type is not set) has a priced line in the
// table; the summary above it counts it as priced, in part, instead of
// "0 changed resource(s) priced, 1 not fully priced".
func TestCostSummaryAgreesWithTable(t *testing.T) {
	book, err := cost.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r := &paved.IaCResource{Address: "aws_db_instance.main", Type: "aws_db_instance", Source: "terraform", Provider: "aws", Mode: "managed",
		Action: "create", Region: "us-east-1", After: map[string]any{"instance_class": "db.t4g.micro", "engine": "postgres", "allocated_storage": 20.0}}
	unpriced := &paved.IaCResource{Address: "aws_cloudfront_distribution.cdn", Type: "aws_cloudfront_distribution", Source: "terraform", Provider: "aws", Mode: "managed",
		Action: "create", Region: "us-east-1", After: map[string]any{}}
	pc := book.Estimate(cost.PlanInput{Name: "plan.json", Resources: []*paved.IaCResource{r, unpriced}})
	if pc.Unpriced != 2 || pc.Partial != 1 || pc.Change <= 0 {
		t.Fatalf("unpriced %d, partly priced %d, change %s", pc.Unpriced, pc.Partial, cost.FormatUSD(pc.Change))
	}
	res := &Result{Tool: Tool{Name: "paved"}, Cost: pc}
	for format, want := range map[string]string{
		"text":     "1 changed resource(s) priced (1 of them only in part, marked *), 1 not priced",
		"markdown": "1 changed resource(s) priced (1 of them only in part, marked ⚠️), 1 not priced",
		"github":   "1 changed resource(s) priced (1 of them only in part), 1 not priced",
	} {
		var buf bytes.Buffer
		if err := Write(&buf, format, res, Options{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.Contains(out, want) || strings.Contains(out, "0 changed resource(s) priced") {
			t.Errorf("%s summary does not agree with the priced line:\n%s", format, out)
		}
	}
}
