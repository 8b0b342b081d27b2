package policy

import (
	"sort"
	"time"

	paved "github.com/paved-dev/paved"
)

// A campaign is a deny rule with an enforce_from date: until that day its
// findings are warnings that say when they start to block (the gentle
// roll-out of a new standard), from that day they deny. The portal's
// /campaigns page follows each one; paved serve announces it to the
// owners of the services that would fail it.

// Campaigns returns the engine's campaigns at now, by enforcement date
// then rule id: every enabled deny rule with an enforce_from date, from
// the built-in library, the custom policies or paved.yaml.
func (e *Engine) Campaigns(now time.Time) []paved.Campaign {
	today := now.UTC().Format(dateLayout)
	var out []paved.Campaign
	for _, ri := range e.ordered {
		r := ri.rule
		if r.EnforceFrom == "" || r.Severity != paved.SeverityDeny || e.Disabled(r.ID) {
			continue
		}
		c := paved.Campaign{Rule: cloneRule(r), EnforceFrom: r.EnforceFrom, Enforced: !enforcedLater(r.EnforceFrom, today)}
		if !c.Enforced {
			t0, _ := time.Parse(dateLayout, today)
			c.DaysLeft = int(c.Deadline().Sub(t0).Hours() / 24)
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].EnforceFrom != out[j].EnforceFrom {
			return out[i].EnforceFrom < out[j].EnforceFrom
		}
		return out[i].Rule.ID < out[j].Rule.ID
	})
	return out
}
