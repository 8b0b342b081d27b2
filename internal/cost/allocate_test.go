package cost

import (
	"testing"

	"github.com/paved-dev/paved"
)

func TestAllocate(t *testing.T) {
	cfg := SpendConfig{
		Tags:     AllocationConfig{ServiceKeys: []string{"Service", "app"}, TeamKeys: []string{"team", " Owner "}},
		Accounts: map[string]string{"sub-growth": "growth", "payer-1": "platform"},
		Shared: []SharedRule{
			{Name: "platform", Tag: "cost-center=shared-platform"},
			{Name: "networking", Account: "sub-network", Split: SplitEven},
		},
	}
	a := cfg.Allocator([]*paved.Service{{Name: "checkout", Owner: "payments"}, {Name: "Search-API", Owner: "discovery"}},
		[]*paved.Team{{Name: "payments"}, {Name: "growth"}, {Name: "Data"}})
	tests := []struct {
		name               string
		sub                string
		tags               map[string]string
		service, team, env string
		method             paved.AllocMethod
		shared             string
		untagged           bool
	}{
		{"team and service tags", "", map[string]string{"service": "checkout", "team": "payments"}, "checkout", "payments", "", paved.AllocTag, "", false},
		{"keys in any case with stray spaces", "", map[string]string{" SERVICE ": "checkout", "Team ": "payments"}, "checkout", "payments", "", paved.AllocTag, "", false},
		{"alias app, owner", "", map[string]string{"App": "recs", "owner": "growth"}, "recs", "growth", "", paved.AllocTag, "", false},
		{"first key wins over alias", "", map[string]string{"service": "checkout", "app": "other"}, "checkout", "payments", "", paved.AllocCatalog, "", false},
		{"service name matched to the catalog's case", "", map[string]string{"service": "search-api"}, "Search-API", "discovery", "", paved.AllocCatalog, "", false},
		{"team name matched to the catalog's case", "", map[string]string{"team": "data"}, "", "Data", "", paved.AllocTag, "", false},
		{"unknown team kept as tagged", "", map[string]string{"team": "ghosts"}, "", "ghosts", "", paved.AllocTag, "", false},
		{"user: prefix dropped", "", map[string]string{"user:team": "payments"}, "", "payments", "", paved.AllocTag, "", false},
		{"env alias environment", "", map[string]string{"environment": "prod", "team": "growth"}, "", "growth", "prod", paved.AllocTag, "", false},
		{"unknown service, no team: account mapping", "sub-growth", map[string]string{"service": "unknown-thing"}, "unknown-thing", "growth", "", paved.AllocAccount, "", false},
		{"no tags: sub-account mapping", "sub-growth", nil, "", "growth", "", paved.AllocAccount, "", true},
		{"no tags: billing account mapping", "sub-other", nil, "", "platform", "", paved.AllocAccount, "", true},
		{"empty tag values are no tags", "sub-other", map[string]string{"team": "  ", "service": ""}, "", "platform", "", paved.AllocAccount, "", true},
		{"shared by tag value, any case", "", map[string]string{"Cost-Center": "Shared-Platform", "team": "payments"}, "", "", "", paved.AllocShared, "platform", false},
		{"shared by account", "sub-network", map[string]string{"service": "checkout"}, "checkout", "", "", paved.AllocShared, "networking", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := &paved.CostKey{Provider: "AWS", BillingAccountID: "payer-1", SubAccountID: tc.sub, Tags: tc.tags}
			if tc.name == "no tags: billing account mapping" || tc.name == "empty tag values are no tags" {
				k.SubAccountID = "sub-other"
			}
			a.Allocate(k)
			if k.Service != tc.service || k.Team != tc.team || k.Env != tc.env || k.Method != tc.method || k.Shared != tc.shared || k.Untagged != tc.untagged {
				t.Errorf("got service=%q team=%q env=%q method=%s shared=%q untagged=%v, want %q %q %q %s %q %v",
					k.Service, k.Team, k.Env, k.Method, k.Shared, k.Untagged, tc.service, tc.team, tc.env, tc.method, tc.shared, tc.untagged)
			}
		})
	}
	// Nothing known: unallocated.
	k := &paved.CostKey{Provider: "GCP", BillingAccountID: "other"}
	NewAllocator(AllocationConfig{}, nil).Allocate(k)
	if k.Team != paved.Unallocated || k.Method != paved.AllocNone || !k.Untagged {
		t.Errorf("unallocated: %+v", k)
	}
}

func TestSpendConfigValidate(t *testing.T) {
	good := SpendConfig{
		Accounts: map[string]string{"123": "payments"},
		Shared:   []SharedRule{{Name: "p", Tag: "cc=shared"}},
		Budgets:  []BudgetConfig{{Team: "payments", Amount: 100 * paved.MoneyUnit}, {Account: "123", Amount: paved.MoneyUnit, Playground: true}},
	}
	if err := good.Validate(nil); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]SpendConfig{
		"bad team name":       {Accounts: map[string]string{"1": "no spaces allowed"}},
		"shared without name": {Shared: []SharedRule{{Tag: "a=b"}}},
		"shared both":         {Shared: []SharedRule{{Name: "x", Tag: "a=b", Account: "1"}}},
		"shared bad tag":      {Shared: []SharedRule{{Name: "x", Tag: "ab"}}},
		"shared bad split":    {Shared: []SharedRule{{Name: "x", Tag: "a=b", Split: "fair"}}},
		"budget two scopes":   {Budgets: []BudgetConfig{{Team: "a", Service: "b", Amount: 1}}},
		"budget no amount":    {Budgets: []BudgetConfig{{Team: "a"}}},
		"budget twice":        {Budgets: []BudgetConfig{{Team: "a", Amount: 1}, {Team: "a", Amount: 2}}},
		"playground team":     {Budgets: []BudgetConfig{{Team: "a", Amount: 1, Playground: true}}},
		"threshold 0":         {Alerts: AlertConfig{Thresholds: []int{0}}},
		"window 2":            {Alerts: AlertConfig{Spike: SpikeConfig{WindowDays: 2}}},
		"history over window": {Alerts: AlertConfig{Spike: SpikeConfig{WindowDays: 5, MinHistory: 6}}},
		"burn window":         {Alerts: AlertConfig{Burn: BurnConfig{WindowHours: 1000}}},
	} {
		if err := c.Validate(nil); err == nil || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}
