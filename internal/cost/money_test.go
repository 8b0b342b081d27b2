package cost

import (
	"encoding/json"
	"math/big"
	"strconv"
	"testing"

	"github.com/paved-dev/paved"
)

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  Money
		exact bool
		code  string
	}{
		{in: "0", want: 0, exact: true},
		{in: "-0", want: 0, exact: true},
		{in: "12", want: 12 * Unit, exact: true},
		{in: "+12.5", want: 12*Unit + 500_000_000, exact: true},
		{in: "-0.5", want: -500_000_000, exact: true},
		{in: ".75", want: 750_000_000, exact: true},
		{in: "3.", want: 3 * Unit, exact: true},
		{in: "0.000016667", want: 16667, exact: true},
		{in: "0.0000166670000", want: 16667, exact: true},
		{in: "000123.4500", want: 123*Unit + 450_000_000, exact: true},
		{in: "1.25e-4", want: 125_000, exact: true},
		{in: "1.25E+2", want: 125 * Unit, exact: true},
		{in: "5e-9", want: 5, exact: true},
		{in: "0e99999", want: 0, exact: true},
		{in: "9223372036.854775807", want: MaxMoney, exact: true},
		{in: "-9223372036.854775808", want: MinMoney, exact: true},
		// Rounding half to even past the ninth decimal.
		{in: "0.0000000015", want: 2, exact: false},
		{in: "0.0000000025", want: 2, exact: false},
		{in: "0.00000000250001", want: 3, exact: false},
		{in: "0.0000000024999", want: 2, exact: false},
		{in: "-0.0000000015", want: -2, exact: false},
		{in: "0.00000000049", want: 0, exact: false},
		{in: "0.00000000005", want: 0, exact: false},
		{in: "0.0000000005", want: 0, exact: false},
		{in: "0.0000000005000001", want: 1, exact: false},
		{in: "1e-2000", want: 0, exact: false},
		{in: "0.1234567890123", want: 123456789, exact: false},
		{in: "9223372036.8547758074", want: MaxMoney, exact: false},
		// Bad input.
		{in: "", code: paved.EINVALID},
		{in: "-", code: paved.EINVALID},
		{in: ".", code: paved.EINVALID},
		{in: "1.2.3", code: paved.EINVALID},
		{in: " 1", code: paved.EINVALID},
		{in: "1 ", code: paved.EINVALID},
		{in: "1,5", code: paved.EINVALID},
		{in: "$5", code: paved.EINVALID},
		{in: "NULL", code: paved.EINVALID},
		{in: "1e", code: paved.EINVALID},
		{in: "1e5x", code: paved.EINVALID},
		{in: "e5", code: paved.EINVALID},
		{in: "NaN", code: paved.EINVALID},
		{in: "Inf", code: paved.EINVALID},
		{in: "0x10", code: paved.EINVALID},
		{in: "9223372036.854775808", code: paved.EUNPROCESSABLE},
		{in: "9223372036.8547758075", code: paved.EUNPROCESSABLE},
		{in: "-9223372036.854775809", code: paved.EUNPROCESSABLE},
		{in: "1e10", code: paved.EUNPROCESSABLE},
		{in: "1e2000", code: paved.EUNPROCESSABLE},
		{in: "99999999999999999999999", code: paved.EUNPROCESSABLE},
	} {
		got, exact, err := ParseMoneyRound(tc.in)
		if tc.code != "" {
			if paved.ErrorCode(err) != tc.code {
				t.Errorf("ParseMoneyRound(%q) = %v, %v; want code %s", tc.in, got, err, tc.code)
			}
			continue
		}
		if err != nil || got != tc.want || exact != tc.exact {
			t.Errorf("ParseMoneyRound(%q) = %d, %v, %v; want %d, %v", tc.in, got, exact, err, tc.want, tc.exact)
		}
		m, err := ParseMoney(tc.in)
		if tc.exact && (err != nil || m != tc.want) {
			t.Errorf("ParseMoney(%q) = %d, %v", tc.in, m, err)
		}
		if !tc.exact && paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("ParseMoney(%q) = %d, %v; want an error for lost decimals", tc.in, m, err)
		}
	}
}

