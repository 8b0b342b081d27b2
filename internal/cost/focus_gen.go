package cost

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/paved-dev/paved"
)

// GenerateFOCUS writes a realistic FOCUS file: hourly usage lines of a set
// of resources spread over services, teams and accounts, made from the
// rows of a sample export (each sample row is a kind of resource: an
// instance, a volume, a bucket ...), plus the month's tax, credit and
// support lines. The benchmark (bench/genfocus) and the demo use it.

// SampleFOCUS is an AWS FOCUS 1.2 export of eight lines, one per kind of
// resource (an instance, a database, a bucket, a volume, a NAT gateway, a
// function, data transfer, a cache node covered by a reservation), with
// all 56 columns: the generator's default templates.
//
//go:embed focus_sample.csv
var SampleFOCUS []byte

// GenService is a service whose resources the generator bills.
type GenService struct {
	Name    string
	Team    string
	Account string // sub-account id
	// Weight scales the service's resource count (0 counts as 1).
	Weight int
}

// GenSpike adds a burst of usage: PerHour on Account from Start for Hours.
type GenSpike struct {
	Account string
	Service string // tagged as this service ("" untagged)
	Team    string
	Start   time.Time
	Hours   int
	PerHour paved.Money
}

// GenOptions shapes a generated file.
type GenOptions struct {
	Sample   []byte // a FOCUS CSV whose rows are the resource templates (nil: SampleFOCUS)
	Month    time.Time
	Days     int // days of the month billed (default: the whole month)
	Rows     int // approximate number of usage lines (resources × hours)
	Services []GenService
	// Untagged is the share of resources with no tags; OwnerOnly the share
	// tagged with an owner but no service.
	Untagged, OwnerOnly float64
	Spikes              []GenSpike
	Seed                uint64
	// BillingAccount overrides the sample's.
	BillingAccount string
}

type genResource struct {
	tmpl    int
	id      string
	name    string
	account string
	tags    string
	factor  float64
}

