package cost

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

func planInputs(t testing.TB, files ...string) []PlanInput {
	t.Helper()
	docs, err := iac.ReadPaths(files, iac.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ins []PlanInput
	for _, d := range docs {
		ins = append(ins, PlanInput{Name: d.Input, Resources: d.Resources})
	}
	return ins
}

func byAddress(pc *PlanCost) map[string]*ResourceCost {
	m := map[string]*ResourceCost{}
	for _, r := range pc.Resources {
		m[r.Address] = r
	}
	return m
}

// TestEstimateGolden prices a plan of every priced type, action and
// reason to be unpriced, and compares the whole estimate with a golden
// file; the figures below are worked out by hand from the price book.
func TestEstimateGolden(t *testing.T) {
	pc := embedded(t).Estimate(planInputs(t, "testdata/prices/plan.json")...)
	got, err := json.MarshalIndent(pc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := "testdata/prices/plan.estimate.golden.json"
	if *updatePrices {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update-prices)", err)
	}
	if string(got) != string(want) {
		t.Errorf("estimate differs from %s (go test -run Estimate -update-prices, then review the diff)", golden)
	}

	rs := byAddress(pc)
	for _, tc := range []struct {
		addr, before, after, change string
	}{
		// m6i.large 0.096 × 730 = 70.08; root gp3 50 GB × 0.08 = 4;
		// 1,000 IOPS above 3,000 × 0.005 = 5.
		{"aws_instance.api", "", "79.08", "79.08"},
		// t3.micro 0.0104 × 730 = 7.592 -> t3.large 0.0832 × 730 = 60.736;
		// root gp2 8 GB × 0.10 = 0.8 on both sides.
		{"aws_instance.bastion", "8.392", "61.536", "53.144"},
		// db.r6g.xlarge postgres multi-AZ 0.9 × 730 = 657; gp3 multi-AZ
		// 500 GB × 0.23 = 115; 3,000 IOPS above 12,000 × 0.04 = 120;
		// 100 MiB/s above 500 × 0.16 = 16.
		{"aws_db_instance.orders", "", "908", "908"},
		// db.t3.medium mysql 0.068 × 730 = 49.64; gp2 100 GB × 0.115 = 11.5.
		{"aws_db_instance.legacy", "61.14", "", "-61.14"},
		// before: db.m5.large 0.178 × 730 = 129.94, io1 200 × 0.125 = 25,
		// 3,000 IOPS × 0.10 = 300; after: multi_az unknown -> single-AZ,
		// db.m6g.large 0.159 × 730 = 116.07, io2 25, IOPS 300.
		{"aws_db_instance.reports", "454.94", "441.07", "-13.87"},
		// io2 1,000 GB × 0.125 = 125; IOPS 32,000 × 0.065 = 2,080,
		// 32,000 × 0.0455 = 1,456, 6,000 × 0.03185 = 191.1.
		{"aws_ebs_volume.data", "", "3852.1", "3852.1"},
		// 2 shards × (1 + 1 replica) × cache.r6g.large 0.206 × 730 = 601.52.
		{"aws_elasticache_replication_group.sessions", "", "601.52", "601.52"},
		// 3 × cache.t4g.small 0.032 × 730 = 70.08.
		{"aws_elasticache_cluster.memo", "", "70.08", "70.08"},
		// 25 RCU × 0.00013 × 730 = 2.3725; 15 WCU × 0.00065 × 730 = 7.1175.
		{"aws_dynamodb_table.events", "", "9.49", "9.49"},
		// 3 × m7g.large 0.0816 × 730 = 178.704.
		{"aws_eks_node_group.general", "", "178.704", "178.704"},
		{"aws_eks_cluster.main", "", "73", "73"},
		{"aws_nat_gateway.main", "", "32.85", "32.85"},
		{"aws_lb.public", "", "16.425", "16.425"},
		{"aws_lb.web", "16.425", "16.425", "0"},
		{"aws_eip.nat", "", "3.65", "3.65"},
		{"aws_kms_key.data", "", "1", "1"},
		{"aws_secretsmanager_secret.db", "0.4", "", "-0.4"},
		{"aws_route53_zone.internal", "", "0.5", "0.5"},
		// eu-central-1: m6i.large 0.115 × 730 = 83.95, gp3 20 × 0.0952 = 1.904.
		{"aws_instance.eu", "", "85.854", "85.854"},
		{"aws_s3_bucket.assets", "", "0", "0"},
	} {
		r := rs[tc.addr]
		if r == nil {
			t.Errorf("%s: not in the estimate", tc.addr)
			continue
		}
		side := func(s *Side) string {
			if s == nil {
				return ""
			}
			return s.Monthly.String()
		}
		if side(r.Before) != tc.before || side(r.After) != tc.after || r.Change.String() != tc.change {
			t.Errorf("%s: before %q after %q change %s; want %q %q %s (%v)", tc.addr, side(r.Before), side(r.After), r.Change, tc.before, tc.after, tc.change, r.UnpricedReasons())
		}
	}
	for addr, want := range map[string]string{
		"aws_instance.builder":                  "instance_type is known only after apply",
		"aws_instance.windows_dedicated":        `tenancy "dedicated" is not priced`,
		"aws_db_instance.defaults":              "storage_type is known only after apply",
		"aws_db_instance.oracle":                "no price for db.m5.large (oracle-se2/single-az) per hour: it is not in the price book",
		"aws_ebs_volume.scratch":                "type is known only after apply",
		"aws_elasticache_cluster.valkey":        "no price for cache.t4g.small (valkey) per hour",
		"aws_cloudfront_distribution.cdn":       "aws_cloudfront_distribution is not priced: paved has no prices for this resource type",
		"google_compute_instance.legacy":        "paved's price book holds AWS prices only",
		"aws_instance.stockholm":                "no price for m6i.large (linux) in eu-north-1 (the price book has it in ap-southeast-1, eu-central-1, eu-west-1, us-east-1, us-west-2)",
		"aws_rds_cluster_instance.analytics[1]": "",
	} {
		r := rs[addr]
		if r == nil {
			t.Errorf("%s: not in the estimate", addr)
			continue
		}
		reasons := strings.Join(r.UnpricedReasons(), "; ")
		if want == "" && reasons != "" || !strings.Contains(reasons, want) {
			t.Errorf("%s: unpriced %q, want %q", addr, reasons, want)
		}
	}
	// The builder's EBS block device is still priced: st1 100 GB × 0.045.
	if r := rs["aws_instance.builder"]; r == nil || r.After.Monthly.String() != "4.5" {
		t.Errorf("builder: %+v", r.After)
	}
	// Usage-based parts are listed with their prices, not counted.
	for addr, want := range map[string]string{
		"aws_s3_bucket.assets":                  "storage GB-month 0.023",
		"aws_nat_gateway.main":                  "data processed GB 0.045",
		"aws_lb.public":                         "load balancer capacity units LCU-hour 0.006",
		"aws_lambda_function.resize":            "duration (arm64) 1M GB-seconds 13.3334",
		"aws_dynamodb_table.sessions":           "write request units 1M write request units 0.625",
		"aws_rds_cluster.analytics":             "I/O requests 1M I/O requests 0.2",
		"aws_rds_cluster_instance.analytics[1]": "Aurora Serverless v2 capacity (ACU-hours)",
	} {
		r := rs[addr]
		if r == nil {
			t.Errorf("%s: not in the estimate", addr)
			continue
		}
		var parts []string
		for _, u := range r.UsageParts() {
			parts = append(parts, strings.TrimSpace(u.Name+" "+u.Unit+" "+strings.TrimPrefix(u.USD.String()+" ", "0 ")))
		}
		if !strings.Contains(strings.Join(parts, "; "), want) {
			t.Errorf("%s: usage %v, want %q", addr, parts, want)
		}
	}
	// Free, skipped and unchanged resources.
	for _, addr := range []string{"aws_iam_role.app", "aws_s3_bucket_versioning.assets", "data.aws_ami.ubuntu", "aws_instance.steady", "aws_instance.moved_away"} {
		if rs[addr] != nil {
			t.Errorf("%s is listed", addr)
		}
	}
	if pc.Free != 2 || pc.Skipped["data sources"] != 1 || pc.Unchanged.Resources != 2 {
		t.Errorf("free %d, skipped %v, unchanged %+v", pc.Free, pc.Skipped, pc.Unchanged)
	}
	// steady: c6g.xlarge 0.136 × 730 = 99.28 + gp3 20 × 0.08 = 1.6;
	// moved_away (forget: still running): t3.small 0.0208 × 730 = 15.184 + 0.64.
	if pc.Unchanged.Monthly.String() != "116.704" {
		t.Errorf("unchanged monthly %s", pc.Unchanged.Monthly)
	}
	var sum Money
	for _, r := range pc.Resources {
		sum += r.Change
	}
	if pc.Change != sum || pc.After-pc.Before != pc.Change {
		t.Errorf("change %s, sum of resources %s, after-before %s", pc.Change, sum, pc.After-pc.Before)
	}
	if pc.Unpriced != 9 || pc.UsageBased != 9 {
		t.Errorf("unpriced %d, usage-based %d", pc.Unpriced, pc.UsageBased)
	}
	if top := pc.TopChanges(3); len(top) != 3 || top[0].Address != "aws_ebs_volume.data" || top[1].Address != "aws_db_instance.orders" {
		t.Errorf("top %v", top)
	}
	groups := pc.UnpricedByReason()
	if len(groups) == 0 || len(groups[0].Addresses) < 1 {
		t.Errorf("groups %v", groups)
	}
}

func TestEstimateAWSPlan(t *testing.T) {
	// The iac package's sample plan: its region is a variable the plan
	// resolves, one module uses another provider configuration.
	pc := embedded(t).Estimate(planInputs(t, "../iac/testdata/plan/aws.json")...)
	rs := byAddress(pc)
	// Its database class is not in the book (and eu-west-1 has no RDS rows).
	if r := rs["aws_db_instance.orders"]; r == nil || r.After == nil || !strings.Contains(strings.Join(r.UnpricedReasons(), ""), "no price for db.x2iedn.32xlarge (postgres/single-az) per hour: it is not in the price book") {
		t.Fatalf("orders: %+v", r)
	}
	if r := rs["aws_db_instance.legacy"]; r == nil || r.Before == nil || r.After != nil {
		t.Errorf("legacy (delete): %+v", r)
	}
	if r := rs["aws_elasticache_cluster.sessions"]; r == nil || r.Before == nil || r.After == nil {
		t.Errorf("sessions (replace): %+v", r)
	}
	for _, r := range pc.Resources {
		if r.Type == "aws_sqs_queue" || r.Type == "aws_security_group" || r.Type == "aws_iam_role" {
			t.Errorf("%s is listed", r.Address)
		}
	}
}

func TestEstimateEdgeCases(t *testing.T) {
	b := embedded(t)
	res := func(typ, action string, before, after map[string]any) *paved.IaCResource {
		return &paved.IaCResource{Address: typ + ".x", Type: typ, Source: "terraform", Provider: "aws", Mode: "managed", Action: action, Before: before, After: after, Region: "us-east-1"}
	}
	// Hostile sizes never overflow or panic.
	huge := b.Estimate(PlanInput{Name: "p", Resources: []*paved.IaCResource{
		res("aws_ebs_volume", "create", nil, map[string]any{"size": 1e300, "type": "gp3"}),
		res("aws_ebs_volume", "create", nil, map[string]any{"size": -5.0, "type": "gp3"}),
		res("aws_ebs_volume", "create", nil, map[string]any{"size": "12", "type": "gp3"}),
		res("aws_ebs_volume", "create", nil, map[string]any{"size": json.Number("999999999"), "type": "io1", "iops": 999999999.0}),
		res("aws_instance", "create", nil, map[string]any{"instance_type": 42, "root_block_device": "x"}),
		res("aws_instance", "create", nil, map[string]any{"instance_type": paved.SensitiveValue}),
		res("aws_elasticache_replication_group", "create", nil, map[string]any{"node_type": "cache.r6g.large"}),
		res("aws_eks_node_group", "create", nil, map[string]any{"capacity_type": "SPOT"}),
		res("aws_db_instance", "create", nil, map[string]any{"instance_class": "db.r6g.large", "engine": "postgres", "multi_az": "yes"}),
		nil,
		{Address: "Deployment/shop/web", Type: "Deployment", Source: "kubernetes", Action: "apply", After: map[string]any{}},
		{Address: "aws_instance.nowhere", Type: "aws_instance", Source: "terraform", Provider: "aws", Action: "create", After: map[string]any{"instance_type": "m5.large"}},
	}})
	rs := byAddress(huge)
	if len(huge.Resources) == 0 || huge.Skipped["Kubernetes objects (their cost is the cluster's nodes)"] != 1 {
		t.Fatalf("estimate %+v", huge)
	}
	if r := rs["aws_instance.nowhere"]; r == nil || !strings.Contains(strings.Join(r.UnpricedReasons(), ""), "the region is unknown") {
		t.Errorf("no region: %+v", r)
	}
	for _, r := range huge.Resources {
		if r.After != nil && r.After.Monthly < 0 {
			t.Errorf("%s: negative cost %s", r.Address, r.After.Monthly)
		}
	}
	if huge.Change < 0 {
		t.Errorf("change %s", huge.Change)
	}
	// An empty plan costs nothing and lists nothing.
	empty := b.Estimate()
	if empty.Change != 0 || len(empty.Resources) != 0 || empty.Resources == nil {
		t.Errorf("empty: %+v", empty)
	}
	if empty.MonthlyIncrease() != 0 || (*PlanCost)(nil).MonthlyIncrease() != 0 {
		t.Error("MonthlyIncrease of nothing")
	}
}

func TestGuard(t *testing.T) {
	pc := &PlanCost{Before: 100 * Unit, After: 1600 * Unit, Change: 1500 * Unit}
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	def := DefaultGuardConfig()
	f := def.Check(pc, paved.ServiceContext{}, today)
	if f == nil || f.Severity != paved.SeverityDeny || f.Rule != RuleMonthlyIncrease || f.Value != "1500" || f.Fingerprint == "" {
		t.Fatalf("finding %+v", f)
	}
	if want := "the plan raises the monthly cost by $1,500.00 (from $100.00 to $1,600.00): above the limit of $1,000.00 a month for the default"; f.Message != want {
		t.Errorf("message %q", f.Message)
	}
	cfg := GuardConfig{MaxMonthlyIncrease: 1000 * Unit, Tiers: map[string]Money{"1": 5000 * Unit, "4": 100 * Unit}, Phases: map[string]Money{"playground": 50 * Unit}}
	for _, tc := range []struct {
		svc  paved.ServiceContext
		deny bool
		by   string
	}{
		{paved.ServiceContext{Tier: 1, Phase: paved.PhaseProduction}, false, "tier 1"},
		{paved.ServiceContext{Tier: 2, Phase: paved.PhaseProduction}, true, "default"},
		{paved.ServiceContext{Tier: 4, Phase: paved.PhaseGreenLight}, true, "tier 4"},
		{paved.ServiceContext{Tier: 1, Phase: paved.PhasePlayground}, true, "phase playground"},
	} {
		f := cfg.Check(pc, tc.svc, today)
		if (f != nil) != tc.deny {
			t.Errorf("%+v: finding %v", tc.svc, f)
		}
		if _, by := cfg.Threshold(tc.svc); by != tc.by {
			t.Errorf("%+v: threshold by %s", tc.svc, by)
		}
	}
	if f := cfg.Check(pc, paved.ServiceContext{Tier: 1, Phase: paved.PhasePlayground}, today); f == nil || !strings.HasSuffix(f.Message, "for services in playground") {
		t.Errorf("playground message %v", f)
	}
	// A decrease, an increase at the limit, a disabled rule: no finding.
	for _, c := range []struct {
		cfg GuardConfig
		pc  *PlanCost
	}{
		{def, &PlanCost{Change: -5000 * Unit}},
		{def, &PlanCost{Change: 1000 * Unit}},
		{GuardConfig{MaxMonthlyIncrease: 0, Disabled: true}, pc},
		{def, nil},
	} {
		if f := c.cfg.Check(c.pc, paved.ServiceContext{}, today); f != nil {
			t.Errorf("%+v: %v", c, f)
		}
	}
	// Severity warn, enforce_from in the future, unpriced parts.
	warn := GuardConfig{MaxMonthlyIncrease: 0, Severity: paved.SeverityWarn}
	if f := warn.Check(&PlanCost{Change: Nano}, paved.ServiceContext{}, today); f == nil || f.Severity != paved.SeverityWarn {
		t.Errorf("warn: %v", f)
	}
	later := GuardConfig{MaxMonthlyIncrease: 0, EnforceFrom: "2027-01-01"}
	f = later.Check(&PlanCost{Change: Unit, Unpriced: 2}, paved.ServiceContext{}, today)
	if f == nil || f.Severity != paved.SeverityWarn || f.EnforceFrom != "2027-01-01" || !strings.Contains(f.Message, "2 resource(s) could not be fully priced") || !strings.HasSuffix(f.Message, "(enforced from 2027-01-01)") {
		t.Errorf("enforce_from: %+v", f)
	}
	if f := later.Check(&PlanCost{Change: Unit}, paved.ServiceContext{}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); f == nil || f.Severity != paved.SeverityDeny {
		t.Errorf("enforced: %+v", f)
	}
	if r := GuardRule(later); r.ID != RuleMonthlyIncrease || r.EnforceFrom != "2027-01-01" || r.Severity != paved.SeverityDeny {
		t.Errorf("rule %+v", r)
	}
}

func TestGuardValidate(t *testing.T) {
	where := func(p string) string { return "paved.yaml(" + p + ")" }
	if err := DefaultGuardConfig().Validate(nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cfg  GuardConfig
		want string
	}{
		{GuardConfig{MaxMonthlyIncrease: -1}, "paved.yaml(plan_cost.max_monthly_increase): plan_cost.max_monthly_increase is -0.000000001"},
		{GuardConfig{Tiers: map[string]Money{"5": 1}}, `paved.yaml(plan_cost.tiers.5): plan_cost.tiers.5: want a tier 1, 2, 3 or 4 as the key, got "5"`},
		{GuardConfig{Tiers: map[string]Money{"tier1": 1}}, `got "tier1"`},
		{GuardConfig{Tiers: map[string]Money{"2": -1}}, "plan_cost.tiers.2 is -0.000000001"},
		{GuardConfig{Phases: map[string]Money{"prod": 1}}, `plan_cost.phases.prod: want a phase`},
		{GuardConfig{Phases: map[string]Money{"greenlight": 1}}, `got "greenlight"`},
		{GuardConfig{Phases: map[string]Money{"retired": -1}}, "plan_cost.phases.retired is -0.000000001"},
		{GuardConfig{Severity: "block"}, `plan_cost.severity: want deny or warn, got "block"`},
		{GuardConfig{EnforceFrom: "soon"}, `plan_cost.enforce_from: want a date YYYY-MM-DD, got "soon"`},
	} {
		err := tc.cfg.Validate(where)
		if err == nil || !strings.Contains(err.Error(), tc.want) || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestFormatUSD(t *testing.T) {
	for m, want := range map[Money]string{
		0: "$0.00", 5 * Unit: "$5.00", 1234*Unit + 567_000_000: "$1,234.57", -1234567 * Unit: "-$1,234,567.00",
		999*Unit + 995_000_000: "$1,000.00", 100_000 * Unit: "$100,000.00", -1: "$0.00", MaxMoney: "$9,223,372,036.85",
	} {
		if got := FormatUSD(m); got != want {
			t.Errorf("FormatUSD(%s) = %q, want %q", m, got, want)
		}
	}
}

// TestAttributeKeys holds AttributeKeys to what the pricers read: the
// estimate of a plan read with only those attributes is the same.
func TestAttributeKeys(t *testing.T) {
	full := embedded(t).Estimate(planInputs(t, "testdata/prices/plan.json")...)
	docs, err := iac.ReadPaths([]string{"testdata/prices/plan.json"}, iac.Options{Attributes: AttributeKeys})
	if err != nil {
		t.Fatal(err)
	}
	var ins []PlanInput
	for _, d := range docs {
		ins = append(ins, PlanInput{Name: d.Input, Resources: d.Resources})
	}
	projected := embedded(t).Estimate(ins...)
	a, _ := json.Marshal(full)
	b, _ := json.Marshal(projected)
	if string(a) != string(b) {
		t.Errorf("the estimate differs when the plan keeps only AttributeKeys:\n%s\n%s", a, b)
	}
}

// TestEstimateAlarmsAndHealthChecks: CloudWatch alarms are priced per
// alarm metric and resolution; a Route 53 health check at the non-AWS
// endpoint price, its optional features left out with the reason.
func TestEstimateAlarmsAndHealthChecks(t *testing.T) {
	b, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	res := func(addr, typ, region string, after map[string]any) *paved.IaCResource {
		return &paved.IaCResource{Address: addr, Type: typ, Source: "terraform", Provider: "aws", Mode: "managed", Action: "create", Region: region, After: after}
	}
	metric := func(id string) any {
		return map[string]any{"id": id, "metric": []any{map[string]any{"metric_name": "Errors", "namespace": "AWS/Lambda", "period": 60.0, "stat": "Sum"}}}
	}
	pc := b.Estimate(PlanInput{Name: "plan.json", Resources: []*paved.IaCResource{
		res("aws_cloudwatch_metric_alarm.cpu", "aws_cloudwatch_metric_alarm", "us-east-1", map[string]any{"period": 300.0, "metric_query": []any{}}),
		res("aws_cloudwatch_metric_alarm.fast", "aws_cloudwatch_metric_alarm", "us-east-1", map[string]any{"period": 10.0}),
		res("aws_cloudwatch_metric_alarm.ratio", "aws_cloudwatch_metric_alarm", "us-east-1", map[string]any{"metric_query": []any{metric("errors"), metric("calls"), map[string]any{"id": "ratio", "expression": "errors / calls"}}}),
		res("aws_cloudwatch_metric_alarm.anomaly", "aws_cloudwatch_metric_alarm", "us-east-1", map[string]any{"period": 60.0, "threshold_metric_id": "band"}),
		res("aws_cloudwatch_metric_alarm.eu", "aws_cloudwatch_metric_alarm", "eu-north-1", map[string]any{"period": 60.0}),
		res("aws_route53_health_check.tcp", "aws_route53_health_check", "eu-west-1", map[string]any{"type": "TCP", "request_interval": 30.0, "measure_latency": false}),
		res("aws_route53_health_check.https", "aws_route53_health_check", "eu-west-1", map[string]any{"type": "HTTPS_STR_MATCH", "request_interval": 10.0, "measure_latency": true}),
		res("aws_route53_health_check.calc", "aws_route53_health_check", "eu-west-1", map[string]any{"type": "CALCULATED"}),
	}})
	got := map[string]*ResourceCost{}
	for _, r := range pc.Resources {
		got[r.Address] = r
	}
	for _, c := range []struct {
		addr, after string
		unpriced    []string
	}{
		{"aws_cloudwatch_metric_alarm.cpu", "0.1", nil},
		{"aws_cloudwatch_metric_alarm.fast", "0.3", nil},
		{"aws_cloudwatch_metric_alarm.ratio", "0.2", nil},
		{"aws_cloudwatch_metric_alarm.anomaly", "0.1", []string{"anomaly detection band: no price in the book"}},
		{"aws_cloudwatch_metric_alarm.eu", "0", []string{"alarm metric (standard): no price for alarm-metric (standard) in eu-north-1 (the price book has it in us-east-1)"}},
		{"aws_route53_health_check.tcp", "0.75", nil},
		{"aws_route53_health_check.https", "0.75", []string{"optional feature: HTTPS: no price for health-check-feature", "optional feature: string matching", "optional feature: fast interval", "optional feature: latency measurement"}},
		{"aws_route53_health_check.calc", "0", []string{"a CALCULATED health check has no price in the book"}},
	} {
		r := got[c.addr]
		if r == nil || r.After == nil {
			t.Errorf("%s: not priced: %+v", c.addr, r)
			continue
		}
		if r.After.Monthly.String() != c.after {
			t.Errorf("%s: monthly %s, want %s (%v)", c.addr, r.After.Monthly, c.after, r.UnpricedReasons())
		}
		reasons := strings.Join(r.UnpricedReasons(), " | ")
		if len(c.unpriced) != len(r.UnpricedReasons()) {
			t.Errorf("%s: unpriced %q, want %d reasons", c.addr, reasons, len(c.unpriced))
		}
		for _, u := range c.unpriced {
			if !strings.Contains(reasons, u) {
				t.Errorf("%s: unpriced %q, want %q", c.addr, reasons, u)
			}
		}
	}
}
