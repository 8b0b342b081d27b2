package platform

import (
	"fmt"
	"io"
	"strings"

	paved "github.com/paved-dev/paved"
)

// MaxMarkdownBytes keeps the Markdown report inside a pull-request comment
// (GitHub refuses comments over 65,536 characters).
const MaxMarkdownBytes = 60000

// maxRowsPerService bounds the table of one service in the Markdown.
const maxRowsPerService = 40

// WriteImpactText writes the report for a terminal.
func WriteImpactText(w io.Writer, r *paved.ImpactReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Impact of config %s (in force: %s)\n", r.Proposed, r.Current)
	fmt.Fprintf(&b, "%d services evaluated from their latest check; %d without a recorded check.\n", r.Services, r.WithoutCheck)
	fmt.Fprintf(&b, "Findings: %d would appear (%d blocking), %d disappear, %d change; %d exceptions would become unnecessary.\n",
		r.Summary.Appear, r.Summary.NewDeny, r.Summary.Disappear, r.Summary.Change, r.Summary.Unnecessary)
	if len(r.Rules) > 0 {
		b.WriteString("\nRules:\n")
		for _, c := range r.Rules {
			fmt.Fprintf(&b, "  %-40s %s\n", c.Rule, ruleChangeText(c))
		}
	}
	for _, t := range r.Teams {
		fmt.Fprintf(&b, "\nTeam %s: %s\n", t.Team, summaryText(t.Summary))
		for _, s := range t.Services {
			fmt.Fprintf(&b, "  %s (check #%d, %s)\n", s.Service, s.CheckID, s.CheckedAt.UTC().Format("2006-01-02"))
			for _, c := range s.Changes {
				fmt.Fprintf(&b, "    %-9s %s %s: %s\n", c.Change, c.Rule, c.Resource, changeText(c))
			}
			for _, e := range s.Exceptions {
				fmt.Fprintf(&b, "    exception #%d (%s, %s %s) would become unnecessary: %s\n", e.ID, e.Status, e.Rule, e.Resource, e.Why)
			}
		}
	}
	if len(r.Teams) == 0 {
		b.WriteString("\nNo service's findings would change.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ruleChangeText(c paved.RuleChange) string {
	switch c.Change {
	case "added":
		return "added (" + c.After + ")"
	case "removed":
		return "removed"
	case "severity":
		return "severity " + c.Before + " -> " + c.After
	case "enforce_from":
		from, to := c.Before, c.After
		if from == "" {
			from = "none"
		}
		if to == "" {
			to = "none"
		}
		return "enforced from " + from + " -> " + to
	}
	return c.Change
}

func summaryText(s paved.ImpactSummary) string {
	parts := []string{}
	if s.Appear > 0 {
		parts = append(parts, fmt.Sprintf("%d appear", s.Appear))
	}
	if s.NewDeny > 0 {
		parts = append(parts, fmt.Sprintf("%d newly blocking", s.NewDeny))
	}
	if s.Disappear > 0 {
		parts = append(parts, fmt.Sprintf("%d disappear", s.Disappear))
	}
	if s.Change > 0 {
		parts = append(parts, fmt.Sprintf("%d change", s.Change))
	}
	if s.Unnecessary > 0 {
		parts = append(parts, fmt.Sprintf("%d exceptions unnecessary", s.Unnecessary))
	}
	return strings.Join(parts, ", ")
}

func sideText(s *paved.FindingSide) string {
	if s == nil {
		return "-"
	}
	return string(s.Severity) + ": " + s.Message
}

func changeText(c paved.FindingChange) string {
	switch c.Change {
	case paved.FindingAppears:
		return sideText(c.After)
	case paved.FindingDisappears:
		return sideText(c.Before)
	}
	if c.Before.Severity != c.After.Severity {
		return fmt.Sprintf("%s -> %s: %s", c.Before.Severity, c.After.Severity, c.After.Message)
	}
	return fmt.Sprintf("%q -> %q", c.Before.Message, c.After.Message)
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;").Replace(s)
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// WriteImpactMarkdown writes the report as a pull-request comment: a
// summary, the rule changes, and one collapsed section per team. It stays
// under MaxMarkdownBytes, saying what it left out.
func WriteImpactMarkdown(w io.Writer, r *paved.ImpactReport) error {
	var head strings.Builder
	fmt.Fprintf(&head, "### paved policy impact\n\n")
	fmt.Fprintf(&head, "Proposed config `%s` against `%s` in force: %d services evaluated from their latest recorded check", r.Proposed, r.Current, r.Services)
	switch {
	case r.WithoutCheck == 1:
		head.WriteString(" (1 more has none)")
	case r.WithoutCheck > 1:
		fmt.Fprintf(&head, " (%d more have none)", r.WithoutCheck)
	}
	head.WriteString(".\n\n")
	head.WriteString("| | findings |\n|---|---:|\n")
	fmt.Fprintf(&head, "| would appear | %d |\n| of them blocking (deny) | %d |\n| would disappear | %d |\n| would change | %d |\n| exceptions no longer needed | %d |\n| services affected | %d |\n\n",
		r.Summary.Appear, r.Summary.NewDeny, r.Summary.Disappear, r.Summary.Change, r.Summary.Unnecessary, r.Summary.Services)
	if len(r.Rules) > 0 {
		head.WriteString("**Rule changes:** ")
		var rs []string
		for _, c := range r.Rules {
			rs = append(rs, fmt.Sprintf("`%s` %s", c.Rule, mdCell(ruleChangeText(c))))
		}
		head.WriteString(strings.Join(rs, "; "))
		head.WriteString("\n\n")
	}
	if len(r.Teams) == 0 {
		head.WriteString("No service's findings would change.\n")
	}
	out := head.String()
	var tail strings.Builder
	for _, n := range r.Notes {
		fmt.Fprintf(&tail, "\n<sub>%s</sub>\n", mdCell(n))
	}
	left := 0
	for i, t := range r.Teams {
		sec := teamMarkdown(t)
		if len(out)+len(sec)+tail.Len() > MaxMarkdownBytes {
			left = len(r.Teams) - i
			break
		}
		out += sec
	}
	if left > 0 {
		out += fmt.Sprintf("\n_%d more teams are left out to fit a comment: run `paved policy impact -o json` for the whole report._\n", left)
	}
	_, err := io.WriteString(w, out+tail.String())
	return err
}

func teamMarkdown(t *paved.TeamImpact) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><b>%s</b>: %s</summary>\n\n", mdCell(t.Team), mdCell(summaryText(t.Summary)))
	for _, s := range t.Services {
		fmt.Fprintf(&b, "**%s** (check #%d, %s)\n\n", mdCell(s.Service), s.CheckID, s.CheckedAt.UTC().Format("2006-01-02"))
		if len(s.Changes) > 0 {
			b.WriteString("| | rule | resource | now | proposed |\n|---|---|---|---|---|\n")
			for i, c := range s.Changes {
				if i == maxRowsPerService {
					fmt.Fprintf(&b, "| | | _%d more_ | | |\n", len(s.Changes)-i)
					break
				}
				fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", changeMark(c), mdCell(c.Rule), mdCell(c.Resource), mdCell(sideText(c.Before)), mdCell(sideText(c.After)))
			}
			b.WriteString("\n")
		}
		for _, e := range s.Exceptions {
			fmt.Fprintf(&b, "- exception [#%d](%s) (%s, `%s` on `%s`) would become unnecessary: %s\n", e.ID, e.Link, e.Status, mdCell(e.Rule), mdCell(e.Resource), mdCell(e.Why))
		}
		if len(s.Exceptions) > 0 {
			b.WriteString("\n")
		}
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

func changeMark(c paved.FindingChange) string {
	switch c.Change {
	case paved.FindingAppears:
		if c.After.Severity == paved.SeverityDeny {
			return "new (blocks)"
		}
		return "new"
	case paved.FindingDisappears:
		return "gone"
	}
	return "changed"
}
