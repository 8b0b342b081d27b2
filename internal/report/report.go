// Package report renders the result of a check in the formats CI systems
// read: text for people, json (stable, documented schema), sarif 2.1.0 for
// GitHub code scanning, junit for test dashboards, markdown for a
// pull-request comment, and github workflow-command annotations.
package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// Result is everything a report shows about one check.
type Result struct {
	Tool      Tool                  `json:"tool"`
	Service   *paved.ServiceContext `json:"service,omitempty"`
	Inputs    []string              `json:"inputs"`
	Resources []ResourceRef         `json:"resources,omitempty"`
	Findings  []paved.Finding       `json:"findings"`
	// Rules describes every rule that has a finding (and may describe more);
	// SARIF and markdown take help text from here.
	Rules map[string]paved.Rule `json:"-"`
	// DocBase is prepended to relative rule documentation links.
	DocBase string `json:"-"`
	// Exceptions says which deny findings exceptions cover and which wait
	// for a sign-off (exceptions.go); nil when the check knows nothing of
	// exceptions.
	Exceptions *Exceptions `json:"-"`
	// Cost is the plan's monthly cost estimate (cost.go); nil with
	// --no-cost.
	Cost *cost.PlanCost `json:"-"`
}

// Tool names the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ResourceRef is one evaluated resource, findings or not (junit lists the
// clean ones as passing tests; text counts them).
type ResourceRef struct {
	Input   string `json:"input"`
	Address string `json:"address"`
	Type    string `json:"type"`
	Action  string `json:"action"`
}

// Options change how a report looks, not what it says.
type Options struct {
	Color bool // ANSI colours in text output (on for terminals)
	// MaxMarkdown caps the markdown size (GitHub comments take 65,536
	// characters); 0 means 60,000.
	MaxMarkdown int
}

// Formats lists the accepted -o values.
var Formats = []string{"text", "json", "sarif", "junit", "markdown", "github"}

// Write renders r in format to w.
func Write(w io.Writer, format string, r *Result, opt Options) error {
	// Reports group by resource with deny before warn; the caller's slice
	// keeps the engine's order.
	sorted := *r
	sorted.Findings = slices.Clone(r.Findings)
	sortFindings(sorted.Findings)
	r = &sorted
	switch format {
	case "text", "":
		return writeText(w, r, opt)
	case "json":
		return writeJSON(w, r)
	case "sarif":
		return writeSARIF(w, r)
	case "junit":
		return writeJUnit(w, r)
	case "markdown", "md":
		return writeMarkdown(w, r, opt)
	case "github":
		return writeGitHub(w, r)
	}
	return paved.Errorf(paved.EINVALID, "unknown output format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// Passed reports whether the check has no deny finding.
func (r *Result) Passed() bool {
	d, _ := paved.Summarize(r.Findings)
	return d == 0
}

func sortFindings(fs []paved.Finding) {
	slices.SortStableFunc(fs, func(a, b paved.Finding) int {
		return cmp.Or(
			cmp.Compare(a.Input, b.Input),
			cmp.Compare(a.Resource, b.Resource),
			cmp.Compare(sevRank(a.Severity), sevRank(b.Severity)),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

func sevRank(s paved.Severity) int {
	if s == paved.SeverityDeny {
		return 0
	}
	return 1
}

// docURL returns the rule's documentation link, absolute when DocBase is set.
func (r *Result) docURL(f paved.Finding) string {
	u := f.DocURL
	if u == "" {
		if rule, ok := r.Rules[f.Rule]; ok {
			u = rule.DocURL
		}
	}
	if u != "" && r.DocBase != "" && !strings.Contains(u, "://") {
		u = strings.TrimRight(r.DocBase, "/") + "/" + strings.TrimLeft(u, "/")
	}
	return u
}

// valueText renders (one-line formats leave it out when the message
// already quotes the value, to avoid saying it twice) an offending value for people: strings bare, the rest
// as compact JSON.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := jsonCompact(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// group returns findings grouped by (input, resource) in order.
func group(fs []paved.Finding) [][]paved.Finding {
	var out [][]paved.Finding
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && fs[j].Input == fs[i].Input && fs[j].Resource == fs[i].Resource {
			j++
		}
		out = append(out, fs[i:j])
		i = j
	}
	return out
}