func TestMoneyString(t *testing.T) {
	for _, tc := range []struct {
		m     Money
		s     string
		fixed map[int]string
	}{
		{m: 0, s: "0", fixed: map[int]string{0: "0", 2: "0.00"}},
		{m: 12 * Unit, s: "12", fixed: map[int]string{2: "12.00"}},
		{m: 1234*Unit + 500_000_000, s: "1234.5", fixed: map[int]string{0: "1234", 2: "1234.50", 9: "1234.500000000"}},
		{m: 1235*Unit + 500_000_000, s: "1235.5", fixed: map[int]string{0: "1236"}},
		{m: 16667, s: "0.000016667", fixed: map[int]string{2: "0.00", 5: "0.00002", 6: "0.000017"}},
		{m: -5_000_000, s: "-0.005", fixed: map[int]string{2: "0.00", 3: "-0.005"}},
		{m: -15_000_000, s: "-0.015", fixed: map[int]string{2: "-0.02"}},
		{m: 25_000_000, s: "0.025", fixed: map[int]string{2: "0.02"}},
		{m: MaxMoney, s: "9223372036.854775807", fixed: map[int]string{2: "9223372036.85", 0: "9223372037"}},
		{m: MinMoney, s: "-9223372036.854775808", fixed: map[int]string{2: "-9223372036.85", 0: "-9223372037"}},
		{m: 1, s: "0.000000001", fixed: map[int]string{-3: "0", 42: "0.000000001"}},
	} {
		if got := tc.m.String(); got != tc.s {
			t.Errorf("%d.String() = %q, want %q", int64(tc.m), got, tc.s)
		}
		if back, err := ParseMoney(tc.s); err != nil || back != tc.m {
			t.Errorf("ParseMoney(%q) = %d, %v; want the round trip to %d", tc.s, back, err, tc.m)
		}
		for d, want := range tc.fixed {
			if got := tc.m.StringFixed(d); got != want {
				t.Errorf("%d.StringFixed(%d) = %q, want %q", int64(tc.m), d, got, want)
			}
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	must := func(m Money, err error) Money {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := must(Money(Unit).Add(2 * Unit)); got != 3*Unit {
		t.Errorf("1+2 = %s", got)
	}
	if got := must(Money(Unit).Sub(3 * Unit)); got != -2*Unit {
		t.Errorf("1-3 = %s", got)
	}
	if _, err := MaxMoney.Add(1); paved.ErrorCode(err) != paved.EUNPROCESSABLE {
		t.Errorf("Max+1: %v", err)
	}
	if _, err := MinMoney.Add(-1); paved.ErrorCode(err) != paved.EUNPROCESSABLE {
		t.Errorf("Min-1: %v", err)
	}
	if _, err := MinMoney.Sub(1); err == nil {
		t.Error("Min-1 by Sub: no error")
	}
	if _, err := MaxMoney.Sub(-1); err == nil {
		t.Error("Max+1 by Sub: no error")
	}
	if _, err := MinMoney.Neg(); err == nil {
		t.Error("-Min: no error")
	}
	if got := must(Money(-7).Neg()); got != 7 {
		t.Errorf("-(-7) = %d", got)
	}
	if got := must(Money(96_000_000).MulInt(730)); got != 70_080_000_000 { // 0.096 × 730 = 70.08
		t.Errorf("0.096×730 = %s", got)
	}
	if got := must(Money(-3).MulInt(-4)); got != 12 {
		t.Errorf("-3×-4 = %d", got)
	}
	if got := must(Money(0).MulInt(-4)); got != 0 {
		t.Errorf("0×-4 = %d", got)
	}
	if _, err := MaxMoney.MulInt(2); err == nil {
		t.Error("Max×2: no error")
	}
	if got := must(MinMoney.MulInt(1)); got != MinMoney {
		t.Errorf("Min×1 = %d", got)
	}
	if _, err := MinMoney.MulInt(-1); err == nil {
		t.Error("Min×-1: no error")
	}
	// MulRat rounds half to even once, at the end.
	for _, tc := range []struct {
		m    Money
		r    *big.Rat
		want Money
	}{
		{m: 3, r: big.NewRat(1, 2), want: 2},                        // 1.5 -> 2
		{m: 5, r: big.NewRat(1, 2), want: 2},                        // 2.5 -> 2
		{m: -5, r: big.NewRat(1, 2), want: -2},                      // -2.5 -> -2
		{m: -3, r: big.NewRat(1, 2), want: -2},                      // -1.5 -> -2
		{m: 10, r: big.NewRat(1, 3), want: 3},                       // 3.33
		{m: 20, r: big.NewRat(1, 3), want: 7},                       // 6.67
		{m: 115_000_000, r: big.NewRat(88, 100), want: 101_200_000}, // 12 % off 0.115
		{m: Unit, r: nil, want: 0},
	} {
		if got := must(tc.m.MulRat(tc.r)); got != tc.want {
			t.Errorf("%d×%v = %d, want %d", tc.m, tc.r, got, tc.want)
		}
	}
	if _, err := MaxMoney.MulRat(big.NewRat(3, 2)); paved.ErrorCode(err) != paved.EUNPROCESSABLE {
		t.Errorf("Max×1.5: %v", err)
	}
	if got := must(Sum(Unit, 2*Unit, -Unit)); got != 2*Unit {
		t.Errorf("Sum = %s", got)
	}
	if _, err := Sum(MaxMoney, 1); err == nil {
		t.Error("Sum overflow: no error")
	}
	if got := must(MoneyFromUnits(-42)); got != -42*Unit {
		t.Errorf("MoneyFromUnits(-42) = %s", got)
	}
	if _, err := MoneyFromUnits(1 << 40); err == nil {
		t.Error("MoneyFromUnits(2^40): no error")
	}
	if r := (Money(1_500_000_000)).Rat(); r.Cmp(big.NewRat(3, 2)) != 0 {
		t.Errorf("Rat = %v", r)
	}
	for _, tc := range []struct {
		m    Money
		d    int
		want Money
	}{
		{m: 1_005_000_000, d: 2, want: 1_000_000_000},
		{m: 1_015_000_000, d: 2, want: 1_020_000_000},
		{m: -1_015_000_000, d: 2, want: -1_020_000_000},
		{m: 7, d: 9, want: 7},
		{m: 7, d: 12, want: 7},
	} {
		if got := must(tc.m.Round(tc.d)); got != tc.want {
			t.Errorf("%s.Round(%d) = %s, want %s", tc.m, tc.d, got, tc.want)
		}
	}
	if _, err := MaxMoney.Round(0); err == nil {
		t.Error("Max.Round(0): no error")
	}
	if Money(-3).Sign() != -1 || Money(0).Sign() != 0 || Money(3).Sign() != 1 || Money(3).Nanos() != 3 {
		t.Error("Sign/Nanos")
	}
}

func TestMoneyEncoding(t *testing.T) {
	type doc struct {
		A Money  `json:"a"`
		B *Money `json:"b,omitempty"`
	}
	b, err := json.Marshal(doc{A: 1234*Unit + 560_000_000})
	if err != nil || string(b) != `{"a":"1234.56"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"a": 0.1, "b": "-2.5"}`), &d); err != nil || d.A != 100_000_000 || d.B == nil || *d.B != -2_500_000_000 {
		t.Fatalf("Unmarshal = %+v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`{"a": "0.0000000001"}`), &d); err == nil {
		t.Error("Unmarshal of 10 decimals: no error")
	}
	if err := json.Unmarshal([]byte(`{"a": true}`), &d); err == nil {
		t.Error("Unmarshal of a bool: no error")
	}
	var m Money
	for _, tc := range []struct {
		src  any
		want Money
	}{{int64(42), 42}, {[]byte("-7"), -7}, {"99", 99}, {nil, 0}} {
		if err := m.Scan(tc.src); err != nil || m != tc.want {
			t.Errorf("Scan(%v) = %d, %v", tc.src, m, err)
		}
	}
	for _, src := range []any{"1.5", 1.5, []byte("x")} {
		if err := m.Scan(src); err == nil {
			t.Errorf("Scan(%v): no error", src)
		}
	}
	if v, err := Money(5).Value(); err != nil || v != int64(5) {
		t.Errorf("Value = %v, %v", v, err)
	}
}

// TestParseMoneyMatchesBig holds the parser to math/big on many generated
// decimals.
func TestParseMoneyMatchesBig(t *testing.T) {
	n := uint64(88172645463325252)
	next := func() uint64 { n ^= n << 13; n ^= n >> 7; n ^= n << 17; return n }
	for i := 0; i < 20000; i++ {
		ip := strconv.FormatUint(next()%10_000_000_000, 10)
		fp := strconv.FormatUint(next(), 10)[:1+next()%14]
		s := ip + "." + fp
		if next()%2 == 0 {
			s = "-" + s
		}
		checkAgainstBig(t, s)
	}
}

func checkAgainstBig(t *testing.T, s string) {
	t.Helper()
	m, exact, err := ParseMoneyRound(s)
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		if err == nil {
			t.Errorf("ParseMoneyRound(%q) = %d; math/big refuses it", s, m)
		}
		return
	}
	nanos := new(big.Rat).Mul(r, big.NewRat(int64(Unit), 1))
	want, werr := moneyFromRat(nanos)
	if werr != nil {
		if err == nil {
			t.Errorf("ParseMoneyRound(%q) = %d; want out of range", s, m)
		}
		return
	}
	if err != nil || m != want || exact != nanos.IsInt() {
		t.Errorf("ParseMoneyRound(%q) = %d, %v, %v; want %d, %v", s, m, exact, err, want, nanos.IsInt())
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "-12.5", "1.25e-4", "9223372036.854775807", "0.0000000015", ".5", "1e-2000", "NULL"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, exact, err := ParseMoneyRound(s)
		if err != nil {
			return
		}
		if len(s) <= 60 && !containsAny(s, "eE") {
			checkAgainstBig(t, s)
		}
		if exact {
			if back, err := ParseMoney(m.String()); err != nil || back != m {
				t.Fatalf("round trip of %q via %q: %d, %v", s, m.String(), back, err)
			}
		}
		for d := 0; d <= MoneyScale; d++ {
			// Rounding up near the ends may leave the range, nothing else.
			if _, _, err := ParseMoneyRound(m.StringFixed(d)); err != nil && (paved.ErrorCode(err) != paved.EUNPROCESSABLE || (m < MaxMoney-Unit && m > MinMoney+Unit)) {
				t.Fatalf("StringFixed(%d) of %d = %q does not parse: %v", d, m, m.StringFixed(d), err)
			}
		}
	})
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}
