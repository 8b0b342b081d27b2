package cost

import (
	"strings"
	"testing"
	"time"

	"github.com/paved-dev/paved"
)

func usd(t testing.TB, s string) paved.Money {
	t.Helper()
	m, err := paved.ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func series(t testing.TB, vals ...string) []paved.Money {
	out := make([]paved.Money, len(vals))
	for i, v := range vals {
		out[i] = usd(t, v)
	}
	return out
}

func TestSpikeThreshold(t *testing.T) {
	tests := []struct {
		name           string
		window         []string
		k, p           Factor
		want, med, mad string
	}{
		// median 200, MAD 7: k×MAD = 21 < p×median = 100.
		{"steady with noise", []string{"190", "205", "198", "210", "195", "200", "207", "193", "202", "215", "188", "201", "199", "204"}, 3, 0.5, "300.75", "200.5", "5"},
		// A weekly pattern: MAD is 0 (ten weekdays at 200), the p floor holds.
		{"weekday/weekend", []string{"200", "200", "200", "200", "200", "120", "120", "200", "200", "200", "200", "200", "120", "120"}, 3, 0.5, "300", "200", "0"},
		// A noisy scope: k×MAD wins.
		{"noisy", []string{"100", "300", "50", "250", "120", "400", "80", "220", "60", "350", "90", "310", "70", "260"}, 3, 0.5, "455", "170", "95"},
		{"empty", nil, 3, 0.5, "0", "0", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th, med, mad := SpikeThreshold(series(t, tc.window...), tc.k, tc.p)
			if th.String() != tc.want || med.String() != tc.med || mad.String() != tc.mad {
				t.Errorf("threshold %s median %s MAD %s, want %s %s %s", th, med, mad, tc.want, tc.med, tc.mad)
			}
		})
	}
}

