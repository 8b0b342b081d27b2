package cost

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/paved-dev/paved"
)

// SpendConfig is the spend section of paved.yaml: how billing lines are
// allocated, the budgets and the alert rules' parameters. Zero values mean
// the documented defaults (docs/spend.md).
type SpendConfig struct {
	// Visibility says who may read spend: organisation (the default,
	// every signed-in user) or team (a team's spend for its members,
	// architects, security and admins). paved.AuthorizeSpend applies it.
	Visibility paved.SpendVisibility `yaml:"visibility"`
	// Tags names the tag keys (with aliases) that place a line.
	Tags AllocationConfig `yaml:"tags"`
	// Accounts maps a billing account or sub-account id to a team, for
	// lines without a team tag.
	Accounts map[string]string `yaml:"accounts"`
	// Shared lists the shared-cost rules.
	Shared []SharedRule `yaml:"shared"`
	// Budgets are monthly budgets; a budget set through the API for the
	// same scope and name wins.
	Budgets []BudgetConfig `yaml:"budgets"`
	Alerts  AlertConfig    `yaml:"alerts"`
}

// BudgetConfig is one budget in paved.yaml: exactly one of Team, Service
// and Account.
type BudgetConfig struct {
	Team    string      `yaml:"team"`
	Service string      `yaml:"service"`
	Account string      `yaml:"account"`
	Amount  paved.Money `yaml:"amount"`
	// Playground marks an account as a playground account: the burn-rate
	// rule watches it.
	Playground bool `yaml:"playground"`
}

// Budget returns the domain budget.
func (b BudgetConfig) Budget() *paved.Budget {
	out := &paved.Budget{Amount: b.Amount, Playground: b.Playground, Source: "paved.yaml"}
	switch {
	case b.Team != "":
		out.Scope, out.Name = paved.ScopeTeam, b.Team
	case b.Service != "":
		out.Scope, out.Name = paved.ScopeService, b.Service
	default:
		out.Scope, out.Name = paved.ScopeAccount, b.Account
	}
	return out
}

// AlertConfig holds the alert rules' parameters.
type AlertConfig struct {
	// Thresholds are the percentages of a budget that raise an alert when
	// the month's actual spend reaches them (default 50, 90, 100).
	Thresholds []int       `yaml:"thresholds"`
	Spike      SpikeConfig `yaml:"spike"`
	Burn       BurnConfig  `yaml:"burn"`
}

// SpikeConfig: a day's usage cost is a spike when it is above
// median + max(K × MAD, P × median) of the trailing WindowDays days and
// above MinAmount.
type SpikeConfig struct {
	WindowDays int         `yaml:"window_days"` // default 14
	K          Factor      `yaml:"k"`           // default 3
	P          Factor      `yaml:"p"`           // default 0.5
	MinAmount  paved.Money `yaml:"min_amount"`  // default 50
	// MinHistory is the number of earlier days with cost a scope needs
	// before its days are judged (default 7).
	MinHistory int `yaml:"min_history_days"`
}

// BurnConfig: a playground account burns too fast when its usage cost
// over the last WindowHours hours, continued at the same rate, would use
// up the rest of its monthly budget within HorizonHours, the rate is at
// least Multiple times the budget's even hourly rate, and the window cost
// is at least MinAmount.
type BurnConfig struct {
	WindowHours  int         `yaml:"window_hours"`  // default 6
	HorizonHours int         `yaml:"horizon_hours"` // default 72: a weekend
	Multiple     Factor      `yaml:"multiple"`      // default 3
	MinAmount    paved.Money `yaml:"min_amount"`    // default 10
}

// Defaults of the alert rules.
var (
	DefaultThresholds = []int{50, 90, 100}
	DefaultSpike      = SpikeConfig{WindowDays: 14, K: 3, P: 0.5, MinAmount: 50 * paved.MoneyUnit, MinHistory: 7}
	DefaultBurn       = BurnConfig{WindowHours: 6, HorizonHours: 72, Multiple: 3, MinAmount: 10 * paved.MoneyUnit}
)

// WithDefaults returns the config with every zero value replaced by its
// default.
func (c AlertConfig) WithDefaults() AlertConfig {
	if len(c.Thresholds) == 0 {
		c.Thresholds = DefaultThresholds
	}
	d := DefaultSpike
	if c.Spike.WindowDays == 0 {
		c.Spike.WindowDays = d.WindowDays
	}
	if c.Spike.K == 0 {
		c.Spike.K = d.K
	}
	if c.Spike.P == 0 {
		c.Spike.P = d.P
	}
	if c.Spike.MinAmount == 0 {
		c.Spike.MinAmount = d.MinAmount
	}
	if c.Spike.MinHistory == 0 {
		c.Spike.MinHistory = d.MinHistory
	}
	b := DefaultBurn
	if c.Burn.WindowHours == 0 {
		c.Burn.WindowHours = b.WindowHours
	}
	if c.Burn.HorizonHours == 0 {
		c.Burn.HorizonHours = b.HorizonHours
	}
	if c.Burn.Multiple == 0 {
		c.Burn.Multiple = b.Multiple
	}
	if c.Burn.MinAmount == 0 {
		c.Burn.MinAmount = b.MinAmount
	}
	return c
}

