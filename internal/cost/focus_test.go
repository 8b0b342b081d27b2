package cost

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

func testAllocator() *Allocator {
	cfg := SpendConfig{Accounts: map[string]string{"sub-1": "growth", "900000000001": "platform"}}
	return cfg.Allocator([]*paved.Service{
		{Name: "checkout", Owner: "payments"},
		{Name: "search", Owner: "discovery"},
	}, []*paved.Team{{Name: "payments"}, {Name: "growth"}, {Name: "discovery"}})
}

// readAll drains a source.
func readAll(t testing.TB, s *Source) ([]*paved.CostLine, error) {
	t.Helper()
	var out []*paved.CostLine
	for {
		l, err := s.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
}

func dumpLines(s *Source, lines []*paved.CostLine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version %s\n", s.Version())
	if ig := s.Ignored(); len(ig) > 0 {
		fmt.Fprintf(&b, "ignored %s\n", strings.Join(ig, ", "))
	}
	cols := s.CostColumns()
	for _, p := range paved.SortedKeys(cols) {
		fmt.Fprintf(&b, "cost column %s: %s\n", p, cols[p])
	}
	n, skipped, invalid := s.Counts()
	fmt.Fprintf(&b, "lines %d skipped %d\n", n, skipped)
	for _, m := range invalid {
		fmt.Fprintf(&b, "invalid %s\n", m)
	}
	for _, l := range lines {
		k := l.Key
		fmt.Fprintf(&b, "%s:%d %s/%s/%s %s period=%s %s..%s %s class=%q svc=%q cat=%q region=%q res=%q billed=%s effective=%s set=%v tags=%s -> service=%q team=%q env=%q by=%s untagged=%v\n",
			filepath.Base(l.File), l.Line, k.Provider, k.BillingAccountID, k.Account(), l.Currency, paved.Period(l.BillingPeriodStart),
			l.ChargeStart.Format(time.RFC3339), l.ChargeEnd.Format(time.RFC3339), l.Category, l.Class, l.ServiceName,
			l.ServiceCategory, l.Region, l.ResourceID, l.Billed, l.Effective, l.EffectiveSet, paved.MarshalTags(k.Tags),
			k.Service, k.Team, k.Env, k.Method, k.Untagged)
	}
	return b.String()
}

func TestFOCUSGolden(t *testing.T) {
	for _, f := range []string{"v1_0.csv", "v1_2_messy.csv", "v1_3.csv"} {
		t.Run(f, func(t *testing.T) {
			s := NewSource([]string{filepath.Join("testdata", "focus", f)}, IngestOptions{Allocator: testAllocator()})
			lines, err := readAll(t, s)
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", "focus", strings.TrimSuffix(f, ".csv")+".golden"), []byte(dumpLines(s, lines)))
		})
	}
}

// TestFOCUSGzip reads a gzip copy of a file (recognised by its magic bytes,
// not its name) to the same lines.
func TestFOCUSGzip(t *testing.T) {
	src := filepath.Join("testdata", "focus", "v1_2_messy.csv")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	gz := filepath.Join(t.TempDir(), "export.csv") // no .gz on purpose
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := NewSource([]string{src}, IngestOptions{Allocator: testAllocator()})
	a, err := readAll(t, plain)
	if err != nil {
		t.Fatal(err)
	}
	zipped := NewSource([]string{gz}, IngestOptions{Allocator: testAllocator()})
	b, err := readAll(t, zipped)
	if err != nil {
		t.Fatal(err)
	}
	strip := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if _, rest, ok := strings.Cut(l, ".csv:"); ok {
				l = rest
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	if x, y := strip(dumpLines(plain, a)), strip(dumpLines(zipped, b)); x != y {
		t.Errorf("gzip reads differently:\n%s\n---\n%s", y, x)
	}
	if done, total := zipped.Progress(); done != total || total == 0 {
		t.Errorf("progress %d of %d at the end", done, total)
	}
}

const header10 = "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargePeriodEnd,ChargePeriodStart,EffectiveCost,ProviderName,ServiceName,SubAccountId,Tags\n"

func row(cost, cat, cur, tags string) string {
	return cost + ",acct,USD," + "2026-11-01T00:00:00Z,2026-10-01T00:00:00Z," + cat + ",2026-10-02T00:00:00Z,2026-10-01T00:00:00Z," + cost + ",AWS,EC2,sub," + tags + "\n"
}

// TestFOCUSBadInput names the file, the line and what to do for each kind
// of bad input; with SkipInvalid the line-level ones are counted instead.
func TestFOCUSBadInput(t *testing.T) {
	rowC := func(cur string) string {
		return "1,acct," + cur + ",2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,2026-10-02T00:00:00Z,2026-10-01T00:00:00Z,1,AWS,EC2,sub,\n"
	}
	tests := []struct {
		name     string
		in       string
		want     string // error substring (golden-ish), "" for none
		skipped  int64  // with SkipInvalid
		skipWant string // error with SkipInvalid ("" for none)
	}{
		{"empty", "", "f.csv: the file is empty", 0, "the file is empty"},
		{"missing columns", "BilledCost,BillingAccountId,Tags\n1,a,\n", "f.csv:1: not a FOCUS cost and usage file: missing required column(s) BillingCurrency, BillingPeriodStart, BillingPeriodEnd, ChargePeriodStart, ChargePeriodEnd, ChargeCategory, ServiceName, EffectiveCost, ServiceProviderName (FOCUS 1.3) or ProviderName (1.0-1.2)", 0, "missing required column"},
		{"duplicate column", "BilledCost,billedcost\n", `f.csv:1: column "billedcost" appears twice`, 0, "appears twice"},
		{"non-numeric cost", header10 + row("1.0", "Usage", "USD", "") + row("abc", "Usage", "USD", ""), `f.csv:3: BilledCost: amount "abc" is not a decimal number`, 1, ""},
		{"comma decimal", header10 + row("1.0", "Usage", "USD", "") + strings.Replace(row("X", "Usage", "USD", ""), "X,", `"1,5",`, 1), `f.csv:3: BilledCost: amount "1,5" is not a decimal number`, 1, ""},
		{"unknown category", header10 + row("1", "Refund", "USD", ""), `f.csv:2: ChargeCategory "Refund" is not allowed: want one of Usage, Purchase, Tax, Credit, Adjustment`, 1, ""},
		{"malformed tags", header10 + row("1", "Usage", "USD", "") + row("1", "Usage", "USD", `"{""team"": ""payments"""`), "f.csv:3: Tags: tags are not valid JSON: unexpected EOF", 1, ""},
		{"tags not an object", header10 + row("1", "Usage", "USD", `"[1,2]"`), "f.csv:2: Tags: tags are not valid JSON", 1, ""},
		{"wrong field count", header10 + "1,acct\n" + row("2", "Usage", "USD", ""), "f.csv:2: has 2 fields but the header has 13", 1, ""},
		{"bare quote", header10 + `1,ac"ct,USD` + "\n" + row("2", "Usage", "USD", ""), "f.csv:2: a double quote inside an unquoted value", 1, ""},
		{"bad time", header10 + strings.Replace(row("1", "Usage", "USD", ""), "2026-10-02T00:00:00Z", "yesterday", 1), `f.csv:2: ChargePeriodEnd: "yesterday" is not a timestamp`, 1, ""},
		{"end before start", header10 + strings.Replace(row("1", "Usage", "USD", ""), "2026-10-02T00:00:00Z", "2026-09-02T00:00:00Z", 1), "f.csv:2: ChargePeriodEnd 2026-09-02T00:00:00Z is before ChargePeriodStart", 1, ""},
		{"bad currency", header10 + rowC("US"), `f.csv:2: BillingCurrency "US" is not a three-letter currency code`, 1, ""},
		{"empty billed", header10 + strings.Replace(row("1", "Usage", "USD", ""), "1,acct", ",acct", 1), "f.csv:2: BilledCost is empty", 1, ""},
		{"two currencies", header10 + rowC("USD") + rowC("EUR"), "f.csv:3: billing account acct has two currencies in billing period 2026-10: USD (first at f.csv:2) and EUR", 0, "two currencies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewReaderSource("f.csv", strings.NewReader(tc.in), int64(len(tc.in)), IngestOptions{})
			_, err := readAll(t, s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
			if err != nil && paved.ErrorCode(err) != paved.EINVALID {
				t.Errorf("code %s, want invalid", paved.ErrorCode(err))
			}
			s = NewReaderSource("f.csv", strings.NewReader(tc.in), int64(len(tc.in)), IngestOptions{SkipInvalid: true})
			_, err = readAll(t, s)
			if tc.skipWant == "" && err != nil {
				t.Errorf("with SkipInvalid: %v", err)
			}
			if tc.skipWant != "" && (err == nil || !strings.Contains(err.Error(), tc.skipWant)) {
				t.Errorf("with SkipInvalid: error %v, want %q", err, tc.skipWant)
			}
			_, skipped, invalid := s.Counts()
			if skipped != tc.skipped {
				t.Errorf("skipped %d, want %d", skipped, tc.skipped)
			}
			if skipped > 0 && (len(invalid) == 0 || !strings.Contains(invalid[0], tc.want)) {
				t.Errorf("invalid %q, want the message %q", invalid, tc.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	want := time.Date(2024, 10, 1, 13, 5, 9, 0, time.UTC)
	for _, in := range []string{
		"2024-10-01T13:05:09Z", "2024-10-01 13:05:09", "2024-10-01T13:05:09.000Z", "2024-10-01 13:05:09 UTC",
		"2024-10-01T13:05:09+00:00", "2024-10-01T15:05:09+02:00", " 2024-10-01T13:05:09Z ", "2024-10-01T13:05:09",
	} {
		got, err := ParseTimestamp(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if got, err := ParseTimestamp("2024-10-01"); err != nil || !got.Equal(time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date: %v %v", got, err)
	}
	for _, in := range []string{"", "2024-02-30 00:00:00", "2024-13-01", "01/10/2024", "2024-10-01T25:00:00Z", "now"} {
		if _, err := ParseTimestamp(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]paved.Money{
		"0": 0, "1": paved.MoneyUnit, "-1.5": -1_500_000_000, "0.000000001": 1, "+2.25": 2_250_000_000,
		"123456789.123456789": 123456789_123456789, ".5": 500_000_000, "5.": 5 * paved.MoneyUnit,
		"1.5e-3": 1_500_000, "0.1234567891": 123456789, "0.12345678951": 123456790, "1234567890.5": 1234567890_500000000,
	} {
		got, err := parseAmount(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-", ".", "abc", "1,5", "1.2.3", "$5", "1e999"} {
		if _, err := parseAmount(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestParseTags(t *testing.T) {
	got, err := ParseTags(`{" team ": "payments ", "valueless": true, "n": 3, "gone": null, "": "x"}`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"team": "payments", "valueless": "true", "n": "3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, in := range []string{`{`, `[]`, `"x"`, `{"a":1} {}`, `null`} {
		if _, err := ParseTags(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestSourceMemoryBounded feeds many distinct tag sets and checks the
// caches start over instead of growing.
func TestSourceCachesBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(header10)
	n := maxKeyCache + 10
	for i := 0; i < n; i++ {
		b.WriteString(row("1", "Usage", "USD", fmt.Sprintf(`"{""id"":""%d""}"`, i)))
	}
	s := NewReaderSource("many.csv", strings.NewReader(b.String()), 0, IngestOptions{})
	count := 0
	for {
		_, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != n || len(s.keys) > maxKeyCache || len(s.tags) > maxTagCache {
		t.Errorf("read %d, key cache %d, tag cache %d", count, len(s.keys), len(s.tags))
	}
}

func TestCostColumnsFallback(t *testing.T) {
	in := "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargePeriodEnd,ChargePeriodStart,EffectiveCost,ProviderName,ServiceName\n" +
		"5,a,USD,2026-11-01,2026-10-01,Usage,2026-10-02,2026-10-01,,Reseller,X\n" +
		"7,a,USD,2026-11-01,2026-10-01,Usage,2026-10-02,2026-10-01,0,Reseller,X\n" +
		"5,a,USD,2026-11-01,2026-10-01,Purchase,2026-10-02,2026-10-01,0,AWS,X\n" +
		"5,a,USD,2026-11-01,2026-10-01,Usage,2026-10-02,2026-10-01,4.5,AWS,X\n"
	s := NewReaderSource("f.csv", strings.NewReader(in), 0, IngestOptions{})
	if _, err := readAll(t, s); err != nil {
		t.Fatal(err)
	}
	got := s.CostColumns()
	keys := paved.SortedKeys(got)
	sort.Strings(keys)
	if got["Reseller"] != paved.ColumnBilled || got["AWS"] != paved.ColumnEffective || len(got) != 2 {
		t.Errorf("cost columns %v", got)
	}
}

func gzipped(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFOCUSBounds: a gzip bomb of one long line, and a quoted value that
// never closes, are refused at the record bound (csv.Reader would hold
// the whole record in memory), naming the file and the line, even with
// skip_invalid; a value with line breaks inside quotes is still one
// record; and gzip files stop at the unpacked bound.
func TestFOCUSBounds(t *testing.T) {
	row := "1,acc,USD,2026-02-01,2026-01-01,Usage,2026-01-02,2026-01-01,1,AWS,S3,sub-1,\"{\"\"team\"\":\"\"a\"\"}\"\n"
	cases := []struct {
		name, data, want string
	}{
		{"one long line", header10 + row + strings.Repeat("a", 4*MaxRecordBytes) + "\n", "bomb.csv.gz:3"},
		{"a quote never closed", header10 + row + row + "\"" + strings.Repeat("a\n", MaxRecordBytes), "bomb.csv.gz:4"},
		{"a long header", strings.Repeat("x", 2*MaxRecordBytes), "bomb.csv.gz:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gz := gzipped(t, c.data)
			if len(gz) > 64<<10 {
				t.Fatalf("the bomb is %d bytes", len(gz))
			}
			src := NewReaderSource("bomb.csv.gz", bytes.NewReader(gz), 0, IngestOptions{SkipInvalid: true})
			_, err := readAll(t, src)
			var pe *paved.Error
			if !errors.As(err, &pe) || pe.Code != paved.ETOOLARGE || pe.Field != c.want {
				t.Fatalf("err = %#v, want too_large at %s", err, c.want)
			}
		})
	}
	// A quoted value with line breaks and doubled quotes, and a stray
	// quote inside an unquoted value, keep the bound aligned with the
	// records: many such records in a row pass.
	multi := "1,acc,USD,2026-02-01,2026-01-01,Usage,2026-01-02,2026-01-01,1,AWS,\"S3\n\"\"x\"\"\nstorage\",sub-1,\n"
	src := NewReaderSource("ok.csv", strings.NewReader(header10+strings.Repeat(multi, 20000)+"1,acc,USD,2026-02-01,2026-01-01,Usage,2026-01-02,2026-01-01,1,AWS,S\"3,sub-1,\n"+strings.Repeat(row, 20000)), 0, IngestOptions{SkipInvalid: true})
	lines, err := readAll(t, src)
	if err != nil || len(lines) != 40000 {
		t.Fatalf("multi-line values: %d lines, %v", len(lines), err)
	}
	// The unpacked bound, summed over the files of one ingest.
	gz := gzipped(t, header10+strings.Repeat(row, 1000))
	files := [][]byte{gz, gz}
	src = NewStreamSource(func(i int) (string, io.Reader, error) {
		if i >= len(files) {
			return "", nil, io.EOF
		}
		return fmt.Sprintf("f%d.csv.gz", i), bytes.NewReader(files[i]), nil
	}, IngestOptions{MaxUnpacked: int64(len(header10)+1000*len(row)) + 100})
	_, err = readAll(t, src)
	var pe *paved.Error
	if !errors.As(err, &pe) || pe.Code != paved.ETOOLARGE || pe.Field != "f1.csv.gz" {
		t.Fatalf("unpacked bound: %#v", err)
	}
}
