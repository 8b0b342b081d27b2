package web

import (
	"html"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// launchFuncs are the template functions of the launch pages.
func (s *Server) launchFuncs() template.FuncMap {
	return template.FuncMap{
		// pct shows a 0..1 score as a whole percentage (0..100), also used
		// as the width of an SVG bar.
		"pct": func(f float64) int {
			if f != f || f < 0 {
				return 0
			}
			return int(math.Round(min(f, 1) * 100))
		},
		"ago":        func(t time.Time) string { return ago(s.now(), t) },
		"day":        func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"stateLabel": stateLabel,
		"guidance":   guidanceHTML,
		"lines":      func(ss []string) string { return strings.Join(ss, "\n") },
		"decisionLabel": func(d paved.Decision) string {
			switch d {
			case paved.DecisionApprove:
				return "Approve"
			case paved.DecisionRequestChanges:
				return "Request changes"
			case paved.DecisionVeto:
				return "Veto"
			}
			return string(d)
		},
		"phases":   func() []paved.Phase { return paved.Phases },
		"headroom": func(a *paved.Assessment) int { return int(math.Round(a.Headroom() * 100)) },
		"number": func(f float64) string {
			return strconv.FormatFloat(f, 'f', -1, 64)
		},
	}
}

// stateLabel says where an item stands, in words.
func stateLabel(st launch.ItemState) string {
	switch st {
	case launch.StateSettled:
		return "settled"
	case launch.StateEvidenced:
		return "evidenced"
	case launch.StateNAPending:
		return "n/a, waiting for review"
	case launch.StateMissing:
		return "missing"
	}
	return string(st)
}

// ago says how long before now t was, roughly: evidence shows its age so
// that a team sees when a fact has gone stale.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return strconv.Itoa(n) + " " + unit + "s ago"
	}
	switch {
	case d < 0:
		return "in the future"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d < 2*365*24*time.Hour:
		return plural(int(d/(30*24*time.Hour)), "month")
	}
	return plural(int(d/(365*24*time.Hour)), "year")
}

var (
	mdCode = regexp.MustCompile("`([^`]+)`")
	mdBold = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	mdLink = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
)

// guidanceHTML renders a template item's guidance, a small Markdown subset:
// paragraphs (blank-line separated), "- " or "* " bullet lists, `code`,
// **bold** and [links](https://...). Everything is escaped first, so the
// guidance of an overriding template cannot put markup on the page; a link
// that is not http(s) stays text.
func guidanceHTML(md string) template.HTML {
	var b strings.Builder
	md = strings.ReplaceAll(md, "\r\n", "\n")
	for _, block := range strings.Split(md, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if len(lines) == 1 && lines[0] == "" {
			continue
		}
		var para []string
		inList := false
		flush := func() {
			if len(para) > 0 {
				b.WriteString("<p>" + inlineMarkdown(strings.Join(para, " ")) + "</p>")
				para = nil
			}
		}
		for _, l := range lines {
			l = strings.TrimSpace(l)
			if item, ok := listItem(l); ok {
				flush()
				if !inList {
					b.WriteString("<ul>")
					inList = true
				}
				b.WriteString("<li>" + inlineMarkdown(item) + "</li>")
				continue
			}
			if inList {
				b.WriteString("</ul>")
				inList = false
			}
			para = append(para, l)
		}
		if inList {
			b.WriteString("</ul>")
		}
		flush()
	}
	return template.HTML(b.String())
}

// listItem reports whether l is a bullet ("- " or "* ") and returns its text.
func listItem(l string) (string, bool) {
	if item, ok := strings.CutPrefix(l, "- "); ok {
		return item, true
	}
	return strings.CutPrefix(l, "* ")
}

// inlineMarkdown escapes s and then turns `code`, **bold** and http(s)
// links into markup.
func inlineMarkdown(s string) string {
	s = html.EscapeString(s)
	s = mdCode.ReplaceAllString(s, "<code>$1</code>")
	s = mdBold.ReplaceAllString(s, "<strong>$1</strong>")
	return mdLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		u := safeURL(html.UnescapeString(sub[2]))
		if u == "" {
			return m
		}
		return `<a href="` + html.EscapeString(u) + `" rel="noopener noreferrer">` + sub[1] + `</a>`
	})
}
