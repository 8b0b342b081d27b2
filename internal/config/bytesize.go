package config

import (
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

// ByteSize is a number of bytes written either as an integer or with a
// unit: 512KiB, 1MiB, 1GiB (binary) or 1KB, 1MB, 1GB (decimal). Units make
// limits readable in review ("32MiB" rather than 33554432).
type ByteSize int64

var byteUnits = []struct {
	suffix string
	mult   int64
}{
	// Longest suffixes first so that "KiB" is not read as "B".
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
	{"b", 1},
}

// UnmarshalText parses a size.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(text)))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(s, u.suffix) {
			s = strings.TrimSpace(strings.TrimSuffix(s, u.suffix))
			mult = u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return paved.Errorf(paved.EINVALID, "want a size such as 1048576, 512KiB or 1MiB, got %q", string(text))
	}
	if n > (1<<62)/mult {
		return paved.Errorf(paved.EINVALID, "size %q is too large", string(text))
	}
	*b = ByteSize(n * mult)
	return nil
}

// String writes the size in the largest binary unit that divides it.
func (b ByteSize) String() string {
	switch {
	case b != 0 && b%(1<<30) == 0:
		return strconv.FormatInt(int64(b)>>30, 10) + "GiB"
	case b != 0 && b%(1<<20) == 0:
		return strconv.FormatInt(int64(b)>>20, 10) + "MiB"
	case b != 0 && b%(1<<10) == 0:
		return strconv.FormatInt(int64(b)>>10, 10) + "KiB"
	}
	return strconv.FormatInt(int64(b), 10)
}
