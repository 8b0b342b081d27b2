package iac

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// fastDecoder decodes JSON that scanJSON has already validated into generic
// values (map[string]any, []any, string, float64, bool, nil), the same
// values encoding/json produces. It skips validation and reflection and
// interns object keys (a plan repeats the same attribute names thousands of
// times), which makes it several times faster than encoding/json on the
// resource changes of a big plan. It must only see validated input; the
// caller recovers from a panic all the same and falls back to encoding/json.
type fastDecoder struct {
	s    []byte
	pos  int
	keys map[string]string
	// skipBefore leaves out the "before" and "before_sensitive" members of
	// the object at depth 2 (a resource change's "change"), decoding them
	// as nil without building them: see Options.DropBefore.
	skipBefore bool
	// beforeForChanges leaves them out only when the change's actions,
	// already decoded (Terraform writes them first), neither update nor
	// delete the object: see Options.BeforeForChanges.
	beforeForChanges bool
	// keep, when set, names the attributes to build in the value objects
	// (before, after, after_unknown and their sensitivity markers) of a
	// resource change: other members are skipped. See Options.Attributes.
	keep    map[string]bool
	inValue bool // decoding one of those value objects
	depth   int
}

// valueObjects are the members of a resource change's "change" that hold
// the resource's attributes, keyed by attribute name.
var valueObjects = map[string]bool{
	"before": true, "after": true, "after_unknown": true,
	"before_sensitive": true, "after_sensitive": true,
}

func newFastDecoder() *fastDecoder {
	return &fastDecoder{keys: make(map[string]string, 1024)}
}

func (d *fastDecoder) decode(s []byte) any {
	d.s, d.pos = s, 0
	return d.value()
}

