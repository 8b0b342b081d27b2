package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	paved "github.com/paved-dev/paved"
)

// writeGitHub writes workflow commands that GitHub Actions turns into
// annotations on the pull request's files:
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
func writeGitHub(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	for _, f := range r.Findings {
		cmd := "warning"
		if f.Severity == paved.SeverityDeny {
			cmd = "error"
		} else if f.Severity == paved.SeverityException {
			cmd = "notice"
		}
		file := f.File
		if file == "" {
			file = f.Input
		}
		props := []string{}
		if file != "" && file != "-" {
			props = append(props, "file="+escapeProperty(file))
			line := f.Line
			if line < 1 {
				line = 1
			}
			props = append(props, fmt.Sprintf("line=%d", line))
		}
		props = append(props, "title="+escapeProperty("paved "+f.Rule))
		msg := f.Message
		if f.Resource != "" {
			msg = f.Resource + ": " + msg
		}
		if f.Path != "" {
			if v := valueText(f.Value); v != "" && !strings.Contains(f.Message, v) {
				msg += fmt.Sprintf(" (%s = %s)", f.Path, v)
			}
		}
		if f.Remediation != "" {
			msg += "\nFix: " + f.Remediation
		}
		if u := r.docURL(f); u != "" {
			msg += "\nDocs: " + u
		}
		if s := r.exceptionText(&f); s != "" {
			msg += "\nException: " + s
		}
		fmt.Fprintf(bw, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
	d, wn := paved.Summarize(r.Findings)
	fmt.Fprintf(bw, "::notice title=paved::%s\n", escapeData(fmt.Sprintf("%d resources checked: %d deny, %d warn", len(r.Resources), d, wn)))
	r.githubExceptions(bw)
	githubCost(bw, r)
	return bw.Flush()
}

// escapeData and escapeProperty follow the runner's own escaping
// (actions/toolkit core/src/command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
