package paved

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Spend: billing lines (FOCUS) allocated to services and teams, budgets and
// the alerts they raise. The types here are what the store keeps and the
// API shows; the decisions (parsing FOCUS, where a line goes, how shared
// costs split, when an alert fires) are pure functions in internal/cost.

// Money is an exact amount of one currency, counted in nano-units (10^-9 of
// the unit) in an int64, so sums are exact and SQL stores and SUMs it as a
// plain integer on both engines. It has the representation of
// internal/cost.Money, which holds the arithmetic and the input parsers;
// the two convert with a plain conversion. JSON carries it as a decimal
// string ("12.5"), so that no reader turns it into a float on the way.
type Money int64

// MoneyUnit is one currency unit in nano-units.
const MoneyUnit Money = 1_000_000_000

// String prints the exact amount with as few decimals as it needs.
func (m Money) String() string {
	s := m.StringFixed(9)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// StringFixed prints the amount rounded half away from zero to d decimals
// (0..9), always with d decimals: StringFixed(2) of 1234.5 is "1234.50".
func (m Money) StringFixed(d int) string {
	d = max(0, min(d, 9))
	neg := m < 0
	mag := uint64(m)
	if neg {
		mag = uint64(-(m + 1)) + 1
	}
	if d < 9 {
		step := uint64(1)
		for i := d; i < 9; i++ {
			step *= 10
		}
		q, r := mag/step, mag%step
		if 2*r >= step {
			q++
		}
		mag = q * step
	}
	ip, fp := mag/uint64(MoneyUnit), mag%uint64(MoneyUnit)
	var b strings.Builder
	if neg && mag != 0 {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatUint(ip, 10))
	if d > 0 {
		f := strconv.FormatUint(fp, 10)
		f = strings.Repeat("0", 9-len(f)) + f
		b.WriteByte('.')
		b.WriteString(f[:d])
	}
	return b.String()
}

// Float returns the amount as a float64, for charts and ratios only: never
// add money through it.
func (m Money) Float() float64 { return float64(m) / float64(MoneyUnit) }

// ParseAmount reads an exact decimal amount ("1250", "-0.5", "99.99",
// "1.5e3") with at most nine decimal places; more is refused, not rounded.
func ParseAmount(s string) (Money, error) {
	t := strings.TrimSpace(s)
	bad := Errorf(EINVALID, "amount %q is not a decimal number: write digits with an optional sign and decimal point, like 1250 or 99.99", clipText(s))
	if t == "" || len(t) > 64 || strings.ContainsAny(t, "/_ ") {
		return 0, bad
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return 0, bad
	}
	n := new(big.Rat).Mul(r, new(big.Rat).SetInt64(int64(MoneyUnit)))
	if !n.IsInt() {
		return 0, Errorf(EINVALID, "amount %q has more than 9 decimal places", clipText(s))
	}
	if !n.Num().IsInt64() {
		return 0, Errorf(EINVALID, "amount %q is out of range", clipText(s))
	}
	return Money(n.Num().Int64()), nil
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.String() + `"`), nil }

// UnmarshalJSON reads a JSON string or number as an exact amount.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return m.UnmarshalText([]byte(s))
}

// Value stores Money as its integer count of nano-units.
func (m Money) Value() (driver.Value, error) { return int64(m), nil }

// Scan reads an integer count of nano-units (int64, or the decimal text
// PostgreSQL returns for SUM over a bigint column).
func (m *Money) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*m = Money(v)
		return nil
	case nil:
		*m = 0
		return nil
	case []byte:
		return m.scanText(string(v))
	case string:
		return m.scanText(v)
	case float64:
		// SQLite's SUM turns to float only on integer overflow, which
		// Money's range cannot survive either.
		return fmt.Errorf("money column overflowed")
	}
	return fmt.Errorf("cannot read money from %T", src)
}

func (m *Money) scanText(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("cannot read money from %q: want an integer count of nano-units", clipText(s))
	}
	*m = Money(n)
	return nil
}

// Charge categories (FOCUS ChargeCategory), in their canonical spelling.
const (
	ChargeUsage      = "Usage"
	ChargePurchase   = "Purchase"
	ChargeTax        = "Tax"
	ChargeCredit     = "Credit"
	ChargeAdjustment = "Adjustment"
)

// ChargeCategories lists the allowed values.
var ChargeCategories = []string{ChargeUsage, ChargePurchase, ChargeTax, ChargeCredit, ChargeAdjustment}

// Unallocated is the team (and service) of cost that no rule places.
const Unallocated = "unallocated"

// AllocMethod says how a cost line found its team.
type AllocMethod string

