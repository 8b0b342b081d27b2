package cost

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/paved-dev/paved"
)

// The price book: offline prices with their source and as-of date per row.
// The embedded rows live in pricebook/aws/*.csv; an organisation adds rows
// and negotiated discounts in pricebook.yaml next to its paved.yaml
// (prices_override.go). Amounts are Money (USD); nothing here is a float.

//go:embed pricebook
var pricebookFS embed.FS

// Currency of every price in the book.
const Currency = "USD"

// PriceRow is one price: what one unit of one product costs in one region.
type PriceRow struct {
	// Service is the price book's service: ec2, rds, rds-storage, ebs, s3,
	// nat-gateway, elb, vpc, elasticache, dynamodb, lambda, eks, kms,
	// secretsmanager, route53, cloudwatch (Services lists them).
	Service string `json:"service"`
	// Region is an AWS region (us-east-1) or "global".
	Region string `json:"region"`
	// Product is the instance type or class, volume type, storage class
	// or the service's billable thing (nat-gateway, application, cluster).
	Product string `json:"product"`
	// Option tells rows of one product apart: the engine and deployment
	// of a database (postgres/multi-az), the operating system of an
	// instance (linux), a tier (first-32000); "" when there is none.
	Option string `json:"option,omitempty"`
	// Unit is what USD is the price of (Units lists them).
	Unit string `json:"unit"`
	// USD is the price of one unit, after the discount when there is one.
	USD Money `json:"usd"`
	// ListUSD is the price before the discount; equal to USD without one.
	ListUSD Money `json:"list_usd"`
	// Discount names the pricebook.yaml discount applied, if any.
	Discount *Discount `json:"discount,omitempty"`
	// Source is where the price was published (a pricing page or a Price
	// List API offer file), or the reference of a negotiated price.
	Source string `json:"source"`
	// AsOf is the date the price is known to have held (YYYY-MM-DD).
	AsOf string `json:"as_of"`
	Note string `json:"note,omitempty"`
	// Origin is the file and line the row was read from.
	Origin string `json:"origin"`
}

// PriceKey identifies a row: two rows with the same key are duplicates.
type PriceKey struct {
	Service, Region, Product, Option, Unit string
}

// Key returns the row's key.
func (r *PriceRow) Key() PriceKey {
	return PriceKey{Service: r.Service, Region: r.Region, Product: r.Product, Option: r.Option, Unit: r.Unit}
}

func (k PriceKey) String() string {
	s := k.Product
	if k.Option != "" {
		s += " (" + k.Option + ")"
	}
	return s + " per " + k.Unit
}

// Services are the price book's services.
var Services = []string{"cloudwatch", "dynamodb", "ebs", "ec2", "eks", "elasticache", "elb", "kms", "lambda", "nat-gateway", "rds", "rds-storage", "route53", "s3", "secretsmanager", "vpc"}

// Units are the units a price may be given per.
var Units = []string{
	"hour", "month", "GB", "GB-month", "IOPS-month", "MiBps-month", "LCU-hour", "RCU-hour", "WCU-hour",
	"1K requests", "1M requests", "1M I/O requests", "1M read request units", "1M write request units", "1M GB-seconds",
}

// HoursPerMonth is the month plan costs are given for: 730 hours
// (8,760 hours a year / 12), the figure AWS's own calculator uses.
const HoursPerMonth = 730

// CSVColumns is the header of a price book CSV file.
var CSVColumns = []string{"service", "region", "product", "option", "unit", "usd", "source", "as_of", "note"}

// Limits on price book input.
const (
	maxBookBytes = 8 << 20
	maxBookRows  = 100_000
	maxFieldLen  = 500
)

