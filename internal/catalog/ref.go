package catalog

import (
	"strings"

	paved "github.com/paved-dev/paved"
)

// ref is a Backstage entity reference, "[kind:][namespace/]name", with
// where it was written. Backstage compares references case-insensitively,
// so lookups use key(), while Name keeps the spelling for messages.
type ref struct {
	Kind      string // lower case; "" when the reference names no kind
	Namespace string
	Name      string
	Field     string // e.g. spec.owner, spec.memberOf[2]
	At        string // file:line
}

func (r ref) key() string { return strings.ToLower(r.Name) }

// parseRef reads an entity reference. It returns an *paved.Error naming
// the field when the reference is empty or its name is not a valid name.
func parseRef(s, field, at string) (ref, error) {
	r := ref{Field: field, At: at}
	v := strings.TrimSpace(s)
	if v == "" {
		return r, paved.FieldErrorf(paved.EINVALID, field+" ("+at+")", "the reference is empty: want [kind:][namespace/]name")
	}
	if i := strings.IndexByte(v, ':'); i >= 0 {
		r.Kind, v = strings.ToLower(v[:i]), v[i+1:]
	}
	if i := strings.IndexByte(v, '/'); i >= 0 {
		r.Namespace, v = v[:i], v[i+1:]
	}
	r.Name = v
	if err := paved.ValidateName(field+" ("+at+")", v); err != nil {
		return r, err
	}
	return r, nil
}

// normNamespace maps Backstage's implicit namespace to "": an entity that
// says namespace: default and one that says nothing are the same entity.
func normNamespace(ns string) string {
	if strings.EqualFold(ns, "default") {
		return ""
	}
	return ns
}
