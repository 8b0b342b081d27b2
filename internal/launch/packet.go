package launch

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Packet gathers the walkthrough packet of a service: its status, the
// dialogue and edit history per item, the latest guard-rail findings, the
// assessments, the walkthrough and the open gaps.
func (s *Service) Packet(ctx context.Context, service string) (*Packet, error) {
	l, t, err := s.load(ctx, service)
	if err != nil {
		return nil, err
	}
	name := l.Service.Name
	cs, err := s.Store.FindComments(ctx, name, "")
	if err != nil {
		return nil, err
	}
	hist, err := s.Store.AnswerHistory(ctx, name, "")
	if err != nil {
		return nil, err
	}
	now := s.now()
	return buildPacket(l, t, cs, hist, now, func(st *Status) { s.addUpgrades(st, l) }), nil
}

// buildPacket is Packet without the store.
func buildPacket(l *paved.Launch, t map[paved.TemplateKind]*paved.Template, cs []*paved.Comment, hist []*paved.AnswerRevision, now time.Time, decorate func(*Status)) *Packet {
	p := &Packet{
		Comments:    map[string][]*paved.Comment{},
		History:     map[string]*HistorySummary{},
		Findings:    []*FindingGroup{},
		Assessments: l.Assessments,
		Gaps:        []Gap{},
		GeneratedAt: now,
	}
	counts := map[string]int{}
	for _, c := range cs {
		if c == nil {
			continue
		}
		p.Comments[c.Item] = append(p.Comments[c.Item], c)
		counts[c.Item]++
	}
	for _, r := range hist {
		if r == nil {
			continue
		}
		h := p.History[r.Item]
		if h == nil {
			h = &HistorySummary{First: r.At}
			p.History[r.Item] = h
		}
		h.Revisions++
		if r.At.Before(h.First) {
			h.First = r.At
		}
		if r.At.After(h.Last) {
			h.Last = r.At
		}
		if !slices.Contains(h.Authors, r.Author) {
			h.Authors = append(h.Authors, r.Author)
		}
	}
	p.Status = Evaluate(l, t, counts, now)
	if decorate != nil {
		decorate(p.Status)
	}
	if p.Status.Next != nil {
		p.Gaps = p.Status.Next.Gaps
	}
	if c := l.LatestCheck; c != nil {
		for _, sev := range []paved.Severity{paved.SeverityDeny, paved.SeverityWarn, paved.SeverityException} {
			g := &FindingGroup{Severity: sev}
			for _, f := range c.Findings {
				if f.Severity == sev {
					g.Findings = append(g.Findings, f)
				}
			}
			if len(g.Findings) > 0 {
				p.Findings = append(p.Findings, g)
			}
		}
	}
	if p.Assessments == nil {
		p.Assessments = []*paved.Assessment{}
	}
	return p
}

// ---- Markdown ---------------------------------------------------------------

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `[`, `\[`, `]`, `\]`,
	`<`, `&lt;`, `>`, `&gt;`, `|`, `\|`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// md escapes text for one line of Markdown (a table cell, a list item).
func md(s string) string { return mdEscaper.Replace(s) }

// mdQuote renders a team's free text as a block quote: its own Markdown
// (lists, emphasis) stays readable, while HTML is shown, not interpreted,
// and no line can end the quote or start a heading of the packet.
func mdQuote(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, ln := range lines {
		lines[i] = strings.TrimRight("> "+ln, " ")
	}
	return strings.Join(lines, "\n")
}

// mdLink renders a URL as an autolink.
func mdLink(u string) string {
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "").Replace(u) + ">"
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func stateWords(s ItemState) string {
	switch s {
	case StateSettled:
		return "settled"
	case StateEvidenced:
		return "evidenced"
	case StateNAPending:
		return "n/a, waiting for review"
	}
	return "missing"
}