var (
	regionRE  = regexp.MustCompile(`^([a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}|global)$`)
	productRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
	optionRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9._/-]*$`)
)

// PriceBook is a set of rows with at most one row per key, and the
// discounts applied when a row is looked up.
type PriceBook struct {
	// Version names the embedded data ("aws-2026.12") and, with an
	// override file, that file too.
	Version   string
	rows      map[PriceKey]*PriceRow
	regions   map[PriceKey][]string // key without region -> regions that have it
	discounts []Discount
}

// Embedded returns the price book built into paved.
func Embedded() (*PriceBook, error) {
	version, err := fs.ReadFile(pricebookFS, "pricebook/VERSION")
	if err != nil {
		return nil, fmt.Errorf("price book: %w", err)
	}
	var rows []*PriceRow
	err = fs.WalkDir(pricebookFS, "pricebook", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".csv" {
			return err
		}
		data, err := fs.ReadFile(pricebookFS, p)
		if err != nil {
			return err
		}
		rs, err := ParseCSV("internal/cost/"+p, data, true)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return NewPriceBook(strings.TrimSpace(string(version)), rows)
}

// NewPriceBook indexes rows; a duplicate key is an error naming both rows.
func NewPriceBook(version string, rows []*PriceRow) (*PriceBook, error) {
	b := &PriceBook{Version: version, rows: make(map[PriceKey]*PriceRow, len(rows))}
	for _, r := range rows {
		if prev, dup := b.rows[r.Key()]; dup {
			return nil, paved.FieldErrorf(paved.EINVALID, r.Origin, "%s in %s is already priced at %s: keep one row per service, region, product, option and unit", r.Key(), r.Region, prev.Origin)
		}
		b.rows[r.Key()] = r
	}
	b.index()
	return b, nil
}

func (b *PriceBook) index() {
	b.regions = map[PriceKey][]string{}
	for k := range b.rows {
		nk := k
		nk.Region = ""
		b.regions[nk] = append(b.regions[nk], k.Region)
	}
	for _, rs := range b.regions {
		sort.Strings(rs)
	}
}

// Len returns the number of rows.
func (b *PriceBook) Len() int { return len(b.rows) }

// Rows returns every row, with discounts applied, sorted by service,
// product, option, unit and region.
func (b *PriceBook) Rows() []*PriceRow {
	out := make([]*PriceRow, 0, len(b.rows))
	for _, r := range b.rows {
		out = append(out, b.priced(r))
	}
	sortRows(out)
	return out
}

func sortRows(rs []*PriceRow) {
	slices.SortFunc(rs, func(a, b *PriceRow) int {
		return cmp.Or(
			cmp.Compare(a.Service, b.Service), compareProducts(a.Product, b.Product), cmp.Compare(a.Option, b.Option),
			cmp.Compare(a.Unit, b.Unit), cmp.Compare(a.Region, b.Region),
		)
	})
}

// compareProducts orders m6i.large before m6i.xlarge before m6i.2xlarge:
// by family, then by size.
func compareProducts(a, b string) int {
	fa, sa := splitProduct(a)
	fb, sb := splitProduct(b)
	return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(sizeRank(sa), sizeRank(sb)), cmp.Compare(sa, sb))
}

func splitProduct(p string) (family, size string) {
	if i := strings.LastIndexByte(p, '.'); i > 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

var sizeOrder = map[string]int{"nano": 1, "micro": 2, "small": 3, "medium": 4, "large": 5, "xlarge": 6}

func sizeRank(s string) int {
	if r, ok := sizeOrder[s]; ok {
		return r
	}
	var n int
	if _, err := fmt.Sscanf(s, "%dxlarge", &n); err == nil && n > 0 {
		return 6 + n
	}
	return 10_000
}

// Lookup returns the row for k with its discount applied.
func (b *PriceBook) Lookup(k PriceKey) (*PriceRow, bool) {
	r, ok := b.rows[k]
	if !ok {
		return nil, false
	}
	return b.priced(r), true
}

// Missing explains why k has no row, for an "unpriced" reason: the regions
// that do have the product, or that the book does not know it at all.
func (b *PriceBook) Missing(k PriceKey) string {
	nk := k
	nk.Region = ""
	what := k.Product
	if k.Option != "" {
		what += " (" + k.Option + ")"
	}
	if rs := b.regions[nk]; len(rs) > 0 {
		return fmt.Sprintf("no price for %s in %s (the price book has it in %s): add a row to pricebook.yaml", what, k.Region, strings.Join(rs, ", "))
	}
	return fmt.Sprintf("no price for %s per %s: it is not in the price book; add rows to pricebook.yaml", what, k.Unit)
}

// priced applies the first matching discount to a copy of r.
func (b *PriceBook) priced(r *PriceRow) *PriceRow {
	c := *r
	c.ListUSD = r.USD
	for i := range b.discounts {
		d := &b.discounts[i]
		if d.matches(r) {
			if v, err := r.USD.MulRat(d.factor()); err == nil {
				c.USD = v
				c.Discount = d
			}
			break
		}
	}
	return &c
}

// Find returns the rows a `paved prices show` query names: a Terraform
// resource type (aws_db_instance), a product (db.r6g.xlarge, m6i.large,
// gp3), a family (m6i) or a service (ec2); region "" means every region.
func (b *PriceBook) Find(query, region string) []*PriceRow {
	q := strings.TrimSpace(query)
	services := map[string]bool{}
	if ss, ok := TypeServices[q]; ok {
		for _, s := range ss {
			services[s] = true
		}
	} else if slices.Contains(Services, q) {
		services[q] = true
	}
	var out []*PriceRow
	for _, r := range b.rows {
		if region != "" && r.Region != region {
			continue
		}
		fam, _ := splitProduct(r.Product)
		if services[r.Service] || strings.EqualFold(r.Product, q) || fam == q {
			out = append(out, b.priced(r))
		}
	}
	sortRows(out)
	return out
}

// ParseCSV reads price book rows from CSV text: a header of CSVColumns,
// then one row per record; lines starting with # are comments. Embedded
// rows (strict) must cite an https:// source. Errors name file:line.
func ParseCSV(name string, data []byte, strict bool) ([]*PriceRow, error) {
	if len(data) > maxBookBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, name, "price book file is larger than %d bytes", maxBookBytes)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var rows []*PriceRow
	header := false
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", name, pe.Line), "not valid CSV: %v", pe.Err)
			}
			return nil, paved.FieldErrorf(paved.EINVALID, name, "not valid CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		where := fmt.Sprintf("%s:%d", name, line)
		if !header {
			if !slices.Equal(rec, CSVColumns) {
				return nil, paved.FieldErrorf(paved.EINVALID, where, "header is %q: want %s", strings.Join(rec, ","), strings.Join(CSVColumns, ","))
			}
			header = true
			continue
		}
		if len(rec) != len(CSVColumns) {
			return nil, paved.FieldErrorf(paved.EINVALID, where, "%d fields: want %d (%s)", len(rec), len(CSVColumns), strings.Join(CSVColumns, ","))
		}
		if len(rows) >= maxBookRows {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, where, "more than %d rows", maxBookRows)
		}
		r := &PriceRow{
			Service: rec[0], Region: rec[1], Product: rec[2], Option: rec[3], Unit: rec[4],
			Source: rec[6], AsOf: rec[7], Note: rec[8], Origin: where,
		}
		if err := r.parsePrice(rec[5]); err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, where, "%s", paved.ErrorMessage(err))
		}
		if err := r.validate(strict); err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, where, "%s", err)
		}
		rows = append(rows, r)
	}
	if !header {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "no header: the first line that is not a comment must be %s", strings.Join(CSVColumns, ","))
	}
	return rows, nil
}

func (r *PriceRow) parsePrice(s string) error {
	m, err := ParseMoney(s)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "usd: %s", paved.ErrorMessage(err))
	}
	if m <= 0 {
		return paved.Errorf(paved.EINVALID, "usd is %s: a price is above zero (leave free things out of the price book)", m)
	}
	r.USD, r.ListUSD = m, m
	return nil
}

// validate checks a row's fields (not its price).
func (r *PriceRow) validate(strict bool) error {
	if f, err := r.check(strict); err != nil {
		return &fieldError{field: f, err: err}
	}
	return nil
}

// fieldError is a row error with the column it is about, so that an
// override file can point at the line of that key.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }

func (r *PriceRow) check(strict bool) (string, error) {
	for _, f := range []struct{ name, v string }{{"service", r.Service}, {"region", r.Region}, {"product", r.Product}, {"option", r.Option}, {"unit", r.Unit}, {"source", r.Source}, {"as_of", r.AsOf}, {"note", r.Note}} {
		if len(f.v) > maxFieldLen {
			return f.name, fmt.Errorf("%s is %d characters long: at most %d", f.name, len(f.v), maxFieldLen)
		}
	}
	if !slices.Contains(Services, r.Service) {
		return "service", fmt.Errorf("unknown service %q: want one of %s", r.Service, strings.Join(Services, ", "))
	}
	if !regionRE.MatchString(r.Region) {
		return "region", fmt.Errorf("region %q is not an AWS region name like eu-west-1 (or global)", r.Region)
	}
	if !productRE.MatchString(r.Product) {
		return "product", fmt.Errorf("product %q: want an instance type, class or product name without spaces, like m6i.large", r.Product)
	}
	if r.Option != "" && !optionRE.MatchString(r.Option) {
		return "option", fmt.Errorf("option %q: want lower-case words joined by - or /, like postgres/multi-az", r.Option)
	}
	if !slices.Contains(Units, r.Unit) {
		return "unit", fmt.Errorf("unknown unit %q: want one of %s", r.Unit, strings.Join(Units, ", "))
	}
	src := strings.TrimSpace(r.Source)
	if src == "" {
		return "source", errors.New("source is empty: say where the price comes from (a pricing page URL, a Price List API offer file, a contract)")
	}
	if strict && !strings.HasPrefix(src, "https://") {
		return "source", fmt.Errorf("source %q: the embedded price book cites an https:// page or offer file", r.Source)
	}
	if _, err := time.Parse("2006-01-02", r.AsOf); err != nil {
		return "as_of", fmt.Errorf("as_of %q: want the date the price held, YYYY-MM-DD", r.AsOf)
	}
	return "", nil
}
