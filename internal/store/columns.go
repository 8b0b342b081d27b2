package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	paved "github.com/paved-dev/paved"
)

// Times are stored as fixed-width UTC text in paved.AuditTimeFormat on both
// engines: it sorts and compares as text exactly as the instants do, it
// reproduces the bytes the audit hash covers, and it keeps one schema.

// formatTime is the stored form of t.
func formatTime(t time.Time) string { return t.UTC().Format(paved.AuditTimeFormat) }

// formatTimePtr is the stored form of an optional time (NULL when nil).
func formatTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

// parseTime reads a stored time. It also accepts RFC 3339, so that rows
// written by hand (or by a future timestamptz column) still read.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(paved.AuditTimeFormat, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("stored time %q is not in %s form", s, paved.AuditTimeFormat)
		}
	}
	return t.UTC(), nil
}

// timeCol scans a stored time into *time.Time (NULL is an error) or
// **time.Time (NULL is nil), from text or a native timestamp, always in UTC.
// It is the one place either engine's time becomes a Go time.
type timeCol struct {
	t   *time.Time
	opt **time.Time
}

func scanTime(t *time.Time) *timeCol     { return &timeCol{t: t} }
func scanTimePtr(t **time.Time) *timeCol { return &timeCol{opt: t} }

func (c *timeCol) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if c.opt != nil {
			*c.opt = nil
			return nil
		}
		return fmt.Errorf("store: NULL in a required time column")
	case string:
		p, err := parseTime(v)
		if err != nil {
			return err
		}
		t = p
	case []byte:
		p, err := parseTime(string(v))
		if err != nil {
			return err
		}
		t = p
	case time.Time:
		t = v.UTC()
	default:
		return fmt.Errorf("store: cannot read %T as a time", src)
	}
	if c.opt != nil {
		*c.opt = &t
	} else {
		*c.t = t
	}
	return nil
}

// jsonCol scans a JSON text column into dst (a pointer to a slice or map).
type jsonCol struct{ dst any }

func scanJSON(dst any) *jsonCol { return &jsonCol{dst: dst} }

func (c *jsonCol) Scan(src any) error {
	var str string
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		str = v
	case []byte:
		str = string(v)
	default:
		return fmt.Errorf("store: cannot read %T as JSON", src)
	}
	// Fast paths for the shapes the store itself writes (the hot list
	// queries decode six JSON columns per row); anything else goes
	// through encoding/json with the same result.
	switch d := c.dst.(type) {
	case *[]string:
		if v, ok := decodeStrings(str); ok {
			*d = v
			return nil
		}
	case *map[string]string:
		if v, ok := decodeStringMap(str); ok {
			*d = v
			return nil
		}
	case *[]paved.Link:
		if v, ok := decodeLinks(str); ok {
			*d = v
			return nil
		}
	}
	if err := json.Unmarshal([]byte(str), c.dst); err != nil {
		return fmt.Errorf("store: stored JSON is invalid: %w", err)
	}
	return nil
}

// plainString reads a JSON string at s[i] (the opening quote) that has no
// escapes, no control characters and valid UTF-8, as json.Marshal writes
// most strings; ok is false for anything else, and the caller falls back to
// encoding/json.
func plainString(s string, i int) (str string, next int, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			str = s[i+1 : j]
			if !utf8.ValidString(str) {
				return "", 0, false
			}
			return str, j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// decodeStrings decodes a compact JSON array of plain strings.
func decodeStrings(s string) ([]string, bool) {
	if s == "[]" {
		return []string{}, true
	}
	if len(s) < 2 || s[0] != '[' {
		return nil, false
	}
	out := make([]string, 0, strings.Count(s, ",")+1)
	for i := 1; ; {
		str, next, ok := plainString(s, i)
		if !ok || next >= len(s) {
			return nil, false
		}
		out = append(out, str)
		switch s[next] {
		case ',':
			i = next + 1
		case ']':
			return out, next == len(s)-1
		default:
			return nil, false
		}
	}
}

// plainObject reads a compact JSON object of plain strings at s[i] (the
// opening brace), calling set for each member in order, and returns the
// index after the closing brace. set returns false to give up.
func plainObject(s string, i int, set func(k, v string) bool) (int, bool) {
	if i+1 >= len(s) || s[i] != '{' {
		return 0, false
	}
	if s[i+1] == '}' {
		return i + 2, true
	}
	for i++; ; {
		k, next, ok := plainString(s, i)
		if !ok || next >= len(s) || s[next] != ':' {
			return 0, false
		}
		v, next, ok := plainString(s, next+1)
		if !ok || next >= len(s) || !set(k, v) {
			return 0, false
		}
		switch s[next] {
		case ',':
			i = next + 1
		case '}':
			return next + 1, true
		default:
			return 0, false
		}
	}
}

// decodeStringMap decodes a compact JSON object of plain strings.
func decodeStringMap(s string) (map[string]string, bool) {
	out := make(map[string]string, strings.Count(s, ",")+1)
	end, ok := plainObject(s, 0, func(k, v string) bool { out[k] = v; return true })
	if !ok || end != len(s) {
		return nil, false
	}
	return out, true
}

// decodeLinks decodes a compact JSON array of links whose members are plain
// strings under their exact lower-case names (encoding/json would also
// match other spellings; those take the slow path).
func decodeLinks(s string) ([]paved.Link, bool) {
	if s == "[]" {
		return []paved.Link{}, true
	}
	if len(s) < 2 || s[0] != '[' {
		return nil, false
	}
	out := make([]paved.Link, 0, strings.Count(s, "{"))
	for i := 1; ; {
		var l paved.Link
		next, ok := plainObject(s, i, func(k, v string) bool {
			switch k {
			case "url":
				l.URL = v
			case "title":
				l.Title = v
			case "icon":
				l.Icon = v
			case "type":
				l.Type = v
			default:
				return false
			}
			return true
		})
		if !ok || next >= len(s) {
			return nil, false
		}
		out = append(out, l)
		switch s[next] {
		case ',':
			i = next + 1
		case ']':
			return out, next == len(s)-1
		default:
			return nil, false
		}
	}
}

// toJSON is the stored form of a slice or map; empty is [] or {}, never null,
// so that the column is always valid JSON of its shape.
func toJSON[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Only strings and Links reach here; they always marshal.
		return "[]"
	}
	return string(b)
}

func mapJSON(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// nonNil makes empty slices and maps non-nil, so that a value the store
// returns looks the same whether it was just created or read back, and
// encodes as [] and {} rather than null in the API.
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// likePattern is the LIKE pattern for a case-insensitive substring match of
// q, with LIKE's wildcards escaped (queries say ESCAPE '\').
func likePattern(q string) string {
	q = strings.ToLower(q)
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
