package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// costPlan is the estimate tests' plan: every priced type, action and
// reason to be unpriced; it raises the monthly cost by about $6,110.
var costPlan = filepath.Join("..", "..", "internal", "cost", "testdata", "prices", "plan.json")

func TestCheckCost(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db")}

	// The default threshold ($1,000 a month) makes the increase a deny
	// finding, shown with the cost section.
	r := cli(t, e, "check", costPlan)
	if r.code != 1 || !strings.Contains(r.out, "DENY cost-monthly-increase  the plan raises the monthly cost by $6,109.87") ||
		!strings.Contains(r.out, "Monthly cost  (USD a month at 730 hours, price book aws-2026.12)") ||
		!strings.Contains(r.out, "change +$6,109.87") || !strings.Contains(r.out, "Not priced (left out of the totals") {
		t.Fatalf("exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	var rep struct {
		Findings []struct {
			Rule, Severity string
			Value          any
		}
		Cost *struct {
			Change    string `json:"monthly_change"`
			Resources []struct{ Address string }
		}
	}
	if err := json.Unmarshal([]byte(cli(t, e, "check", "-o", "json", costPlan).out), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || (f.Rule == "cost-monthly-increase" && f.Severity == "deny" && f.Value == "6110")
	}
	if !found || rep.Cost == nil || rep.Cost.Change != "6109.867" || len(rep.Cost.Resources) < 30 {
		t.Fatalf("json: %+v %+v", rep.Findings, rep.Cost)
	}

	// --no-cost: no estimate and no cost finding.
	r = cli(t, e, "check", "--no-cost", costPlan)
	if strings.Contains(r.out, "Monthly cost") || strings.Contains(r.out, "cost-monthly-increase") {
		t.Fatalf("--no-cost:\n%s", r.out)
	}
	if out := cli(t, e, "check", "--no-cost", "-o", "json", costPlan).out; strings.Contains(out, `"cost"`) {
		t.Fatalf("--no-cost json has a cost object")
	}

	// paved.yaml raises the threshold; pricebook.yaml next to it discounts
	// EC2 by 50 % and prices eu-north-1.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "paved.yaml"), "plan_cost:\n  max_monthly_increase: 10000\n  phases: {playground: 100}\n")
	writeFile(t, filepath.Join(dir, "pricebook.yaml"), `discounts:
  - service: ec2
    percent: 50
rows:
  - {service: ec2, region: eu-north-1, product: m6i.large, option: linux, unit: hour, usd: 0.0904, source: https://aws.amazon.com/ec2/pricing/on-demand/, as_of: 2026-10-01}
  - {service: ebs, region: eu-north-1, product: gp3, unit: GB-month, usd: 0.0836, source: https://aws.amazon.com/ebs/pricing/, as_of: 2026-10-01}
`)
	r = cli(t, e, "check", "--config", dir, "-o", "json", costPlan)
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err, r.errOut)
	}
	for _, f := range rep.Findings {
		if f.Rule == "cost-monthly-increase" {
			t.Errorf("finding under a $10,000 threshold: %+v", f)
		}
	}
	if rep.Cost == nil || rep.Cost.Change == "6109.867" {
		t.Errorf("pricebook.yaml not applied: %+v", rep.Cost)
	}
	text := cli(t, e, "check", "--config", dir, costPlan).out
	if strings.Contains(text, "no price for m6i.large (linux) in eu-north-1") || !strings.Contains(text, "aws-2026.12 + ") {
		t.Errorf("eu-north-1 still unpriced or version without the overrides:\n%s", text)
	}

	// Mistakes in either file stop the check with file:line.
	bad := t.TempDir()
	writeFile(t, filepath.Join(bad, "paved.yaml"), "plan_cost:\n  tiers: {\"7\": 10}\n")
	expect(t, 2, "paved.yaml:2: plan_cost.tiers.7: want a tier 1, 2, 3 or 4", e, "check", "--config", bad, costPlan)
	writeFile(t, filepath.Join(bad, "paved.yaml"), "plan_cost:\n  max_monthly_increase: lots\n")
	expect(t, 2, `paved.yaml:2: plan_cost.max_monthly_increase: amount "lots" is not a decimal number`, e, "check", "--config", bad, costPlan)
	writeFile(t, filepath.Join(bad, "paved.yaml"), "")
	writeFile(t, filepath.Join(bad, "pricebook.yaml"), "discounts:\n  - service: ec2\n    percent: 150\n")
	expect(t, 2, "pricebook.yaml:3: discounts[0].percent: 150 % is not a discount", e, "check", "--config", bad, costPlan)
	// --no-cost does not read the price book at all.
	if r := cli(t, e, "check", "--config", bad, "--no-cost", costPlan); r.code == 2 {
		t.Errorf("--no-cost read pricebook.yaml: %s", r.errOut)
	}

	// The guard rail explains itself and is listed with the others.
	if out := must(t, e, "check", "--config", dir, "--explain", "cost-monthly-increase"); !strings.Contains(out, "phase playground  $100.00") || !strings.Contains(out, "default           $10,000.00") {
		t.Errorf("explain:\n%s", out)
	}
	if out := must(t, e, "check", "--list-rules"); !strings.Contains(out, "cost-monthly-increase") {
		t.Errorf("list-rules:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "paved.yaml"), "plan_cost:\n  disabled: true\n")
	if out := must(t, e, "check", "--config", dir, "--list-rules"); !regexp.MustCompile(`(?m)^cost-monthly-increase +disabled +cost `).MatchString(out) {
		t.Errorf("list-rules with the rail disabled:\n%s", out)
	}
	if r := cli(t, e, "check", "--config", dir, costPlan); strings.Contains(r.out, "DENY cost-monthly-increase") || !strings.Contains(r.out, "Monthly cost") {
		t.Errorf("disabled rail:\n%s", r.out)
	}
}

func TestPrices(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db")}
	out := must(t, e, "prices", "show", "db.r6g.xlarge", "--region", "us-east-1")
	for _, want := range []string{"price book aws-2026.12: 8 row(s), USD", "postgres/multi-az", "$0.9", "4 vCPU, 32 GiB", "2025-01-01", "https://aws.amazon.com/rds/postgresql/pricing/"} {
		if !strings.Contains(out, want) {
			t.Errorf("show db.r6g.xlarge lacks %q:\n%s", want, out)
		}
	}
	if out := must(t, e, "prices", "show", "aws_db_instance", "--region", "us-west-2"); !strings.Contains(out, "rds-storage") || !strings.Contains(out, "IOPS-month") {
		t.Errorf("show aws_db_instance:\n%s", out)
	}
	var doc struct {
		PriceBook string `json:"price_book"`
		Rows      []struct {
			Region, Source, AsOf string
			USD                  string `json:"usd"`
		}
	}
	if err := json.Unmarshal([]byte(must(t, e, "prices", "show", "m6i.large", "-o", "json")), &doc); err != nil || len(doc.Rows) != 5 || doc.Rows[0].USD == "" {
		t.Errorf("json: %+v, %v", doc, err)
	}
	expect(t, 2, "unpriced: no price for db.r6g.xlarge in region eu-central-1 (the price book has it in us-east-1, us-west-2)", e, "prices", "show", "db.r6g.xlarge", "--region", "eu-central-1")
	expect(t, 2, `no prices for "z9.huge"`, e, "prices", "show", "z9.huge")
	expect(t, 2, "accepts 1 arg", e, "prices", "show")

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "paved.yaml"), "")
	if out := must(t, e, "prices", "validate", "--config", dir); !strings.Contains(out, "no pricebook.yaml") {
		t.Errorf("validate without a file:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "pricebook.yaml"), "discounts:\n  - {service: rds, percent: 20, note: RDS reserved}\n")
	if out := must(t, e, "prices", "validate", "--config", dir); !strings.Contains(out, "1 discount(s), 0 row(s)") {
		t.Errorf("validate:\n%s", out)
	}
	if out := must(t, e, "prices", "show", "db.t3.micro", "--region", "us-east-1", "--config", dir); !strings.Contains(out, "$0.0136 (list $0.017, -20%)") || !strings.Contains(out, "Discounts from pricebook.yaml") {
		t.Errorf("discounted show:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "pricebook.yaml"), "rows:\n  - service: ec2\n")
	expect(t, 2, "pricebook.yaml:2: rows[0]: region is missing", e, "prices", "validate", "--config", dir)
	expect(t, 2, "no platform config", e, "prices", "validate")
}
