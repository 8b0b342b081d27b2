package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"sort"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// A check recorded with --server --service carries the normalised
// resources it evaluated: the server keeps them as the service's latest
// check resources, from which `paved ownership service` works out what the
// service's own resources ask of its team (and a proposed config's impact
// can be computed). What is sent: address, type, action, the planned
// attribute values (values the plan marks sensitive are already
// "(sensitive)", and so are the data of a Kubernetes Secret manifest), the
// effective tags and the region; never prior values, never the plan, never
// data sources.
//
// The payload is bounded: at most paved.MaxCheckResources resources and
// paved.MaxCheckResourcesBytes of JSON, in address order; the rest are
// counted as omitted and the command says so on stderr. A resource whose
// planned values take more than paved.MaxCheckResourceBytes keeps only
// its scalar top-level values (Trimmed).

// recordedResources picks what a recorded check keeps of its resources.
func (a *app) recordedResources(docs []*iac.Document) ([]*paved.CheckResource, int) {
	rs, omitted, total := recordedResources(docs)
	if omitted > 0 {
		fmt.Fprintf(a.stderr, "paved: recording %d of the check's %d resources with it (at most %d resources and %d MiB are recorded); the other %d are left out\n",
			len(rs), total, paved.MaxCheckResources, paved.MaxCheckResourcesBytes>>20, omitted)
	}
	return rs, omitted
}

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
