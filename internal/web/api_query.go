package web

import (
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
)

// parsePage reads offset and limit. Out-of-range values are errors rather
// than silently clamped: a client asking for 10,000 rows should learn that
// it gets at most MaxLimit.
func parsePage(q url.Values) (paved.Page, error) {
	var p paved.Page
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, paved.FieldErrorf(paved.EINVALID, "offset", "offset %q is not valid: want a whole number >= 0", v)
		}
		p.Offset = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > paved.MaxLimit {
			return p, paved.FieldErrorf(paved.EINVALID, "limit", "limit %q is not valid: want a whole number from 1 to %d", v, paved.MaxLimit)
		}
		p.Limit = n
	}
	return p.Normalize(), nil
}

// parseBool reads a boolean parameter: true/false, 1/0 or empty (false).
func parseBool(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, paved.FieldErrorf(paved.EINVALID, name, "%s %q is not valid: want true or false", name, v)
	}
	return b, nil
}

// parseName reads an optional name parameter (team, user); a malformed one
// can match nothing, so it is an error rather than an empty result.
func parseName(q url.Values, name string) (string, error) {
	v := q.Get(name)
	if v == "" {
		return "", nil
	}
	if err := paved.ValidateName(name, v); err != nil {
		return "", err
	}
	return v, nil
}

// asParam names the query parameter in an error from a domain parser, which
// knows the value but not where it came from.
func asParam(name string, err error) error {
	if pe, ok := err.(*paved.Error); ok {
		return paved.FieldErrorf(pe.Code, name, "%s", pe.Message)
	}
	return err
}

// maxQueryText bounds free-text search terms: longer ones are never useful
// and cost the database a scan per character.
const maxQueryText = 200

func parseText(q url.Values, name string) (string, error) {
	v := q.Get(name)
	if len(v) > maxQueryText {
		return "", paved.FieldErrorf(paved.EINVALID, name, "%s is %d bytes long: at most %d are allowed", name, len(v), maxQueryText)
	}
	return v, nil
}
