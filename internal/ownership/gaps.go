package ownership

import (
	"sort"

	paved "github.com/paved-dev/paved"
)

// UnownedConcern is a concern no team owns: the map gives it no owner, its
// owner is not a catalog team, or services' resources raise it and the map
// does not have it at all.
type UnownedConcern struct {
	Concern string `json:"concern"`
	Title   string `json:"title"`
	Layer   string `json:"layer,omitempty"` // "" when the map does not have the concern
	Reason  string `json:"reason"`
	// Services lists the services whose resources raise the concern.
	Services []string `json:"services"`
}

// ServiceGap is a service whose resources leave a team-owned concern
// unaddressed: the vendor would cover it once switched on, and the
// service's latest check does not switch it on.
type ServiceGap struct {
	Service        string                 `json:"service"`
	Team           string                 `json:"team"`
	Considerations []*paved.Consideration `json:"considerations"`
}

// GapReport is the organisation's ownership gaps.
type GapReport struct {
	Unowned  []*UnownedConcern `json:"unowned"`
	Services []*ServiceGap     `json:"services"`
	// Stale lists admin edits of concerns the config file no longer has.
	Stale []*paved.OwnershipEdit `json:"stale,omitempty"`
	// Checked counts the services whose latest check carried resources.
	Checked int `json:"checked"`
}

// ServiceConsiderations is one service with the considerations of its
// latest check (Evaluate).
type ServiceConsiderations struct {
	Service        *paved.Service
	Considerations []*paved.Consideration
}

// Gaps puts the gap report together from the effective map, the catalog's
// teams and every checked service's considerations.
func Gaps(m *Map, teams *Teams, services []ServiceConsiderations) *GapReport {
	g := &GapReport{Unowned: []*UnownedConcern{}, Services: []*ServiceGap{}, Checked: len(services)}
	raised := map[string][]string{} // concern -> services
	for _, sc := range services {
		if sc.Service == nil {
			continue
		}
		var open []*paved.Consideration
		seen := map[string]bool{}
		for _, c := range sc.Considerations {
			if c.State != paved.StateVendor && !seen[c.Concern] {
				seen[c.Concern] = true
				raised[c.Concern] = append(raised[c.Concern], sc.Service.Name)
			}
			if c.State == paved.StateNotEnabled && c.Owner != "" {
				open = append(open, c)
			}
		}
		if len(open) > 0 {
			g.Services = append(g.Services, &ServiceGap{Service: sc.Service.Name, Team: sc.Service.Owner, Considerations: open})
		}
	}
	for _, c := range m.Concerns() {
		reason := ""
		switch {
		case c.Owner == "":
			reason = "no owner in the ownership map"
		default:
			if _, err := teams.Resolve(c.Owner); err != nil {
				reason = "the owner does not resolve: " + msgOf(err)
			}
		}
		if reason != "" {
			g.Unowned = append(g.Unowned, &UnownedConcern{Concern: c.ID, Title: c.Title, Layer: c.Layer, Reason: reason, Services: nonNilStrings(raised[c.ID])})
		}
	}
	var missing []string
	for id := range raised {
		if m.Concern(id) == nil {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		g.Unowned = append(g.Unowned, &UnownedConcern{Concern: id, Title: ConcernLabel(id),
			Reason: "services' resources raise it, but the ownership map does not have it", Services: raised[id]})
	}
	sort.Slice(g.Services, func(i, j int) bool { return g.Services[i].Service < g.Services[j].Service })
	return g
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