const (
	AllocTag     AllocMethod = "tag"     // a team tag (team, owner ...)
	AllocCatalog AllocMethod = "catalog" // the owner of the service a service tag names
	AllocAccount AllocMethod = "account" // the billing or sub-account mapping in paved.yaml
	AllocShared  AllocMethod = "shared"  // a shared-cost rule; split across teams in reports
	AllocNone    AllocMethod = "unallocated"
)

// CostKey is what allocation decides on: the provider, the accounts and the
// tags of a billing line. Lines with the same key go to the same place, so
// the store keeps each key once and the lines point at it; changing the
// allocation rules re-allocates keys, never lines.
type CostKey struct {
	ID               int64             `json:"-"`
	Provider         string            `json:"provider"`
	BillingAccountID string            `json:"billing_account_id"`
	SubAccountID     string            `json:"sub_account_id,omitempty"`
	SubAccountName   string            `json:"sub_account_name,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"` // keys trimmed, as exported

	// The allocation.
	Service string      `json:"service"` // "" when no service tag
	Team    string      `json:"team"`    // Unallocated when no rule placed it
	Env     string      `json:"env,omitempty"`
	Method  AllocMethod `json:"method"`
	Shared  string      `json:"shared,omitempty"` // the shared-cost rule when Method is shared
	// Untagged: the line has neither a service nor a team tag.
	Untagged bool `json:"untagged"`
}

// Account is the account a key is reported under: the sub-account when
// there is one, else the billing account.
func (k *CostKey) Account() string {
	if k.SubAccountID != "" {
		return k.SubAccountID
	}
	return k.BillingAccountID
}

// Digest identifies the key by its provider, accounts and tags (not by its
// allocation).
func (k *CostKey) Digest() string {
	h := sha256.New()
	write := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) }
	write(k.Provider)
	write(k.BillingAccountID)
	write(k.SubAccountID)
	write(k.SubAccountName)
	keys := make([]string, 0, len(k.Tags))
	for t := range k.Tags {
		keys = append(keys, t)
	}
	sort.Strings(keys)
	for _, t := range keys {
		write(t)
		write(k.Tags[t])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// CostLine is one billing line as ingested: the FOCUS columns paved keeps.
type CostLine struct {
	Key *CostKey // shared by the lines of one key
	// Where the line came from, for error messages.
	File string
	Line int

	BillingPeriodStart time.Time
	BillingPeriodEnd   time.Time
	Currency           string
	ChargeStart        time.Time
	ChargeEnd          time.Time
	Category           string // one of ChargeCategories
	Class              string // "" or "Correction"
	ServiceName        string // the provider's service (FOCUS ServiceName), not a paved service
	ServiceCategory    string
	Region             string
	ResourceID         string
	ResourceName       string
	Billed             Money
	Effective          Money
	// EffectiveSet is false when EffectiveCost was empty (or NULL).
	EffectiveSet bool
}

// Period is a billing period's month, "2026-10".
func Period(t time.Time) string { return t.UTC().Format("2006-01") }

// ParseMonth reads "2026-10" as the first instant of that month in UTC.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, FieldErrorf(EINVALID, "month", "month %q is not of the form YYYY-MM (for example 2026-10)", s)
	}
	return t, nil
}

// CostLineSource yields the lines of one ingest. Next returns io.EOF after
// the last line; any other error aborts the ingest.
type CostLineSource interface {
	Next() (*CostLine, error)
	// CostColumns says, once Next returned io.EOF, which cost column each
	// provider's lines are counted with: "EffectiveCost", or "BilledCost"
	// where EffectiveCost was empty or zero on every line of the provider.
	CostColumns() map[string]string
}

// Cost columns.
const (
	ColumnEffective = "EffectiveCost"
	ColumnBilled    = "BilledCost"
)

// CostBatch is the lines of one billing account for one billing period.
// Ingesting the account and period again replaces the batch as a whole.
type CostBatch struct {
	ID               int64     `json:"id"`
	BillingAccountID string    `json:"billing_account_id"`
	Period           string    `json:"period"` // "2026-10"
	Currency         string    `json:"currency"`
	Lines            int64     `json:"lines"`
	Cost             Money     `json:"cost"`
	Billed           Money     `json:"billed_cost"`
	Effective        Money     `json:"effective_cost"`
	Replaced         bool      `json:"replaced,omitempty"` // this ingest replaced an earlier one
	IngestedBy       string    `json:"ingested_by"`
	IngestedAt       time.Time `json:"ingested_at"`
	// CostColumns is the cost column per provider (see CostLineSource).
	CostColumns map[string]string `json:"cost_columns"`
}