// GenerateFOCUS writes the file and returns the number of lines written.
func GenerateFOCUS(w io.Writer, opt GenOptions) (int, error) {
	sample := opt.Sample
	if len(sample) == 0 {
		sample = SampleFOCUS
	}
	cr := csv.NewReader(strings.NewReader(string(sample)))
	recs, err := cr.ReadAll()
	if err != nil {
		return 0, fmt.Errorf("sample: %w", err)
	}
	if len(recs) < 2 {
		return 0, fmt.Errorf("sample: want a header and at least one row")
	}
	header := recs[0]
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	need := []string{"BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargePeriodEnd", "ResourceId", "Tags", "SubAccountId", "BillingPeriodStart", "BillingPeriodEnd"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return 0, fmt.Errorf("sample: no %s column", n)
		}
	}
	tmpls := recs[1:]
	if len(opt.Services) == 0 {
		return 0, fmt.Errorf("no services to bill")
	}
	month, end := MonthRange(opt.Month)
	days := int(end.Sub(month).Hours() / 24)
	if opt.Days > 0 && opt.Days < days {
		days = opt.Days
	}
	hours := days * 24
	nres := max(1, opt.Rows/hours)
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))

	// Resources, spread over the services by weight.
	var weights []int
	total := 0
	for _, s := range opt.Services {
		wgt := max(1, s.Weight)
		weights = append(weights, wgt)
		total += wgt
	}
	res := make([]genResource, nres)
	sizes := []float64{0.5, 1, 1, 2, 2, 4, 8}
	for i := range res {
		x := rng.IntN(total)
		si := 0
		for ; si < len(weights)-1 && x >= weights[si]; si++ {
			x -= weights[si]
		}
		s := opt.Services[si]
		r := genResource{tmpl: rng.IntN(len(tmpls)), account: s.Account, factor: sizes[rng.IntN(len(sizes))]}
		t := tmpls[r.tmpl]
		base := t[col["ResourceId"]]
		if j := strings.LastIndexAny(base, "-/:"); j >= 0 {
			base = base[:j+1]
		}
		r.id = fmt.Sprintf("%s%s-%05d", base, s.Name, i)
		r.name = fmt.Sprintf("%s-%d", s.Name, i)
		switch p := rng.Float64(); {
		case p < opt.Untagged:
			r.tags = ""
		case p < opt.Untagged+opt.OwnerOnly:
			r.tags = fmt.Sprintf(`{"owner":%q}`, s.Team)
		default:
			r.tags = fmt.Sprintf(`{"team":%q,"service":%q,"env":"production"}`, s.Team, s.Name)
		}
		res[i] = r
	}

	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	set := func(rec []string, name, v string) {
		if i, ok := col[name]; ok {
			rec[i] = v
		}
	}
	bps, bpe := month.Format(time.RFC3339), end.Format(time.RFC3339)
	rec := make([]string, len(header))
	n := 0
	var hourStr [2]string
	for h := 0; h < hours; h++ {
		start := month.Add(time.Duration(h) * time.Hour)
		hourStr[0], hourStr[1] = start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339)
		// A little daily rhythm: nights are cheaper for what scales.
		daily := 1.0
		if hr := start.Hour(); hr < 6 {
			daily = 0.8
		}
		for _, r := range res {
			copy(rec, tmpls[r.tmpl])
			base, _ := strconv.ParseFloat(tmpls[r.tmpl][col["BilledCost"]], 64)
			cost := base * r.factor * daily * (0.9 + 0.2*rng.Float64())
			c := strconv.FormatFloat(cost, 'f', 10, 64)
			set(rec, "BilledCost", c)
			set(rec, "EffectiveCost", c)
			set(rec, "ListCost", c)
			set(rec, "ContractedCost", c)
			set(rec, "ChargePeriodStart", hourStr[0])
			set(rec, "ChargePeriodEnd", hourStr[1])
			set(rec, "BillingPeriodStart", bps)
			set(rec, "BillingPeriodEnd", bpe)
			set(rec, "ResourceId", r.id)
			set(rec, "ResourceName", r.name)
			set(rec, "SubAccountId", r.account)
			set(rec, "SubAccountName", r.account)
			set(rec, "Tags", r.tags)
			if opt.BillingAccount != "" {
				set(rec, "BillingAccountId", opt.BillingAccount)
			}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
		for _, sp := range opt.Spikes {
			if start.Before(sp.Start) || !start.Before(sp.Start.Add(time.Duration(sp.Hours)*time.Hour)) {
				continue
			}
			copy(rec, tmpls[0])
			c := sp.PerHour.String()
			set(rec, "BilledCost", c)
			set(rec, "EffectiveCost", c)
			set(rec, "ListCost", c)
			set(rec, "ContractedCost", c)
			set(rec, "ChargePeriodStart", hourStr[0])
			set(rec, "ChargePeriodEnd", hourStr[1])
			set(rec, "BillingPeriodStart", bps)
			set(rec, "BillingPeriodEnd", bpe)
			set(rec, "ResourceId", "i-burst-"+sp.Account)
			set(rec, "ResourceName", "gpu-batch")
			set(rec, "SubAccountId", sp.Account)
			set(rec, "SubAccountName", sp.Account)
			set(rec, "ChargeDescription", "On Demand Linux p4d.24xlarge Instance Hour")
			tags := ""
			if sp.Service != "" {
				tags = fmt.Sprintf(`{"team":%q,"service":%q,"env":"playground"}`, sp.Team, sp.Service)
			}
			set(rec, "Tags", tags)
			if opt.BillingAccount != "" {
				set(rec, "BillingAccountId", opt.BillingAccount)
			}
			if err := cw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
	}
	// The month's one-time lines: tax, a credit, support.
	for _, x := range []struct{ cat, desc, cost, svc, freq string }{
		{"Tax", "Sales tax", "1250.00", "Tax", "One-Time"},
		{"Credit", "Promotional credit", "-500.00", "AWS Credits", "One-Time"},
		{"Purchase", "AWS Support (Business)", "900.00", "AWS Support", "Recurring"},
	} {
		copy(rec, tmpls[0])
		set(rec, "ChargeCategory", x.cat)
		set(rec, "ChargeDescription", x.desc)
		set(rec, "ChargeFrequency", x.freq)
		set(rec, "BilledCost", x.cost)
		set(rec, "EffectiveCost", x.cost)
		set(rec, "ListCost", x.cost)
		set(rec, "ContractedCost", x.cost)
		set(rec, "ChargePeriodStart", bps)
		set(rec, "ChargePeriodEnd", bpe)
		set(rec, "BillingPeriodStart", bps)
		set(rec, "BillingPeriodEnd", bpe)
		set(rec, "ResourceId", "")
		set(rec, "ResourceName", "")
		set(rec, "ServiceName", x.svc)
		set(rec, "ServiceCategory", "Other")
		set(rec, "SubAccountId", "")
		set(rec, "SubAccountName", "")
		set(rec, "Tags", "")
		if opt.BillingAccount != "" {
			set(rec, "BillingAccountId", opt.BillingAccount)
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}
