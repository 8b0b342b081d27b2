package report

import (
	"encoding/json"
	"io"
	"path/filepath"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
)

// SARIF 2.1.0 (OASIS), the subset GitHub code scanning reads:
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html and
// https://docs.github.com/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      *sarifText     `json:"fullDescription,omitempty"`
	Help                 *sarifText     `json:"help,omitempty"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind,omitempty"`
}

func sarifLevel(s paved.Severity) string {
	if s == paved.SeverityDeny {
		return "error"
	}
	if s == paved.SeverityException {
		return "note"
	}
	return "warning"
}

func writeSARIF(w io.Writer, r *Result) error {
	// Rules: every rule with a finding, in id order, so ruleIndex is stable.
	ids := map[string]paved.Severity{}
	for _, f := range r.Findings {
		if _, ok := ids[f.Rule]; !ok || f.Severity == paved.SeverityDeny {
			ids[f.Rule] = f.Severity
		}
	}
	order := make([]string, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	sort.Strings(order)
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(order))
	for i, id := range order {
		index[id] = i
		rules = append(rules, r.sarifRule(id, ids[id]))
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		msg := f.Message
		if f.Resource != "" && !strings.Contains(msg, f.Resource) {
			msg = f.Resource + ": " + msg
		}
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:   sarifText{Text: msg},
			Locations: []sarifLocation{sarifLoc(f)},
		}
		if f.Fingerprint != "" {
			res.PartialFingerprints = map[string]string{"pavedFindingHash/v1": f.Fingerprint}
		}
		res.Suppressions = r.sarifSuppressions(&f)
		props := map[string]any{}
		if f.Path != "" {
			props["path"] = f.Path
		}
		if f.Value != nil {
			props["value"] = f.Value
		}
		if f.Action != "" {
			props["action"] = f.Action
		}
		if f.EnforceFrom != "" {
			props["enforceFrom"] = f.EnforceFrom
		}
		if len(props) > 0 {
			res.Properties = props
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema: sarifSchema, Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:    sarifTool{Driver: sarifDriver{Name: nonEmpty(r.Tool.Name, "paved"), Version: r.Tool.Version, InformationURI: "https://github.com/paved-dev/paved", Rules: rules}},
			Results: results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func (r *Result) sarifRule(id string, sev paved.Severity) sarifRule {
	rule, ok := r.Rules[id]
	sr := sarifRule{ID: id, DefaultConfiguration: sarifConfig{Level: sarifLevel(sev)}}
	if !ok {
		sr.ShortDescription = sarifText{Text: id}
		return sr
	}
	sr.Name = ruleName(rule.ID)
	sr.ShortDescription = sarifText{Text: nonEmpty(rule.Title, id)}
	if rule.Description != "" {
		sr.FullDescription = &sarifText{Text: rule.Description}
	}
	var help, md strings.Builder
	help.WriteString(nonEmpty(rule.Description, rule.Title))
	md.WriteString("**" + nonEmpty(rule.Title, id) + "**\n\n" + rule.Description)
	if rule.Remediation != "" {
		help.WriteString("\n\nRemediation: " + rule.Remediation)
		md.WriteString("\n\n**Remediation:** " + rule.Remediation)
	}
	sr.Help = &sarifText{Text: help.String(), Markdown: md.String()}
	if u := r.docURL(paved.Finding{Rule: id, DocURL: rule.DocURL}); strings.Contains(u, "://") {
		sr.HelpURI = u // SARIF wants an absolute URI here
	}
	tags := []string{"iac"}
	if rule.Category != "" {
		tags = append(tags, rule.Category)
	}
	if rule.Security {
		tags = append(tags, "security")
	}
	sr.Properties = map[string]any{"tags": tags}
	return sr
}

func sarifLoc(f paved.Finding) sarifLocation {
	var loc sarifLocation
	file := f.File
	line := f.Line
	if file == "" {
		file, line = f.Input, 0
	}
	if file != "" && file != "-" {
		if line < 1 {
			line = 1 // code scanning needs a line; the plan file's first line stands for "the plan"
		}
		loc.PhysicalLocation = &sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(filepath.Clean(file))},
			Region:           &sarifRegion{StartLine: line},
		}
	}
	if f.Resource != "" {
		loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Resource, Kind: "resource"}}
	}
	return loc
}

// ruleName turns an id like db-memory-ceiling into DbMemoryCeiling, the
// PascalCase name SARIF viewers expect.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, c := range id {
		switch {
		case c == '-' || c == '_' || c == '.' || c == '/':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(c)))
			up = false
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
