package cost

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

// updatePrices rewrites the golden files of the price book and estimate tests
// (go test -run Override -update-prices); -update belongs to the billing tests.
var updatePrices = flag.Bool("update-prices", false, "rewrite the price book and estimate golden files")

const goodOverrides = `# negotiated with AWS, reviewed like code
discounts:
  - service: ec2
    product: "m6i.*"
    region: eu-*
    percent: 12.5
    note: Enterprise agreement 2026
  - service: ec2
    percent: 5
  - service: rds
    option: "postgres/*"
    percent: "10"
rows:
  - service: ec2
    region: eu-north-1
    product: m6i.large
    option: linux
    unit: hour
    usd: 0.0904
    source: https://aws.amazon.com/ec2/pricing/on-demand/
    as_of: 2026-10-01
  - service: ec2
    region: us-east-1
    product: m5.large
    option: linux
    unit: hour
    usd: "0.1"
    source: contract 2026-004, annex B
    as_of: 2026-10-01
    note: replaces the embedded row
`

func TestOverrides(t *testing.T) {
	o, err := ParseOverrides("pricebook.yaml", []byte(goodOverrides))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Discounts) != 3 || len(o.Rows) != 2 || o.Rows[0].Origin != "pricebook.yaml:14" || o.Discounts[1].Origin != "pricebook.yaml:8" {
		t.Fatalf("overrides %+v", o)
	}
	b := embedded(t).WithOverrides(o)
	if b.Version != "aws-2026.12 + pricebook.yaml" {
		t.Errorf("version %q", b.Version)
	}
	for _, tc := range []struct {
		k             PriceKey
		usd, list     string
		discount, src string
	}{
		// The first matching discount applies; they do not add up.
		{PriceKey{"ec2", "eu-west-1", "m6i.large", "linux", "hour"}, "0.093625", "0.107", "12.5", "https://aws.amazon.com/ec2/pricing/on-demand/"},
		{PriceKey{"ec2", "eu-north-1", "m6i.large", "linux", "hour"}, "0.0791", "0.0904", "12.5", "https://aws.amazon.com/ec2/pricing/on-demand/"},
		{PriceKey{"ec2", "us-east-1", "m6i.large", "linux", "hour"}, "0.0912", "0.096", "5", "https://aws.amazon.com/ec2/pricing/on-demand/"},
		{PriceKey{"ec2", "us-east-1", "m5.large", "linux", "hour"}, "0.095", "0.1", "5", "contract 2026-004, annex B"},
		{PriceKey{"rds", "us-east-1", "db.r6g.large", "postgres/single-az", "hour"}, "0.2025", "0.225", "10", "https://aws.amazon.com/rds/postgresql/pricing/"},
		{PriceKey{"rds", "us-east-1", "db.r6g.large", "mysql/single-az", "hour"}, "0.215", "0.215", "", "https://aws.amazon.com/rds/mysql/pricing/"},
	} {
		r, ok := b.Lookup(tc.k)
		if !ok {
			t.Errorf("%v: no row", tc.k)
			continue
		}
		d := ""
		if r.Discount != nil {
			d = r.Discount.Percent
		}
		if r.USD.String() != tc.usd || r.ListUSD.String() != tc.list || d != tc.discount || r.Source != tc.src {
			t.Errorf("%v = %s (list %s, discount %q, %s)", tc.k, r.USD, r.ListUSD, d, r.Source)
		}
	}
	// The embedded book is untouched.
	if r, _ := embedded(t).Lookup(PriceKey{"ec2", "us-east-1", "m5.large", "linux", "hour"}); r.USD.String() != "0.096" || r.Discount != nil {
		t.Errorf("embedded row changed: %+v", r)
	}
	if len(b.Discounts()) != 3 {
		t.Errorf("discounts %v", b.Discounts())
	}
	if embedded(t).WithOverrides(nil).Version != "aws-2026.12" {
		t.Error("nil overrides changed the version")
	}
}

func TestLoadOverrides(t *testing.T) {
	dir := t.TempDir()
	if o, err := LoadOverrides(dir); o != nil || err != nil {
		t.Errorf("no file: %v, %v", o, err)
	}
	if o, err := LoadOverrides(""); o != nil || err != nil {
		t.Errorf("no dir: %v, %v", o, err)
	}
	if err := os.WriteFile(filepath.Join(dir, OverrideFileName), []byte(goodOverrides), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := LoadOverrides(dir)
	if err != nil || len(o.Rows) != 2 || !strings.HasSuffix(o.Rows[0].Origin, "pricebook.yaml:14") {
		t.Errorf("LoadOverrides = %+v, %v", o, err)
	}
	if err := os.WriteFile(filepath.Join(dir, OverrideFileName), []byte("rows: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOverrides(dir); err == nil || !strings.Contains(err.Error(), "pricebook.yaml:1: rows: want a list") {
		t.Errorf("bad file: %v", err)
	}
}

// TestOverrideErrors runs every file in testdata/prices/bad and compares
// the messages with bad.golden: each names file:line and what to write.
func TestOverrideErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/prices/bad/*.yaml")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d fixtures, %v", len(files), err)
	}
	var got strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		_, err = ParseOverrides(name, data)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if code := paved.ErrorCode(err); code != paved.EINVALID && code != paved.ETOOLARGE {
			t.Errorf("%s: code %s", name, code)
		}
		if !strings.HasPrefix(err.Error(), name+":") {
			t.Errorf("%s: error does not start with file:line: %v", name, err)
		}
		got.WriteString(err.Error() + "\n")
	}
	golden := "testdata/prices/bad.golden"
	if *updatePrices {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update)", err)
	}
	if got.String() != string(want) {
		t.Errorf("messages differ from %s:\n%s", golden, got.String())
	}
}

func TestOverrideEmpty(t *testing.T) {
	for _, in := range []string{"", "# only comments\n", "---\n", "~\n", "discounts:\nrows:\n"} {
		o, err := ParseOverrides("p.yaml", []byte(in))
		if err != nil || len(o.Rows) != 0 || len(o.Discounts) != 0 {
			t.Errorf("%q: %+v, %v", in, o, err)
		}
	}
	if _, err := ParseOverrides("p.yaml", []byte(strings.Repeat(" ", maxOverrideBytes+1))); paved.ErrorCode(err) != paved.ETOOLARGE {
		t.Errorf("large file: %v", err)
	}
}

func FuzzParseOverrides(f *testing.F) {
	f.Add([]byte(goodOverrides))
	files, _ := filepath.Glob("testdata/prices/bad/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	base, err := Embedded()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseOverrides("f.yaml", data)
		if err != nil {
			if c := paved.ErrorCode(err); c != paved.EINVALID && c != paved.ETOOLARGE {
				t.Fatalf("error code %s: %v", c, err)
			}
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error without its file: %v", err)
			}
			return
		}
		for _, r := range o.Rows {
			if r.USD <= 0 || r.validate(false) != nil {
				t.Fatalf("accepted a bad row %+v", r)
			}
		}
		for _, d := range o.Discounts {
			if d.pct == nil || d.pct.Sign() <= 0 {
				t.Fatalf("accepted a bad discount %+v", d)
			}
		}
		b := base.WithOverrides(o)
		for _, r := range b.Find("m6i.large", "") {
			if r.USD < 0 || r.USD > r.ListUSD {
				t.Fatalf("discounted price %s from %s", r.USD, r.ListUSD)
			}
		}
	})
}
