package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Exceptions in a report: which deny findings an approved exception lets
// through (they are reported with severity "exception", the exception's id
// and expiry), which wait for a sign-off (with a link to the request in
// the portal) and which were refused. The check command fills
// Result.Exceptions from the server's coverage answer, or from a signed
// exceptions file offline.

// Exceptions is the exception side of a check.
type Exceptions struct {
	// Notes by ExceptionFingerprint of the finding.
	Notes map[string]*ExceptionNote `json:"notes,omitempty"`
	// Warnings say why exceptions could not be applied (an altered file,
	// an expired entry, the server unreachable).
	Warnings []string `json:"warnings,omitempty"`
	// Source is "server" (coverage from a paved server) or "file" (a
	// signed exceptions file).
	Source string `json:"source,omitempty"`
}

// ExceptionNote is what the report says about one deny finding.
type ExceptionNote struct {
	ID        int64              `json:"id,omitempty"`
	State     paved.FindingState `json:"state"`
	ExpiresAt *time.Time         `json:"expires_at,omitempty"`
	DecidedBy string             `json:"decided_by,omitempty"`
	Reason    string             `json:"reason,omitempty"` // why rejected
	// URL is the request's page in the portal (absolute when the server
	// is known).
	URL string `json:"url,omitempty"`
}

// note returns the note of a finding, or nil.
func (r *Result) note(f *paved.Finding) *ExceptionNote {
	if r.Exceptions == nil || len(r.Exceptions.Notes) == 0 || (f.Severity != paved.SeverityDeny && f.Severity != paved.SeverityException) {
		return nil
	}
	return r.Exceptions.Notes[paved.ExceptionFingerprint(f)]
}

// exceptionText is one line about a finding's exception for people; ""
// when there is nothing to say.
func (r *Result) exceptionText(f *paved.Finding) string {
	n := r.note(f)
	if n == nil {
		return ""
	}
	switch n.State {
	case paved.FindingCovered:
		s := fmt.Sprintf("covered by exception #%d", n.ID)
		if n.ExpiresAt != nil {
			s += " until " + n.ExpiresAt.UTC().Format(time.DateOnly)
		}
		if n.DecidedBy != "" {
			s += " (approved by " + n.DecidedBy + ")"
		}
		return s
	case paved.FindingPending:
		s := fmt.Sprintf("sign-off requested: exception #%d waits for a reviewer", n.ID)
		if n.URL != "" {
			s += ": " + n.URL
		}
		return s
	case paved.FindingRejected:
		s := fmt.Sprintf("exception #%d was rejected", n.ID)
		if n.DecidedBy != "" {
			s += " by " + n.DecidedBy
		}
		if n.Reason != "" {
			s += ": " + n.Reason
		}
		return s
	}
	return ""
}

// ApplyCoverage marks the findings that coverage covers with severity
// exception and records a note for every deny finding it names. base is
// the portal's URL ("" offline) for the links to requests.
func (r *Result) ApplyCoverage(cov *paved.ExceptionCoverage, base, source string) {
	if cov == nil {
		return
	}
	if r.Exceptions == nil {
		r.Exceptions = &Exceptions{}
	}
	r.Exceptions.Source = source
	if r.Exceptions.Notes == nil {
		r.Exceptions.Notes = map[string]*ExceptionNote{}
	}
	base = strings.TrimRight(base, "/")
	for _, fc := range cov.Findings {
		n := &ExceptionNote{State: fc.State}
		if e := fc.Exception; e != nil {
			n.ID, n.DecidedBy, n.Reason = e.ID, e.DecidedBy, e.Reason
			if !e.ExpiresAt.IsZero() {
				t := e.ExpiresAt
				n.ExpiresAt = &t
			}
			if base != "" && e.Link != "" {
				n.URL = base + e.Link
			}
		}
		r.Exceptions.Notes[fc.Fingerprint] = n
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Severity != paved.SeverityDeny {
			continue
		}
		if n := r.Exceptions.Notes[paved.ExceptionFingerprint(f)]; n != nil && n.State == paved.FindingCovered {
			f.Severity = paved.SeverityException
		}
	}
}