// Factor is a plain number parameter (not money) such as the spike rule's
// k: "3", "0.5".
type Factor float64

func (f *Factor) UnmarshalText(b []byte) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || v != v || v < 0 || v > 1e6 {
		return paved.Errorf(paved.EINVALID, "%q is not a number from 0 to 1000000", string(b))
	}
	*f = Factor(v)
	return nil
}

func (f Factor) MarshalText() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(f), 'g', -1, 64)), nil
}

// Validate checks what single values cannot. where turns a key path of
// paved.yaml ("spend.budgets[0]") into its location ("paved.yaml:12"); nil
// keeps the path.
func (c *SpendConfig) Validate(where func(string) string) error {
	if where == nil {
		where = func(p string) string { return p }
	}
	for acc, team := range c.Accounts {
		if strings.TrimSpace(acc) == "" {
			return paved.FieldErrorf(paved.EINVALID, where("spend.accounts"), "an account id is empty")
		}
		if err := paved.ValidateName("", team); err != nil {
			return paved.FieldErrorf(paved.EINVALID, where("spend.accounts."+acc), "account %s maps to team %q: %s", acc, team, paved.ErrorMessage(err))
		}
	}
	if err := ValidateShared(c.Shared, where); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, b := range c.Budgets {
		at := fmt.Sprintf("spend.budgets[%d]", i)
		where := locate(where, at, "amount", "team", "service", "account")
		n := 0
		for _, v := range []string{b.Team, b.Service, b.Account} {
			if strings.TrimSpace(v) != "" {
				n++
			}
		}
		if n != 1 {
			return paved.FieldErrorf(paved.EINVALID, where(at), "a budget names exactly one of team, service or account")
		}
		if b.Amount <= 0 {
			return paved.FieldErrorf(paved.EINVALID, where(at+".amount"), "amount must be above zero (a monthly limit in the billing currency)")
		}
		if b.Playground && b.Account == "" {
			return paved.FieldErrorf(paved.EINVALID, where(at+".playground"), "playground applies to account budgets: name the playground account")
		}
		bd := b.Budget()
		k := string(bd.Scope) + "/" + bd.Name
		if seen[k] {
			return paved.FieldErrorf(paved.EINVALID, where(at), "a second budget for %s %q", bd.Scope, bd.Name)
		}
		seen[k] = true
	}
	for i, t := range c.Alerts.Thresholds {
		if t <= 0 || t > 1000 {
			return paved.FieldErrorf(paved.EINVALID, where(fmt.Sprintf("spend.alerts.thresholds[%d]", i)), "threshold %d%%: want a percentage from 1 to 1000", t)
		}
	}
	s := c.Alerts.Spike
	if s.WindowDays < 0 || s.WindowDays > 90 {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.spike.window_days"), "window_days %d: want 3 to 90", s.WindowDays)
	}
	if s.WindowDays != 0 && s.WindowDays < 3 {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.spike.window_days"), "window_days %d: want 3 to 90", s.WindowDays)
	}
	if s.MinHistory < 0 || (s.WindowDays > 0 && s.MinHistory > s.WindowDays) {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.spike.min_history_days"), "min_history_days %d: want 1 to window_days", s.MinHistory)
	}
	if s.MinAmount < 0 {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.spike.min_amount"), "min_amount is negative")
	}
	b := c.Alerts.Burn
	if b.WindowHours < 0 || b.WindowHours > 24*7 {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.burn.window_hours"), "window_hours %d: want 1 to 168", b.WindowHours)
	}
	if b.HorizonHours < 0 || b.HorizonHours > 24*31 {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.burn.horizon_hours"), "horizon_hours %d: want 1 to 744", b.HorizonHours)
	}
	if b.MinAmount < 0 {
		return paved.FieldErrorf(paved.EINVALID, where("spend.alerts.burn.min_amount"), "min_amount is negative")
	}
	return nil
}

// locate returns a where that places the element path at by the first of
// its keys paved.yaml set (list elements themselves have no line).
func locate(where func(string) string, at string, keys ...string) func(string) string {
	line := at
	for _, k := range keys {
		if w := where(at + "." + k); w != at+"."+k {
			line = w
			break
		}
	}
	return func(p string) string {
		if p == at {
			return line
		}
		return where(p)
	}
}

// Allocator builds the allocator for this config and a catalog snapshot.
func (c *SpendConfig) Allocator(services []*paved.Service, teams []*paved.Team) *Allocator {
	cat := &AllocationCatalog{Accounts: c.Accounts, Shared: c.Shared}
	for _, s := range services {
		cat.Services = append(cat.Services, CatalogEntry{Name: s.Name, Owner: s.Owner, Phase: s.Phase})
	}
	for _, t := range teams {
		cat.Teams = append(cat.Teams, t.Name)
	}
	return NewAllocator(c.Tags, cat)
}

// SharedSplit returns how the named shared rule splits (proportional when
// unknown or unset).
func (c *SpendConfig) SharedSplit(name string) Split {
	for _, r := range c.Shared {
		if r.Name == name && r.Split == SplitEven {
			return SplitEven
		}
	}
	return SplitProportional
}
