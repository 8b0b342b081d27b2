package report

import (
	"fmt"
	"io"
	"strings"

	paved "github.com/paved-dev/paved"
)

// MarkdownMarker starts every paved comment, so a CI step can find and
// update its previous comment instead of adding a new one on each push.
const MarkdownMarker = "<!-- paved-check -->"

func writeMarkdown(w io.Writer, r *Result, opt Options) error {
	limit := opt.MaxMarkdown
	if limit <= 0 {
		limit = 60000
	}
	var b strings.Builder
	d, wn := paved.Summarize(r.Findings)
	b.WriteString(MarkdownMarker + "\n")
	status := "✅ **paved check passed**"
	if d > 0 {
		status = "❌ **paved check: deny findings need a sign-off**"
	}
	b.WriteString("### " + status + "\n\n")
	if r.Service != nil && r.Service.Name != "" {
		fmt.Fprintf(&b, "Service `%s` (tier %d, %s, %s)\n\n", r.Service.Name, r.Service.Tier, r.Service.Phase, r.Service.DataClass)
	}
	b.WriteString("| | Count |\n|---|---:|\n")
	fmt.Fprintf(&b, "| Resources checked | %d |\n| ⛔ Deny | %d |\n| ⚠️ Warn | %d |\n\n", len(r.Resources), d, wn)
	b.WriteString(r.markdownExceptions())
	b.WriteString(r.markdownCost())
	if len(r.Findings) == 0 {
		b.WriteString("No guard rail was broken.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	// Rules summary: one line per rule with its count.
	type ruleCount struct {
		sev   paved.Severity
		count int
	}
	counts := map[string]*ruleCount{}
	var rules []string
	for _, f := range r.Findings {
		c, ok := counts[f.Rule]
		if !ok {
			c = &ruleCount{sev: f.Severity}
			counts[f.Rule] = c
			rules = append(rules, f.Rule)
		}
		if f.Severity == paved.SeverityDeny {
			c.sev = paved.SeverityDeny
		}
		c.count++
	}
	b.WriteString("| Rule | Severity | Findings |\n|---|---|---:|\n")
	for _, id := range rules {
		c := counts[id]
		name := "`" + id + "`"
		if u := r.docURL(paved.Finding{Rule: id}); u != "" {
			name = "[`" + id + "`](" + u + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %d |\n", name, c.sev, c.count)
	}
	b.WriteString("\n")
	truncated := 0
	groups := group(r.Findings)
	for gi, g := range groups {
		var s strings.Builder
		head := g[0]
		title := head.Resource
		if title == "" {
			title = head.Input
		}
		gd, _ := paved.Summarize(g)
		icon := "⚠️"
		if gd > 0 {
			icon = "⛔"
		}
		fmt.Fprintf(&s, "<details><summary>%s <code>%s</code>%s: %d finding(s)</summary>\n\n", icon, mdEscape(title), actionText(head.Action), len(g))
		for _, f := range g {
			fmt.Fprintf(&s, "- **%s** `%s`: %s", f.Severity, f.Rule, mdEscape(f.Message))
			if f.Path != "" {
				if v := valueText(f.Value); v != "" && !strings.Contains(f.Message, v) {
					fmt.Fprintf(&s, " (`%s` = `%s`)", f.Path, strings.ReplaceAll(v, "`", "'"))
				}
			}
			if f.Remediation != "" {
				fmt.Fprintf(&s, "<br>Fix: %s", mdEscape(f.Remediation))
			}
			if n := r.note(&f); n != nil && n.URL != "" && n.State == paved.FindingPending {
				fmt.Fprintf(&s, "<br>Exception: [#%d waits for a sign-off](%s)", n.ID, n.URL)
			} else if t := r.exceptionText(&f); t != "" {
				fmt.Fprintf(&s, "<br>Exception: %s", mdEscape(t))
			}
			s.WriteString("\n")
		}
		s.WriteString("\n</details>\n")
		if b.Len()+s.Len() > limit-200 {
			truncated = len(groups) - gi
			break
		}
		b.WriteString(s.String())
	}
	if truncated > 0 {
		fmt.Fprintf(&b, "\n… %d more resource(s) with findings are not shown here (comment size limit): see the full report in the CI log.\n", truncated)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func actionText(a string) string {
	if a == "" {
		return ""
	}
	return " (" + a + ")"
}

// mdEscape keeps user-controlled text from breaking the comment's markup.
func mdEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", "\\|", "\n", " ").Replace(s)
}
