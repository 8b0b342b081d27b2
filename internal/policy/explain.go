package policy

import (
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Explain returns the documentation of rule id as plain text, for
// `paved check --explain RULE`: title, severity, rationale, parameters with
// their defaults and configured values, examples and remediation. An
// unknown id returns "".
func (e *Engine) Explain(id string) string {
	ri, ok := e.rules[id]
	if !ok {
		return ""
	}
	r := ri.rule
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n", r.ID, r.Title)
	sev := string(r.Severity)
	if r.EnforceFrom != "" && r.Severity == paved.SeverityDeny {
		if enforcedLater(r.EnforceFrom, e.now().UTC().Format(dateLayout)) {
			sev += " (a warning until " + r.EnforceFrom + ")"
		} else {
			sev += " (enforced since " + r.EnforceFrom + ")"
		}
	}
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-15s %s\n", k+":", v)
		}
	}
	field("Severity", sev)
	field("Category", r.Category)
	if r.Security {
		field("Security", "yes")
	}
	scope := "each resource"
	if ri.scope == scopePlan {
		scope = "the whole input"
	}
	field("Judges", scope)
	field("Resource types", strings.Join(r.Types, ", "))
	field("Owner", r.Owner)
	if e.Disabled(id) {
		field("Status", "disabled in paved.yaml")
	}
	field("Documentation", r.DocURL)
	if r.Description != "" {
		b.WriteString("\nWhy\n")
		b.WriteString(indent(r.Description, "  "))
	}
	if len(r.Parameters) > 0 {
		b.WriteString("\nParameters\n")
		rc := e.cfg.Rules[id]
		for _, p := range r.Parameters {
			fmt.Fprintf(&b, "  %s (default %s)", p.Name, compactJSON(p.Default))
			if v, ok := rc.Params[p.Name]; ok {
				fmt.Fprintf(&b, ", configured %s", compactJSON(v))
			}
			b.WriteString("\n")
			for _, t := range sortedKeys(rc.Tiers) {
				if v, ok := rc.Tiers[t][p.Name]; ok {
					fmt.Fprintf(&b, "    tier %s: %s\n", t, compactJSON(v))
				}
			}
			for _, ph := range sortedKeys(rc.Phases) {
				if v, ok := rc.Phases[ph][p.Name]; ok {
					fmt.Fprintf(&b, "    %s: %s\n", ph, compactJSON(v))
				}
			}
			if p.Description != "" {
				b.WriteString(indent(p.Description, "    "))
			}
		}
	}
	if ri.pass != "" {
		b.WriteString("\nPasses\n")
		b.WriteString(indent(ri.pass, "  "))
	}
	if ri.fail != "" {
		b.WriteString("\nFails\n")
		b.WriteString(indent(ri.fail, "  "))
	}
	if r.Remediation != "" {
		b.WriteString("\nRemediation\n")
		b.WriteString(indent(r.Remediation, "  "))
	}
	return b.String()
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
