package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// syntheticPlan builds a plan of n resources with a realistic mix of AWS
// types and attribute shapes (a few findings per hundred resources), so
// the benchmark measures rules that actually walk attributes.
func syntheticPlan(n int) *iac.Document {
	rs := make([]*paved.IaCResource, 0, n)
	for i := range n {
		var r *paved.IaCResource
		tags := map[string]string{"team": "payments", "service": "ledger", "env": "prod"}
		if i%50 == 0 {
			tags = map[string]string{"team": "payments"}
		}
		switch i % 10 {
		case 0:
			r = &paved.IaCResource{Type: "aws_db_instance", After: map[string]any{
				"instance_class": []string{"db.r6g.large", "db.x2g.16xlarge", "db.m6g.xlarge"}[i%3], "allocated_storage": json.Number("100"),
				"storage_encrypted": i%7 != 0, "publicly_accessible": false, "multi_az": true, "deletion_protection": true,
				"backup_retention_period": json.Number("7"), "engine": "postgres", "performance_insights_enabled": true,
				"monitoring_interval": json.Number("60"), "vpc_security_group_ids": []any{"sg-1"}, "kms_key_id": "arn:aws:kms:eu-west-1:1:key/x"}}
		case 1, 2:
			r = &paved.IaCResource{Type: "aws_ebs_volume", After: map[string]any{"size": json.Number("200"), "encrypted": i%9 != 0, "type": "gp3"}}
		case 3:
			r = &paved.IaCResource{Type: "aws_s3_bucket", After: map[string]any{"bucket": fmt.Sprintf("b-%d", i), "force_destroy": false}}
		case 4:
			r = &paved.IaCResource{Type: "aws_security_group", After: map[string]any{"name": fmt.Sprintf("sg-%d", i), "ingress": []any{
				map[string]any{"from_port": json.Number("443"), "to_port": json.Number("443"), "protocol": "tcp", "cidr_blocks": []any{"10.0.0.0/8"}},
				map[string]any{"from_port": json.Number("22"), "to_port": json.Number("22"), "protocol": "tcp", "cidr_blocks": []any{[]string{"10.0.0.0/8", "0.0.0.0/0"}[i%2]}},
			}}}
		case 5:
			r = &paved.IaCResource{Type: "aws_instance", After: map[string]any{"instance_type": "m6i.large", "ami": "ami-1",
				"root_block_device": []any{map[string]any{"encrypted": true, "volume_size": json.Number("50")}}, "monitoring": true}}
		case 6:
			r = &paved.IaCResource{Type: "aws_dynamodb_table", After: map[string]any{"name": fmt.Sprintf("t-%d", i), "hash_key": []string{"id", "created_at"}[i%2],
				"billing_mode": "PAY_PER_REQUEST", "server_side_encryption": []any{map[string]any{"enabled": true}}, "point_in_time_recovery": []any{map[string]any{"enabled": true}}}}
		case 7:
			r = &paved.IaCResource{Type: "aws_sqs_queue", After: map[string]any{"name": fmt.Sprintf("q-%d", i), "sqs_managed_sse_enabled": true}}
		case 8:
			r = &paved.IaCResource{Type: "aws_iam_role", After: map[string]any{"name": fmt.Sprintf("r-%d", i), "assume_role_policy": "{}"}}
		default:
			r = &paved.IaCResource{Type: "aws_lambda_function", After: map[string]any{"function_name": fmt.Sprintf("f-%d", i), "runtime": "python3.12", "memory_size": json.Number("512")}}
		}
		r.Name = fmt.Sprintf("r%d", i)
		r.Address = fmt.Sprintf("module.m%d.%s.%s", i%40, r.Type, r.Name)
		r.Module = fmt.Sprintf("module.m%d", i%40)
		r.Source, r.Provider, r.ProviderAddress, r.Mode = "terraform", "aws", "registry.terraform.io/hashicorp/aws", "managed"
		r.Actions, r.Action = []string{"create"}, "create"
		if i%25 == 0 {
			r.Actions, r.Action = []string{"delete", "create"}, "replace"
		}
		r.Tags, r.Region = tags, "eu-west-1"
		r.AfterUnknown = map[string]any{"id": true, "arn": true}
		rs = append(rs, r)
	}
	return &iac.Document{Input: "plan.json", Kind: iac.KindTerraformPlan, Line: 1, Resources: rs}
}

func benchmarkCheck(b *testing.B, n int, opts Options) {
	e, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	doc := syntheticPlan(n)
	svc := paved.ServiceContext{Name: "ledger", Tier: 1, Phase: paved.PhaseProduction}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var findings int
	cpu0 := cpuTime()
	for b.Loop() {
		fs, err := e.Check(ctx, []*iac.Document{doc}, svc)
		if err != nil {
			b.Fatal(err)
		}
		findings = len(fs)
	}
	// CPU time next to wall time: on a shared machine wall time measures
	// the neighbours; CPU time / cores is what an idle machine would take.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(findings), "findings")
	b.ReportMetric(float64(len(e.Rules())), "rules")
}

// BenchmarkCheck10k runs the whole embedded built-in library over a
// synthetic 10k-resource plan (issue 3's target: <= 0.4 s on 2 cores).
func BenchmarkCheck10k(b *testing.B) { benchmarkCheck(b, 10_000, Options{}) }

func BenchmarkCheck50k(b *testing.B) { benchmarkCheck(b, 50_000, Options{}) }

// BenchmarkCheck10kTestLibrary uses the engine's own test rules, for a
// figure that does not move when the built-in library grows.
func BenchmarkCheck10kTestLibrary(b *testing.B) {
	benchmarkCheck(b, 10_000, Options{Library: testLibraryFS()})
}

// BenchmarkRuleCost10k times each built-in rule alone over the synthetic
// 10k plan (all other rules disabled), to find the expensive ones:
//
//	go test ./internal/policy -run XXX -bench RuleCost10k -benchtime 3x
func BenchmarkRuleCost10k(b *testing.B) {
	ruleCost(b, []*iac.Document{syntheticPlan(10_000)}, paved.ServiceContext{Name: "ledger", Tier: 1, Phase: paved.PhaseProduction})
}

// ruleCost times each rule of the library alone on docs, with CPU time per
// check beside wall time.
func ruleCost(b *testing.B, docs []*iac.Document, svc paved.ServiceContext) {
	all, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range all.Rules() {
		b.Run(r.ID, func(b *testing.B) {
			var off []string
			for _, o := range all.Rules() {
				if o.ID != r.ID {
					off = append(off, o.ID)
				}
			}
			e, err := New(Options{Config: Config{Disabled: off}})
			if err != nil {
				b.Fatal(err)
			}
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := e.Check(context.Background(), docs, svc); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
