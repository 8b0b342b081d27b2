package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/cost"
)

// costCSV is a small FOCUS 1.2 file: svc-alpha's usage on two days, an
// untagged bucket, a credit and a shared line.
const costCSV = `BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargePeriodEnd,ChargePeriodStart,EffectiveCost,ProviderName,ServiceName,SubAccountId,ResourceId,Tags
10.50,payer,USD,2026-11-01,2026-10-01,Usage,2026-10-02,2026-10-01,10.50,AWS,Amazon EC2,acc-alpha,i-1,"{""service"":""svc-alpha""}"
12.25,payer,USD,2026-11-01,2026-10-01,Usage,2026-10-03,2026-10-02,12.25,AWS,Amazon EC2,acc-alpha,i-1,"{""service"":""svc-alpha""}"
3,payer,USD,2026-11-01,2026-10-01,Usage,2026-10-03,2026-10-02,3,AWS,Amazon S3,acc-beta,bucket-x,
-2,payer,USD,2026-11-01,2026-10-01,Credit,2026-11-01,2026-10-01,-2,AWS,Credits,acc-beta,,
4,payer,USD,2026-11-01,2026-10-01,Usage,2026-10-02,2026-10-01,4,AWS,Amazon VPC,acc-net,nat-1,"{""cost-center"":""shared""}"
`

func costSpend(e *apiEnv) *cost.Spend {
	return &cost.Spend{Store: e.db, Config: &cost.SpendConfig{
		Accounts: map[string]string{"acc-beta": "beta"},
		Shared:   []cost.SharedRule{{Name: "network", Tag: "cost-center=shared"}},
	}}
}

func seedCost(e *apiEnv) {
	_, err := costSpend(e).Ingest(e.actingAs("admin"), cost.IngestRequest{Next: func(i int) (string, io.Reader, error) {
		if i > 0 {
			return "", nil, io.EOF
		}
		return "seed.csv", strings.NewReader(costCSV), nil
	}})
	e.must(err)
}

func seedBudget(e *apiEnv) {
	seedCost(e)
	e.must(e.db.SetBudget(e.actingAs("admin"), &paved.Budget{Scope: paved.ScopeTeam, Name: "alpha", Amount: 100 * paved.MoneyUnit}))
	e.must(e.db.SetBudget(e.actingAs("admin"), &paved.Budget{Scope: paved.ScopeService, Name: "svc-alpha", Amount: 40 * paved.MoneyUnit}))
}

func seedCostAlert(e *apiEnv) {
	seedCost(e)
	_, err := e.db.SaveCostAlerts(e.actingAs("admin"), []*paved.CostAlert{{Rule: paved.RuleBudget, Scope: paved.ScopeTeam, Name: "alpha", Team: "alpha",
		Period: "2026-10", Threshold: 90, Amount: 95 * paved.MoneyUnit, Limit: 100 * paved.MoneyUnit, Currency: "USD",
		Key: "budget|team|alpha|2026-10|90", Message: "Team alpha has spent 95.00 USD"}}, cost.AlertNotification)
	e.must(err)
}

func decodeBody[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
	return v
}

