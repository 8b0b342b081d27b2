// Package cost holds paved's spend side: the offline price book and plan
// cost estimates, billing (FOCUS) ingest, allocation, budgets and alerts.
package cost

import (
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/paved-dev/paved"
)

// Money is an exact decimal amount of one currency (the currency travels
// beside it: the price book is USD, a billing line says its own). It counts
// nano-units (10^-9 of the currency unit) in an int64, so sums are exact,
// SQL can store and SUM it as a plain integer on both engines, and it spans
// ±9,223,372,036.854775807 units. Never convert money through float64:
// parse decimal text with ParseMoney or ParseMoneyRound and print with
// String or StringFixed.
type Money int64

// MoneyScale is the number of decimal places Money keeps.
const MoneyScale = 9

const (
	// Nano is the smallest amount: 0.000000001.
	Nano Money = 1
	// Unit is one currency unit (one dollar): 1.000000000.
	Unit Money = 1_000_000_000
)

// MaxMoney and MinMoney bound Money.
const (
	MaxMoney Money = math.MaxInt64
	MinMoney Money = math.MinInt64
)

// maxInputLen bounds the text a parser accepts: a money amount is never
// longer, and the bound keeps fuzzed or hostile input cheap.
const maxInputLen = 256

var pow10 = [...]uint64{
	1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
	1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
	10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
	10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
	10_000_000_000_000_000_000,
}

// MoneyFromUnits returns n whole currency units, or an error past the range.
func MoneyFromUnits(n int64) (Money, error) {
	hi, lo := bits.Mul64(absU(n), uint64(Unit))
	return fromMagnitude(n < 0, hi, lo, fmt.Sprint(n))
}

// ParseMoney reads an exact decimal amount: an optional sign, digits with an
// optional decimal point, and an optional exponent ("12", "-0.5", "1.25e-4",
// "+3.", ".75"). It refuses an amount with more than nine decimal places
// that are not zeros, rather than rounding it: use ParseMoneyRound where
// rounding to the nano is acceptable (billing exports that carry float
// artefacts such as 0.1234567890123).
func ParseMoney(s string) (Money, error) {
	m, exact, err := ParseMoneyRound(s)
	if err != nil {
		return 0, err
	}
	if !exact {
		return 0, paved.Errorf(paved.EINVALID, "amount %q has more than %d decimal places: Money keeps nano-units; write at most %d decimals", clip(s), MoneyScale, MoneyScale)
	}
	return m, nil
}

// ParseMoneyRound reads a decimal amount like ParseMoney but rounds digits
// past the ninth decimal place half to even; exact reports whether nothing
// was lost.
func ParseMoneyRound(s string) (m Money, exact bool, err error) {
	if len(s) > maxInputLen {
		return 0, false, paved.Errorf(paved.EINVALID, "amount of %d characters is too long to be a money amount (at most %d)", len(s), maxInputLen)
	}
	bad := func() (Money, bool, error) {
		return 0, false, paved.Errorf(paved.EINVALID, "amount %q is not a decimal number: write digits with an optional sign, decimal point and exponent, like -12.50 or 1.5e-3", clip(s))
	}
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	// digits holds the significant digits (leading zeros dropped); point
	// counts the digits read after the decimal point.
	var digits []byte
	nd, point, seenPoint := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			nd++
			if seenPoint {
				point++
			}
			if c != '0' || len(digits) > 0 {
				digits = append(digits, c)
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			goto exponent
		}
	}
