package iac

import (
	"encoding/binary"
	"fmt"
)

// A JSON top-level scanner.
//
// encoding/json validates the whole input before decoding it, and a plan's
// planned_values and prior_state (about half of a big plan) are not needed to
// normalise resources. This scanner validates the whole text strictly in one
// fast pass and records where each top-level key's value lies, so that only
// the needed parts are handed to encoding/json. It is also what recognises
// an input by its top-level keys without decoding anything.

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

// topValue is one top-level JSON value of a text (a text may hold several,
// as a stream of Kubernetes objects does).
type topValue struct {
	start, end int    // the value's span in the text
	kind       byte   // '{', '[', '"', 'n' (number), 't', 'f', 'z' (null)
	keys       []span // for an object: its keys in order
	// elems are the element spans of a top-level "resource_changes" array,
	// recorded during the scan so that they can be decoded in parallel.
	elems []span
}

// span is one key of a top-level object and where its value is.
type span struct {
	key        string
	start, end int
}

func (v *topValue) get(key string) (span, bool) {
	// The last duplicate wins, as in encoding/json.
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i].key == key {
			return v.keys[i], true
		}
	}
	return span{}, false
}

func (v *topValue) has(key string) bool {
	_, ok := v.get(key)
	return ok
}

type scanError struct {
	off int // offset of the offending byte
	msg string
	eof bool
}

func (e *scanError) Error() string { return e.msg }

type scanner struct {
	s   []byte
	pos int
}

// scanJSON validates text as a sequence of JSON values separated by white
// space and returns the top-level values.
func scanJSON(text []byte) ([]topValue, *scanError) {
	sc := &scanner{s: text}
	var vals []topValue
	for {
		sc.ws()
		if sc.pos >= len(sc.s) {
			break
		}
		var tv topValue
		tv.start = sc.pos
		tv.kind = sc.s[sc.pos]
		if tv.kind == '{' {
			if err := sc.topObject(&tv); err != nil {
				return nil, err
			}
		} else {
			if err := sc.value(0); err != nil {
				return nil, err
			}
		}
		tv.end = sc.pos
		vals = append(vals, tv)
	}
	if len(vals) == 0 {
		return nil, &scanError{off: len(text), msg: "empty input", eof: true}
	}
	return vals, nil
}

