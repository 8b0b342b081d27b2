package policy

import (
	"context"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// Evaluating recorded resources. The server keeps the normalised resources
// of each service's latest check (paved.CheckResources: address, type,
// action, planned attributes with sensitive values masked, tags, region).
// The impact analysis of a proposed config and the campaigns evaluate the
// paved-style rules over them again. What the record does not keep, the
// rules cannot see: prior values, which attributes were known only after
// apply, and the raw documents that conftest-style policies judge (those
// policies are left out). Comparisons of two configs over the same
// records are exact all the same: both sides see the same resources.

// RecordedInput is the input name of findings on recorded resources.
const RecordedInput = "recorded check"

// RecordedDocuments turns recorded resources back into documents: one
// Terraform plan with the Terraform resources, one Kubernetes group with
// the manifests.
func RecordedDocuments(rs []*paved.CheckResource) []*iac.Document {
	var tf, k8s []*paved.IaCResource
	for _, c := range rs {
		if c == nil || c.Address == "" {
			continue
		}
		r := &paved.IaCResource{
			Address: c.Address, Type: c.Type, Action: c.Action, After: c.After,
			Tags: c.Tags, Region: c.Region, Mode: "managed",
		}
		if isKubernetes(c) {
			r.Source, r.Provider, r.Mode = "kubernetes", "kubernetes", ""
			if i := strings.LastIndexByte(c.Address, '/'); i >= 0 {
				r.Name = c.Address[i+1:]
			}
			if r.Action == "" {
				r.Action = "apply"
			}
			r.Actions = []string{r.Action}
			k8s = append(k8s, r)
			continue
		}
		r.Source = "terraform"
		if p, _, ok := strings.Cut(c.Type, "_"); ok {
			r.Provider = p
		}
		r.Name = terraformName(c.Address)
		r.Actions = recordedActions(c.Action)
		tf = append(tf, r)
	}
	var docs []*iac.Document
	if len(tf) > 0 {
		docs = append(docs, &iac.Document{Input: RecordedInput, Kind: iac.KindTerraformPlan, Resources: tf})
	}
	if len(k8s) > 0 {
		docs = append(docs, &iac.Document{Input: RecordedInput, Kind: iac.KindKubernetes, Resources: k8s})
	}
	return docs
}

// isKubernetes tells a recorded manifest from a Terraform resource: the
// reader gives manifests the action apply, and their kinds have no
// provider prefix.
func isKubernetes(c *paved.CheckResource) bool {
	if c.Action == "apply" {
		return true
	}
	return !strings.Contains(c.Type, "_") && c.Type != "" && c.Type[0] >= 'A' && c.Type[0] <= 'Z'
}

// terraformName is the resource name of an address: the last part,
// without its index (module.db.aws_db_instance.main["a"] -> main).
func terraformName(addr string) string {
	if i := strings.IndexByte(addr, '['); i >= 0 {
		addr = addr[:i]
	}
	if i := strings.LastIndexByte(addr, '.'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// recordedActions is the inverse of paved.ActionSummary.
func recordedActions(a string) []string {
	switch a {
	case "replace":
		return []string{"delete", "create"}
	case "":
		return []string{"no-op"}
	}
	return strings.Split(a, ",")
}

// CheckRecorded evaluates the paved-style rules (built-in and custom) over
// a service's recorded resources. Conftest-style policies are not
// evaluated: they judge documents the server does not keep.
func (e *Engine) CheckRecorded(ctx context.Context, rs *paved.CheckResources, svc paved.ServiceContext) ([]paved.Finding, error) {
	if rs == nil || len(e.rules) == 0 {
		return nil, nil
	}
	out, err := e.checkRules(ctx, RecordedDocuments(rs.Resources), svc)
	if err != nil {
		return nil, err
	}
	SortFindings(out)
	return out, nil
}

func side(f *paved.Finding) *paved.FindingSide {
	return &paved.FindingSide{Severity: f.Severity, Message: f.Message, EnforceFrom: f.EnforceFrom, Fingerprint: paved.ExceptionFingerprint(f)}
}

// DiffFindings compares the findings of the same resources under two
// configs. Findings are matched by rule, resource and path; a matched pair
// with the same severity and message is no change. The result is sorted by
// resource, rule, path and change.
func DiffFindings(before, after []paved.Finding) []paved.FindingChange {
	type key struct{ rule, res, path string }
	group := func(fs []paved.Finding) map[key][]*paved.Finding {
		m := map[key][]*paved.Finding{}
		for i := range fs {
			f := &fs[i]
			k := key{f.Rule, f.Resource, f.Path}
			m[k] = append(m[k], f)
		}
		return m
	}
	bm, am := group(before), group(after)
	keys := map[key]bool{}
	for k := range bm {
		keys[k] = true
	}
	for k := range am {
		keys[k] = true
	}
	var out []paved.FindingChange
	for k := range keys {
		bs, as := bm[k], am[k]
		// Identical findings on both sides are no change.
		var restB []*paved.Finding
		used := make([]bool, len(as))
		for _, b := range bs {
			matched := false
			for j, a := range as {
				if !used[j] && a.Severity == b.Severity && a.Message == b.Message {
					used[j], matched = true, true
					break
				}
			}
			if !matched {
				restB = append(restB, b)
			}
		}
		var restA []*paved.Finding
		for j, a := range as {
			if !used[j] {
				restA = append(restA, a)
			}
		}
		base := func(f *paved.Finding) paved.FindingChange {
			return paved.FindingChange{Rule: f.Rule, Resource: f.Resource, ResourceType: f.ResourceType, Path: f.Path}
		}
		n := min(len(restB), len(restA))
		for i := 0; i < n; i++ {
			c := base(restA[i])
			c.Change, c.Before, c.After = paved.FindingChanges, side(restB[i]), side(restA[i])
			out = append(out, c)
		}
		for _, b := range restB[n:] {
			c := base(b)
			c.Change, c.Before = paved.FindingDisappears, side(b)
			out = append(out, c)
		}
		for _, a := range restA[n:] {
			c := base(a)
			c.Change, c.After = paved.FindingAppears, side(a)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Change != b.Change {
			return a.Change < b.Change
		}
		return sideKey(a) < sideKey(b)
	})
	return out
}

func sideKey(c *paved.FindingChange) string {
	s := ""
	if c.Before != nil {
		s += c.Before.Message
	}
	if c.After != nil {
		s += "\x00" + c.After.Message
	}
	return s
}

// DiffRules lists how the rules of next differ from those of prev.
func DiffRules(prev, next *Engine) []paved.RuleChange {
	var out []paved.RuleChange
	pm, nm := map[string]paved.Rule{}, map[string]paved.Rule{}
	for _, r := range prev.Rules() {
		pm[r.ID] = r
	}
	for _, r := range next.Rules() {
		nm[r.ID] = r
	}
	for _, r := range next.Rules() {
		p, ok := pm[r.ID]
		if !ok {
			out = append(out, paved.RuleChange{Rule: r.ID, Title: r.Title, Change: "added", After: string(r.Severity)})
			continue
		}
		if pd, nd := prev.Disabled(r.ID), next.Disabled(r.ID); pd != nd {
			ch := "enabled"
			if nd {
				ch = "disabled"
			}
			out = append(out, paved.RuleChange{Rule: r.ID, Title: r.Title, Change: ch})
		}
		if p.Severity != r.Severity {
			out = append(out, paved.RuleChange{Rule: r.ID, Title: r.Title, Change: "severity", Before: string(p.Severity), After: string(r.Severity)})
		}
		if p.EnforceFrom != r.EnforceFrom {
			out = append(out, paved.RuleChange{Rule: r.ID, Title: r.Title, Change: "enforce_from", Before: p.EnforceFrom, After: r.EnforceFrom})
		}
	}
	for _, r := range prev.Rules() {
		if _, ok := nm[r.ID]; !ok {
			out = append(out, paved.RuleChange{Rule: r.ID, Title: r.Title, Change: "removed", Before: string(r.Severity)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Rule < out[j].Rule })
	return out
}
