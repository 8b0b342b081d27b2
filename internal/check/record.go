package check

import (
	"encoding/json"
	"maps"
	"sort"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/report"
)

// What a recorded check keeps. A check recorded for a service says what
// ran and what it found, never the plan: the service's launch takes
// automatic evidence from it (encryption at rest, multi-AZ, backups ...).
// It carries the normalised resources it evaluated too: the server keeps
// them as the service's latest check resources, from which the ownership
// map works out what the service's own resources ask of its team, and the
// impact analysis and the campaigns re-evaluate them (Recorded).
//
// What is sent of a resource: address, type, action, the planned
// attribute values (values the plan marks sensitive are already
// "(sensitive)", and so are the data of a Kubernetes Secret manifest), the
// effective tags and the region; never prior values, never the plan, never
// data sources. The payload is bounded: at most paved.MaxCheckResources
// resources and paved.MaxCheckResourcesBytes of JSON, in address order;
// the rest are counted as omitted. A resource whose planned values take
// more than paved.MaxCheckResourceBytes keeps only its scalar top-level
// values (Trimmed).

// newRecord builds what is recorded of a check: the evaluated resource
// types and rules, and the findings (whose values are never sensitive
// ones); no plan, no input file contents.
func newRecord(service string, r Record, res *report.Result, eng *policy.Engine) *paved.CheckRecord {
	c := &paved.CheckRecord{
		Service:       service,
		Commit:        r.Commit,
		Branch:        r.Branch,
		PullRequest:   r.PullRequest,
		RunURL:        r.RunURL,
		ResourceTypes: map[string]int{},
		Rules:         []string{},
		Findings:      res.Findings,
	}
	if c.Findings == nil {
		c.Findings = []paved.Finding{}
	}
	for _, r := range res.Resources {
		c.ResourceTypes[r.Type]++
	}
	// Rules lists the rules that had something to judge: enabled, and
	// naming a type the check's resources have ("*": any resource). A rule
	// that ran over nothing is no evidence (a manifest-only check says
	// nothing about database encryption).
	for _, r := range eng.Rules() {
		if !eng.Disabled(r.ID) && ruleApplies(r.Types, c.ResourceTypes) {
			c.Rules = append(c.Rules, r.ID)
		}
	}
	sort.Strings(c.Rules)
	return c
}

// ruleApplies reports whether a rule listing types judges any of the
// resource types counted in present.
func ruleApplies(types []string, present map[string]int) bool {
	for _, t := range types {
		if t == "*" && len(present) > 0 {
			return true
		}
		if present[t] > 0 {
			return true
		}
	}
	return false
}

// recordedResources picks what a recorded check keeps of its resources:
// the resources kept, how many were left out, and how many there were.
func recordedResources(docs []*iac.Document) (rs []*paved.CheckResource, omitted, total int) {
	var all []*paved.IaCResource
	for _, d := range docs {
		for _, r := range d.Resources {
			if r != nil && r.Mode != "data" {
				all = append(all, r)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Address < all[j].Address })
	rs = []*paved.CheckResource{}
	budget := paved.MaxCheckResourcesBytes
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.Address] {
			// The same address in two inputs (two plans of one stack):
			// the first is kept.
			omitted++
			continue
		}
		seen[r.Address] = true
		if len(rs) >= paved.MaxCheckResources {
			omitted++
			continue
		}
		c := &paved.CheckResource{Address: r.Address, Type: r.Type, Action: r.Action, After: r.After, Tags: r.Tags, Region: r.Region}
		if r.Source == "kubernetes" && r.Type == "Secret" {
			c.After = maps.Clone(r.After) // the report keeps the manifest as read
			c.MaskSecrets()
		}
		size := afterSize(c.After)
		if size > paved.MaxCheckResourceBytes {
			c.After, c.Trimmed = scalarsOnly(c.After), true
			size = afterSize(c.After)
		}
		size += len(c.Address) + len(c.Type) + 64
		for k, v := range c.Tags {
			size += len(k) + len(v) + 6
		}
		if size > budget {
			omitted++
			continue
		}
		budget -= size
		rs = append(rs, c)
	}
	return rs, omitted, len(all)
}

func afterSize(after map[string]any) int {
	if len(after) == 0 {
		return 0
	}
	b, err := json.Marshal(after)
	if err != nil {
		return paved.MaxCheckResourceBytes + 1 // cannot be sent as it is
	}
	return len(b)
}

// scalarsOnly keeps the top-level values that are not lists or objects,
// and short strings only.
func scalarsOnly(after map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range after {
		switch t := v.(type) {
		case string:
			if len(t) <= 1024 {
				out[k] = t
			}
		case map[string]any, []any:
		default:
			out[k] = v
		}
	}
	return out
}
