package cost

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/paved-dev/paved"
)

// Plan cost: what a plan's resources cost a month before and after it, at
// HoursPerMonth hours, from the price book. The decisions are plain
// functions over paved.IaCResource; estimate_aws.go prices each resource
// type.

// PlanInput is one input of a check (a plan file) with its resources.
type PlanInput struct {
	Name      string
	Resources []*paved.IaCResource
}

// PlanCost is the cost estimate of a check's plans.
type PlanCost struct {
	Currency      string `json:"currency"`
	HoursPerMonth int    `json:"hours_per_month"`
	// PriceBook is the version of the price book used.
	PriceBook string `json:"price_book"`
	// Before and After are the monthly cost of every priced resource the
	// plans cover, unchanged ones included; Change is After - Before.
	// Parts that could not be priced are left out of all three and listed.
	Before Money `json:"monthly_before"`
	After  Money `json:"monthly_after"`
	Change Money `json:"monthly_change"`
	// Resources are the resources the plans create, update, replace or
	// delete that cost something or could not be priced, by input and
	// address. Free resources (IAM, security groups...) are counted in
	// Free; unchanged ones in Unchanged.
	Resources []*ResourceCost `json:"resources"`
	Unchanged Unchanged       `json:"unchanged"`
	// Unpriced counts the changed resources with a part that could not be
	// priced, Partial those of them with other parts that were (their
	// priced parts are in the totals); UsageBased those with parts that
	// depend on usage.
	Unpriced   int `json:"unpriced"`
	Partial    int `json:"partly_priced"`
	UsageBased int `json:"usage_based"`
	// Free counts changed resources that cost nothing by themselves.
	Free int `json:"free"`
	// Skipped counts resources not priced by their nature, by reason
	// (Kubernetes objects, data sources).
	Skipped map[string]int `json:"skipped,omitempty"`
}

// Unchanged summarises the resources the plans leave as they are.
type Unchanged struct {
	Resources int   `json:"resources"`
	Monthly   Money `json:"monthly"`
	Unpriced  int   `json:"unpriced"`
}

// ResourceCost is the cost of one resource before and after the plan.
type ResourceCost struct {
	Input   string `json:"input"`
	Address string `json:"address"`
	Type    string `json:"type"`
	Action  string `json:"action"`
	Region  string `json:"region,omitempty"`
	// Before is nil for a resource the plan creates, After for one it
	// deletes.
	Before *Side `json:"before,omitempty"`
	After  *Side `json:"after,omitempty"`
	// Change is After - Before over the priced parts.
	Change Money `json:"monthly_change"`
}

// Side is the cost of a resource in one state.
type Side struct {
	Monthly    Money       `json:"monthly"`
	Components []Component `json:"components"`
	// Unpriced gives the reason for each part that could not be priced.
	Unpriced []string `json:"unpriced,omitempty"`
	// Usage lists the parts whose cost depends on usage, with their price.
	Usage []UsagePart `json:"usage,omitempty"`
	// Notes state the assumptions made (Linux, on-demand, defaults).
	Notes []string `json:"notes,omitempty"`
}

// Component is one priced part: a quantity of a unit at a price.
type Component struct {
	Name string `json:"name"`
	// Price names the row: service, product and option.
	Price    string `json:"price"`
	Quantity string `json:"quantity"` // exact decimal, units a month
	Unit     string `json:"unit"`
	USD      Money  `json:"unit_usd"`
	Monthly  Money  `json:"monthly"`
	Discount string `json:"discount_percent,omitempty"`
	Source   string `json:"source"`
	AsOf     string `json:"as_of"`
}

// UsagePart is a part whose monthly cost depends on usage: its unit price,
// or why there is none.
type UsagePart struct {
	Name     string `json:"name"`
	Unit     string `json:"unit,omitempty"`
	USD      Money  `json:"unit_usd,omitempty"`
	Source   string `json:"source,omitempty"`
	AsOf     string `json:"as_of,omitempty"`
	Unpriced string `json:"unpriced,omitempty"`
}

// Priced reports whether every part of the side could be priced.
func (s *Side) Priced() bool { return s == nil || len(s.Unpriced) == 0 }

// HasPricedPart reports whether some part of either side has a price: such
// a resource is in the totals (for that part) even when another part is
// not.
func (r *ResourceCost) HasPricedPart() bool {
	return r.Before != nil && len(r.Before.Components) > 0 || r.After != nil && len(r.After.Components) > 0
}

