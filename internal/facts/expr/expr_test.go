package expr

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

var now = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

func fact(source, key string, v any) *paved.Fact {
	return &paved.Fact{Service: "web", Source: source, Key: key, Value: v, ObservedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}
}

func TestEval(t *testing.T) {
	expired := fact("github", "github.branch_protection.required_reviews", 2.0)
	expired.ExpiresAt = now.Add(-3 * time.Hour)
	facts := []*paved.Fact{
		fact("github", "github.branch_protection.required_reviews", 2.0),
		fact("github", "github.branch_protection.required_checks", []any{"build", "paved check"}),
		fact("github", "github.branch_protection.paved_check", true),
		fact("pagerduty", "pagerduty.escalation_levels", 1.0),
		fact("pagerduty", "pagerduty.oncall.now", true),
		fact("kube-prod", "kube.replicas.ready_min", 3.0),
		fact("kube-staging", "kube.replicas.ready_min", 1.0),
		fact("push", "backup.last_restore_test", now.Add(-30*24*time.Hour).Format(time.RFC3339)),
		fact("push", "backup.tool", "velero"),
		fact("kube-prod", "kube.images.registries", []any{}),
	}
	tests := []struct {
		expr   string
		facts  []*paved.Fact
		want   bool
		detail string // substring of Detail
	}{
		{"github.branch_protection.required_reviews >= 1", facts, true, "github.branch_protection.required_reviews = 2"},
		{"github.branch_protection.required_reviews >= 3", facts, false, "= 2"},
		{"github.branch_protection.required_reviews > 2", facts, false, ""},
		{"github.branch_protection.required_reviews < 3", facts, true, ""},
		{"github.branch_protection.required_reviews <= 2", facts, true, ""},
		{"github.branch_protection.required_reviews == 2", facts, true, ""},
		{"github.branch_protection.required_reviews != 2", facts, false, ""},
		{"github.branch_protection.paved_check", facts, true, ""},
		{"github.branch_protection.paved_check == true", facts, true, ""},
		{`github.branch_protection.required_checks contains "paved check"`, facts, true, ""},
		{`github.branch_protection.required_checks contains "deploy"`, facts, false, `does not contain "deploy"`},
		{`backup.tool contains "vel"`, facts, true, ""},
		{`backup.tool == "velero"`, facts, true, ""},
		{`backup.tool >= 1`, facts, false, "not comparable"},
		{"pagerduty.escalation_levels >= 2 and pagerduty.oncall.now", facts, false, "pagerduty.escalation_levels = 1"},
		{"pagerduty.escalation_levels >= 2 or pagerduty.oncall.now", facts, true, "pagerduty.oncall.now = true"},
		{"not pagerduty.oncall.now", facts, false, "not ("},
		{"(pagerduty.escalation_levels >= 2 or opsgenie.escalation_levels >= 2) and pagerduty.oncall.now", facts, false, "no opsgenie.escalation_levels fact"},
		// Every source must agree, unless one is named.
		{"kube.replicas.ready_min >= 2", facts, false, "(kube-staging)"},
		{"kube.replicas.ready_min@kube-prod >= 2", facts, true, "(kube-prod)"},
		{"kube.replicas.ready_min@kube-dev >= 2", facts, false, "no kube.replicas.ready_min@kube-dev fact"},
		{"kube.images.registries", facts, false, ""},
		{"backup.last_restore_test within 90d", facts, true, ""},
		{"backup.last_restore_test within 7d", facts, false, "30 days ago, more than 7d ago"},
		{"backup.tool within 7d", facts, false, "not a time"},
		{"gitlab.repository.exists", facts, false, "no gitlab.repository.exists fact has been observed"},
		// An expired fact does not count, and says so.
		{"github.branch_protection.required_reviews >= 1", []*paved.Fact{expired}, false, "expired 3 hours ago"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			r := e.Eval(tt.facts, now)
			if r.Satisfied != tt.want || !strings.Contains(r.Detail, tt.detail) {
				t.Fatalf("Eval = %v %q, want %v with %q", r.Satisfied, r.Detail, tt.want, tt.detail)
			}
		})
	}
	r := MustParse("github.branch_protection.required_reviews >= 1 and kube.replicas.ready_min@kube-prod >= 2").Eval(facts, now)
	if r.Source() != "github, kube-prod" || !r.AsOf().Equal(now.Add(-time.Hour)) || len(r.Facts) != 2 {
		t.Fatalf("Source %q AsOf %v Facts %d", r.Source(), r.AsOf(), len(r.Facts))
	}
	if k := MustParse("a.b and (c.d or not a.b)").Keys(); strings.Join(k, ",") != "a.b,c.d" {
		t.Fatalf("Keys = %v", k)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "ends early"},
		{"github", "is not a fact key"},
		{"GitHub.x >= 1", "is not a fact key"},
		{"github.x = 1", "unknown operator"},
		{"github.x >= ", "compares with a number"},
		{"github.x within 3", "within takes a duration"},
		{`github.x == "open`, "not closed"},
		{"(github.x", "want ) to close"},
		{"github.x github.y", "unexpected"},
		{"github.x and", "ends early"},
		{"github.x >= 1d", "compares with a number"},
		{strings.Repeat("(", 30) + "a.b" + strings.Repeat(")", 30), "nested more than"},
		{strings.Repeat("a.b or ", 200) + "a.b", "at most"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr)
		if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", tt.expr, err, tt.want)
		}
	}
	_, err := Parse("github.x >= 1 and   bad!")
	if err == nil || !strings.Contains(err.Error(), "column 21") {
		t.Fatalf("column: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"github.branch_protection.required_reviews >= 1", "a.b and (c.d or not e.f@x)", `k.x contains "p"`, "b.t within 90d", "((", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if paved.ErrorCode(err) != paved.EINVALID {
				t.Fatalf("Parse(%q): error code %q", s, paved.ErrorCode(err))
			}
			return
		}
		// Whatever parses evaluates without panicking, and reparses.
		e.Eval([]*paved.Fact{fact("x", "a.b", 1.0)}, now)
		if _, err := Parse(e.String()); err != nil {
			t.Fatalf("%q parsed but its text %q does not: %v", s, e.String(), err)
		}
	})
}