func (sc *scanner) ws() {
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

func (sc *scanner) errAt(msg string) *scanError {
	if sc.pos >= len(sc.s) {
		return &scanError{off: len(sc.s), msg: "unexpected end of input", eof: true}
	}
	return &scanError{off: sc.pos, msg: msg}
}

func (sc *scanner) unexpected(context string) *scanError {
	if sc.pos >= len(sc.s) {
		return sc.errAt("")
	}
	return sc.errAt(fmt.Sprintf("invalid character %s %s", quoteChar(sc.s[sc.pos]), context))
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return "'" + string(c) + "'"
}

func (sc *scanner) topObject(tv *topValue) *scanError {
	sc.pos++ // '{'
	sc.ws()
	if sc.pos < len(sc.s) && sc.s[sc.pos] == '}' {
		sc.pos++
		return nil
	}
	for {
		sc.ws()
		if sc.pos >= len(sc.s) || sc.s[sc.pos] != '"' {
			return sc.unexpected("looking for beginning of object key string")
		}
		ks := sc.pos
		if err := sc.str(); err != nil {
			return err
		}
		key := unquoteKey(sc.s[ks:sc.pos])
		sc.ws()
		if sc.pos >= len(sc.s) || sc.s[sc.pos] != ':' {
			return sc.unexpected("after object key")
		}
		sc.pos++
		sc.ws()
		vs := sc.pos
		if key == "resource_changes" && sc.pos < len(sc.s) && sc.s[sc.pos] == '[' {
			tv.elems = tv.elems[:0]
			if err := sc.array(1, &tv.elems); err != nil {
				return err
			}
		} else if err := sc.value(1); err != nil {
			return err
		}
		tv.keys = append(tv.keys, span{key: key, start: vs, end: sc.pos})
		sc.ws()
		if sc.pos >= len(sc.s) {
			return sc.errAt("")
		}
		switch sc.s[sc.pos] {
		case ',':
			sc.pos++
		case '}':
			sc.pos++
			return nil
		default:
			return sc.unexpected("after object key:value pair")
		}
	}
}

// unquoteKey decodes a key; keys with escapes are rare and go the slow way.
func unquoteKey(q []byte) string {
	inner := q[1 : len(q)-1]
	for _, c := range inner {
		if c == '\\' {
			var s string
			if err := jsonUnmarshalString(q, &s); err == nil {
				return s
			}
			break
		}
	}
	return string(inner)
}

func (sc *scanner) value(depth int) *scanError {
	if depth > maxJSONDepth {
		return sc.errAt("exceeded max depth of nesting")
	}
	sc.ws()
	if sc.pos >= len(sc.s) {
		return sc.errAt("")
	}
	switch c := sc.s[sc.pos]; {
	case c == '{':
		sc.pos++
		sc.ws()
		if sc.pos < len(sc.s) && sc.s[sc.pos] == '}' {
			sc.pos++
			return nil
		}
		for {
			sc.ws()
			if sc.pos >= len(sc.s) || sc.s[sc.pos] != '"' {
				return sc.unexpected("looking for beginning of object key string")
			}
			if err := sc.str(); err != nil {
				return err
			}
			sc.ws()
			if sc.pos >= len(sc.s) || sc.s[sc.pos] != ':' {
				return sc.unexpected("after object key")
			}
			sc.pos++
			if err := sc.value(depth + 1); err != nil {
				return err
			}
			sc.ws()
			if sc.pos >= len(sc.s) {
				return sc.errAt("")
			}
			switch sc.s[sc.pos] {
			case ',':
				sc.pos++
			case '}':
				sc.pos++
				return nil
			default:
				return sc.unexpected("after object key:value pair")
			}
		}
	case c == '[':
		return sc.array(depth, nil)
	case c == '"':
		return sc.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return sc.number()
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	}
	return sc.unexpected("looking for beginning of value")
}

// array scans an array at sc.pos, recording its element spans in elems
// when elems is not nil.
func (sc *scanner) array(depth int, elems *[]span) *scanError {
	sc.pos++ // '['
	sc.ws()
	if sc.pos < len(sc.s) && sc.s[sc.pos] == ']' {
		sc.pos++
		return nil
	}
	for {
		sc.ws()
		start := sc.pos
		if err := sc.value(depth + 1); err != nil {
			return err
		}
		if elems != nil {
			*elems = append(*elems, span{start: start, end: sc.pos})
		}
		sc.ws()
		if sc.pos >= len(sc.s) {
			return sc.errAt("")
		}
		switch sc.s[sc.pos] {
		case ',':
			sc.pos++
		case ']':
			sc.pos++
			return nil
		default:
			return sc.unexpected("after array element")
		}
	}
}

func (sc *scanner) literal(word string) *scanError {
	for i := 0; i < len(word); i++ {
		if sc.pos >= len(sc.s) {
			return sc.errAt("")
		}
		if sc.s[sc.pos] != word[i] {
			return sc.unexpected("in literal " + word + " (expecting " + quoteChar(word[i]) + ")")
		}
		sc.pos++
	}
	return nil
}

func (sc *scanner) str() *scanError {
	sc.pos++ // opening quote
	s := sc.s
	for {
		// Fast path over ordinary characters: eight at a time while none
		// of them ends the string or needs a look, then one at a time.
		for sc.pos+8 <= len(s) && plainWord(binary.LittleEndian.Uint64(s[sc.pos:])) {
			sc.pos += 8
		}
		for sc.pos < len(s) {
			c := s[sc.pos]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			sc.pos++
		}
		if sc.pos >= len(s) {
			return sc.errAt("")
		}
		switch c := s[sc.pos]; {
		case c == '"':
			sc.pos++
			return nil
		case c == '\\':
			sc.pos++
			if sc.pos >= len(s) {
				return sc.errAt("")
			}
			switch s[sc.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				sc.pos++
			case 'u':
				sc.pos++
				for i := 0; i < 4; i++ {
					if sc.pos >= len(s) {
						return sc.errAt("")
					}
					if !isHex(s[sc.pos]) {
						return sc.unexpected("in \\u hexadecimal character escape")
					}
					sc.pos++
				}
			default:
				return sc.unexpected("in string escape code")
			}
		default:
			return sc.unexpected("in string literal")
		}
	}
}

// plainWord reports whether none of the eight bytes of x is a quote, a
// backslash or a control character (below 0x20): the bit tricks of
// "Bit Twiddling Hacks" (determine if a word has a byte less than n / equal
// to n), exact for the question "is there any such byte".
func plainWord(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	ctl := (x - lo*0x20) & ^x
	q := x ^ (lo * '"')
	bs := x ^ (lo * '\\')
	return (ctl|(q-lo)&^q|(bs-lo)&^bs)&hi == 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (sc *scanner) number() *scanError {
	s := sc.s
	if s[sc.pos] == '-' {
		sc.pos++
	}
	if sc.pos >= len(s) {
		return sc.errAt("")
	}
	switch {
	case s[sc.pos] == '0':
		sc.pos++
	case s[sc.pos] >= '1' && s[sc.pos] <= '9':
		for sc.pos < len(s) && s[sc.pos] >= '0' && s[sc.pos] <= '9' {
			sc.pos++
		}
	default:
		return sc.unexpected("in numeric literal")
	}
	if sc.pos < len(s) && s[sc.pos] == '.' {
		sc.pos++
		if sc.pos >= len(s) {
			return sc.errAt("")
		}
		if s[sc.pos] < '0' || s[sc.pos] > '9' {
			return sc.unexpected("after decimal point in numeric literal")
		}
		for sc.pos < len(s) && s[sc.pos] >= '0' && s[sc.pos] <= '9' {
			sc.pos++
		}
	}
	if sc.pos < len(s) && (s[sc.pos] == 'e' || s[sc.pos] == 'E') {
		sc.pos++
		if sc.pos < len(s) && (s[sc.pos] == '+' || s[sc.pos] == '-') {
			sc.pos++
		}
		if sc.pos >= len(s) {
			return sc.errAt("")
		}
		if s[sc.pos] < '0' || s[sc.pos] > '9' {
			return sc.unexpected("in exponent of numeric literal")
		}
		for sc.pos < len(s) && s[sc.pos] >= '0' && s[sc.pos] <= '9' {
			sc.pos++
		}
	}
	// A number must end at a delimiter, or "12x" would pass.
	if sc.pos < len(s) {
		switch s[sc.pos] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			return sc.unexpected("after numeric literal")
		}
	}
	return nil
}
