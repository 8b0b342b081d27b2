package cost

import (
	"encoding/json"
	"math/big"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

func embedded(t testing.TB) *PriceBook {
	t.Helper()
	b, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEmbeddedPriceBook holds the embedded rows to their promises: a
// source and an as-of date on every row, positive prices, no duplicates
// (Embedded refuses them), and the regions and services the docs name.
func TestEmbeddedPriceBook(t *testing.T) {
	b := embedded(t)
	if b.Version != "aws-2026.12" {
		t.Errorf("version %q", b.Version)
	}
	if b.Len() < 1500 {
		t.Errorf("only %d rows", b.Len())
	}
	services := map[string]map[string]bool{}
	for _, r := range b.Rows() {
		// An AWS pricing page, or a file of another project pinned at a
		// commit that holds figures generated from the AWS Price List API
		// (dated as generated; the note names AWS's page too).
		switch {
		case strings.HasPrefix(r.Source, "https://aws.amazon.com/"):
			// The 2025 book, and rows added later from a page that quotes
			// AWS: their note names that page.
			if r.AsOf != "2025-01-01" && (r.AsOf != "2026-12-07" || !regexp.MustCompile(`as quoted by https://\S+, read \d{4}-\d{2}-\d{2}`).MatchString(r.Note)) {
				t.Errorf("%s: as_of %q without a note naming where it was read (%q)", r.Origin, r.AsOf, r.Note)
			}
		case r.Source == karpenterPricing:
			if r.AsOf != "2026-01-19" || r.Region != "us-east-1" || !strings.Contains(r.Note, "AWS page: https://aws.amazon.com/") {
				t.Errorf("%s: a row from Karpenter's table (us-east-1, generated 2026-01-19) is %s %s, note %q", r.Origin, r.Region, r.AsOf, r.Note)
			}
		default:
			t.Errorf("%s: source %q is neither an AWS pricing page nor a pinned file generated from AWS's price list", r.Origin, r.Source)
		}
		if r.USD <= 0 || r.USD != r.ListUSD || r.Discount != nil {
			t.Errorf("%s: price %s / list %s", r.Origin, r.USD, r.ListUSD)
		}
		if !regexp.MustCompile(`^internal/cost/pricebook/aws/[a-z0-9]+\.csv:\d+$`).MatchString(r.Origin) {
			t.Errorf("origin %q", r.Origin)
		}
		if services[r.Service] == nil {
			services[r.Service] = map[string]bool{}
		}
		services[r.Service][r.Region] = true
	}
	all := []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"}
	for _, svc := range []string{"ec2", "ebs", "s3", "nat-gateway", "elb", "lambda", "eks", "vpc", "kms", "secretsmanager"} {
		for _, region := range all {
			if !services[svc][region] {
				t.Errorf("no %s prices in %s", svc, region)
			}
		}
	}
	for _, svc := range []string{"rds", "rds-storage", "elasticache", "dynamodb"} {
		for _, region := range all[:2] {
			if !services[svc][region] {
				t.Errorf("no %s prices in %s", svc, region)
			}
		}
	}
	for _, svc := range Services {
		if len(services[svc]) == 0 {
			t.Errorf("service %s has no rows", svc)
		}
	}
	// Spot checks against the published figures.
	for _, tc := range []struct {
		k    PriceKey
		want string
	}{
		{PriceKey{"ec2", "us-east-1", "m5.large", "linux", "hour"}, "0.096"},
		{PriceKey{"ec2", "us-east-1", "t3.micro", "linux", "hour"}, "0.0104"},
		{PriceKey{"ec2", "eu-west-1", "m6i.xlarge", "linux", "hour"}, "0.214"},
		{PriceKey{"ec2", "eu-central-1", "c6g.medium", "linux", "hour"}, "0.0388"},
		{PriceKey{"ec2", "us-west-2", "x2idn.24xlarge", "linux", "hour"}, "10.0035"},
		{PriceKey{"rds", "us-east-1", "db.r6g.xlarge", "postgres/multi-az", "hour"}, "0.9"},
		{PriceKey{"rds", "us-east-1", "db.t3.micro", "mysql/single-az", "hour"}, "0.017"},
		{PriceKey{"rds", "us-east-1", "db.r6g.large", "aurora-postgresql", "hour"}, "0.26"},
		{PriceKey{"rds-storage", "us-east-1", "gp3", "multi-az", "GB-month"}, "0.23"},
		{PriceKey{"ebs", "eu-central-1", "gp3", "", "GB-month"}, "0.0952"},
		{PriceKey{"lambda", "ap-southeast-1", "duration", "arm64", "1M GB-seconds"}, "13.3334"},
		{PriceKey{"route53", "global", "hosted-zone", "", "month"}, "0.5"},
		// Current families, as Karpenter's table generated from the AWS
		// Price List API on 2026-01-19 gives them.
		{PriceKey{"ec2", "us-east-1", "m8g.large", "linux", "hour"}, "0.08976"},
		{PriceKey{"ec2", "us-east-1", "m8g.48xlarge", "linux", "hour"}, "8.61696"},
		{PriceKey{"ec2", "us-east-1", "c8g.medium", "linux", "hour"}, "0.03988"},
		{PriceKey{"ec2", "us-east-1", "c8g.16xlarge", "linux", "hour"}, "2.55232"},
		{PriceKey{"ec2", "us-east-1", "r8g.xlarge", "linux", "hour"}, "0.23564"},
		{PriceKey{"ec2", "us-east-1", "r8g.24xlarge", "linux", "hour"}, "5.65536"},
		{PriceKey{"ec2", "us-east-1", "m7a.2xlarge", "linux", "hour"}, "0.46368"},
		{PriceKey{"ec2", "us-east-1", "c7a.large", "linux", "hour"}, "0.10264"},
		{PriceKey{"ec2", "us-east-1", "r7a.medium", "linux", "hour"}, "0.07608"},
		{PriceKey{"ec2", "us-east-1", "r7a.32xlarge", "linux", "hour"}, "9.7376"},
		{PriceKey{"ec2", "us-east-1", "x2gd.4xlarge", "linux", "hour"}, "1.336"},
		{PriceKey{"ec2", "us-east-1", "i4i.32xlarge", "linux", "hour"}, "10.9824"},
	} {
		r, ok := b.Lookup(tc.k)
		if !ok || r.USD.String() != tc.want {
			t.Errorf("%v = %v, want %s", tc.k, r, tc.want)
		}
	}
}

// karpenterPricing is the on-demand table the Karpenter project generates
// from the AWS Price List API, at the commit whose us-east-1 figures
// (generated 2026-01-19) the book copies.
const karpenterPricing = "https://github.com/aws/karpenter-provider-aws/blob/64b7e2c45cfed2de727df40d44060ce3a995bd14/pkg/providers/pricing/zz_generated.pricing_aws.go"

type catalogRow struct {
	VCPU      float64 `json:"vcpu"`
	MemoryGiB float64 `json:"memory_gib"`
}

// instanceCatalog reads the policy library's instance catalog: the one
// place instance sizes are kept.
func instanceCatalog(t *testing.T) (ec2, rds map[string]catalogRow) {
	t.Helper()
	data, err := os.ReadFile("../policy/rego/data/instances.json")
	if err != nil {
		t.Fatal(err)
	}
	var cat struct {
		EC2 map[string]catalogRow `json:"ec2"`
		RDS map[string]catalogRow `json:"rds"`
	}
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	return cat.EC2, cat.RDS
}

// TestPriceBookAgreesWithInstanceCatalog keeps the price book and the
// policy library's instance catalog in step: every priced EC2 type and
// RDS class is in the catalog, and within a family, region and option the
// price per vCPU is the same for every size (AWS prices sizes in
// proportion), which catches a mistyped price or size on either side.
func TestPriceBookAgreesWithInstanceCatalog(t *testing.T) {
	ec2, rds := instanceCatalog(t)
	b := embedded(t)
	type fam struct{ service, region, family, option string }
	perVCPU := map[fam][]*big.Rat{}
	names := map[fam][]string{}
	for _, r := range b.Rows() {
		var c catalogRow
		var ok bool
		switch r.Service {
		case "ec2":
			c, ok = ec2[r.Product]
		case "rds":
			c, ok = rds[r.Product]
		default:
			continue
		}
		if !ok {
			t.Errorf("%s: %s %s is not in the instance catalog (internal/policy/rego/data/instances.json)", r.Origin, r.Service, r.Product)
			continue
		}
		family, size := splitProduct(r.Product)
		if strings.HasPrefix(family, "db.t") || strings.HasPrefix(family, "t") {
			// Burstable classes are priced per size, not per vCPU (a
			// t3.nano and a t3.2xlarge both have 2+ vCPUs).
			_ = size
			continue
		}
		k := fam{r.Service, r.Region, family, r.Option}
		v := new(big.Rat).Quo(r.USD.Rat(), new(big.Rat).SetFloat64(c.VCPU))
		perVCPU[k] = append(perVCPU[k], v)
		names[k] = append(names[k], r.Product+"="+r.USD.String())
	}
	tolerance := big.NewRat(1, 100) // AWS rounds some prices to four decimals
	for k, vs := range perVCPU {
		lo, hi := vs[0], vs[0]
		for _, v := range vs {
			if v.Cmp(lo) < 0 {
				lo = v
			}
			if v.Cmp(hi) > 0 {
				hi = v
			}
		}
		spread := new(big.Rat).Quo(new(big.Rat).Sub(hi, lo), lo)
		if spread.Cmp(tolerance) > 0 {
			t.Errorf("%v: price per vCPU varies by %s%% across sizes: %s", k, spread.FloatString(2), strings.Join(names[k], " "))
		}
	}
}

func TestRDSMultiAZIsTwiceSingleAZ(t *testing.T) {
	b := embedded(t)
	n := 0
	for _, r := range b.Rows() {
		if r.Service != "rds" || !strings.HasSuffix(r.Option, "/single-az") {
			continue
		}
		k := r.Key()
		k.Option = strings.TrimSuffix(k.Option, "/single-az") + "/multi-az"
		m, ok := b.Lookup(k)
		if !ok {
			t.Errorf("%s: no multi-AZ row", r.Origin)
			continue
		}
		if want, _ := r.USD.MulInt(2); m.USD != want {
			t.Errorf("%s: multi-AZ %s is not twice %s", m.Origin, m.USD, r.USD)
		}
		n++
	}
	if n < 100 {
		t.Errorf("only %d single-AZ rows", n)
	}
}

func TestParseCSVErrors(t *testing.T) {
	head := "service,region,product,option,unit,usd,source,as_of,note\n"
	ok := "ec2,us-east-1,m5.large,linux,hour,0.096,https://aws.amazon.com/ec2/pricing/on-demand/,2025-01-01,\n"
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "p.csv: no header"},
		{"comments only", "# nothing\n", "p.csv: no header"},
		{"bad header", "service,region\n", `p.csv:1: header is "service,region"`},
		{"short row", head + "ec2,us-east-1\n", "p.csv:2: 2 fields: want 9"},
		{"quote", head + "ec2,\"us\n", "p.csv:2: not valid CSV"},
		{"service", head + strings.Replace(ok, "ec2,", "ec3,", 1), `p.csv:2: unknown service "ec3"`},
		{"region", head + strings.Replace(ok, "us-east-1", "Virginia", 1), `p.csv:2: region "Virginia"`},
		{"product", head + strings.Replace(ok, "m5.large", "m5 large", 1), `p.csv:2: product "m5 large"`},
		{"option", head + strings.Replace(ok, "linux", "Linux", 1), `p.csv:2: option "Linux"`},
		{"unit", head + strings.Replace(ok, "hour", "hours", 1), `p.csv:2: unknown unit "hours"`},
		{"usd", head + strings.Replace(ok, "0.096", "$0.096", 1), `p.csv:2: usd: amount "$0.096" is not a decimal number`},
		{"usd zero", head + strings.Replace(ok, "0.096", "0", 1), "p.csv:2: usd is 0: a price is above zero"},
		{"usd negative", head + strings.Replace(ok, "0.096", "-1", 1), "p.csv:2: usd is -1"},
		{"usd float artefact", head + strings.Replace(ok, "0.096", "0.09600000000001", 1), "more than 9 decimal places"},
		{"no source", head + strings.Replace(ok, "https://aws.amazon.com/ec2/pricing/on-demand/", "", 1), "p.csv:2: source is empty"},
		{"http source", head + strings.Replace(ok, "https://", "http://", 1), "p.csv:2: source \"http://"},
		{"date", head + strings.Replace(ok, "2025-01-01", "2025-13-01", 1), `p.csv:2: as_of "2025-13-01"`},
		{"no date", head + strings.Replace(ok, "2025-01-01", "", 1), `p.csv:2: as_of ""`},
		{"long", head + strings.Replace(ok, "linux", strings.Repeat("x", 600), 1), "option is 600 characters long"},
		{"line after comments", head + "# c\n\n" + strings.Replace(ok, "hour", "day", 1), "p.csv:4: unknown unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV("p.csv", []byte(tc.in), true)
			if err == nil || !strings.Contains(err.Error(), tc.want) || paved.ErrorCode(err) != paved.EINVALID {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	rows, err := ParseCSV("p.csv", []byte("# c\n"+head+ok), true)
	if err != nil || len(rows) != 1 || rows[0].Origin != "p.csv:3" || rows[0].USD != 96_000_000 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if _, err := NewPriceBook("x", append(rows, rows[0])); err == nil || !strings.Contains(err.Error(), "p.csv:3: m5.large (linux) per hour in us-east-1 is already priced at p.csv:3") {
		t.Errorf("duplicate: %v", err)
	}
}

func TestFind(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct {
		q, region string
		min       int
		services  string
	}{
		{"aws_db_instance", "us-east-1", 100, "rds rds-storage"},
		{"db.r6g.xlarge", "", 10, "rds"},
		{"m6i.large", "eu-west-1", 1, "ec2"},
		{"m6i", "us-east-1", 9, "ec2"},
		{"gp3", "us-east-1", 3, "ebs rds-storage"},
		{"lambda", "", 15, "lambda"},
		{"DB.R6G.XLARGE", "us-east-1", 5, "rds"},
	} {
		rows := b.Find(tc.q, tc.region)
		got := map[string]bool{}
		for _, r := range rows {
			got[r.Service] = true
			if tc.region != "" && r.Region != tc.region {
				t.Errorf("%s: row in %s", tc.q, r.Region)
			}
		}
		if len(rows) < tc.min {
			t.Errorf("Find(%q, %q) = %d rows, want %d or more", tc.q, tc.region, len(rows), tc.min)
		}
		for _, s := range strings.Fields(tc.services) {
			if !got[s] {
				t.Errorf("Find(%q) has no %s rows", tc.q, s)
			}
		}
	}
	if rows := b.Find("m6i.large", "mars-north-1"); len(rows) != 0 {
		t.Errorf("rows for an unknown region: %d", len(rows))
	}
	// Sizes sort by size, not as text.
	rows := b.Find("m6i", "us-east-1")
	var order []string
	for _, r := range rows {
		order = append(order, r.Product)
	}
	if strings.Join(order[:4], " ") != "m6i.large m6i.xlarge m6i.2xlarge m6i.4xlarge" {
		t.Errorf("order %v", order)
	}
}

func TestMissing(t *testing.T) {
	b := embedded(t)
	if got := b.Missing(PriceKey{"rds", "eu-central-1", "db.r6g.xlarge", "postgres/single-az", "hour"}); got != "no price for db.r6g.xlarge (postgres/single-az) in eu-central-1 (the price book has it in us-east-1, us-west-2): add a row to pricebook.yaml" {
		t.Errorf("Missing = %q", got)
	}
	if got := b.Missing(PriceKey{"ec2", "us-east-1", "z9.huge", "linux", "hour"}); got != "no price for z9.huge (linux) per hour: it is not in the price book; add rows to pricebook.yaml" {
		t.Errorf("Missing = %q", got)
	}
}

func FuzzParseCSV(f *testing.F) {
	data, err := pricebookFS.ReadFile("pricebook/aws/network.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("service,region,product,option,unit,usd,source,as_of,note\nec2,us-east-1,m5.large,linux,hour,1e-3,x,2025-01-01,\n"))
	f.Add([]byte("# x\n\"a\"\"b\",c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, strict := range []bool{true, false} {
			rows, err := ParseCSV("f.csv", data, strict)
			if err != nil {
				if paved.ErrorCode(err) == paved.EINTERNAL || !strings.HasPrefix(err.Error(), "f.csv") {
					t.Fatalf("error without code or place: %v", err)
				}
				continue
			}
			for _, r := range rows {
				if r.USD <= 0 || r.Source == "" || r.Origin == "" || r.validate(strict) != nil {
					t.Fatalf("accepted a bad row %+v", r)
				}
			}
			if b, err := NewPriceBook("f", rows); err == nil {
				b.Rows()
				b.Find("ec2", "")
			}
		}
	})
}