exponent:
	if nd == 0 {
		return bad()
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return bad()
		}
		e, perr := strconv.Atoi(s[i+1:])
		if perr != nil {
			return bad()
		}
		if e > 1000 || e < -1000 {
			if len(digits) == 0 { // 0e9999 is still zero
				return 0, true, nil
			}
			if e > 0 {
				return 0, false, outOfRange(s)
			}
			return 0, false, nil // far below half a nano
		}
		exp = e
	}
	if len(digits) == 0 {
		return 0, true, nil
	}
	// value = digits × 10^(exp-point); nanos = digits × 10^shift.
	shift := exp - point + MoneyScale
	exact = true
	keep := len(digits)
	if shift < 0 {
		keep = len(digits) + shift // digits that stay left of the rounding point
	}
	var mag uint64
	for j := 0; j < keep && j < len(digits); j++ {
		hi, lo := bits.Mul64(mag, 10)
		if hi != 0 {
			return 0, false, outOfRange(s)
		}
		var carry uint64
		mag, carry = bits.Add64(lo, uint64(digits[j]-'0'), 0)
		if carry != 0 {
			return 0, false, outOfRange(s)
		}
	}
	if shift > 0 {
		if shift >= len(pow10) {
			return 0, false, outOfRange(s)
		}
		hi, lo := bits.Mul64(mag, pow10[shift])
		if hi != 0 {
			return 0, false, outOfRange(s)
		}
		mag = lo
	} else if shift < 0 {
		start := keep
		if start < 0 {
			start = 0
		}
		dropped := digits[start:]
		exact = false // digits were significant (leading zeros are gone) unless all zeros
		allZero := true
		for _, d := range dropped {
			if d != '0' {
				allZero = false
				break
			}
		}
		if allZero {
			exact = true
		} else if keep >= 0 {
			// Round half to even on the first dropped digit.
			first := dropped[0]
			rest := false
			for _, d := range dropped[1:] {
				if d != '0' {
					rest = true
					break
				}
			}
			if first > '5' || (first == '5' && (rest || mag%2 == 1)) {
				mag++
				if mag == 0 {
					return 0, false, outOfRange(s)
				}
			}
		}
		// keep < 0: the first significant digit lies beyond the first
		// dropped place, so the amount is under half a nano: rounds to 0.
	}
	m, err = fromMagnitude(neg, 0, mag, s)
	return m, exact, err
}

