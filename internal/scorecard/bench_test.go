package scorecard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// benchCard writes a scorecard of 30 rules over three levels, mixing
// every rule kind the way a real one would (mostly items and guard rails,
// some facts, one combination).
func benchCard(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "id: card-%d\ntitle: Card %d\nlevels: [bronze, silver, gold]\nrules:\n", i, i)
	levels := []string{"bronze", "silver", "gold"}
	for r := 0; r < 30; r++ {
		lvl := levels[r%3]
		fmt.Fprintf(&b, "  - id: r%d\n    title: Rule %d\n    level: %s\n", r, r, lvl)
		switch r % 10 {
		case 0, 1, 2:
			fmt.Fprintf(&b, "    item: item-%d\n", r)
		case 3, 4:
			fmt.Fprintf(&b, "    guardrail: rule-%d\n", r)
		case 5:
			fmt.Fprintf(&b, "    fact: github.branch_protection.required_reviews >= 2\n")
		case 6:
			fmt.Fprintf(&b, "    fact: kube.replicas.ready_min >= 2 and github.codeowners.present\n")
		case 7:
			fmt.Fprintf(&b, "    exceptions: {max: 3, max_age: 90d}\n")
		case 8:
			fmt.Fprintf(&b, "    catalog: links.runbook\n")
		case 9:
			fmt.Fprintf(&b, "    expr: r%d and (r%d or not r%d)\n", r-1, r-2, r-3)
		}
	}
	return b.String()
}

// benchInputs makes n services with what a real one holds: 80 item
// states, a dozen facts, a check of 40 rules with a few findings, some
// exceptions.
func benchInputs(n int, now time.Time) []*Input {
	out := make([]*Input, n)
	var rules []string
	for r := 0; r < 40; r++ {
		rules = append(rules, fmt.Sprintf("rule-%d", r))
	}
	states := []string{"settled", "evidenced", "missing", "na-pending"}
	for i := range out {
		svc := &paved.Service{Name: fmt.Sprintf("svc-%05d", i), Owner: fmt.Sprintf("team-%03d", i%300), Tier: paved.Tier(1 + i%4),
			Phase: paved.PhaseProduction, DataClass: paved.DataInternal}
		if i%2 == 0 {
			svc.Links = []paved.Link{{URL: "https://runbooks/" + svc.Name, Type: "runbook"}}
		}
		items := make(map[string]string, 80)
		for it := 0; it < 80; it++ {
			items[fmt.Sprintf("item-%d", it)] = states[(i+it)%len(states)]
		}
		var facts []*paved.Fact
		for k, v := range map[string]any{"github.branch_protection.required_reviews": float64(i % 3), "kube.replicas.ready_min": float64(i % 4),
			"github.codeowners.present": i%5 != 0, "github.repository.exists": true} {
			facts = append(facts, &paved.Fact{Service: svc.Name, Source: "github", Key: k, Value: v, ObservedAt: now, ExpiresAt: now.Add(time.Hour)})
		}
		for k := 0; k < 8; k++ {
			facts = append(facts, &paved.Fact{Service: svc.Name, Source: "push", Key: fmt.Sprintf("push.other.k%d", k), Value: true, ObservedAt: now, ExpiresAt: now.Add(time.Hour)})
		}
		check := &paved.CheckRecord{ID: int64(i), Rules: rules}
		for f := 0; f < i%4; f++ {
			check.Findings = append(check.Findings, paved.Finding{Rule: fmt.Sprintf("rule-%d", (i+f)%40), Severity: paved.SeverityDeny, Resource: "aws_s3_bucket.b"})
		}
		var exc []*paved.Exception
		for e := 0; e < i%3; e++ {
			at := now.Add(-time.Duration(e*60) * 24 * time.Hour)
			exc = append(exc, &paved.Exception{Status: paved.ExceptionApproved, RequestedAt: at, DecidedAt: &at, ExpiresAt: now.Add(time.Hour)})
		}
		out[i] = &Input{Service: svc, TeamKind: paved.KindProduct, Items: items, Facts: facts, LatestCheck: check, Exceptions: exc}
	}
	return out
}

// BenchmarkEvaluate: 5 scorecards of 30 rules over 10,000 services, the
// daily job's evaluation (the target: at most 5 s). The inputs are
// built once, outside the timing: reading them is the store's part.
func BenchmarkEvaluate(b *testing.B) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var cards []*Card
	for i := 0; i < 5; i++ {
		c, err := Parse(fmt.Sprintf("card-%d.yaml", i), []byte(benchCard(i)))
		if err != nil {
			b.Fatal(err)
		}
		cards = append(cards, c)
	}
	ins := benchInputs(10_000, now)
	b.ResetTimer()
	for b.Loop() {
		results := 0
		for _, in := range ins {
			for _, c := range cards {
				if c.Applies(in.Service, in.TeamKind) {
					_ = c.Evaluate(in, now).Result("2026-06-01", now)
					results++
				}
			}
		}
		if results != 50_000 {
			b.Fatalf("%d results", results)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/10k-services")
}
