package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	paved "github.com/paved-dev/paved"
)

// JUnit XML as Jenkins, GitLab and most CI dashboards read it: one suite per
// input, one test case per resource; a resource with deny findings fails,
// warnings are reported in system-out so they are visible but not failing.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *Result) error {
	type key struct{ input, address string }
	byRes := map[key][]paved.Finding{}
	for _, f := range r.Findings {
		k := key{f.Input, f.Resource}
		byRes[k] = append(byRes[k], f)
	}
	suites := map[string]*junitSuite{}
	var order []string
	suite := func(input string) *junitSuite {
		if s, ok := suites[input]; ok {
			return s
		}
		s := &junitSuite{Name: input}
		suites[input] = s
		order = append(order, input)
		return s
	}
	for _, in := range r.Inputs {
		suite(in)
	}
	seen := map[key]bool{}
	addCase := func(input, address, typ string) {
		k := key{input, address}
		if seen[k] {
			return
		}
		seen[k] = true
		s := suite(input)
		name := address
		if name == "" {
			name = "(whole input)"
		}
		c := junitCase{Name: name, Classname: nonEmpty(typ, "paved")}
		var fail, out []string
		for _, f := range byRes[k] {
			line := fmt.Sprintf("%s %s: %s", strings.ToUpper(string(f.Severity)), f.Rule, f.Message)
			if f.Path != "" {
				if v := valueText(f.Value); v != "" && !strings.Contains(f.Message, v) {
					line += fmt.Sprintf(" (%s = %s)", f.Path, v)
				}
			}
			if f.Remediation != "" {
				line += "\n  fix: " + f.Remediation
			}
			if f.Severity == paved.SeverityDeny {
				fail = append(fail, line)
			} else {
				out = append(out, line)
			}
		}
		if len(fail) > 0 {
			c.Failure = &junitFailure{Message: fmt.Sprintf("%d guard rail(s) need a sign-off", len(fail)), Type: "deny", Text: strings.Join(fail, "\n")}
			s.Failures++
		}
		c.SystemOut = strings.Join(out, "\n")
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, res := range r.Resources {
		addCase(res.Input, res.Address, res.Type)
	}
	for _, f := range r.Findings {
		addCase(f.Input, f.Resource, f.ResourceType)
	}
	out := junitSuites{Name: "paved check"}
	for _, in := range order {
		s := suites[in]
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
