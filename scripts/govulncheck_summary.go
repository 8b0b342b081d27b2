//go:build ignore

// govulncheck_summary reads govulncheck -format json on stdin and decides
// what fails the build (scripts/govulncheck.sh runs it):
//
//   - A vulnerability in a required module that paved's code calls fails:
//     upgrade the module to the fixed version (go get module@version).
//   - A vulnerability in the Go standard library that paved's code calls
//     is fixed by a newer Go, not by a change here: it is reported with the
//     Go version that fixes it, and fails only with -strict-stdlib (or
//     PAVED_GOVULNCHECK_STRICT_STDLIB=1). Release images are built with the
//     newest patch release of the Go minor version (deploy/Dockerfile's
//     golang:1.26 image), which carries the fixes.
//   - Vulnerabilities in packages or modules that paved imports but whose
//     vulnerable code it does not call are counted, not failed (as
//     govulncheck's own text output does).
//
// Exit code: 0 clean (or standard library only), 3 a failure above, 1 the
// input could not be read.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
	} `json:"position"`
}

type message struct {
	Config *struct {
		GoVersion string `json:"go_version"`
		DB        string `json:"db"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

type vuln struct {
	id, module, found, fixed string
	called                   bool
	example                  string
}

func main() {
	strict := flag.Bool("strict-stdlib", os.Getenv("PAVED_GOVULNCHECK_STRICT_STDLIB") == "1", "fail on standard library findings too")
	flag.Parse()
	summaries := map[string]string{}
	vulns := map[string]*vuln{}
	goVersion := ""
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintf(os.Stderr, "govulncheck_summary: reading govulncheck's JSON: %v\n", err)
			os.Exit(1)
		}
		switch {
		case m.Config != nil:
			goVersion = m.Config.GoVersion
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f := m.Finding
			top := f.Trace[0]
			key := f.OSV + " " + top.Module
			v := vulns[key]
			if v == nil {
				v = &vuln{id: f.OSV, module: top.Module, found: top.Version, fixed: f.FixedVersion}
				vulns[key] = v
			}
			if top.Function != "" && !v.called {
				v.called = true
				v.example = example(f.Trace)
			}
		}
	}
	keys := make([]string, 0, len(vulns))
	for k := range vulns {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var modCalled, stdCalled, notCalled int
	newestStdFix := ""
	for _, k := range keys {
		v := vulns[k]
		if !v.called {
			notCalled++
			continue
		}
		std := v.module == "stdlib" || v.module == "toolchain"
		what := "module " + v.module + "@" + v.found
		fix := "upgrade: go get " + v.module + "@" + v.fixed
		if std {
			stdCalled++
			what = "Go standard library " + goName(v.found)
			fix = "fixed in " + goName(v.fixed)
			if v.fixed == "" {
				fix = "no fixed Go release yet"
			} else if semverLess(newestStdFix, v.fixed) {
				newestStdFix = v.fixed
			}
		} else {
			modCalled++
			if v.fixed == "" {
				fix = "no fixed version yet: remove the call or replace the module"
			}
		}
		fmt.Printf("%s  %s\n    %s; %s\n    called: %s\n", v.id, summaries[v.id], what, fix, v.example)
	}
	fmt.Printf("\ngovulncheck (%s): %d vulnerabilities in required modules reached by paved's code, %d in the Go standard library, %d more in imported code that is not called.\n",
		goVersion, modCalled, stdCalled, notCalled)
	if stdCalled > 0 {
		fmt.Printf("The standard library findings are fixed by %s or later: build releases with it (deploy/Dockerfile's golang:1.26 image takes the newest patch release).\n", goName(newestStdFix))
	}
	switch {
	case modCalled > 0:
		fmt.Println("FAIL: upgrade the modules above to their fixed versions.")
		os.Exit(3)
	case stdCalled > 0 && *strict:
		fmt.Println("FAIL (-strict-stdlib): upgrade the Go toolchain.")
		os.Exit(3)
	}
}

// example is the call path from paved's own code to the vulnerable symbol.
func example(trace []frame) string {
	var parts []string
	for i := len(trace) - 1; i >= 0; i-- {
		f := trace[i]
		name := f.Function
		if f.Receiver != "" {
			name = strings.TrimPrefix(f.Receiver, "*") + "." + name
		}
		p := f.Package
		if j := strings.LastIndex(p, "/"); j >= 0 {
			p = p[j+1:]
		}
		s := p + "." + name
		if i == len(trace)-1 && f.Position != nil && f.Position.Filename != "" {
			s = fmt.Sprintf("%s (%s:%d)", s, f.Position.Filename, f.Position.Line)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " -> ")
}

// goName turns the module-style v1.26.9 into go1.26.9.
func goName(v string) string {
	if v == "" {
		return "(unknown)"
	}
	return "go" + strings.TrimPrefix(v, "v")
}

// semverLess compares vMAJOR.MINOR.PATCH versions numerically; "" is
// less than anything.
func semverLess(a, b string) bool {
	if a == "" {
		return b != ""
	}
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var x, y int
		fmt.Sscanf(pa[i], "%d", &x)
		fmt.Sscanf(pb[i], "%d", &y)
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}
