package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func focusFile(name string) string {
	return filepath.Join("..", "..", "internal", "cost", "testdata", "focus", name)
}

// TestCostLocal walks the cost commands on the local database: ingest,
// reports in every format, untagged, budgets, alerts and planning one.
func TestCostLocal(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "c.db")}
	out := must(t, e, "cost", "ingest", focusFile("v1_0.csv"), focusFile("v1_2_messy.csv"), "--account-map", "444455556666=payments")
	for _, want := range []string{"ingested 8 lines (FOCUS 1.2)", "111122223333     2026-10  4      8.87  USD       new", "cost column: EffectiveCost", "ignored columns (not FOCUS, no x_ prefix): CostCenterLegacy"} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
	}
	// Ingesting again replaces.
	if out := must(t, e, "cost", "ingest", focusFile("v1_0.csv"), "--account-map", "444455556666=payments"); !strings.Contains(out, "replaced the earlier ingest") {
		t.Errorf("re-ingest: %s", out)
	}
	out = must(t, e, "cost", "report", "--month", "2026-10")
	if !strings.Contains(out, "2026-10 by team, USD (EffectiveCost)") || !strings.Contains(out, "growth") || !strings.Contains(out, "total") {
		t.Errorf("report:\n%s", out)
	}
	out = must(t, e, "cost", "report", "--by", "service", "-o", "csv")
	if !strings.HasPrefix(out, "service,direct,shared,total,previous,change,currency\n") || !strings.Contains(out, "checkout,1.344,0,1.344,0,1.344,USD") {
		t.Errorf("csv report:\n%s", out)
	}
	var rep struct {
		Month      string
		CostColumn string `json:"cost_column"`
		Rows       []struct{ Name, Total string }
	}
	if err := json.Unmarshal([]byte(must(t, e, "cost", "report", "--by", "category", "-o", "json")), &rep); err != nil || len(rep.Rows) == 0 {
		t.Errorf("json report: %v %+v", err, rep)
	}
	out = must(t, e, "cost", "untagged")
	if !strings.Contains(out, "arn:aws:s3:::orphan-logs") || strings.Contains(out, "AWS Support") {
		t.Errorf("untagged (credits must not show):\n%s", out)
	}
	must(t, e, "cost", "movers", "--by", "team")
	must(t, e, "cost", "batches")
	must(t, e, "cost", "budget", "set", "team", "payments", "1")
	must(t, e, "cost", "budget", "set", "account", "444455556666", "0.5", "--playground")
	out = must(t, e, "cost", "budget", "list")
	if !strings.Contains(out, "account (playground)") || !strings.Contains(out, "payments") {
		t.Errorf("budget list:\n%s", out)
	}
	out = must(t, e, "cost", "evaluate")
	if !strings.Contains(out, "evaluated 2026-10 (data to 2026-10-04)") {
		t.Errorf("evaluate:\n%s", out)
	}
	out = must(t, e, "cost", "alerts", "-o", "json")
	var alerts struct {
		Items []struct {
			ID   int64
			Rule string
		}
	}
	if err := json.Unmarshal([]byte(out), &alerts); err != nil || len(alerts.Items) == 0 {
		t.Fatalf("alerts: %v %s", err, out)
	}
	id := alerts.Items[0].ID
	out = must(t, e, "cost", "alert", "plan", itoa(id), "--reason", "load test")
	if !strings.Contains(out, "marked as planned") {
		t.Errorf("plan: %s", out)
	}
	expect(t, 2, "already marked as planned", e, "cost", "alert", "plan", itoa(id), "--reason", "again")
	must(t, e, "cost", "budget", "delete", "team", "payments")
	expect(t, 2, "no budget for team", e, "cost", "budget", "delete", "team", "payments")
	if out := must(t, e, "cost", "reallocate"); !strings.Contains(out, "allocation keys changed place") {
		t.Errorf("reallocate: %s", out)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCostUsage(t *testing.T) {
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "u.db")}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cost", "ingest"}, "requires at least 1 arg"},
		{[]string{"cost", "ingest", "x.csv", "--account-map", "nope"}, `--account-map "nope": want ACCOUNT=TEAM`},
		{[]string{"cost", "ingest", "x.csv", "--account-map", "1=Bad Team"}, "--account-map"},
		{[]string{"cost", "report", "--by", "colour"}, `--by: cannot group by "colour"`},
		{[]string{"cost", "report", "-o", "yaml"}, `-o "yaml": want table, csv or json`},
		{[]string{"cost", "report", "--month", "October"}, `--month: month "October" is not of the form YYYY-MM`},
		{[]string{"cost", "untagged", "--limit", "0"}, "--limit 0"},
		{[]string{"cost", "budget", "set", "galaxy", "x", "1"}, `unknown budget scope "galaxy"`},
		{[]string{"cost", "budget", "set", "team", "x", "12,50"}, `amount "12,50" is not a decimal number`},
		{[]string{"cost", "budget", "set", "team", "x", "0"}, "is not positive"},
		{[]string{"cost", "alert", "plan", "abc", "--reason", "x"}, `alert id "abc": want a positive number`},
		{[]string{"cost", "alert", "plan", "1"}, "--reason is required"},
	}
	for _, tc := range tests {
		expect(t, 2, tc.want, e, tc.args...)
	}
	expect(t, 2, "x.csv: cannot open the billing file", e, "cost", "ingest", "x.csv")
	expect(t, 2, "missing required column(s)", e, "cost", "ingest", focusFile("../../../../go.mod"))
}

// TestCostServer runs the cost commands through a server: the files are
// uploaded in one multipart request and land in one transaction; a
// viewer's token reads but cannot ingest.
func TestCostServer(t *testing.T) {
	secret := "pvd_" + strings.Repeat("c", 43)
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "s.db"), "PAVED_BOOTSTRAP_TOKEN": secret}
	srv := startServer(t, e)
	defer srv.stop(t)
	r := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", secret)
	out := must(t, r, "cost", "ingest", focusFile("v1_0.csv"), focusFile("v1_2_messy.csv"), "--account-map", "444455556666=payments")
	if !strings.Contains(out, "ingested 8 lines (FOCUS 1.2) from v1_0.csv, v1_2_messy.csv") {
		t.Errorf("ingest through the server:\n%s", out)
	}
	if out := must(t, r, "cost", "report", "--by", "service", "-o", "csv"); !strings.Contains(out, "checkout,1.344,0,1.344,0,1.344,USD") {
		t.Errorf("report:\n%s", out)
	}
	must(t, r, "cost", "budget", "set", "team", "payments", "1")
	if out := must(t, r, "cost", "evaluate"); !strings.Contains(out, "evaluated 2026-10") {
		t.Errorf("evaluate: %s", out)
	}
	if out := must(t, r, "cost", "budget", "list"); !strings.Contains(out, "payments") {
		t.Errorf("budgets: %s", out)
	}
	expect(t, 2, "missing required column(s)", r, "cost", "ingest", focusFile("../../../../go.mod"))
	expect(t, 2, "nope.csv: cannot read the billing file", r, "cost", "ingest", "nope.csv")
}