// CostIngest is the outcome of one ingest.
type CostIngest struct {
	Files   []string     `json:"files"`
	Version string       `json:"focus_version"` // the newest FOCUS version whose columns the files use
	Lines   int64        `json:"lines"`
	Skipped int64        `json:"skipped"` // invalid lines skipped with --skip-invalid
	Invalid []string     `json:"invalid,omitempty"`
	Keys    int          `json:"keys"` // distinct provider/account/tag combinations
	Batches []*CostBatch `json:"batches"`
	// Ignored lists columns that are neither FOCUS columns paved reads nor
	// x_ extensions.
	Ignored []string      `json:"ignored_columns,omitempty"`
	Alerts  []*CostAlert  `json:"alerts,omitempty"` // raised by the evaluation after the ingest
	Elapsed time.Duration `json:"-"`
}

// CostDimension is what a report groups by.
type CostDimension string

const (
	ByTeam     CostDimension = "team"
	ByService  CostDimension = "service"
	ByAccount  CostDimension = "account"
	ByCategory CostDimension = "category"
)

// ParseCostDimension accepts team, service, account or category.
func ParseCostDimension(s string) (CostDimension, error) {
	d := CostDimension(strings.ToLower(strings.TrimSpace(s)))
	switch d {
	case ByTeam, ByService, ByAccount, ByCategory:
		return d, nil
	}
	return "", FieldErrorf(EINVALID, "by", "cannot group by %q: want team, service, account or category", s)
}

// CostQuery selects the daily totals a report or chart is built from.
type CostQuery struct {
	From, To time.Time // days, [From, To)
	By       CostDimension
	// Filters (empty: all).
	Team    string
	Service string
	Account string
	// Categories restricts the charge categories (nil: all).
	Categories []string
	// Daily splits the totals by day.
	Daily bool
}

// CostTotal is one group of a CostQuery: the cost of one value of the
// dimension (and day, when daily), with shared-cost lines kept apart so
// that a report can split them.
type CostTotal struct {
	Group    string    `json:"group"`
	Day      time.Time `json:"day,omitempty,omitzero"`
	Shared   string    `json:"shared,omitempty"` // the shared-cost rule, "" for direct cost
	Cost     Money     `json:"cost"`
	Lines    int64     `json:"lines"`
	Currency string    `json:"currency"`
}

// CostHour is one hour of one account's cost, for the burn-rate rule.
type CostHour struct {
	Account string    `json:"account"`
	Hour    time.Time `json:"hour"`
	Cost    Money     `json:"cost"`
}

// UntaggedCost is one resource whose lines carry neither a service nor a
// team tag, with its usage and purchase cost.
type UntaggedCost struct {
	ResourceID  string `json:"resource_id"` // "" for lines without a resource
	ServiceName string `json:"service_name"`
	Account     string `json:"account"`
	Team        string `json:"team"` // where the account mapping put it, or unallocated
	Cost        Money  `json:"cost"`
	Lines       int64  `json:"lines"`
}

// BudgetScope is what a budget limits.
type BudgetScope string

const (
	ScopeTeam    BudgetScope = "team"
	ScopeService BudgetScope = "service"
	ScopeAccount BudgetScope = "account" // a (playground) cloud account
)

// ParseBudgetScope accepts team, service or account.
func ParseBudgetScope(s string) (BudgetScope, error) {
	v := BudgetScope(strings.ToLower(strings.TrimSpace(s)))
	switch v {
	case ScopeTeam, ScopeService, ScopeAccount:
		return v, nil
	}
	return "", FieldErrorf(EINVALID, "scope", "unknown budget scope %q: want team, service or account", s)
}

// Budget is a monthly limit for a team, a service or an account.
type Budget struct {
	Scope  BudgetScope `json:"scope"`
	Name   string      `json:"name"`
	Amount Money       `json:"amount"` // per calendar month, in the billing currency
	// Playground marks an account budget as a playground account: the
	// burn-rate rule watches it hour by hour.
	Playground bool      `json:"playground,omitempty"`
	Source     string    `json:"source"` // "paved.yaml" or "api"
	UpdatedBy  string    `json:"updated_by,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitempty,omitzero"`
}

// Validate checks a budget set through the API or CLI.
func (b *Budget) Validate() error {
	if _, err := ParseBudgetScope(string(b.Scope)); err != nil {
		return err
	}
	if strings.TrimSpace(b.Name) == "" {
		return FieldErrorf(EINVALID, "name", "name the %s the budget is for", b.Scope)
	}
	if len(b.Name) > 200 {
		return FieldErrorf(EINVALID, "name", "name is %d characters long: at most 200", len(b.Name))
	}
	if b.Amount <= 0 {
		return FieldErrorf(EINVALID, "amount", "amount %s is not positive: a budget is a monthly limit above zero (delete the budget instead)", b.Amount)
	}
	return nil
}

