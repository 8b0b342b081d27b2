package ownership

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	paved "github.com/paved-dev/paved"
)

// Evaluate derives the considerations the resources of a service's latest
// check raise: for each resource whose type has a shared-responsibility
// table, each concern the vendor does not simply cover, plus those it
// covers (state vendor, so the team sees what it need not do). Rows that
// do not apply are left out; so are deleted resources. Owner is the
// concern's owner in m (product-team resolved to svc's owner team), ""
// when m names none. The result is ordered by resource address, then in
// the table's concern order.
func Evaluate(svc *paved.Service, rs *paved.CheckResources, m *Map, teams *Teams) []*paved.Consideration {
	if rs == nil {
		return nil
	}
	owner := ""
	if svc != nil {
		owner = svc.Owner
	}
	res := append([]*paved.CheckResource(nil), rs.Resources...)
	sort.SliceStable(res, func(i, j int) bool { return res[i].Address < res[j].Address })
	var out []*paved.Consideration
	for _, r := range res {
		if r == nil || r.Action == "delete" {
			continue
		}
		t := TableFor(r.Type)
		if t == nil {
			continue
		}
		for _, row := range t.Rows {
			c := EvaluateRow(t, row, r)
			if c == nil {
				continue
			}
			c.Check, c.AsOf = rs.CheckID, rs.At
			if mc := m.Concern(row.Concern); mc != nil {
				c.ConcernTitle = mc.Title
				c.Owner = teams.Name(mc.Owner, owner)
			}
			out = append(out, c)
		}
	}
	return out
}

// EvaluateRow is one row of a table applied to one resource: nil for a
// row that does not apply. Owner and the check are left to the caller.
func EvaluateRow(t *Table, row *Row, r *paved.CheckResource) *paved.Consideration {
	if row.CoveredBy == paved.CoverNotApplicable {
		return nil
	}
	c := &paved.Consideration{
		Resource:     r.Address,
		ResourceType: r.Type,
		TypeTitle:    t.Title,
		Concern:      row.Concern,
		ConcernTitle: ConcernLabel(row.Concern),
		Coverage:     row.CoveredBy,
		Condition:    row.EnabledWhen,
		Note:         row.Note,
		Source:       row.Source,
	}
	switch row.CoveredBy {
	case paved.CoverVendor:
		c.State = paved.StateVendor
		c.Detail = renderDetail(row.Detail, r.After)
	case paved.CoverTeam:
		c.State = paved.StateTeam
	case paved.CoverVendorOnceEnabled:
		switch row.cond.Eval(r.After) {
		case True:
			c.State = paved.StateEnabled
			c.Detail = "enabled"
			if d := renderDetail(row.Detail, r.After); d != "" {
				c.Detail += ", " + d
			}
		case False:
			c.State = paved.StateNotEnabled
			c.Detail = "NOT enabled"
			if v := values(row.cond, r.After); v != "" {
				c.Detail += ": " + v
			}
		default:
			c.State = paved.StateUnknown
			c.Detail = "the plan does not say"
			if v := unknowns(row.cond, r.After); v != "" {
				c.Detail += ": " + v + " known only after apply"
			}
		}
	}
	return c
}

// Sentence says a consideration in one line, as the CLI and the checklist
// show it: "Amazon RDS DB instance backups: vendor once
// backup_retention_period > 0; here enabled, 7 days".
func Sentence(c *paved.Consideration) string {
	label := ConcernLabel(c.Concern)
	var cover string
	switch c.Coverage {
	case paved.CoverVendor:
		cover = "covered by the vendor"
	case paved.CoverVendorOnceEnabled:
		cover = "vendor once " + c.Condition
	case paved.CoverTeam:
		cover = "the team's"
		if c.Owner != "" {
			cover = c.Owner + "'s"
		}
	}
	s := fmt.Sprintf("%s %s: %s", c.TypeTitle, label, cover)
	switch c.State {
	case paved.StateEnabled, paved.StateNotEnabled, paved.StateUnknown:
		s += "; here " + c.Detail
	case paved.StateVendor:
		if c.Detail != "" {
			s += "; here " + c.Detail
		}
	}
	return s
}

// renderDetail replaces each {path} of d by the planned value; "" when a
// value is missing (the detail would say nothing true).
func renderDetail(d string, after map[string]any) string {
	if d == "" {
		return ""
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(d, '{')
		if i < 0 {
			b.WriteString(d)
			return b.String()
		}
		j := strings.IndexByte(d[i:], '}')
		if j < 0 {
			b.WriteString(d)
			return b.String()
		}
		vals, _ := lookup(map[string]any(after), strings.Split(d[i+1:i+j], "."))
		var shown []string
		for _, v := range vals {
			if str, ok := v.(string); ok && str != "" {
				shown = append(shown, truncate(str, 80))
			} else if isSet(v) {
				shown = append(shown, show(v))
			}
		}
		if len(shown) == 0 {
			return ""
		}
		b.WriteString(d[:i])
		b.WriteString(strings.Join(shown, ", "))
		d = d[i+j+1:]
	}
}

// values lists the condition's attributes with their planned values
// ("storage_encrypted = false").
func values(c *Cond, after map[string]any) string {
	var parts []string
	for _, p := range c.Paths() {
		vals, known := lookup(map[string]any(after), strings.Split(p, "."))
		switch {
		case !known && len(vals) == 0:
			parts = append(parts, p+" unknown")
		case !slices.ContainsFunc(vals, isSet):
			parts = append(parts, p+" not set")
		default:
			var vs []string
			for _, v := range vals {
				vs = append(vs, show(v))
			}
			parts = append(parts, p+" = "+strings.Join(vs, ", "))
		}
	}
	return strings.Join(parts, ", ")
}

// unknowns lists the condition's attributes the plan does not hold.
func unknowns(c *Cond, after map[string]any) string {
	var parts []string
	for _, p := range c.Paths() {
		if _, known := lookup(map[string]any(after), strings.Split(p, ".")); !known {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// show renders a planned value briefly.
func show(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		if t == paved.SensitiveValue {
			return t
		}
		return strconv.Quote(truncate(t, 80))
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	case []any:
		if len(t) == 0 {
			return "[]"
		}
		return fmt.Sprintf("%d blocks", len(t))
	case map[string]any:
		return "{…}"
	}
	return fmt.Sprint(v)
}

// truncate cuts s to at most n bytes at a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 1
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