// Warn adds a warning about exceptions to the report.
func (r *Result) Warn(msg string) {
	if r.Exceptions == nil {
		r.Exceptions = &Exceptions{}
	}
	r.Exceptions.Warnings = append(r.Exceptions.Warnings, msg)
}

// exceptionCounts counts the notes by state.
func (r *Result) exceptionCounts() (covered, pending, rejected int) {
	if r.Exceptions == nil {
		return
	}
	for _, n := range r.Exceptions.Notes {
		switch n.State {
		case paved.FindingCovered:
			covered++
		case paved.FindingPending:
			pending++
		case paved.FindingRejected:
			rejected++
		}
	}
	return
}

// pendingNotes are the requests waiting for a decision, in id order.
func (r *Result) pendingNotes() []*ExceptionNote {
	if r.Exceptions == nil {
		return nil
	}
	var out []*ExceptionNote
	seen := map[int64]bool{}
	for _, n := range r.Exceptions.Notes {
		if n.State == paved.FindingPending && !seen[n.ID] {
			seen[n.ID] = true
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// exceptionSummary is the text and markdown summary line about
// exceptions; "" when there are none.
func (r *Result) exceptionSummary() string {
	if r.Exceptions == nil {
		return ""
	}
	covered, pending, rejected := r.exceptionCounts()
	var parts []string
	if covered > 0 {
		parts = append(parts, fmt.Sprintf("%d deny finding(s) covered by exceptions", covered))
	}
	if pending > 0 {
		parts = append(parts, fmt.Sprintf("%d waiting for a sign-off", pending))
	}
	if rejected > 0 {
		parts = append(parts, fmt.Sprintf("%d exception(s) rejected", rejected))
	}
	return strings.Join(parts, ", ")
}

// markdownExceptions is the markdown section about exceptions: the
// pending requests with links, and the warnings.
func (r *Result) markdownExceptions() string {
	if r.Exceptions == nil {
		return ""
	}
	var b strings.Builder
	if s := r.exceptionSummary(); s != "" {
		b.WriteString("Exceptions: " + s + ".\n\n")
	}
	if ps := r.pendingNotes(); len(ps) > 0 {
		b.WriteString("**Sign-off requested** (the check passes once these are approved):\n\n")
		for _, n := range ps {
			if n.URL != "" {
				fmt.Fprintf(&b, "- [exception #%d](%s)\n", n.ID, n.URL)
			} else {
				fmt.Fprintf(&b, "- exception #%d\n", n.ID)
			}
		}
		b.WriteString("\n")
	}
	for _, w := range r.Exceptions.Warnings {
		b.WriteString("> ⚠️ " + mdEscape(w) + "\n\n")
	}
	return b.String()
}

// githubExceptions writes one notice per pending request, with its link.
func (r *Result) githubExceptions(w io.Writer) {
	if r.Exceptions == nil {
		return
	}
	for _, n := range r.pendingNotes() {
		msg := fmt.Sprintf("exception #%d waits for a sign-off", n.ID)
		if n.URL != "" {
			msg += ": " + n.URL
		}
		fmt.Fprintf(w, "::notice title=paved sign-off requested::%s\n", escapeData(msg))
	}
	for _, m := range r.Exceptions.Warnings {
		fmt.Fprintf(w, "::warning title=paved exceptions::%s\n", escapeData(m))
	}
}

// sarifSuppression is a SARIF 2.1.0 suppression: an exception approved
// outside the code (kind external) and accepted.
type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

// sarifSuppressions marks a finding an exception covers as suppressed.
func (r *Result) sarifSuppressions(f *paved.Finding) []sarifSuppression {
	if f.Severity != paved.SeverityException {
		return nil
	}
	return []sarifSuppression{{Kind: "external", Status: "accepted", Justification: r.exceptionText(f)}}
}