// Alert rules.
const (
	RuleBudget   = "budget"   // actual month-to-date spend passed a threshold of the budget
	RuleForecast = "forecast" // the month's forecast passes the budget
	RuleSpike    = "spike"    // a day far above the trailing days
	RuleBurn     = "burn"     // a playground account burns its budget too fast
)

// CostAlert is one alert raised by a budget, forecast, spike or burn-rate
// rule. Alerts are de-duplicated by Key: a rule fires once per scope,
// period and threshold.
type CostAlert struct {
	ID        int64       `json:"id"`
	Rule      string      `json:"rule"`
	Scope     BudgetScope `json:"scope"`
	Name      string      `json:"name"`
	Team      string      `json:"team,omitempty"`         // the team to tell
	Period    string      `json:"period"`                 // the month, "2026-10"
	Day       time.Time   `json:"day,omitempty,omitzero"` // the day (spike) or hour (burn) that fired
	Threshold int         `json:"threshold,omitempty"`
	Amount    Money       `json:"amount"` // actual, forecast, the day's cost or the burn projection
	Limit     Money       `json:"limit"`  // the budget, or the spike threshold
	Currency  string      `json:"currency"`
	Message   string      `json:"message"`
	Key       string      `json:"key"`
	CreatedAt time.Time   `json:"created_at"`
	// Planned marks the alert as planned activity: no more alerts of its
	// rule for its scope in its period.
	PlannedBy     string     `json:"planned_by,omitempty"`
	PlannedAt     *time.Time `json:"planned_at,omitempty"`
	PlannedReason string     `json:"planned_reason,omitempty"`
}

// Planned reports whether the alert was marked as planned activity.
func (a *CostAlert) Planned() bool { return a.PlannedBy != "" }

// SuppressKey is what a planned alert suppresses: its rule, scope and period.
func (a *CostAlert) SuppressKey() string {
	return a.Rule + "|" + string(a.Scope) + "|" + a.Name + "|" + a.Period
}

// CostAlertFilter selects alerts, newest first.
type CostAlertFilter struct {
	Period string // "" for all
	Scope  BudgetScope
	Name   string
	Team   string
	Limit  int
}

// CostStore persists billing lines, budgets and alerts. Each write is one
// transaction that appends its audit event.
type CostStore interface {
	// IngestCost reads every line of src in one transaction: each billing
	// account and period it holds replaces what was stored for them, so
	// readers see either the old batch or the new one, never half.
	IngestCost(ctx context.Context, src CostLineSource) (*CostIngest, error)
	// FindCostBatches lists the stored batches, newest period first.
	FindCostBatches(ctx context.Context) ([]*CostBatch, error)
	// CostKeys returns every stored key with its allocation; Reallocate
	// stores new allocations for them (matched by ID) and returns how many
	// changed.
	CostKeys(ctx context.Context) ([]*CostKey, error)
	Reallocate(ctx context.Context, keys []*CostKey) (int, error)

	// CostTotals sums the cost q selects.
	CostTotals(ctx context.Context, q CostQuery) ([]*CostTotal, error)
	// CostHours returns the hourly cost of the given accounts in [from, to).
	CostHours(ctx context.Context, accounts []string, from, to time.Time) ([]*CostHour, error)
	// Untagged ranks untagged resources by usage and purchase cost in
	// [from, to).
	Untagged(ctx context.Context, from, to time.Time, limit int) ([]*UntaggedCost, error)
	// CostRange returns the first and last day with cost lines and the
	// currency (zero times when nothing is stored).
	CostRange(ctx context.Context) (first, last time.Time, currency string, err error)

	FindBudgets(ctx context.Context) ([]*Budget, error)
	SetBudget(ctx context.Context, b *Budget) error
	DeleteBudget(ctx context.Context, scope BudgetScope, name string) error

	// SaveCostAlerts stores the alerts whose Key is new, each with the
	// notification announce composes from the alert as stored (its ID
	// assigned) in the same transaction, and returns those it stored.
	SaveCostAlerts(ctx context.Context, alerts []*CostAlert, announce func(*CostAlert) *Notification) ([]*CostAlert, error)
	FindCostAlerts(ctx context.Context, f CostAlertFilter) ([]*CostAlert, error)
	FindCostAlert(ctx context.Context, id int64) (*CostAlert, error)
	// PlanCostAlert marks an alert as planned activity.
	PlanCostAlert(ctx context.Context, id int64, reason string) (*CostAlert, error)
}

// MarshalTags writes tags as canonical JSON (sorted keys).
func MarshalTags(tags map[string]string) string {
	if len(tags) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(tags) // map keys are sorted; strings always marshal
	return string(b)
}