// UnpricedReasons returns the reasons of both sides, without repeats.
func (r *ResourceCost) UnpricedReasons() []string {
	var out []string
	for _, s := range []*Side{r.Before, r.After} {
		if s == nil {
			continue
		}
		for _, u := range s.Unpriced {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// UsageParts returns the usage-based parts of the state the plan leaves
// (of the prior state for a delete).
func (r *ResourceCost) UsageParts() []UsagePart {
	if r.After != nil {
		return r.After.Usage
	}
	if r.Before != nil {
		return r.Before.Usage
	}
	return nil
}

// MonthlyIncrease is the plan's total monthly change when it raises the
// cost, else zero: what the cost guard rail and budgets compare.
func (p *PlanCost) MonthlyIncrease() Money {
	if p == nil || p.Change < 0 {
		return 0
	}
	return p.Change
}

// Estimate prices the resources of the given inputs.
func (b *PriceBook) Estimate(inputs ...PlanInput) *PlanCost {
	pc := &PlanCost{Currency: Currency, HoursPerMonth: HoursPerMonth, PriceBook: b.Version, Resources: []*ResourceCost{}}
	skip := func(reason string) {
		if pc.Skipped == nil {
			pc.Skipped = map[string]int{}
		}
		pc.Skipped[reason]++
	}
	// Sums are kept as big.Int nanos: a plan of many large resources
	// cannot overflow them, and the totals are checked once at the end.
	var before, after, unchanged big.Int
	for _, in := range inputs {
		for _, r := range in.Resources {
			if r == nil {
				continue
			}
			switch {
			case r.Source == "kubernetes":
				skip("Kubernetes objects (their cost is the cluster's nodes)")
				continue
			case r.Mode == "data" || r.Action == "read":
				skip("data sources")
				continue
			}
			rc := &ResourceCost{Input: in.Name, Address: r.Address, Type: r.Type, Action: r.Action, Region: r.Region}
			switch r.Action {
			case "create":
				rc.After = b.price(r, r.After, r.AfterUnknown)
			case "delete":
				rc.Before = b.price(r, r.Before, nil)
			case "update", "replace":
				rc.Before = b.price(r, r.Before, nil)
				rc.After = b.price(r, r.After, r.AfterUnknown)
			default: // no-op, forget (the object stays in the cloud): unchanged
				s := b.price(r, r.After, r.AfterUnknown)
				if r.After == nil {
					s = b.price(r, r.Before, nil)
				}
				if s == nil {
					continue
				}
				pc.Unchanged.Resources++
				unchanged.Add(&unchanged, big.NewInt(int64(s.Monthly)))
				if !s.Priced() {
					pc.Unchanged.Unpriced++
				}
				continue
			}
			if rc.Before == nil && rc.After == nil {
				pc.Free++
				continue
			}
			var bm, am Money
			if rc.Before != nil {
				bm = rc.Before.Monthly
				before.Add(&before, big.NewInt(int64(bm)))
			}
			if rc.After != nil {
				am = rc.After.Monthly
				after.Add(&after, big.NewInt(int64(am)))
			}
			rc.Change = am - bm // each side is at most MaxMoney/2 (see price)
			if len(rc.UnpricedReasons()) > 0 {
				pc.Unpriced++
				if rc.HasPricedPart() {
					pc.Partial++
				}
			}
			if len(rc.UsageParts()) > 0 {
				pc.UsageBased++
			}
			pc.Resources = append(pc.Resources, rc)
		}
	}
	before.Add(&before, &unchanged)
	after.Add(&after, &unchanged)
	pc.Unchanged.Monthly = clampMoney(&unchanged)
	pc.Before, pc.After = clampMoney(&before), clampMoney(&after)
	pc.Change = clampMoney(new(big.Int).Sub(&after, &before))
	slices.SortStableFunc(pc.Resources, func(x, y *ResourceCost) int {
		return cmp.Or(cmp.Compare(x.Input, y.Input), cmp.Compare(x.Address, y.Address))
	})
	return pc
}

// clampMoney keeps a sum within Money's range (±9.2 billion a month is
// beyond any plan; the clamp only keeps a hostile plan from wrapping).
func clampMoney(n *big.Int) Money {
	if n.IsInt64() {
		return Money(n.Int64())
	}
	if n.Sign() < 0 {
		return MinMoney
	}
	return MaxMoney
}

// TopChanges returns the changed resources with the largest monthly
// changes first (increases and decreases alike), at most n (0: all).
func (p *PlanCost) TopChanges(n int) []*ResourceCost {
	out := slices.Clone(p.Resources)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := absMoney(out[i].Change), absMoney(out[j].Change)
		if a != b {
			return a > b
		}
		return out[i].Change > out[j].Change
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

func absMoney(m Money) uint64 { return absU(int64(m)) }

// UnpricedByReason groups the reasons resources could not be (fully)
// priced, with the addresses, most frequent first.
func (p *PlanCost) UnpricedByReason() []ReasonGroup {
	idx := map[string]int{}
	var out []ReasonGroup
	for _, r := range p.Resources {
		for _, reason := range r.UnpricedReasons() {
			i, ok := idx[reason]
			if !ok {
				i = len(out)
				idx[reason] = i
				out = append(out, ReasonGroup{Reason: reason})
			}
			out[i].Addresses = append(out[i].Addresses, r.Address)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Addresses) > len(out[j].Addresses) })
	return out
}

// ReasonGroup is one unpriced reason and the resources it applies to.
type ReasonGroup struct {
	Reason    string   `json:"reason"`
	Addresses []string `json:"addresses"`
}

// side builds one Side.
type side struct {
	b      *PriceBook
	res    *paved.IaCResource
	attrs  map[string]any
	unk    map[string]any
	region string
	s      *Side
	total  big.Int
}

// price prices one state of a resource; nil means the resource costs
// nothing by itself (or attrs is nil).
func (b *PriceBook) price(r *paved.IaCResource, attrs, unknown map[string]any) *Side {
	if attrs == nil {
		return nil
	}
	ps := &side{b: b, res: r, attrs: attrs, unk: unknown, region: r.Region, s: &Side{Components: []Component{}}}
	switch {
	case r.Provider != "" && r.Provider != "aws":
		ps.unpriced("%s is not priced: paved's price book holds AWS prices only", r.Type)
		return ps.done()
	}
	pricer, ok := awsPricers[r.Type]
	if !ok {
		if isFree(r.Type) {
			return nil
		}
		ps.unpriced("%s is not priced: paved has no prices for this resource type", r.Type)
		return ps.done()
	}
	if ps.region == "" {
		ps.unpriced("the region is unknown: set the provider's region (or the resource's region) so that the plan says where %s runs", r.Address)
		return ps.done()
	}
	pricer(ps)
	return ps.done()
}

func (ps *side) done() *Side {
	ps.s.Monthly = clampMoney(&ps.total)
	// A side is at most half of Money's range, so that After - Before of
	// one resource cannot overflow.
	if ps.s.Monthly > MaxMoney/2 {
		ps.s.Monthly = MaxMoney / 2
	}
	return ps.s
}

func (ps *side) unpriced(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(ps.s.Unpriced, msg) {
		ps.s.Unpriced = append(ps.s.Unpriced, msg)
	}
}

func (ps *side) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(ps.s.Notes, msg) {
		ps.s.Notes = append(ps.s.Notes, msg)
	}
}

// add prices qty units of the row k (in the resource's region) as one
// component; a missing row makes the part unpriced with the reason.
func (ps *side) add(name string, k PriceKey, qty *big.Rat) {
	if qty == nil || qty.Sign() == 0 {
		return
	}
	if k.Region == "" {
		k.Region = ps.region
	}
	row, ok := ps.b.Lookup(k)
	if !ok {
		ps.unpriced("%s: %s", name, ps.b.Missing(k))
		return
	}
	m, err := row.USD.MulRat(qty)
	if err != nil {
		ps.unpriced("%s: %s", name, paved.ErrorMessage(err))
		return
	}
	c := Component{
		Name: name, Price: k.Service + " " + k.Product, Quantity: ratString(qty), Unit: k.Unit,
		USD: row.USD, Monthly: m, Source: row.Source, AsOf: row.AsOf,
	}
	if k.Option != "" {
		c.Price += " (" + k.Option + ")"
	}
	if row.Discount != nil {
		c.Discount = row.Discount.Percent
	}
	ps.s.Components = append(ps.s.Components, c)
	ps.total.Add(&ps.total, big.NewInt(int64(m)))
}

// hours prices count units of k for a month of hours.
func (ps *side) hours(name string, k PriceKey, count *big.Rat) {
	if count == nil {
		return
	}
	ps.add(name, k, new(big.Rat).Mul(count, big.NewRat(HoursPerMonth, 1)))
}

// usage lists a usage-based part with its price (or why there is none).
func (ps *side) usage(name string, k PriceKey) {
	if k.Region == "" {
		k.Region = ps.region
	}
	u := UsagePart{Name: name, Unit: k.Unit}
	if row, ok := ps.b.Lookup(k); ok {
		u.USD, u.Source, u.AsOf = row.USD, row.Source, row.AsOf
	} else {
		u.Unpriced = ps.b.Missing(k)
	}
	for _, x := range ps.s.Usage {
		if x.Name == u.Name && x.Unit == u.Unit {
			return
		}
	}
	ps.s.Usage = append(ps.s.Usage, u)
}

// usageUnpriced lists a usage-based part the price book has no row for.
func (ps *side) usageUnpriced(name, why string) {
	ps.s.Usage = append(ps.s.Usage, UsagePart{Name: name, Unpriced: why})
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := r.FloatString(9)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
