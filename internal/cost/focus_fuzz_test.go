package cost

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFOCUS feeds arbitrary files to the reader: it must return lines or
// an error, never panic or loop, whatever the bytes.
func FuzzFOCUS(f *testing.F) {
	for _, name := range []string{"v1_0.csv", "v1_2_messy.csv", "v1_3.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "focus", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	f.Add([]byte(header10+row("1", "usage", "USD", `"{""a"":1}"`)), false)
	f.Add([]byte("\x1f\x8b\x08\x00garbage"), true)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		s := NewReaderSource("fuzz.csv", strings.NewReader(string(data)), int64(len(data)), IngestOptions{SkipInvalid: skip, Allocator: testAllocator()})
		for i := 0; ; i++ {
			l, err := s.Next()
			if errors.Is(err, io.EOF) || err != nil {
				break
			}
			if l.Key == nil || l.Key.Team == "" && l.Key.Shared == "" {
				t.Fatalf("line without allocation: %+v", l)
			}
			if i > len(data)+1 {
				t.Fatal("more lines than bytes")
			}
		}
		_ = s.CostColumns()
	})
}

// FuzzParseRow parses one record of arbitrary fields against the FOCUS
// 1.0 header.
func FuzzParseRow(f *testing.F) {
	f.Add("1.5", "acct", "USD", "2026-11-01", "2026-10-01", "Usage", "2026-10-02 00:00:00", "2026-10-01", "1", "AWS", "EC2", "sub", `{"team":"x"}`)
	f.Add("-0.000000001", "a", "eur", "2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z", "credit", "", "NULL", "1e-3", "p", "", "", "[]")
	f.Fuzz(func(t *testing.T, billed, acct, cur, bpe, bps, cat, cpe, cps, eff, prov, svc, sub, tags string) {
		rd, err := newRowReader("h.csv", strings.NewReader(header10), nil)
		if err != nil {
			t.Fatal(err)
		}
		l, err := rd.row.parse([]string{billed, acct, cur, bpe, bps, cat, cpe, cps, eff, prov, svc, sub, tags}, nil)
		if err == nil && (l == nil || l.Key == nil || l.Currency == "" || l.ChargeEnd.Before(l.ChargeStart)) {
			t.Fatalf("accepted a bad line: %+v", l)
		}
	})
}
