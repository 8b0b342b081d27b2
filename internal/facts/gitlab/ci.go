package gitlab

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CI is what a .gitlab-ci.yml says about paved check.
type CI struct {
	// Jobs are the jobs that run paved check and gate the pipeline.
	Jobs []string
	// Includes are included files, templates and components whose name
	// says paved: paved cannot see into them, so it takes the name's word.
	Includes []string
	// Error says why the file could not be read as YAML ("" when it
	// could): then nothing runs paved check as far as paved can tell.
	Error string
}

// Runs reports whether the pipeline runs paved check.
func (c CI) Runs() bool { return len(c.Jobs) > 0 || len(c.Includes) > 0 }

// maxCIBytes bounds the CI file read; maxExtends bounds an extends chain.
const (
	maxCIBytes = 1 << 20
	maxExtends = 10
)

// reserved are .gitlab-ci.yml's top-level keywords: everything else that
// is a mapping is a job.
var reserved = map[string]bool{
	"default": true, "include": true, "stages": true, "variables": true, "workflow": true, "spec": true,
	"image": true, "services": true, "cache": true, "before_script": true, "after_script": true,
}

// PavedCheck decides whether a .gitlab-ci.yml runs paved check (name is
// the collector's paved_check, "paved" by default). A job runs it when a
// line of its script (its own, or inherited through extends) invokes the
// command: a word whose base name is name (paved, ./bin/paved,
// ghcr.io/paved-dev/paved:1.4 after docker run) followed by the word
// check, on a line that does not merely echo it. A job that does not gate
// the pipeline does not count: hidden jobs (.name), when: manual or never,
// allow_failure: true. An include (local, project file, template, remote
// or CI/CD component) whose reference names paved counts too, since its
// content is not read. Anything else, including a file that is not YAML,
// does not run paved check.
func PavedCheck(text, name string) CI {
	out := CI{Jobs: []string{}, Includes: []string{}}
	if name == "" {
		name = "paved"
	}
	if len(text) > maxCIBytes {
		out.Error = fmt.Sprintf("the CI file is larger than %d bytes", maxCIBytes)
		return out
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		out.Error = oneLine(err.Error())
		return out
	}
	lname := strings.ToLower(name)
	for _, inc := range includes(doc["include"]) {
		if strings.Contains(strings.ToLower(inc), lname) && !slices.Contains(out.Includes, inc) {
			out.Includes = append(out.Includes, inc)
		}
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		job, ok := doc[k].(map[string]any)
		if !ok || reserved[k] || strings.HasPrefix(k, ".") {
			continue
		}
		if w, _ := job["when"].(string); w == "manual" || w == "never" {
			continue
		}
		if af, _ := job["allow_failure"].(bool); af {
			continue
		}
		if slices.ContainsFunc(script(doc, job, 0), func(l string) bool { return invokes(l, lname) }) {
			out.Jobs = append(out.Jobs, k)
		}
	}
	return out
}

// script is a job's script lines, its own or the nearest one along its
// extends chain (GitLab merges extends deeply; a job's own script wins).
func script(doc, job map[string]any, depth int) []string {
	if s, ok := job["script"]; ok {
		return lines(s)
	}
	if depth >= maxExtends {
		return nil
	}
	var parents []string
	switch e := job["extends"].(type) {
	case string:
		parents = []string{e}
	case []any:
		for _, x := range e {
			if s, ok := x.(string); ok {
				parents = append(parents, s)
			}
		}
	}
	// The last parent wins a conflict, as in GitLab.
	for i := len(parents) - 1; i >= 0; i-- {
		if p, ok := doc[parents[i]].(map[string]any); ok {
			if s := script(doc, p, depth+1); s != nil {
				return s
			}
		}
	}
	return nil
}

// lines flattens a script: a string or a list (nested lists allowed, as
// !reference produces) of strings, each possibly several lines.
func lines(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, strings.Split(x, "\n")...)
	case []any:
		for _, e := range x {
			out = append(out, lines(e)...)
		}
	}
	return out
}

// invokes reports whether a shell line runs `name check`.
func invokes(line, name string) bool {
	f := strings.Fields(strings.ToLower(line))
	if len(f) == 0 || f[0] == "echo" || f[0] == "printf" || strings.HasPrefix(f[0], "#") {
		return false
	}
	for i := 0; i+1 < len(f); i++ {
		w := f[i]
		w = w[strings.LastIndex(w, "/")+1:]
		if j := strings.IndexAny(w, ":@"); j >= 0 {
			w = w[:j]
		}
		if w == name && f[i+1] == "check" {
			return true
		}
	}
	return false
}

// includes lists the references of an include: a string, or a list of
// strings and mappings (local, project with file, template, remote,
// component).
func includes(v any) []string {
	var out []string
	add := func(x any) {
		switch m := x.(type) {
		case string:
			out = append(out, m)
		case map[string]any:
			for _, k := range []string{"local", "template", "remote", "component"} {
				if s, ok := m[k].(string); ok {
					out = append(out, s)
				}
			}
			if p, ok := m["project"].(string); ok {
				for _, f := range lines(m["file"]) {
					out = append(out, p+":"+f)
				}
			}
		}
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			add(e)
		}
	default:
		add(x)
	}
	return out
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// decodeJSON decodes a page of a list, naming the path on failure.
func decodeJSON(body []byte, v any, target string) error {
	if err := json.Unmarshal(body, v); err != nil {
		p := target
		if u, err := url.Parse(target); err == nil {
			p = u.Path
		}
		return fmt.Errorf("%s: the answer is not the JSON expected: %v", p, err)
	}
	return nil
}