func (d *fastDecoder) ws() {
	for d.pos < len(d.s) {
		switch d.s[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// unchangedActions reports whether decoded actions leave the prior object
// as it is (no-op, create, read), so its prior values say nothing the
// planned ones do not. Missing actions count as changed.
func unchangedActions(v any) bool {
	acts, ok := v.([]any)
	if !ok || len(acts) == 0 {
		return false
	}
	for _, a := range acts {
		switch a {
		case "no-op", "create", "read":
		default:
			return false
		}
	}
	return true
}

func (d *fastDecoder) value() any {
	d.ws()
	switch c := d.s[d.pos]; c {
	case '{':
		d.pos++
		d.depth++
		defer func() { d.depth-- }()
		m := make(map[string]any)
		d.ws()
		if d.s[d.pos] == '}' {
			d.pos++
			return m
		}
		for {
			d.ws()
			k := d.key()
			d.ws()
			d.pos++ // ':'
			switch {
			case d.depth == 2 && (k == "before" || k == "before_sensitive") &&
				(d.skipBefore || (d.beforeForChanges && unchangedActions(m["actions"]))):
				d.skip()
				m[k] = nil
			case d.keep != nil && d.depth == 2 && valueObjects[k]:
				d.inValue = true
				m[k] = d.value()
				d.inValue = false
			case d.inValue && d.depth == 3 && !d.keep[k]:
				d.skip()
			default:
				m[k] = d.value()
			}
			d.ws()
			if d.s[d.pos] == ',' {
				d.pos++
				continue
			}
			d.pos++ // '}'
			return m
		}
	case '[':
		d.pos++
		l := make([]any, 0, 4)
		d.ws()
		if d.s[d.pos] == ']' {
			d.pos++
			return l
		}
		for {
			l = append(l, d.value())
			d.ws()
			if d.s[d.pos] == ',' {
				d.pos++
				continue
			}
			d.pos++ // ']'
			return l
		}
	case '"':
		return d.str()
	case 't':
		d.pos += 4
		return true
	case 'f':
		d.pos += 5
		return false
	case 'n':
		d.pos += 4
		return nil
	}
	return d.number()
}

// skip moves past one (validated) value without building it.
func (d *fastDecoder) skip() {
	d.ws()
	nest := 0
	for d.pos < len(d.s) {
		switch c := d.s[d.pos]; c {
		case '"':
			d.pos++
			d.plainRun()
			for d.s[d.pos] != '"' {
				if d.s[d.pos] == '\\' {
					d.pos++
				}
				d.pos++
			}
			d.pos++
		case '{', '[':
			nest++
			d.pos++
		case '}', ']':
			if nest == 0 {
				return // the end of the enclosing value: the skipped one was a scalar
			}
			nest--
			d.pos++
		case ',':
			if nest == 0 {
				return
			}
			d.pos++
		default:
			d.pos++
		}
		if nest == 0 && d.pos > 0 {
			switch d.s[d.pos-1] {
			case '"', '}', ']':
				return
			}
		}
	}
}

func (d *fastDecoder) number() any {
	start := d.pos
	simple := true
	for d.pos < len(d.s) {
		c := d.s[d.pos]
		if c >= '0' && c <= '9' || c == '-' {
			d.pos++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' {
			simple = false
			d.pos++
			continue
		}
		break
	}
	lit := d.s[start:d.pos]
	if simple && len(lit) < 16 {
		neg := lit[0] == '-'
		if neg {
			lit = lit[1:]
		}
		var n int64
		for _, c := range lit {
			n = n*10 + int64(c-'0')
		}
		if neg {
			if n == 0 {
				return math.Copysign(0, -1)
			}
			n = -n
		}
		return float64(n)
	}
	f, err := strconv.ParseFloat(string(d.s[start:d.pos]), 64)
	if err != nil {
		// Out of float64's range: keep the literal, as json.Number.
		return json.Number(string(d.s[start:d.pos]))
	}
	return f
}

func (d *fastDecoder) key() string {
	start := d.pos + 1
	i := start
	for d.s[i] != '"' {
		if d.s[i] == '\\' {
			return d.str()
		}
		i++
	}
	d.pos = i + 1
	b := d.s[start:i]
	if k, ok := d.keys[string(b)]; ok {
		return k
	}
	k := string(b)
	if len(d.keys) < 1<<16 {
		d.keys[k] = k
	}
	return k
}

// plainRun moves over the characters of a string eight at a time while
// none of them is a quote or a backslash (see plainWord; the input is
// validated, so there are no control characters).
func (d *fastDecoder) plainRun() {
	for d.pos+8 <= len(d.s) && plainWord(binary.LittleEndian.Uint64(d.s[d.pos:])) {
		d.pos += 8
	}
}

func (d *fastDecoder) str() string {
	d.pos++ // opening quote
	start := d.pos
	d.plainRun()
	for d.s[d.pos] != '"' {
		if d.s[d.pos] == '\\' {
			return d.unescape(start)
		}
		d.pos++
	}
	s := string(d.s[start:d.pos])
	d.pos++
	return s
}

// unescape decodes a string with escapes from start (after the quote),
// replacing invalid surrogates with U+FFFD as encoding/json does.
func (d *fastDecoder) unescape(start int) string {
	out := make([]byte, 0, d.pos-start+16)
	out = append(out, d.s[start:d.pos]...)
	for {
		c := d.s[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(out)
		case c == '\\':
			e := d.s[d.pos+1]
			d.pos += 2
			switch e {
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := rune(hex4(d.s[d.pos : d.pos+4]))
				d.pos += 4
				if utf16.IsSurrogate(r) {
					if d.pos+6 <= len(d.s) && d.s[d.pos] == '\\' && d.s[d.pos+1] == 'u' {
						r2 := rune(hex4(d.s[d.pos+2 : d.pos+6]))
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							d.pos += 6
							out = utf8.AppendRune(out, dec)
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default: // '"', '\\', '/'
				out = append(out, e)
			}
		default:
			out = append(out, c)
			d.pos++
		}
	}
}

func hex4(b []byte) int {
	n := 0
	for _, c := range b {
		n <<= 4
		switch {
		case c >= '0' && c <= '9':
			n |= int(c - '0')
		case c >= 'a' && c <= 'f':
			n |= int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			n |= int(c-'A') + 10
		}
	}
	return n
}

// decodeValidated decodes text that scanJSON accepted, with the fast decoder,
// falling back to encoding/json should the fast one fail.
func decodeValidated(text []byte) (v any, err error) {
	func() {
		defer func() {
			if recover() != nil {
				err = errFastDecoder
			}
		}()
		v = newFastDecoder().decode(text)
	}()
	if err == nil {
		return v, nil
	}
	err = json.Unmarshal(text, &v)
	return v, err
}

var errFastDecoder = errors.New("fast decoder failed")
