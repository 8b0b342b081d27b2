package launch

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

// ItemChange.Change values.
const (
	changeAdded   = "added"
	changeRemoved = "removed"
	changeChanged = "changed"
)

// Diff lists what changes for a launch moving from template old to new:
// items added, removed and changed (area, title, form, required tiers,
// guidance, evidence), in words a team can act on. The order is stable:
// the new template's items in its order (added and changed ones), then the
// removed items in the old template's order. A nil template has no items.
func Diff(old, new *paved.Template) []ItemChange {
	type located struct {
		area *paved.TemplateArea
		item *paved.TemplateItem
	}
	index := func(t *paved.Template) map[string]located {
		m := map[string]located{}
		if t == nil {
			return m
		}
		for _, a := range t.Areas {
			for _, it := range a.Items {
				m[it.ID] = located{a, it}
			}
		}
		return m
	}
	oldItems, newItems := index(old), index(new)
	out := []ItemChange{}
	if new != nil {
		for _, a := range new.Areas {
			for _, it := range a.Items {
				o, ok := oldItems[it.ID]
				if !ok {
					out = append(out, ItemChange{Item: it.ID, Area: a.ID, Change: changeAdded, Detail: addedDetail(it)})
					continue
				}
				if d := itemDiff(o.area, o.item, a, it); len(d) > 0 {
					out = append(out, ItemChange{Item: it.ID, Area: a.ID, Change: changeChanged, Detail: strings.Join(d, "; ")})
				}
			}
		}
	}
	if old != nil {
		for _, a := range old.Areas {
			for _, it := range a.Items {
				if _, ok := newItems[it.ID]; !ok {
					out = append(out, ItemChange{Item: it.ID, Area: a.ID, Change: changeRemoved,
						Detail: fmt.Sprintf("%q is no longer asked; answers given for it stay in the history but no longer count", it.Title)})
				}
			}
		}
	}
	return out
}

func addedDetail(it *paved.TemplateItem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "new item %q", it.Title)
	if len(it.RequiredFor) == 0 {
		b.WriteString(", optional for every tier")
	} else {
		b.WriteString(", required for " + tierWords(it.RequiredFor))
	}
	if it.Form == paved.FormLink {
		b.WriteString(", answered with a link")
	}
	if it.Evidence != nil {
		b.WriteString(", evidenced automatically by " + evidenceWords(it.Evidence))
	}
	return b.String()
}

// itemDiff describes how an item changed, one phrase per aspect.
func itemDiff(oa *paved.TemplateArea, o *paved.TemplateItem, na *paved.TemplateArea, n *paved.TemplateItem) []string {
	var d []string
	if oa.ID != na.ID {
		d = append(d, fmt.Sprintf("moved from area %s to %s", oa.Title, na.Title))
	}
	if o.Title != n.Title {
		d = append(d, fmt.Sprintf("title changed from %q to %q", o.Title, n.Title))
	}
	if o.Form != n.Form {
		d = append(d, fmt.Sprintf("now answered with %s (was %s)", formWords(n.Form), formWords(o.Form)))
	}
	if added := tierMinus(n.RequiredFor, o.RequiredFor); len(added) > 0 {
		d = append(d, "now required for "+tierWords(added))
	}
	if dropped := tierMinus(o.RequiredFor, n.RequiredFor); len(dropped) > 0 {
		phrase := "no longer required for " + tierWords(dropped)
		if len(n.RequiredFor) == 0 {
			phrase += " (now optional for every tier)"
		}
		d = append(d, phrase)
	}
	if o.Guidance != n.Guidance {
		d = append(d, "guidance rewritten")
	}
	switch oe, ne := o.Evidence, n.Evidence; {
	case oe == nil && ne == nil:
	case oe == nil:
		d = append(d, "now evidenced automatically by "+evidenceWords(ne))
	case ne == nil:
		d = append(d, "no longer evidenced automatically (was "+evidenceWords(oe)+"): answer it yourself")
	case evidenceWords(oe) != evidenceWords(ne):
		d = append(d, "evidence changed from "+evidenceWords(oe)+" to "+evidenceWords(ne))
	case oe.Note != ne.Note:
		d = append(d, "evidence note reworded")
	}
	return d
}

func formWords(f paved.AnswerForm) string {
	if f == paved.FormLink {
		return "a link"
	}
	return "a written answer"
}

// evidenceWords says where automatic evidence comes from.
func evidenceWords(e *paved.EvidenceRule) string {
	switch e.Source {
	case evidenceCatalogLink:
		return fmt.Sprintf("the catalog link %q", e.Value)
	case evidenceCatalogField:
		return fmt.Sprintf("the catalog field %q", e.Value)
	case evidenceCheckRules:
		if len(e.Rules) == 1 {
			return "the guard rail " + e.Rules[0]
		}
		return "the guard rails " + strings.Join(e.Rules, ", ")
	case evidenceAssessment:
		return "a recorded " + e.Value + " assessment"
	case evidenceFact:
		return "the facts " + e.Value
	}
	return e.Source + " " + e.Value
}

// tierMinus returns the tiers in a that are not in b, sorted.
func tierMinus(a, b []paved.Tier) []paved.Tier {
	var out []paved.Tier
	for _, t := range a {
		if !slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// tierWords: "tier 3", "tiers 3 and 4", "tiers 1, 2 and 3", "every tier".
func tierWords(ts []paved.Tier) string {
	if len(ts) == 4 {
		return "every tier"
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = strconv.Itoa(int(t))
	}
	switch len(s) {
	case 0:
		return "no tier"
	case 1:
		return "tier " + s[0]
	}
	return "tiers " + strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