func kindTitle(k paved.TemplateKind) string {
	if k == paved.KindChecklist {
		return "Checklist"
	}
	return "Questionnaire"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func number(f float64) string { return fmt.Sprintf("%g", f) }

func roles(rs []paved.SignRole) string {
	if len(rs) == 0 {
		return "-"
	}
	return roleList(rs)
}

// WritePacketMarkdown writes the packet as one Markdown review document.
func WritePacketMarkdown(w io.Writer, p *Packet) error {
	if p == nil || p.Status == nil || p.Status.Service == nil {
		return paved.Errorf(paved.EINVALID, "the packet is empty")
	}
	b := bufio.NewWriter(w)
	pf := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	st, svc := p.Status, p.Status.gateService()

	pf("# Walkthrough packet: %s\n\n", md(svc.Name))
	pf("Generated %s. **Next step:** %s\n\n", fmtTime(p.GeneratedAt), md(st.NextStep))

	pf("## Service\n\n| | |\n|---|---|\n")
	row := func(k, v string) { pf("| %s | %s |\n", k, v) }
	row("Service", md(svc.Name))
	if svc.Title != "" {
		row("Title", md(svc.Title))
	}
	row("Owner team", md(svc.Owner))
	row("Tier", fmt.Sprint(svc.Tier))
	row("Data class", md(string(svc.DataClass)))
	phase := md(string(svc.Phase))
	if st.Grandfathered {
		phase += " (grandfathered)"
	}
	row("Phase", phase)
	row("Enablement contact", md(orDash(st.Contact)))
	row("Templates", md(versionWords(st)))
	row("Readiness", pct(st.Score.Overall))
	req := RequiredSignoffs(svc.Tier, svc.DataClass)
	row("Sign-offs required", roles(req))
	row("Veto allowed", yesNo(VetoAllowed(svc, st.Security)))
	for _, ln := range svc.Links {
		label := ln.Type
		if label == "" {
			label = ln.Title
		}
		row("Link: "+md(orDash(label)), mdLink(ln.URL))
	}
	if d := strings.TrimSpace(svc.Description); d != "" {
		pf("\n%s\n", md(d))
	}

	pf("\n## Open gaps\n\n")
	switch {
	case st.Next == nil:
		pf("No gate ahead: %s\n", md(st.NextStep))
	case len(p.Gaps) == 0:
		pf("None: the gate from %s to %s is open.\n", st.Next.From, st.Next.To)
	default:
		pf("Before moving from %s to %s:\n\n", st.Next.From, st.Next.To)
		for _, g := range p.Gaps {
			pf("- %s\n", md(g.Message))
		}
	}

	pf("\n## Readiness\n\n| Area | Done | Required | Score |\n|---|---|---|---|\n")
	for _, a := range st.Areas {
		pf("| %s: %s | %d | %d | %s |\n", kindTitle(a.Kind), md(a.Title), a.Done, a.Required, pct(a.Score))
	}
	pf("| **Overall** | | | **%s** |\n", pct(st.Score.Overall))

	for _, k := range paved.TemplateKinds {
		t := st.Templates[k]
		if t == nil {
			continue
		}
		pf("\n## %s: %s (version %d)\n", kindTitle(k), md(t.Title), t.Version)
		for _, a := range st.Areas {
			if a.Kind != k {
				continue
			}
			pf("\n### %s (%d of %d required done)\n", md(a.Title), a.Done, a.Required)
			for _, it := range a.Items {
				if it == nil || it.Item == nil {
					continue
				}
				writeItemMarkdown(pf, p, it)
			}
		}
	}

	pf("\n## Assessments\n")
	if len(p.Assessments) == 0 {
		pf("\nNone recorded.\n")
	}
	for _, a := range p.Assessments {
		if a == nil {
			continue
		}
		writeAssessmentMarkdown(pf, a, a == st.Security || a == st.Load)
	}

	pf("\n## Guard-rail findings\n\n")
	if c := st.LatestCheck; c == nil {
		pf("No guard-rail check recorded: run `paved check --server` in CI.\n")
	} else {
		deny, warn := paved.Summarize(c.Findings)
		pf("Latest check #%d%s, %s (%s): %s, %s.\n", c.ID, checkWhere(c), fmtTime(c.At), age(c.At, p.GeneratedAt), plural(deny, "deny finding"), plural(warn, "warning"))
		if c.RunURL != "" {
			pf("CI run: %s\n", mdLink(c.RunURL))
		}
		for _, g := range p.Findings {
			pf("\n### %s (%d)\n\n| Rule | Resource | Message | Remediation |\n|---|---|---|---|\n", severityTitle(g.Severity), len(g.Findings))
			for _, f := range g.Findings {
				pf("| %s | %s | %s | %s |\n", md(f.Rule), md(orDash(f.Resource)), md(f.Message), md(orDash(f.Remediation)))
			}
		}
	}

	pf("\n## Walkthrough\n\n")
	if w := st.Walkthrough; w == nil || w.Walkthrough == nil {
		pf("No walkthrough scheduled.\n")
	} else {
		writeWalkthroughMarkdown(pf, w)
	}

	if len(st.Phases) > 0 {
		pf("\n## Phase history\n\n| When | From | To | By | Note |\n|---|---|---|---|---|\n")
		for _, c := range st.Phases {
			if c == nil {
				continue
			}
			note := md(c.Reason)
			if c.Forced {
				note = "**forced**: " + note
			}
			pf("| %s | %s | %s | %s | %s |\n", fmtTime(c.At), md(orDash(string(c.From))), md(string(c.To)), md(c.Actor), orDash(note))
		}
	}
	return b.Flush()
}

func versionWords(st *Status) string {
	var parts []string
	for _, k := range paved.TemplateKinds {
		if v := st.Versions[k]; v > 0 {
			s := fmt.Sprintf("%s v%d", k, v)
			if up := st.Upgrades[k]; up > 0 {
				s += fmt.Sprintf(" (v%d available)", up)
			}
			parts = append(parts, s)
		}
	}
	return orDash(strings.Join(parts, ", "))
}

func checkWhere(c *paved.CheckRecord) string {
	var parts []string
	if c.Commit != "" {
		commit := c.Commit
		if len(commit) > 12 {
			commit = commit[:12]
		}
		parts = append(parts, "commit "+commit)
	}
	if c.Branch != "" {
		parts = append(parts, "branch "+c.Branch)
	}
	if len(parts) == 0 {
		return ""
	}
	return " on " + strings.Join(parts, ", ")
}

func severityTitle(s paved.Severity) string {
	switch s {
	case paved.SeverityDeny:
		return "Deny: needs a sign-off"
	case paved.SeverityWarn:
		return "Warn: advice"
	case paved.SeverityException:
		return "Exceptions: silenced by a policy exception"
	}
	return string(s)
}

func writeItemMarkdown(pf func(string, ...any), p *Packet, it *ItemStatus) {
	req := "optional"
	if it.Required {
		req = "required"
	}
	pf("\n#### %s: %s\n\n", md(it.Item.ID), md(it.Item.Title))
	pf("*%s, %s*", req, stateWords(it.State))
	if it.Flagged {
		pf(" · **flagged** by %s: %s", md(it.Answer.FlaggedBy), md(it.Answer.Flag))
	}
	pf("\n")
	if a := it.Answer; a != nil {
		who := fmt.Sprintf("%s on %s, revision %d", md(a.Author), fmtDate(a.UpdatedAt), a.Revision)
		if h := p.History[it.Item.ID]; h != nil && h.Revisions > 1 {
			who += fmt.Sprintf("; %d edits since %s by %s", h.Revisions, fmtDate(h.First), md(strings.Join(h.Authors, ", ")))
		}
		if a.Status == paved.AnswerNA {
			accepted := "not accepted yet"
			if a.NAAcceptedBy != "" {
				accepted = "accepted by " + md(a.NAAcceptedBy)
				if a.NAAcceptedAt != nil {
					accepted += " on " + fmtDate(*a.NAAcceptedAt)
				}
			}
			pf("\nNot applicable (%s; %s):\n\n%s\n", who, accepted, mdQuote(a.NAReason))
		} else {
			pf("\nAnswer (%s):\n\n", who)
			if strings.TrimSpace(a.Text) != "" {
				pf("%s\n", mdQuote(a.Text))
			}
		}
		if len(a.Links) > 0 {
			pf("\n")
			for _, ln := range a.Links {
				pf("- %s\n", mdLink(ln))
			}
		}
	}
	if e := it.Evidence; e != nil {
		status := "not satisfied"
		if e.Satisfied {
			status = "satisfied"
		}
		asOf := ""
		if !e.AsOf.IsZero() {
			asOf = ", as of " + fmtDate(e.AsOf)
		}
		pf("\nEvidence from %s, %s%s: %s\n", md(e.Source), status, asOf, md(e.Detail))
	}
	if cs := p.Comments[it.Item.ID]; len(cs) > 0 {
		pf("\nComments:\n\n")
		for _, c := range cs {
			if c == nil {
				continue
			}
			pf("- **%s** (%s): %s\n", md(c.Author), fmtDate(c.At), md(c.Body))
		}
	}
}

func writeAssessmentMarkdown(pf func(string, ...any), a *paved.Assessment, current bool) {
	name := "Security assessment"
	if a.Kind == paved.AssessLoad {
		name = "Load profile"
	}
	tag := " (superseded)"
	if current {
		tag = " (current)"
	}
	pf("\n### %s #%d%s\n\nRecorded by %s on %s.\n\n| | |\n|---|---|\n", name, a.ID, tag, md(a.RecordedBy), fmtTime(a.RecordedAt))
	link := func(u string) string {
		if u == "" {
			return "-"
		}
		return mdLink(u)
	}
	if a.Kind == paved.AssessLoad {
		pf("| Expected peak | %s rps |\n| Tested | %s rps |\n| p99 at tested load | %s ms |\n| Headroom | %s |\n",
			number(a.ExpectedPeakRPS), number(a.TestedRPS), number(a.P99Millis), pct(a.Headroom()))
	} else {
		pf("| Risk rating | %s |\n| Threat model | %s |\n| Pen test | %s |\n| Vulnerability scan | %s |\n| Scan report | %s |\n",
			md(orDash(string(a.RiskRating))), link(a.ThreatModel), link(a.PenTest), md(orDash(a.VulnScan)), link(a.VulnScanLink))
	}
	for _, ln := range a.Links {
		pf("| Link | %s |\n", mdLink(ln))
	}
	if a.Notes != "" {
		pf("\n%s\n", mdQuote(a.Notes))
	}
}

func writeWalkthroughMarkdown(pf func(string, ...any), w *WalkthroughStatus) {
	pf("Walkthrough #%d, scheduled for %s by %s. Participants: %s.\n\n", w.ID, fmtTime(w.ScheduledAt), md(w.CreatedBy), md(orDash(strings.Join(w.Participants, ", "))))
	pf("**Outcome: %s.** Required sign-offs: %s. Veto allowed: %s.\n\n", w.Outcome, roles(w.Required), yesNo(w.VetoAllowed))
	pf("| Role | Signer | Decision | When | Comment |\n|---|---|---|---|---|\n")
	roleSet := slices.Clone(w.Required)
	for _, r := range paved.SignRoles {
		if w.Current[r] != nil && !slices.Contains(roleSet, r) {
			roleSet = append(roleSet, r)
		}
	}
	for _, r := range roleSet {
		s := w.Current[r]
		if s == nil {
			pf("| %s | - | waiting | - | - |\n", r)
			continue
		}
		pf("| %s | %s | %s | %s | %s |\n", r, md(s.Signer), s.Decision, fmtTime(s.At), md(orDash(s.Comment)))
	}
	var earlier []*paved.Signoff
	for _, s := range w.Signoffs {
		if s != nil && w.Current[s.Role] != s {
			earlier = append(earlier, s)
		}
	}
	if len(earlier) > 0 {
		pf("\nEarlier sign-offs:\n\n")
		for _, s := range earlier {
			pf("- %s, %s as %s: %s%s\n", fmtTime(s.At), md(s.Signer), s.Role, s.Decision, map[bool]string{true: "", false: " (" + md(s.Comment) + ")"}[s.Comment == ""])
		}
	}
	pf("\n### Follow-ups\n\n")
	if len(w.FollowUps) == 0 {
		pf("None.\n")
		return
	}
	pf("| # | Action | Owner | Due | State |\n|---|---|---|---|---|\n")
	for _, f := range w.FollowUps {
		if f == nil {
			continue
		}
		state := "open"
		if f.DoneAt != nil {
			state = fmt.Sprintf("done by %s on %s", md(f.DoneBy), fmtDate(*f.DoneAt))
		}
		pf("| %d | %s | %s | %s | %s |\n", f.ID, md(f.Description), md(f.Owner), fmtDate(f.Due), state)
	}
}

// ---- HTML -------------------------------------------------------------------

//go:embed packet/*.tmpl
var packetFS embed.FS

var packetTmpl = template.Must(template.New("packet.html.tmpl").Funcs(template.FuncMap{
	"date":     fmtDate,
	"datetime": fmtTime,
	"pct":      pct,
	"state":    stateWords,
	"kind":     kindTitle,
	"dash":     orDash,
	"yesno":    yesNo,
	"num":      number,
	"roles":    roles,
	"join":     strings.Join,
	"age":      age,
	"severity": severityTitle,
	"where":    checkWhere,
	"versions": versionWords,
	"summary": func(fs []paved.Finding) string {
		d, w := paved.Summarize(fs)
		return plural(d, "deny finding") + ", " + plural(w, "warning")
	},
	"lines": func(s string) []string {
		s = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\r", "\n")
		return strings.Split(s, "\n")
	},
	"current": func(p *Packet, a *paved.Assessment) bool { return a == p.Status.Security || a == p.Status.Load },
	"signRows": func(w *WalkthroughStatus) []signRow {
		rs := slices.Clone(w.Required)
		for _, r := range paved.SignRoles {
			if w.Current[r] != nil && !slices.Contains(rs, r) {
				rs = append(rs, r)
			}
		}
		out := make([]signRow, len(rs))
		for i, r := range rs {
			out[i] = signRow{Role: r, Signoff: w.Current[r]}
		}
		return out
	},
	"earlier": func(w *WalkthroughStatus) []*paved.Signoff {
		var out []*paved.Signoff
		for _, s := range w.Signoffs {
			if s != nil && w.Current[s.Role] != s {
				out = append(out, s)
			}
		}
		return out
	},
	"areas": func(st *Status, k paved.TemplateKind) []*AreaStatus {
		var out []*AreaStatus
		for _, a := range st.Areas {
			if a.Kind == k {
				out = append(out, a)
			}
		}
		return out
	},
	"kinds":       func() []paved.TemplateKind { return paved.TemplateKinds },
	"tpl":         func(st *Status, k paved.TemplateKind) *paved.Template { return st.Templates[k] },
	"vetoAllowed": func(st *Status) bool { return VetoAllowed(st.gateService(), st.Security) },
	"required": func(st *Status) []paved.SignRole {
		g := st.gateService()
		return RequiredSignoffs(g.Tier, g.DataClass)
	},
}).ParseFS(packetFS, "packet/packet.html.tmpl"))

type signRow struct {
	Role    paved.SignRole
	Signoff *paved.Signoff
}

// WritePacketHTML writes the packet as a self-contained, printable HTML
// page: inline CSS with print rules, no scripts, no external assets.
func WritePacketHTML(w io.Writer, p *Packet) error {
	if p == nil || p.Status == nil || p.Status.Service == nil {
		return paved.Errorf(paved.EINVALID, "the packet is empty")
	}
	b := bufio.NewWriter(w)
	if err := packetTmpl.Execute(b, p); err != nil {
		return err
	}
	return b.Flush()
}