func TestAPICost(t *testing.T) {
	e := newAPIEnv(t)
	e.srv.spend.Config = costSpend(e).Config
	ok := func(rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		t.Helper()
		if rec.Code < 200 || rec.Code > 299 {
			t.Fatalf("got %d %s", rec.Code, rec.Body.String())
		}
		return rec
	}
	// A raw gzip body.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(costCSV))
	zw.Close()
	req := httptest.NewRequest("POST", "/api/v1/cost/ingest?name=oct.csv.gz&account_map=acc-net%3Dgamma", bytes.NewReader(gz.Bytes()))
	req.Header.Set("Authorization", "Bearer "+tokenOf("admin"))
	req.Header.Set("Content-Type", "application/gzip")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	ing := decodeBody[paved.CostIngest](t, ok(rec))
	if ing.Lines != 5 || len(ing.Batches) != 1 || ing.Files[0] != "oct.csv.gz" || ing.Batches[0].Cost.String() != "27.75" {
		t.Errorf("ingest %+v", ing)
	}

	// A gzip bomb: a few KB holding one line of many MiB is refused with
	// 413 naming the file and line, with skip_invalid too, and nothing is
	// written; the server goes on answering.
	var bomb bytes.Buffer
	zw, _ = gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write([]byte(strings.SplitN(costCSV, "\n", 2)[0] + "\n"))
	zw.Write(bytes.Repeat([]byte("a"), 16<<20))
	zw.Close()
	req = httptest.NewRequest("POST", "/api/v1/cost/ingest?name=bomb.csv.gz&skip_invalid=true", bytes.NewReader(bomb.Bytes()))
	req.Header.Set("Authorization", "Bearer "+tokenOf("admin"))
	req.Header.Set("Content-Type", "application/gzip")
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if p := decodeBody[api.Problem](t, rec); rec.Code != 413 || p.Field != "bomb.csv.gz:2" {
		t.Errorf("gzip bomb: %d %s", rec.Code, rec.Body.String())
	}

	// Multipart, two parts: one transaction, the second part's lines too.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	part, _ := mw.CreateFormFile("file", "a.csv")
	part.Write([]byte(costCSV))
	part, _ = mw.CreateFormFile("file", "b.csv")
	lines := strings.SplitN(costCSV, "\n", 2)
	part.Write([]byte(lines[0] + "\n" + strings.ReplaceAll(strings.SplitN(lines[1], "\n", 2)[0], "2026-10-01,Usage,2026-10-02,2026-10-01", "2026-10-01,Usage,2026-10-05,2026-10-04") + "\n"))
	mw.Close()
	req = httptest.NewRequest("POST", "/api/v1/cost/ingest?skip_invalid=true", &mp)
	req.Header.Set("Authorization", "Bearer "+tokenOf("admin"))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	ing = decodeBody[paved.CostIngest](t, ok(rec))
	if ing.Lines != 6 || !ing.Batches[0].Replaced || strings.Join(ing.Files, ",") != "a.csv,b.csv" {
		t.Errorf("multipart ingest %+v", ing)
	}

	// A bad file: the problem names the file and line.
	rec = e.as("admin", "POST", "/api/v1/cost/ingest?name=bad.csv", strings.Replace(costCSV, "10.50,payer", "ten,payer", 1))
	wantProblem(t, rec, http.StatusBadRequest, "invalid")
	if !strings.Contains(rec.Body.String(), "bad.csv:2") {
		t.Errorf("bad file: %s", rec.Body.String())
	}

	rep := decodeBody[cost.Report](t, ok(e.as("viewer", "GET", "/api/v1/cost/report?month=2026-10&by=team", "")))
	got := map[string]string{}
	for _, r := range rep.Rows {
		got[r.Name] = r.Total.String()
	}
	// alpha 10.5+12.25+10.5 (b.csv), beta 3-2: the shared 4 splits in proportion to 33.25 and 1.
	if got["alpha"] != "37.133211679" || got["beta"] != "1.116788321" || rep.CostColumn != "EffectiveCost" || len(rep.Shared) != 1 {
		t.Errorf("report %v %+v", got, rep)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/cost/report?by=colour", ""), http.StatusBadRequest, "invalid")
	wantProblem(t, e.as("viewer", "GET", "/api/v1/cost/report?month=10-2026", ""), http.StatusBadRequest, "invalid")

	daily := decodeBody[api.List[*cost.Trend]](t, ok(e.as("viewer", "GET", "/api/v1/cost/daily?by=service", "")))
	if len(daily.Items) == 0 || daily.Items[0].Name != "svc-alpha" || len(daily.Items[0].Points) != 31 {
		t.Errorf("daily %+v", daily.Items)
	}
	un := decodeBody[api.List[*paved.UntaggedCost]](t, ok(e.as("viewer", "GET", "/api/v1/cost/untagged?limit=5", "")))
	if len(un.Items) != 1 || un.Items[0].ResourceID != "bucket-x" || un.Items[0].Team != "beta" {
		t.Errorf("untagged %+v", un.Items)
	}

	b := decodeBody[paved.Budget](t, ok(e.as("admin", "PUT", "/api/v1/cost/budgets/service/svc-alpha", `{"amount":"30"}`)))
	if b.Amount.String() != "30" || b.Source != "api" {
		t.Errorf("budget %+v", b)
	}
	wantProblem(t, e.as("admin", "PUT", "/api/v1/cost/budgets/galaxy/x", `{"amount":"30"}`), http.StatusBadRequest, "invalid")
	wantProblem(t, e.as("admin", "PUT", "/api/v1/cost/budgets/team/x", `{"amount":"-3"}`), http.StatusBadRequest, "invalid")
	wantProblem(t, e.as("admin", "PUT", "/api/v1/cost/budgets/team/x", `{"amount":"1.0000000001"}`), http.StatusBadRequest, "invalid")

	ev := decodeBody[cost.Evaluation](t, ok(e.as("admin", "POST", "/api/v1/cost/evaluate", "")))
	if ev.Month != "2026-10" || len(ev.Raised) != 1 || ev.Raised[0].Rule != paved.RuleBudget || ev.Raised[0].Threshold != 100 {
		t.Errorf("evaluate %+v", ev)
	}
	bs := decodeBody[api.List[*cost.BudgetStatus]](t, ok(e.as("viewer", "GET", "/api/v1/cost/budgets", "")))
	if len(bs.Items) != 1 || bs.Items[0].Actual.String() != "33.25" || bs.Items[0].Percent != 110 || len(bs.Items[0].Alerts) != 1 || bs.Items[0].Team != "alpha" {
		t.Errorf("budgets %+v", bs.Items[0])
	}
	sp := decodeBody[cost.ServiceSpend](t, ok(e.as("viewer", "GET", "/api/v1/services/svc-alpha/budget", "")))
	if sp.Budget == nil || sp.Actual.String() != "33.25" || sp.Month != "2026-10" {
		t.Errorf("service spend %+v", sp)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/services/nope/budget", ""), http.StatusNotFound, "not_found")

	al := decodeBody[api.List[*paved.CostAlert]](t, ok(e.as("viewer", "GET", "/api/v1/cost/alerts?team=alpha", "")))
	if len(al.Items) != 1 {
		t.Fatalf("alerts %+v", al.Items)
	}
	id := al.Items[0].ID
	target := "/api/v1/cost/alerts/" + itoa(id) + "/plan"
	wantProblem(t, e.as("dev-beta", "POST", target, `{"reason":"x"}`), http.StatusForbidden, "forbidden")
	wantProblem(t, e.as("dev-alpha", "POST", target, `{"reason":""}`), http.StatusBadRequest, "invalid")
	p := decodeBody[paved.CostAlert](t, ok(e.as("dev-alpha", "POST", target, `{"reason":"load test of svc-alpha"}`)))
	if !p.Planned() || p.PlannedBy != "dev-alpha" {
		t.Errorf("planned %+v", p)
	}
	wantProblem(t, e.as("dev-alpha", "POST", target, `{"reason":"again"}`), http.StatusConflict, "conflict")
	wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/cost/alerts/999/plan", `{"reason":"x"}`), http.StatusNotFound, "not_found")

	rr := decodeBody[api.ReallocateResponse](t, ok(e.as("admin", "POST", "/api/v1/cost/reallocate", "")))
	_ = rr
	ok(e.as("admin", "DELETE", "/api/v1/cost/budgets/service/svc-alpha", ""))
	wantProblem(t, e.as("admin", "DELETE", "/api/v1/cost/budgets/service/svc-alpha", ""), http.StatusNotFound, "not_found")
	_ = context.Background
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestAPISpendVisibilityTeam: with spend.visibility team, a developer
// reads their own team's spend and nothing of another team's (403 for a
// named team or service, filtered lists); every team's at once is for
// architects, security and admins (issue 15 §5).
func TestAPISpendVisibilityTeam(t *testing.T) {
	e := newAPIEnv(t)
	seedBudget(e)
	seedCostAlert(e)
	cfg := *costSpend(e).Config
	cfg.Visibility = paved.SpendTeam
	e.srv.spend.Config = &cfg

	for _, tt := range []struct {
		user, path string
		want       int
	}{
		{"dev-alpha", "/api/v1/cost/report?month=2026-10", http.StatusForbidden},
		{"dev-alpha", "/api/v1/cost/daily?month=2026-10", http.StatusForbidden},
		{"dev-alpha", "/api/v1/cost/batches", http.StatusForbidden},
		{"viewer", "/api/v1/cost/report?month=2026-10", http.StatusForbidden},
		{"reviewer", "/api/v1/cost/report?month=2026-10", http.StatusForbidden},
		{"dev-alpha", "/api/v1/cost/report?month=2026-10&team=alpha", http.StatusOK},
		{"viewer", "/api/v1/cost/report?month=2026-10&team=alpha", http.StatusOK},
		{"dev-alpha", "/api/v1/cost/report?month=2026-10&team=beta", http.StatusForbidden},
		{"dev-alpha", "/api/v1/cost/daily?month=2026-10&service=svc-alpha", http.StatusOK},
		{"dev-beta", "/api/v1/cost/daily?month=2026-10&service=svc-alpha", http.StatusForbidden},
		{"dev-beta", "/api/v1/cost/report?month=2026-10&team=beta&service=svc-alpha", http.StatusForbidden},
		{"dev-alpha", "/api/v1/services/svc-alpha/budget", http.StatusOK},
		{"dev-beta", "/api/v1/services/svc-alpha/budget", http.StatusForbidden},
		{"dev-beta", "/api/v1/cost/alerts?team=alpha", http.StatusForbidden},
		{"architect", "/api/v1/cost/report?month=2026-10", http.StatusOK},
		{"security", "/api/v1/cost/batches", http.StatusOK},
		{"admin", "/api/v1/cost/daily?month=2026-10", http.StatusOK},
		{"architect", "/api/v1/services/svc-beta/budget", http.StatusOK},
	} {
		rec := e.as(tt.user, "GET", tt.path, "")
		if rec.Code != tt.want {
			t.Errorf("%s GET %s: %d, want %d: %s", tt.user, tt.path, rec.Code, tt.want, rec.Body.String())
		}
	}

	names := func(user, path string, name func(map[string]any) string) []string {
		t.Helper()
		rec := e.as(user, "GET", path, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s GET %s: %d %s", user, path, rec.Code, rec.Body.String())
		}
		l := decodeBody[struct {
			Items []map[string]any `json:"items"`
		}](t, rec)
		var out []string
		for _, it := range l.Items {
			out = append(out, name(it))
		}
		return out
	}
	str := func(k string) func(map[string]any) string {
		return func(m map[string]any) string { s, _ := m[k].(string); return s }
	}
	// Budgets: alpha's team and service budgets for alpha, none for beta.
	if got := names("dev-alpha", "/api/v1/cost/budgets?month=2026-10", str("name")); len(got) != 2 || !slices.Contains(got, "alpha") || !slices.Contains(got, "svc-alpha") {
		t.Errorf("dev-alpha's budgets: %v", got)
	}
	if got := names("dev-beta", "/api/v1/cost/budgets?month=2026-10", str("name")); len(got) != 0 {
		t.Errorf("dev-beta's budgets: %v", got)
	}
	if got := names("architect", "/api/v1/cost/budgets?month=2026-10", str("name")); len(got) != 2 {
		t.Errorf("architect's budgets: %v", got)
	}
	// Alerts: alpha's alert only for alpha's members and the cross-team roles.
	if got := names("dev-beta", "/api/v1/cost/alerts", str("team")); len(got) != 0 {
		t.Errorf("dev-beta's alerts: %v", got)
	}
	if got := names("dev-alpha", "/api/v1/cost/alerts", str("team")); len(got) == 0 || slices.ContainsFunc(got, func(t string) bool { return t != "alpha" }) {
		t.Errorf("dev-alpha's alerts: %v", got)
	}
	// Untagged spend: beta's bucket (account acc-beta maps to beta) is
	// beta's, not alpha's.
	for _, u := range []string{"dev-alpha", "dev-beta"} {
		for _, team := range names(u, "/api/v1/cost/untagged?month=2026-10", str("team")) {
			if team != strings.TrimPrefix(u, "dev-") {
				t.Errorf("%s sees untagged spend of %q", u, team)
			}
		}
	}
	if got := names("dev-beta", "/api/v1/cost/untagged?month=2026-10", str("team")); len(got) == 0 {
		t.Error("dev-beta does not see beta's untagged spend")
	}

	// Organisation visibility (the default): every signed-in user reads all.
	cfg.Visibility = paved.SpendOrganisation
	if rec := e.as("dev-beta", "GET", "/api/v1/cost/report?month=2026-10", ""); rec.Code != http.StatusOK {
		t.Errorf("organisation visibility: %d %s", rec.Code, rec.Body.String())
	}
}
