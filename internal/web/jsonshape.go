package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Bounds on the lists of API bodies. The body limit alone lets a 1 MiB
// PATCH carry 200,000 tags, each of which is then validated, stored and
// shown on every page that lists the service; these bounds say how many
// items a list (an array, or the members of an object) may have, by the
// name of the field that holds it, wherever it is in the body.
const defaultMaxItems = 10_000

// maxItems are the bounds of the named lists (docs/security.md lists
// them). A field not named here takes defaultMaxItems.
var maxItems = map[string]int{
	// A service (POST and PATCH /services, catalog import).
	"tags":          200, // also a resource's tags in a recorded check: clouds allow 50
	"links":         50,
	"annotations":   200,
	"depends_on":    1_000,
	"provides_apis": 1_000,
	"consumes_apis": 1_000,
	// A recorded check: a plan of 100,000 resources fits the 16 MiB body
	// limit only barely.
	"resources": 100_000,
	"findings":  100_000,
}

// shapeFrame is one open array or object of checkJSONShape.
type shapeFrame struct {
	obj       bool
	name      string // the field that holds this list ("" at the top)
	seg       string // this frame's segment of the path
	count     int
	expectKey bool // an object, between members
	key       string
	keys      map[string]struct{}
}

// checkJSONShape reads one JSON value and refuses an object with a key
// twice (encoding/json keeps the last silently, so two readers of one
// body could disagree about it) and a list longer than its bound. It
// answers nil for a body that is not valid JSON: the decoder then says
// what is wrong with it, as it always has.
func checkJSONShape(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*shapeFrame
	path := func(last string) string {
		var b bytes.Buffer
		for _, f := range stack {
			b.WriteString(f.seg)
		}
		b.WriteString(last)
		s := b.String()
		if len(s) > 0 && s[0] == '.' {
			s = s[1:]
		}
		return s
	}
	limit := func(name string) int {
		if n, ok := maxItems[name]; ok {
			return n
		}
		return defaultMaxItems
	}
	tooMany := func(f *shapeFrame) error {
		field := path("")
		what := "items"
		if f.obj {
			what = "keys"
		}
		if field == "" {
			return paved.Errorf(paved.EINVALID, "the request body has more than %d %s", limit(f.name), what)
		}
		return paved.FieldErrorf(paved.EINVALID, field, "more than %d %s: at most %d", limit(f.name), what, limit(f.name))
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // a syntax error or the end: the decoder reports it
		}
		var top *shapeFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return nil
				}
				valueDone(stack[len(stack)-1])
				continue
			}
			key, _ := tok.(string)
			if strings.IndexByte(key, 0) >= 0 {
				return nulError(path("")) // the object: the key itself is not a name to show
			}
			if top.keys == nil {
				top.keys = map[string]struct{}{}
			}
			if _, dup := top.keys[key]; dup {
				return paved.FieldErrorf(paved.EINVALID, path("."+key), "the key %q is in this object twice: send each key once", key)
			}
			top.keys[key] = struct{}{}
			top.count++
			if top.count > limit(top.name) {
				return tooMany(top)
			}
			top.key, top.expectKey = key, false
			continue
		}
		// A value, or the end of an array.
		if d, ok := tok.(json.Delim); ok && d == ']' {
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
			valueDone(stack[len(stack)-1])
			continue
		}
		name, seg := "", ""
		if top != nil {
			if top.obj {
				name, seg = top.key, "."+top.key
			} else {
				top.count++
				if top.count > limit(top.name) {
					return tooMany(top)
				}
				name, seg = top.name, "["+strconv.Itoa(top.count-1)+"]"
			}
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &shapeFrame{obj: d == '{', name: name, seg: seg, expectKey: d == '{'})
			continue
		}
		if str, ok := tok.(string); ok && strings.IndexByte(str, 0) >= 0 {
			return nulError(path(seg))
		}
		if top == nil {
			return nil // a scalar body
		}
		valueDone(top)
	}
}

// nulError refuses a NUL character (\u0000) anywhere in a body: no
// engine stores it alike (PostgreSQL refuses it in text and jsonb, SQLite
// keeps it), so it is bad input, whatever the field. Other control
// characters are refused by the domain's ValidateTexts where they are
// text (names, titles, descriptions); a recorded check's resources may
// hold them.
func nulError(field string) error {
	if field == "" {
		return paved.Errorf(paved.EINVALID, "the request body holds a NUL character (\\u0000)")
	}
	return paved.FieldErrorf(paved.EINVALID, field, "the value holds a NUL character (\\u0000): only printable characters, tabs and line breaks are allowed")
}

// valueDone marks a member's value as read: an object expects a key.
func valueDone(f *shapeFrame) {
	if f.obj {
		f.expectKey = true
	}
}