func outOfRange(s string) error {
	return paved.Errorf(paved.EUNPROCESSABLE, "amount %q is out of range: Money holds at most ±%s", clip(s), MaxMoney.String())
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func absU(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

// fromMagnitude turns sign and a 128-bit magnitude into Money.
func fromMagnitude(neg bool, hi, lo uint64, what string) (Money, error) {
	if hi != 0 {
		return 0, outOfRange(what)
	}
	if neg && lo != 0 {
		if lo > 1<<63 {
			return 0, outOfRange(what)
		}
		return Money(-int64(lo-1) - 1), nil
	}
	if lo > math.MaxInt64 {
		return 0, outOfRange(what)
	}
	return Money(lo), nil
}

// String prints the exact amount with as few decimals as it needs: "12",
// "-0.5", "0.000016667".
func (m Money) String() string {
	s := m.fixed(MoneyScale)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// StringFixed prints the amount rounded half to even to d decimals (0..9),
// always with d decimals: StringFixed(2) of 1234.5 is "1234.50".
func (m Money) StringFixed(d int) string {
	d = max(0, min(d, MoneyScale))
	return m.fixed(d)
}

func (m Money) fixed(d int) string {
	mag := absU(int64(m))
	if d < MoneyScale {
		step := pow10[MoneyScale-d]
		q, r := mag/step, mag%step
		if 2*r > step || (2*r == step && q%2 == 1) {
			q++
		}
		mag = q * step // cannot overflow: |MinMoney| + 1e9 < 2^64
	}
	ip, fp := mag/uint64(Unit), mag%uint64(Unit)
	var b strings.Builder
	if m < 0 && mag != 0 {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatUint(ip, 10))
	if d > 0 {
		f := strconv.FormatUint(fp, 10)
		f = strings.Repeat("0", MoneyScale-len(f)) + f
		b.WriteByte('.')
		b.WriteString(f[:d])
	}
	return b.String()
}

// Round returns m rounded half to even to d decimals (0..9).
func (m Money) Round(d int) (Money, error) {
	d = max(0, min(d, MoneyScale))
	if d == MoneyScale {
		return m, nil
	}
	step := pow10[MoneyScale-d]
	mag := absU(int64(m))
	q, r := mag/step, mag%step
	if 2*r > step || (2*r == step && q%2 == 1) {
		q++
	}
	hi, lo := bits.Mul64(q, step)
	return fromMagnitude(m < 0, hi, lo, m.String())
}

// Add returns m+n, or an error when the sum leaves Money's range.
func (m Money) Add(n Money) (Money, error) {
	s := m + n
	if (n > 0 && s < m) || (n < 0 && s > m) {
		return 0, paved.Errorf(paved.EUNPROCESSABLE, "sum of %s and %s is out of range: Money holds at most ±%s", m, n, MaxMoney)
	}
	return s, nil
}

// Sub returns m-n, or an error when the difference leaves Money's range.
func (m Money) Sub(n Money) (Money, error) {
	s := m - n
	if (n < 0 && s < m) || (n > 0 && s > m) {
		return 0, paved.Errorf(paved.EUNPROCESSABLE, "difference of %s and %s is out of range: Money holds at most ±%s", m, n, MaxMoney)
	}
	return s, nil
}

// Neg returns -m (MinMoney has no opposite: it returns MaxMoney's error).
func (m Money) Neg() (Money, error) { return Money(0).Sub(m) }

// MulInt returns m×n, or an error when the product leaves Money's range.
func (m Money) MulInt(n int64) (Money, error) {
	hi, lo := bits.Mul64(absU(int64(m)), absU(n))
	return fromMagnitude((m < 0) != (n < 0) && m != 0 && n != 0, hi, lo, m.String()+"×"+strconv.FormatInt(n, 10))
}

// MulRat returns m×r rounded half to even to the nano, or an error when the
// product leaves Money's range. Quantities (hours, GB, IOPS, a discount
// factor) are exact rationals, so a price times a quantity is exact up to
// that one final rounding.
func (m Money) MulRat(r *big.Rat) (Money, error) {
	if r == nil {
		return 0, nil
	}
	p := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(m)), r)
	return moneyFromRat(p)
}

// Rat returns m as an exact rational number of currency units.
func (m Money) Rat() *big.Rat { return big.NewRat(int64(m), int64(Unit)) }

// moneyFromRat rounds a rational count of nano-units half to even.
func moneyFromRat(p *big.Rat) (Money, error) {
	num, den := p.Num(), p.Denom()
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// Compare 2|r| with den for half-to-even rounding.
	r2 := new(big.Int).Abs(r)
	r2.Lsh(r2, 1)
	switch c := r2.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, paved.Errorf(paved.EUNPROCESSABLE, "amount %s is out of range: Money holds at most ±%s", new(big.Rat).Quo(p, big.NewRat(int64(Unit), 1)).FloatString(2), MaxMoney)
	}
	return Money(q.Int64()), nil
}

// Sum adds amounts, or returns an error when the total leaves Money's range.
func Sum(ms ...Money) (Money, error) {
	var t Money
	for _, m := range ms {
		var err error
		if t, err = t.Add(m); err != nil {
			return 0, err
		}
	}
	return t, nil
}

// Sign returns -1, 0 or +1.
func (m Money) Sign() int {
	switch {
	case m < 0:
		return -1
	case m > 0:
		return 1
	}
	return 0
}

// Nanos returns the raw count of nano-units (what a database column holds).
func (m Money) Nanos() int64 { return int64(m) }

// MarshalText writes the exact amount (String).
func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads an exact amount (ParseMoney).
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalJSON writes the exact amount as a JSON string ("12.5"), so that no
// reader turns it into a float on the way.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(`"` + m.String() + `"`), nil
}

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

// Scan reads an integer count of nano-units (as int64, or as the decimal
// text PostgreSQL returns for SUM over a bigint column).
func (m *Money) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*m = Money(v)
		return nil
	case []byte:
		return m.scanText(string(v))
	case string:
		return m.scanText(v)
	case nil:
		*m = 0
		return nil
	}
	return paved.Errorf(paved.EINTERNAL, "cannot read money from a %T column: want an integer count of nano-units", src)
}

func (m *Money) scanText(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return paved.Errorf(paved.EINTERNAL, "cannot read money from %q: want an integer count of nano-units", clip(s))
	}
	*m = Money(n)
	return nil
}
