package ownership

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/suggest"
)

// The effective map is the config file's map with each concern an admin
// edited taking the edit's owner and RACI teams. The file keeps the
// concerns, layers, titles and descriptions: an edit only reassigns. An
// edit of a concern the file no longer has is stale: it is ignored, and
// listed so that an admin can remove it.

// Apply returns a copy of m with edits laid over it, and the edits whose
// concern m does not have.
func Apply(m *Map, edits []*paved.OwnershipEdit) (eff *Map, stale []*paved.OwnershipEdit) {
	eff = m.Clone()
	for _, e := range edits {
		if e == nil {
			continue
		}
		c := eff.Concern(e.Concern)
		if c == nil {
			stale = append(stale, e)
			continue
		}
		ec := *e
		c.Owner, c.Accountable = e.Owner, e.Accountable
		c.Consulted = append([]string{}, e.Consulted...)
		c.Informed = append([]string{}, e.Informed...)
		c.Edit = &ec
	}
	return eff, stale
}

// CheckEdit checks an admin edit against the map and the catalog before
// it is stored: the concern exists, each reference is a valid name that
// resolves to a catalog team (or is product-team), and no team has two
// roles. It normalises e (trims, drops empty entries, accountable equal
// to the owner).
func CheckEdit(m *Map, teams *Teams, e *paved.OwnershipEdit) error {
	if e == nil {
		return paved.Errorf(paved.EINVALID, "no edit given")
	}
	e.Concern = strings.TrimSpace(e.Concern)
	if m.Concern(e.Concern) == nil {
		var ids []string
		for _, c := range m.Concerns() {
			ids = append(ids, c.ID)
		}
		msg := fmt.Sprintf("unknown concern %q: the ownership map has no such concern (paved ownership show lists them)", e.Concern)
		if s := suggest.Closest(strings.ToLower(e.Concern), ids, 2); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return paved.FieldErrorf(paved.ENOTFOUND, "concern", "%s", msg)
	}
	e.Owner, e.Accountable = strings.TrimSpace(e.Owner), strings.TrimSpace(e.Accountable)
	if e.Accountable == e.Owner {
		e.Accountable = ""
	}
	clean := func(field string, refs []string) ([]string, error) {
		out := []string{}
		for _, r := range refs {
			r = strings.TrimSpace(r)
			if r == "" {
				continue
			}
			if slices.Contains(out, r) {
				return nil, paved.FieldErrorf(paved.EINVALID, field, "%s names %s twice: name each team once", field, r)
			}
			out = append(out, r)
		}
		return out, nil
	}
	var err error
	if e.Consulted, err = clean("consulted", e.Consulted); err != nil {
		return err
	}
	if e.Informed, err = clean("informed", e.Informed); err != nil {
		return err
	}
	if len(e.Reason) > 1000 {
		return paved.FieldErrorf(paved.EINVALID, "reason", "the reason is %d bytes long: at most 1000", len(e.Reason))
	}
	check := func(field, ref string) error {
		if ref == "" {
			return nil
		}
		if err := paved.ValidateName(field, ref); err != nil {
			return err
		}
		if _, err := teams.Resolve(ref); err != nil {
			return paved.FieldErrorf(paved.ErrorCode(err), field, "%s", msgOf(err))
		}
		return nil
	}
	if err := check("owner", e.Owner); err != nil {
		return err
	}
	if err := check("accountable", e.Accountable); err != nil {
		return err
	}
	for _, r := range e.Consulted {
		if err := check("consulted", r); err != nil {
			return err
		}
	}
	for _, r := range e.Informed {
		if err := check("informed", r); err != nil {
			return err
		}
	}
	c := &Concern{ID: e.Concern, Owner: e.Owner, Accountable: e.Accountable, Consulted: e.Consulted, Informed: e.Informed}
	if err := checkRoles(c); err != nil {
		return paved.Errorf(paved.EINVALID, "%s", paved.ErrorMessage(err))
	}
	return nil
}

// ---- Export ------------------------------------------------------------------

type yamlMap struct {
	Version int         `yaml:"version"`
	Layers  []yamlLayer `yaml:"layers"`
}

type yamlLayer struct {
	ID          string        `yaml:"id"`
	Title       string        `yaml:"title"`
	Description string        `yaml:"description,omitempty"`
	Concerns    []yamlConcern `yaml:"concerns"`
}

type yamlConcern struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	Description string   `yaml:"description,omitempty"`
	Owner       string   `yaml:"owner,omitempty"`
	Accountable string   `yaml:"accountable,omitempty"`
	Consulted   []string `yaml:"consulted,omitempty,flow"`
	Informed    []string `yaml:"informed,omitempty,flow"`
}

// Marshal writes m as an ownership.yaml that Parse reads back to the same
// map; header, when set, becomes a comment at the top (one line per line).
func Marshal(m *Map, header string) ([]byte, error) {
	y := yamlMap{Version: FormatVersion}
	for _, l := range m.Layers {
		yl := yamlLayer{ID: l.ID, Title: l.Title, Description: l.Description}
		for _, c := range l.Concerns {
			yl.Concerns = append(yl.Concerns, yamlConcern{
				ID: c.ID, Title: c.Title, Description: c.Description,
				Owner: c.Owner, Accountable: c.Accountable, Consulted: c.Consulted, Informed: c.Informed,
			})
		}
		y.Layers = append(y.Layers, yl)
	}
	var buf bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		if header != "" {
			buf.WriteString("# " + strings.TrimSpace(line) + "\n")
		}
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(y); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
