package report

import (
	"bufio"
	"fmt"
	"io"

	paved "github.com/paved-dev/paved"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiDim    = "\x1b[2m"
)

func writeText(w io.Writer, r *Result, opt Options) error {
	bw := bufio.NewWriter(w)
	c := func(code, s string) string {
		if !opt.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, g := range group(r.Findings) {
		head := g[0]
		title := head.Resource
		if title == "" {
			title = "(whole input)"
		}
		loc := head.Input
		if head.File != "" {
			loc = head.File
			if head.Line > 0 {
				loc = fmt.Sprintf("%s:%d", head.File, head.Line)
			}
		}
		action := ""
		if head.Action != "" {
			action = " (" + head.Action + ")"
		}
		fmt.Fprintf(bw, "%s%s  %s\n", c(ansiBold, title), action, c(ansiDim, loc))
		for _, f := range g {
			sev := c(ansiYellow, "WARN")
			if f.Severity == paved.SeverityDeny {
				sev = c(ansiRed, "DENY")
			} else if f.Severity == paved.SeverityException {
				sev = c(ansiGreen, "EXCP")
			}
			fmt.Fprintf(bw, "  %s %s  %s\n", sev, f.Rule, f.Message)
			if f.Path != "" {
				if v := valueText(f.Value); v != "" {
					fmt.Fprintf(bw, "       %s = %s\n", f.Path, v)
				} else {
					fmt.Fprintf(bw, "       at %s\n", f.Path)
				}
			}
			if f.Remediation != "" {
				fmt.Fprintf(bw, "       fix: %s\n", f.Remediation)
			}
			if u := r.docURL(f); u != "" {
				fmt.Fprintf(bw, "       docs: %s\n", u)
			}
			if s := r.exceptionText(&f); s != "" {
				fmt.Fprintf(bw, "       exception: %s\n", s)
			}
		}
		fmt.Fprintln(bw)
	}
	writeCostText(bw, r, c)
	d, wn := paved.Summarize(r.Findings)
	status := c(ansiGreen, "PASS")
	if d > 0 {
		status = c(ansiRed, "FAIL")
	}
	fmt.Fprintf(bw, "%s  %d resources checked in %d inputs: %d deny, %d warn\n", status, len(r.Resources), len(r.Inputs), d, wn)
	if d > 0 {
		fmt.Fprintln(bw, "Deny findings need a sign-off: fix them, or ask the enablement team for an exception.")
	}
	if r.Exceptions != nil {
		if s := r.exceptionSummary(); s != "" {
			fmt.Fprintf(bw, "Exceptions: %s.\n", s)
		}
		for _, w := range r.Exceptions.Warnings {
			fmt.Fprintf(bw, "%s %s\n", c(ansiYellow, "warning:"), w)
		}
	}
	return bw.Flush()
}