func TestSpikes(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC) // a Thursday
	steady := []string{"190", "205", "198", "210", "195", "200", "207", "193", "202", "215", "188", "201", "199", "204"}
	tests := []struct {
		name string
		days []string
		cfg  SpikeConfig
		want []string // days (YYYY-MM-DD) that raise an alert
	}{
		{"a task bomb and the day after", append(append([]string{}, steady...), "1450", "1600", "230"), SpikeConfig{}, []string{"2026-10-15", "2026-10-16"}},
		{"within the band", append(append([]string{}, steady...), "290"), SpikeConfig{}, nil},
		{"weekly pattern: Monday back to normal is no spike",
			[]string{"200", "200", "200", "120", "120", "200", "200", "200", "200", "200", "120", "120", "200", "200", "200", "200"}, SpikeConfig{}, nil},
		{"steady growth of 3% a day",
			[]string{"100", "103", "106.09", "109.27", "112.55", "115.93", "119.41", "122.99", "126.68", "130.48", "134.39", "138.42", "142.58", "146.85", "151.26", "155.8"}, SpikeConfig{}, nil},
		{"small scope: below the minimum amount", []string{"2", "2.1", "1.9", "2", "2", "2.2", "1.8", "2", "2.1", "40"}, SpikeConfig{}, nil},
		{"small scope with a lower minimum", []string{"2", "2.1", "1.9", "2", "2", "2.2", "1.8", "2", "2.1", "40"}, SpikeConfig{MinAmount: paved.MoneyUnit}, []string{"2026-10-10"}},
		{"not enough history yet", []string{"0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "5", "5", "5", "900"}, SpikeConfig{}, nil},
		{"history counts from the first cost", []string{"0", "0", "5", "5", "5", "5", "5", "5", "5", "900"}, SpikeConfig{MinAmount: paved.MoneyUnit}, []string{"2026-10-10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Spikes(DaySeries{Scope: paved.ScopeService, Name: "checkout", Team: "payments", Start: start, Days: series(t, tc.days...)}, start, tc.cfg, "USD")
			var days []string
			for _, a := range got {
				days = append(days, a.Day.Format(time.DateOnly))
				if a.Rule != paved.RuleSpike || a.Team != "payments" || a.Period != "2026-10" || !strings.HasPrefix(a.Key, "spike|service|checkout|") {
					t.Errorf("alert %+v", a)
				}
			}
			if strings.Join(days, ",") != strings.Join(tc.want, ",") {
				t.Errorf("spikes on %v, want %v", days, tc.want)
			}
		})
	}
	got := Spikes(DaySeries{Scope: paved.ScopeAccount, Name: "210987654321", Start: start, Days: series(t, append(append([]string{}, steady...), "1450")...)}, start, SpikeConfig{}, "USD")
	if len(got) != 1 || got[0].Message != "Cost spike: account 210987654321 cost 1450.00 USD on Thu 2026-10-15, above 300.75 USD (median 200.50 of the 14 days before)" {
		t.Errorf("message: %+v", *got[0])
	}
	// Days before `from` are history only.
	if got := Spikes(DaySeries{Scope: paved.ScopeTeam, Name: "t", Start: start, Days: series(t, append(append([]string{}, steady...), "1450")...)}, start.AddDate(0, 0, 15), SpikeConfig{}, "USD"); len(got) != 0 {
		t.Errorf("judged a day before from: %+v", got)
	}
}

// hoursOf builds an hourly series from `from`, one value per hour.
func hoursOf(t testing.TB, from time.Time, vals ...string) []*paved.CostHour {
	var out []*paved.CostHour
	for i, v := range vals {
		out = append(out, &paved.CostHour{Account: "pg", Hour: from.Add(time.Duration(i) * time.Hour), Cost: usd(t, v)})
	}
	return out
}

func repeat(v string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestBurn(t *testing.T) {
	// Friday 16 October 2026, 12:00 UTC. A playground account with a 300
	// USD budget (0.40 USD an hour spread over October) that normally
	// costs 0.30 an hour, 120 USD spent so far.
	fri := time.Date(2026, 10, 16, 12, 0, 0, 0, time.UTC)
	budget := &paved.Budget{Scope: paved.ScopeAccount, Name: "pg", Amount: 300 * paved.MoneyUnit, Playground: true}
	normal := repeat("0.30", 6)
	bomb := func(hours int) []string { return append(append([]string{}, normal...), repeat("48", hours)...) } // 40 GPUs from 18:00
	tests := []struct {
		name  string
		vals  []string
		mtd   string
		cfg   BurnConfig
		fires bool
		msg   string
	}{
		{"steady usage", repeat("0.30", 48), "120", BurnConfig{}, false, ""},
		{"the task bomb, first hour", bomb(1), "168", BurnConfig{}, true,
			"Playground account pg is burning 8.25 USD an hour (last 6 hours, to Fri 19:00 UTC): at this rate its 300.00 USD budget for 2026-10 runs out in 16 hours, around Sat 2026-10-17 11:00 UTC"},
		{"the task bomb, three hours in", bomb(3), "264", BurnConfig{}, true,
			"Playground account pg is burning 24.15 USD an hour (last 6 hours, to Fri 21:00 UTC): at this rate its 300.00 USD budget for 2026-10 runs out in 2 hours, around Fri 2026-10-16 22:00 UTC"},
		{"budget already used up", bomb(6), "408", BurnConfig{}, true,
			"Playground account pg is burning 48.00 USD an hour (last 6 hours, to Sat 00:00 UTC) and has used up its 300.00 USD budget for 2026-10 (408.00 spent)"},
		{"a short blip under the minimum amount", append(append([]string{}, normal...), "5"), "125", BurnConfig{}, false, ""},
		{"fast but the budget lasts past the horizon", append(append([]string{}, normal...), repeat("2", 6)...), "20", BurnConfig{}, false, ""},
		{"a shorter horizon, a faster rule", bomb(1), "168", BurnConfig{HorizonHours: 12}, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Burn(BurnInput{Budget: budget, Team: "growth", MonthToDate: usd(t, tc.mtd), Hours: hoursOf(t, fri, tc.vals...)}, tc.cfg, "USD")
			if (a != nil) != tc.fires {
				t.Fatalf("fires %v, want %v (%+v)", a != nil, tc.fires, a)
			}
			if a == nil {
				return
			}
			if tc.msg != "" && a.Message != tc.msg {
				t.Errorf("message\n got %s\nwant %s", a.Message, tc.msg)
			}
			if a.Rule != paved.RuleBurn || a.Team != "growth" || !strings.HasPrefix(a.Key, "burn|account|pg|2026-10-1") {
				t.Errorf("alert %+v", a)
			}
		})
	}
	if Burn(BurnInput{Budget: budget}, BurnConfig{}, "USD") != nil {
		t.Error("no hours fired")
	}
}

func TestForecast(t *testing.T) {
	tests := []struct {
		name  string
		mtd   string
		usage []string
		days  int
		want  string
	}{
		{"even usage", "100", repeat("10", 10), 31, "310"},
		{"a purchase counted once", "1100", repeat("10", 10), 31, "1310"},
		{"last seven days only", "200", append(repeat("10", 5), repeat("30", 7)...), 31, "770"},
		{"early in the month", "45", []string{"20", "25"}, 30, "675"},
		{"rounding", "1", []string{"0.000000001", "0.000000001", "0.000000002"}, 31, "1.000000037"},
		{"last day of the month", "500", repeat("10", 31), 31, "500"},
		{"no data", "0", nil, 31, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Forecast(usd(t, tc.mtd), series(t, tc.usage...), tc.days); got.String() != tc.want {
				t.Errorf("forecast %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBudgetAlerts(t *testing.T) {
	team := &paved.Budget{Scope: paved.ScopeTeam, Name: "payments", Amount: 1000 * paved.MoneyUnit}
	pg := &paved.Budget{Scope: paved.ScopeAccount, Name: "210987654321", Amount: 300 * paved.MoneyUnit, Playground: true}
	tests := []struct {
		name             string
		budget           *paved.Budget
		actual, forecast string
		want             []string
	}{
		{"under every threshold", team, "499.99", "900", nil},
		{"exactly 50%", team, "500", "900", []string{"budget|team|payments|2026-10|50"}},
		{"95%: the 90% alert only", team, "950", "990", []string{"budget|team|payments|2026-10|90"}},
		{"forecast over, actual under", team, "600", "1000", []string{"budget|team|payments|2026-10|50", "forecast|team|payments|2026-10"}},
		{"over budget: no forecast alert", team, "1200", "1800", []string{"budget|team|payments|2026-10|100"}},
		{"playground", pg, "301", "400", []string{"budget|account|210987654321|2026-10|100"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := BudgetAlerts("2026-10", "USD", []BudgetSpend{{Budget: tc.budget, Team: "payments", Actual: usd(t, tc.actual), Forecast: usd(t, tc.forecast)}}, nil)
			var keys []string
			for _, a := range got {
				keys = append(keys, a.Key)
			}
			if strings.Join(keys, " ") != strings.Join(tc.want, " ") {
				t.Errorf("alerts %v, want %v", keys, tc.want)
			}
		})
	}
	got := BudgetAlerts("2026-10", "USD", []BudgetSpend{{Budget: pg, Actual: usd(t, "301")}}, []int{80, 120})
	if len(got) != 1 || got[0].Threshold != 80 || got[0].Message != "Playground account 210987654321 has spent 301.00 USD in 2026-10: 100% of its 300.00 USD budget" {
		t.Errorf("custom thresholds: %+v", got[0])
	}
}

func TestMergeBudgets(t *testing.T) {
	cfg := []BudgetConfig{{Team: "payments", Amount: 100 * paved.MoneyUnit}, {Service: "checkout", Amount: 50 * paved.MoneyUnit}}
	stored := []*paved.Budget{{Scope: paved.ScopeTeam, Name: "payments", Amount: 200 * paved.MoneyUnit, Source: "api"}}
	got := MergeBudgets(cfg, stored)
	if len(got) != 2 || got[0].Scope != paved.ScopeService || got[1].Amount != 200*paved.MoneyUnit || got[1].Source != "api" || got[0].Source != "paved.yaml" {
		t.Errorf("merged %+v %+v", got[0], got[1])
	}
}
